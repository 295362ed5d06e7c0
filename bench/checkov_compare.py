"""Checkov's verdicts before and after tffix, for the checks tffix's rules map to.

Usage: python bench/checkov_compare.py DIR [DIR ...] [--checkov PATH] [--safe-only]

Each DIR is copied to a temporary directory; checkov runs on the copy, then
``tffix --unsafe-fixes`` (or plain ``tffix`` with --safe-only) fixes it, then
checkov runs again. Prints, per mapped Checkov id, how many checks failed
before and after. Checkov is not a dependency of tffix: install it anywhere
(``pip install checkov`` in its own venv) and pass its path.
"""

from __future__ import annotations

import argparse
import json
import shutil
import subprocess
import sys
import tempfile
from collections import Counter
from pathlib import Path

from tffix.transforms.registry import RULES


def failed_checks(checkov: str, directory: Path, ids: list[str]) -> Counter[str]:
    proc = subprocess.run([checkov, "-d", str(directory), "--framework", "terraform", "--check", ",".join(ids),
                           "-o", "json", "--quiet", "--compact", "--skip-download"],
                          capture_output=True, text=True)
    if not proc.stdout.strip():
        raise SystemExit(f"checkov produced no output: {proc.stderr[-500:]}")
    data = json.loads(proc.stdout)
    reports = data if isinstance(data, list) else [data]
    counts: Counter[str] = Counter()
    for report in reports:
        for check in report.get("results", {}).get("failed_checks", []):
            counts[check["check_id"]] += 1
    return counts


def main(argv: list[str]) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("dirs", nargs="+", type=Path)
    ap.add_argument("--checkov", default=shutil.which("checkov") or "checkov")
    ap.add_argument("--safe-only", action="store_true", help="apply safe fixes only")
    args = ap.parse_args(argv)
    ids = sorted({cid for rule in RULES for cid in rule.checkov})
    tffix = shutil.which("tffix") or "tffix"
    total_before: Counter[str] = Counter()
    total_after: Counter[str] = Counter()
    for d in args.dirs:
        with tempfile.TemporaryDirectory() as tmp:
            copy = Path(tmp) / d.name
            shutil.copytree(d, copy, symlinks=True)
            before = failed_checks(args.checkov, copy, ids)
            flags = [] if args.safe_only else ["--unsafe-fixes"]
            subprocess.run([tffix, *flags, "--no-progress", str(copy)], capture_output=True, text=True)
            after = failed_checks(args.checkov, copy, ids)
        total_before += before
        total_after += after
        changed = {k: (before[k], after[k]) for k in sorted(set(before) | set(after))}
        print(f"{d}: " + (", ".join(f"{k} {b}->{a}" for k, (b, a) in changed.items()) or "no mapped check fails"))
    print("total: " + ", ".join(f"{k} {total_before[k]}->{total_after[k]}"
                                for k in sorted(set(total_before) | set(total_after))))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
