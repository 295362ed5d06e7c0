"""Smaller hostile cases: odd file names in diffs, huge lines in syntax
errors, typos in the config, directories that cannot be read."""

from __future__ import annotations

import errno
import os
import shutil
import subprocess
from pathlib import Path

import pytest
from click.testing import CliRunner
from tffix.app.cli import main
from tffix.syntax.errors import ParseError
from tffix.syntax.parser import parse

MISSING = 'resource "aws_db_instance" "a" {\n  engine = "postgres"\n}\n'


def tffix(*args: str, cwd: Path | None = None):
    old = os.getcwd()
    try:
        if cwd is not None:
            os.chdir(cwd)
        return CliRunner().invoke(main, list(args), catch_exceptions=False)
    finally:
        os.chdir(old)


# ---- diff headers -------------------------------------------------------------------------------


@pytest.mark.skipif(shutil.which("patch") is None, reason="GNU patch is not installed")
@pytest.mark.parametrize("name", ["sp ace", "tab\there", "new\nline", 'q"uote', "back\\slash", "é"])
def test_dry_run_diff_applies_with_patch_whatever_the_name(tmp_path: Path, name: str) -> None:
    (tmp_path / name).mkdir()
    (tmp_path / name / "main.tf").write_text(MISSING)
    r = tffix("--select", "TFX201", "--dry-run", name, cwd=tmp_path)
    assert r.exit_code == 1
    p = subprocess.run(["patch", "-p1"], input=r.stdout_bytes, cwd=tmp_path, capture_output=True, timeout=30)
    assert p.returncode == 0, p.stdout + p.stderr
    assert "publicly_accessible = false" in (tmp_path / name / "main.tf").read_text()


def test_absolute_path_through_a_symlink_is_still_relative_in_headers(tmp_path: Path) -> None:
    (tmp_path / "real" / "mod").mkdir(parents=True)
    (tmp_path / "real" / "mod" / "main.tf").write_text(MISSING)
    (tmp_path / "link").symlink_to(tmp_path / "real", target_is_directory=True)
    r = tffix("--select", "TFX201", "--dry-run", str(tmp_path / "link" / "mod"), cwd=tmp_path / "real")
    assert r.stdout.startswith("--- a/mod/main.tf\n+++ b/mod/main.tf\n"), r.stdout[:200]


# ---- huge lines ---------------------------------------------------------------------------------


@pytest.mark.parametrize("src", [
    'x = "' + "a" * 1_000_000 + '" ]\n',
    "x = 1 " + "a" * 1_000_000 + "\n",
    'x = "' + "a" * 1_000_000 + "\n",
    "x = ) " + "a" * 1_000_000 + "\n",
])
def test_syntax_error_on_a_huge_line_is_short(src: str) -> None:
    with pytest.raises(ParseError) as info:
        parse(src, "f.tf")
    text = str(info.value)
    assert len(text) < 500
    _, shown, caret = text.split("\n")
    at = caret.index("^")
    full = src.split("\n")[0]
    column = info.value.column
    if column <= len(full):  # the caret is under the same character as in the whole line
        assert shown[at] == full[column - 1]
    else:
        assert at == len(shown)


# ---- config typos -------------------------------------------------------------------------------


@pytest.mark.parametrize("config,message", [
    ('ignore = ["TFX999"]\n', "'ignore': unknown rule id or prefix: TFX999"),
    ('extend-safe-fixes = ["TFX1O1"]\n', "'extend-safe-fixes': unknown rule id or prefix: TFX1O1"),
    ('extend-unsafe-fixes = ["NOPE"]\n', "'extend-unsafe-fixes': unknown rule id or prefix: NOPE"),
    ("[rules.TFX999]\nx = 1\n", "[rules.TFX999]: unknown rule id"),
    ("[rules.TFX701]\nretention_days = 30\n",
     "[rules.TFX701]: unknown option(s) retention_days (options of TFX701: retention-days)"),
])
def test_unknown_ids_and_options_in_the_config_are_errors(tmp_path: Path, config: str, message: str) -> None:
    (tmp_path / "main.tf").write_text(MISSING)
    (tmp_path / ".tffix.toml").write_text(config)
    r = tffix("--check", str(tmp_path))
    assert r.exit_code == 2
    assert f"tffix: {tmp_path / '.tffix.toml'}: {message}" in r.stderr


# ---- unreadable directories -----------------------------------------------------------------------


def test_unreadable_subdirectory_is_reported(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    for name in ("ok", "locked"):
        (tmp_path / name).mkdir()
        (tmp_path / name / "main.tf").write_text(MISSING)
    real = os.scandir

    def scandir(path="."):
        if Path(path).name == "locked":  # what mode 000 does for anyone but root
            raise PermissionError(errno.EACCES, "Permission denied", str(path))
        return real(path)

    monkeypatch.setattr(os, "scandir", scandir)
    r = tffix("--check", "--select", "TFX201", str(tmp_path))
    assert r.exit_code == 2
    assert f"{tmp_path / 'locked'}: cannot read directory: Permission denied; skipped" in r.stderr
    assert "ok/main.tf" in r.stdout


# ---- what terraform rejects beyond HCL's grammar ---------------------------------------------------


@pytest.mark.parametrize("text,message", [
    ("resource {}\n", "1:10: parse error: Missing type for resource: all resource blocks must have 2 label(s)"),
    ('resource "aws_s3_bucket" {}\n', "1:26: parse error: Missing name for resource"),
    ('locals "x" {}\n', "1:8: parse error: Extraneous label for locals: only 0 label(s) expected"),
    ('variable "a" "b" {}\n', "1:14: parse error: Extraneous label for variable"),
    ('x = "\\U00110000"\n', "1:6: parse error: Invalid escape sequence \\U00110000: cannot encode character U+110000"),
    ('x = "\\ud800"\n', "1:6: parse error: Invalid escape sequence \\ud800: cannot encode character U+D800"),
])
def test_blocks_and_escapes_terraform_rejects_are_one_error(tmp_path: Path, text: str, message: str) -> None:
    (tmp_path / "bad").mkdir()
    (tmp_path / "bad" / "main.tf").write_text(text)
    (tmp_path / "bad" / "db.tf").write_text(MISSING)
    (tmp_path / "good").mkdir()
    (tmp_path / "good" / "main.tf").write_text(MISSING)
    r = tffix("--select", "TFX2,TFX5,TFX7", str(tmp_path))
    assert r.exit_code == 2
    assert f"{tmp_path / 'bad' / 'main.tf'}:{message}" in r.stderr
    assert "internal error" not in r.output
    assert (tmp_path / "bad" / "db.tf").read_text() == MISSING  # no fix in a module with errors
    assert (tmp_path / "good" / "main.tf").read_text() != MISSING


# ---- files of repeated lines ---------------------------------------------------------------------------


def test_reading_back_a_fix_is_not_quadratic_in_repeated_lines() -> None:
    """A fix in a file of 20,000 identical lines (comments, or the "}" of many
    blocks) took minutes: the edits were diffed over the whole file."""
    import time

    from tffix.engine.edits import diff

    before = "# padding\n" * 20_000 + "x = 1\n" + "}\n" * 20_000
    after = before.replace("x = 1\n", "x = 1\ny = 2\n")
    began = time.process_time()
    assert diff(before, after) == [(len("# padding\n" * 20_000) + 6, len("# padding\n" * 20_000) + 6, "y = 2\n")]
    assert time.process_time() - began < 2
