"""Check that two builds of tffix behave the same on real code.

Usage:
  python bench/compare_runs.py --base OLD/bin/tffix [--new tffix] DIR [DIR ...]
  python bench/compare_runs.py --base-json SAVED.json [--base-json ...] [--new tffix] DIR [DIR ...]

A refactor (moving modules, sharing helpers between rules) should change no
output at all. This runs ``tffix --dry-run --unsafe-fixes --format json
--no-progress .`` from inside each DIR (so reported paths are relative and
stable) with the new executable, and with the base executable or against
a JSON file saved from an earlier run (one ``--base-json`` per DIR, in order).
The JSON outputs, and the exit codes when both are run, must be identical.

On a difference it prints, per DIR, the rules whose counts of findings left
and fixes applied changed (before -> after), the files whose proposed diff
changed, and changed parse errors; the exit status is then 1 (0 when every
DIR is identical). Nothing under DIR is written (``--dry-run``).
"""

from __future__ import annotations

import argparse
import json
import shutil
import subprocess
import sys
from collections import Counter
from pathlib import Path
from typing import Any

TFFIX_ARGS = ("--dry-run", "--unsafe-fixes", "--format", "json", "--no-progress", ".")


def executable(name: str) -> str:
    """An absolute path for NAME, which is run from other directories."""
    found = shutil.which(name) if "/" not in name else str(Path(name).resolve())
    if found is None:
        sys.exit(f"compare_runs: {name}: not found on PATH")
    return found


def run(tffix: str, directory: Path) -> tuple[dict[str, Any], int]:
    """tffix's JSON report on DIRECTORY and its exit code."""
    proc = subprocess.run([tffix, *TFFIX_ARGS], cwd=directory, capture_output=True, text=True, check=False)
    try:
        return json.loads(proc.stdout), proc.returncode
    except json.JSONDecodeError:
        sys.exit(f"compare_runs: {tffix} in {directory}: no JSON (exit {proc.returncode})\n{proc.stderr[-2000:]}")


def per_rule(report: dict[str, Any], key: str) -> Counter[str]:
    return Counter(item["rule_id"] for item in report.get(key, []))


def describe(before: dict[str, Any], after: dict[str, Any]) -> list[str]:
    """Concise lines saying how AFTER differs from BEFORE."""
    lines: list[str] = []
    found_b, found_a = per_rule(before, "findings"), per_rule(after, "findings")
    fixed_b, fixed_a = per_rule(before, "fixed"), per_rule(after, "fixed")
    for rule in sorted(set(found_b) | set(found_a) | set(fixed_b) | set(fixed_a)):
        if (found_b[rule], fixed_b[rule]) != (found_a[rule], fixed_a[rule]):
            lines.append(f"  {rule}: findings {found_b[rule]} -> {found_a[rule]}, "
                         f"fixes {fixed_b[rule]} -> {fixed_a[rule]}")
    for key in ("findings", "fixed"):
        if before.get(key) != after.get(key) and per_rule(before, key) == per_rule(after, key):
            lines.append(f"  {key}: same counts per rule, but entries differ (message, position or order)")
    diffs_b = {c["path"]: c["diff"] for c in before.get("changes", [])}
    diffs_a = {c["path"]: c["diff"] for c in after.get("changes", [])}
    for path in sorted(set(diffs_b) | set(diffs_a)):
        if path not in diffs_a:
            lines.append(f"  diff gone:    {path}")
        elif path not in diffs_b:
            lines.append(f"  diff new:     {path}")
        elif diffs_b[path] != diffs_a[path]:
            lines.append(f"  diff changed: {path}")
    errors_b, errors_a = set(before.get("errors", [])), set(after.get("errors", []))
    lines += [f"  error gone: {e.splitlines()[0]}" for e in sorted(errors_b - errors_a)]
    lines += [f"  error new:  {e.splitlines()[0]}" for e in sorted(errors_a - errors_b)]
    if before.get("summary") != after.get("summary"):
        lines.append(f"  summary: {before.get('summary')} -> {after.get('summary')}")
    if not lines:  # e.g. only "version" or key order differs
        lines.append("  outputs differ outside findings, fixes, diffs and errors")
    return lines


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    base = ap.add_mutually_exclusive_group(required=True)
    base.add_argument("--base", help="the reference tffix executable")
    base.add_argument("--base-json", action="append", type=Path,
                      help="saved JSON output of the reference, one per DIR in the same order")
    ap.add_argument("--new", default="tffix", help="the tffix executable under test (default: tffix on PATH)")
    ap.add_argument("dirs", nargs="+", type=Path, metavar="DIR")
    args = ap.parse_args()
    if args.base_json and len(args.base_json) != len(args.dirs):
        ap.error("give one --base-json per DIR")
    if missing := [str(d) for d in args.dirs if not d.is_dir()]:
        ap.error(f"not a directory: {', '.join(missing)}")
    new = executable(args.new)
    base_exe = executable(args.base) if args.base else None

    identical = True
    for i, directory in enumerate(args.dirs):
        after, rc_after = run(new, directory)
        if base_exe:
            before, rc_before = run(base_exe, directory)
        else:
            before, rc_before = json.loads(args.base_json[i].read_text()), rc_after
        if before == after and rc_before == rc_after:
            print(f"{directory}: identical ({after.get('summary')}, exit {rc_after})")
            continue
        identical = False
        print(f"{directory}: DIFFERENT")
        if rc_before != rc_after:
            print(f"  exit code {rc_before} -> {rc_after}")
        if before != after:
            print("\n".join(describe(before, after)))
    return 0 if identical else 1


if __name__ == "__main__":
    sys.exit(main())
