"""Positions in a text, the way tffix counts them and the way LSP does.

tffix reports 1-based lines (ended by ``\\n``) and 1-based columns in code
points; its edits are code-point offsets. LSP positions are 0-based lines
(ended by ``\\r\\n``, ``\\n`` or ``\\r``) and characters counted in the
negotiated encoding's code units (UTF-16 unless the client offers another).
Pure functions, no LSP library needed.
"""

from __future__ import annotations

import bisect
import re

__all__ = ["LineIndex", "UTF8", "UTF16", "UTF32"]

UTF8, UTF16, UTF32 = "utf-8", "utf-16", "utf-32"

_LSP_BREAK = re.compile(r"\r\n|\n|\r")


def _units(text: str, encoding: str) -> int:
    if encoding == UTF32:
        return len(text)
    if encoding == UTF8:
        return len(text.encode("utf-8", "surrogatepass"))
    return len(text) + sum(1 for c in text if ord(c) > 0xFFFF)


class LineIndex:
    """Offsets <-> positions for one text."""

    def __init__(self, text: str, encoding: str = UTF16) -> None:
        self.text = text
        self.encoding = encoding
        self._lsp_starts = [0, *(m.end() for m in _LSP_BREAK.finditer(text))]
        self._tf_starts = [0, *(m.end() for m in re.finditer("\n", text))]

    def offset_of(self, line: int, column: int) -> int:
        """The offset of tffix's ``line:column`` (both 1-based), clamped to the text."""
        line = min(max(line, 1), len(self._tf_starts))
        start = self._tf_starts[line - 1]
        end = self._tf_starts[line] if line < len(self._tf_starts) else len(self.text)
        return min(start + max(column, 1) - 1, end)

    def position(self, offset: int) -> tuple[int, int]:
        """The LSP ``(line, character)`` of an offset."""
        offset = min(max(offset, 0), len(self.text))
        line = bisect.bisect_right(self._lsp_starts, offset) - 1
        start = self._lsp_starts[line]
        # an offset between the \r and \n of a line break counts as the end of its line
        return line, _units(self.text[start:offset], self.encoding)

    def offset(self, line: int, character: int) -> int:
        """The offset of an LSP position, clamped to the line (a character past its end is its end)."""
        if line < 0:
            return 0
        if line >= len(self._lsp_starts):
            return len(self.text)
        start = self._lsp_starts[line]
        end = self._lsp_starts[line + 1] if line + 1 < len(self._lsp_starts) else len(self.text)
        content = self.text[start:end].rstrip("\r\n")
        if self.encoding == UTF32:
            return start + min(character, len(content))
        units = 0
        for i, c in enumerate(content):
            if units >= character:
                return start + i
            units += _units(c, self.encoding)
        return start + len(content)

    def line_end(self, offset: int) -> int:
        """The offset of the end of the line holding ``offset``, before its line break."""
        line = bisect.bisect_right(self._lsp_starts, min(max(offset, 0), len(self.text))) - 1
        end = self._lsp_starts[line + 1] if line + 1 < len(self._lsp_starts) else len(self.text)
        while end > self._lsp_starts[line] and self.text[end - 1] in "\r\n":
            end -= 1
        return end

    def line_start(self, offset: int) -> int:
        line = bisect.bisect_right(self._lsp_starts, min(max(offset, 0), len(self.text))) - 1
        return self._lsp_starts[line]
