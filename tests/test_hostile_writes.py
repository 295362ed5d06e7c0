"""Writes under hostile conditions: concurrent runs, symlinks out of the tree
or dangling, read-only and hard-linked files, directories that vanish or
refuse temporary files, a full disk. Nothing is lost, nothing is written
where it should not be, and the run always finishes with its summary."""

from __future__ import annotations

import errno
import json
import os
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest
from click.testing import CliRunner
from tffix.app.cli import main

MISSING = 'resource "aws_db_instance" "a" {\n  engine = "postgres"\n}\n'
FIXED = 'resource "aws_db_instance" "a" {\n  engine              = "postgres"\n  publicly_accessible = false\n}\n'
BUCKET = 'resource "aws_s3_bucket" "b" {\n  bucket = "x"\n}\n'


def tffix(*args: str):
    return CliRunner().invoke(main, list(args), catch_exceptions=False)


def slow_fsync(monkeypatch: pytest.MonkeyPatch, seconds: float = 0.05) -> None:
    real = os.fsync

    def fsync(fd: int) -> None:
        time.sleep(seconds)
        real(fd)

    monkeypatch.setattr(os, "fsync", fsync)


# ---- concurrent writers ----------------------------------------------------------------------


def test_two_writers_of_one_file_never_both_win(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The digest check and the rename happen together, under a lock: of two
    writers that read the same bytes, one writes and the other is told."""
    from tffix.app.files import digest, write_atomic

    slow_fsync(monkeypatch)  # the old code checked, then fsynced, then renamed
    p = tmp_path / "a.tf"
    p.write_text(MISSING)
    read = digest(MISSING.encode())
    results: dict[str, str | None] = {}
    texts = {"one": MISSING + "# one\n", "two": MISSING + "# two\n"}
    threads = [threading.Thread(target=lambda k=k: results.__setitem__(k, write_atomic(p, texts[k], read)))
               for k in texts]
    for t in threads:
        t.start()
    for t in threads:
        t.join(10)
    winners = [k for k, error in results.items() if error is None]
    assert len(winners) == 1, results
    loser = "two" if winners == ["one"] else "one"
    assert "changed on disk since it was read" in (results[loser] or "")
    assert p.read_text() == texts[winners[0]]
    assert sorted(x.name for x in tmp_path.iterdir()) == ["a.tf"]


RACER = """
import os, sys, time
real = os.fsync
os.fsync = lambda fd: (time.sleep(0.03), real(fd))[1]
from tffix.app.cli import main
sys.argv[0] = "tffix"
main()
"""


def test_two_runs_racing_on_one_tree_lose_nothing_silently(tmp_path: Path) -> None:
    """Two processes fix different things in the same files at once: every
    fix is either on disk or reported by the run that made it."""
    for i in range(6):
        (tmp_path / f"m{i}").mkdir()
        (tmp_path / f"m{i}" / "main.tf").write_text(MISSING)
    rules = {"TFX201": "publicly_accessible", "TFX711": "copy_tags_to_snapshot"}
    env = dict(os.environ, PYTHONPATH=os.pathsep.join(sys.path))
    procs = {rule: subprocess.Popen([sys.executable, "-c", RACER, "--select", rule, "--unsafe-fixes", "-j", "1",
                                     "--no-progress", str(tmp_path)], stdout=subprocess.PIPE,
                                    stderr=subprocess.PIPE, text=True, env=env)
             for rule in rules}
    errors = {rule: p.communicate(timeout=120)[1] for rule, p in procs.items()}
    for i in range(6):
        path = tmp_path / f"m{i}" / "main.tf"
        text = path.read_text()
        for rule, attribute in rules.items():
            if attribute not in text:  # this run's fix is not there: it must have said so
                assert f"{path}: changed on disk since it was read" in errors[rule], (rule, text, errors)


# ---- where writes go -------------------------------------------------------------------------


def test_dangling_symlink_never_creates_its_target(tmp_path: Path) -> None:
    mod = tmp_path / "mod"
    mod.mkdir()
    (mod / "main.tf").write_text(BUCKET)
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    (mod / "versions.tf").symlink_to(elsewhere / "versions.tf")  # TFX501 creates versions.tf
    r = tffix("--select", "TFX501", str(mod))
    assert not (elsewhere / "versions.tf").exists()
    assert r.exit_code == 2
    assert f"{mod / 'versions.tf'}: already exists (or is a dangling symlink); not overwritten" in r.stderr
    assert "0 file(s) changed" in r.stderr


def test_named_symlink_to_outside_the_roots_is_not_rewritten(tmp_path: Path) -> None:
    outside = tmp_path / "outside"
    outside.mkdir()
    (outside / "db.tf").write_text(MISSING)
    mod = tmp_path / "mod"
    mod.mkdir()
    (mod / "main.tf").write_text(MISSING)
    (mod / "db.tf").symlink_to(outside / "db.tf")
    r = tffix("--select", "TFX201", str(mod / "db.tf"), str(mod / "main.tf"))  # as pre-commit names files
    assert (outside / "db.tf").read_text() == MISSING
    assert (mod / "main.tf").read_text() == FIXED.replace('"a"', '"a"')
    assert f"{mod / 'db.tf'}: is a symlink to a file outside the paths given; skipped" in r.stderr
    assert r.exit_code == 2


def test_named_dangling_symlink_and_fifo_get_their_own_message(tmp_path: Path) -> None:
    (tmp_path / "gone.tf").symlink_to(tmp_path / "nowhere.tf")
    os.mkfifo(tmp_path / "pipe.tf")
    r = tffix("--check", str(tmp_path / "gone.tf"), str(tmp_path / "pipe.tf"))
    assert r.exit_code == 2
    assert f"{tmp_path / 'gone.tf'}: is a dangling symlink (its target does not exist); skipped" in r.stderr
    assert f"{tmp_path / 'pipe.tf'}: not a regular file (a FIFO, socket or device); skipped" in r.stderr


def test_write_refuses_outside_roots(tmp_path: Path) -> None:
    from tffix.app.files import digest, write_atomic

    (tmp_path / "root").mkdir()
    (tmp_path / "out.tf").write_text(MISSING)
    (tmp_path / "root" / "in.tf").symlink_to(tmp_path / "out.tf")
    roots = [(tmp_path / "root").resolve()]
    error = write_atomic(tmp_path / "root" / "in.tf", FIXED, digest(MISSING.encode()), roots)
    assert "outside the paths given" in (error or "")
    assert write_atomic(tmp_path / "new.tf", FIXED, None, roots) is not None  # creation outside: refused
    assert not (tmp_path / "new.tf").exists()


# ---- files that must not be replaced -----------------------------------------------------------


def test_read_only_file_is_skipped_with_a_message(tmp_path: Path) -> None:
    for name in ("ro", "rw"):
        (tmp_path / name).mkdir()
        (tmp_path / name / "main.tf").write_text(MISSING)
    (tmp_path / "ro" / "main.tf").chmod(0o444)
    r = tffix("--select", "TFX201", str(tmp_path))
    assert (tmp_path / "ro" / "main.tf").read_text() == MISSING
    assert (tmp_path / "rw" / "main.tf").read_text() == FIXED
    assert f"{tmp_path / 'ro' / 'main.tf'}: is read-only (mode 0444); not rewritten" in r.stderr
    assert r.exit_code == 2


def test_hard_linked_file_is_skipped_and_the_link_kept(tmp_path: Path) -> None:
    (tmp_path / "main.tf").write_text(MISSING)
    os.link(tmp_path / "main.tf", tmp_path / "copy.tfbak")
    r = tffix("--select", "TFX201", str(tmp_path))
    assert "has 2 hard links; not rewritten" in r.stderr and r.exit_code == 2
    assert os.stat(tmp_path / "main.tf").st_ino == os.stat(tmp_path / "copy.tfbak").st_ino
    assert (tmp_path / "main.tf").read_text() == MISSING


# ---- failing file systems ----------------------------------------------------------------------


def test_directory_refusing_temporary_files_is_a_per_file_error(tmp_path: Path,
                                                                monkeypatch: pytest.MonkeyPatch) -> None:
    import tempfile

    for name in ("a", "b", "c"):
        (tmp_path / name).mkdir()
        (tmp_path / name / "main.tf").write_text(MISSING)
    real = tempfile.mkstemp

    def mkstemp(*args, dir=None, **kw):
        if Path(dir).name == "b":
            raise PermissionError(errno.EACCES, "Permission denied")
        return real(*args, dir=dir, **kw)

    monkeypatch.setattr(tempfile, "mkstemp", mkstemp)
    r = tffix("--select", "TFX201", "--format", "json", str(tmp_path))
    doc = json.loads(r.stdout)
    assert r.exit_code == 2
    assert any("b/main.tf: cannot write: cannot create a temporary file" in e for e in doc["errors"])
    assert (tmp_path / "a" / "main.tf").read_text() == FIXED
    assert (tmp_path / "c" / "main.tf").read_text() == FIXED
    assert doc["summary"]["changed"] == 2 and doc["summary"]["fixed"] == 2


def test_directory_deleted_mid_run(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import shutil

    import tffix.app.runner as runner

    for name in ("a", "b"):
        (tmp_path / name).mkdir()
        (tmp_path / name / "main.tf").write_text(MISSING)
    real = runner.run_all

    def run_all(*args, **kw):
        out = real(*args, **kw)
        shutil.rmtree(tmp_path / "a")  # gone between reading and writing
        return out

    monkeypatch.setattr(runner, "run_all", run_all)
    r = tffix("--select", "TFX201", str(tmp_path))
    assert r.exit_code == 2
    assert "a/main.tf: changed on disk since it was read (deleted); skipped" in r.stderr
    assert (tmp_path / "b" / "main.tf").read_text() == FIXED
    assert "1 fixed" in r.stderr and "1 file(s) changed" in r.stderr


def test_full_disk_leaves_files_and_summary_consistent(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    for name in ("a", "b"):
        (tmp_path / name).mkdir()
        (tmp_path / name / "main.tf").write_text(MISSING)

    def fsync(fd: int) -> None:
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(os, "fsync", fsync)
    r = tffix("--select", "TFX201", str(tmp_path))
    assert r.exit_code == 2
    assert r.stderr.count("No space left on device") == 2
    assert "(0 fixed, 2 remaining)" in r.stderr and "0 file(s) changed" in r.stderr
    for name in ("a", "b"):
        assert (tmp_path / name / "main.tf").read_text() == MISSING
        assert sorted(p.name for p in (tmp_path / name).iterdir()) == ["main.tf"]
