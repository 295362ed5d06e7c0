"""docs/rules.md is generated from the registry and must be up to date."""

from __future__ import annotations

import importlib.util
from pathlib import Path

from tffix.transforms.registry import RULES

ROOT = Path(__file__).resolve().parent.parent


def _generator():
    spec = importlib.util.spec_from_file_location("gen_rules_doc", ROOT / "tools" / "gen_rules_doc.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_rules_md_is_up_to_date() -> None:
    expected = _generator().render()
    current = (ROOT / "docs" / "rules.md").read_text(encoding="utf-8")
    assert current == expected, "docs/rules.md is out of date: run python3 tools/gen_rules_doc.py"


def test_every_rule_has_a_row_and_a_section() -> None:
    text = _generator().render()
    for rule in RULES:
        assert f"| [{rule.id}](#{rule.id.lower()}-{rule.name}) | {rule.name}" in text
        assert f"\n## {rule.id} {rule.name}\n" in text
        for section in rule.docs():
            assert f"### {section}" in text


def test_check_mode_reports_a_stale_file(tmp_path, monkeypatch) -> None:
    gen = _generator()
    monkeypatch.setattr(gen, "TARGET", tmp_path / "rules.md")
    monkeypatch.setattr(gen, "ROOT", tmp_path)
    assert gen.main(["--check"]) == 1
    assert gen.main([]) == 0
    assert gen.main(["--check"]) == 0


def test_coverage_md_names_only_registered_rules() -> None:
    import re

    text = (ROOT / "docs" / "coverage.md").read_text(encoding="utf-8")
    named = set(re.findall(r"\bTFX\d{3}\b", text))
    assert named, "coverage.md names no rule"
    assert named <= {r.id for r in RULES}, sorted(named - {r.id for r in RULES})
