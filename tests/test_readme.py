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
