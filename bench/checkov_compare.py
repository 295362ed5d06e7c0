"""Checkov's verdicts before and after tffix: what the fixes resolve, and what they break.

Usage: python bench/checkov_compare.py DIR [DIR ...] [--checkov PATH] [--safe-only] [--json OUT]

Each DIR is copied to a temporary directory; Checkov (every Terraform check) runs on
the copy, then ``tffix --unsafe-fixes`` (or plain ``tffix`` with --safe-only) fixes
it, then Checkov runs again. A failure is a (check id, file, resource) triple, so the
script can tell:

* per rule, the failures of the checks it maps before and after (the resolved
  share counts only rules that have a fix, the figure issue 13 sets a target for);
* new failures: triples failing after the fixes that did not fail before, on any
  check (a fix that creates a problem, or a resource a fix added that Checkov
  dislikes). The target is none.

Checkov is not a dependency of tffix: install it in its own venv and pass its path.
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

from tffix.engine.rules import FIX_NEVER
from tffix.transforms.registry import RULES

Failure = tuple[str, str, str]  # check id, file (relative to the scanned dir), resource


def failures(checkov: str, directory: Path) -> set[Failure]:
    proc = subprocess.run([checkov, "-d", str(directory), "--framework", "terraform", "-o", "json", "--quiet",
                           "--compact", "--skip-download"], capture_output=True, text=True)
    if not proc.stdout.strip():
        raise SystemExit(f"checkov produced no output: {proc.stderr[-500:]}")
    data = json.loads(proc.stdout)
    out: set[Failure] = set()
    for report in data if isinstance(data, list) else [data]:
        for check in report.get("results", {}).get("failed_checks", []):
            out.add((check["check_id"], check["file_path"], check["resource"]))
    return out


def main(argv: list[str]) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("dirs", nargs="+", type=Path)
    ap.add_argument("--checkov", default=shutil.which("checkov") or "checkov")
    ap.add_argument("--safe-only", action="store_true", help="apply safe fixes only")
    ap.add_argument("--json", type=Path, help="write per-rule figures and new failures here")
    args = ap.parse_args(argv)
    tffix = shutil.which("tffix") or "tffix"
    before: set[Failure] = set()
    after: set[Failure] = set()
    for d in args.dirs:
        with tempfile.TemporaryDirectory() as tmp:
            copy = Path(tmp) / d.name
            shutil.copytree(d, copy, symlinks=True)
            b = {(c, f"{d.name}{p}", r) for c, p, r in failures(args.checkov, copy)}
            flags = [] if args.safe_only else ["--unsafe-fixes"]
            subprocess.run([tffix, *flags, "--no-progress", str(copy)], capture_output=True, text=True)
            a = {(c, f"{d.name}{p}", r) for c, p, r in failures(args.checkov, copy)}
        print(f"{d}: {len(b)} failures before, {len(a)} after, {len(b - a)} resolved, {len(a - b)} new")
        before |= b
        after |= a
    count_before = Counter(c for c, _, _ in before)
    count_after = Counter(c for c, _, _ in after)
    rows = []
    fixable_before = fixable_after = 0
    for rule in RULES:
        for cid in rule.checkov:
            if count_before[cid] == 0 and count_after[cid] == 0:
                continue
            fixes = rule.fix_availability != FIX_NEVER
            rows.append({"rule": rule.id, "check": cid, "before": count_before[cid], "after": count_after[cid],
                         "rule_fixes": fixes})
            if fixes:
                fixable_before += count_before[cid]
                fixable_after += count_after[cid]
    print("\nrule     check         before  after  rule has a fix")
    for row in rows:
        print(f"{row['rule']:8} {row['check']:13} {row['before']:6} {row['after']:6}  {'yes' if row['rule_fixes'] else 'no'}")
    share = (fixable_before - fixable_after) / fixable_before if fixable_before else 1.0
    print(f"\nfailures of checks mapped by rules with a fix: {fixable_before} -> {fixable_after} "
          f"({share:.0%} resolved)")
    new = sorted(after - before)
    print(f"new failures after the fixes: {len(new)}")
    for c, p, r in new:
        print(f"  {c} {p} {r}")
    if args.json:
        args.json.write_text(json.dumps({"rows": rows, "resolved_share": share, "new": new}, indent=2) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
