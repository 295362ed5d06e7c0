"""Parse+print speed of tffix against python-hcl2, measured in the same run.

Usage: python bench/parse.py [DIR ...]

For each DIR, every .tf / .tfvars / .tofu file below it is parsed and printed
back by tffix, and loaded by ``hcl2.loads`` (python-hcl2, the peer); then the
same for a generated 5,000-line file. Prints lines/s for both and the ratio.
Files either parser rejects are left out of both sides, so both do the same
work. Each side runs in a fresh interpreter (no side pays for another's
garbage); each figure is the best of ``--repeat`` runs (default 3) of that
process's CPU time for the loop (``time.process_time``: the machine may be
shared; the sides run alternately, so a change in load hits both).

``--other-build DIR`` also times another build of tffix on the same files, in
a subprocess with ``PYTHONPATH=DIR`` (a folder holding a ``tffix`` package,
e.g. an export of an older commit): before/after figures from one run.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
from pathlib import Path

import tffix

EXTENSIONS = {".tf", ".tfvars", ".tofu"}


def generated(lines: int = 5000) -> str:
    """A synthetic module of about ``lines`` lines mixing the common shapes."""
    out: list[str] = []
    i = 0
    while len(out) < lines:
        out += [
            f'resource "aws_s3_bucket" "b{i}" {{',
            f'  bucket = "bucket-{i}-${{var.env}}"',
            f"  count  = var.enabled ? {i % 3} : 0",
            "  tags = merge(var.tags, {",
            f'    Name = "b{i}" # name',
            "  })",
            "  lifecycle_rule {",
            "    enabled = true",
            '    prefix  = "logs/"',
            "  }",
            "}",
            "",
            f'output "o{i}" {{',
            f"  value = [for k, v in aws_s3_bucket.b{i} : v.arn if k != \"x\"]",
            "}",
            "",
        ]
        i += 1
    return "\n".join(out) + "\n"


_CHILD = r"""
import json, sys, time
texts = json.load(sys.stdin)
if sys.argv[1] == "hcl2":
    import hcl2
    def run():
        for text in texts:
            hcl2.loads(text)
else:
    import tffix
    tffix.parse("a = 1\n")  # the parser warmed up outside the timing (its LALR table loads only for rejected input)
    def run():
        for text in texts:
            assert tffix.parse(text).code == text
start = time.process_time()
run()
print(time.process_time() - start)
"""


def child_time(side: str, texts: list[str], pythonpath: str | None = None) -> float:
    """CPU seconds of one side over ``texts``, in a fresh interpreter (so no
    side pays for the other's garbage)."""
    env = dict(os.environ, PYTHONPATH=pythonpath) if pythonpath else None
    out = subprocess.run([sys.executable, "-c", _CHILD, side], input=json.dumps(texts), env=env,
                         capture_output=True, text=True, check=True)
    return float(out.stdout.strip())


def measure(label: str, texts: list[str], repeat: int, other: str | None = None) -> None:
    import hcl2

    usable = []
    for text in texts:
        try:
            tffix.parse(text)
            hcl2.loads(text)
        except Exception:  # noqa: BLE001 - either side's rejection drops the file from both
            continue
        usable.append(text)
    lines = sum(t.count("\n") + 1 for t in usable)
    if not usable:
        print(f"{label}: no files both parsers accept")
        return
    here = os.pathsep.join(p for p in sys.path if p)  # this build, as this interpreter finds it
    t_ours, t_peer, t_other = [], [], []
    for _ in range(repeat):  # alternately, so that both sides see the same load
        t_ours.append(child_time("tffix", usable, here))
        t_peer.append(child_time("hcl2", usable))
        if other:
            t_other.append(child_time("tffix", usable, other))
    best, best_peer = min(t_ours), min(t_peer)
    line = (f"{label}: {len(usable)} files, {lines} lines | tffix parse+print {lines / best:,.0f} lines/s"
            f" | hcl2.loads {lines / best_peer:,.0f} lines/s | ratio {best_peer / best:.2f}x")
    if other:
        best_other = min(t_other)
        line += (f" | other build {lines / best_other:,.0f} lines/s, ratio to hcl2 {best_peer / best_other:.2f}x;"
                 f" this build {best_other / best:.2f}x as fast")
    print(line, flush=True)


def main(argv: list[str]) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("dirs", nargs="*", type=Path)
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--other-build", metavar="DIR", help="also time the tffix package found in DIR (PYTHONPATH)")
    args = ap.parse_args(argv)
    try:
        import hcl2  # noqa: F401
    except ImportError:
        print("python-hcl2 is not installed: pip install python-hcl2", file=sys.stderr)
        return 2
    tffix.parse("a = 1\n")  # load the grammar outside the timings
    for d in args.dirs:
        texts = []
        for p in sorted(d.rglob("*")):
            if p.suffix in EXTENSIONS and p.is_file():
                try:
                    texts.append(p.read_text(encoding="utf-8"))
                except (UnicodeDecodeError, OSError):
                    continue
        measure(str(d), texts, args.repeat, args.other_build)
    measure("generated 5,000-line file", [generated()], args.repeat, args.other_build)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
