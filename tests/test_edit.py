"""The edit API: every edit is laid out like terraform fmt and touches only
its own run. Each case snapshots the diff; fmt-clean inputs must stay
fmt-clean (checked against terraform where it is installed)."""

from __future__ import annotations

import difflib
from collections.abc import Callable

import pytest
import tffix
from tffix import edit
from tffix.syntax import cst
from tffix.syntax.build import HCL, NewBlock

from .conftest import TERRAFORM, needs_terraform, terraform_fmt

DB = """\
# Database
resource "aws_db_instance" "db" {
  allocated_storage = 10
  engine            = "mysql" # engine
  username          = "admin"

  tags = {
    Name = "db"
  }

  lifecycle {
    ignore_changes = [password]
  }
}

resource "aws_instance" "web" { ami = "ami-123" }

resource "aws_instance" "empty" {}
"""


def _db(tree: cst.File) -> cst.Block:
    return tree.find_blocks("resource", "aws_db_instance", "db")[0]


def _set_new_longer_name(t: cst.File) -> None:
    edit.set_attribute(_db(t), "publicly_accessible", False)


def _set_existing(t: cst.File) -> None:
    edit.set_attribute(_db(t), "engine", "postgres")


def _set_after(t: cst.File) -> None:
    edit.set_attribute(_db(t), "storage_encrypted", True, after="allocated_storage")


def _remove_longest(t: cst.File) -> None:
    edit.remove_attribute(_db(t), "allocated_storage")


def _remove_multiline(t: cst.File) -> None:
    edit.remove_attribute(_db(t), "tags")


def _nested_block(t: cst.File) -> None:
    web = t.find_blocks("resource", "aws_instance", "web")[0]
    edit.append_block(web, NewBlock("metadata_options", body={"http_tokens": "required", "http_endpoint": "enabled"}))


def _attr_in_empty_block(t: cst.File) -> None:
    edit.set_attribute(t.find_blocks("resource", "aws_instance", "empty")[0], "tags", {"Name": "x", "Env": HCL("var.env")})


def _attr_in_one_line_block(t: cst.File) -> None:
    edit.set_attribute(t.find_blocks("resource", "aws_instance", "web")[0], "instance_type", "t3.micro")


def _top_level_after(t: cst.File) -> None:
    edit.append_block(t, NewBlock("data", ["aws_caller_identity", "current"]), after=_db(t))


def _top_level_end(t: cst.File) -> None:
    edit.append_block(t,
        NewBlock("resource", ["aws_s3_bucket_public_access_block", "logs"],
                 {"bucket": HCL("aws_s3_bucket.logs.id"), "block_public_acls": True, "ignore_public_acls": True})
    )


def _replace_in_list(t: cst.File) -> None:
    lifecycle = _db(t).find_blocks("lifecycle")[0]
    target = lifecycle.get_attribute("ignore_changes").value.items[0]
    edit.replace_expression(t, target, ["password", HCL("tags")])


def _object_item(t: cst.File) -> None:
    tags = _db(t).get_attribute("tags").value
    edit.set_object_item(tags, "Environment", "prod")


EDITS: dict[str, Callable[[cst.File], None]] = {
    "set_new_longer_name": _set_new_longer_name,
    "set_existing": _set_existing,
    "set_after": _set_after,
    "remove_longest": _remove_longest,
    "remove_multiline": _remove_multiline,
    "nested_block": _nested_block,
    "attr_in_empty_block": _attr_in_empty_block,
    "attr_in_one_line_block": _attr_in_one_line_block,
    "top_level_after": _top_level_after,
    "top_level_end": _top_level_end,
    "replace_in_list": _replace_in_list,
    "object_item": _object_item,
}


def _diff(before: str, after: str) -> str:
    return "".join(difflib.unified_diff(before.splitlines(True), after.splitlines(True), "a/main.tf", "b/main.tf"))


def _apply(name: str, text: str) -> str:
    tree = tffix.parse(text)
    EDITS[name](tree)
    out = tree.code
    assert tffix.parse(out).code == out  # what we print parses again
    return out


@pytest.mark.parametrize("name", sorted(EDITS))
def test_edit_diff(name: str, snapshot) -> None:
    after = _apply(name, DB)
    assert after != DB
    assert _diff(DB, after) == snapshot


@pytest.mark.parametrize("name", sorted(EDITS))
def test_edit_keeps_crlf(name: str) -> None:
    crlf = DB.replace("\n", "\r\n")
    after = _apply(name, crlf)
    assert "\n" not in after.replace("\r\n", "")
    assert after.replace("\r\n", "\n") == _apply(name, DB)


@needs_terraform
def test_input_is_fmt_clean() -> None:
    assert terraform_fmt(DB) == (0, DB)


@needs_terraform
@pytest.mark.parametrize("name", sorted(EDITS))
def test_edited_output_is_fmt_clean(name: str) -> None:
    after = _apply(name, DB)
    assert terraform_fmt(after) == (0, after)


def test_untouched_lines_stay_identical() -> None:
    after = _apply("set_new_longer_name", DB)
    before_lines = DB.splitlines()
    changed = [ln for ln in difflib.ndiff(before_lines, after.splitlines()) if ln[:1] in "+-"]
    # the run of three attributes is re-aligned and one line is added; nothing else
    assert len([c for c in changed if c.startswith("-")]) == 3
    assert len([c for c in changed if c.startswith("+")]) == 4


def test_missing_final_newline_is_kept_at_the_end() -> None:
    tree = tffix.parse('a = 1')
    edit.append_block(tree, NewBlock("b"))
    assert tree.code == "a = 1\n\nb {}"
    tree = tffix.parse('x {\n  a = 1\n}')
    edit.set_attribute(tree, "c", 2)
    assert tree.code == "c = 2\n\nx {\n  a = 1\n}"


def test_remove_keeps_blank_line_separation() -> None:
    text = "x {\n  a = 1\n\n  # the secret\n  secret = \"s\"\n  b = 2\n}\n"
    tree = tffix.parse(text)
    edit.remove_attribute(tree.find_blocks("x")[0], "secret")
    assert tree.code == "x {\n  a = 1\n\n  b = 2\n}\n"


def test_get_missing_and_remove_missing() -> None:
    tree = tffix.parse("x {\n  a = 1\n}\n")
    block = tree.find_blocks("x")[0]
    assert block.get_attribute("b") is None
    assert edit.remove_attribute(block, "b") is None
    assert tree.code == "x {\n  a = 1\n}\n"


@pytest.mark.parametrize(
    "value,text",
    [
        (True, "true"), (None, "null"), (7, "7"), ("a\"b${c}", '"a\\"b$${c}"'), (["a", 1], '["a", 1]'),
        ({}, "{}"), ({"a b": 1}, '{\n  "a b" = 1\n}'), (HCL("var.x"), "var.x"),
    ],
)
def test_values_render_like_fmt(value: object, text: str) -> None:
    from tffix.syntax.build import render

    assert render(value) == text


@pytest.mark.parametrize(
    "source,value,expected",
    [
        ('x = [{\n  a = 1\n}]\n', {"b": 2}, 'x = [{\n  a = 1\n  }, {\n  b = 2\n}]\n'),
        ('x = [\n  "a",\n  "b",\n]\n', "c", 'x = [\n  "a",\n  "b",\n  "c",\n]\n'),
        ('x = [\n  "a"\n]\n', "c", 'x = [\n  "a",\n  "c"\n]\n'),
        ('x = ["a"]\n', "c", 'x = ["a", "c"]\n'),
        ("x = []\n", "c", 'x = ["c"]\n'),
    ],
)
def test_append_tuple_item_keeps_the_tuple_style(source: str, value: object, expected: str) -> None:
    tree = tffix.parse(source)
    edit.append_tuple_item(tree.body.items[0].value, value)
    assert tree.code == expected
    if TERRAFORM is not None:
        assert terraform_fmt(expected) == (0, expected)


def test_multi_line_snippets_are_indented_to_their_place() -> None:
    tree = tffix.parse('x {\n  y = 1\n}\n')
    edit.set_attribute(tree.find_blocks("x")[0], "z", HCL("[\n  a,\n\n  b,\n]"))
    assert tree.code == "x {\n  y = 1\n  z = [\n    a,\n\n    b,\n  ]\n}\n"


def test_new_block_comments_open_the_body() -> None:
    tree = tffix.parse('a = 1\n')
    edit.append_block(tree, NewBlock("resource", ["aws_s3_bucket", "logs"], {"bucket_prefix": "logs-"},
                                     comments=["checkov:skip=CKV_AWS_18: reason"]))
    assert tree.code == ('a = 1\n\nresource "aws_s3_bucket" "logs" {\n  # checkov:skip=CKV_AWS_18: reason\n'
                         '  bucket_prefix = "logs-"\n}\n')
    edit.append_block(tree, NewBlock("b", comments=["only a comment"]))
    assert tree.code.endswith('\n\nb {\n  # only a comment\n}\n')
    with pytest.raises(ValueError):
        edit.append_block(tree, NewBlock("c", comments=["two\nlines"]))
