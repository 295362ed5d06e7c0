"""Who may assume a role: the principals its trust policy (``assume_role_policy``) allows.

A rule that narrows a role's permissions must know every user of the role; the trust policy
says who can be one. Read with the policy reader, in each form a trust policy is written.
"""

from __future__ import annotations

from tffix.engine.module import BlockRef, Module
from tffix.engine.rules import literal
from tffix.syntax import cst
from tffix.syntax.strings import HOLE, StringText
from tffix.transforms.lib.json_text import parse_json
from tffix.transforms.lib.policies import (
    Stmt,
    document_statements,
    json_document_statements,
    jsonencode_object,
    jsonencode_statements,
    texts,
)

__all__ = ["assume_principals"]

Principals = set[tuple[str, str]]


def assume_principals(module: Module, ref: BlockRef, expr: cst.Node) -> Principals | None:
    """The (type, principal) pairs that the trust policy ``expr`` (of the role ``ref``) lets
    assume the role, ``("Service", "vpc-flow-logs.amazonaws.com")``, type ``"*"`` for a bare
    ``Principal``; Deny statements left out. None when tffix cannot read them all."""
    doc = module.resolve(expr) if isinstance(expr, cst.Traversal) else None
    if doc is not None and doc.address.startswith("data.aws_iam_policy_document."):
        return _document(doc)
    obj = jsonencode_object(expr)
    if obj is not None:
        item = obj.get("Statement")
        if item is None:
            return set()
        if not isinstance(item.value, (cst.Object, cst.Tuple)):
            return None
        return _jsonencode(jsonencode_statements(ref.file, ref, expr, opaque=True) or [])
    if isinstance(expr, cst.Heredoc):
        return _heredoc(ref, expr)
    return None


def _document(doc: BlockRef) -> Principals | None:
    if doc.block.find_blocks("dynamic"):
        return None
    out: Principals = set()
    for stmt in document_statements(doc):
        if stmt.effect == "Deny":
            continue
        statement = stmt.written
        assert isinstance(statement, cst.Block)
        if statement.find_blocks("not_principals"):
            return None
        for p in statement.find_blocks("principals"):
            ptype = p.get_attribute("type")
            ids = p.get_attribute("identifiers")
            known, type_value = literal(ptype.value) if ptype else (False, None)
            values = texts(ids.value) if ids else None
            if not known or values is None or any(v is None or HOLE in v for v in values):
                return None
            out |= {(type_value, v) for v in values if v is not None}
    return out


def _jsonencode(stmts: list[Stmt]) -> Principals | None:
    out: Principals = set()
    for stmt in stmts:
        if stmt.opaque:
            return None
        if stmt.effect == "Deny":
            continue
        obj = stmt.written
        if obj.get("NotPrincipal") is not None:
            return None
        principal = obj.get("Principal")
        if principal is None:
            continue
        if not isinstance(principal.value, cst.Object):
            values = texts(principal.value)
            if values is None or any(v is None for v in values):
                return None
            out |= {("*", v) for v in values if v is not None}
            continue
        for p in principal.value.items:
            values = texts(p.value)
            if p.key_name is None or values is None or any(v is None or HOLE in v for v in values):
                return None
            out |= {(p.key_name, v) for v in values if v is not None}
    return out


def _heredoc(ref: BlockRef, heredoc: cst.Heredoc) -> Principals | None:
    st = StringText(heredoc)
    if st.has_directives:
        return None
    try:
        root = parse_json(st.text)
    except ValueError:
        return None
    out: Principals = set()
    for stmt in json_document_statements(ref.file, ref, root, where=heredoc, text=st, source=st.source):
        written = stmt.written
        effect = written.member("Effect")
        if effect is not None and effect[1].value == "Deny":
            continue
        if written.member("NotPrincipal") is not None:
            return None
        principal = written.member("Principal")
        if principal is None:
            continue
        value = principal[1]
        pairs = [("*", value)] if value.kind != "object" else [(k, v) for k, v, _s, _e in value.members]
        for key, v in pairs:
            items = v.items if v.kind == "array" else [v]
            if any(i.kind != "string" or HOLE in i.value for i in items):
                return None
            out |= {(key, i.value) for i in items}
    return out
