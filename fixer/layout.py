"""Terraform's layout rules, as hclwrite's formatter applies them.

One implementation, used by the edit API (so inserted code looks like
``terraform fmt`` output) and by the formatter.

* Indentation is two spaces per nesting level.
* ``=`` is aligned across an *assignment chain*: consecutive lines that each
  hold a whole ``name = value`` (the value's brackets balance on that line; a
  heredoc counts as one line). A blank line, a comment line, a block, or a
  value spread over several lines ends the chain. The ``=`` goes one space
  after the longest name (counted in characters) in the chain.
* Same-line comments are aligned across consecutive lines that have one, one
  space after the longest line before them.

Inside a body or an object constructor, the lines of a chain are consecutive
items, so chains are computed over a list of items (``Attribute`` or
``ObjectItem``). An item with lines above it (``leading``) starts a new chain.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from . import cst
from .lexer import Token

__all__ = ["INDENT", "indent_of", "in_chain", "chain_bounds", "align_chain", "align_comments", "reindent"]

INDENT = "  "

AlignItem = cst.Attribute | cst.ObjectItem | cst.Block


def indent_of(tok: Token) -> str:
    """The indentation carried by a token that starts a line."""
    pre = tok.pre
    i = max(pre.rfind("\n"), pre.rfind("*/"))
    tail = pre[i + 1 :] if i >= 0 else pre
    return tail if tail.strip(" \t") == "" else ""


_BLOCK_COMMENT = re.compile(r"/\*.*?\*/", re.S)


def _spans_lines(node: cst.Node) -> bool:
    """Whether a value reaches past its first line, heredoc bodies excepted.
    A newline inside a ``/* */`` comment does not end the line (hclwrite
    splits lines on newline tokens, and such a comment is one token)."""
    in_heredoc = 0
    for tok in node.tokens():
        if "\n" in tok.pre and "\n" in _BLOCK_COMMENT.sub("", tok.pre):
            return True
        if tok.type == "OHEREDOC":
            in_heredoc += 1
        elif tok.type == "CHEREDOC":
            in_heredoc -= 1
        elif "\n" in tok and not in_heredoc and tok.type != "HLIT":
            return True
    return False


def in_chain(item: AlignItem) -> bool:
    """Does the item's line take part in ``=`` alignment?"""
    if isinstance(item, cst.Block):
        return False
    if isinstance(item, cst.ObjectItem) and (item.eq.type != "EQ" or _spans_lines(item.key)):
        return False
    return not _spans_lines(item.value)


def chain_bounds(items: Sequence[AlignItem], index: int) -> tuple[int, int]:
    """``[lo, hi)``: the chain holding ``items[index]`` (empty if it has none)."""
    if not (0 <= index < len(items)) or not in_chain(items[index]):
        return index, index
    lo = index
    while lo > 0 and not items[lo].leading and in_chain(items[lo - 1]) and _on_own_line(items[lo - 1]):
        lo -= 1
    hi = index + 1
    while hi < len(items) and not items[hi].leading and in_chain(items[hi]) and _on_own_line(items[hi - 1]):
        hi += 1
    return lo, hi


def _on_own_line(item: AlignItem) -> bool:
    return item.newline is not None and "\n" in item.newline


def _lead_width(item: AlignItem) -> int:
    if isinstance(item, cst.Attribute):
        return len(indent_of(item.name_token)) + len(item.name_token)
    key = item.key.code
    return len(indent_of(item.key.first_token())) + len(key.lstrip(" \t"))


def align_chain(items: Sequence[AlignItem], lo: int, hi: int) -> None:
    """Set the spaces before ``=`` on ``items[lo:hi]`` the way fmt would."""
    if hi - lo < 1:
        return
    width = max(_lead_width(items[i]) for i in range(lo, hi))
    for i in range(lo, hi):
        items[i].eq.pre = " " * (width - _lead_width(items[i]) + 1)


def _line_width(item: AlignItem) -> int:
    text = item.code
    for tok in item.leading:
        text = text[len(tok.pre) + len(tok) :]
    text = text[: len(text) - len(item.newline.pre) - len(item.newline)] if item.newline is not None else text
    return len(text.rstrip(" \t"))


def align_comments(items: Sequence[AlignItem], index: int) -> None:
    """Align the same-line comments of the run of consecutive single-line
    items around ``items[index]`` that all have one."""

    def has_comment(i: int) -> bool:
        item = items[i]
        return (
            not isinstance(item, cst.Block)
            and item.newline is not None
            and item.newline.pre.strip() != ""
            and not _spans_lines(item.value)
            and "\n" in item.newline
        )

    if not (0 <= index < len(items)) or not has_comment(index):
        return
    lo = index
    while lo > 0 and not items[lo].leading and has_comment(lo - 1):
        lo -= 1
    hi = index + 1
    while hi < len(items) and not items[hi].leading and has_comment(hi):
        hi += 1
    widths = {i: _line_width(items[i]) for i in range(lo, hi)}
    col = max(widths.values())
    for i in range(lo, hi):
        items[i].newline.pre = " " * (col - widths[i] + 1) + items[i].newline.pre.strip(" \t")


def reindent(node: cst.Node, indent: str) -> None:
    """Shift every continuation line of ``node`` right by ``indent`` (used
    when a snippet written at column 0 is placed inside a nested body).
    Heredoc bodies are left alone: their text is their value."""
    if not indent:
        return
    prev: Token | None = None
    heredoc_depth = 0
    for tok in node.tokens():
        if "\n" in tok.pre:
            lines = tok.pre.split("\n")
            tok.pre = "\n".join([lines[0]] + [indent + ln if ln.strip() else ln for ln in lines[1:]])
        elif prev is not None and prev.endswith("\n") and not heredoc_depth:
            blank_line = tok.type == "NL" and tok.pre.strip() == ""
            if not blank_line:
                tok.pre = indent + tok.pre
        if tok.type == "OHEREDOC":
            heredoc_depth += 1
        elif tok.type == "CHEREDOC":
            heredoc_depth -= 1
        prev = tok
