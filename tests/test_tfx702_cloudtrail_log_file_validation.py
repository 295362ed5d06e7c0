"""TFX702 cloudtrail-log-file-validation."""

from __future__ import annotations

import pytest
from tffix.transforms.logging.cloudtrail_log_file_validation import (
    CloudtrailLogFileValidation as R,
)

from .rulekit import check_fix, findings, fix, unchanged

# seed 000 "Missing Dependencies": the corrected trail
TRAIL = """\
resource "aws_cloudtrail" "main" {
  name           = "main"
  s3_bucket_name = aws_s3_bucket.logs.bucket
  depends_on     = [aws_s3_bucket_policy.logs]
}
"""

FALSE = """\
resource "aws_cloudtrail" "regional" {
  for_each                   = toset(var.regions)
  name                       = "trail-${each.key}"
  s3_bucket_name             = "logs"
  enable_log_file_validation = false
}
"""


def test_missing_is_written_out(snapshot) -> None:
    diff = check_fix(R, TRAIL)
    assert diff == snapshot
    _, result = fix(R, TRAIL, unsafe=False)
    assert [(r.safety, r.impact) for r in result.fixed] == [("safe", "in-place update")]


def test_false_becomes_true_with_for_each(snapshot) -> None:
    assert check_fix(R, FALSE) == snapshot


@pytest.mark.parametrize("value", ["true", '"true"'])
def test_already_validated_is_left_alone(value: str) -> None:
    text = f'resource "aws_cloudtrail" "t" {{\n  enable_log_file_validation = {value}\n}}\n'
    assert unchanged(R, text) and findings(R, text) == []


def test_expression_is_reported_without_fix() -> None:
    text = 'resource "aws_cloudtrail" "t" {\n  enable_log_file_validation = var.validate\n}\n'
    assert unchanged(R, text)
    assert findings(R, text) == [("TFX702", 2, False)]


def test_multi_file_and_other_resources() -> None:
    other = 'resource "aws_s3_bucket" "logs" {\n  bucket = "logs"\n}\n'
    out, result = fix(R, {"trail.tf": TRAIL, "s3.tf": other})
    assert out["s3.tf"] == other and [r.path for r in result.fixed] == ["trail.tf"]


def test_suppression() -> None:
    assert unchanged(R, "# tffix:ignore[TFX702]\n" + TRAIL)
    assert unchanged(R, TRAIL.replace("  name ", "  #checkov:skip=CKV_AWS_36:validated elsewhere\n  name ", 1))
