"""What an IAM role of the module is allowed: the statements of every policy attached to it.

Reads only; it never writes a role or a policy.
"""

from __future__ import annotations

import fnmatch
from collections.abc import Callable

from tffix.engine.module import BlockRef, Module
from tffix.syntax import cst
from tffix.transforms.lib.policies import Stmt, statements_of


def role_policies(module: Module, role: BlockRef) -> tuple[list[Stmt], list[str], bool]:
    """``(statements, managed, complete)`` of the role: the statements of its inline policies
    (``inline_policy``, ``aws_iam_role_policy``) and of the module's ``aws_iam_policy`` attached to it
    (``aws_iam_role_policy_attachment``, ``aws_iam_policy_attachment``); the code of the other
    attached policy ARNs and of ``managed_policy_arns`` (AWS managed policies, named literally);
    ``complete`` is False when a policy could not be read."""
    stmts: list[Stmt] = []
    managed: list[str] = []
    complete = True

    def add(found: list[Stmt] | None) -> None:
        nonlocal complete
        if found is None:
            complete = False
        else:
            stmts.extend(found)

    arns = role.block.get_attribute("managed_policy_arns")
    if arns is not None:
        managed.append(arns.value.code)
    for inline in role.block.find_blocks("inline_policy"):
        policy = inline.get_attribute("policy")
        if policy is not None:
            add(statements_of(module, role, policy.value))
    for ref in module.resources("aws_iam_role_policy_attachment", "aws_iam_role_policy", "aws_iam_policy_attachment"):
        kind = ref.block.label_values[0]
        target = ref.block.get_attribute("roles" if kind == "aws_iam_policy_attachment" else "role")
        if target is None:
            continue
        values = target.value.items if isinstance(target.value, cst.Tuple) else [target.value]
        if not any(module.resolve(v) == role for v in values):
            continue
        if kind == "aws_iam_role_policy":
            policy = ref.block.get_attribute("policy")
            add(statements_of(module, ref, policy.value) if policy is not None else None)
            continue
        arn = ref.block.get_attribute("policy_arn")
        if arn is None:
            continue
        target_policy = module.resolve(arn.value)
        if target_policy is not None and target_policy.address.startswith("aws_iam_policy."):
            doc = target_policy.block.get_attribute("policy")
            add(statements_of(module, target_policy, doc.value) if doc is not None else None)
        elif isinstance(arn.value, cst.Template) and arn.value.is_literal or "iam::aws:policy/" in arn.value.code:
            managed.append(arn.value.code)
        else:
            complete = False
    return stmts, managed, complete


def _resources(stmt: Stmt) -> list[tuple[str | None, cst.Node | None]] | None:
    """The statement's resources as (literal text or None, node); a lone reference
    (``Resource = aws_sqs_queue.q.arn``) is read from how the statement is written."""
    if stmt.resources is not None:
        return [(v, n if isinstance(n, cst.Node) else None) for v, n in stmt.resources]
    written = stmt.written
    node: cst.Node | None = None
    if isinstance(written, cst.Object):
        node = next((i.value for i in written.items if i.key_name == "Resource"), None)
    elif isinstance(written, cst.Block):
        attr = written.get_attribute("resources")
        node = attr.value if attr is not None else None
    if node is None:
        return None
    return [(None, item) for item in (node.items if isinstance(node, cst.Tuple) else [node])]


def allows(stmts: list[Stmt], action: str, resource_ok: Callable[[cst.Node | None], bool]) -> bool | None:
    """True when an Allow statement grants ``action`` on ``"*"`` or on a resource whose node
    ``resource_ok`` accepts; None when a statement that might grant it cannot be read; else False."""
    unknown = False
    for stmt in stmts:
        if stmt.effect is None or stmt.actions is None:
            unknown = True
            continue
        if stmt.effect != "Allow" or stmt.not_action or stmt.has_condition:
            continue
        values = [v for v, _ in stmt.actions]
        if None in values:
            unknown = True
        if not any(v is not None and fnmatch.fnmatchcase(action.lower(), v.lower()) for v in values):
            continue
        resources = _resources(stmt)
        if resources is None:
            unknown = True
            continue
        if any(r == "*" or resource_ok(n) for r, n in resources):
            return True
    return None if unknown else False
