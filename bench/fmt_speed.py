"""``tffix fmt --check`` against ``terraform fmt -check -recursive``, whole processes, same run.

Usage: python bench/fmt_speed.py [DIR ...] [--repeat N] [--tffix CMD] [--other-build DIR]

For each DIR, runs both commands ``--repeat`` times (default 3), alternately,
and reports the best CPU time (user + system of the child, from
``resource.getrusage(RUSAGE_CHILDREN)``: the machine may be shared) and the
best wall time of each, and the ratios. Then the same for one small file
(start-up cost: interpreter, imports, grammar table; terraform's too).

The tree is used as it is (``--check`` writes nothing). tffix runs as
``tffix.app.cli:main`` (the console script's entry point) with this
interpreter unless ``--tffix`` names
another command; ``--other-build DIR`` adds a third column: the same CLI
with ``PYTHONPATH=DIR`` (a folder holding an older ``tffix`` package).
Both tools must agree on which files need formatting for the figures to
mean anything; the script prints both exit codes.
"""

from __future__ import annotations

import argparse
import os
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

CLI = [sys.executable, "-c", "import sys; from tffix.app.cli import main; sys.argv[0] = 'tffix'; main()"]
SMALL = 'resource "aws_s3_bucket" "b" {\n  bucket = "b"\n}\n'


def timed(cmd: list[str], env: dict[str, str] | None = None) -> tuple[float, float, int]:
    """(CPU seconds, wall seconds, exit code) of one run of ``cmd``."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    proc = subprocess.run(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env=env)
    wall = time.perf_counter() - start
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    return cpu, wall, proc.returncode


def compare(label: str, target: str, repeat: int, tffix: list[str], other: str | None, terraform: str) -> None:
    sides: dict[str, tuple[list[str], dict[str, str] | None]] = {
        "terraform fmt": ([terraform, "fmt", "-check", "-recursive", target], None),
        "tffix fmt": ([*tffix, "fmt", "--check", "--no-progress", target], None),
    }
    if other:
        sides["other build"] = ([*CLI, "fmt", "--check", "--no-progress", target],
                                dict(os.environ, PYTHONPATH=other))
    results: dict[str, list[tuple[float, float, int]]] = {name: [] for name in sides}
    for _ in range(repeat):
        for name, (cmd, env) in sides.items():
            results[name].append(timed(cmd, env))
    tf_cpu = min(r[0] for r in results["terraform fmt"])
    tf_wall = min(r[1] for r in results["terraform fmt"])
    parts = []
    for name, runs in results.items():
        cpu, wall = min(r[0] for r in runs), min(r[1] for r in runs)
        codes = sorted({r[2] for r in runs})
        ratio = "" if name == "terraform fmt" else f" = {cpu / tf_cpu:.2f}x CPU, {wall / tf_wall:.2f}x wall"
        parts.append(f"{name} {cpu:.2f}s CPU, {wall:.2f}s wall (exit {codes}){ratio}")
    print(f"{label}: " + " | ".join(parts), flush=True)


def main(argv: list[str]) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("dirs", nargs="*")
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--tffix", help="the tffix command (default: this interpreter, tffix.app.cli:main)")
    ap.add_argument("--other-build", metavar="DIR", help="also time the tffix package found in DIR (PYTHONPATH)")
    ap.add_argument("--terraform", default=shutil.which("terraform") or "terraform")
    args = ap.parse_args(argv)
    tffix = args.tffix.split() if args.tffix else CLI
    subprocess.run([*tffix, "fmt", "--check", "--no-progress", os.devnull], capture_output=True)  # warm the cache
    for d in args.dirs:
        compare(d, d, args.repeat, tffix, args.other_build, args.terraform)
    with tempfile.TemporaryDirectory() as tmp:
        small = Path(tmp) / "main.tf"
        small.write_text(SMALL)
        compare("one small file", str(small), max(args.repeat, 5), tffix, args.other_build, args.terraform)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
