"""Edits inside a quoted string or heredoc: replace spans of its text, keep the rest.

Offsets are those of ``tffix.syntax.strings.StringText`` (``source`` and ``text`` agree),
and the new text is template source, so it may bring its own ``${ }``. Everything not
replaced stays as written: the other interpolations, escapes, a heredoc's markers and the
indentation of its lines.
"""

from __future__ import annotations

from collections.abc import Iterable

from tffix.edit.body import replace_expression
from tffix.syntax import cst
from tffix.syntax.build import HCL, expression
from tffix.syntax.strings import StringText

__all__ = ["string_with", "replace_in_string"]

Span = tuple[int, int, str]  # (start, end, new template source)


def string_with(node: cst.Template | cst.Heredoc, edits: Iterable[Span]) -> cst.Expr:
    """A new string or heredoc: ``node`` with each ``(start, end)`` of its text replaced by
    the given source (spans must not overlap). ``node`` itself is left alone."""
    text = StringText(node).source
    for start, end, new in sorted(edits, reverse=True):
        text = text[:start] + new + text[end:]
    return expression(HCL(str(node.open) + text + node.close.pre + str(node.close)))


def replace_in_string(root: cst.Node, node: cst.Template | cst.Heredoc, edits: Iterable[Span]) -> cst.Expr:
    """Replace spans of the text of ``node`` (a string or heredoc under ``root``) in place;
    see ``string_with``. Returns the new node."""
    return replace_expression(root, node, string_with(node, edits))
