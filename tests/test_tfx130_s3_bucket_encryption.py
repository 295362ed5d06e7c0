"""TFX130 s3-bucket-encryption."""

from __future__ import annotations

import pytest
from tffix.transforms.s3.s3_bucket_encryption import S3BucketEncryption as R

from .rulekit import check_fix, findings, fix, unchanged

BUCKET = """\
resource "aws_s3_bucket" "logs" {
  bucket = "acme-logs"
}

resource "aws_s3_bucket_versioning" "logs" {
  bucket = aws_s3_bucket.logs.id

  versioning_configuration {
    status = "Enabled"
  }
}

resource "aws_iam_role" "r" {
  name = "r"
}
"""

SSE = """\
resource "aws_s3_bucket_server_side_encryption_configuration" "{name}" {{
  bucket = {bucket}

  rule {{
    apply_server_side_encryption_by_default {{
      sse_algorithm = "aws:kms"
    }}
  }}
}}
"""

KMS = {"TFX130": {"sse-algorithm": "aws:kms", "kms-key-id": "aws_kms_key.s3.arn"}}
DATA = BUCKET.replace("logs", "data")  # a bucket that receives logs keeps SSE-S3 (test below)


def test_adds_sse_s3_after_the_bucket_and_its_configuration(snapshot) -> None:
    assert check_fix(R, BUCKET) == snapshot


def test_kms_option(snapshot) -> None:
    assert check_fix(R, DATA, rule_options=KMS) == snapshot


def test_kms_is_unsafe_and_held_back() -> None:
    out, result = fix(R, DATA, unsafe=False, rule_options=KMS)
    assert out["main.tf"] == DATA
    (held,) = result.remaining
    assert held.held_back and held.safety == "unsafe" and held.impact == "in-place update"


def test_sse_s3_is_safe() -> None:
    out, result = fix(R, BUCKET, unsafe=False)
    assert "sse_algorithm = \"AES256\"" in out["main.tf"] and not result.remaining


def test_kms_key_arn_option_is_quoted() -> None:
    out, _ = fix(R, DATA, rule_options={"TFX130": {"sse-algorithm": "aws:kms",
                                                      "kms-key-id": "arn:aws:kms:us-east-1:111122223333:key/k"}})
    assert 'kms_master_key_id = "arn:aws:kms:us-east-1:111122223333:key/k"' in out["main.tf"]


def test_bad_options_report_without_fix() -> None:
    text = 'resource "aws_s3_bucket" "b" {}\n'
    assert findings(R, text, rule_options={"TFX130": {"sse-algorithm": "DES"}}) == [("TFX130", 1, False)]


def test_count_and_for_each_buckets(snapshot) -> None:
    text = """\
resource "aws_s3_bucket" "data" {
  for_each = toset(["a", "b"])
  bucket   = "acme-${each.key}"
}

resource "aws_s3_bucket" "copies" {
  count  = var.copies
  bucket = "copy-${count.index}"
}
"""
    assert check_fix(R, text) == snapshot


@pytest.mark.parametrize("bucket", [
    "var.directory ? aws_s3_directory_bucket.d.bucket : aws_s3_bucket.logs.id",
    "aws_s3_bucket.logs.id",
    "aws_s3_bucket.logs.bucket",
    '"acme-logs"',
    '"${aws_s3_bucket.logs.id}"',
])
def test_existing_configuration_anywhere_in_the_module(bucket: str) -> None:
    files = {"main.tf": BUCKET, "sse.tf": SSE.format(name="x", bucket=bucket)}
    assert unchanged(R, files) and findings(R, files) == []


def test_existing_configuration_for_each_and_count() -> None:
    text = """\
resource "aws_s3_bucket" "data" {
  for_each = toset(["a", "b"])
  bucket   = each.key
}

resource "aws_s3_bucket" "c" {
  count = 2
}
""" + SSE.format(name="data", bucket="each.value.id").replace(
        "  bucket = each.value.id", "  for_each = aws_s3_bucket.data\n  bucket   = each.value.id") \
        + SSE.format(name="c", bucket="aws_s3_bucket.c[count.index].id")
    assert unchanged(R, text)


def test_inline_legacy_block_and_dynamic_block_count() -> None:
    text = """\
resource "aws_s3_bucket" "a" {
  server_side_encryption_configuration {
    rule {
      apply_server_side_encryption_by_default {
        sse_algorithm = "AES256"
      }
    }
  }
}

resource "aws_s3_bucket" "b" {
  dynamic "server_side_encryption_configuration" {
    for_each = var.sse
    content {}
  }
}
"""
    assert unchanged(R, text) and findings(R, text) == []


def test_configuration_for_another_bucket_does_not_count() -> None:
    files = {"main.tf": BUCKET, "sse.tf": SSE.format(name="logs", bucket='"someone-elses"')}
    out, _ = fix(R, files)
    assert 'resource "aws_s3_bucket_server_side_encryption_configuration" "logs_2"' in out["main.tf"]


def test_unresolvable_configuration_reports_without_fix() -> None:
    files = {"main.tf": BUCKET, "sse.tf": SSE.format(name="x", bucket="var.bucket")}
    assert unchanged(R, files)
    assert findings(R, files) == [("TFX130", 1, False)]
    _, result = fix(R, files)
    assert "aws_s3_bucket_server_side_encryption_configuration.x names its bucket" in result.remaining[0].message


def test_provider_below_4_reports_without_fix() -> None:
    versions = 'terraform {\n  required_providers {\n    aws = {\n      source  = "hashicorp/aws"\n' \
               '      version = "~> 3.74"\n    }\n  }\n}\n'
    files = {"main.tf": BUCKET, "versions.tf": versions}
    assert unchanged(R, files) and findings(R, files) == [("TFX130", 1, False)]
    assert not unchanged(R, {"main.tf": BUCKET, "versions.tf": versions.replace("~> 3.74", ">= 3.0")})


def test_multi_file_module_edits_the_bucket_file_only() -> None:
    files = {"s3.tf": 'resource "aws_s3_bucket" "b" {\n  bucket = "b"\n}\n', "vars.tf": 'variable "x" {}\n'}
    out, _ = fix(R, files)
    assert out["vars.tf"] == files["vars.tf"]
    assert out["s3.tf"].count("aws_s3_bucket_server_side_encryption_configuration") == 1


def test_other_resources_are_ignored() -> None:
    assert unchanged(R, 'resource "aws_s3_directory_bucket" "x" {\n  bucket = "x"\n}\n')


def test_suppression_comment() -> None:
    text = '# tffix:ignore[TFX130]\nresource "aws_s3_bucket" "b" {\n  bucket = "b"\n}\n'
    assert unchanged(R, text) and findings(R, text) == []


def test_checkov_skip_comment() -> None:
    # CKV_AWS_19 and CKV_AWS_145 are no longer mapped (neither is resolved by the default fix), but
    # comments written for them when they were still silence the rule
    for cid in ("CKV_AWS_19", "CKV_AWS_145"):
        text = f'resource "aws_s3_bucket" "b" {{\n  #checkov:skip={cid}:logs only\n  bucket = "b"\n}}\n'
        assert unchanged(R, text) and findings(R, text) == []


def test_conditional_between_two_module_buckets_reports_without_fix() -> None:
    files = {"main.tf": BUCKET + 'resource "aws_s3_bucket" "other" {}\n',
             "sse.tf": SSE.format(name="x", bucket="var.a ? aws_s3_bucket.logs.id : aws_s3_bucket.other.id")}
    assert unchanged(R, files) and findings(R, files) == [("TFX130", 1, False), ("TFX130", 16, False)]


KMS_ONLY = {"TFX130": {"sse-algorithm": "aws:kms"}}
LOGGED = """\
resource "aws_s3_bucket" "data" {
  bucket = "acme-data"
}

resource "aws_s3_bucket" "access" {
  bucket = "acme-access"
}

resource "aws_s3_bucket_logging" "data" {
  bucket        = aws_s3_bucket.data.id
  target_bucket = aws_s3_bucket.access.id
  target_prefix = "data/"
}
"""


def test_kms_without_key_id_creates_one_key_for_the_module(snapshot) -> None:
    assert check_fix(R, LOGGED, rule_options=KMS_ONLY) == snapshot
    out, result = fix(R, LOGGED, rule_options=KMS_ONLY)
    assert 'resource "aws_kms_key" "s3"' in out["security.tf"]
    assert out["security.tf"].count('resource "aws_kms_key"') == 1
    assert "kms_master_key_id = aws_kms_key.s3.arn" in out["main.tf"]
    assert "bucket_key_enabled = true" in out["main.tf"]


def test_log_targets_keep_sse_s3_with_the_kms_option() -> None:
    out, result = fix(R, LOGGED, rule_options=KMS_ONLY)
    configs = out["main.tf"].split('resource "aws_s3_bucket_server_side_encryption_configuration"')[1:]
    by_bucket = {c.split('"')[1]: c for c in configs}
    assert 'sse_algorithm = "AES256"' in by_bucket["access"] and "aws:kms" in by_bucket["data"]
    (record,) = [r for r in result.fixed if "access" in r.message]
    assert "delivered only to SSE-S3 buckets" in record.message and record.safety == "safe"


def test_kms_option_reuses_the_module_key() -> None:
    text = ('resource "aws_kms_key" "logs" {\n  enable_key_rotation = true\n}\n\n'
            'resource "aws_kms_key" "bucket" {\n  enable_key_rotation = true\n}\n\n' + DATA)
    out, _ = fix(R, text, rule_options=KMS_ONLY)
    assert set(out) == {"main.tf"} and "kms_master_key_id = aws_kms_key.bucket.arn" in out["main.tf"]


def test_kms_option_provider_alias_and_expression() -> None:
    text = 'resource "aws_s3_bucket" "b" {\n  provider = aws.dr\n  bucket   = "acme-dr"\n}\n'
    out, _ = fix(R, text, rule_options=KMS_ONLY)
    assert "aws_kms_key.s3_dr.arn" in out["main.tf"] and "provider                = aws.dr" in out["security.tf"]
    text = 'resource "aws_s3_bucket" "b" {\n  provider = aws[each.key]\n  bucket   = "acme-dr"\n}\n'
    assert findings(R, text, rule_options=KMS_ONLY) == [("TFX130", 1, False)]


def test_kms_key_created_earlier_is_reused() -> None:
    out, _ = fix(R, DATA, rule_options=KMS_ONLY)
    later = out["main.tf"] + '\nresource "aws_s3_bucket" "more" {\n  bucket = "acme-more"\n}\n'
    again, _ = fix(R, {"main.tf": later, "security.tf": out["security.tf"]}, rule_options=KMS_ONLY)
    assert again["security.tf"] == out["security.tf"]
