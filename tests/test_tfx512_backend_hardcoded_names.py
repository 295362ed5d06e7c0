"""TFX512 backend-hardcoded-names."""

from __future__ import annotations

from tffix.transforms.terraform.backend_hardcoded_names import (
    BackendHardcodedNames as R,
)

from .rulekit import findings, fix, unchanged

BACKEND = """\
terraform {
  backend "s3" {
    bucket               = "terraform-state-multi-env" # hardcoded
    key                  = "infrastructure/terraform.tfstate"
    region               = "us-east-1"
    dynamodb_table       = "terraform-state-lock"
    encrypt              = true
    workspace_key_prefix = "workspaces"
  }
}
"""


def _records(files):
    out, result = fix(R, files)
    assert out == (files if isinstance(files, dict) else {"main.tf": files})
    return [(r.path, r.line, r.column, r.fixable, r.message) for r in result.remaining]


def test_reports_bucket_and_table(snapshot) -> None:
    assert _records(BACKEND) == snapshot


def test_partial_configuration_is_fine() -> None:
    text = 'terraform {\n  backend "s3" {\n    key     = "k"\n    encrypt = true\n  }\n}\n'
    assert unchanged(R, text) and findings(R, text) == []


def test_other_backends_and_other_blocks_are_ignored() -> None:
    text = 'terraform {\n  backend "gcs" {\n    bucket = "b"\n  }\n}\n\nresource "aws_s3_bucket" "b" {\n' \
           '  bucket = "b"\n}\n'
    assert findings(R, text) == []


def test_multi_file_module() -> None:
    files = {"backend.tf": BACKEND, "main.tf": 'resource "aws_s3_bucket" "b" {}\n'}
    assert [(p, line) for p, line, *_ in _records(files)] == [("backend.tf", 3), ("backend.tf", 6)]


def test_suppression_comment() -> None:
    text = BACKEND.replace("# hardcoded", "# tffix:ignore[TFX512]")
    assert findings(R, text) == [("TFX512", 6, False)]
    assert findings(R, "# tffix:ignore[TFX512]\n" + BACKEND) == []
