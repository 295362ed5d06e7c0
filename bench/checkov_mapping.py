"""Which Checkov checks each rule's fix resolves, and which it only reports.

Usage: python bench/checkov_mapping.py --checkov PATH [--rules ID,...] [--json OUT]

Why: a rule's mapped ids (``checkov = (...)``) are a claim to users ("tffix
fixes CKV_AWS_16"). This script checks the claim on the rule's own docstring
modules, the code every rule is tested on (tests/test_rule_examples.py):

* the Example, as written: the checks that fail there;
* the Example after ``tffix --select ID --unsafe-fixes``: the checks the fix
  resolved, and any check that fails only after the fix (a new failure);
* Use instead: the checks that still fail in the code the docs recommend.

All modules go into one tree and Checkov runs twice (before and after the
fixes), so the whole catalogue takes about a minute. Verdicts per mapped id:
``fixes`` (fails on the Example, passes after the fix), ``reports`` (fails on the
Example, passes in Use instead; the rule has no fix for it), ``unverified``
(does not fail on the Example: the mapping is not shown by the docs). Checks the
fix resolves that the rule does not map are listed as ``unmapped``.
"""

from __future__ import annotations

import argparse
import json
import shutil
import subprocess
import sys
import tempfile
from collections import defaultdict
from pathlib import Path

from tffix.engine.rules import FIX_NEVER, rule_examples
from tffix.transforms.registry import RULES

KINDS = ("example", "fixed", "instead")


def write_module(root: Path, files: dict[str, str]) -> None:
    for name, text in files.items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")


def failures(checkov: str, tree: Path) -> dict[tuple[str, str], set[str]]:
    """(rule id, kind) -> failed check ids, from one Checkov run over the tree."""
    proc = subprocess.run([checkov, "-d", str(tree), "--framework", "terraform", "-o", "json", "--quiet",
                           "--compact", "--skip-download"], capture_output=True, text=True)
    if not proc.stdout.strip():
        raise SystemExit(f"checkov produced no output: {proc.stderr[-500:]}")
    data = json.loads(proc.stdout)
    out: dict[tuple[str, str], set[str]] = defaultdict(set)
    for report in data if isinstance(data, list) else [data]:
        for check in report.get("results", {}).get("failed_checks", []):
            parts = Path(check["file_path"].lstrip("/")).parts
            if len(parts) >= 2:
                out[(parts[0], parts[1])].add(check["check_id"])
    return out


def main(argv: list[str]) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--checkov", default=shutil.which("checkov") or "checkov")
    ap.add_argument("--rules", default="", help="comma-separated rule ids (default: every rule)")
    ap.add_argument("--json", type=Path, help="write the per-rule results here")
    args = ap.parse_args(argv)
    wanted = {r.strip().upper() for r in args.rules.split(",") if r.strip()}
    rules = [r for r in RULES if not wanted or r.id in wanted]
    tffix = shutil.which("tffix") or "tffix"
    with tempfile.TemporaryDirectory() as tmp:
        tree = Path(tmp)
        for rule in rules:
            example, instead = rule_examples(rule)
            for kind, files in (("example", example), ("fixed", example), ("instead", instead)):
                write_module(tree / rule.id / kind, files)
        before = failures(args.checkov, tree)
        for rule in rules:
            if rule.fix_availability != FIX_NEVER:
                subprocess.run([tffix, "--select", rule.id, "--unsafe-fixes", "--no-progress",
                                str(tree / rule.id / "fixed")], capture_output=True, text=True)
        after = failures(args.checkov, tree)
    results = {}
    for rule in rules:
        failed = before.get((rule.id, "example"), set())
        fixed = failed - after.get((rule.id, "fixed"), set())
        new = after.get((rule.id, "fixed"), set()) - failed
        instead = before.get((rule.id, "instead"), set())
        verdicts = {}
        for cid in rule.checkov:
            if cid in fixed:
                verdicts[cid] = "fixes"
            elif cid in failed and cid not in instead:
                verdicts[cid] = "reports"
            else:
                verdicts[cid] = "unverified"
        results[rule.id] = {"mapped": verdicts, "unmapped_fixed": sorted(fixed - set(rule.checkov)),
                            "new_failures": sorted(new)}
        line = ", ".join(f"{c} {v}" for c, v in verdicts.items()) or "no Checkov ids"
        extra = f"; fix also resolves {', '.join(results[rule.id]['unmapped_fixed'])}" if fixed - set(rule.checkov) else ""
        extra += f"; NEW after fix: {', '.join(sorted(new))}" if new else ""
        print(f"{rule.id}: {line}{extra}")
    if args.json:
        args.json.write_text(json.dumps(results, indent=2, sort_keys=True) + "\n", encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
