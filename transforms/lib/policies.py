"""The IAM policy reader: statements from jsonencode(), JSON in strings and heredocs, and
policy documents, for every rule that looks into policies.

A statement is read two ways: what it grants, as literal values (``Stmt.effect``,
``actions``, ``resources``, ``principals``: what checks compare), and how it is written
(``Stmt.written``, ``container``, ``field()`` and the JSON positions: what a fix that
rewrites the statement in place works on).
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from dataclasses import field as _default

from tffix.engine.module import BUILT_IN_ROOTS, BlockRef, Module, SourceFile
from tffix.engine.rules import literal
from tffix.syntax import cst
from tffix.syntax.strings import HOLE, Position, StringText
from tffix.transforms.lib.json_text import JValue, parse_json
from tffix.transforms.lib.written import WRITTEN, written

__all__ = [
    "Stmt", "Field", "field", "texts", "module_statements", "statements_of", "is_public_principal",
    "jsonencode_object", "jsonencode_statements", "document_statements", "json_statements",
    "json_document_statements", "DOCUMENT_NAMES",
]

_ACTION_KEY = re.compile(r'\\?"(Not)?Action\\?"\s*:')
# the arguments of a policy document's statement block, by the JSON key each one writes
DOCUMENT_NAMES = {"Sid": "sid", "Effect": "effect", "Action": "actions", "NotAction": "not_actions",
                  "Resource": "resources", "NotResource": "not_resources"}


Values = list[tuple[str | None, cst.Node | Position]] | None


@dataclass
class Stmt:
    """One policy statement."""

    file: SourceFile
    holder: BlockRef  # the top-level block it is written in
    kind: str  # "jsonencode" | "json" | "document"
    node: cst.Node | Position  # where to point at the statement
    effect: str | None  # "Allow" when absent; None when not a literal
    actions: Values
    action_node: cst.Node | Position
    not_action: bool = False
    resources: Values = None
    not_resource: bool = False
    principals: Values = _default(default_factory=list)  # flattened principal values ([] when none)
    has_principal: bool = False
    has_condition: bool = False
    # how it is written: an Object, a statement Block, a JSON object, or the expression a
    # statement is (``opaque``); the list holding it (None: the policy's only statement);
    # for JSON, the string it is in and the text its positions index
    written: cst.Node | JValue | None = None
    container: cst.Tuple | JValue | None = None
    text: StringText | None = None
    source: str = ""
    dynamic: bool = False  # the content of a dynamic "statement" block

    @property
    def opaque(self) -> bool:
        """The statement is an expression (``local.extra``), not an object tffix can read."""
        return isinstance(self.written, cst.Node) and not isinstance(self.written, (cst.Object, cst.Block))

    @property
    def keys(self) -> list[str | None]:
        """The statement's keys as written (None for a computed key; a document's argument
        and nested block names)."""
        w = self.written
        if isinstance(w, cst.Object):
            return [it.key_name for it in w.items]
        if isinstance(w, cst.Block):
            return [i.name if isinstance(i, cst.Attribute) else i.type for i in w.body.items]
        if isinstance(w, JValue):
            return [m[0] for m in w.members]
        return []


@dataclass
class Field:
    """One member of a statement as written (``Resource = "*"``, ``resources = [...]``,
    ``"Resource": "*"``): its key as written, value, the item holding it (None in JSON),
    and its ``texts``."""

    key: str
    value: cst.Node | JValue
    item: cst.ObjectItem | cst.Attribute | None
    texts: list[str | None] | None

    @property
    def is_list(self) -> bool:
        return isinstance(self.value, cst.Tuple) or (isinstance(self.value, JValue) and self.value.kind == "array")


def field(stmt: Stmt, name: str) -> Field | None:
    """The member ``name`` (a JSON key: ``"Resource"``) of a statement as written; in a policy
    document, the argument that writes it (``resources``). The first of duplicate keys."""
    w = stmt.written
    if isinstance(w, cst.Object):
        item = w.get(name)
        return Field(name, item.value, item, texts(item.value)) if item is not None else None
    if isinstance(w, cst.Block):
        attr = w.get_attribute(DOCUMENT_NAMES.get(name, ""))
        return Field(attr.name, attr.value, attr, texts(attr.value)) if attr is not None else None
    if isinstance(w, JValue):
        m = w.member(name)
        return Field(name, m[1], None, _json_texts(m[1])) if m is not None else None
    return None


def texts(expr: cst.Node) -> list[str | None] | None:
    """The strings of a string or list of strings as written: each one's text (``HOLE`` for
    its interpolations); None for an item that refers to a resource (``aws_x.y.arn``
    names one); None for all when an item is any other expression or has a directive."""
    out: list[str | None] = []
    for item in expr.items if isinstance(expr, cst.Tuple) else [expr]:
        if isinstance(item, cst.Template):
            st = StringText(item)
            if st.has_directives:
                return None
            out.append(st.value())
        elif isinstance(item, cst.Traversal) and _is_resource_reference(item):
            out.append(None)
        else:
            return None
    return out


def _is_resource_reference(trav: cst.Traversal) -> bool:
    path = trav.path
    return len(path) >= 2 and path[0] not in ("var", "local", "module", *BUILT_IN_ROOTS)


def _json_texts(value: JValue) -> list[str | None] | None:
    items = value.items if value.kind == "array" else [value]
    return [i.value for i in items] if all(i.kind == "string" for i in items) else None


def _values(expr: cst.Node | None) -> Values:
    if expr is None:
        return []
    if isinstance(expr, cst.Tuple):
        out: list[tuple[str | None, cst.Node]] = []
        for e in expr.items:
            known, value = literal(e)
            out.append((value if known and isinstance(value, str) else None, e))
        return out
    known, value = literal(expr)
    if known and isinstance(value, str):
        return [(value, expr)]
    return None


def _principal_values(expr: cst.Node | None) -> Values:
    """``"*"``, ``{AWS = "*"}``, ``{Service = [...]}``: the values, flattened."""
    if expr is None:
        return []
    if isinstance(expr, cst.Object):
        out: list[tuple[str | None, cst.Node]] = []
        for item in expr.items:
            vals = _values(item.value)
            if vals is None:
                out.append((None, item.value))
            else:
                out.extend(vals)
        return out
    return _values(expr)


# ---- jsonencode ------------------------------------------------------------------------


def jsonencode_object(expr: cst.Node) -> cst.Object | None:
    """The object of ``jsonencode({...})``, else None."""
    if isinstance(expr, cst.FunctionCall) and expr.name == "jsonencode" and len(expr.arguments) == 1 \
            and isinstance(expr.arguments[0], cst.Object):
        return expr.arguments[0]
    return None


def jsonencode_statements(file: SourceFile, holder: BlockRef, call: cst.Node, *, opaque: bool = False
                          ) -> list[Stmt] | None:
    """The statements of ``jsonencode({... Statement = ...})``: None when ``call`` is not
    one or has no Statement, [] when Statement is neither an object nor a list. Items of
    the list that are expressions are left out, or, with ``opaque``, read as opaque."""
    obj = jsonencode_object(call)
    item = obj.get("Statement") if obj is not None else None
    if item is None:
        return None
    if isinstance(item.value, cst.Object):
        return [_from_object(file, holder, item.value, None)]
    if not isinstance(item.value, cst.Tuple):
        return []
    out = []
    for s in item.value.items:
        if isinstance(s, cst.Object):
            out.append(_from_object(file, holder, s, item.value))
        elif opaque:
            out.append(Stmt(file, holder, "jsonencode", s, None, None, s, resources=None, principals=None,
                            written=s, container=item.value))
    return out


def _from_object(file: SourceFile, holder: BlockRef, obj: cst.Object, container: cst.Tuple | None) -> Stmt:
    effect_item = obj.get("Effect")
    if effect_item is None:
        effect: str | None = "Allow"
    else:
        known, value = literal(effect_item.value)
        effect = value if known and isinstance(value, str) else None
    action = obj.get("Action") or obj.get("NotAction")
    resource = obj.get("Resource") or obj.get("NotResource")
    principal = obj.get("Principal") or obj.get("NotPrincipal")
    return Stmt(
        file, holder, "jsonencode", obj, effect,
        actions=_values(action.value) if action else [],
        action_node=action.value if action else obj,
        not_action=action is not None and action.key_name == "NotAction",
        resources=_values(resource.value) if resource else [],
        not_resource=resource is not None and resource.key_name == "NotResource",
        principals=_principal_values(principal.value) if principal else [],
        has_principal=principal is not None,
        has_condition=obj.get("Condition") is not None,
        written=obj, container=container,
    )


# ---- JSON text -------------------------------------------------------------------------


def _json_list(value: object) -> list[str | None] | None:
    if value is None:
        return []
    if isinstance(value, str):
        return [None if HOLE in value else value]
    if isinstance(value, list):
        return [v if isinstance(v, str) and HOLE not in v else None for v in value]
    return None


def _dollar(text: str) -> str:
    return text.replace("$${", "${")  # the template escape, in heredocs (and once more in strings)


def json_statements(file: SourceFile, holder: BlockRef, node: cst.Template | cst.Heredoc) -> list[Stmt] | None:
    """The statements of JSON in a quoted string or heredoc, read as ``json.loads`` reads it,
    each pointing at its Action key; None when tffix cannot read it (a directive, an
    interpolation outside a JSON string, not JSON)."""
    st = StringText(node)
    if st.has_directives:
        return None
    text = st.text
    if "Statement" not in text:
        return None if st.holes else []
    try:
        doc = parse_json(cst.unescape(text) if isinstance(node, cst.Template) else text, allow_nan=True
                         ).to_python(_dollar)
    except ValueError:
        return None
    if not isinstance(doc, dict):
        return []
    raw = doc.get("Statement")
    stmts = [raw] if isinstance(raw, dict) else [s for s in raw if isinstance(s, dict)] if isinstance(raw, list) else []
    keys = list(_ACTION_KEY.finditer(text))
    out = []
    for i, s in enumerate(stmts):
        where = (st.position(keys[i].start()) or node) if i < len(keys) and st.runs else node
        out.append(_json_stmt(file, holder, where, s))
    return out


def json_document_statements(file: SourceFile, holder: BlockRef, root: JValue, *, where: cst.Node,
                             text: StringText | None = None, source: str = "") -> list[Stmt]:
    """The statements of a JSON policy parsed with ``parse_json`` (of its first Statement
    key), with where each is written: ``written`` (its JValue), ``container`` (the array
    holding it), ``text`` (the string it is in, for positions; else they point at
    ``where``) and ``source`` (the text it was parsed from)."""
    member = root.member("Statement") if root.kind == "object" else None
    value = member[1] if member is not None else None
    if value is not None and value.kind == "object":
        found = [(value, None)]
    elif value is not None and value.kind == "array":
        found = [(item, value) for item in value.items if item.kind == "object"]
    else:
        return []
    out = []
    for jv, container in found:
        pos = text.position(jv.start) if text is not None else None
        out.append(_json_stmt(file, holder, pos or where, jv.to_python(_dollar), written=jv,  # type: ignore[arg-type]
                              container=container, text=text, source=source))
    return out


def _json_stmt(file: SourceFile, holder: BlockRef, where: cst.Node | Position, s: dict, **how: object) -> Stmt:
    effect = s.get("Effect", "Allow")
    action_key = "NotAction" if "NotAction" in s else "Action"
    resource_key = "NotResource" if "NotResource" in s else "Resource"
    principal = s.get("Principal", s.get("NotPrincipal"))
    principals: list[str | None] | None
    if isinstance(principal, dict):
        principals = []
        for v in principal.values():
            vals = _json_list(v)
            principals.extend(vals if vals is not None else [None])
    else:
        principals = _json_list(principal)
    actions = _json_list(s.get(action_key))
    resources = _json_list(s.get(resource_key))
    return Stmt(
        file, holder, "json", where,
        effect if isinstance(effect, str) and HOLE not in effect else None,
        actions=[(a, where) for a in actions] if actions is not None else None,
        action_node=where,
        not_action=action_key == "NotAction",
        resources=[(r, where) for r in resources] if resources is not None else None,
        not_resource=resource_key == "NotResource",
        principals=[(p, where) for p in principals] if principals is not None else None,
        has_principal=principal is not None,
        has_condition="Condition" in s,
        **how,  # type: ignore[arg-type]
    )


# ---- aws_iam_policy_document -------------------------------------------------------------


def document_statements(ref: BlockRef, *, dynamic: bool = False) -> list[Stmt]:
    """The statement blocks of a ``data "aws_iam_policy_document"``; with ``dynamic``, then
    the ``content`` of its ``dynamic "statement"`` blocks too (``Stmt.dynamic``)."""
    blocks = [(st, False) for st in ref.block.find_blocks("statement")]
    if dynamic:
        blocks += [(content, True) for dyn in ref.block.find_blocks("dynamic")
                   if dyn.label_values[:1] == ["statement"] for content in dyn.find_blocks("content")]
    out = []
    for st, in_dynamic in blocks:
        effect_attr = st.get_attribute("effect")
        if effect_attr is None:
            effect: str | None = "Allow"
        else:
            known, value = literal(effect_attr.value)
            effect = value if known and isinstance(value, str) else None
        actions = st.get_attribute("actions") or st.get_attribute("not_actions")
        resources = st.get_attribute("resources") or st.get_attribute("not_resources")
        principals: list[tuple[str | None, cst.Node]] | None = []
        principal_blocks = st.find_blocks("principals") + st.find_blocks("not_principals")
        for p in principal_blocks:
            ident = p.get_attribute("identifiers")
            vals = _values(ident.value) if ident else []
            type_attr = p.get_attribute("type")
            known, ptype = literal(type_attr.value) if type_attr else (False, None)
            if vals is None:
                principals.append((None, p))
            elif known and ptype == "*":
                principals.extend(("*", n) for _, n in vals) if vals else principals.append(("*", p))
            else:
                principals.extend(vals)
        if st.find_blocks("dynamic"):
            principals.append((None, st))
        out.append(Stmt(
            ref.file, ref, "document", st, effect,
            actions=_values(actions.value) if actions else [],
            action_node=actions.value if actions else st,
            not_action=actions is not None and actions.name == "not_actions",
            resources=_values(resources.value) if resources else [],
            not_resource=resources is not None and resources.name == "not_resources",
            principals=principals,
            has_principal=bool(principal_blocks),
            has_condition=bool(st.find_blocks("condition")),
            written=st, dynamic=in_dynamic,
        ))
    return out


# ---- entry points ------------------------------------------------------------------------


def statements_of(module: Module, ref: BlockRef, expr: cst.Node) -> list[Stmt] | None:
    """The statements of the policy that ``expr`` (a policy argument's value) holds:
    inline, or in a policy document it refers to. None when tffix cannot read it
    (templatefile, variables, file(), locals...)."""
    if isinstance(expr, cst.FunctionCall):
        return jsonencode_statements(ref.file, ref, expr)
    if isinstance(expr, (cst.Template, cst.Heredoc)):
        target = module.resolve(expr) if isinstance(expr, cst.Template) else None
        if target is not None:
            return _resolved(module, target)
        return json_statements(ref.file, ref, expr)
    if isinstance(expr, cst.Traversal):
        target = module.resolve(expr)
        return _resolved(module, target) if target is not None else None
    return None


def _resolved(module: Module, target: BlockRef) -> list[Stmt] | None:
    if target.address.startswith("data.aws_iam_policy_document."):
        if target.block.get_attribute("source_policy_documents") or target.block.get_attribute(
                "override_policy_documents") or target.block.find_blocks("dynamic"):
            return None
        return document_statements(target)
    return None


def module_statements(module: Module) -> Iterator[Stmt]:
    """Every statement written anywhere in the module: jsonencode objects, JSON strings
    and heredocs, and policy documents (each once, where it is written). Read once per
    state of the module (``Module.fact``), for every rule that asks, from the statements of
    each file (``Module.file_fact``: a file no fix changed is not read again)."""
    return iter(module.fact("policies.module_statements", lambda: [
        stmt for sf in module.files
        for stmt in module.file_fact("policies.statements", sf, lambda sf=sf: list(_file_statements(module, sf)))]))


_DOCUMENT = "aws_iam_policy_document"


def _names_statement(node: cst.Node) -> bool:
    """Could ``json_statements`` find a statement in this string? Only when the text of its
    literal parts (``StringText.text`` has them, holes between) spells ``Statement``."""
    return "Statement" in "".join(part.pre + part for part in node.parts  # type: ignore[attr-defined]
                                  if isinstance(part, str))


def _file_statements(module: Module, sf: SourceFile) -> Iterator[Stmt]:
    # What the file's text spells rules out whole kinds (``lib/written.py``): a policy document
    # needs the type in a label, jsonencode statements a call named ``jsonencode``, and JSON
    # statements ``Statement`` in a literal piece of a string (``json_statements`` looks for it
    # in ``StringText.text``, the pieces as written): a file that spells none is not walked.
    text = sf.text
    documents, calls, strings = _DOCUMENT in text, "jsonencode" in text, "Statement" in text
    if not (documents or calls or strings):
        return
    for ref in module.blocks_of(sf):
        # an address starts so only when a label spells the type (most blocks: no address needed)
        if documents and any(_DOCUMENT in label for label in ref.block.label_values) and \
                module.address_of(ref).startswith("data.aws_iam_policy_document."):
            yield from document_statements(ref)
            continue
        if not (calls or strings):
            continue
        for node in written(module, ref.block, WRITTEN):  # where statements are written
            if isinstance(node, cst.FunctionCall):
                if calls:
                    yield from jsonencode_statements(ref.file, ref, node) or []
            elif strings and _names_statement(node):  # else json_statements finds none
                got = json_statements(ref.file, ref, node)
                if got:
                    yield from got


def is_public_principal(stmt: Stmt) -> bool | None:
    """True when an Allow statement grants to everyone (``"*"`` or ``AWS = "*"``); None
    when tffix cannot tell (an expression), False otherwise."""
    if stmt.effect is None:
        return None
    if stmt.effect != "Allow" or not stmt.has_principal:
        return False
    if stmt.principals is None:
        return None
    if any(v == "*" for v, _ in stmt.principals):
        return True
    if any(v is None for v, _ in stmt.principals):
        return None
    return False
