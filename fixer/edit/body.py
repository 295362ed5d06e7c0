"""Edits of bodies and object constructors: find, get, set and remove attributes, add and
remove blocks, replace expressions, set object items.

An *owner* is a ``File`` or a ``Block`` (whatever has a body).
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from functools import lru_cache

from tffix.syntax import cst
from tffix.syntax.build import NewBlock, Value, _key, block_node, copy_node, render
from tffix.syntax.layout import (
    INDENT,
    align_chain,
    align_comments,
    chain_bounds,
    in_chain,
    indent_of,
    reindent,
)
from tffix.syntax.lexer import Token
from tffix.syntax.parser import parse

__all__ = [
    "find_blocks", "get_attribute", "set_attribute", "remove_attribute", "append_block",
    "remove_block", "replace_expression", "set_object_item", "value_node",
]

Owner = cst.File | cst.Block


def find_blocks(owner: Owner, type: str | None = None, *labels: str) -> list[cst.Block]:
    """Blocks directly in ``owner``'s body with this type and these leading labels."""
    return owner.find_blocks(type, *labels)


def get_attribute(owner: Owner, name: str) -> cst.Attribute | None:
    return owner.get_attribute(name)


def _newline_of(owner: Owner) -> str:
    if isinstance(owner, cst.File):
        return owner.newline
    for tok in owner.tokens():
        if tok.type == "NL" and tok:
            return str(tok)
    return owner.newline if owner.newline else "\n"


def _owner_indent(owner: Owner) -> str:
    return "" if isinstance(owner, cst.File) else indent_of(owner.type_token)


def _child_indent(owner: Owner) -> str:
    for item in owner.body.items:
        return indent_of(item.first_token() if isinstance(item, cst.Block) else item.name_token)
    return _owner_indent(owner) + ("" if isinstance(owner, cst.File) else INDENT)


def _nl(newline: str, pre: str = "") -> Token:
    return Token.make("NL", newline, pre)


def _ensure_multiline(owner: Owner) -> None:
    """Open a one-line block (``x { a = 1 }`` or ``x {}``) onto several lines."""
    if not isinstance(owner, cst.Block) or not owner.is_one_line:
        return
    newline = _newline_of(owner)
    indent = _owner_indent(owner) + INDENT
    owner.lbrace.pre = " " if owner.lbrace.pre == "" and owner.labels else owner.lbrace.pre or " "
    owner.open_newline = _nl(newline)
    for item in owner.body.items:
        item.first_token().pre = indent
        item.newline = _nl(newline, item.newline.pre if item.newline is not None else "")
    owner.rbrace.pre = _owner_indent(owner)


def _take_over_missing_newline(last: cst.Attribute | cst.Block, newline: str) -> bool:
    """Before appending after ``last``: if it ended the file without a final
    newline, give it one and tell the caller to end the new item that way."""
    if last.newline is not None and last.newline == "":
        last.newline = _nl(newline, last.newline.pre)
        return True
    return False


def _realign(items: Sequence, index: int) -> None:
    done = (0, 0)  # the chain aligned last: its members' chain is that one (aligned once)
    for i in (index - 1, index, index + 1):
        if 0 <= i < len(items) and not done[0] <= i < done[1]:
            lo, hi = chain_bounds(items, i)
            align_chain(items, lo, hi)
            done = (lo, hi)
    if 0 <= index < len(items):
        align_comments(items, index)


def _unchained(item: cst.Attribute | cst.ObjectItem) -> None:
    """A value that now spreads over several lines leaves its alignment chain:
    one space before ``=``, as fmt writes it."""
    if item.eq.type == "EQ" and not in_chain(item):
        item.eq.pre = " "


def value_node(value: Value, indent: str, newline: str) -> cst.Expr:
    """A new expression node for ``value``, its continuation lines indented by ``indent``."""
    text = render(value)
    if newline != "\n":
        text = text.replace("\n", newline)
    try:
        node = copy_node(_parsed_value(f"x = {text}{newline}"))
    except RecursionError:  # nesting deeper than Python's stack: a parse of its own
        node = _value_of(f"x = {text}{newline}")
    node.first_token().pre = " "
    reindent(node, indent)
    return node


def _value_of(source: str) -> cst.Expr:
    return cst.unplaced(parse(source).body.items[0].value)


@lru_cache(maxsize=256)
def _parsed_value(source: str) -> cst.Expr:
    """The value of ``source`` (``x = ...``) parsed, never handed out (``value_node``
    gives copies: rules write the same values for many findings)."""
    return _value_of(source)


def _insert_position(items: list, after: str | Sequence[str] | None) -> int:
    names = [after] if isinstance(after, str) else list(after or ())
    for name in names:
        for i, item in enumerate(items):
            if isinstance(item, cst.Attribute) and item.name == name:
                return i + 1
    first_block = next((i for i, it in enumerate(items) if isinstance(it, cst.Block)), len(items))
    attrs = [i for i in range(first_block) if isinstance(items[i], cst.Attribute)]
    for i in reversed(attrs):  # the last single-line one (in_chain reads an item's lines: from the end)
        if in_chain(items[i]):
            return i + 1
    return attrs[-1] + 1 if attrs else 0


def set_attribute(owner: Owner, name: str, value: Value, *, after: str | Sequence[str] | None = None) -> cst.Attribute:
    """Set ``name = value`` in ``owner``'s body.

    An existing attribute keeps its place, comments and name; only its value
    changes. A new one goes after the attribute named by ``after`` (the first
    that exists), else after the last single-line attribute before the first
    nested block, and joins that chain's alignment.
    """
    newline = _newline_of(owner)
    items = owner.body.items
    existing = get_attribute(owner, name)
    if existing is not None:
        indent = indent_of(existing.name_token)
        new_value = value_node(value, indent, newline)
        new_value.first_token().pre = existing.value.first_token().pre or " "
        existing.value = new_value
        _unchained(existing)
        _realign(items, items.index(existing))
        return existing
    _ensure_multiline(owner)
    indent = _child_indent(owner)
    pos = _insert_position(items, after)
    attr = cst.Attribute([], Token.make("IDENT", name, indent), Token.make("EQ", "=", " "),
                         value_node(value, indent, newline), _nl(newline))
    if pos == len(items) and items and _take_over_missing_newline(items[-1], newline):
        attr.newline = _nl("")
    items.insert(pos, attr)
    following = items[pos + 1] if pos + 1 < len(items) else None
    if isinstance(following, cst.Block) and not following.leading:
        following.leading.insert(0, _nl(newline))
    _realign(items, pos)
    return attr


def remove_attribute(owner: Owner, name: str) -> cst.Attribute | None:
    """Remove ``name`` with its same-line comment and the comment lines above it.
    A blank line that separated it from the item above stays."""
    attr = get_attribute(owner, name)
    if attr is None:
        return None
    _remove_item(owner, attr)
    return attr


def _position(items: list, node: object) -> int:  # type: ignore[type-arg]
    """Where ``node`` is in ``items``: ``list.index`` compares nodes by identity (they have
    no ``__eq__``), in C; StopIteration when it is not there, as the scan it replaces."""
    try:
        return items.index(node)
    except ValueError:
        raise StopIteration from None


def remove_block(owner: Owner, block: cst.Block) -> None:
    _remove_item(owner, block)


def _remove_item(owner: Owner, item: cst.Attribute | cst.Block) -> None:
    items = owner.body.items
    index = _position(items, item)
    del items[index]
    if isinstance(owner, cst.Block) and owner.is_one_line and not items:
        owner.rbrace.pre = ""  # `x { a = 1 }` becomes `x {}`, as fmt writes it
    blank = [t for t in item.leading if t.pre.strip() == ""][:1]
    if index < len(items):
        nxt = items[index]
        if index == 0:
            while nxt.leading and nxt.leading[0].pre.strip() == "":
                nxt.leading.pop(0)
        elif blank and not (nxt.leading and nxt.leading[0].pre.strip() == ""):
            nxt.leading.insert(0, blank[0])
    elif item.newline is not None and item.newline == "" and items:
        items[-1].newline = Token.make("NL", "", items[-1].newline.pre if items[-1].newline else "")
    if index - 1 >= 0:
        _realign(items, index - 1)
    if index < len(items):
        _realign(items, index)


def append_block(owner: Owner, block: NewBlock, *, after: cst.Block | cst.Attribute | None = None,
                 before: cst.Block | cst.Attribute | None = None) -> cst.Block:
    """Add a block to ``owner``'s body: after ``after`` or before ``before`` if
    given (not both), else at the end. A blank line separates it from the items
    around it; comment lines above ``before`` stay with ``before``."""
    if after is not None and before is not None:
        raise ValueError("give after or before, not both")
    _ensure_multiline(owner)
    newline = _newline_of(owner)
    items = owner.body.items
    node = block_node(block, _child_indent(owner), newline)
    if before is not None:
        pos = _position(items, before)
    else:
        pos = len(items) if after is None else _position(items, after) + 1
    if pos > 0:
        node.leading = [_nl(newline)]
        if pos == len(items) and _take_over_missing_newline(items[-1], newline):
            node.newline = _nl("")
    if pos < len(items):
        nxt = items[pos]
        if not (nxt.leading and nxt.leading[0].pre.strip() == ""):
            nxt.leading.insert(0, _nl(newline))
    items.insert(pos, node)
    return node


def _parents(root: cst.Node) -> Iterator[tuple[cst.Node, str, int | None, object]]:
    """(parent, field, list index or None, child) for every child node under root."""
    for node in root.walk():
        for name in node._fields:
            value = getattr(node, name)
            if isinstance(value, list):
                for i, child in enumerate(value):
                    if isinstance(child, cst.Node):
                        yield node, name, i, child
            elif isinstance(value, cst.Node):
                yield node, name, None, value


def replace_expression(root: cst.Node, old: cst.Expr, new: Value) -> cst.Expr:
    """Replace the expression ``old`` (somewhere under ``root``) with ``new``,
    keeping the spacing before it. Multi-line values are indented to match the
    line they land on."""
    newline = root.newline if isinstance(root, cst.File) else "\n"
    item_indent = ""
    for parent, name, index, child in _parents(root):
        if isinstance(parent, (cst.Attribute, cst.ObjectItem)):
            item_indent = indent_of(parent.first_token() if isinstance(parent, cst.ObjectItem) else parent.name_token)
        if child is old:
            node = value_node(new, item_indent, newline)
            node.first_token().pre = old.first_token().pre
            if index is None:
                setattr(parent, name, node)
            else:
                getattr(parent, name)[index] = node
            return node
    raise ValueError("expression not found under the given root")


def set_object_item(obj: cst.Object, key: str, value: Value) -> cst.ObjectItem:
    """Set ``key = value`` in an object constructor, keeping its layout: an
    existing item changes value; a new one is appended on its own line (or
    inline for a one-line object) and joins the alignment of its chain."""
    newline = next((str(t) for t in obj.tokens() if t.type == "NL" and t), "\n")
    item = obj.get(key)
    indent = indent_of(item.key.first_token()) if item is not None else ""
    if item is not None:
        node = value_node(value, indent, newline)
        node.first_token().pre = item.value.first_token().pre or " "
        item.value = node
        _unchained(item)
        _realign(obj.items, obj.items.index(item))
        return item
    multiline = obj.open_newline is not None or any(it.newline is not None and "\n" in it.newline for it in obj.items)
    if multiline:
        if obj.items:
            indent = indent_of(obj.items[0].key.first_token())
        else:
            indent = indent_of(obj.rbrace) + INDENT
    text = f"{_key(key)} = {render(value)}"
    parsed = parse(f"x = {{\n{text}\n}}\n").body.items[0].value
    new_item = cst.unplaced(parsed.items[0])
    new_item.leading = []
    reindent(new_item.value, indent)
    new_item.key.first_token().pre = indent if multiline else " "
    if multiline:
        new_item.newline = _nl(newline)
        if obj.items:
            last = obj.items[-1]
            if last.newline is None:
                last.newline = _nl(newline)
        if obj.open_newline is None and not obj.items:
            obj.open_newline = _nl(newline)
    else:
        new_item.newline = None
        if obj.items:
            last = obj.items[-1]
            if last.comma is None:
                last.comma = Token.make("COMMA", ",")
        elif obj.rbrace.pre == "":
            obj.rbrace.pre = " "  # `{}` becomes `{ k = v }`, as fmt writes it
    obj.items.append(new_item)
    _realign(obj.items, len(obj.items) - 1)
    return new_item

