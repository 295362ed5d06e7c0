"""``tffix.run``: the API below the CLI, called directly."""

from __future__ import annotations

from pathlib import Path

import pytest
import tffix
from tffix import Settings, SettingsError

MISSING = 'resource "aws_db_instance" "a" {\n  engine = "postgres"\n}\n'
FIXED = 'resource "aws_db_instance" "a" {\n  engine              = "postgres"\n  publicly_accessible = false\n}\n'
PUBLIC = 'resource "aws_db_instance" "b" {\n  publicly_accessible = true\n}\n'


def _module(tmp_path: Path) -> Path:
    tmp_path.mkdir(exist_ok=True)
    (tmp_path / "a.tf").write_text(MISSING)
    (tmp_path / "b.tf").write_text(PUBLIC)
    return tmp_path


def _apply(text: str, edits: list) -> str:
    for e in sorted(edits, key=lambda e: e.start, reverse=True):
        text = text[:e.start] + e.replacement + text[e.end:]
    return text


def test_fix_writes_and_reports_what_was_fixed_and_held_back(tmp_path: Path) -> None:
    report = tffix.run([_module(tmp_path)], Settings(select=["TFX201"]))
    assert [r.id for r in report.rules] == ["TFX201"] and report.unsafe_fixes is False
    (fixed,) = report.summary.fixed
    (left,) = report.summary.remaining
    assert fixed.applied and fixed.path == str(tmp_path / "a.tf")
    assert _apply(MISSING, fixed.edits) == FIXED
    assert left.held_back and left.path == str(tmp_path / "b.tf")
    assert (tmp_path / "a.tf").read_text() == FIXED and report.summary.changed == [str(tmp_path / "a.tf")]


def test_dry_run_writes_nothing_and_returns_the_diffs(tmp_path: Path) -> None:
    report = tffix.run([_module(tmp_path)], Settings(select=["TFX201"], unsafe_fixes=True, mode="dry-run"))
    assert (tmp_path / "a.tf").read_text() == MISSING and (tmp_path / "b.tf").read_text() == PUBLIC
    assert len(report.summary.fixed) == 2 and not report.summary.remaining
    assert [path for path, _ in report.summary.diffs] == [str(tmp_path / "a.tf"), str(tmp_path / "b.tf")]


def test_check_with_previews_gives_each_fix_as_edits(tmp_path: Path) -> None:
    report = tffix.run([_module(tmp_path)], Settings(select=["TFX201"], mode="check", preview_fixes=True))
    assert not report.summary.fixed and (tmp_path / "a.tf").read_text() == MISSING
    by_file = {Path(r.path).name: r for r in report.summary.remaining}
    assert _apply(MISSING, by_file["a.tf"].edits) == FIXED
    assert "publicly_accessible = false" in _apply(PUBLIC, by_file["b.tf"].edits)


def test_the_config_file_is_merged_and_settings_override_it(tmp_path: Path) -> None:
    mod = _module(tmp_path / "mod")
    (mod / ".tffix.toml").write_text('select = ["TFX201"]\nunsafe-fixes = true\n')
    report = tffix.run([mod], Settings(mode="check"))
    assert [r.id for r in report.rules] == ["TFX201"] and report.unsafe_fixes is True
    assert tffix.run([mod], Settings(mode="check", unsafe_fixes=False)).unsafe_fixes is False
    assert tffix.run([mod], Settings(mode="check", ignore=["tfx2"])).rules == []
    (tmp_path / "other").mkdir()
    default = tffix.run([mod], Settings(mode="check", config_from=tmp_path / "other"))
    assert len(default.rules) > 1 and default.unsafe_fixes is False


def test_an_unknown_rule_id_or_a_bad_config_is_a_settings_error(tmp_path: Path) -> None:
    _module(tmp_path)
    with pytest.raises(SettingsError, match="unknown rule id or prefix: NOPE1"):
        tffix.run([tmp_path], Settings(select=["NOPE1"]))
    with pytest.raises(SettingsError, match="unknown rule id or prefix: XYZ"):
        tffix.run([tmp_path], Settings(ignore=["XYZ"]))
    (tmp_path / ".tffix.toml").write_text('colour = "blue"\n')
    with pytest.raises(SettingsError, match="unknown tffix setting"):
        tffix.run([tmp_path], Settings())
    assert (tmp_path / "a.tf").read_text() == MISSING


def test_stdin_comes_from_the_settings_and_the_fixed_text_is_the_output() -> None:
    report = tffix.run([Path("-")], Settings(select=["TFX201"], stdin=MISSING.encode(), stdin_filename="db.tf"))
    assert report.output == FIXED and report.summary.fixed[0].path == "db.tf"
    broken = tffix.run([Path("-")], Settings(select=["TFX201"], stdin=b'a = "\n'))
    assert broken.output == 'a = "\n' and "parse error" in broken.summary.errors[0]
    with pytest.raises(SettingsError, match="cannot be combined"):
        tffix.run([Path("-"), Path(".")], Settings())


def test_module_texts_read_buffers_instead_of_the_disk(tmp_path: Path) -> None:
    """An editor's view: open files from memory, the others from disk, nothing written."""
    mod = _module(tmp_path)
    buffer = 'resource "aws_db_instance" "a" {\n  engine              = "postgres"\n  publicly_accessible = true\n}\n'
    report = tffix.run_module_texts(mod, {mod / "a.tf": buffer}, Settings(select=["TFX201"], mode="check",
                                                                          preview_fixes=True))
    (outcome,) = report.outcomes
    assert {Path(r.path).name: r.line for r in report.summary.remaining} == {"a.tf": 3, "b.tf": 2}
    assert {Path(p).name: text for p, text in outcome.sources.values()} == {"a.tf": buffer, "b.tf": PUBLIC}
    a = next(r for r in report.summary.remaining if r.path.endswith("a.tf"))
    assert _apply(buffer, a.edits) == FIXED
    assert (mod / "a.tf").read_text() == MISSING  # the disk is not read for it, nor written


def test_module_texts_add_unsaved_files_and_report_parse_errors_as_data(tmp_path: Path) -> None:
    mod = _module(tmp_path)
    report = tffix.run_module_texts(mod, {mod / "new.tf": "resource {\n"}, Settings(select=["TFX201"], mode="check"))
    (outcome,) = report.outcomes
    assert [(Path(p.path).name, p.line, p.column) for p in outcome.problems] == [("new.tf", 2, 1)]
    assert outcome.problems[0].message.startswith("Unexpected end of file")
    assert len(report.summary.remaining) == 2  # the other files are still checked
    # fixes are computed in memory (dry-run), only for the file asked about
    report = tffix.run_module_texts(mod, {}, Settings(select=["TFX201"], mode="dry-run", unsafe_fixes=True),
                                    only=[mod / "b.tf"])
    assert [Path(c.path).name for c in report.outcomes[0].result.changes] == ["b.tf"]
    assert (mod / "b.tf").read_text() == PUBLIC
    with pytest.raises(SettingsError, match="writes nothing"):
        tffix.run_module_texts(mod, {}, Settings(mode="fix"))
