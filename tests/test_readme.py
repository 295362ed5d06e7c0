"""The README's promises: its two opening commands and its API example work."""

from __future__ import annotations

import re

from .conftest import ROOT


def _readme() -> str:
    return (ROOT / "README.md").read_text()


def test_readme_opens_with_the_two_commands_and_ci_runs_the_second() -> None:
    blocks = re.findall(r"```sh\n(.*?)\n```", _readme(), re.S)
    install_and_run, test_command = blocks[0], blocks[1]
    assert "tffix --dry-run examples/" in install_and_run
    ci = (ROOT / ".ci" / "run").read_text()
    assert test_command in ci.splitlines()


def test_readme_api_example_runs() -> None:
    code = re.search(r"```python\n(.*?)\n```", _readme(), re.S).group(1)
    text = (ROOT / "examples" / "rds" / "main.tf").read_text()
    code = code.replace("tffix.parse(text", "tffix.parse(TEXT").replace('"app")[0]', '"app")[0]')
    namespace: dict = {"TEXT": text, "print": lambda *a: None}
    exec(code, namespace)  # noqa: S102 - our own README
    out = namespace["tree"].code
    assert "publicly_accessible = false" in out and "password" not in out
    assert 'data "aws_caller_identity" "current" {}' in out


def _coverage_counts() -> list[tuple[str, int, int, int, int]]:
    """Per seed in docs/coverage.md: patterns, fixed (even partly), reported only, out of scope."""
    text = (ROOT / "docs" / "coverage.md").read_text()
    counts = []
    for section in re.split(r"^## ", text, flags=re.M)[1:]:
        seed = section.split(" — ")[0]
        statuses = [line.split("|")[3].strip() for line in section.splitlines()
                    if line.startswith("| ") and line.split("|")[3].strip() != "status"]
        fixed = sum("fixed" in s for s in statuses)
        reported = sum("fixed" not in s and "reported" in s for s in statuses)
        assert all(("fixed" in s or "reported" in s or "out of scope" in s) for s in statuses), statuses
        counts.append((seed, len(statuses), fixed, reported, len(statuses) - fixed - reported))
    return counts


def test_readme_coverage_table_matches_docs_coverage() -> None:
    rows = re.findall(r"^\| (Seed \d{3}): [^|]+\| (\d+) \| (\d+) \| (\d+) \| (\d+) \|$", _readme(), re.M)
    assert [(seed, *map(int, numbers)) for seed, *numbers in rows] == _coverage_counts()
    total = re.search(r"^\| all five \| (\d+) \| (\d+) \| (\d+) \| (\d+) \|$", _readme(), re.M)
    assert total is not None
    assert [int(n) for n in total.groups()] == [sum(c[i] for c in _coverage_counts()) for i in range(1, 5)]
