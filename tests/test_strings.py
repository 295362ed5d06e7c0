"""tffix.syntax.strings: a string's text, its holes, and where an offset is."""

from __future__ import annotations

import tffix
from tffix.syntax import cst
from tffix.syntax.strings import HOLE, Position, literal_texts, string_text


def _value(text: str) -> cst.Node:
    return tffix.parse(text).body.items[0].value


def test_quoted_string_text_holes_and_value() -> None:
    st = string_text(_value('x = "a\\"b${var.c}:$${d}"\n'))
    assert st is not None
    assert st.source == 'a\\"b${var.c}:$${d}'
    assert st.text == 'a\\"b' + HOLE * len("${var.c}") + ":$${d}"
    assert len(st.text) == len(st.source)
    assert [(h.start, h.end, h.node.code) for h in st.holes] == [(4, 12, "${var.c}")]
    assert [st.source[a:b] for a, b in st.runs] == ['a\\"b', ":$${d}"]
    assert st.value() == 'a"b' + HOLE + ":${d}"
    assert not st.has_directives


def test_positions_in_a_quoted_string() -> None:
    st = string_text(_value('x = "ab${var.c}de"\n'))
    assert st.position(0) == Position(1, 6)  # the `a`, after `x = "`
    assert st.position(st.source.index("de")) == Position(1, 16)
    assert st.position(2) == Position(1, 8)  # the `$` of the interpolation


def test_heredoc_text_runs_and_positions() -> None:
    text = 'x = <<-EOT\n  {\n    "a": "${var.b}",\n    "c": 1\n  }\n  EOT\n'
    st = string_text(_value(text))
    assert st.source == '  {\n    "a": "${var.b}",\n    "c": 1\n  }\n'
    # runs are cut after each newline and at holes
    assert [st.source[a:b] for a, b in st.runs] == ['  {\n', '    "a": "', '",\n', '    "c": 1\n', "  }\n"]
    assert st.value() == st.source.replace("${var.b}", HOLE)  # a heredoc's text is as written
    assert st.position(st.source.index('"c"')) == Position(4, 5)
    assert st.position(0) == Position(2, 1)


def test_crlf_heredoc_positions() -> None:
    st = string_text(_value('x = <<EOT\r\nab\r\ncd\r\nEOT\r\n'))
    assert st.source == "ab\r\ncd\r\n"
    assert st.position(st.source.index("d")) == Position(3, 2)


def test_directives_are_holes() -> None:
    st = string_text(_value('x = "a%{ if var.b }c%{ endif }d"\n'))
    assert st.has_directives
    assert st.value() == "a" + HOLE + "d"
    assert [h.node.code for h in st.holes] == ["%{ if var.b }c%{ endif }"]


def test_empty_string_and_other_nodes() -> None:
    st = string_text(_value('x = ""\n'))
    assert st.source == st.text == "" and st.holes == [] and st.position(0) == Position(1, 6)
    assert string_text(_value("x = var.y\n")) is None


def test_literal_texts_read_strings_not_comments() -> None:
    tree = tffix.parse('b {\n  # "in a comment"\n  x = ["a${"b"}c", <<EOT\nd\n%{ if true }e%{ endif }\nEOT\n  ]\n}\n')
    assert list(literal_texts(tree)) == ["a", "c", "b", "d\n", "\n", "e"]
