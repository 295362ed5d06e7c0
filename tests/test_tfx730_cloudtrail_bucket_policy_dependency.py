"""TFX730 cloudtrail-bucket-policy-dependency."""

from __future__ import annotations

import pytest
from tffix.transforms.logging.cloudtrail_bucket_policy_dependency import (
    CloudtrailBucketPolicyDependency as R,
)

from .rulekit import check_fix, findings, fix, unchanged

BUCKET = """\
resource "aws_s3_bucket" "logs" {
  bucket = "acme-trail-logs"
}

resource "aws_s3_bucket_policy" "logs" {
  bucket = aws_s3_bucket.logs.id
  policy = data.aws_iam_policy_document.trail.json
}
"""

TRAIL = """\
resource "aws_cloudtrail" "main" {{
  name           = "main"
  s3_bucket_name = {bucket}

  event_selector {{
    read_write_type = "All"
  }}
}}
"""


def trail(bucket: str = "aws_s3_bucket.logs.bucket") -> str:
    return TRAIL.format(bucket=bucket)


def test_adds_depends_on(snapshot) -> None:
    assert check_fix(R, BUCKET + "\n" + trail()) == snapshot


def test_merges_into_an_existing_list(snapshot) -> None:
    text = BUCKET + "\n" + trail().replace('  name           = "main"\n',
                                           '  name           = "main"\n  depends_on     = [aws_iam_role.x]\n')
    assert check_fix(R, text) == snapshot


@pytest.mark.parametrize("bucket", ["aws_s3_bucket.logs.id", '"acme-trail-logs"', '"${aws_s3_bucket.logs.id}"',
                                    "aws_s3_bucket.logs[0].id"])
def test_bucket_by_reference_or_literal_name(bucket: str) -> None:
    out, _ = fix(R, BUCKET + trail(bucket))
    assert "depends_on     = [aws_s3_bucket_policy.logs]" in out["main.tf"]


def test_already_depends_or_refers_to_the_policy() -> None:
    done = BUCKET + trail().replace('  name           = "main"\n',
                                    '  name           = "main"\n  depends_on     = [aws_s3_bucket_policy.logs]\n')
    assert unchanged(R, done) and findings(R, done) == []
    via_policy = BUCKET + trail("aws_s3_bucket_policy.logs.bucket")
    assert unchanged(R, via_policy) and findings(R, via_policy) == []


def test_expression_bucket_is_left_alone() -> None:
    for bucket in ("var.trail_bucket", "module.logs.bucket_id", '"someone-elses-bucket"'):
        text = BUCKET + trail(bucket)
        assert unchanged(R, text) and findings(R, text) == []


def test_bucket_without_policy_is_reported_without_fix() -> None:
    text = 'resource "aws_s3_bucket" "logs" {\n  bucket = "l"\n}\n' + trail()
    assert unchanged(R, text) and findings(R, text) == [("TFX730", 6, False)]


def test_inline_legacy_policy_counts_as_part_of_the_bucket() -> None:
    text = 'resource "aws_s3_bucket" "logs" {\n  bucket = "l"\n  policy = "{}"\n}\n' + trail()
    assert unchanged(R, text) and findings(R, text) == []


def test_non_list_depends_on_is_reported() -> None:
    text = BUCKET + trail().replace('  name           = "main"\n',
                                    '  name           = "main"\n  depends_on     = local.deps\n')
    assert unchanged(R, text) and findings(R, text) == [("TFX730", 11, False)]


def test_count_trail_and_bucket(snapshot) -> None:
    text = """\
resource "aws_s3_bucket" "logs" {
  count  = var.enabled ? 1 : 0
  bucket = "acme-trail-logs"
}

resource "aws_s3_bucket_policy" "logs" {
  count  = var.enabled ? 1 : 0
  bucket = aws_s3_bucket.logs[0].id
  policy = "{}"
}

resource "aws_cloudtrail" "main" {
  count          = var.enabled ? 1 : 0
  name           = "main"
  s3_bucket_name = aws_s3_bucket.logs[0].id
}
"""
    assert check_fix(R, text) == snapshot


def test_multi_file_module() -> None:
    files = {"s3.tf": BUCKET, "trail.tf": trail(), "vars.tf": 'variable "x" {}\n'}
    out, result = fix(R, files, unsafe=False)
    assert out["s3.tf"] == BUCKET and out["vars.tf"] == files["vars.tf"]
    assert "depends_on     = [aws_s3_bucket_policy.logs]" in out["trail.tf"]
    assert result.fixed and not result.remaining


def test_suppression_comment() -> None:
    text = BUCKET + "# tffix:ignore[TFX730]\n" + trail()
    assert unchanged(R, text) and findings(R, text) == []
