"""TFX132 state-bucket-versioning."""

from __future__ import annotations

import pytest
from tffix.transforms.s3.state_bucket_versioning import StateBucketVersioning as R

from .rulekit import check_fix, findings, fix, unchanged

BUCKET = """\
terraform {
  backend "s3" {
    bucket = "acme-state"
    key    = "global/terraform.tfstate"
    region = "us-east-1"
  }
}

resource "aws_s3_bucket" "state" {
  bucket = "acme-state"
}

resource "aws_s3_bucket_server_side_encryption_configuration" "state" {
  bucket = aws_s3_bucket.state.id

  rule {
    apply_server_side_encryption_by_default {
      sse_algorithm = "AES256"
    }
  }
}

resource "aws_s3_bucket" "logs" {
  bucket = "acme-logs"
}
"""

VERSIONING = """\
resource "aws_s3_bucket_versioning" "{name}" {{
  bucket = {bucket}

  versioning_configuration {{
    status = {status}
  }}
}}
"""


def test_adds_versioning_after_the_state_bucket_and_its_configuration(snapshot) -> None:
    assert check_fix(R, BUCKET) == snapshot


def test_fix_is_unsafe_and_held_back(snapshot) -> None:
    out, result = fix(R, BUCKET, unsafe=False)
    assert out["main.tf"] == BUCKET
    (held,) = result.remaining
    assert held.held_back and held.safety == "unsafe" and held.impact == "in-place update"
    assert [(r.path, r.line, r.column, r.fixable, r.message) for r in result.remaining] == snapshot


@pytest.mark.parametrize("bucket", [
    'resource "aws_s3_bucket" "b" {\n  bucket = "acme-tfstate"\n}\n',
    'resource "aws_s3_bucket" "b" {\n  bucket = "${var.project}-terraform-state"\n}\n',
    'resource "aws_s3_bucket" "b" {\n  bucket_prefix = "acme-tf-state-"\n}\n',
    'resource "aws_s3_bucket" "terraform_state" {\n  bucket = var.name\n}\n',
    'resource "aws_s3_bucket" "b" {\n  bucket = "ACME-TF_STATE"\n}\n',
])
def test_state_bucket_names(bucket: str) -> None:
    assert findings(R, bucket, unsafe=False) == [("TFX132", 1, True)]
    assert not unchanged(R, bucket)


@pytest.mark.parametrize("bucket", [
    'resource "aws_s3_bucket" "b" {\n  bucket = "acme-logs"\n}\n',
    'resource "aws_s3_bucket" "state_store" {\n  bucket = "acme-app-state"\n}\n',
    'resource "aws_s3_directory_bucket" "tfstate" {\n  bucket = "tfstate--use1-az4--x-s3"\n}\n',
])
def test_other_buckets_are_ignored(bucket: str) -> None:
    assert unchanged(R, bucket) and findings(R, bucket) == []


def test_count_and_for_each_buckets(snapshot) -> None:
    text = """\
resource "aws_s3_bucket" "tfstate" {
  for_each = toset(["stage", "prod"])
  bucket   = "acme-${each.key}-tfstate"
}

resource "aws_s3_bucket" "tf_state" {
  count  = var.create ? 1 : 0
  bucket = "acme-tf-state"
}
"""
    assert check_fix(R, text) == snapshot


@pytest.mark.parametrize("bucket", [
    "aws_s3_bucket.state.id",
    "aws_s3_bucket.state.bucket",
    '"acme-state"',
    '"${aws_s3_bucket.state.id}"',
])
@pytest.mark.parametrize("status", ['"Enabled"', "var.versioning_status"])
def test_existing_versioning_anywhere_in_the_module(bucket: str, status: str) -> None:
    files = {"main.tf": BUCKET, "versioning.tf": VERSIONING.format(name="x", bucket=bucket, status=status)}
    assert unchanged(R, files) and findings(R, files) == []


@pytest.mark.parametrize("status", ['"Suspended"', '"Disabled"'])
def test_switched_off_versioning_reports_without_fix(status: str) -> None:
    files = {"main.tf": BUCKET, "versioning.tf": VERSIONING.format(name="x", bucket="aws_s3_bucket.state.id",
                                                                   status=status)}
    assert unchanged(R, files)
    _, result = fix(R, files)
    (record,) = result.remaining
    assert (record.path, record.line, record.fixable) == ("versioning.tf", 5, False)
    assert "switched off" in record.message


def test_inline_versioning() -> None:
    inline = 'resource "aws_s3_bucket" "tfstate" {\n  bucket = "x"\n\n  versioning {\n    enabled = %s\n  }\n}\n'
    assert unchanged(R, inline % "true") and findings(R, inline % "true") == []
    assert findings(R, inline % "var.versioning") == []
    assert unchanged(R, inline % "false") and findings(R, inline % "false") == [("TFX132", 5, False)]
    mfa_only = 'resource "aws_s3_bucket" "tfstate" {\n  versioning {\n    mfa_delete = false\n  }\n}\n'
    assert unchanged(R, mfa_only) and findings(R, mfa_only) == [("TFX132", 2, False)]
    dynamic = 'resource "aws_s3_bucket" "tfstate" {\n  dynamic "versioning" {\n    for_each = var.v\n' \
              '    content {}\n  }\n}\n'
    assert findings(R, dynamic) == []


def test_unresolvable_versioning_reports_without_fix() -> None:
    files = {"main.tf": BUCKET, "versioning.tf": VERSIONING.format(name="x", bucket="var.bucket",
                                                                   status='"Enabled"')}
    assert unchanged(R, files)
    _, result = fix(R, files)
    (record,) = result.remaining
    assert not record.fixable and "aws_s3_bucket_versioning.x names its bucket" in record.message


def test_versioning_for_another_bucket_does_not_count() -> None:
    files = {"main.tf": BUCKET, "versioning.tf": VERSIONING.format(name="state", bucket="aws_s3_bucket.logs.id",
                                                                   status='"Enabled"')}
    out, _ = fix(R, files)
    assert 'resource "aws_s3_bucket_versioning" "state_2"' in out["main.tf"]


def test_provider_below_4_reports_without_fix() -> None:
    versions = 'terraform {\n  required_providers {\n    aws = {\n      source  = "hashicorp/aws"\n' \
               '      version = "~> 3.74"\n    }\n  }\n}\n'
    files = {"main.tf": BUCKET, "versions.tf": versions}
    assert unchanged(R, files) and findings(R, files) == [("TFX132", 9, False)]


def test_suppression_comment() -> None:
    text = BUCKET.replace('resource "aws_s3_bucket" "state"', '# tffix:ignore[TFX132]\nresource "aws_s3_bucket" "state"')
    assert unchanged(R, text) and findings(R, text) == []
