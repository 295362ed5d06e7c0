"""TFX102 kms-key-rotation."""

from __future__ import annotations

import pytest
from tffix.transforms.secrets.kms_key_rotation import KmsKeyRotation as R

from .rulekit import check_fix, findings, fix, unchanged

MISSING = """\
resource "aws_kms_key" "logs" {
  description             = "CloudWatch Logs"
  deletion_window_in_days = 10

  tags = {
    Name = "logs"
  }
}
"""

FALSE = """\
resource "aws_kms_key" "data" {
  count               = 2
  description         = "data ${count.index}"
  enable_key_rotation = false # off for now
}
"""


def test_missing_is_written_out_after_deletion_window(snapshot) -> None:
    diff = check_fix(R, MISSING)
    assert "+  enable_key_rotation     = true\n" in diff
    assert diff == snapshot


def test_false_becomes_true_with_count_keeping_the_comment(snapshot) -> None:
    diff = check_fix(R, FALSE)
    assert "+  enable_key_rotation = true # off for now\n" in diff
    assert diff == snapshot


def test_fix_is_safe_and_in_place() -> None:
    out, result = fix(R, MISSING, unsafe=False)
    assert "enable_key_rotation     = true" in out["main.tf"]
    (record,) = result.fixed
    assert record.safety == "safe" and record.impact == "in-place update"
    assert result.remaining == []


@pytest.mark.parametrize("value", ["true", '"true"'])
def test_already_rotating_is_left_alone(value: str) -> None:
    text = f'resource "aws_kms_key" "k" {{\n  enable_key_rotation = {value}\n}}\n'
    assert unchanged(R, text) and findings(R, text) == []


@pytest.mark.parametrize("extra", [
    'customer_master_key_spec = "RSA_2048"',
    'customer_master_key_spec = "HMAC_256"',
    'key_usage = "SIGN_VERIFY"',
    'custom_key_store_id = aws_cloudhsm_v2_cluster.c.id',
    'xks_key_id = "k-1"',
])
def test_keys_that_cannot_rotate_are_skipped(extra: str) -> None:
    text = f'resource "aws_kms_key" "k" {{\n  {extra}\n}}\n'
    assert unchanged(R, text) and findings(R, text) == []


def test_symmetric_default_spelled_out_is_still_fixed() -> None:
    text = ('resource "aws_kms_key" "k" {\n  customer_master_key_spec = "SYMMETRIC_DEFAULT"\n'
            '  key_usage                = "ENCRYPT_DECRYPT"\n}\n')
    out, _ = fix(R, text)
    assert out["main.tf"].endswith(
        '  key_usage                = "ENCRYPT_DECRYPT"\n  enable_key_rotation      = true\n}\n')


def test_expression_is_reported_without_fix() -> None:
    text = 'resource "aws_kms_key" "k" {\n  enable_key_rotation = var.rotate\n}\n'
    assert unchanged(R, text)
    assert findings(R, text) == [("TFX102", 2, False)]


def test_key_spec_expression_reports_without_fix() -> None:
    text = 'resource "aws_kms_key" "k" {\n  customer_master_key_spec = var.spec\n}\n'
    assert unchanged(R, text)
    _, result = fix(R, text)
    (record,) = result.remaining
    assert not record.fixable and "customer_master_key_spec is an expression" in record.message


def test_for_each_and_multi_file_module() -> None:
    keys = 'resource "aws_kms_key" "k" {\n  for_each = toset(["a", "b"])\n\n  description = each.key\n}\n'
    out, result = fix(R, {"kms.tf": keys, "vars.tf": 'variable "x" {}\n'})
    assert out["vars.tf"] == 'variable "x" {}\n'
    assert out["kms.tf"] == ('resource "aws_kms_key" "k" {\n  for_each = toset(["a", "b"])\n\n'
                             '  description         = each.key\n  enable_key_rotation = true\n}\n')
    assert len(result.fixed) == 1


def test_other_resources_are_ignored() -> None:
    assert unchanged(R, 'resource "aws_kms_alias" "a" {\n  name = "alias/x"\n}\n')


@pytest.mark.parametrize("comment", ["# tffix:ignore[TFX102]", "#checkov:skip=CKV_AWS_7:managed elsewhere",
                                     "#trivy:ignore:AVD-AWS-0065"])
def test_suppression_comments(comment: str) -> None:
    text = f'{comment}\nresource "aws_kms_key" "k" {{\n  description = "x"\n}}\n'
    if comment.startswith("#checkov"):
        text = f'resource "aws_kms_key" "k" {{\n  {comment}\n  description = "x"\n}}\n'
    assert unchanged(R, text) and findings(R, text) == []
