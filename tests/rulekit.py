"""Helpers every rule test uses, so each rule is held to the same contract:

* ``fix(rules, files)`` runs the engine over in-memory files (unsafe fixes on by
  default) and returns the new texts and the result;
* ``check_fix(...)`` asserts the whole contract for a positive case: the output
  parses, a second run changes nothing and proposes no fix (idempotent), the
  output is fmt-clean when terraform is installed and the input was, and
  returns the unified diff for a syrupy snapshot;
* ``findings(...)`` returns the remaining findings as (rule, line, fixable).
"""

from __future__ import annotations

import difflib
from collections.abc import Sequence

import tffix
from tffix.engine.engine import ModuleResult, Options, fix_texts
from tffix.engine.rules import Rule
from tffix.transforms.lib.schema import check_written

from .conftest import TERRAFORM, terraform_fmt

RuleSet = type[Rule] | Sequence[type[Rule]]


def _rules(rules: RuleSet) -> list[type[Rule]]:
    return [rules] if isinstance(rules, type) else list(rules)


def fix(rules: RuleSet, files: dict[str, str] | str, *, unsafe: bool = True, directory: str = ".",
        **options: object) -> tuple[dict[str, str], ModuleResult]:
    """``directory``: where the module lives on disk, for rules that look at
    files next to it (write them with pytest's tmp_path)."""
    if isinstance(files, str):
        files = {"main.tf": files}
    options.setdefault("fix_checks", (check_written,))  # as tffix runs: the provider-schema check
    opts = Options(unsafe_fixes=unsafe, **options)  # type: ignore[arg-type]
    out, result = fix_texts(files, _rules(rules), opts, directory)
    assert not result.errors, result.errors
    return out, result


def diff(before: dict[str, str], after: dict[str, str]) -> str:
    chunks = []
    for name in sorted(set(before) | set(after)):
        a, b = before.get(name, ""), after.get(name, "")
        if a != b:
            chunks.extend(difflib.unified_diff(a.splitlines(True), b.splitlines(True), f"a/{name}", f"b/{name}"))
    return "".join(chunks)


def check_fix(rules: RuleSet, files: dict[str, str] | str, *, unsafe: bool = True, **options: object) -> str:
    """Run the positive-case contract; returns the diff (for a snapshot)."""
    if isinstance(files, str):
        files = {"main.tf": files}
    out, result = fix(rules, files, unsafe=unsafe, **options)
    assert out != files, "expected a fix"
    assert result.fixed, "expected at least one applied fix"
    for name, text in out.items():
        assert tffix.parse(text, name).code == text
    again, second = fix(rules, out, unsafe=unsafe, **options)
    assert again == out, "second run changed the output (not idempotent)"
    assert not second.fixed
    if TERRAFORM is not None:
        for name, text in files.items():
            if name.endswith(".tf") and terraform_fmt(text) == (0, text):
                assert terraform_fmt(out[name]) == (0, out[name]), f"{name}: fix is not fmt-clean"
        for name in set(out) - set(files):
            assert terraform_fmt(out[name]) == (0, out[name]), f"{name}: new file is not fmt-clean"
    return diff(files, out)


def findings(rules: RuleSet, files: dict[str, str] | str, *, unsafe: bool = True, **options: object
             ) -> list[tuple[str, int, bool]]:
    """Remaining findings after fixing: (rule id, line, fixable)."""
    _, result = fix(rules, files, unsafe=unsafe, **options)
    return [(r.rule_id, r.line, r.fixable) for r in result.remaining]


def unchanged(rules: RuleSet, files: dict[str, str] | str, **options: object) -> bool:
    if isinstance(files, str):
        files = {"main.tf": files}
    out, _ = fix(rules, files, **options)
    return out == files
