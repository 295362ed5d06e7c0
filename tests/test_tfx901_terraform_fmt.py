"""TFX901 terraform-fmt."""

from __future__ import annotations

import os
from pathlib import Path

from click.testing import CliRunner
from tffix.app.cli import main
from tffix.engine.engine import select_rules
from tffix.syntax.format import format_code
from tffix.transforms.rds.db_publicly_accessible import DbPubliclyAccessible
from tffix.transforms.registry import OPT_IN, RULES
from tffix.transforms.terraform.terraform_fmt import TerraformFmt as R
from tffix.transforms.terraform.terraform_fmt import first_difference

from .conftest import FIXTURES, needs_terraform
from .rulekit import check_fix, findings, fix, unchanged
from .test_format import terraform_fmt_files

MESSY = (FIXTURES / "format" / "messy.tf").read_text()

UNFORMATTED = """\
resource aws_s3_bucket logs {
bucket="${var.prefix}-logs"
    force_destroy = true # test only
}
"""

FORMATTED = """\
resource "aws_s3_bucket" "logs" {
  bucket        = "${var.prefix}-logs"
  force_destroy = true # test only
}
"""


def test_docs_example_is_what_the_fix_writes() -> None:
    out, result = fix(R, UNFORMATTED)
    assert out["main.tf"] == FORMATTED
    (record,) = result.fixed
    assert record.rule_id == "TFX901" and record.safety == "safe" and record.impact == "none"
    assert record.line == 1


def test_messy_module(snapshot) -> None:
    assert check_fix(R, MESSY) == snapshot


def test_formatted_file_is_left_alone() -> None:
    assert unchanged(R, FORMATTED)
    assert findings(R, FORMATTED) == []


def test_finding_is_on_the_first_line_that_differs() -> None:
    text = 'locals {\n  a = 1\n\n  # note\n  b   = 2\n}\n'
    _, result = fix(R, text, apply_fixes=False)
    (record,) = result.remaining
    assert (record.line, record.column, record.fixable) == (5, 1, True)
    assert record.message == "main.tf is not formatted as terraform fmt writes it (first difference on line 5)"


def test_first_difference() -> None:
    assert first_difference("a\nb\n", "a\nc\n") == 2
    assert first_difference("a\n   ", "a\n") == 2
    assert first_difference("\ufeffa\n", "a\n") == 1


def test_one_finding_per_unformatted_file_tfvars_included() -> None:
    files = {"a.tf": FORMATTED, "b.tf": UNFORMATTED, "dev.tfvars": 'region="eu-west-1"\nenvironment = "dev"\n'}
    assert findings(R, files, apply_fixes=False) == [("TFX901", 1, True), ("TFX901", 1, True)]
    out, result = fix(R, files)
    assert out["a.tf"] == FORMATTED
    assert out["b.tf"] == FORMATTED
    assert out["dev.tfvars"] == 'region      = "eu-west-1"\nenvironment = "dev"\n'
    assert {r.path for r in result.fixed} == {"b.tf", "dev.tfvars"}


def test_suppressions() -> None:
    ignore_file = "# tffix:ignore-file[TFX901]\n" + UNFORMATTED
    assert unchanged(R, ignore_file)
    on_line = 'a = 1\n\nbb  = 2 # tffix:ignore[TFX901]\n'
    assert unchanged(R, on_line)
    elsewhere = 'a = 1 # tffix:ignore[TFX901]\n\nbb  = 2\n'
    assert not unchanged(R, elsewhere)


def test_opt_in() -> None:
    assert "TFX901" in OPT_IN
    assert R not in select_rules(RULES, None, (), OPT_IN)
    assert R not in select_rules(RULES, ["ALL"], (), OPT_IN)
    assert R in select_rules(RULES, ["TFX901"], (), OPT_IN)
    assert R in select_rules(RULES, ["TFX9"], (), OPT_IN)


def test_terraform_compat_option() -> None:
    text = 'resource "x" /* kind */ "y" {\n  a = "${"${var.a}"}"\n}\n'
    out, _ = fix(R, text)
    assert out["main.tf"] == 'resource "x" /* kind */ "y" {\n  a = var.a\n}\n'
    # terraform loses the comment; the engine's second round finishes the unwrapping
    out, result = fix(R, text, rule_options={"TFX901": {"terraform-compat": True}})
    assert out["main.tf"] == 'resource "x" "y" {\n  a = var.a\n}\n'
    assert len(result.fixed) == 2


def test_with_another_rule_in_the_same_run() -> None:
    text = 'resource "aws_db_instance" "db" {\nengine = "postgres"\n    publicly_accessible = true\n}\n'
    out, result = fix([R, DbPubliclyAccessible], text)
    assert out["main.tf"] == (
        'resource "aws_db_instance" "db" {\n  engine              = "postgres"\n  publicly_accessible = false\n}\n'
    )
    assert sorted(r.rule_id for r in result.fixed) == ["TFX201", "TFX901"]
    again, second = fix([R, DbPubliclyAccessible], out["main.tf"])
    assert again["main.tf"] == out["main.tf"] and not second.fixed


def test_unparseable_file_is_not_touched(tmp_path: Path) -> None:
    (tmp_path / "bad.tf").write_text("a = \n")
    (tmp_path / "good.tf").write_text(UNFORMATTED)
    old = os.getcwd()
    try:
        os.chdir(tmp_path)
        r = CliRunner().invoke(main, ["--select", "TFX901", "."], catch_exceptions=False)
    finally:
        os.chdir(old)
    assert r.exit_code != 0
    assert (tmp_path / "bad.tf").read_text() == "a = \n"
    assert (tmp_path / "good.tf").read_text() == UNFORMATTED  # a module with a broken file gets no fixes


def test_cli_formats_tf_and_tfvars(tmp_path: Path) -> None:
    (tmp_path / "main.tf").write_text(UNFORMATTED)
    (tmp_path / "dev.tfvars").write_text('a="b"\n')
    old = os.getcwd()
    try:
        os.chdir(tmp_path)
        r = CliRunner().invoke(main, ["--select", "TFX901", "."], catch_exceptions=False)
    finally:
        os.chdir(old)
    assert r.exit_code == 0, r.output
    assert (tmp_path / "main.tf").read_text() == FORMATTED
    assert (tmp_path / "dev.tfvars").read_text() == 'a = "b"\n'


def test_a_directory_of_tfvars_alone_is_formatted_and_nothing_else_runs(tmp_path: Path) -> None:
    """`terraform fmt envs/` formats envs/prod.tfvars; tffix did nothing there (no .tf files)."""
    (tmp_path / "envs").mkdir()
    (tmp_path / "envs" / "prod.tfvars").write_text('a="b"\nlong_name=1\n')
    old = os.getcwd()
    try:
        os.chdir(tmp_path)
        everything = CliRunner().invoke(main, ["--check", "--unsafe-fixes", "envs"], catch_exceptions=False)
        r = CliRunner().invoke(main, ["fmt", "envs"], catch_exceptions=False)
    finally:
        os.chdir(old)
    assert everything.exit_code == 0 and "TFX" not in everything.output  # no versions.tf for variable files
    assert r.exit_code == 0, r.output
    assert (tmp_path / "envs" / "prod.tfvars").read_text() == 'a         = "b"\nlong_name = 1\n'
    assert sorted(p.name for p in (tmp_path / "envs").iterdir()) == ["prod.tfvars"]


@needs_terraform
def test_fix_is_terraform_fmt() -> None:
    out, _ = fix(R, {"messy.tf": MESSY, "u.tf": UNFORMATTED})
    theirs = terraform_fmt_files({"messy.tf": MESSY, "u.tf": UNFORMATTED})
    assert out == theirs
    assert out["messy.tf"] == format_code(MESSY)
