"""The one error type users see for input tffix cannot read."""

from __future__ import annotations

__all__ = ["ParseError"]


class ParseError(Exception):
    """A syntax error (or other input Terraform would reject) at a position.

    ``str()`` is ``path:line:col: message`` followed by the source line and a
    caret under the column, the way compilers print it.
    """

    def __init__(self, message: str, path: str | None, line: int, column: int, source: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.path = path
        self.line = line
        self.column = column
        self.source_line = ""
        if source is not None:
            lines = source.split("\n")
            if 0 < line <= len(lines):
                self.source_line = lines[line - 1].rstrip("\r").lstrip("\ufeff")

    @property
    def location(self) -> str:
        return f"{self.path or '<input>'}:{self.line}:{self.column}"

    def __str__(self) -> str:
        head = f"{self.location}: {self.message}"
        if not self.source_line:
            return head
        line, column = _window(self.source_line, self.column)
        # keep tabs so the caret lines up under the same column
        pad = "".join(c if c == "\t" else " " for c in line[: column - 1])
        return f"{head}\n  {line}\n  {pad}^"


WIDTH = 120  # characters of a long source line shown around the error


def _window(line: str, column: int) -> tuple[str, int]:
    """At most ``WIDTH`` characters of ``line`` around ``column`` (``...`` marks a cut),
    and the column within them: a 1 MB line must not give a 2 MB message."""
    if len(line) <= WIDTH:
        return line, column
    start = max(0, min(column - 1 - WIDTH // 2, len(line) - WIDTH))
    end = start + WIDTH
    head = "..." if start > 0 else ""
    tail = "..." if end < len(line) else ""
    return head + line[start:end] + tail, column - start + len(head)
