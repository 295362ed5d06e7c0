"""TFX103 ebs-volume-encrypted."""

from __future__ import annotations

import pytest
from tffix.transforms.compute.ebs_volume_encrypted import EbsVolumeEncrypted as R

from .rulekit import check_fix, findings, fix, unchanged

MISSING = """\
resource "aws_ebs_volume" "data" {
  availability_zone = "eu-west-1a"
  size              = 100

  tags = {
    Name = "data"
  }
}
"""

FALSE = """\
resource "aws_ebs_volume" "scratch" {
  for_each          = toset(["a", "b"])
  availability_zone = "eu-west-1${each.key}"
  size              = 10
  encrypted         = false
}
"""


def test_missing_is_written_out(snapshot) -> None:
    diff = check_fix(R, MISSING)
    assert "+  encrypted         = true\n" in diff
    assert diff == snapshot


def test_false_becomes_true_with_for_each(snapshot) -> None:
    assert check_fix(R, FALSE) == snapshot


def test_fix_is_unsafe_and_forces_replacement() -> None:
    out, result = fix(R, MISSING, unsafe=False)
    assert out["main.tf"] == MISSING
    (held,) = result.remaining
    assert held.held_back and held.safety == "unsafe" and held.impact == "forces replacement"
    assert "forces replacement" in held.fix


def test_kms_key_without_encrypted_is_safe_and_no_change() -> None:
    text = 'resource "aws_ebs_volume" "v" {\n  size       = 8\n  kms_key_id = aws_kms_key.ebs.arn\n}\n'
    out, result = fix(R, text, unsafe=False)
    assert out["main.tf"] == ('resource "aws_ebs_volume" "v" {\n  size       = 8\n  kms_key_id = aws_kms_key.ebs.arn\n'
                              '  encrypted  = true\n}\n')
    (record,) = result.fixed
    assert record.safety == "safe" and record.impact == "none"


def test_extend_safe_fixes_applies_it() -> None:
    out, result = fix(R, MISSING, unsafe=False, extend_safe_fixes=["TFX103"])
    assert "encrypted         = true" in out["main.tf"] and len(result.fixed) == 1


@pytest.mark.parametrize("value", ["true", '"true"'])
def test_already_encrypted_is_left_alone(value: str) -> None:
    text = f'resource "aws_ebs_volume" "v" {{\n  size      = 8\n  encrypted = {value}\n}}\n'
    assert unchanged(R, text) and findings(R, text) == []


def test_null_is_replaced() -> None:
    text = 'resource "aws_ebs_volume" "v" {\n  size      = 8\n  encrypted = null\n}\n'
    out, _ = fix(R, text)
    assert out["main.tf"] == 'resource "aws_ebs_volume" "v" {\n  size      = 8\n  encrypted = true\n}\n'


def test_expression_is_reported_without_fix() -> None:
    text = 'resource "aws_ebs_volume" "v" {\n  size      = 8\n  encrypted = var.encrypt\n}\n'
    assert unchanged(R, text)
    assert findings(R, text) == [("TFX103", 3, False)]


def test_multi_file_module() -> None:
    out, result = fix(R, {"ebs.tf": MISSING, "other.tf": 'resource "aws_instance" "i" {\n  ami = "ami-1"\n}\n'})
    assert out["other.tf"] == 'resource "aws_instance" "i" {\n  ami = "ami-1"\n}\n'
    assert "encrypted         = true" in out["ebs.tf"] and [r.path for r in result.fixed] == ["ebs.tf"]


def test_suppression() -> None:
    text = '# tffix:ignore[TFX103]\n' + MISSING
    assert unchanged(R, text) and findings(R, text) == []
    trivy = '#trivy:ignore:AVD-AWS-0026\n' + MISSING
    assert unchanged(R, trivy)
