"""The text of a quoted string or heredoc, its interpolation holes, and where each offset is.

Rules read strings for what is written in them (ARNs, JSON policies, image tags), and need
to know which parts are literal text and which are ``${ }`` / ``%{ }`` sequences, and to
point a finding at an offset inside the string (a word in a heredoc has no node of its own).
One reader does this, so rules never walk the tokens a string is cut into.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import NamedTuple

from tffix.syntax import cst

__all__ = ["HOLE", "Hole", "Position", "StringText", "string_text", "literal_texts"]

HOLE = "\ue000"  # stands for the characters of a sequence in ``StringText.text``


class Position(NamedTuple):
    """A place in a file that no single node marks (a word inside a string, a line
    of a file): 1-based line and column, like a node's."""

    line: int
    column: int


class Hole(NamedTuple):
    """A ``${ }`` or ``%{ }`` sequence of a string: its span in the text, and its node."""

    start: int
    end: int
    node: cst.Node


class StringText:
    """What a ``Template`` (quoted string) or ``Heredoc`` holds, between its quotes or markers.

    * ``source``: the text as written (escapes as written, sequences as their source);
    * ``text``: the same with every character of a sequence replaced by ``HOLE``, so an
      offset means the same place in both;
    * ``holes``: the sequences, in order; ``runs``: the ``(start, end)`` of the literal
      pieces (between holes, and cut after each newline);
    * ``value()``: the literal text with one ``HOLE`` per sequence, escapes of a quoted
      string decoded (a heredoc's text is as written);
    * ``position(offset)``: where an offset is in the file.

    Only the string's own parts count: text inside a ``%{ if }`` is part of its hole.
    """

    __slots__ = ("node", "source", "text", "holes", "runs", "_starts")

    def __init__(self, node: cst.Template | cst.Heredoc) -> None:
        self.node = node
        source: list[str] = []
        text: list[str] = []
        self.holes: list[Hole] = []
        self.runs: list[tuple[int, int]] = []
        self._starts: list[tuple[int, cst.Token]] = []  # offset of each part's first token
        pos = 0
        for part in node.parts:
            if isinstance(part, cst.Token):
                piece = part.pre + part
                self.runs.append((pos + len(part.pre), pos + len(piece)))
                self._starts.append((pos + len(part.pre), part))
                text.append(piece)
            else:
                piece = part.code
                self.holes.append(Hole(pos, pos + len(piece), part))
                self._starts.append((pos, part.first_token()))
                text.append(HOLE * len(piece))
            source.append(piece)
            pos += len(piece)
        self.source = "".join(source)
        self.text = "".join(text)

    @property
    def has_directives(self) -> bool:
        """True when a ``%{ if }`` or ``%{ for }`` makes the text depend on values."""
        return any(not isinstance(h.node, cst.Interpolation) for h in self.holes)

    def value(self) -> str:
        """The literal text, one ``HOLE`` per sequence; a quoted string's escapes decoded."""
        quoted = isinstance(self.node, cst.Template)
        out: list[str] = []
        for part in self.node.parts:
            if isinstance(part, cst.Token):
                out.append(cst.unescape(str(part)) if quoted else str(part))
            else:
                out.append(HOLE)
        return "".join(out)

    def position(self, offset: int) -> Position | None:
        """The line and column of ``offset`` (into ``source`` / ``text``); None for a
        string built by an edit (no position yet)."""
        start, tok = 0, None
        for s, t in self._starts:
            if s > offset:
                break
            start, tok = s, t
        if tok is None:  # before the first part: right after the opening quote / line
            open_ = self.node.open
            if open_.line is None:
                return None
            if isinstance(self.node, cst.Heredoc):
                return Position(open_.line + 1, 1 + offset)
            return Position(open_.line, open_.column + len(open_) + offset)
        if tok.line is None:
            return None
        before = self.source[start:offset]
        newlines = before.count("\n")
        if newlines:
            return Position(tok.line + newlines, len(before) - before.rfind("\n"))
        return Position(tok.line, tok.column + len(before))


def string_text(node: cst.Node) -> StringText | None:
    """The ``StringText`` of a quoted string or heredoc; None for any other node."""
    if isinstance(node, (cst.Template, cst.Heredoc)):
        return StringText(node)
    return None


def literal_texts(node: cst.Node) -> Iterator[str]:
    """The literal text, as written, of every quoted string and heredoc under ``node``
    (in interpolations and template directives too), piece by piece as ``StringText.runs``
    cuts it: where a rule looks for a value written in a string, and never in a comment."""
    for n in node.walk():
        if isinstance(n, (cst.Template, cst.Heredoc, cst.TemplateFor)):
            groups = [n.parts]
        elif isinstance(n, cst.TemplateIf):
            groups = [n.then_parts or [], n.else_parts or []]
        else:
            continue
        for parts in groups:
            yield from (str(p) for p in parts if isinstance(p, cst.Token))
