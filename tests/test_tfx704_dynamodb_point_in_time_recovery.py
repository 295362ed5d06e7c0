"""TFX704 dynamodb-point-in-time-recovery."""

from __future__ import annotations

import pytest
from tffix.transforms.datastores.dynamodb_point_in_time_recovery import (
    DynamodbPointInTimeRecovery as R,
)

from .rulekit import check_fix, findings, fix, unchanged

MISSING = """\
resource "aws_dynamodb_table" "orders" {
  name         = "orders"
  billing_mode = "PAY_PER_REQUEST"
  hash_key     = "id"

  attribute {
    name = "id"
    type = "S"
  }

  lifecycle {
    prevent_destroy = true
  }
}
"""

DISABLED = """\
resource "aws_dynamodb_table" "sessions" {
  for_each = toset(["eu", "us"])
  name     = "sessions-${each.key}"
  hash_key = "id"

  point_in_time_recovery {
    enabled = false # dev only
  }
}
"""

DYNAMIC = """\
resource "aws_dynamodb_table" "t" {
  name = "t"

  dynamic "point_in_time_recovery" {
    for_each = var.pitr ? [1] : []
    content {
      enabled = var.pitr
    }
  }
}
"""


def test_block_is_added_before_lifecycle(snapshot) -> None:
    diff = check_fix(R, MISSING)
    assert "+  point_in_time_recovery {\n+    enabled = true\n+  }\n+\n   lifecycle {" in diff
    assert diff == snapshot


def test_false_becomes_true_with_for_each(snapshot) -> None:
    diff = check_fix(R, DISABLED)
    assert "+    enabled = true # dev only\n" in diff
    assert diff == snapshot


def test_fixes_are_safe_in_place() -> None:
    out, result = fix(R, {"a.tf": MISSING, "b.tf": DISABLED}, unsafe=False)
    assert len(result.fixed) == 2 and result.remaining == []
    assert {(r.safety, r.impact) for r in result.fixed} == {("safe", "in-place update")}


def test_dynamic_block_counts_as_present_and_expression_is_reported() -> None:
    assert unchanged(R, DYNAMIC)
    assert findings(R, DYNAMIC) == [("TFX704", 7, False)]


def test_dynamic_block_without_enabled_gets_it_in_its_content() -> None:
    text = DYNAMIC.replace("      enabled = var.pitr\n", "      recovery_period_in_days = 7\n")
    out, _ = fix(R, text)
    assert "      recovery_period_in_days = 7\n      enabled                 = true\n" in out["main.tf"]
    assert out["main.tf"].count("point_in_time_recovery") == 1


@pytest.mark.parametrize("value", ["true", '"true"'])
def test_already_enabled_is_left_alone(value: str) -> None:
    text = f'resource "aws_dynamodb_table" "t" {{\n  point_in_time_recovery {{\n    enabled = {value}\n  }}\n}}\n'
    assert unchanged(R, text) and findings(R, text) == []


def test_expression_in_static_block_is_reported_without_fix() -> None:
    text = 'resource "aws_dynamodb_table" "t" {\n  point_in_time_recovery {\n    enabled = var.pitr\n  }\n}\n'
    assert unchanged(R, text)
    assert findings(R, text) == [("TFX704", 3, False)]


def test_multi_file_and_other_resources() -> None:
    other = 'resource "aws_dynamodb_table_item" "i" {\n  table_name = "orders"\n}\n'
    out, result = fix(R, {"ddb.tf": MISSING, "items.tf": other})
    assert out["items.tf"] == other and [r.path for r in result.fixed] == ["ddb.tf"]


def test_suppression() -> None:
    assert unchanged(R, "# tffix:ignore[TFX704]\n" + MISSING)
    assert unchanged(R, MISSING.replace("  name ", "  #checkov:skip=CKV_AWS_28:cache table\n  name ", 1))
