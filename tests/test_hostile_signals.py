"""Signals mid-run: temporary files are removed, the files already written
are listed, SIGINT exits 130 (SIGTERM 143), and with -j the worker processes
end with the main process, even when it is killed outright."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

MISSING = 'resource "aws_db_instance" "a" {\n  engine = "postgres"\n}\n'

SLOW_WRITES = """
import os, sys, time
real = os.fsync
os.fsync = lambda fd: (time.sleep(0.15), real(fd))[1]
from tffix.app.cli import main
sys.argv[0] = "tffix"
main()
"""

SLOW_MODULES = """
import sys, time
import tffix.app.runner as runner
real = runner._process
runner._process = lambda spec, job: (time.sleep(60), real(spec, job))[1]
from tffix.app.cli import main
sys.argv[0] = "tffix"
main()
"""


def start(code: str, *args: str) -> subprocess.Popen[str]:
    env = dict(os.environ, PYTHONPATH=os.pathsep.join(sys.path))
    return subprocess.Popen([sys.executable, "-c", code, "--no-progress", *args], stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True, env=env)


def wait_for(condition, timeout: float = 30.0) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, "timed out"
        time.sleep(0.02)


def tree(root: Path, n: int) -> list[Path]:
    files = []
    for i in range(n):
        (root / f"m{i:02}").mkdir()
        files.append(root / f"m{i:02}" / "main.tf")
        files[-1].write_text(MISSING)
    return files


@pytest.mark.parametrize("signum,code", [(signal.SIGINT, 130), (signal.SIGTERM, 143)])
def test_signal_during_writes(tmp_path: Path, signum: int, code: int) -> None:
    files = tree(tmp_path, 12)
    proc = start(SLOW_WRITES, "--select", "TFX201", "-j", "1", str(tmp_path))
    wait_for(lambda: any(f.read_text() != MISSING for f in files))
    proc.send_signal(signum)
    _, err = proc.communicate(timeout=30)
    assert proc.returncode == code, err
    assert "Traceback" not in err
    changed = [f for f in files if f.read_text() != MISSING]
    assert 0 < len(changed) < len(files)
    name = signal.Signals(signum).name
    assert f"tffix: interrupted ({name}); {len(changed)} file(s) already written:" in err
    for f in changed:
        assert f"  {f}\n" in err
    assert [p.name for p in tmp_path.rglob("*") if p.is_file() and p.name != "main.tf"] == []  # no temp files


def children(pid: int) -> set[int]:
    out = set()
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                stat = Path(f"/proc/{entry}/stat").read_text()
            except OSError:
                continue
            if int(stat.rsplit(")", 1)[1].split()[1]) == pid:
                out.add(int(entry))
    return out


def gone(pid: int) -> bool:
    try:
        return Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0] == "Z"
    except OSError:
        return True


@pytest.mark.skipif(not Path("/proc/self/stat").exists() or (os.cpu_count() or 1) < 2,
                    reason="needs /proc and two cores")
@pytest.mark.parametrize("signum", [signal.SIGTERM, signal.SIGINT, signal.SIGKILL])
def test_workers_do_not_outlive_the_main_process(tmp_path: Path, signum: int) -> None:
    tree(tmp_path, 4)
    proc = start(SLOW_MODULES, "--select", "TFX201", "-j", "2", str(tmp_path))
    workers: set[int] = set()

    def two_workers() -> bool:
        workers.update(children(proc.pid))
        return len(workers) >= 2

    wait_for(two_workers)
    proc.send_signal(signum)
    _, err = proc.communicate(timeout=60)
    assert proc.returncode == (-9 if signum == signal.SIGKILL else 128 + signum), err
    assert "Traceback" not in err
    # generous: on a loaded machine (the whole suite on 2 cores) workers take a while to go
    wait_for(lambda: all(gone(pid) for pid in workers), timeout=30)


@pytest.mark.skipif(not Path("/proc/self/stat").exists(), reason="needs /proc")
def test_jobs_are_capped_at_the_core_count(tmp_path: Path) -> None:
    tree(tmp_path, 8)
    proc = start(SLOW_MODULES, "--select", "TFX201", "-j", "1000", str(tmp_path))
    try:
        wait_for(lambda: children(proc.pid))
        time.sleep(0.5)  # let the pool start all it wants to
        assert len(children(proc.pid)) <= (os.cpu_count() or 1)
    finally:
        proc.send_signal(signal.SIGTERM)
        proc.communicate(timeout=30)


SIGNAL_DURING_FORK = """
import os, signal, sys, time
import tffix.app.runner as runner
real = runner._process
runner._process = lambda spec, job: (time.sleep(60), real(spec, job))[1]
sent = []
def in_parent():  # the signal lands while the pool forks its first worker
    if not sent:
        sent.append(1)
        os.kill(os.getpid(), signal.SIG%s)
os.register_at_fork(after_in_parent=in_parent)
from tffix.app.cli import main
sys.argv[0] = "tffix"
main()
"""


@pytest.mark.skipif(not hasattr(os, "register_at_fork"), reason="needs os.register_at_fork")
@pytest.mark.parametrize("name,code", [("INT", 130), ("TERM", 143)])
def test_a_signal_while_the_pool_forks_is_not_lost(tmp_path: Path, name: str, code: int) -> None:
    """A handler that raises inside fork's hooks is ignored by the interpreter: the signal
    was lost and the run went on (a minute here, the workers' sleep). The signals are held
    while the pool forks, and arrive after."""
    tree(tmp_path, 3)
    proc = start(SIGNAL_DURING_FORK % name, "--select", "TFX201", "-j", "2", str(tmp_path))
    _, err = proc.communicate(timeout=30)
    assert proc.returncode == code, err
    assert "Traceback" not in err and "Exception ignored" not in err
