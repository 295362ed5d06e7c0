"""Every registered rule honours the rule contract (metadata and docs)."""

from __future__ import annotations

import re

import pytest
from tffix.engine.rules import DOC_SECTIONS
from tffix.transforms.registry import RULES

IDS = [r.id for r in RULES]


def test_ids_and_names_are_unique_and_stable_looking() -> None:
    assert len(set(IDS)) == len(IDS)
    assert len({r.name for r in RULES}) == len(RULES)
    assert IDS == sorted(IDS), "RULES is sorted by id"
    for rule in RULES:
        assert re.fullmatch(r"TFX\d{3}", rule.id), rule.id
        assert re.fullmatch(r"[a-z0-9]+(-[a-z0-9]+)*", rule.name), rule.name


@pytest.mark.parametrize("rule", RULES, ids=IDS)
def test_metadata(rule) -> None:
    assert rule.summary and not rule.summary.endswith(".")
    assert rule.fix_availability in ("always", "sometimes", "never")
    assert rule.safety in ("safe", "unsafe", "display-only")
    assert rule.impact in ("none", "in-place update", "forces replacement")
    if rule.fix_availability == "never":
        assert rule.safety == "display-only"
    for cid in rule.checkov:
        assert re.fullmatch(r"CKV2?_[A-Z]+_\d+", cid), cid
    for tid in rule.trivy:
        assert re.fullmatch(r"[A-Z]+-\d{4}", tid), tid
    assert rule.reports_only <= set(rule.mapped_ids()), f"{rule.id}: reports_only names ids it does not map"
    if rule.fix_availability == "never":
        assert not rule.reports_only, f"{rule.id}: a display-only rule reports every mapped id already"
    assert sorted([*rule.fixed_ids(), *rule.reported_ids()]) == sorted(rule.mapped_ids())
    assert not set(rule.checkov_skips) & set(rule.checkov), f"{rule.id}: checkov_skips repeats mapped ids"
    assert set(rule.partial) <= set(rule.mapped_ids()), f"{rule.id}: partial names ids it does not map"
    for cid, covers in rule.partial.items():
        assert len(covers) > 20 and not covers.endswith("."), f"{rule.id}: say what part of {cid} the rule covers"
        assert cid in rule.docs()["References"], f"{rule.id}: References must say why {cid} is partial"


@pytest.mark.parametrize("rule", RULES, ids=IDS)
def test_docs_have_every_section(rule) -> None:
    docs = rule.docs()
    assert list(docs) == list(DOC_SECTIONS), f"{rule.id}: sections {list(docs)}"
    for section, text in docs.items():
        assert text, f"{rule.id}: empty section {section}"
    assert "```hcl" in docs["Example"]


def test_fixed_and_reported_ids() -> None:
    from tffix.engine.rules import Rule

    class Fixing(Rule):
        fix_availability = "sometimes"
        checkov = ("CKV_AWS_1", "CKV_AWS_2")
        trivy = ("AWS-0001",)
        reports_only = frozenset({"CKV_AWS_2"})

    class Reporting(Rule):
        checkov = ("CKV_AWS_1",)

    assert Fixing.fixed_ids() == ["CKV_AWS_1", "AWS-0001"] and Fixing.reported_ids() == ["CKV_AWS_2"]
    assert Reporting.fixed_ids() == [] and Reporting.reported_ids() == ["CKV_AWS_1"]
    assert Fixing.describe()["fixes"] == ["CKV_AWS_1", "AWS-0001"]
    assert Fixing.describe()["reports"] == ["CKV_AWS_2"]


def test_ids_fixed_only_with_options_say_which() -> None:
    from tffix.engine.rules import Rule

    class Optional(Rule):
        fix_availability = "sometimes"
        checkov = ("CKV_AWS_1", "CKV_AWS_2")
        options = {"mode": "a"}
        fixed_with_options = {"CKV_AWS_2": {"mode": "b"}}

    assert Optional.fixed_ids() == ["CKV_AWS_1", "CKV_AWS_2"]
    assert Optional.fixed_labels() == ["CKV_AWS_1", 'CKV_AWS_2 (with mode = "b")']
    assert Optional.describe()["fixes_with_options"] == {"CKV_AWS_2": {"mode": "b"}}
    for rule in RULES:
        for cid, options in rule.fixed_with_options.items():
            assert cid in rule.fixed_ids() and set(options) <= set(rule.options), rule.id
