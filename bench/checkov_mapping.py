"""Which Checkov checks each rule's fix resolves, and which it only reports.

Usage: python bench/checkov_mapping.py --checkov PATH [--rules ID,...] [--json OUT]
(with ``tffix`` on PATH the build under test)

Why: a rule's mapped ids (``checkov = (...)``) are a claim to users ("tffix
fixes CKV_AWS_16"). This script checks the claim by running Checkov on small
modules of the rule:

* the docstring Example (the code every rule is tested on,
  tests/test_rule_examples.py), and Use instead (the code the docs recommend);
* the cases in ``bench/mapping_cases/<RULE_ID>/<case>/*.tf``: modules we write to
  show a mapping the Example cannot (another resource type, another port, a rule
  option set in the case's ``.tffix.toml``); the comment at the top of each says
  which check it shows.

Each module is checked as written, and again after ``tffix --select ID
--unsafe-fixes``. All modules go into one tree and Checkov runs twice, so the
whole catalogue takes two or three minutes. Verdicts per mapped id:

* ``fixes``: fails on a module and, after the rule's fix, passes on every resource
  it failed on (a check Checkov can no longer evaluate, because it cannot read
  what the fix wrote, does not count);
* ``reports``: fails on a module the rule has a finding on (``tffix --check``),
  the fix does not resolve it, and it passes in Use instead;
* ``unverified``: no module shows it: the mapping is not backed.

Checks a fix resolves that the rule does not map are listed as
``unmapped_fixed``, checks without a result after a fix as
``unevaluated_after_fix``, checks that fail only after a fix as ``new_failures``.

The result of a full run is committed as ``bench/results/checkov_mapping.json``
(``--json bench/results/checkov_mapping.json``); tests/test_checkov_mapping.py
fails when a rule's mapping or ``reports_only`` disagrees with it, so changing a
mapping, or a case, means running this script again.
"""

from __future__ import annotations

import argparse
import json
import shutil
import subprocess
import sys
import tempfile
from collections import defaultdict
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

from tffix.engine.rules import FIX_NEVER, Rule, rule_examples
from tffix.transforms.registry import RULES

CASES = Path(__file__).resolve().parent / "mapping_cases"
Results = dict[tuple[str, str], dict[str, set[tuple[str, str]]]]


def rule_modules(rule: type[Rule]) -> dict[str, dict[str, str]]:
    """Module name -> files: the Example, Use instead and the rule's cases (``case-NAME``)."""
    example, instead = rule_examples(rule)
    modules = {"example": example, "instead": instead}
    for case in sorted(p for p in (CASES / rule.id).glob("*") if p.is_dir()):
        # the module's .tf files, its .tffix.toml (rule options, e.g. TFX130 sse-algorithm: tffix finds it
        # walking up), and files beside them that a rule reads (.terraform/modules/modules.json)
        modules[f"case-{case.name}"] = {
            f.relative_to(case).as_posix(): f.read_text(encoding="utf-8")
            for f in sorted(case.rglob("*"))
            if f.is_file() and (f.suffix == ".tf" or f.name == ".tffix.toml" or f.parent != case)}
    return modules


def checkov_results(checkov: str, tree: Path) -> Results:
    """One Checkov run over the tree: (rule id, module name) -> "failed" / "passed" -> {(check id, resource)}."""
    proc = subprocess.run([checkov, "-d", str(tree), "--framework", "terraform", "-o", "json", "--compact",
                           "--skip-download"], check=False, capture_output=True, text=True)
    if not proc.stdout.strip():
        raise SystemExit(f"checkov produced no output: {proc.stderr[-500:]}")
    data = json.loads(proc.stdout)
    out: Results = defaultdict(lambda: {"failed": set(), "passed": set()})
    for report in data if isinstance(data, list) else [data]:
        for key in ("failed", "passed"):
            for check in report.get("results", {}).get(f"{key}_checks", []):
                parts = Path(check["file_path"].lstrip("/")).parts
                if len(parts) >= 2:
                    out[(parts[0], parts[1])][key].add((check["check_id"], check["resource"]))
    return out


def ids(pairs: set[tuple[str, str]]) -> set[str]:
    return {cid for cid, _ in pairs}


def run_tffix(rule: type[Rule], directory: Path, *flags: str) -> str:
    tffix = shutil.which("tffix") or "tffix"
    return subprocess.run([tffix, "--select", rule.id, "--no-progress", *flags, str(directory)], check=False,
                          capture_output=True, text=True).stdout


def has_finding(rule: type[Rule], directory: Path) -> bool:
    out = run_tffix(rule, directory, "--check", "--format", "json")
    return any(f["rule_id"] == rule.id for f in json.loads(out)["findings"])


def verdicts(rule: type[Rule], names: list[str], before: Results, after: Results,
             reported: dict[str, bool]) -> dict[str, Any]:
    """The rule's result: per mapped id a verdict and the modules that show it; the checks
    the fix resolves that the rule does not map; those that fail only after the fix; and
    those that failed before and have no result after (Checkov cannot read what the fix
    wrote, such as a ``jsonencode`` with references: not counted as fixed)."""
    fixed: dict[str, set[str]] = {}
    unevaluated: set[str] = set()
    new: set[str] = set()
    for m in names:
        failed, still, passed = (before[(rule.id, m)]["failed"], after[(rule.id, m)]["failed"],
                                 after[(rule.id, m)]["passed"])
        gone = ids(failed) - ids(still)
        fixed[m] = {cid for cid in gone if all(x in passed for x in failed if x[0] == cid)}
        unevaluated |= gone - fixed[m]
        new |= ids(still) - ids(failed)
    instead = ids(before[(rule.id, "instead")]["failed"])
    mapped, evidence = {}, {}
    for cid in rule.checkov:
        shown = [m for m in names if cid in fixed[m]]
        verdict = "fixes"
        if not shown and cid not in instead:
            shown = [m for m in names if cid in ids(before[(rule.id, m)]["failed"]) and reported[m]]
            verdict = "reports"
        mapped[cid] = verdict if shown else "unverified"
        evidence[cid] = shown
    return {"modules": names, "mapped": mapped, "evidence": evidence,
            "unmapped_fixed": sorted(set().union(*fixed.values()) - set(rule.checkov)),
            "unevaluated_after_fix": sorted(unevaluated), "new_failures": sorted(new)}


def main(argv: list[str]) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--checkov", default=shutil.which("checkov") or "checkov")
    ap.add_argument("--rules", default="", help="comma-separated rule ids (default: every rule)")
    ap.add_argument("--json", type=Path, help="write the per-rule results here")
    args = ap.parse_args(argv)
    wanted = {r.strip().upper() for r in args.rules.split(",") if r.strip()}
    rules = [r for r in RULES if not wanted or r.id in wanted]
    with tempfile.TemporaryDirectory() as tmp:
        tree = Path(tmp)
        names: dict[str, list[str]] = {}
        for rule in rules:
            modules = rule_modules(rule)
            names[rule.id] = [m for m in modules if m != "instead"]
            for name, files in modules.items():
                for path, text in files.items():
                    (tree / rule.id / name / path).parent.mkdir(parents=True, exist_ok=True)
                    (tree / rule.id / name / path).write_text(text, encoding="utf-8")
        before = checkov_results(args.checkov, tree)
        keys = [(r, m) for r in rules for m in names[r.id]]
        with ThreadPoolExecutor() as pool:
            # the "reports" verdict needs a finding: the Example always has one (tests/test_rule_examples.py);
            # ask tffix about a case only where a mapped check fails there, before fixing it
            asked = [(r, m) for r, m in keys if m != "example" and set(r.checkov) & ids(before[(r.id, m)]["failed"])]
            found = dict(zip(asked, pool.map(lambda k: has_finding(k[0], tree / k[0].id / k[1]), asked)))
            fixable = [(r, m) for r, m in keys if r.fix_availability != FIX_NEVER]
            list(pool.map(lambda k: run_tffix(k[0], tree / k[0].id / k[1], "--unsafe-fixes"), fixable))
        after = checkov_results(args.checkov, tree)
    results: dict[str, Any] = {}
    for rule in rules:
        reported = {m: m == "example" or found.get((rule, m), False) for m in names[rule.id]}
        result = verdicts(rule, names[rule.id], before, after, reported)
        results[rule.id] = result
        line = ", ".join(f"{c} {v}" for c, v in result["mapped"].items()) or "no Checkov ids"
        if result["unmapped_fixed"]:
            line += f"; fix also resolves {', '.join(result['unmapped_fixed'])}"
        if result["unevaluated_after_fix"]:
            line += f"; not evaluated after fix: {', '.join(result['unevaluated_after_fix'])}"
        if result["new_failures"]:
            line += f"; NEW after fix: {', '.join(result['new_failures'])}"
        print(f"{rule.id}: {line}")
    if args.json:
        version = subprocess.run([args.checkov, "--version"], check=False, capture_output=True, text=True).stdout.strip()
        args.json.parent.mkdir(parents=True, exist_ok=True)
        args.json.write_text(json.dumps({"checkov": version, "rules": results}, indent=2, sort_keys=True) + "\n",
                             encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
