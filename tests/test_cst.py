"""The CST's shape and its trivia-ownership rules (see tffix/cst.py)."""

from __future__ import annotations

import pytest
import tffix
from tffix.syntax import cst

SAMPLE = """\
# Licence header

# Bucket for logs
resource "aws_s3_bucket" "logs" { # header comment
  bucket = "logs" # same-line
  acl    = "private"

  # versioning comment
  versioning {
    enabled = true
  }
  # trailing body comment
}
"""


def test_file_owns_header_and_items_own_comment_lines_above() -> None:
    tree = tffix.parse(SAMPLE)
    assert [t.pre for t in tree.header] == ["# Licence header", ""]
    block = tree.body.items[0]
    assert isinstance(block, cst.Block)
    assert [t.pre for t in block.leading] == ["# Bucket for logs"]
    assert block.open_newline.pre == " # header comment"
    assert block.type == "resource" and block.label_values == ["aws_s3_bucket", "logs"]
    bucket, acl, versioning = block.body.items
    assert bucket.name == "bucket" and bucket.comment == " # same-line"
    assert bucket.name_token.pre == "  "  # indentation belongs to the item
    assert acl.leading == []
    assert [t.pre for t in versioning.leading] == ["", "  # versioning comment"]
    assert [t.pre for t in block.body.trailing] == ["  # trailing body comment"]
    assert block.rbrace.pre == ""
    assert tree.code == SAMPLE


def test_header_needs_a_blank_line() -> None:
    tree = tffix.parse("# attached\na = 1\n")
    assert tree.header == []
    assert [t.pre for t in tree.body.items[0].leading] == ["# attached"]


def test_missing_final_newline_is_a_zero_width_newline() -> None:
    tree = tffix.parse("a = 1 # c")
    attr = tree.body.items[0]
    assert attr.newline == "" and attr.comment == " # c"
    assert tree.code == "a = 1 # c"


def test_bom_and_crlf() -> None:
    text = "\ufeffa = 1\r\nb = 2\r\n"
    tree = tffix.parse(text)
    assert tree.bom == "\ufeff" and tree.newline == "\r\n"
    assert tree.code == text


def test_one_line_block() -> None:
    tree = tffix.parse('lifecycle { create_before_destroy = true }\n')
    block = tree.body.items[0]
    assert block.is_one_line and block.body.items[0].name == "create_before_destroy"


@pytest.mark.parametrize(
    "source,kind",
    [
        ("1.5", cst.Literal), ("true", cst.Literal), ("null", cst.Literal), ("var.x", cst.Traversal),
        ('"a${b}c"', cst.Template), ("<<EOT\nx\nEOT", cst.Heredoc), ("f(1, 2...)", cst.FunctionCall),
        ("provider::aws::arn_parse(x)", cst.FunctionCall), ("[1, 2]", cst.Tuple), ("{ a = 1 }", cst.Object),
        ("a ? b : c", cst.Conditional), ("a + b * c", cst.BinaryOp), ("!a", cst.UnaryOp), ("(a)", cst.Parens),
        ("[for x in y : x if x]", cst.ForTuple), ("{ for k, v in m : k => v... }", cst.ForObject),
        ("x", cst.Variable),
    ],
)
def test_expression_kinds(source: str, kind: type) -> None:
    expr = tffix.parse_expression(source)
    assert isinstance(expr, kind)
    assert expr.code == source


def test_traversal_steps_are_flat() -> None:
    expr = tffix.parse_expression("aws_instance.web[0].private_ip")
    assert isinstance(expr, cst.Traversal)
    assert expr.path == ["aws_instance", "web"]
    assert [type(s).__name__ for s in expr.steps] == ["GetAttr", "Index", "GetAttr"]
    splat = tffix.parse_expression("aws_instance.web.*.id")
    assert isinstance(splat.steps[-1], cst.AttrSplat) and splat.steps[-1].steps[0].name == "id"
    legacy = tffix.parse_expression("a.0.b")
    assert isinstance(legacy.steps[0], cst.LegacyIndex)


def test_object_items_own_lines_and_commas() -> None:
    expr = tffix.parse_expression('{\n  # c\n  a = 1, # x\n  "b" : 2\n\n}')
    assert isinstance(expr, cst.Object)
    a, b = expr.items
    assert [t.pre for t in a.leading] == ["  # c"] and a.comma == "," and a.newline.pre == " # x"
    assert b.key_name == "b" and b.eq == ":"
    assert [t.pre for t in expr.trailing] == [""]
    assert expr.get("a") is a


def test_template_directives_and_strip_markers() -> None:
    src = '"%{~ for x in xs ~}${x}%{ if x }y%{ else }z%{ endif }%{ endfor ~}"'
    expr = tffix.parse_expression(src)
    loop = expr.parts[0]
    assert isinstance(loop, cst.TemplateFor) and loop.value_var == "x"
    assert isinstance(loop.parts[1], cst.TemplateIf)
    assert expr.code == src


def test_literal_values() -> None:
    assert tffix.parse_expression('"a\\n\\u00e9$${x}"').literal_value == "a\né${x}"
    assert tffix.parse_expression('"a${b}"').literal_value is None
    assert tffix.parse_expression("42").value == 42
    assert tffix.parse_expression("4.5e1").value == 45.0


def test_walk_visits_every_node_in_order() -> None:
    tree = tffix.parse(SAMPLE)
    names = [n.name for n in tree.walk() if isinstance(n, cst.Attribute)]
    assert names == ["bucket", "acl", "enabled"]


def test_keywords_are_contextual() -> None:
    tree = tffix.parse("for = 1\nin = 2\nif = [for in in in : in]\n")
    assert [a.name for a in tree.body.attributes] == ["for", "in", "if"]


def test_positions() -> None:
    tree = tffix.parse('a = 1\nblock "x" {\n  b = 2\n}\n')
    block = tree.body.items[1]
    assert (block.line, block.column) == (2, 1)
    assert (block.body.items[0].line, block.body.items[0].column) == (3, 3)


@pytest.mark.parametrize("source", ["x[*].y[*].z", "x.*.y[*].z", "x[*].y.*.z", "(x[*].y)[*].z", "x[*].y.*.z[0]"])
def test_full_splat_takes_every_later_step_including_splats(source: str) -> None:
    # hclsyntax: a full splat consumes the rest of the traversal (terraform accepts all of these)
    expr = tffix.parse_expression(source)
    assert expr.code == source
    assert isinstance(expr.steps[-1], cst.FullSplat)


def test_sole_expression_unwraps_only_a_lone_interpolation() -> None:
    from tffix.syntax.cst import sole_expression

    attrs = {a.name: a.value for a in tffix.parse('a = "${var.x}"\nb = "x-${var.x}"\nc = var.x\n').body.attributes}
    assert sole_expression(attrs["a"]).code.strip() == "var.x"
    assert sole_expression(attrs["b"]) is attrs["b"]
    assert sole_expression(attrs["c"]) is attrs["c"]


def test_has_comments() -> None:
    tree = tffix.parse('a = { x = 1 }\nb = {\n  x = 1 # one\n}\nc = [1, /* two */ 2]\n')
    assert [i.value.has_comments() for i in tree.body.items] == [False, True, True]


def test_last_token_is_the_last_of_tokens_for_every_node() -> None:
    from pathlib import Path

    texts = [SAMPLE, "", "\ufeff# only a comment\n", 'x = [for k, v in m : "${k}-%{if v}y%{endif}" if v]\n',
             'a = <<-EOT\n  ${b}\n  EOT\nc = { for k in l : k => [k][0] }\n']
    root = Path(__file__).parent.parent
    texts += [p.read_text(encoding="utf-8-sig") for d in ("examples", "tests/fixtures/format")
              for p in sorted((root / d).rglob("*.tf"))]
    checked = 0
    for text in texts:
        for node in tffix.parse(text).walk():
            toks = list(node.tokens())
            if toks:
                assert node.last_token() is toks[-1]
                checked += 1
            else:
                with pytest.raises(ValueError):
                    node.last_token()
    assert checked > 300


@pytest.mark.parametrize("raw, value", [
    ("plain text", "plain text"), ("$ and % alone, $$ and %%", "$ and % alone, $$ and %%"),
    ("a\\nb\\t\\\"q\\\"\\\\", 'a\nb\t"q"\\'), ("\\u00e9t\\U0001F600", "ét\U0001F600"),
    ("x$${y}%%{z}", "x${y}%{z}"), ("$${", "${"), ("", ""),
])
def test_unescape(raw: str, value: str) -> None:
    assert cst.unescape(raw) == value and type(cst.unescape(raw)) is str


def test_label_values_quoted_bare_and_empty() -> None:
    block = tffix.parse('resource "aws_s3_bucket" logs {}\ndata "" "a\\"b" {}\n').body.items
    assert [b.label_values for b in block] == [["aws_s3_bucket", "logs"], ["", 'a\\"b']]
