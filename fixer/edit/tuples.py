"""Edits of lists (tuple constructors), each in the list's own layout.

A list is written on one line or one element per line, with or without a comma after the
last element; new elements and new lists follow the style of the list they join or sit
next to, so a rule never writes brackets, commas or indentation itself.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from tffix.edit.body import Owner, set_attribute, set_object_item, value_node
from tffix.edit.copies import snippet
from tffix.syntax import cst
from tffix.syntax.build import HCL, Value, render_list
from tffix.syntax.layout import INDENT, indent_of
from tffix.syntax.lexer import Token

__all__ = ["append_tuple_item", "remove_tuple_items", "list_value", "set_list", "wrap_in_list"]


def append_tuple_item(tup: cst.Tuple, value: Value) -> cst.Expr:
    """Append ``value`` to a tuple constructor in the tuple's own style: one
    element per line (``[\\n  a,\\n  b,\\n]``) gets a new line, keeping a
    trailing comma if there was one; hugging brackets (``[{ ... }]``) get
    ``}, {`` on the closing line of the last element."""
    items = tup.items
    newline = next((str(t) for t in tup.tokens() if t.type == "NL" and t), "\n")
    if not items:
        node = value_node(value, indent_of(tup.rbrack), newline)
        node.first_token().pre = ""
        tup.elements.append(node)
        return node
    first_pre = items[0].first_token().pre
    trailing_comma = isinstance(tup.elements[-1], Token)
    if "\n" in first_pre:  # one element per line
        indent = first_pre[first_pre.rfind("\n") + 1:]
        node = value_node(value, indent, newline)
        node.first_token().pre = newline + indent
    else:
        last = items[-1]
        toks = list(last.tokens())
        closing = toks[-1]
        starts_line = "\n" in closing.pre or (len(toks) > 1 and toks[-2].endswith("\n"))
        base = indent_of(closing) if starts_line else ""
        if starts_line:
            # `}, {` nets no bracket, so fmt indents it like the lines inside
            closing.pre = closing.pre[: closing.pre.rfind("\n") + 1] + base + INDENT
        node = value_node(value, base, newline)
        node.first_token().pre = " "
    if not trailing_comma:
        tup.elements.append(Token.make("COMMA", ","))
    tup.elements.append(node)
    if trailing_comma:
        tup.elements.append(Token.make("COMMA", ","))
    return node


def remove_tuple_items(tup: cst.Tuple, drop: Iterable[cst.Expr]) -> None:
    """Remove elements (by identity) from a tuple constructor with their
    commas, leaving the layout of the others as it was."""
    doomed = {id(e) for e in drop}
    elements = tup.elements
    i = 0
    while i < len(elements):
        el = elements[i]
        if isinstance(el, Token) or id(el) not in doomed:
            i += 1
            continue
        if i + 1 < len(elements) and isinstance(elements[i + 1], Token):
            del elements[i : i + 2]  # the element and the comma after it
        else:
            del elements[i]
            if i > 0 and isinstance(elements[i - 1], Token):
                del elements[i - 1]  # the last element: drop the comma before it
                i -= 1
    if not tup.items:
        tup.elements.clear()
        tup.rbrack.pre = ""


def _multiline(tup: cst.Node | None) -> bool:
    return isinstance(tup, cst.Tuple) and "\n" in tup.code


def _trailing_comma(tup: cst.Tuple) -> bool:
    return bool(tup.elements) and isinstance(tup.elements[-1], Token)


def list_value(items: Sequence[Value], like: cst.Node | None = None) -> HCL:
    """A list of ``items`` laid out like the list ``like``: one element per line (with a
    comma after the last one if ``like`` has one) when ``like`` spreads over several lines,
    else on one line (also when ``like`` is not a list)."""
    multiline = _multiline(like)
    comma = multiline and _trailing_comma(like)  # type: ignore[arg-type]
    return HCL(render_list(items, multiline=multiline, trailing_comma=comma))


def _item(owner: Owner | cst.Object, name: str) -> cst.Attribute | cst.ObjectItem | None:
    return owner.get(name) if isinstance(owner, cst.Object) else owner.get_attribute(name)


def _set(owner: Owner | cst.Object, name: str, value: Value) -> cst.Attribute | cst.ObjectItem:
    if isinstance(owner, cst.Object):
        return set_object_item(owner, name, value)
    return set_attribute(owner, name, value)


def set_list(owner: Owner | cst.Object, name: str, items: Sequence[Value], *, like: cst.Node | None = None
             ) -> cst.Attribute | cst.ObjectItem:
    """Set the argument (or object item) ``name`` to a list of ``items`` in the layout of
    ``like`` (by default the value it has now: see ``list_value``)."""
    if like is None:
        current = _item(owner, name)
        like = current.value if current is not None else None
    return _set(owner, name, list_value(items, like))


def wrap_in_list(owner: Owner | cst.Object, name: str) -> cst.Tuple:
    """Make the value of ``name`` the one element of a list hugging it (``x = { ... }``
    becomes ``x = [{ ... }]``, as fmt writes a list of objects); return the list, ready
    for ``append_tuple_item``."""
    item = _item(owner, name)
    if item is None:
        raise ValueError(f"no {name} to wrap")
    wrapped = _set(owner, name, HCL("[" + snippet(item.value, within=item) + "]")).value
    assert isinstance(wrapped, cst.Tuple)
    return wrapped
