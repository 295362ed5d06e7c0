"""Every rule's docstring examples are tests.

For each registered rule, with its default options:

* the code in ``## Example`` gets at least one finding of the rule;
* the code in ``## Use instead`` gets none;
* if the rule has a fix (``fix_availability != "never"``), fixing the Example
  with unsafe fixes allowed leaves it clean: the rule finds nothing at all in
  the result, not even a report-only finding (this holds for every rule, so
  no rule is excepted).

How a section's code blocks become a module (file names, files in other
directories, what Use instead keeps from the Example) is described in the
docstring of ``tffix.engine.rules``.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from tffix.engine.engine import ModuleResult
from tffix.engine.rules import rule_examples, section_files
from tffix.transforms.registry import RULES

from tests.rulekit import fix


def _run(rule, files: dict[str, str], tmp_path: Path, **options: object) -> ModuleResult:
    """Run ``rule`` alone on ``files`` as a module in ``tmp_path``: files in
    subdirectories are written there (a module call's source), the others are
    the module's files. Fails on engine errors (a fix that breaks the syntax,
    fixes that do not converge)."""
    here = {}
    for name, text in files.items():
        if "/" in name:
            (tmp_path / name).parent.mkdir(parents=True, exist_ok=True)
            (tmp_path / name).write_text(text, encoding="utf-8")
        else:
            here[name] = text
    return fix(rule, here, directory=str(tmp_path), **options)[1]


@pytest.mark.parametrize("rule", RULES, ids=[r.id for r in RULES])
def test_docstring_examples(rule, tmp_path: Path) -> None:
    example, use_instead = rule_examples(rule)
    assert example, f"{rule.id}: no ```hcl block in the Example"
    assert section_files(rule.docs()["Use instead"]), f"{rule.id}: no ```hcl block in Use instead"

    found = _run(rule, example, tmp_path, apply_fixes=False)
    assert found.remaining, f"{rule.id}: the Example gets no finding"
    clean = _run(rule, use_instead, tmp_path, apply_fixes=False)
    assert not clean.remaining, f"{rule.id}: Use instead gets {[r.message for r in clean.remaining]}"

    if rule.fix_availability != "never":
        fixed = _run(rule, example, tmp_path, unsafe=True)
        assert not fixed.remaining, f"{rule.id}: after the fix: {[r.message for r in fixed.remaining]}"
