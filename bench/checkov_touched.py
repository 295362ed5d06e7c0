"""Checkov before and after tffix, run where it is cheap enough on a loaded machine.

Usage: python bench/checkov_touched.py DIR [DIR ...] --checkov PATH [--rules ID,...] [--select] [--changed-only]
       [--json OUT]
(with ``tffix`` on PATH the build under test)

bench/checkov_compare.py runs every Checkov check over every directory twice; on big corpora
and a shared machine that takes hours. This script gives the same two figures in two cheaper
steps:

* per rule (``--rules``, default every rule), the failures of the Checkov checks it maps,
  before and after ``tffix --unsafe-fixes`` (every rule fixes, as in a real run; with
  ``--select`` only the ``--rules`` fix, so that what changed is theirs): Checkov runs with only
  those checks (``--check``) over the whole copies;
* new failures of *any* check: Checkov runs with every check, but only over the module
  directories tffix changed (copied before and after the fixes); a directory tffix did not
  touch cannot gain a failure.

With ``--changed-only`` the first step is skipped too: the per-rule figures then count the
mapped failures in the changed directories only, before and after (what the fixes resolved
where they applied; failures elsewhere are untouched by definition).

A failure is (check id, file relative to the DIR's copy, resource), as in checkov_compare.
"""

from __future__ import annotations

import argparse
import filecmp
import json
import shutil
import subprocess
import sys
import tempfile
from collections import Counter
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from checkov_compare import Failure, failures  # noqa: E402 - the one Checkov runner of the benches

from tffix.engine.rules import FIX_NEVER
from tffix.transforms.registry import RULES


def changed_dirs(before: Path, after: Path) -> list[Path]:
    """Directories (relative) with a file that differs or exists on one side only."""
    out: set[Path] = set()

    def walk(cmp: filecmp.dircmp, rel: Path) -> None:
        if cmp.diff_files or cmp.left_only or cmp.right_only or cmp.funny_files:
            out.add(rel)
        for name, sub in cmp.subdirs.items():
            walk(sub, rel / name)

    walk(filecmp.dircmp(before, after), Path("."))
    return sorted(out)


def copy_dirs(root: Path, dirs: list[Path], dest: Path) -> None:
    for rel in dirs:
        target = dest / rel
        target.mkdir(parents=True, exist_ok=True)
        for f in (root / rel).iterdir():
            if f.is_file():
                shutil.copy2(f, target / f.name)


def main(argv: list[str]) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("dirs", nargs="+", type=Path)
    ap.add_argument("--checkov", default=shutil.which("checkov") or "checkov")
    ap.add_argument("--rules", default="", help="comma-separated rule ids to report (default: every rule)")
    ap.add_argument("--select", action="store_true", help="let only the --rules fix")
    ap.add_argument("--changed-only", action="store_true", help="count mapped failures in the changed directories")
    ap.add_argument("--json", type=Path)
    args = ap.parse_args(argv)
    wanted = {r.strip().upper() for r in args.rules.split(",") if r.strip()}
    rules = [r for r in RULES if not wanted or r.id in wanted]
    checks = sorted({c for r in rules for c in r.checkov})
    tffix = shutil.which("tffix") or "tffix"
    with tempfile.TemporaryDirectory() as tmp:
        before, after = Path(tmp) / "before", Path(tmp) / "after"
        for d in args.dirs:
            shutil.copytree(d, before / d.name, symlinks=True)
        shutil.copytree(before, after, symlinks=True)
        select = ["--select", ",".join(sorted(wanted))] if args.select and wanted else []
        subprocess.run([tffix, "--unsafe-fixes", "--no-progress", *select, str(after)], capture_output=True, text=True)
        dirs = changed_dirs(before, after)
        sub_before, sub_after = Path(tmp) / "sub-before", Path(tmp) / "sub-after"
        copy_dirs(before, dirs, sub_before)
        copy_dirs(after, dirs, sub_after)
        sub_b = failures(args.checkov, sub_before) if dirs else set()
        sub_a = failures(args.checkov, sub_after) if dirs else set()
        if args.changed_only:
            mapped_before = {f for f in sub_b if f[0] in checks}
            mapped_after = {f for f in sub_a if f[0] in checks}
        else:
            mapped_before = failures(args.checkov, before, checks=checks)
            mapped_after = failures(args.checkov, after, checks=checks)
    count_before = Counter(c for c, _, _ in mapped_before)
    count_after = Counter(c for c, _, _ in mapped_after)
    rows = []
    print(f"{len(dirs)} module directories changed by tffix --unsafe-fixes")
    print("\nrule     check         before  after  rule has a fix")
    for rule in rules:
        for cid in rule.checkov:
            row = {"rule": rule.id, "check": cid, "before": count_before[cid], "after": count_after[cid],
                   "rule_fixes": rule.fix_availability != FIX_NEVER}
            rows.append(row)
            print(f"{rule.id:8} {cid:13} {row['before']:6} {row['after']:6}  {'yes' if row['rule_fixes'] else 'no'}")
    new = sorted(sub_a - sub_b)
    print(f"\nnew failures (any check) in the changed directories: {len(new)}")
    for c, p, r in new:
        print(f"  {c} {p} {r}")
    if args.json:
        args.json.write_text(json.dumps({"rows": rows, "changed_dirs": [str(d) for d in dirs], "new": new,
                                         "resolved_in_changed": len(sub_b - sub_a)}, indent=2) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
