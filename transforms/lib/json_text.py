"""JSON written inside a string or heredoc, read with the place of every value, and lists
rewritten in the text's own layout.

Policies and container definitions are often JSON text in a heredoc. To change one value
and keep everything else (indentation, key spacing, line endings, interpolations), a rule
needs to know where each value is in the text: ``parse_json`` gives a tree of ``JValue``
with offsets, and ``array_text`` writes a new list the way a list next to it is written.
Interpolations are expected as ``HOLE`` characters (``StringText.text``), so offsets into
the parsed text are offsets into the string's source.
"""

from __future__ import annotations

import json
import re

__all__ = ["JValue", "parse_json", "array_text"]


class JValue:
    """A JSON value and where it is in the text: ``kind`` is object, array, string or
    scalar; ``members`` (key, value, start, end) for objects, ``items`` for arrays,
    ``value`` for strings (as written after decoding, holes kept)."""

    __slots__ = ("kind", "start", "end", "value", "items", "members", "_py")

    def __init__(self, kind: str, start: int) -> None:
        self.kind, self.start, self.end = kind, start, start
        self.value: str = ""
        self.items: list[JValue] = []
        self.members: list[tuple[str, JValue, int, int]] = []
        self._py: object = None

    def member(self, key: str) -> tuple[str, JValue, int, int] | None:
        """(key, value, start, end) of the first member named ``key``."""
        for m in self.members:
            if m[0] == key:
                return m
        return None

    def to_python(self, strings=lambda s: s) -> object:  # noqa: ANN001
        """The value as ``json.loads`` gives it (the last of duplicate keys wins), each
        string (keys too) passed through ``strings``."""
        if self.kind == "object":
            return {strings(k): v.to_python(strings) for k, v, _s, _e in self.members}
        if self.kind == "array":
            return [i.to_python(strings) for i in self.items]
        if self.kind == "string":
            return strings(self.value)
        return self._py


_WS = " \t\r\n"
_SCALAR = re.compile(r"-?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][+-]?[0-9]+)?|true|false|null")
_NAN = re.compile(r"NaN|-?Infinity")  # what json.loads also accepts
_STRING = re.compile(r'"(?:[^"\\\x00-\x1f]|\\["\\/bfnrt]|\\u[0-9a-fA-F]{4})*"')


def parse_json(text: str, *, allow_nan: bool = False) -> JValue:
    """Strict JSON (no trailing commas, no comments; ``NaN`` and ``Infinity`` only with
    ``allow_nan``, as ``json.loads`` reads them) with positions. Raises ValueError."""
    try:
        value, pos = _value(text, _skip(text, 0), allow_nan)
    except RecursionError:
        raise ValueError("JSON nested too deeply") from None
    if _skip(text, pos) != len(text):
        raise ValueError("text after the JSON value")
    return value


def _skip(text: str, pos: int) -> int:
    while pos < len(text) and text[pos] in _WS:
        pos += 1
    return pos


def _value(text: str, pos: int, allow_nan: bool) -> tuple[JValue, int]:
    if pos >= len(text):
        raise ValueError("unexpected end")
    c = text[pos]
    if c == "{":
        node = JValue("object", pos)
        pos = _skip(text, pos + 1)
        if text[pos:pos + 1] == "}":
            node.end = pos + 1
            return node, pos + 1
        while True:
            key, pos = _value(text, pos, allow_nan)
            if key.kind != "string":
                raise ValueError("object key is not a string")
            pos = _skip(text, pos)
            if text[pos:pos + 1] != ":":
                raise ValueError("expected ':'")
            value, end = _value(text, _skip(text, pos + 1), allow_nan)
            node.members.append((key.value, value, key.start, value.end))
            pos = _skip(text, end)
            if text[pos:pos + 1] == ",":
                pos = _skip(text, pos + 1)
                continue
            if text[pos:pos + 1] == "}":
                node.end = pos + 1
                return node, pos + 1
            raise ValueError("expected ',' or '}'")
    if c == "[":
        node = JValue("array", pos)
        pos = _skip(text, pos + 1)
        if text[pos:pos + 1] == "]":
            node.end = pos + 1
            return node, pos + 1
        while True:
            value, end = _value(text, pos, allow_nan)
            node.items.append(value)
            pos = _skip(text, end)
            if text[pos:pos + 1] == ",":
                pos = _skip(text, pos + 1)
                continue
            if text[pos:pos + 1] == "]":
                node.end = pos + 1
                return node, pos + 1
            raise ValueError("expected ',' or ']'")
    if c == '"':
        m = _STRING.match(text, pos)
        if m is None:
            raise ValueError("bad string")
        node = JValue("string", pos)
        node.value = json.loads(m.group())
        node.end = m.end()
        return node, m.end()
    m = _SCALAR.match(text, pos) or (_NAN.match(text, pos) if allow_nan else None)
    if m is None:
        raise ValueError(f"unexpected {c!r}")
    node = JValue("scalar", pos)
    node._py = json.loads(m.group())
    node.end = m.end()
    return node, m.end()


def array_text(text: str, like: JValue, items: list[str]) -> str:
    """A JSON array of ``items`` (JSON source) written like the array ``like`` in ``text``:
    one item per line at its items' indentation, closing at its own (or at the items' when
    its ``]`` hugs the last item), with the text's line endings; or on one line with its
    separator and padding. When ``like`` is not a non-empty array: ``[a, b]``."""
    nl = "\r\n" if "\r\n" in text else "\n"
    if like.kind != "array" or not like.items:
        return "[" + ", ".join(items) + "]"
    first, last = like.items[0], like.items[-1]
    if "\n" in text[like.start:like.end]:
        line_start = text.rfind("\n", 0, first.start) + 1
        close_start = text.rfind("\n", 0, like.end - 1) + 1
        item_indent = text[line_start:first.start]
        close_indent = text[close_start:like.end - 1]
        if close_indent.strip():  # `]` hugs the last item: close at the item's line indentation
            close_indent = item_indent
        return "[" + nl + ("," + nl).join(item_indent + i for i in items) + nl + close_indent + "]"
    sep = text[like.items[0].end:like.items[1].start] if len(like.items) > 1 else ", "
    return "[" + text[like.start + 1:first.start] + sep.join(items) + text[last.end:like.end - 1] + "]"
