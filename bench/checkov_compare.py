"""Checkov's verdicts before and after tffix: what the fixes resolve, and what they break.

Usage: python bench/checkov_compare.py DIR [DIR ...] [--checkov PATH] [--safe-only] [--config TOML]
       [--rules ID,...] [--json OUT]

Each DIR is copied to a temporary directory; Checkov (every Terraform check) runs on
the copy, then ``tffix --unsafe-fixes`` (or plain ``tffix`` with --safe-only) fixes
it, then Checkov runs again. A failure is a (check id, file, resource) triple, so the
script can tell:

* per rule, the failures of the checks it maps before and after (the resolved
  share counts only rules that have a fix, the figure issue 13 sets a target for);
* per failure, whether a rule mapping its check offered a fix on that resource (a
  finding with a fix inside Checkov's line range of the resource, from
  ``tffix --check --format json`` on the copy before fixing): the share of those
  failures the fixes resolved measures the fixes where they apply, decided before
  fixing; the failures no fix was offered for are coverage, reported beside it;
* new failures: triples failing after the fixes that did not fail before, on any
  check (a fix that creates a problem, or a resource a fix added that Checkov
  dislikes). The target is none;
* per rule, how many failures left after the fixes sit on a resource the rule still
  reports without a fix (``tffix --check`` after the run: a finding of the rule inside
  the failing resource's lines): those are where the fix does not apply (an
  expression it cannot prove, a choice it leaves to the owner), so "resolved where
  the fix applies" is resolved / (before - reported).

* per rule, how many failures the rule did not flag at all before fixing (no finding,
  with or without a fix, inside the failing resource): a miss of the rule, or a case
  outside it when the check is broader than the rule by design (``Rule.partial``,
  marked ``(p)``); the resolved share is printed with and without those checks.

``--config`` copies a tffix config into each copy's root as ``.tffix.toml`` (rule
options such as TFX130's ``sse-algorithm``); ``--rules`` limits the table to those rules.
A check a rule's fix resolves only with options (``Rule.fixed_with_options``: TFX130's
CKV_AWS_145 needs ``sse-algorithm = "aws:kms"``) counts as fixed by the rule only when the
config sets them; otherwise its row says "needs option" and it counts like a reported check
(not in the fixed totals, no fix offered for it), so the default run measures the default fix
and a run with the option measures the option.

Checkov is not a dependency of tffix: install it in its own venv and pass its path.
"""

from __future__ import annotations

import argparse
import json
import shutil
import subprocess
import sys
import tempfile
import tomllib
from collections import Counter
from pathlib import Path

from tffix.engine.rules import FIX_NEVER
from tffix.transforms.registry import RULES

Failure = tuple[str, str, str]  # check id, file (relative to the scanned dir), resource
Lines = dict[Failure, tuple[int, int]]


def failures(checkov: str, directory: Path, lines: Lines | None = None,
             checks: list[str] | None = None) -> set[Failure]:
    cmd = [checkov, "-d", str(directory), "--framework", "terraform", "-o", "json", "--quiet", "--compact",
           "--skip-download"]
    if checks:
        cmd += ["--check", ",".join(checks)]
    proc = subprocess.run(cmd, capture_output=True, text=True)
    if not proc.stdout.strip():
        raise SystemExit(f"checkov produced no output: {proc.stderr[-500:]}")
    data = json.loads(proc.stdout)
    out: set[Failure] = set()
    for report in data if isinstance(data, list) else [data]:
        for check in report.get("results", {}).get("failed_checks", []):
            key = (check["check_id"], check["file_path"], check["resource"])
            out.add(key)
            if lines is not None and check.get("file_line_range"):
                lines[key] = tuple(check["file_line_range"][:2])  # type: ignore[assignment]
    return out


def unfixed_findings(tffix: str, directory: Path) -> dict[str, list[tuple[str, int]]]:
    """rule id -> (path relative to ``directory``, line) of each finding left without an applied fix."""
    proc = subprocess.run([tffix, "--check", "--unsafe-fixes", "--no-progress", "--format", "json", str(directory)],
                          capture_output=True, text=True)
    try:
        data = json.loads(proc.stdout)
    except json.JSONDecodeError:
        return {}
    out: dict[str, list[tuple[str, int]]] = {}
    for f in data.get("findings", []):
        path = Path(f["path"])
        try:
            rel = "/" + str(path.resolve().relative_to(directory.resolve()))
        except ValueError:
            rel = "/" + str(path)
        out.setdefault(f["rule_id"], []).append((rel, int(f["line"])))
    return out


def found(tffix: str, directory: Path, unsafe: bool) -> list[dict]:
    """Every finding, as tffix's JSON gives them (``fixable``: with a fix this run would apply)."""
    flags = ["--unsafe-fixes"] if unsafe else []
    proc = subprocess.run([tffix, "--check", *flags, "--format", "json", "--no-progress", str(directory)],
                          capture_output=True, text=True)
    try:
        data = json.loads(proc.stdout or "{}")
    except json.JSONDecodeError:
        return []
    findings = data.get("findings", [])
    for f in findings:
        f["fixable"] = bool(f.get("fixable") and (unsafe or f.get("safety") == "safe"))
    return findings


def flagging(failure: Failure, span: tuple[int, int] | None, findings: list[dict], rules_of: dict[str, set[str]],
             root: Path) -> dict[str, bool]:
    """The rules mapping the failure's check with a finding inside the failing resource, each
    with whether one of its findings there has a fix this run applies."""
    if span is None:
        return {}
    check, path, _ = failure
    out: dict[str, bool] = {}
    for f in findings:
        if f["rule_id"] in rules_of.get(check, ()) and span[0] <= f["line"] <= span[1] \
                and Path(f["path"]).resolve() == (root / path.lstrip("/")).resolve():
            out[f["rule_id"]] = out.get(f["rule_id"], False) or f["fixable"]
    return out


def main(argv: list[str]) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("dirs", nargs="+", type=Path)
    ap.add_argument("--checkov", default=shutil.which("checkov") or "checkov")
    ap.add_argument("--safe-only", action="store_true", help="apply safe fixes only")
    ap.add_argument("--json", type=Path, help="write per-rule figures and new failures here")
    ap.add_argument("--config", type=Path, help="a tffix config (.tffix.toml syntax) for the run")
    ap.add_argument("--rules", default="", help="comma-separated rule ids for the table (default: every rule)")
    args = ap.parse_args(argv)
    tffix = shutil.which("tffix") or "tffix"
    wanted = {r.strip().upper() for r in args.rules.split(",") if r.strip()}
    rules = [r for r in RULES if not wanted or r.id in wanted]
    before: set[Failure] = set()
    after: set[Failure] = set()
    reported: set[tuple[str, Failure]] = set()  # (rule, failure after) on a resource the rule reports unfixed
    offered_on: set[Failure] = set()  # failures a mapped rule offered a fix for, on that resource (before fixing)
    flagged: set[tuple[str, Failure]] = set()  # (rule, failure before) the rule found anything on, fix or not
    configured = tomllib.loads(args.config.read_text(encoding="utf-8")).get("rules", {}) if args.config else {}

    def option_set(rule, cid: str) -> bool:
        # the run's config sets the options the rule's fix needs to resolve cid (if any)
        wanted = rule.fixed_with_options.get(cid, {})
        return all(configured.get(rule.id, {}).get(k) == v for k, v in wanted.items())

    rules_of: dict[str, set[str]] = {}  # check -> rules whose fix, as configured, may resolve it
    for rule in rules:
        for cid in rule.checkov:
            if option_set(rule, cid):
                rules_of.setdefault(cid, set()).add(rule.id)
    for d in args.dirs:
        with tempfile.TemporaryDirectory() as tmp:
            copy = Path(tmp) / d.name
            shutil.copytree(d, copy, symlinks=True)
            if args.config:
                shutil.copy(args.config, copy / ".tffix.toml")
            lines_before: Lines = {}
            raw = failures(args.checkov, copy, lines_before)
            findings = found(tffix, copy, not args.safe_only)
            for c, p, r in raw:
                span = lines_before.get((c, p, r))
                hits = flagging((c, p, r), span, findings, rules_of, copy)
                if any(hits.values()):
                    offered_on.add((c, f"{d.name}{p}", r))
                for rid in hits:
                    flagged.add((rid, (c, f"{d.name}{p}", r)))
            b = {(c, f"{d.name}{p}", r) for c, p, r in raw}
            flags = [] if args.safe_only else ["--unsafe-fixes"]
            subprocess.run([tffix, *flags, "--no-progress", str(copy)], capture_output=True, text=True)
            lines: Lines = {}
            a_raw = failures(args.checkov, copy, lines)
            a = {(c, f"{d.name}{p}", r) for c, p, r in a_raw}
            left = unfixed_findings(tffix, copy)
            for rule in rules:
                for c, p, r in a_raw:
                    if c in rule.checkov and (c, p, r) in lines:
                        lo, hi = lines[(c, p, r)]
                        if any(fp == p and lo <= ln <= hi for fp, ln in left.get(rule.id, [])):
                            reported.add((rule.id, (c, f"{d.name}{p}", r)))
        print(f"{d}: {len(b)} failures before, {len(a)} after, {len(b - a)} resolved, {len(a - b)} new")
        before |= b
        after |= a
    count_before = Counter(c for c, _, _ in before)
    count_after = Counter(c for c, _, _ in after)
    rows = []
    fixable_before = fixable_after = 0
    full_before = full_after = 0  # the same, without the checks a rule maps only in part (Rule.partial)
    for rule in rules:
        for cid in rule.checkov:
            if count_before[cid] == 0 and count_after[cid] == 0:
                continue
            fixes = rule.fix_availability != FIX_NEVER and cid in rule.fixed_ids() and option_set(rule, cid)
            needs = not option_set(rule, cid)
            unfixed = sum(1 for rid, f in reported if rid == rule.id and f[0] == cid and f in before)
            applies = count_before[cid] - unfixed
            share_rule = (count_before[cid] - count_after[cid]) / applies if applies > 0 else None
            not_flagged = sum(1 for f in before if f[0] == cid and (rule.id, f) not in flagged)
            rows.append({"rule": rule.id, "check": cid, "before": count_before[cid], "after": count_after[cid],
                         "rule_fixes": fixes, "needs_option": needs, "reported_unfixed": unfixed,
                         "resolved_where_applies": None if needs else share_rule,
                         "not_flagged": not_flagged, "partial": cid in rule.partial})
            if fixes:
                fixable_before += count_before[cid]
                fixable_after += count_after[cid]
                if cid not in rule.partial:
                    full_before += count_before[cid]
                    full_after += count_after[cid]
    print("\nrule     check         before  after  reported-unfixed  not-flagged  resolved-where-fix-applies  "
          "rule has a fix")
    for row in rows:
        share_rule = row["resolved_where_applies"]
        has = "yes" if row["rule_fixes"] else "needs option" if row["needs_option"] else "no"
        print(f"{row['rule']:8} {row['check'] + (' (p)' if row['partial'] else ''):17} {row['before']:6} "
              f"{row['after']:6}  {row['reported_unfixed']:16}  {row['not_flagged']:11}  "
              f"{'-' if share_rule is None else f'{share_rule:.0%}':>26}  {has}")
    share = (fixable_before - fixable_after) / fixable_before if fixable_before else 1.0
    full_share = (full_before - full_after) / full_before if full_before else 1.0
    print(f"\nfailures of checks mapped by rules with a fix: {fixable_before} -> {fixable_after} "
          f"({share:.0%} resolved)")
    print(f"the same without the checks a rule maps in part only ((p), Rule.partial): {full_before} -> {full_after} "
          f"({full_share:.0%} resolved)")
    resolved_where = len(offered_on - after)
    where_share = resolved_where / len(offered_on) if offered_on else 1.0
    mapped = {f for f in before if f[0] in rules_of}
    print(f"failures of mapped checks: {len(mapped)}; a mapped rule offered a fix on the resource for "
          f"{len(offered_on)}, of which the fixes resolved {resolved_where} ({where_share:.0%}); "
          f"{len(mapped - offered_on)} had no fix offered (reported only, or not found)")
    per_rule: dict[str, list[int]] = {}
    for failure in offered_on:
        for rid in sorted(rules_of[failure[0]]):
            counts = per_rule.setdefault(f"{rid} {failure[0]}", [0, 0])
            counts[0] += 1
            counts[1] += failure not in after
    for key, (n, ok) in sorted(per_rule.items()):
        print(f"  {key:24} fix offered on {n:4}, resolved {ok:4} ({ok / n:.0%})")
    new = sorted(after - before)
    print(f"new failures after the fixes: {len(new)}")
    for c, p, r in new:
        print(f"  {c} {p} {r}")
    if args.json:
        args.json.write_text(json.dumps({"rows": rows, "resolved_share": share, "full_mapping_share": full_share,
                                         "where_fix_offered": {
            "offered": len(offered_on), "resolved": resolved_where, "share": where_share, "per_rule": per_rule},
            "new": new}, indent=2) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
