"""TFX701 cloudwatch-log-retention."""

from __future__ import annotations

import pytest
from tffix.transforms.logging.cloudwatch_log_retention import (
    CloudwatchLogRetention as R,
)

from .rulekit import check_fix, findings, fix, unchanged

MISSING = """\
resource "aws_cloudwatch_log_group" "app" {
  name       = "/ecs/app"
  kms_key_id = aws_kms_key.logs.arn

  tags = {
    Service = "app"
  }
}
"""

COUNTED = """\
resource "aws_cloudwatch_log_group" "fn" {
  count             = length(var.functions)
  name_prefix       = "/aws/lambda/${var.functions[count.index]}"
  retention_in_days = null
}
"""


def test_missing_gets_a_year_after_the_name(snapshot) -> None:
    diff = check_fix(R, MISSING)
    assert '+  name              = "/ecs/app"\n+  retention_in_days = 365\n' in diff
    assert diff == snapshot


def test_null_with_count_and_the_option(snapshot) -> None:
    rules = {"TFX701": {"retention-days": 90}}
    diff = check_fix(R, COUNTED, rule_options=rules)
    assert "+  retention_in_days = 90\n" in diff
    assert diff == snapshot


def test_fix_is_unsafe_in_place() -> None:
    out, result = fix(R, MISSING, unsafe=False)
    assert out["main.tf"] == MISSING
    (held,) = result.remaining
    assert held.held_back and held.impact == "in-place update" and "older than 365 days" in held.fix


@pytest.mark.parametrize("value", ["0", "30", "3653", '"14"'])
def test_explicit_numbers_including_never_expire_are_left_alone(value: str) -> None:
    text = f'resource "aws_cloudwatch_log_group" "g" {{\n  retention_in_days = {value}\n}}\n'
    assert unchanged(R, text) and findings(R, text) == []


def test_delivery_class_is_left_alone() -> None:
    text = 'resource "aws_cloudwatch_log_group" "g" {\n  name            = "d"\n  log_group_class = "DELIVERY"\n}\n'
    assert unchanged(R, text) and findings(R, text) == []


@pytest.mark.parametrize("target", ["aws_cloudwatch_log_group.g.name", '"/ecs/g"'])
def test_retention_managed_by_separate_resource_is_left_alone(target: str) -> None:
    files = {
        "logs.tf": 'resource "aws_cloudwatch_log_group" "g" {\n  name = "/ecs/g"\n}\n',
        "retention.tf": f'resource "aws_cloudwatch_log_group_retention" "r" {{\n  log_group_name    = {target}\n'
                        '  retention_in_days = 30\n}\n',
    }
    assert unchanged(R, files) and findings(R, files) == []


def test_expression_is_reported_without_fix() -> None:
    text = 'resource "aws_cloudwatch_log_group" "g" {\n  retention_in_days = var.retention_days\n}\n'
    assert unchanged(R, text)
    assert findings(R, text) == [("TFX701", 2, False)]


@pytest.mark.parametrize("days", [42, "365", True])
def test_invalid_option_reports_without_fix(days: object) -> None:
    out, result = fix(R, MISSING, rule_options={"TFX701": {"retention-days": days}})
    assert out["main.tf"] == MISSING
    (record,) = result.remaining
    assert not record.fixable and "retention-days option" in record.message


def test_multi_file_module() -> None:
    out, result = fix(R, {"logs.tf": MISSING, "main.tf": 'resource "aws_ecs_cluster" "c" {\n  name = "c"\n}\n'})
    assert out["main.tf"] == 'resource "aws_ecs_cluster" "c" {\n  name = "c"\n}\n'
    assert [r.path for r in result.fixed] == ["logs.tf"]


def test_suppression() -> None:
    assert unchanged(R, "# tffix:ignore[TFX701]\n" + MISSING)
    assert unchanged(R, MISSING.replace("  kms_key_id", "  #checkov:skip=CKV_AWS_66:kept forever by law\n  kms_key_id"))
