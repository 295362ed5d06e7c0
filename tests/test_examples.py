"""Acceptance: the seed module (examples/seeds, built from the seeds' wrong
snippets) after `tffix --unsafe-fixes` with the five headline transforms."""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

import tffix
from click.testing import CliRunner
from tffix.app.cli import main

from .conftest import ROOT, TERRAFORM

HEADLINE = "TFX101,TFX201,TFX301,TFX401,TFX5"


def _run(directory: Path, *args: str):
    return CliRunner().invoke(main, [*args, "--select", HEADLINE, str(directory)], catch_exceptions=False)


def test_headline_transforms_on_the_seed_module(tmp_path: Path, snapshot) -> None:
    module = tmp_path / "seeds"
    shutil.copytree(ROOT / "examples" / "seeds", module)
    before = {p.name: p.read_text() for p in module.glob("*.tf")}
    first = _run(module, "--unsafe-fixes")
    assert first.exit_code == 0, first.output
    after = {p.name: p.read_text() for p in module.glob("*.tf")}
    for name, text in after.items():
        assert tffix.parse(text, name).code == text
    db = after["database.tf"]
    assert db.count("storage_encrypted   = true") == 1 and db.count("storage_encrypted  = true") == 1
    assert "publicly_accessible = true" not in db and db.count("publicly_accessible = false") == 2
    net = after["network.tf"]
    assert '"${aws_cloudwatch_log_group.flow_logs.arn}:*"' in net
    lam = after["lambda.tf"]
    assert 'data "archive_file" "main"' in lam and "data.archive_file.main.output_base64sha256" in lam
    versions = after["versions.tf"]
    assert 'required_version = ">= 1.0"' in versions and 'version = "~> 6.0"' in versions
    # a second run changes nothing and finds nothing left to fix
    second = _run(module, "--unsafe-fixes")
    assert second.exit_code == 0 and {p.name: p.read_text() for p in module.glob("*.tf")} == after
    if TERRAFORM is not None:
        env = dict(os.environ, TF_CLI_CONFIG_FILE=os.devnull)
        assert subprocess.run([TERRAFORM, "fmt", "-check", str(module)], env=env, capture_output=True).returncode == 0
    import difflib

    diff = "".join(
        "".join(difflib.unified_diff(before[n].splitlines(True), after[n].splitlines(True), f"a/{n}", f"b/{n}"))
        for n in sorted(before)
    )
    assert diff == snapshot
