"""The policy reader's "as written" view and JSON with positions (transforms/lib)."""

from __future__ import annotations

import math

import pytest
import tffix
from tffix.engine.module import BlockRef
from tffix.syntax.strings import HOLE, string_text
from tffix.transforms.lib import policies
from tffix.transforms.lib.json_text import array_text, parse_json


def test_parse_json_positions_and_values() -> None:
    text = '{"a": [1, "x"], "a": {"b": null}}'
    root = parse_json(text)
    key, value, start, end = root.member("a")  # the first of duplicates, as written
    assert text[value.start:value.end] == '[1, "x"]' and text[start:end] == '"a": [1, "x"]'
    assert root.to_python() == {"a": {"b": None}}  # as json.loads reads it: the last wins
    with pytest.raises(ValueError):
        parse_json("NaN")
    assert math.isnan(parse_json("NaN", allow_nan=True).to_python())


@pytest.mark.parametrize("like,expected", [
    ('[\n    "a",\n    "b"\n  ]', '[\n    "x",\n    "y"\n  ]'),
    ('["a","b"]', '["x","y"]'),
    ('[ "a" ]', '[ "x", "y" ]'),
    ('"a"', '["x", "y"]'),
])
def test_array_text_follows_the_array_it_sits_next_to(like: str, expected: str) -> None:
    text = '{"k": ' + like + "}"
    assert array_text(text, parse_json(text).member("k")[1], ['"x"', '"y"']) == expected


def test_fields_of_the_three_forms() -> None:
    tree = tffix.parse(
        'resource "aws_iam_policy" "p" {\n  policy = jsonencode({ Statement = [{\n'
        '    Action = ["s3:GetObject", "s3:${var.x}"], Resource = aws_s3_bucket.b.arn }] })\n}\n'
        'data "aws_iam_policy_document" "d" {\n  statement {\n    actions = ["a:b"]\n  }\n}\n'
        'resource "aws_iam_policy" "h" {\n  policy = <<EOF\n{"Statement": {"Action": "c:d", "Resource": ["*"]}}\nEOF\n}\n')
    p, d, h = [BlockRef(None, b) for b in tree.body.blocks]  # type: ignore[arg-type]
    (encoded,) = policies.jsonencode_statements(None, p, p.block.get_attribute("policy").value)  # type: ignore[arg-type]
    action = policies.field(encoded, "Action")
    assert action.is_list and action.texts == ["s3:GetObject", "s3:" + HOLE]
    assert policies.field(encoded, "Resource").texts == [None]  # a reference to a resource
    (document,) = policies.document_statements(d)
    assert policies.field(document, "Action").key == "actions" and policies.field(document, "Effect") is None
    heredoc = h.block.get_attribute("policy").value
    st = string_text(heredoc)
    (written,) = policies.json_document_statements(None, h, parse_json(st.text), where=heredoc, text=st,  # type: ignore[arg-type]
                                                   source=st.source)
    resource = policies.field(written, "Resource")
    assert resource.is_list and resource.texts == ["*"] and written.container is None
    assert st.position(resource.value.start) == (12, 45)  # the `[` on the heredoc's line
