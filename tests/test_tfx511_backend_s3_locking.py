"""TFX511 backend-s3-locking."""

from __future__ import annotations

import pytest
from tffix.transforms.terraform.backend_s3_locking import BackendS3Locking as R

from .rulekit import check_fix, findings, fix, unchanged

BACKEND = """\
terraform {
  required_version = "%s"

  backend "s3" {
    bucket  = "acme-terraform-state"
    key     = "prod/terraform.tfstate"
    region  = "us-east-1"
    encrypt = true
  }
}
"""


def test_adds_use_lockfile(snapshot) -> None:
    assert check_fix(R, BACKEND % ">= 1.10") == snapshot


def test_is_unsafe_and_held_back() -> None:
    out, result = fix(R, BACKEND % "~> 1.11", unsafe=False)
    assert out["main.tf"] == BACKEND % "~> 1.11"
    (held,) = result.remaining
    assert held.held_back and held.impact == "none" and held.line == 4


@pytest.mark.parametrize("version", [">= 1.5", "~> 1.9", "1.9.8"])
def test_older_terraform_is_reported_without_fix(version: str) -> None:
    text = BACKEND % version
    assert unchanged(R, text) and findings(R, text) == [("TFX511", 4, False)]
    _, result = fix(R, text)
    assert "set dynamodb_table" in result.remaining[0].message


def test_no_required_version_is_reported_without_fix() -> None:
    text = 'terraform {\n  backend "s3" {}\n}\n'
    assert unchanged(R, text) and findings(R, text) == [("TFX511", 2, False)]
    _, result = fix(R, text)
    assert "a partial configuration: if terraform init passes dynamodb_table" in result.remaining[0].message


def test_false_lockfile_becomes_true(snapshot) -> None:
    text = (BACKEND % ">= 1.10").replace("    encrypt = true\n", "    encrypt = true\n    use_lockfile = false\n")
    assert check_fix(R, text) == snapshot


@pytest.mark.parametrize("extra", ['    dynamodb_table = "locks"\n', "    use_lockfile = true\n"])
def test_already_locked(extra: str) -> None:
    text = (BACKEND % ">= 1.5").replace("    encrypt = true\n", "    encrypt = true\n" + extra)
    assert unchanged(R, text) and findings(R, text) == []


def test_required_version_in_another_file() -> None:
    files = {"versions.tf": 'terraform {\n  required_version = ">= 1.10.0"\n}\n',
             "backend.tf": 'terraform {\n  backend "s3" {\n    bucket = "b"\n  }\n}\n'}
    out, _ = fix(R, files)
    assert out["versions.tf"] == files["versions.tf"]
    assert out["backend.tf"] == 'terraform {\n  backend "s3" {\n    bucket       = "b"\n    use_lockfile = true\n' \
                                '  }\n}\n'


def test_other_backends_are_ignored() -> None:
    assert unchanged(R, 'terraform {\n  backend "local" {}\n}\n')


def test_suppression_comment() -> None:
    text = (BACKEND % ">= 1.10").replace('  backend "s3" {', '  backend "s3" { # tffix:ignore[TFX511]')
    assert unchanged(R, text) and findings(R, text) == []
