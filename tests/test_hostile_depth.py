"""Deep nesting: Terraform accepts tens of thousands of nested brackets or
blocks, so tffix must parse, print and check them without a RecursionError."""

from __future__ import annotations

import pytest
from tffix.syntax.parser import parse


def _blocks(n: int) -> str:
    return "".join("b {\n" for _ in range(n)) + "".join("}\n" for _ in range(n))


def _attr(expr: str) -> str:
    return f"x = {expr}\n"


SHAPES = {
    "blocks": _blocks,
    "brackets": lambda n: _attr("[" * n + "1" + "]" * n),
    "calls": lambda n: _attr("f(" * n + "1" + ")" * n),
    "unary": lambda n: _attr("-" * n + "1"),
    "conditionals": lambda n: _attr("a ? " * n + "1" + " : 2" * n),
    "plus chain": lambda n: _attr(" + ".join(["a"] * n)),
    "objects": lambda n: _attr("{a = " * n + "1" + "}" * n),
    "templates": lambda n: _attr('"${' * n + "1" + '}"' * n),
    "index": lambda n: _attr("a" + "[b" * n + "]" * n),
    "for": lambda n: _attr("[for x in " * n + "a" + " : x]" * n),
}

# the depths (where tffix used to fail and terraform does not), and far beyond
DEPTHS = {"blocks": (490, 5000)}


@pytest.mark.parametrize("shape", sorted(SHAPES))
def test_deep_nesting_parses_and_prints_byte_identically(shape: str) -> None:
    for depth in DEPTHS.get(shape, (992, 5000)):
        src = SHAPES[shape](depth)
        tree = parse(src)
        assert tree.code == src
        assert "".join(t.pre + t for t in tree.tokens()) == src


def test_rules_run_on_deep_modules_and_other_modules_are_fixed(tmp_path) -> None:
    from click.testing import CliRunner
    from tffix.app.cli import main

    db = 'resource "aws_db_instance" "a" {{\n  engine = "postgres"\n  x = {}\n}}\n'
    deep = {  # the part each fix must leave alone
        "blocks": _blocks(490),
        "brackets": "[" * 992 + "1" + "]" * 992,
        "calls": "f(" * 992 + "1" + ")" * 992,
        "plus": " + ".join(["a"] * 992),
        "objects": "{a = " * 992 + "1" + "}" * 992,
    }
    for name, part in {**deep, "plain": "1"}.items():
        text = 'resource "aws_s3_bucket" "b" {\n' + part + "}\n" if name == "blocks" else db.format(part)
        (tmp_path / name).mkdir()
        (tmp_path / name / "main.tf").write_text(text)
    r = CliRunner().invoke(main, ["--select", "TFX5,TFX7,TFX8", "-j", "1", str(tmp_path)],
                           catch_exceptions=False)
    assert "internal error" not in r.output and "skipped" not in r.output, r.output
    assert r.exit_code == 1  # findings with unsafe fixes remain; no error
    assert "backup_retention_period" in (tmp_path / "plain" / "main.tf").read_text()
    for name, part in deep.items():
        assert part in (tmp_path / name / "main.tf").read_text()  # fixed around, never mangled
