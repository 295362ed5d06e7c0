"""Shared fixtures: where the conformance cases live, and terraform if present."""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
CASES = ROOT.parent / "shared" / "hcl-cases"
FIXTURES = Path(__file__).resolve().parent / "fixtures"


def cases_dir() -> Path:
    """The conformance suite beside the checkout (shared/hcl-cases). In CI it
    must be there: a missing suite fails instead of silently skipping."""
    if not CASES.is_dir():
        if os.environ.get("CI"):
            raise RuntimeError(f"conformance cases not found at {CASES}")
        pytest.skip(f"conformance cases not found at {CASES}")
    return CASES


TERRAFORM = shutil.which("terraform")


def terraform_fmt(text: str) -> tuple[int, str]:
    """Run `terraform fmt -` on text; returns (exit code, formatted text)."""
    assert TERRAFORM is not None
    env = dict(os.environ, TF_CLI_CONFIG_FILE=os.devnull, CHECKPOINT_DISABLE="1")
    proc = subprocess.run([TERRAFORM, "fmt", "-no-color", "-"], input=text.encode(), capture_output=True, env=env)
    return proc.returncode, proc.stdout.decode()


needs_terraform = pytest.mark.skipif(TERRAFORM is None, reason="terraform is not on PATH: oracle test skipped")
