"""Copying code to another place: a node's source as a snippet written at column 0, and the
same-line comment that travels with an item when it moves.

A copy is placed with the other edits (``set_attribute``, ``NewBlock`` bodies, ...), which
indent it for where it lands; what it drops here is the indentation of where it was.
"""

from __future__ import annotations

from tffix.syntax import cst
from tffix.syntax.build import HCL
from tffix.syntax.layout import indent_of

__all__ = ["snippet", "take_comment"]

Item = cst.Attribute | cst.ObjectItem | cst.Block


def _line_start(item: Item) -> cst.Token:
    if isinstance(item, cst.Attribute):
        return item.name_token
    if isinstance(item, cst.Block):
        return item.type_token
    return item.key.first_token()


def snippet(node: cst.Node, within: Item | None = None) -> HCL:
    """``node``'s source as an HCL snippet at column 0: its continuation lines lose the
    indentation of the line of ``within`` (the attribute, object item or block that holds
    it); without ``within`` they stay as they are."""
    indent = indent_of(_line_start(within)) if within is not None else ""
    lines = node.code.lstrip().split("\n")
    rest = [ln[len(indent):] if ln.startswith(indent) else ln.lstrip(" \t") for ln in lines[1:]]
    return HCL("\n".join([lines[0], *rest]))


def take_comment(item: cst.Attribute | cst.ObjectItem) -> str:
    """Remove the same-line ``#`` / ``//`` comment of ``item`` and return it with a space
    before it, to end the snippet of a copy that takes the comment along (``Resource = "*"
    # Describe needs it`` split in two keeps the note on the ``"*"``); '' when there is none."""
    newline = item.newline
    comment = newline.pre.strip() if newline is not None else ""
    if not comment.startswith(("#", "//")) or "\n" in comment:
        return ""
    newline.pre = ""  # type: ignore[union-attr]
    return " " + comment
