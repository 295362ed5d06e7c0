"""How long a whole ``tffix --check`` process takes on one small file (pre-commit's case),
against a bare Python start and ``terraform fmt -check`` of the same file, in the same run.

Usage: python bench/startup.py [--tffix PATH ...] [--rounds N] [--file F.tf]

Each ``--tffix`` is a ``tffix`` console script (default: the one beside this Python);
several compare versions in one run (``--tffix /venv-main/bin/tffix --tffix
/venv-new/bin/tffix``). It runs with the Python of its shebang line; the bare start is
``that python -c pass``. The commands take turns, round after round, so load on the
machine falls on all of them alike; the figures are wall times (median, min, p90),
the ratios of the medians, and the median CPU time (user + system) of each process,
which a busy machine inflates less than the wall time.

Two bytecode conditions, both measured:

* **bytecode cached** (as after ``pip install``, which compiles every module): each
  Python gets ``-X pycache_prefix=DIR`` of its own, written by a first run (not timed);
* **as this environment runs** (``PYTHONDONTWRITEBYTECODE`` as set here; with an editable
  install and it set, nothing of tffix is ever compiled to a cache, so every start compiles
  what it imports): the line says whether tffix's sources have cached bytecode.

The budget (issue 14): the whole process within 0.2 s.
"""

from __future__ import annotations

import argparse
import os
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

SMALL = '''resource "aws_s3_bucket" "logs" {
  bucket = "example-logs"

  tags = {
    Team = "platform"
  }
}
'''
BUDGET = 0.2


def _python_of(script: Path) -> str:
    first = script.read_text(encoding="utf-8", errors="replace").splitlines()[0]
    return first[2:].strip() if first.startswith("#!") else sys.executable


def _time(cmd: list[str], env: dict[str, str], cwd: Path, cpu: list[float] | None = None) -> float:
    """Wall seconds of one run; its CPU seconds (user + system) are appended to ``cpu``."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    t = time.perf_counter()
    subprocess.run(cmd, env=env, cwd=cwd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, check=False)
    wall = time.perf_counter() - t
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    if cpu is not None:
        cpu.append(after.ru_utime - before.ru_utime + after.ru_stime - before.ru_stime)
    return wall


def _line(name: str, values: list[float], base: float | None, fmt_median: float | None, budget: bool,
          cpu: list[float] | None = None) -> str:
    ordered = sorted(values)
    median = statistics.median(ordered)
    p90 = ordered[min(len(ordered) - 1, int(len(ordered) * 0.9))]
    out = f"  {name:<46} median {median * 1000:6.1f} ms  min {ordered[0] * 1000:6.1f}  p90 {p90 * 1000:6.1f}"
    if cpu:
        out += f"  cpu {statistics.median(cpu) * 1000:6.1f} ms"
    if base:
        out += f"  {median / base:5.2f}x python"
    if fmt_median:
        out += f"  {median / fmt_median:5.2f}x terraform fmt"
    if budget:
        out += f"  within {BUDGET:.1f} s: {sum(v <= BUDGET for v in values)}/{len(values)}"
    return out


def _has_bytecode(python: str) -> str:
    code = ("import pathlib, tffix; p = pathlib.Path(tffix.__file__).parent; "
            "print('yes' if any(p.rglob('__pycache__/*.pyc')) else 'no')")
    env = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
    env["PYTHONDONTWRITEBYTECODE"] = "1"
    done = subprocess.run([python, "-c", code], env=env, capture_output=True, text=True, check=False)
    return done.stdout.strip() or "?"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--tffix", type=Path, action="append", help="a tffix script (repeatable)")
    parser.add_argument("--rounds", type=int, default=15)
    parser.add_argument("--file", type=Path, help="the file to check (default: a small generated one)")
    args = parser.parse_args()
    scripts = args.tffix or [Path(sys.executable).parent / "tffix"]
    terraform = shutil.which("terraform")
    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp) / "repo"
        work.mkdir()
        target = work / "main.tf"
        target.write_text(args.file.read_text(encoding="utf-8") if args.file else SMALL, encoding="utf-8")
        print(f"one file of {target.read_text(encoding='utf-8').count(chr(10))} lines; {args.rounds} rounds; "
              f"load average {os.getloadavg()[0]:.2f}")
        for mode in ("bytecode cached", "as this environment runs"):
            env = dict(os.environ)
            commands: dict[str, list[str]] = {}
            envs: dict[str, dict[str, str]] = {}
            pythons = list(dict.fromkeys(_python_of(s) for s in scripts))
            for n, python in enumerate(pythons):
                flags: list[str] = []
                e = dict(env)
                if mode == "bytecode cached":
                    prefix = Path(tmp) / f"pycache-{n}"
                    flags = ["-X", f"pycache_prefix={prefix}"]
                    e.pop("PYTHONDONTWRITEBYTECODE", None)
                label = f"python -c pass ({python})" if len(pythons) > 1 else "python -c pass"
                commands[label] = [python, *flags, "-c", "pass"]
                envs[label] = e
                for script in scripts:
                    if _python_of(script) == python:
                        name = f"tffix --check ({script})" if len(scripts) > 1 else "tffix --check"
                        commands[name] = [python, *flags, str(script), "--check", "--no-progress", str(target)]
                        envs[name] = e
            if terraform:
                commands["terraform fmt -check"] = [terraform, "fmt", "-check", str(target)]
                envs["terraform fmt -check"] = env
            for name, cmd in commands.items():  # warm up: bytecode written, files in the page cache
                _time(cmd, envs[name], work)
            times: dict[str, list[float]] = {name: [] for name in commands}
            cpu: dict[str, list[float]] = {name: [] for name in commands}
            for _ in range(args.rounds):
                for name, cmd in commands.items():
                    times[name].append(_time(cmd, envs[name], work, cpu[name]))
            cached = ", ".join(f"{p}: {_has_bytecode(p)}" for p in pythons)
            suffix = "" if mode == "bytecode cached" else \
                f" (PYTHONDONTWRITEBYTECODE={os.environ.get('PYTHONDONTWRITEBYTECODE', '')!r}; tffix bytecode cached: {cached})"
            print(f"{mode}{suffix}:")
            fmt_median = statistics.median(times["terraform fmt -check"]) if terraform else None
            for python in pythons:
                label = f"python -c pass ({python})" if len(pythons) > 1 else "python -c pass"
                base = statistics.median(times[label])
                print(_line(label, times[label], None, fmt_median, False, cpu[label]))
                for name in commands:
                    if name.startswith("tffix") and commands[name][0] == python:
                        print(_line(name, times[name], base, fmt_median, True, cpu[name]))
            if terraform:
                print(_line("terraform fmt -check", times["terraform fmt -check"], None, None, False,
                            cpu["terraform fmt -check"]))


if __name__ == "__main__":
    main()
