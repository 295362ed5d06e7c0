"""Build new CST nodes from Python values or HCL snippets.

Rules describe what they want (``True``, ``"alias/aws/sns"``, a dict, a
reference written as ``HCL("aws_s3_bucket.logs.id")``, a ``NewBlock``); this
module writes it the way ``terraform fmt`` would and parses the text, so every
new node is real parser output and prints exactly as written.
"""

from __future__ import annotations

import gc
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Union

from tffix.syntax import cst
from tffix.syntax.layout import INDENT
from tffix.syntax.lexer import Token, is_name
from tffix.syntax.parser import parse, parse_expression

__all__ = ["HCL", "NewBlock", "Value", "render", "render_list", "expression", "render_block", "quote"]


class HCL(str):
    """HCL expression source, inserted as written (``HCL("var.name")``).
    Multi-line snippets are written at column 0 and re-indented on insertion."""


@dataclass
class NewBlock:
    """A block to create: ``NewBlock("metadata_options", body={"http_tokens": "required"})``.
    ``body`` values may be plain values, ``HCL`` snippets, nested ``NewBlock``s
    or lists of them (repeated nested blocks). ``comments`` are comment lines written
    at the top of the body (``"checkov:skip=CKV_AWS_18: reason"`` becomes
    ``# checkov:skip=CKV_AWS_18: reason``), each a single line."""

    type: str
    labels: Sequence[str] = ()
    body: Mapping[str, object] = field(default_factory=dict)
    comments: Sequence[str] = ()


Value = Union[None, bool, int, float, str, HCL, Sequence, Mapping, cst.Expr]


def quote(text: str) -> str:
    """A quoted HCL string literal whose value is ``text``."""
    out = ['"']
    for c in text:
        if c == "\\":
            out.append("\\\\")
        elif c == '"':
            out.append('\\"')
        elif c == "\n":
            out.append("\\n")
        elif c == "\r":
            out.append("\\r")
        elif c == "\t":
            out.append("\\t")
        elif ord(c) < 0x20:
            out.append(f"\\u{ord(c):04x}")
        else:
            out.append(c)
    out.append('"')
    return "".join(out).replace("${", "$${").replace("%{", "%%{")


def _key(name: str) -> str:
    return name if is_name(name) else quote(name)


def render(value: Value) -> str:
    """HCL source for ``value`` as terraform fmt lays it out at column 0."""
    if isinstance(value, cst.Node):
        return value.code.lstrip(" \t")
    if isinstance(value, HCL):
        return str(value)
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (int, float)):
        return repr(value)
    if isinstance(value, str):
        return quote(value)
    if isinstance(value, Mapping):
        if not value:
            return "{}"
        return "{\n" + _render_assignments({str(k): v for k, v in value.items()}, INDENT) + "}"
    if isinstance(value, Sequence):
        parts = [render(v) for v in value]
        one_line = "[" + ", ".join(parts) + "]"
        if all("\n" not in p for p in parts) and len(one_line) <= 100:
            return one_line
        return _list(parts, multiline=True, trailing_comma=True)
    raise TypeError(f"cannot write {type(value).__name__} as HCL")


def render_list(values: Sequence[Value], *, multiline: bool, trailing_comma: bool = True) -> str:
    """A list written on one line, or one element per line (with or without a comma
    after the last one), whatever its length."""
    return _list([render(v) for v in values], multiline=multiline, trailing_comma=trailing_comma)


def _list(parts: list[str], *, multiline: bool, trailing_comma: bool) -> str:
    if not multiline or not parts:
        return "[" + ", ".join(parts) + "]"
    return "[\n" + ",\n".join(INDENT + _shift(p, INDENT) for p in parts) + ("," if trailing_comma else "") + "\n]"


def _shift(text: str, indent: str) -> str:
    """Indent continuation lines of a rendered value (not heredoc bodies)."""
    if "\n" not in text:
        return text
    return _reindented(text, indent)


@lru_cache(maxsize=1024)
def _reindented(text: str, indent: str) -> str:
    """``_shift`` of a multi-line text: a pure function of its arguments, kept, since
    nested values are shifted once per level and rules build the same blocks (a key
    policy, a trust policy) for every finding of a check."""
    node = parse_expression(text)
    from tffix.syntax.layout import reindent

    reindent(node, indent)
    return node.code


def _render_assignments(items: Mapping[str, object], indent: str) -> str:
    """``name = value`` lines with ``=`` aligned across single-line runs."""
    rendered = [(_key(k), _shift(render(v), indent)) for k, v in items.items()]
    lines: list[str] = []
    run: list[tuple[str, str]] = []

    def flush() -> None:
        if run:
            width = max(len(k) for k, _ in run)
            lines.extend(f"{indent}{k}{' ' * (width - len(k))} = {v}\n" for k, v in run)
            run.clear()

    for key, text in rendered:
        if "\n" in text and not text.startswith("<<"):
            flush()
            lines.append(f"{indent}{key} = {text}\n")
        else:
            run.append((key, text))
            if "\n" in text:  # a heredoc ends the run after it
                flush()
    flush()
    return "".join(lines)


def render_block(block: NewBlock, indent: str = "") -> str:
    """Source for a whole block at ``indent``, ending with a newline."""
    header = " ".join([block.type, *(quote(label) for label in block.labels)])
    attrs = {k: v for k, v in block.body.items() if not _is_blocks(v)}
    nested = [(k, v) for k, v in block.body.items() if _is_blocks(v)]
    inner = indent + INDENT
    parts = [f"{indent}{header} {{\n"]
    for comment in block.comments:
        if "\n" in comment or "\r" in comment:
            raise ValueError("a block comment is one line")
        parts.append(f"{inner}# {comment}\n")
    if attrs:
        parts.append(_render_assignments(attrs, inner))
    for i, (_, blocks) in enumerate(nested):
        for j, child in enumerate(blocks if isinstance(blocks, list) else [blocks]):
            if attrs or i or j:
                parts.append("\n")
            parts.append(render_block(child, inner))
    if not attrs and not nested and not block.comments:
        return f"{indent}{header} {{}}\n"
    parts.append(f"{indent}}}\n")
    return "".join(parts)


def _is_blocks(value: object) -> bool:
    return isinstance(value, NewBlock) or (
        isinstance(value, list) and bool(value) and all(isinstance(v, NewBlock) for v in value)
    )


def expression(value: Value) -> cst.Expr:
    """A new expression node for ``value`` (first token without leading space)."""
    return parse_expression(render(value))


def block_node(block: NewBlock, indent: str, newline: str = "\n") -> cst.Block:
    """A new ``Block`` node written at ``indent``: a copy of the parse of its text
    (rules build the same blocks for many findings: each text is parsed once)."""
    text = render_block(block, indent)
    if newline != "\n":
        text = text.replace("\n", newline)
    node = _parsed_block(text)
    try:
        return copy_node(node)
    except RecursionError:  # nesting deeper than Python's stack: a parse of its own
        return _block_of(text)


def _block_of(text: str) -> cst.Block:
    tree = parse(text)
    (node,) = tree.body.items
    assert isinstance(node, cst.Block)
    return cst.unplaced(node)


@lru_cache(maxsize=256)
def _parsed_block(text: str) -> cst.Block:
    """The parsed block of ``text``, never handed out (``block_node`` gives copies)."""
    return _block_of(text)


def copy_node(node: cst.Node) -> cst.Node:
    """A copy of ``node`` sharing nothing with it (every node and token new; tokens keep
    their type, text, trivia and position). Without the cyclic garbage collector, as the
    parser (it makes many objects and no cycles: a pass of the collector would only
    rescan the trees already there)."""
    collecting = gc.isenabled()
    if collecting:
        gc.disable()
    try:
        return _copy(node)
    finally:
        if collecting:
            gc.enable()


def _copy(node: cst.Node) -> cst.Node:
    cls = node.__class__
    new = cls.__new__(cls)
    for name in cls._fields:
        value = getattr(node, name)
        vcls = value.__class__
        if vcls is Token:
            value = _copy_token(value)
        elif vcls is list:
            value = [_copy_token(v) if v.__class__ is Token else _copy(v) for v in value]
        elif value is not None and vcls is not str:
            value = _copy(value)
        setattr(new, name, value)
    return new


def _copy_token(tok: Token) -> Token:
    new = str.__new__(Token, tok)
    new.type, new.pre, new.line, new.column = tok.type, tok.pre, tok.line, tok.column
    return new
