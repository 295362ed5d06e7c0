"""How fast tffix is next to terraform fmt and python-hcl2, in the same run.

Usage: python bench/speed.py DIR [--tffix PATH] [--terraform PATH] [--jobs N] [--skip NAME ...]

Times, one after the other on the same tree (the machine is shared: every
figure is the CPU seconds of the child processes, user + system, read with
``getrusage(RUSAGE_CHILDREN)``, so it counts tffix's worker processes too; wall
seconds are printed beside them):

- ``terraform fmt -check -recursive DIR`` (the reference: ratios are to it);
- ``tffix --check DIR`` (find only);
- ``tffix --dry-run --unsafe-fixes --format json DIR`` (every default rule, every fix computed);
- ``tffix fmt --check DIR``;
- parsing every ``.tf`` file under DIR with python-hcl2 (``hcl2.loads``) and with
  tffix's parser plus printer (``parse(text).code``), each in its own child process;
  the line also gives tffix's parse-and-print ratio to python-hcl2.

Exit codes of the commands (findings, files to format, files terraform rejects)
are printed, not judged: this measures time. Nothing under DIR is written.
``--skip`` leaves out one of: fmt, check, dry-run, tffix-fmt, parse.
"""

from __future__ import annotations

import argparse
import os
import resource
import shutil
import subprocess
import sys
import time
from pathlib import Path

PARSE_HCL2 = """
import sys, hcl2
from pathlib import Path
ok = bad = 0
for p in sorted(Path(sys.argv[1]).rglob("*.tf")):
    if not p.is_file():
        continue
    try:
        hcl2.loads(p.read_text(encoding="utf-8-sig"))
        ok += 1
    except Exception:
        bad += 1
print(ok, bad)
"""

PARSE_TFFIX = """
import sys, threading
from pathlib import Path
from tffix.syntax.parser import parse
threading.stack_size(256 * 1024 * 1024)
sys.setrecursionlimit(100000)
def main():
    ok = bad = 0
    for p in sorted(Path(sys.argv[1]).rglob("*.tf")):
        if not p.is_file():
            continue
        try:
            text = p.read_text(encoding="utf-8-sig")
            assert parse(text).code == text
            ok += 1
        except Exception:
            bad += 1
    print(ok, bad)
t = threading.Thread(target=main)
t.start()
t.join()
"""


def timed(cmd: list[str], cwd: Path | None = None) -> tuple[float, float, int, str]:
    """CPU seconds (children, user + system), wall seconds, exit code, last stdout line."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    proc = subprocess.run(cmd, cwd=cwd, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True, check=False)
    wall = time.perf_counter() - start
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    last = proc.stdout.strip().splitlines()[-1] if proc.stdout.strip() else ""
    return cpu, wall, proc.returncode, last


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("dir", type=Path)
    ap.add_argument("--tffix", default=str(Path(sys.executable).with_name("tffix")))
    ap.add_argument("--terraform", default=shutil.which("terraform"))
    ap.add_argument("--jobs", type=int, default=None, help="tffix -j (default: tffix's own, one per core)")
    ap.add_argument("--skip", action="append", default=[], choices=["fmt", "check", "dry-run", "tffix-fmt", "parse"])
    args = ap.parse_args()
    directory = args.dir.resolve()
    jobs = ["-j", str(args.jobs)] if args.jobs else []
    files = [p for p in directory.rglob("*.tf") if p.is_file()]
    lines = sum(p.read_bytes().count(b"\n") for p in files)
    print(f"{directory}: {len(files)} .tf files, {lines} lines; {os.cpu_count()} cores; CPU seconds of children")
    runs: list[tuple[str, list[str]]] = []
    if "fmt" not in args.skip and args.terraform:
        runs.append(("terraform fmt -check -recursive", [args.terraform, "fmt", "-check", "-recursive", "-list=false",
                                                         str(directory)]))
    tffix = [args.tffix]
    if "check" not in args.skip:
        runs.append(("tffix --check", [*tffix, "run", "--check", "--no-progress", *jobs, str(directory)]))
    if "dry-run" not in args.skip:
        runs.append(("tffix --dry-run --unsafe-fixes", [*tffix, "run", "--dry-run", "--unsafe-fixes", "--format", "json",
                                                        "--no-progress", *jobs, str(directory)]))
    if "tffix-fmt" not in args.skip:
        runs.append(("tffix fmt --check", [*tffix, "fmt", "--check", "--no-progress", *jobs, str(directory)]))
    python = str(Path(args.tffix).with_name("python"))
    if not Path(python).exists():
        python = sys.executable
    if "parse" not in args.skip:
        runs.append(("python-hcl2 loads (every .tf)", [python, "-c", PARSE_HCL2, str(directory)]))
        runs.append(("tffix parse + print (every .tf)", [python, "-c", PARSE_TFFIX, str(directory)]))
    results: dict[str, float] = {}
    print(f"{'command':<36} {'CPU s':>8} {'wall s':>8} {'exit':>5}  {'x fmt':>6}  note")
    reference = None
    for name, cmd in runs:
        cpu, wall, rc, last = timed(cmd)
        results[name] = cpu
        if reference is None and name.startswith("terraform"):
            reference = cpu
        ratio = f"{cpu / reference:6.2f}" if reference else "     -"
        note = f"parsed/failed: {last}" if "every .tf" in name else ""
        print(f"{name:<36} {cpu:8.2f} {wall:8.2f} {rc:>5}  {ratio}  {note}", flush=True)
    hcl2 = results.get("python-hcl2 loads (every .tf)")
    ours = results.get("tffix parse + print (every .tf)")
    if hcl2 and ours:
        print(f"tffix parse + print is {hcl2 / ours:.2f}x as fast as python-hcl2 loads ({lines / ours:,.0f} vs "
              f"{lines / hcl2:,.0f} lines per CPU second)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
