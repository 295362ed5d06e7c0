"""The parser's two paths agree: the recursive-descent parser (``_descend``,
used first) takes exactly what the LALR table (``_drive_table``, which
explains every error) accepts, and builds the same tree from it, token for
token; on anything the table rejects it raises (and ``parse`` then reports the
table's error)."""

from __future__ import annotations

from typing import Any

import pytest
from tffix.syntax import cst
from tffix.syntax.lexer import Token
from tffix.syntax.parser import _descend, _drive_table

from .conftest import CASES, FIXTURES


def shape(item: Any) -> Any:
    """Everything about a tree: node classes, fields in order, every token's
    type, text, trivia, line and column."""
    if item is None or item.__class__ is str:
        return item
    if isinstance(item, Token):
        return ("T", item.type, str(item), item.pre, item.line, item.column)
    if isinstance(item, list):
        return [shape(x) for x in item]
    if isinstance(item, cst.Stub):
        return ("Stub", item.type, item.labels, item.line, item.column)
    return (type(item).__name__, [shape(getattr(item, f)) for f in item._fields])


def outcome(drive: Any, text: str, first_line: int = 1, lazy: bool = False) -> Any:
    stubs: list[Any] = []

    def on_item(node: Any) -> Any:  # as a lazy parse: each top-level item replaced
        stubs.append(shape(node))
        kind = getattr(node, "type_token", None)
        return cst.Stub(None if kind is None else str(kind), (), 0, 0)

    try:
        result = drive(text, first_line, on_item if lazy else None)
    except RecursionError:
        raise
    except Exception:  # noqa: BLE001 - rejected: which error is the table's business (test_errors)
        return "rejected"
    return shape(result), stubs


SNIPPETS = [
    'a = 1\nb = "x"\n\n# c\nblk "l1" l2 {\n  c = true\n\n  inner {}\n  one { x = 1 }\n}\n',
    "a = 1",  # no final newline
    "a = b.c[0].d.0[*].e.*.f\nb = c.*.d[1]\nc = d[*][*].e\nd = e[*].*.f[2]\n",
    "a = -x * 2 + 3 - y / 4 % 5 < 6 == !z && p || q ? r : s ? t : u\n",
    "a = f(1, 2...)\nb = g(1,)\nc = p::q::h()\nd = true\ne = null(1)\n",
    "a = [for k, v in x : v if k != \"a\"]\nb = {for v in x : v => v... if v}\n",
    "a = [for in in in : in]\nb = [for if in if : if if if]\nif = 1\nin = 2\nfor = 3\n",
    'a = {\n  b = 1, c = 2\n\n  "d" : 3\n  (e) = 4 # note\n}\nf = {}\ng = { h = 1 }\n',
    'a = "x ${b} y %{ if c }d%{ else }e%{ endif } %{ for k, v in m }${k}%{ endfor }"\n',
    "a = <<EOT\nline ${b}\n%{ for x in y ~}\n${x}\n%{~ endfor }\nEOT\nb = <<-X\n  y\n  X\n",
    'a = "\\u00e9 \\"q\\" $${x} %%{y}"\nb = "" \nc = "$"\n',
    "a = (1 + 2) * [3, 4,][0]\nb = [\n  1,\n  2\n]\n",
    "a = {for k, v in x : k => v}\nb = [for x in y : x]\n",
    # rejected by the table: the descent parser must refuse them too
    "a = [for x in y : x if]\n", "a = [,]\n", "a = [1,,]\n", "a = {,}\n", "a = { b = 1 , , }\n",
    "a = { b = 1\n, c = 2 }\n", "a = f(1, ...)\n", "a = f(...)\n", "a = b.*.c.*\n", "a = b.\n",
    "blk { a = 1\n}\n", "blk { a = 1 b = 2 }\n", "blk { inner {} }\n", "blk\n{\n}\n", "a = 1 b = 2\n",
    "a = 1\na = 2\n", "blk {\n  a = 1\n  a = 2\n}\n", "a = {for = 1}\n", "a = b[for x in y : x]\n",
    "a = [for x in y x]\n", "a = {for k in x : k}\n", "a = b ? c\n", "a = b if c\n", "a = in if\n",
    '"x" = 1\n', 'blk "${x}" {}\n', "a = \n", "= 1\n", "}\n", "a = (1\n", "a = <<EOT\nx\n",
    "a = 1 +\n2\n", "a = %{ if x }\n", "a = [for x y : x]\n", "a = { b => 1 }\n", "a = [for x in y : x iff z]\n",
    "a = f(1 2)\n", "a = [1 2]\n", "a = x[*\n", 'a = "${x"\n', "a = !\n",
]


def _texts() -> list[tuple[str, str]]:
    texts = [(f"snippet {i}", s) for i, s in enumerate(SNIPPETS)]
    for root in (CASES, FIXTURES):
        if root.is_dir():
            for path in sorted(root.rglob("*.tf")):
                try:
                    texts.append((str(path.relative_to(root.parent)), path.read_bytes().decode("utf-8")))
                except UnicodeDecodeError:
                    continue
    return texts


TEXTS = _texts()


def _broken(text: str) -> list[str]:
    """Some broken variants: cut short, a character dropped or doubled."""
    out = []
    n = len(text)
    for k in (1, 3, 5, 7):
        i = n * k // 8
        if i < n:
            out += [text[:i], text[:i] + text[i + 1 :], text[:i] + text[i] + text[i:]]
    return out


@pytest.mark.parametrize("name,text", TEXTS, ids=[name for name, _ in TEXTS])
def test_same_outcome(name: str, text: str) -> None:
    variants = [text, text.replace("\r\n", "\n").replace("\n", "\r\n"), *_broken(text)]
    for variant in variants:
        assert outcome(_descend, variant) == outcome(_drive_table, variant), variant
    assert outcome(_descend, text, 7, lazy=True) == outcome(_drive_table, text, 7, lazy=True)


def test_snippets_cover_both_outcomes() -> None:
    results = [outcome(_drive_table, s) for s in SNIPPETS]
    assert results.count("rejected") >= 40
    assert len(results) - results.count("rejected") >= 13
