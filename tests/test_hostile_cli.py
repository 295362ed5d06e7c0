"""No traceback ever reaches a user: bugs, symlink loops, bad config files,
FIFOs and streams that cannot encode the output all end in one line, exit
code 2, and still a summary (and valid JSON / SARIF) for what was done."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import threading
from pathlib import Path

import pytest
from click.testing import CliRunner
from tffix.app.cli import main

MISSING = 'resource "aws_db_instance" "a" {\n  engine = "postgres"\n}\n'
FIXED = 'resource "aws_db_instance" "a" {\n  engine              = "postgres"\n  publicly_accessible = false\n}\n'


def tffix(*args: str, input: bytes | None = None, cwd: Path | None = None):
    old = os.getcwd()
    try:
        if cwd is not None:
            os.chdir(cwd)
        return CliRunner().invoke(main, list(args), input=input, catch_exceptions=False)
    finally:
        os.chdir(old)


def tree(root: Path, n: int = 2) -> Path:
    for i in range(n):
        (root / f"m{i}").mkdir(parents=True)
        (root / f"m{i}" / "main.tf").write_text(MISSING)
    return root


def boom(*args: object, **kw: object) -> None:
    raise RuntimeError("boom\nsecond line")


# ---- the last resort ---------------------------------------------------------------------------


@pytest.mark.parametrize("fmt", ["text", "json", "sarif"])
def test_a_bug_while_running_is_one_line_and_output_stays_valid(tmp_path: Path, fmt: str,
                                                                monkeypatch: pytest.MonkeyPatch) -> None:
    import tffix.app.runner as runner

    monkeypatch.setattr(runner, "collect_summary", boom)
    r = tffix("--select", "TFX201", "--format", fmt, str(tree(tmp_path)))
    line = "tffix: internal error while finding and fixing files: RuntimeError: boom (please report it)"
    assert r.exit_code == 2 and line in r.stderr and "Traceback" not in r.output
    if fmt == "json":
        assert json.loads(r.stdout)["errors"] == [line]
    elif fmt == "sarif":
        assert json.loads(r.stdout)["version"] == "2.1.0"
    else:
        assert "1 error(s)." in r.stderr


def test_a_bug_while_printing_still_gives_valid_json(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import tffix.app.output as output

    monkeypatch.setattr(output, "_record", boom)
    r = tffix("--select", "TFX201", "--format", "json", str(tree(tmp_path)))
    doc = json.loads(r.stdout)
    assert r.exit_code == 2 and "Traceback" not in r.output
    assert doc["summary"]["changed"] == 2  # the files were written: the counts say so
    assert doc["errors"] == ["tffix: internal error while printing the results: RuntimeError: boom (please report it)"]


def test_a_bug_in_one_module_leaves_the_others_fixed(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import tffix.app.runner as runner

    real = runner._process

    def process(spec, job):
        if spec.directory.name == "m0":
            raise RecursionError("maximum recursion depth exceeded")
        return real(spec, job)

    monkeypatch.setattr(runner, "_process", process)
    r = tffix("--select", "TFX201", "-j", "1", str(tree(tmp_path)))
    assert r.exit_code == 2
    assert (tmp_path / "m1" / "main.tf").read_text() == FIXED
    assert (tmp_path / "m0" / "main.tf").read_text() == MISSING
    assert "m0: internal error while checking this module (RecursionError: maximum recursion depth exceeded)" \
        in r.stderr


def test_other_commands_have_the_last_resort_too(monkeypatch: pytest.MonkeyPatch) -> None:
    from tffix.transforms.registry import RULES

    monkeypatch.setattr(RULES[0], "describe", classmethod(boom))
    r = tffix("rules")
    assert r.exit_code == 2
    assert r.stderr.strip() == "tffix: internal error while rules: RuntimeError: boom (please report it)"


# ---- symlink loops, bad config files, FIFOs ---------------------------------------------------------


def test_symlink_loops_are_messages(tmp_path: Path) -> None:
    tree(tmp_path, 1)
    (tmp_path / "m0" / "loop.tf").symlink_to("loop.tf")
    r = tffix("--check", "--select", "TFX201", str(tmp_path))
    assert r.exit_code == 2 and "loop.tf: Too many levels of symbolic links; skipped" in r.stderr
    assert "TFX201" in r.stdout  # the rest of the module is still checked
    r = tffix("--check", str(tmp_path / "m0" / "loop.tf"))  # named: the config search starts there
    assert r.exit_code == 2 and "Too many levels of symbolic links; skipped" in r.stderr
    assert "Traceback" not in r.output


@pytest.mark.parametrize("name,content", [(".tffix.toml", b'select = ["\xe9"]\n'),
                                          ("pyproject.toml", b'[tool.tffix]\nselect = ["\xff"]\n')])
def test_config_that_is_not_utf8(tmp_path: Path, name: str, content: bytes) -> None:
    tree(tmp_path, 1)
    (tmp_path / name).write_bytes(content)
    r = tffix("--check", str(tmp_path))
    assert r.exit_code == 2
    assert f"tffix: {tmp_path / name}: invalid configuration: not valid UTF-8" in r.stderr


def test_fifo_in_place_of_a_file_does_not_hang(tmp_path: Path) -> None:
    from tffix.app.files import InputError, read_source

    os.mkfifo(tmp_path / "main.tf")  # as if the file was replaced after discovery
    outcome: list[object] = []

    def read() -> None:
        try:
            read_source(tmp_path / "main.tf", "main.tf")
        except InputError as e:
            outcome.append(str(e))

    t = threading.Thread(target=read, daemon=True)
    t.start()
    t.join(5)
    assert outcome == ["main.tf: not a regular file (a FIFO, socket or device); skipped"]


# ---- streams ------------------------------------------------------------------------------------


def _cli(args: list[str], stdin: bytes, cwd: Path, **env: str) -> subprocess.CompletedProcess[bytes]:
    environ = dict(os.environ, PYTHONPATH=os.pathsep.join(sys.path), **env)
    code = "import sys; from tffix.app.cli import main; sys.argv[0] = 'tffix'; main()"
    return subprocess.run([sys.executable, "-c", code, *args], input=stdin, capture_output=True, cwd=cwd,
                          env=environ, timeout=60)


def test_ascii_stdout_gets_utf8_file_text_and_escaped_messages(tmp_path: Path) -> None:
    text = MISSING.replace("postgres", "pöstgres")
    p = _cli(["--select", "TFX201", "-"], text.encode(), tmp_path, PYTHONIOENCODING="ascii")
    assert p.returncode == 0, p.stderr
    assert p.stdout == FIXED.replace("postgres", "pöstgres").encode()
    (tmp_path / "é").mkdir()
    (tmp_path / "é" / "main.tf").write_text(text)
    p = _cli(["--select", "TFX201", "--dry-run", "é"], b"", tmp_path, PYTHONIOENCODING="ascii")
    assert p.returncode == 1 and b"Traceback" not in p.stderr
    assert "+++ b/é/main.tf".encode() in p.stdout and "pöstgres".encode() in p.stdout  # patch applies it
    assert b"1 file(s) would change" in p.stderr


def test_stdin_counts_one_file(tmp_path: Path) -> None:
    r = tffix("--select", "TFX201", "-", input=MISSING.encode(), cwd=tmp_path)
    assert "1 module(s), 1 file(s) scanned" in r.stderr


def test_tfvars_files_count_as_scanned(tmp_path: Path) -> None:
    (tmp_path / "main.tf").write_text(MISSING)
    (tmp_path / "prod.tfvars").write_text('name = "x"\n')
    r = tffix("--select", "TFX201", "--check", str(tmp_path), cwd=tmp_path)
    assert "1 module(s), 2 file(s) scanned" in r.stderr


def test_a_reader_that_goes_away_is_not_an_internal_error(tmp_path: Path) -> None:
    environ = dict(os.environ, PYTHONPATH=os.pathsep.join(sys.path))
    code = "import sys; from tffix.app.cli import main; sys.argv[0] = 'tffix'; main()"
    proc = subprocess.Popen([sys.executable, "-c", code, "--select", "TFX201", "-"], stdin=subprocess.PIPE,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, cwd=tmp_path, env=environ)
    assert proc.stdout is not None and proc.stdin is not None
    proc.stdout.close()  # as `tffix - < big.tf | head -1` does
    _, err = proc.communicate(b"# a long file\n" * 50_000 + MISSING.encode(), timeout=60)
    assert proc.returncode == 1 and b"internal error" not in err and b"Traceback" not in err
