"""The IAM policy reader: statements from jsonencode(), heredoc JSON, policy documents."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from dataclasses import dataclass, field

from tffix.engine.module import BlockRef, Module, SourceFile
from tffix.engine.rules import literal
from tffix.syntax import cst
from tffix.syntax.strings import HOLE, Position, StringText

__all__ = ["Stmt", "module_statements", "statements_of", "is_public_principal"]

_ACTION_KEY = re.compile(r'\\?"(Not)?Action\\?"\s*:')


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
    principals: Values = field(default_factory=list)  # flattened principal values ([] when none)
    has_principal: bool = False
    has_condition: bool = False


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


def _jsonencode_statements(call: cst.FunctionCall) -> list[cst.Object] | None:
    if call.name != "jsonencode" or len(call.arguments) != 1 or not isinstance(call.arguments[0], cst.Object):
        return None
    item = call.arguments[0].get("Statement")
    if item is None:
        return None
    if isinstance(item.value, cst.Object):
        return [item.value]
    if isinstance(item.value, cst.Tuple):
        return [s for s in item.value.items if isinstance(s, cst.Object)]
    return []


def _from_object(file: SourceFile, holder: BlockRef, obj: cst.Object) -> Stmt:
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


def _json_statements(file: SourceFile, holder: BlockRef, node: cst.Template | cst.Heredoc) -> list[Stmt] | None:
    st = StringText(node)
    if st.has_directives:
        return None
    text = st.text
    if "Statement" not in text:
        return None if st.holes else []
    text_value = cst.unescape(text) if isinstance(node, cst.Template) else text
    try:
        doc = json.loads(text_value.replace("$${", "${"))
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
        out.append(Stmt(
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
        ))
    return out


# ---- aws_iam_policy_document -------------------------------------------------------------


def _document_statements(ref: BlockRef) -> list[Stmt]:
    out = []
    for st in ref.block.find_blocks("statement"):
        effect_attr = st.get_attribute("effect")
        if effect_attr is None:
            effect: str | None = "Allow"
        else:
            known, value = literal(effect_attr.value)
            effect = value if known and isinstance(value, str) else None
        actions = st.get_attribute("actions") or st.get_attribute("not_actions")
        resources = st.get_attribute("resources") or st.get_attribute("not_resources")
        principals: list[tuple[str | None, cst.Node]] | None = []
        blocks = st.find_blocks("principals") + st.find_blocks("not_principals")
        for p in blocks:
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
            has_principal=bool(blocks),
            has_condition=bool(st.find_blocks("condition")),
        ))
    return out


# ---- entry points ------------------------------------------------------------------------


def statements_of(module: Module, ref: BlockRef, expr: cst.Node) -> list[Stmt] | None:
    """The statements of the policy that ``expr`` (a policy argument's value) holds:
    inline, or in a policy document it refers to. None when tffix cannot read it
    (templatefile, variables, file(), locals...)."""
    if isinstance(expr, cst.FunctionCall):
        stmts = _jsonencode_statements(expr)
        if stmts is None:
            return None
        return [_from_object(ref.file, ref, s) for s in stmts]
    if isinstance(expr, (cst.Template, cst.Heredoc)):
        target = module.resolve(expr) if isinstance(expr, cst.Template) else None
        if target is not None:
            return _resolved(module, target)
        return _json_statements(ref.file, ref, expr)
    if isinstance(expr, cst.Traversal):
        target = module.resolve(expr)
        return _resolved(module, target) if target is not None else None
    return None


def _resolved(module: Module, target: BlockRef) -> list[Stmt] | None:
    if target.address.startswith("data.aws_iam_policy_document."):
        if target.block.get_attribute("source_policy_documents") or target.block.get_attribute(
                "override_policy_documents") or target.block.find_blocks("dynamic"):
            return None
        return _document_statements(target)
    return None


def module_statements(module: Module) -> Iterator[Stmt]:
    """Every statement written anywhere in the module: jsonencode objects, JSON strings
    and heredocs, and policy documents (each once, where it is written)."""
    for ref in module.blocks():
        if ref.address.startswith("data.aws_iam_policy_document."):
            yield from _document_statements(ref)
            continue
        for node in ref.block.walk():
            if isinstance(node, cst.FunctionCall):
                stmts = _jsonencode_statements(node)
                if stmts:
                    for s in stmts:
                        yield _from_object(ref.file, ref, s)
            elif isinstance(node, (cst.Template, cst.Heredoc)):
                got = _json_statements(ref.file, ref, node)
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
