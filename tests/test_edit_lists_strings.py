"""The edit API for lists in their own layout, text inside strings and heredocs, and code
copied elsewhere (snippets, comments that move with them)."""

from __future__ import annotations

import pytest
import tffix
from tffix import edit
from tffix.syntax.build import HCL, NewBlock
from tffix.syntax.strings import string_text

from .conftest import TERRAFORM, terraform_fmt


def _fmt_clean(text: str) -> None:
    if TERRAFORM is not None:
        assert terraform_fmt(text) == (0, text)


# ---- lists ----------------------------------------------------------------------------


@pytest.mark.parametrize("like,expected", [
    ('["a", "b"]', '["x", y]'),
    ('[\n  "a",\n  "b",\n]', '[\n  "x",\n  y,\n]'),
    ('[\n  "a",\n  "b"\n]', '[\n  "x",\n  y\n]'),
    ('"a"', '["x", y]'),
])
def test_list_value_follows_the_layout_of_its_model(like: str, expected: str) -> None:
    model = tffix.parse(f"m = {like}\n").body.items[0].value
    assert edit.list_value(["x", HCL("y")], like=model) == expected


def test_set_list_keeps_the_current_layout_and_trailing_comma() -> None:
    tree = tffix.parse('b {\n  a = 1\n  x = [\n    "p",\n    "q",\n  ]\n}\n')
    edit.set_list(tree.find_blocks("b")[0], "x", ["r", HCL("s.t")])
    assert tree.code == 'b {\n  a = 1\n  x = [\n    "r",\n    s.t,\n  ]\n}\n'
    _fmt_clean(tree.code)


def test_set_list_in_an_object_like_another_list() -> None:
    text = 'x = {\n  Action = [\n    "a",\n    "b"\n  ]\n  Resource = "*"\n}\n'
    tree = tffix.parse(text)
    obj = tree.body.items[0].value
    edit.set_list(obj, "Resource", [HCL("g.arn"), HCL('"${g.arn}:*"')], like=obj.get("Action").value)
    assert tree.code == ('x = {\n  Action = [\n    "a",\n    "b"\n  ]\n  Resource = [\n    g.arn,\n'
                         '    "${g.arn}:*"\n  ]\n}\n')
    _fmt_clean(tree.code)


def test_wrap_in_list_hugs_the_object_and_takes_more() -> None:
    tree = tffix.parse('p = {\n  Statement = {\n    Effect = "Allow"\n  }\n}\n')
    obj = tree.body.items[0].value
    wrapped = edit.wrap_in_list(obj, "Statement")
    edit.append_tuple_item(wrapped, {"Effect": "Deny"})
    assert tree.code == 'p = {\n  Statement = [{\n    Effect = "Allow"\n    }, {\n    Effect = "Deny"\n  }]\n}\n'
    _fmt_clean(tree.code)


def test_remove_tuple_items_keeps_the_rest_of_the_layout() -> None:
    tree = tffix.parse('x = [\n  "a",\n  "b",\n  "c",\n]\n')
    tup = tree.body.items[0].value
    edit.remove_tuple_items(tup, [tup.items[1]])
    assert tree.code == 'x = [\n  "a",\n  "c",\n]\n'


# ---- strings and heredocs -------------------------------------------------------------


def test_replace_in_string_keeps_interpolations_and_escapes() -> None:
    tree = tffix.parse('x = "arn:\\"${var.p}\\":123:${var.q}"\n')
    node = tree.body.items[0].value
    st = string_text(node)
    start = st.source.index("123")
    new = edit.replace_in_string(tree, node, [(start, start + 3, "${data.d.id}")])
    assert tree.code == 'x = "arn:\\"${var.p}\\":${data.d.id}:${var.q}"\n'
    assert len(string_text(new).holes) == 3


def test_replace_in_heredoc_keeps_its_indentation_and_markers() -> None:
    text = 'b {\n  x = <<-EOT\n    {\n      "a": "${var.p}",\n      "b": "*"\n    }\n  EOT\n}\n'
    tree = tffix.parse(text)
    node = tree.find_blocks("b")[0].get_attribute("x").value
    st = string_text(node)
    start = st.source.index('"*"')
    edit.replace_in_string(tree, node, [(start, start + 3, '[\n        "${g.arn}"\n      ]')])
    assert tree.code == ('b {\n  x = <<-EOT\n    {\n      "a": "${var.p}",\n      "b": [\n        "${g.arn}"\n'
                         '      ]\n    }\n  EOT\n}\n')
    _fmt_clean(tree.code)


def test_string_with_leaves_the_original_alone() -> None:
    tree = tffix.parse('x = "abc"\n')
    node = tree.body.items[0].value
    new = edit.string_with(node, [(1, 2, "B")])
    assert new.code == '"aBc"' and tree.code == 'x = "abc"\n'


# ---- copies -----------------------------------------------------------------------------


def test_snippet_drops_the_indentation_of_where_it_was() -> None:
    tree = tffix.parse('b {\n  c {\n    x = {\n      k = 1\n    }\n  }\n}\n')
    attr = tree.find_blocks("b")[0].find_blocks("c")[0].get_attribute("x")
    assert edit.snippet(attr.value, within=attr) == "{\n  k = 1\n}"
    assert edit.snippet(attr.value) == "{\n      k = 1\n    }"


def test_a_comment_moves_with_its_copy() -> None:
    tree = tffix.parse('d {\n  s {\n    r = ["*"] # needs it\n  }\n}\n')
    doc = tree.find_blocks("d")[0]
    stmt = doc.find_blocks("s")[0]
    attr = stmt.get_attribute("r")
    copy = HCL(edit.snippet(attr.value, within=attr) + edit.take_comment(attr))
    assert edit.take_comment(attr) == ""  # it is gone from the original
    edit.set_attribute(stmt, "r", HCL("[g.arn]"))
    edit.append_block(doc, NewBlock("s", body={"r": copy}), after=stmt)
    assert tree.code == 'd {\n  s {\n    r = [g.arn]\n  }\n\n  s {\n    r = ["*"] # needs it\n  }\n}\n'
    _fmt_clean(tree.code)
