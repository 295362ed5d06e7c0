"""Every rule's Checkov mapping agrees with the committed bench result.

``bench/checkov_mapping.py`` runs Checkov before and after each rule's fix on its
docstring Example and its cases (``bench/mapping_cases/``) and records, per mapped
id, whether the fix resolves it or the rule only reports it. This test does not
run Checkov: it compares the rules with ``bench/results/checkov_mapping.json``, so
a mapping (``checkov``, ``reports_only``) or a case cannot change without the
bench being run again.
"""

from __future__ import annotations

import functools
import json
import tomllib
from pathlib import Path

import pytest
from tffix.transforms.registry import RULES

from tests.rulekit import fix

ROOT = Path(__file__).resolve().parent.parent
RESULT = ROOT / "bench" / "results" / "checkov_mapping.json"
CASES = ROOT / "bench" / "mapping_cases"
# Checkov checks a rule's fix may leave failing on a resource it creates, each named in the rule's docs
# with why it is left to the owner (the generated log buckets: AWS allows cross-Region replication, which
# needs a second bucket, Region and role; the checks AWS makes impossible are suppressed in the bucket
# itself, with the reason, and Checkov reports them as skipped)
DOCUMENTED_NEW_FAILURES: dict[str, set[str]] = {}  # rule -> checks its fix may fail, said in its docs
RERUN = ("run python bench/checkov_mapping.py --checkov PATH --json bench/results/checkov_mapping.json "
         "(with this build's tffix first on PATH)")


@functools.cache
def _results() -> dict:
    return json.loads(RESULT.read_text(encoding="utf-8"))["rules"]


def test_every_rule_has_a_result() -> None:
    assert set(_results()) == {r.id for r in RULES}, RERUN


def test_every_case_belongs_to_a_rule() -> None:
    assert {p.name for p in CASES.iterdir() if p.is_dir()} <= {r.id for r in RULES}


CASE_DIRS = sorted(p for p in CASES.glob("*/*") if p.is_dir())


@pytest.mark.parametrize("case", CASE_DIRS, ids=[f"{p.parent.name}/{p.name}" for p in CASE_DIRS])
def test_the_rule_finds_its_cases(case: Path) -> None:
    """Between bench runs: a case still shows its rule (with a fix where the bench saw one)."""
    rule = next(r for r in RULES if r.id == case.parent.name)
    files = {f.name: f.read_text(encoding="utf-8") for f in case.glob("*.tf")}
    found = fix(rule, files, apply_fixes=False, directory=str(case))[1].remaining
    assert found, f"{rule.id} finds nothing in {case.name}"
    fixed = [c for c, shown in _results()[rule.id]["evidence"].items()
             if f"case-{case.name}" in shown and _results()[rule.id]["mapped"][c] == "fixes"]
    if fixed:
        assert any(f.fixable for f in found), f"{rule.id} no longer fixes {case.name} ({fixed})"


@pytest.mark.parametrize("rule", RULES, ids=[r.id for r in RULES])
def test_mapping_matches_the_bench(rule) -> None:
    result = _results()[rule.id]
    cases = sorted(f"case-{p.name}" for p in (CASES / rule.id).glob("*") if p.is_dir())
    assert result["modules"] == ["example", *cases], f"{rule.id}: the cases changed; {RERUN}"
    verdicts = result["mapped"]
    assert sorted(verdicts) == sorted(rule.checkov), f"{rule.id}: the Checkov mapping changed; {RERUN}"
    unverified = sorted(c for c, v in verdicts.items() if v == "unverified")
    assert not unverified, f"{rule.id}: no Checkov run shows {unverified}: remove them or add a case"
    fixes = sorted(c for c, v in verdicts.items() if v == "fixes")
    reports = sorted(c for c, v in verdicts.items() if v == "reports")
    assert fixes == sorted(set(rule.fixed_ids()) & set(rule.checkov)), (
        f"{rule.id}: the bench says its fix resolves {fixes}; the rule claims {rule.fixed_ids()}")
    assert reports == sorted(set(rule.reported_ids()) & set(rule.checkov)), (
        f"{rule.id}: the bench says it only reports {reports}; the rule says {rule.reported_ids()} (reports_only)")
    assert not result["unmapped_fixed"], f"{rule.id}: its fix also resolves {result['unmapped_fixed']}: map them"
    documented = DOCUMENTED_NEW_FAILURES.get(rule.id, set())
    new = sorted(set(result["new_failures"]) - documented)
    assert not new, f"{rule.id}: Checkov fails {new} only after the fix"
    for cid in documented:
        assert cid in rule.docs()["What it does"], f"{rule.id}: the docs do not say why {cid} may fail"


@pytest.mark.parametrize("rule", [r for r in RULES if r.fixed_with_options], ids=lambda r: r.id)
def test_checks_fixed_only_with_options_are_shown_only_with_them(rule) -> None:
    """A mapped id the fix resolves only with rule options (``fixed_with_options``): the bench shows
    it fixed only in cases whose ``.tffix.toml`` sets those options, never in the Example (default
    options), and the options exist."""
    result = _results()[rule.id]
    for cid, options in rule.fixed_with_options.items():
        assert set(options) <= set(rule.options), f"{rule.id}: unknown options {options}"
        assert cid in rule.fixed_ids() and result["mapped"][cid] == "fixes"
        shown = result["evidence"][cid]
        assert shown and "example" not in shown, f"{rule.id}: {cid} is fixed with the default options: {shown}"
        for module in shown:
            toml = CASES / rule.id / module.removeprefix("case-") / ".tffix.toml"
            config = tomllib.loads(toml.read_text(encoding="utf-8")) if toml.exists() else {}
            assert config.get("rules", {}).get(rule.id, {}) | options == config.get("rules", {}).get(rule.id, {}), (
                f"{rule.id}: {module} shows {cid} fixed without {options}")
