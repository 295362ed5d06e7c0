"""The whole CLI on mutated Terraform (hypothesis): whatever the input, a run
ends with exit code 0, 1 or 2, valid JSON, no exception escaping, and every
file it wrote still parses. The parser and printer have their own property
tests (test_property.py); this one covers everything after them."""

from __future__ import annotations

import json
import shutil
import tempfile
from pathlib import Path

from click.testing import CliRunner
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from tffix.app.cli import main
from tffix.syntax.errors import ParseError
from tffix.syntax.parser import parse

from .conftest import ROOT

SEEDS = [p.read_text(encoding="utf-8") for p in sorted((ROOT / "examples").rglob("*.tf"))]
PIECES = list('{}[]()"$%~<\n\r#/*=.,:?!\\ \t\ufeffx0') + [
    "resource ", 'resource "aws_db_instance" "x" {\n', "}\n", " = true\n", " = var.x\n", "${", "%{ if x }",
    "<<EOT\n", "\nEOT\n", '"\\u00e9"', "count = 2\n", "for_each = {}\n", "dynamic \"x\" {\n", "\x00", "\udcff",
]


@st.composite
def mutated(draw) -> str:
    text = draw(st.sampled_from(SEEDS))
    for _ in range(draw(st.integers(1, 6))):
        i = draw(st.integers(0, len(text)))
        op = draw(st.integers(0, 2))
        if op == 0:
            j = draw(st.integers(i, min(len(text), i + 30)))
            text = text[:i] + text[j:]
        elif op == 1:
            text = text[:i] + draw(st.sampled_from(PIECES)) + text[i:]
        else:
            j = draw(st.integers(i, min(len(text), i + 40)))
            k = draw(st.integers(0, len(text)))
            text = text[:k] + text[i:j] + text[k:]  # a run duplicated elsewhere
    return text


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(mutated(), st.sampled_from([[], ["--unsafe-fixes"], ["--dry-run"], ["--select", "ALL"]]))
def test_the_cli_survives_mutated_terraform(text: str, flags: list[str]) -> None:
    root = Path(tempfile.mkdtemp(prefix="tffix-fuzz-"))
    try:
        (root / "main.tf").write_bytes(text.encode("utf-8", "surrogateescape"))
        (root / "other.tf").write_text(SEEDS[0])
        r = CliRunner().invoke(main, [*flags, "--format", "json", "-j", "1", str(root)])
        assert isinstance(r.exception, SystemExit) and r.exit_code in (0, 1, 2), r.output
        doc = json.loads(r.stdout)
        assert "Traceback" not in r.output
        for change in doc["changes"]:
            if "--dry-run" not in flags:
                written = Path(change["path"]).read_text(encoding="utf-8")
                try:
                    parse(written)
                except ParseError as e:  # pragma: no cover - the failure this test exists for
                    raise AssertionError(f"tffix wrote a file that does not parse: {e}") from None
    finally:
        shutil.rmtree(root)
