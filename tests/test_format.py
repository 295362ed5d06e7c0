"""The formatter: terraform fmt's behaviours as cases, the documented
improvements, idempotence, and an oracle against ``terraform fmt`` (file
mode, byte for byte) over the cases, every hcl-case terraform accepts, our
fixtures, and whitespace-mutated copies of them."""

from __future__ import annotations

import importlib.util
import os
import random
import re
import subprocess
import tempfile
from pathlib import Path

import pytest
import tffix
from tffix import edit
from tffix.syntax import cst
from tffix.syntax import format as fmt
from tffix.syntax.format import IMPROVEMENTS, escape_label, format_code, format_tree
from tffix.syntax.layout import columns

from .conftest import CASES as HCL_CASES
from .conftest import FIXTURES, TERRAFORM, needs_terraform

FORMAT_FIXTURES = FIXTURES / "format"

# name -> (input, what terraform fmt writes); the oracle test checks every
# expected output against terraform itself.
CASES: dict[str, tuple[str, str]] = {
    "arithmetic": ("a = 1+2*3-4/5%6\n", "a = 1 + 2 * 3 - 4 / 5 % 6\n"),
    "logic": ("b = x==1&&y!=2||!z\n", "b = x == 1 && y != 2 || !z\n"),
    "unary-minus": ("c = [-1, - 2, 1 - -2, x * -y, (-a), a-1]\n", "c = [-1, -2, 1 - -2, x * -y, (-a), a-1]\n"),
    # after `${` hclwrite takes a minus for a subtraction
    "minus-in-interpolation": ('k = "a ${-1} ${ x }"\n', 'k = "a ${- 1} ${x}"\n'),
    "bang": ("b = ! x\n", "b = !x\n"),
    "conditional": ("a = x?1:2\n", "a = x ? 1 : 2\n"),
    "commas": ("f = f(a ,b,c)\ng = [1,2,]\nh = f(x ...)\n", "f = f(a, b, c)\ng = [1, 2, ]\nh = f(x...)\n"),
    "brackets": (
        "x = [ 1, 2 ]\ny = ( a )\nz = foo [0]\nw = f(x) [0]\nv = \"abc\" [0]\nu = a . b [ * ] . c\nt = a.*.b\n",
        'x = [1, 2]\ny = (a)\nz = foo[0]\nw = f(x)[0]\nv = "abc" [0]\nu = a.b[*].c\nt = a.*.b\n',
    ),
    "objects-and-for": (
        "o = {a=1,b=2}\np = { }\nq = {for k, v in m : k => v...}\nr = [for x in [1]: x if x>0]\n",
        "o = { a = 1, b = 2 }\np = {}\nq = { for k, v in m : k => v... }\nr = [for x in [1] : x if x > 0]\n",
    ),
    "provider-function": ("s = provider :: aws :: arn_parse(x)\n", "s = provider::aws::arn_parse(x)\n"),
    "template-directives": ('c = "%{ if x }y%{ else }z%{ endif }"\n', 'c = "%{if x}y%{else}z%{endif}"\n'),
    "interpolation-object": ('e = "${ {a=1} } x"\n', 'e = "${ { a = 1 } } x"\n'),
    "heredoc": (
        "a = <<EOT\n  keep   ${ var.x }  \n\tEOT\nbb = <<-EOT\n    x\n  EOT\nc = 1\n",
        "a  = <<EOT\n  keep   ${var.x}  \n\tEOT\nbb = <<-EOT\n    x\n  EOT\nc  = 1\n",
    ),
    "heredoc-in-call": (
        'x = jsonencode(<<EOT\n{ "a" : 1 }\nEOT\n)\ny = 2\n',
        'x = jsonencode(<<EOT\n{ "a" : 1 }\nEOT\n)\ny = 2\n',
    ),
    "comment-alignment": (
        "a = 1 # one\nbbb = 2 # two\n\ncc = 3 /* three */\nd = 4 # four\n",
        "a   = 1 # one\nbbb = 2 # two\n\ncc = 3 /* three */\nd  = 4 # four\n",
    ),
    "comments-in-tuple": (
        "x = [\n  1, # one\n  100, # hundred\n  # own line\n    2\n]\n",
        "x = [\n  1,   # one\n  100, # hundred\n  # own line\n  2\n]\n",
    ),
    "nested-indentation": (
        'resource "a" "b" {\nx = 1\n    nested {\n  y = 2\n      deeper {\n z = [\n1,\n      2,\n]\n}\n}\n}\n',
        'resource "a" "b" {\n  x = 1\n  nested {\n    y = 2\n    deeper {\n      z = [\n        1,\n        2,\n'
        "      ]\n    }\n  }\n}\n",
    ),
    "continuation-lines": (
        "a = f(x,\ny,\n  z)\nb = [\n  for x in y :\n  x\n]\n",
        "a = f(x,\n  y,\nz)\nb = [\n  for x in y :\n  x\n]\n",
    ),
    "unbalanced-lines": ("x = [{\n  a = 1\n  }, {\n  b = 2\n}]\n", "x = [{\n  a = 1\n  }, {\n  b = 2\n}]\n"),
    "crlf": ("a = 1\r\nbb = {\r\n  c = 2 # x\r\n}\r\n", "a = 1\r\nbb = {\r\n  c = 2 # x\r\n}\r\n"),
    "bom": ("\ufeffa  = 1\n", "a = 1\n"),
    "tabs": (
        'a\t=\t"\tx"\n\tb = 1 #\tc\nc = <<EOT\n\tkeep\nEOT\n',
        'a = "\tx"\nb = 1 #\tc\nc = <<EOT\n\tkeep\nEOT\n',
    ),
    "blank-lines-kept": ("\n\n  \na = 1\n  \n\n\nb = 2\n\n\n", "\n\n\na = 1\n\n\n\nb = 2\n\n\n"),
    "trailing-spaces": ("a = 1   \n# c   \nb {   \n  c = 2  \n}  \n", "a = 1\n# c   \nb {\n  c = 2\n}\n"),
    "no-final-newline": ("a  =  1", "a = 1"),
    "empty-file": ("", ""),
    "unwrap-interpolation": (
        'a = "${x}"\nb = "${x} y"\nc = { d = "${x}" }\ne = f("${x}")\nf = "${a ? b : c}"\ng = "${\n  x\n}"\n',
        'a = x\nb = "${x} y"\nc = { d = "${x}" }\ne = f("${x}")\nf = a ? b : c\ng = x\n',
    ),
    "unwrap-multiline": (
        'h = "${a ?\n b : c}"\ni = "${(a ?\n b : c)}"\nj = "${foo(\n1)}"\nk = "${~ x ~}"\n',
        "h = (a ?\nb : c)\ni = (a ?\nb : c)\nj = (foo(\n1))\nk = x\n",
    ),
    "unwrap-in-blocks": (
        'resource "x" "y" {\n  a = "${var.a}"\n  b { c = "${var.c}" }\n}\n',
        'resource "x" "y" {\n  a = var.a\n  b { c = var.c }\n}\n',
    ),
    "legacy-types": (
        'variable "a" {\n  type = "string"\n}\nvariable "b" {\n  type = "list"\n}\nvariable "c" {\n  type = "map"\n}\n'
        'variable "d" {\n  type = set\n}\nvariable "e" {\n  type = "set"\n}\nvariable "f" {\n  type = "${string}"\n'
        '  default = "${x}"\n}\nlocals {\n  type = "string"\n}\nmodule "m" {\n  variable "x" {\n    type = "string"\n'
        "  }\n}\n",
        'variable "a" {\n  type = string\n}\nvariable "b" {\n  type = list(string)\n}\nvariable "c" {\n'
        '  type = map(string)\n}\nvariable "d" {\n  type = set(any)\n}\nvariable "e" {\n  type = "set"\n}\n'
        'variable "f" {\n  type    = "${string}"\n  default = x\n}\nlocals {\n  type = "string"\n}\nmodule "m" {\n'
        '  variable "x" {\n    type = "string"\n  }\n}\n',
    ),
    "legacy-type-keeps-comment": (
        'variable "c" {\n  type = "string" # c\n}\n',
        'variable "c" {\n  type = string # c\n}\n',
    ),
    "labels": (
        'resource aws_s3_bucket b {}\nx "\\u0041\\t" {}\ny "\u00a0" {}\nz "" {}\n',
        'resource "aws_s3_bucket" "b" {}\nx "A\\t" {}\ny "\\u00a0" {}\nz "" {}\n',
    ),
    "one-line-blocks": (
        'k { }\nl {a=1}\nm "n" {   }\no {\n}\n',
        'k {}\nl { a = 1 }\nm "n" {}\no {\n}\n',
    ),
    "assignment-chains": (
        "a = 1\nlong_name = 2\nb {}\nc = 3\ndd = {\n  e = 1\n}\nf = 4\n# comment\ngggg = 5\nh = <<EOT\nx\nEOT\n"
        "iii = 6\n",
        "a         = 1\nlong_name = 2\nb {}\nc = 3\ndd = {\n  e = 1\n}\nf = 4\n# comment\ngggg = 5\nh    = <<EOT\n"
        "x\nEOT\niii  = 6\n",
    ),
    "grapheme-widths": (
        'x = {\n  "é" = 1\n  "e\u0301e" = 2\n  "日本" = 3\n}\n',
        'x = {\n  "é"  = 1\n  "e\u0301e" = 2\n  "日本" = 3\n}\n',
    ),
    "label-comment-before-brace": ('a "b" /* c */ {}\n', 'a "b" /* c */ {}\n'),
}

# name -> (input, tffix's output, terraform's output): the documented improvements
IMPROVED: dict[str, tuple[str, str, str]] = {
    "label-comments": (
        'resource /* k */ "x" /* n */ "y" {}\n',
        'resource /* k */ "x" /* n */ "y" {}\n',
        'resource "x" "y" {}\n',
    ),
    "dollar-labels": (
        'resource "x" "a$b" {}\nresource "x" "50%" {}\nresource "x" "$" {}\n',
        'resource "x" "a$b" {}\nresource "x" "50%" {}\nresource "x" "$" {}\n',
        'resource "x" {}\nresource "x" {}\nresource "x" "$" {}\n',
    ),
    "nested-interpolation": ('a = "${"${"${x}"}"}"\n', "a = x\n", 'a = "${"${x}"}"\n'),
    "paren-check": ('b = "${(a) +\n(b)}"\n', "b = ((a) +\n(b))\n", "b = (a) +\n(b)\n"),
    "line-comments": (
        'a = "${ # c\n x\n}"\nb = "${x # d\n}"\nc = "${1 || # e\n 2}"\nd = "${f(x, # f\n y)}"\n',
        "a = ( # c\nx)\nb = (x # d\n)\nc = (1 || # e\n2)\nd = f(x, # f\ny)\n",
        "a = # c\nx\nb = x # d\n\nc = 1 || # e\n2\nd = f(x, # f\ny)\n",
    ),
    "heredoc-end": (
        'b { a = "${<<EOT\nx\nEOT\n}" }\nc = "${<<EOT\ny\nEOT\n}" /* c */\nd = "${<<EOT\nz\nEOT\n}"\n',
        "b { a = (<<EOT\nx\nEOT\n) }\nc = (<<EOT\ny\nEOT\n) /* c */\nd = <<EOT\nz\nEOT\n",
        # hclwrite stops counting brackets at a heredoc: the `}` after it does not dedent
        "b { a = <<EOT\nx\nEOT }\n  c = <<EOT\ny\nEOT /* c */\n  d = <<EOT\nz\nEOT\n",
    ),
    "eof-spaces": ("a = 1\n   ", "a = 1\n", "a = 1\n   "),
    "index-keys": (
        'a = var.m[true]\nb = [for v in x : v[null]]\nc = [for v in x : var.y[ /* c */ false ]]\n'
        'd = var.a["k"][0].b[null]\ne = var.a[var.b[true]][null]\nf = "${var.x[true]}"\n',
        'a = var.m[true]\nb = [for v in x : v[null]]\nc = [for v in x : var.y[/* c */ false]]\n'
        'd = var.a["k"][0].b[null]\ne = var.a[var.b[true]][null]\nf = var.x[true]\n',
        'a = var.m[]\nb = [for v in x : v[null]]\nc = [for v in x : var.y[]]\nd = var.a["k"][0].b[]\n'
        'e = var.a[var.b[]][null]\nf = var.x[]\n',
    ),
}


@pytest.mark.parametrize("name", CASES)
def test_terraform_behaviour(name: str) -> None:
    text, expected = CASES[name]
    assert format_code(text) == expected
    assert format_code(text, compat=True) == expected


@pytest.mark.parametrize("name", IMPROVED)
def test_improvement(name: str) -> None:
    text, ours, theirs = IMPROVED[name]
    assert name in IMPROVEMENTS
    assert format_code(text) == ours
    assert format_code(text, compat={name}) == theirs
    assert format_code(text, compat=True) == theirs
    tffix.parse(ours)  # always valid


def test_bom_only_file() -> None:
    assert format_code("\ufeff") == ""
    assert format_code("\ufeff", compat=True) == "   "  # hclwrite counts the BOM's bytes as spaces


def test_escape_label() -> None:
    assert escape_label('a"b\\c\n\r\t') == 'a\\"b\\\\c\\n\\r\\t'
    assert escape_label("${x} %{y} $z %") == "$${x} %%{y} $z %"
    assert escape_label("\u200b\x01\U000e0001") == "\\u200b\\u0001\\U000e0001"
    assert escape_label("é日本 ") == "é日本 "


def test_columns_count_grapheme_clusters() -> None:
    assert columns("abc") == 3
    assert columns("a\r\nb") == 3
    assert columns("e\u0301") == 1
    assert columns("👍🏽") == 1


def test_format_tree_works_in_place() -> None:
    tree = tffix.parse('resource x y {\nacl="private"\n}\n')
    block = tree.body.items[0]
    assert format_tree(tree) is tree
    assert tree.body.items[0] is block
    assert tree.code == 'resource "x" "y" {\n  acl = "private"\n}\n'
    assert [label.value for label in block.labels] == ["x", "y"]


def test_parse_errors_propagate() -> None:
    with pytest.raises(tffix.ParseError):
        format_code("a = \n")


def test_edit_api_output_is_formatted() -> None:
    """The edit API and the formatter share the layout rules: whatever the
    edit API writes is already formatted."""
    tree = tffix.parse('resource "x" "y" {\n  e\u0301 = 1 # one\n  ab = 2 /* two */\n}\n')
    block = tree.body.items[0]
    edit.set_attribute(block, "longer_name", {"k": 1, "kkk": [1, 2]})
    edit.set_attribute(block, "abc", True, after="e\u0301")
    text = tree.code
    assert format_code(text) == text
    assert text == (
        'resource "x" "y" {\n  e\u0301   = 1 # one\n  abc = true\n  ab  = 2 /* two */\n  longer_name = {\n'
        "    k   = 1\n    kkk = [1, 2]\n  }\n}\n"
    )


# ---- idempotence ---------------------------------------------------------------


def _inputs() -> dict[str, str]:
    texts = {f"case-{k}": v[0] for k, v in CASES.items()}
    texts.update({f"improved-{k}": v[0] for k, v in IMPROVED.items()})
    for path in sorted(FORMAT_FIXTURES.glob("*.tf")):
        texts[f"fixture-{path.name}"] = path.read_bytes().decode()
    if HCL_CASES.is_dir():
        for path in sorted(HCL_CASES.glob("*.tf")):
            texts[f"hcl-case-{path.name}"] = path.read_bytes().decode()
    return texts


def test_idempotent() -> None:
    for name, text in _inputs().items():
        try:
            once = format_code(text)
        except tffix.ParseError:
            continue
        assert format_code(once) == once, name


# ---- the oracle: terraform fmt itself ----------------------------------------------


def terraform_fmt_files(texts: dict[str, str]) -> dict[str, str | None]:
    """``terraform fmt`` (file mode: exact bytes, no added final newline) on
    many texts in one run; None for texts terraform rejects."""
    assert TERRAFORM is not None
    env = dict(os.environ, TF_CLI_CONFIG_FILE=os.devnull, CHECKPOINT_DISABLE="1")
    with tempfile.TemporaryDirectory() as tmp:
        paths = {}
        for i, (name, text) in enumerate(texts.items()):
            path = Path(tmp) / f"f{i:04d}.tf"
            path.write_bytes(text.encode())
            paths[name] = path
        proc = subprocess.run([TERRAFORM, "fmt", "-no-color", "-recursive", tmp], capture_output=True, env=env)
        rejected = set(re.findall(r"(f\d{4}\.tf) line \d+", proc.stderr.decode(errors="replace")))
        return {name: None if p.name in rejected else p.read_bytes().decode() for name, p in paths.items()}


@needs_terraform
def test_oracle_cases() -> None:
    texts = {f"case-{k}": v[0] for k, v in CASES.items()}
    texts.update({f"improved-{k}": v[0] for k, v in IMPROVED.items()})
    results = terraform_fmt_files(texts)
    for name, (_, expected) in CASES.items():
        assert results[f"case-{name}"] == expected, name
    for name, (_, _, theirs) in IMPROVED.items():
        assert results[f"improved-{name}"] == theirs, name


@needs_terraform
def test_oracle_fixtures_and_hcl_cases() -> None:
    """Every fixture and every hcl-case terraform accepts, as written and with
    its whitespace mutated three times: tffix with ``compat`` writes exactly
    terraform's bytes (so where the default output differs, only the
    documented improvements explain it)."""
    if not HCL_CASES.is_dir():
        pytest.skip(f"conformance cases not found at {HCL_CASES}")
    mutate = _load("fmt_compare").mutate
    rng = random.Random(901)
    texts = {}
    for name, text in _inputs().items():
        if name.startswith(("fixture-", "hcl-case-")):
            texts[name] = text
            for i in range(3):
                texts[f"{name}-mutated-{i}"] = mutate(text, rng)
    results = terraform_fmt_files(texts)
    accepted = 0
    for name, text in texts.items():
        expected = results[name]
        if expected is None:
            with pytest.raises(tffix.ParseError):
                tffix.parse(text)
            continue
        accepted += 1
        assert format_code(text, compat=True) == expected, name
    assert accepted > 200


def _load(name: str):  # noqa: ANN202 - a bench script as a module
    path = Path(__file__).resolve().parent.parent / "bench" / f"{name}.py"
    spec = importlib.util.spec_from_file_location(name, path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@needs_terraform
def test_oracle_generated_files() -> None:
    """bench/fmt_fuzz.py's generated files (odd spacing, comments and newlines
    in brackets, heredocs in calls, templates, labels, ...): same verdicts as
    terraform, compat output byte for byte terraform's, default output valid
    and idempotent."""
    fuzz = _load("fmt_fuzz")
    texts = fuzz.generate(901, 100)
    assert fuzz.check(texts, fuzz.terraform_fmt(TERRAFORM, texts)) == []


@needs_terraform
def test_oracle_fmt_clean_output() -> None:
    """tffix's output is a fixpoint of terraform fmt unless an improvement
    keeps something terraform would delete."""
    texts = {}
    for name, text in _inputs().items():
        try:
            texts[name] = format_code(text)
        except tffix.ParseError:
            continue
    results = terraform_fmt_files(texts)
    keeps = ("improved-label-comments", "improved-dollar-labels", "improved-index-keys", "fixture-improvements.tf",
             "hcl-case-72_comments_everywhere.tf")
    for name, text in texts.items():
        if name not in keeps:
            assert results[name] == text, name


def test_every_improvement_is_documented() -> None:
    doc = fmt.__doc__ or ""
    readme = (Path(__file__).resolve().parent.parent / "docs" / "formatting.md").read_text()
    for name in IMPROVEMENTS:
        assert name in IMPROVED, name
        assert f"`{name}`" in readme, name
    assert "tffix does better" in doc


def test_docs_python_example_runs() -> None:
    readme = (Path(__file__).resolve().parent.parent / "docs" / "formatting.md").read_text()
    code = re.search(r"```python\n(.*?)\n```", readme, re.S).group(1)
    tree = tffix.parse("a  = 1\n")
    exec(code, {"text": "a  = 1\n", "tree": tree})  # noqa: S102 - our own docs
    assert tree.code == "a = 1\n"


def test_cst_unchanged_types() -> None:
    tree = format_tree(tffix.parse('a = "${x}"\n'))
    assert isinstance(tree.body.items[0].value, cst.Variable)


@pytest.mark.parametrize("text", [
    'resource "a" "b" {\n  x   =   1\n  yy = "${var.z}"\n}\n',  # a rewrite: the interpolation is unwrapped
    "resource a b {\n  x = 1\n}\n",  # a rewrite: labels are quoted
    'variable "v" {\n  type = "list"\n}\n',  # a rewrite: the legacy type
    "\ufeffa   = 1 # c\nbb = [\n1,\n  2]\n\n\n",  # layout only, and the byte order mark
    'a = "x"\n',  # already formatted
])
@pytest.mark.parametrize("compat", [False, True, ("eof-spaces",)])
def test_formatted_code_leaves_the_tree_alone(text: str, compat: object) -> None:
    tree = tffix.parse(text)
    tokens = [(tok, tok.pre) for tok in tree.tokens()]
    expected = format_tree(tffix.parse(text), compat=compat).code
    assert fmt.formatted_code(tree, compat=compat) == expected == format_code(text, compat=compat)
    assert tree.code == text
    assert [(tok, tok.pre) for tok in tree.tokens()] == tokens
