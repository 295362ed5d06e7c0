"""``parse(text, lazy=True)``: the same checks, errors and tree as the eager
parse, with the top-level items built on first use and printed from the
source text while they are not."""

from __future__ import annotations

import csv
import random
from pathlib import Path

import pytest
import tffix
from hypothesis import given
from tffix.syntax import cst
from tffix.syntax.format import format_code, format_pieces
from tffix.syntax.parser import parse

from .conftest import CASES, ROOT
from .test_format import _load
from .test_property import SETTINGS, bodies, mutated


# the tree as a flat pre-order list (node types with field counts, every token with its
# type, text, trivia and position): one definition, in the bench script that compares corpora
shape = _load("lazy_compare").shape
def error_of(text: str, lazy: bool) -> tuple | None:
    try:
        parse(text, "x.tf", lazy=lazy)
    except tffix.ParseError as err:
        return (err.message, err.path, err.line, err.column, str(err))
    return None


def assert_same(text: str) -> None:
    """Lazy and eager agree: the same error, or the same tree once built."""
    eager_error = error_of(text, lazy=False)
    assert error_of(text, lazy=True) == eager_error
    if eager_error is not None:
        return
    eager = parse(text, "x.tf")
    lazy = parse(text, "x.tf", lazy=True)
    body = lazy.body
    assert isinstance(body, cst.LazyBody)
    assert body.pending == len(eager.body.items)
    assert lazy.code == text
    assert body.pending == len(eager.body.items)  # printing built nothing
    assert shape(lazy) == shape(eager)  # a walk builds every item
    assert body.pending == 0
    assert lazy.code == text


def _sources() -> list[Path]:
    files = [p for p in sorted((ROOT / "tests" / "fixtures").rglob("*")) if p.suffix in (".tf", ".tfvars")]
    files += [p for p in sorted((ROOT / "examples").rglob("*")) if p.suffix in (".tf", ".tfvars")]
    return files


@pytest.mark.parametrize("path", _sources(), ids=lambda p: str(p.relative_to(ROOT)))
def test_repo_files(path: Path) -> None:
    assert_same(path.read_bytes().decode("utf-8"))


def _cases() -> list[str]:
    table = CASES / "verdicts.tsv"
    if not table.exists():
        return []
    with table.open(newline="") as f:
        return [row["file"] for row in csv.DictReader(f, delimiter="\t")]


@pytest.mark.parametrize("variant", ["lf", "crlf"])
@pytest.mark.parametrize("name", _cases() or [pytest.param("none", marks=pytest.mark.skip("no cases"))])
def test_conformance_cases(name: str, variant: str) -> None:
    """Every shared case, accepted (same tree) or rejected (same error)."""
    from .conftest import cases_dir

    text = (cases_dir() / name).read_bytes().decode("utf-8")
    if variant == "crlf":
        text = text.replace("\r\n", "\n").replace("\n", "\r\n")
    assert_same(text)


EDGES = {
    "empty": "",
    "blank lines only": "\n\n",
    "comment only": "# just a comment\n",
    "bom": '\ufeffa = 1\nb "x" {\n  c = 2\n}\n',
    "bom and header": "\ufeff# licence\n\n# about a\na = 1\n",
    "crlf": 'a = 1\r\n\r\nb "x" {\r\n  c = [\r\n    1,\r\n  ]\r\n}\r\n',
    "no final newline": 'a = 1\nb "x" {\n  c = 2\n}',
    "no final newline after a comment": "a = 1 # end",
    "header": "# Copyright\n# licence\n\n# the bucket\nresource \"a\" \"b\" {\n}\n\n# tail\n",
    "two blank lines in the header": "# one\n\n# two\n\n\na = 1\n",
    "heredoc at top level": "a = <<EOT\n  x ${b}\n  }\nEOT\nc = <<-EOF\n  y\n  EOF\n\nd = 1\n",
    "tfvars run": 'region = "us-east-1"\nname   = "x" # a name\ntags   = { a = 1 }\n',
    "one-line blocks": 'a {}\nb "x" { c = 1 }\n',
    "block comment across lines": "a = 1 /* one\ntwo */\nb = 2\n",
    "comment lines between items": "a = 1\n# about b\n// and more\nb = 2\n\n\n/* c */\nc {\n}\n",
    "tabs and spaces": "\ta   =   1  \n  b{\n\tc=2\n }\n",
    "unicode names": "é = 1\nñ \"ü\" {\n  ö = \"ä\"\n}\n",
    "deep nesting": "a = " + "[" * 600 + "]" * 600 + "\n",
    "long chain": "a = " + " + ".join(["1"] * 1500) + "\n",
}

ERRORS = {
    "redefined at top level": "a = 1\nb = 2\na = 3\n",
    "redefined twice": "a = 1\nb = 1\na = 2\nb = 2\n",
    "redefined in a block": 'x "y" {\n  a = 1\n  a = 2\n}\n',
    "redefined, then a syntax error": "a = 1\na = 2\nb = (\n",
    "redefined, then a lexical error": "a = 1\na = 2\nb = \"\n",
    "nested redefinition after a top-level one": 'a = 1\na = 2\nx {\n  b = 1\n  b = 2\n}\n',
    "unexpected end": 'a "b" {\n  c = 1\n',
    "block without labels redefined later": "a {\n}\nb = 1\nb = 1\n",
    "stray brace": "a = 1\n}\n",
    "bad token": "a = 1\nb = 2 3\n",
    "unterminated heredoc": "a = <<EOT\nx\n",
}


@pytest.mark.parametrize("name", list(EDGES))
def test_edge_cases(name: str) -> None:
    assert_same(EDGES[name])


@pytest.mark.parametrize("name", list(ERRORS))
def test_rejected_inputs_give_the_same_error(name: str) -> None:
    assert error_of(ERRORS[name], lazy=True) is not None
    assert_same(ERRORS[name])


@SETTINGS
@given(bodies())
def test_generated_files(text: str) -> None:
    assert_same(text)


@SETTINGS
@given(mutated())
def test_mutated_files(text: str) -> None:
    assert_same(text)


def test_printing_builds_nothing_and_items_build_one_at_a_time() -> None:
    text = "# head\n\na = 1\n\nb \"x\" {\n  c = 2\n}\nd = [\n  3,\n]\n"
    tree = parse(text, lazy=True)
    body = tree.body
    assert isinstance(body, cst.LazyBody)
    assert [type(e) for e in body.entries] == [cst.Stub] * 3
    assert tree.code == text and str(tree) == text
    assert body.pending == 3
    block = body.item(1)
    assert isinstance(block, cst.Block) and block.name == "b.x" and block.line == 5
    assert body.pending == 2
    assert body.entries[1] is block and body.item(1) is block
    assert tree.code == text
    items = body.items
    assert body.pending == 0 and [type(i) for i in items] == [cst.Attribute, cst.Block, cst.Attribute]


def test_editing_one_item_changes_only_its_bytes() -> None:
    text = 'a = 1\n\n# about b\nb "x" {\n  c = 2\n}\n\nd = 4 # four\n'
    tree = parse(text, lazy=True)
    body = tree.body
    block = body.item(1)
    block.body.items[0].value = tffix.parse_expression("20")
    block.body.items[0].value.first_token().pre = " "
    assert tree.code == text.replace("c = 2", "c = 20")
    assert body.pending == 2  # the others were printed from the text
    # the edited tree reads back as the same file
    assert shape(parse(tree.code)) == shape(parse(text.replace("c = 2", "c = 20")))


def test_items_api_on_a_lazy_tree() -> None:
    """Anything that reads items (the ``_HasBody`` helpers, walks, edits) gets nodes."""
    text = 'a = 1\nb "x" {\n}\nb "y" {\n}\n'
    tree = parse(text, lazy=True)
    assert tree.get_attribute("a") is not None
    assert [b.name for b in tree.find_blocks("b")] == ["b.x", "b.y"]
    assert tree.body.pending == 0
    tree.body.items.pop(0)
    assert tree.code == text.replace("a = 1\n", "")


# ---- formatting a lazy tree piece by piece ----------------------------------------


def _format_inputs() -> dict[str, str]:
    from .test_format import _inputs

    texts = dict(_inputs())
    texts.update({f"edge-{k}": v for k, v in EDGES.items()})
    texts.update({f"repo-{p.name}": p.read_bytes().decode() for p in _sources()})
    texts.update(_load("fmt_fuzz").generate(902, 60))
    mutate = _load("fmt_compare").mutate
    rng = random.Random(902)
    for name, text in list(texts.items()):
        texts[f"{name}-mutated"] = mutate(text, rng)
    return texts


FORMAT_INPUTS = _format_inputs()


@pytest.mark.parametrize("compat", [False, True], ids=["default", "compat"])
@pytest.mark.parametrize("name", list(FORMAT_INPUTS))
def test_format_lazy_is_byte_identical(name: str, compat: bool) -> None:
    text = FORMAT_INPUTS[name]
    try:
        expected = format_code(text, compat=compat)
    except tffix.ParseError as err:
        with pytest.raises(tffix.ParseError) as info:
            format_code(text, compat=compat, lazy=True)
        assert str(info.value) == str(err)
        return
    assert format_code(text, compat=compat, lazy=True) == expected
    pieces = list(format_pieces(parse(text, lazy=True), compat=compat))
    assert "".join(before for before, _ in pieces) == text
    assert "".join(after for _, after in pieces) == expected


@SETTINGS
@given(bodies())
def test_format_lazy_generated(text: str) -> None:
    assert format_code(text, lazy=True) == format_code(text)


def test_format_pieces_split_at_blank_lines_only() -> None:
    """A .tfvars run of attributes (aligned together) is one piece; a blank line starts a new one."""
    text = 'a = 1\nbbb = 2 # c\n\n# about x\nx {\n  y = 1\n}\nzz = 3\n\n\nw = 4\n'
    pieces = list(format_pieces(parse(text, lazy=True)))
    assert [before for before, _ in pieces] == ["a = 1\nbbb = 2 # c\n", "\n# about x\nx {\n  y = 1\n}\nzz = 3\n",
                                                "\n\nw = 4\n"]
    assert [after for _, after in pieces] == ["a   = 1\nbbb = 2 # c\n", "\n# about x\nx {\n  y = 1\n}\nzz = 3\n",
                                              "\n\nw = 4\n"]


def test_format_pieces_of_an_edited_lazy_tree() -> None:
    text = 'a = 1\n\nb "x" {\n  c = 2\n}\n\nd = 4\n'
    tree = parse(text, lazy=True)
    block = tree.body.item(1)
    block.body.items[0].value = tffix.parse_expression("[1,2]")
    block.body.items[0].value.first_token().pre = " "
    assert "".join(after for _, after in format_pieces(tree)) == format_code(tree.code)
    assert tree.body.pending == 2


# ---- `tffix fmt` on large files: the runner parses them lazily -----------------------

SCENES: dict[str, dict[str, str]] = {
    "formatted": {"m/main.tf": 'a = 1\n\nresource "x" "y" {\n  b = 2\n}\n', "m/dev.tfvars": 'r = "x"\nname = 1\n'},
    "unformatted": {"m/main.tf": 'a=1\n\n# c\nresource x y {\nb="${var.z}"\n}\n\nlocals {\n  q   = 1\n}\n',
                    "m/dev.tfvars": 'r = "x"\nname = 1\n'},
    "crlf, bom, no final newline": {"m/main.tf": '\ufeffa=1\r\n\r\nb "c" {\r\n d = 2\r\n}'},
    "suppressed": {"m/main.tf": "# tffix:ignore-file TFX901\na=1\n"},
    "wrong label count": {"m/main.tf": "a = 1\n\nresource {\n}\n"},
    "duplicate declarations": {"m/main.tf": 'variable "v" {}\n\nlocals {\n  l = 1\n}\n',
                               "m/other.tf": 'variable "v" {}\n\nlocals {\n  l = 2\n}\nx=1\n'},
    "parse error": {"m/main.tf": "a = 1\n\nb = (\n"},
}


def _run_fmt(root: Path, files: dict[str, str], args: list[str]) -> tuple[int, str, dict[str, str]]:
    import os

    from click.testing import CliRunner
    from tffix.app.cli import main

    for name, content in files.items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(content.encode())
    old = os.getcwd()
    try:
        os.chdir(root)
        result = CliRunner().invoke(main, ["fmt", "-j", "1", *args, "m"], catch_exceptions=False)
    finally:
        os.chdir(old)
    return result.exit_code, result.output, {n: (root / n).read_bytes().decode() for n in files}


@pytest.mark.parametrize("args", [["--check"], [], ["--dry-run"]], ids=["check", "fix", "dry-run"])
@pytest.mark.parametrize("scene", list(SCENES))
def test_fmt_on_large_files_is_the_same_run(scene: str, args: list[str], tmp_path: Path,
                                            monkeypatch: pytest.MonkeyPatch) -> None:
    """With every file "large" (``LAZY_FROM`` = 1), ``tffix fmt`` parses lazily and gives
    exactly the output, exit code and files of the eager run."""
    from tffix.app import runner

    eager = _run_fmt(tmp_path / "eager", SCENES[scene], args)
    lazy_parses: list[str] = []
    real_parse = runner.parse

    def spy(text: str, path: object = None, *, lazy: bool = False) -> cst.File:
        if lazy:
            lazy_parses.append(str(path))
        return real_parse(text, path, lazy=lazy)

    monkeypatch.setattr(runner, "LAZY_FROM", 1)
    monkeypatch.setattr(runner, "parse", spy)
    lazy = _run_fmt(tmp_path / "lazy", SCENES[scene], args)
    assert lazy == eager
    assert len(lazy_parses) >= len(SCENES[scene])


def test_fmt_check_of_a_formatted_large_file_builds_no_item_to_keep(tmp_path: Path,
                                                                     monkeypatch: pytest.MonkeyPatch) -> None:
    """The point of the lazy path: ``tffix fmt --check`` reads a large file a piece at a time
    and keeps none of its items built (the engine once built the module index first, and with
    it every item, to decide which rules to import)."""
    from tffix.app import runner

    trees: list[cst.File] = []
    real_parse = runner.parse

    def spy(text: str, path: object = None, *, lazy: bool = False) -> cst.File:
        tree = real_parse(text, path, lazy=lazy)
        trees.append(tree)
        return tree

    monkeypatch.setattr(runner, "LAZY_FROM", 1)
    monkeypatch.setattr(runner, "parse", spy)
    text = "".join(f'resource "aws_s3_bucket" "b{i}" {{\n  bucket = "b{i}"\n}}\n\n' for i in range(20))
    code, _, _ = _run_fmt(tmp_path, {"m/main.tf": text}, ["--check"])
    assert code == 0 and len(trees) == 1
    assert trees[0].body.pending == 20


def test_only_runs_of_lazy_rules_get_lazy_trees() -> None:
    from tffix.app import runner
    from tffix.transforms.rds.db_publicly_accessible import DbPubliclyAccessible
    from tffix.transforms.terraform.terraform_fmt import TerraformFmt

    assert runner.lazy_rules([TerraformFmt])
    assert not runner.lazy_rules([TerraformFmt, DbPubliclyAccessible])
    assert not runner.lazy_rules([])


def test_first_changed_line_reads_pieces_in_step() -> None:
    """The finding's line from pieces equals ``first_difference`` on the whole texts,
    also when a piece gains or loses lines."""
    from tffix.transforms.terraform.terraform_fmt import _first_changed_line, first_difference

    cases = [
        [("a\n", "a\n"), ("b\n", "b\n")],
        [("a\n", "a\n"), ("b\nc\n", "b\nC\n")],
        [("a\n", "a\nx\n"), ("x\n", "x\n"), ("y\n", "y\n")],  # a line more, equal to the next piece's
        [("a\nx\n", "a\n"), ("x\n", "x\n")],
        [("a\n", "a\n"), ("b", "b\n")],
        [("a\r\nb\n", "a\r\nb\n"), ("c\u2028d\n", "c\u2028e\n")],
    ]
    for pieces in cases:
        before = "".join(b for b, _ in pieces)
        after = "".join(a for _, a in pieces)
        expected = None if before == after else first_difference(before, after)
        assert _first_changed_line(iter(pieces)) == expected, pieces


def test_edits_outside_the_items_print_too() -> None:
    """An untouched lazy tree prints as its source; edits to the header, the lines
    after the last item or the items list still show."""
    text = "# licence\n\na = 1\nb = 2\n# end\n"
    tree = parse(text, lazy=True)
    assert tree.code is text  # no copy
    tree.header[0].pre = "# LICENCE"
    assert tree.code == text.replace("# licence", "# LICENCE")
    tree = parse(text, lazy=True)
    tree.body.trailing[0].pre = "# END"
    assert tree.code == text.replace("# end", "# END")
    tree = parse(text, lazy=True)
    del tree.body.entries[0]
    assert tree.code == text.replace("a = 1\n", "")
    assert tree.body.pending == 1
