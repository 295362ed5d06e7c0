"""Reading resource arguments: literal values, numbers, nested settings, instance counts."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

from tffix import edit
from tffix.engine.module import BUILT_IN_ROOTS, BlockRef
from tffix.engine.rules import (
    Finding,
    Rule,
    literal,
)
from tffix.syntax import cst
from tffix.syntax.build import NewBlock

# nested blocks and arguments that Terraform's style guide puts last in a resource
META_BLOCKS = ("lifecycle", "provisioner", "connection")
META_ATTRIBUTES = ("depends_on",)


def truth(expr: cst.Node | None) -> tuple[bool, bool | None]:
    """``(True, value)`` for ``true``/``false``/``"true"``/``"false"`` and ``(True, None)``
    for ``null``; ``(False, None)`` for anything the rule cannot read."""
    known, value = literal(expr)
    if not known:
        return False, None
    if value is None:
        return True, None
    if value is True or value == "true":
        return True, True
    if value is False or value == "false":
        return True, False
    return False, None


def text(expr: cst.Node | None) -> tuple[bool, str | None]:
    """``(True, string)`` for a plain string literal, ``(True, None)`` for ``null``;
    ``(False, None)`` otherwise (a number counts as unknown too)."""
    known, value = literal(expr)
    if not known or not (value is None or isinstance(value, str)):
        return False, None
    return True, value


def attribute(block: cst.Block, name: str) -> cst.Attribute | None:
    """The argument ``name`` unless it is missing or a literal ``null`` (which Terraform
    treats like a missing argument)."""
    attr = block.get_attribute(name)
    if attr is None:
        return None
    known, value = literal(attr.value)
    return None if known and value is None else attr


def resource_reference(expr: cst.Node | None) -> bool:
    """True for a reference to another resource's or data source's attribute
    (``aws_kms_key.sns.arn``, ``"${data.aws_kms_key.k.arn}"``): never null once applied.
    Variables, locals, module outputs and conditionals may be null, so they are not."""
    expr = cst.sole_expression(expr)
    if not isinstance(expr, cst.Traversal):
        return False
    path = expr.path
    return len(path) >= 2 and path[0] not in ("var", "local", "module", *BUILT_IN_ROOTS)


def nested(block: cst.Block, name: str) -> tuple[list[cst.Block], list[cst.Block]]:
    """``(static, dynamic)``: the ``name { }`` blocks and the ``dynamic "name" { }`` blocks."""
    dynamic = [d for d in block.find_blocks("dynamic") if d.label_values[:1] == [name]]
    return block.find_blocks(name), dynamic


def content_attribute(dynamic: cst.Block, name: str) -> cst.Attribute | None:
    """An argument in a dynamic block's ``content { }`` (None when there is none)."""
    for content in dynamic.find_blocks("content"):
        return content.get_attribute(name)
    return None


def add_nested_block(block: cst.Block, new: NewBlock) -> cst.Block:
    """Append ``new`` to ``block``'s body, before the trailing meta-arguments."""
    items = block.body.items
    index = len(items)
    while index > 0:
        item = items[index - 1]
        if isinstance(item, cst.Block) and item.type in META_BLOCKS:
            index -= 1
        elif isinstance(item, cst.Attribute) and item.name in META_ATTRIBUTES:
            index -= 1
        else:
            break
    if index < len(items):
        return edit.append_block(block, new, before=items[index])
    return edit.append_block(block, new)


def setting_findings(
    rule: Rule, ref: BlockRef, owner: cst.Block, name: str, wanted: Any, *,
    read: Callable[[cst.Node | None], tuple[bool, Any]] = truth,
    ok: Callable[[Any], bool] | None = None,
    missing: tuple[str, str] | None, wrong: tuple[str, str] | None,
    where: str = "", after: str | tuple[str, ...] | None = None, why: str = "",
) -> Iterator[Finding]:
    """The findings for "``owner`` must set ``name = wanted``" (``owner`` is the resource
    block or one of its nested blocks):

    * missing (or ``null``): a fix that writes ``name = wanted`` with the ``missing``
      (safety, impact), or no fix when ``missing`` is None;
    * a literal ``ok`` rejects: a fix with the ``wrong`` (safety, impact), or no fix when
      ``wrong`` is None;
    * an expression: a finding without a fix.

    ``where`` names the nested block in messages (``"root_block_device"``), ``why`` ends
    the message of a wrong or missing value."""
    accept = ok or (lambda value: value == wanted)
    block = ref.block
    label = f"{ref.address}{' ' + where if where else ''}"
    shown = _show(wanted)
    tail = f": {why}" if why else ""
    attr = owner.get_attribute(name)
    known, value = read(attr.value) if attr is not None else (True, None)
    if not known:
        assert attr is not None
        top = owner is block  # a state keeps top-level values only
        yield rule.finding(ref.file, attr.value, f"{label} sets {name} from an expression; make sure it is {shown}",
                           block=block, argument=name if top else None,
                           live_ok=(lambda live: live is not None and accept(live)) if top else None)
        return
    if value is not None and accept(value):
        return
    case = missing if value is None else wrong
    if attr is None or value is None:
        what = f"does not set {name}" if attr is None else f"sets {name} = null"
    else:
        what = f"sets {name} = {attr.value.code.strip()}"
    message = f"{label} {what}{tail}"
    node = attr.value if attr is not None else owner
    argument = name if owner is block else None
    if case is None:
        yield rule.finding(ref.file, node, message, block=block, argument=argument)
        return
    safety, impact = case
    if after is None:
        after = _before_meta(owner)
    yield rule.finding(
        ref.file, node, message, block=block,
        fix=lambda o=owner: edit.set_attribute(o, name, wanted, after=after),
        description=f"set {name} = {shown}{' in ' + where if where else ''}", safety=safety, impact=impact,
        argument=argument,
    )


def _before_meta(owner: cst.Block) -> str | None:
    """Where a new argument goes when the body has ``depends_on`` among its leading
    arguments: after the last single-line argument above it, not after ``depends_on``."""
    leading: list[cst.Attribute] = []
    for item in owner.body.items:
        if isinstance(item, cst.Block):
            break
        leading.append(item)
    if not any(a.name in META_ATTRIBUTES for a in leading):
        return None
    for attr in reversed(leading):
        if attr.name not in META_ATTRIBUTES and "\n" not in attr.value.code:
            return attr.name
    return None


def dynamic_findings(
    rule: Rule, ref: BlockRef, dynamic: cst.Block, name: str, wanted: Any, *,
    missing: tuple[str, str] | None, wrong: tuple[str, str] | None, **kw: Any,
) -> Iterator[Finding]:
    """A ``dynamic "x"`` block counts as the nested block ``x`` being there: the rule never
    adds a second one. Its ``content`` is checked like a static block (same fixes, made in
    ``content``); a dynamic block without ``content`` is reported without a fix."""
    where = f'dynamic "{dynamic.label_values[0]}"'
    contents = dynamic.find_blocks("content")
    if not contents:
        yield rule.finding(ref.file, dynamic, f"{ref.address} {where} has no content block; it must set "
                           f"{name} = {_show(wanted)}", block=ref.block)
        return
    yield from setting_findings(rule, ref, contents[0], name, wanted, missing=missing, wrong=wrong,
                                where=where, **kw)


def _show(value: Any) -> str:
    if value is True:
        return "true"
    if value is False:
        return "false"
    if isinstance(value, str):
        return f'"{value}"'
    return str(value)


AZ_ARGUMENTS = ("availability_zone", "availability_zone_id")


def instances(block: cst.Block) -> int | None:
    """How many instances a resource has: 1, a literal count, the length of a literal
    for_each collection; None when an expression decides."""
    count = block.get_attribute("count")
    if count is not None:
        known, value = literal(count.value)
        return value if known and isinstance(value, int) else None
    each = block.get_attribute("for_each")
    if each is not None:
        value = each.value
        if isinstance(value, cst.FunctionCall) and value.name == "toset" and len(value.arguments) == 1:
            value = value.arguments[0]
        if isinstance(value, cst.Tuple):
            return len(value.items)
        if isinstance(value, cst.Object):
            return len(value.items)
        return None
    return 1


VALID_INTERVALS = (0, 1, 5, 10, 15, 30, 60)


def number(expr: cst.Node | None) -> tuple[bool, float | int | None]:
    """``(True, n)`` for a number literal or a numeric string (Terraform converts it),
    ``(True, None)`` for ``null``; ``(False, None)`` for anything else."""
    known, value = literal(expr)
    if not known or isinstance(value, bool):
        return False, None
    if value is None or isinstance(value, (int, float)):
        return True, value
    try:
        parsed = float(value)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        return False, None
    return True, int(parsed) if parsed.is_integer() else parsed
