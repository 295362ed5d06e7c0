"""TFX106 sqs-queue-encrypted."""

from __future__ import annotations

import pytest
from tffix.transforms.messaging.sqs_queue_encrypted import SqsQueueEncrypted as R

from .rulekit import check_fix, findings, fix, unchanged

MISSING = """\
resource "aws_sqs_queue" "orders" {
  name                      = "orders"
  message_retention_seconds = 1209600

  redrive_policy = jsonencode({
    deadLetterTargetArn = aws_sqs_queue.dlq.arn
    maxReceiveCount     = 5
  })
}
"""

FALSE = """\
resource "aws_sqs_queue" "jobs" {
  count                   = 2
  name                    = "jobs-${count.index}.fifo"
  fifo_queue              = true
  sqs_managed_sse_enabled = false
}
"""


def test_missing_is_written_out_and_safe(snapshot) -> None:
    diff = check_fix(R, MISSING)
    assert "+  sqs_managed_sse_enabled   = true\n" in diff
    assert diff == snapshot
    _, result = fix(R, MISSING, unsafe=False)
    assert [(r.safety, r.impact) for r in result.fixed] == [("safe", "in-place update")]


def test_false_becomes_true_but_is_unsafe(snapshot) -> None:
    assert check_fix(R, FALSE) == snapshot
    out, result = fix(R, FALSE, unsafe=False)
    assert out["main.tf"] == FALSE
    (held,) = result.remaining
    assert held.held_back and held.safety == "unsafe"


@pytest.mark.parametrize("key", ['"alias/aws/sqs"', "aws_kms_key.sqs.arn", "var.kms_key_id"])
def test_kms_encrypted_queues_are_left_alone(key: str) -> None:
    text = f'resource "aws_sqs_queue" "q" {{\n  name              = "q"\n  kms_master_key_id = {key}\n}}\n'
    assert unchanged(R, text) and findings(R, text) == []


def test_null_kms_key_counts_as_missing() -> None:
    text = 'resource "aws_sqs_queue" "q" {\n  name              = "q"\n  kms_master_key_id = null\n}\n'
    out, _ = fix(R, text)
    assert "  sqs_managed_sse_enabled = true\n" in out["main.tf"]


def test_already_encrypted_is_left_alone() -> None:
    text = 'resource "aws_sqs_queue" "q" {\n  sqs_managed_sse_enabled = true\n}\n'
    assert unchanged(R, text) and findings(R, text) == []


def test_expression_is_reported_without_fix() -> None:
    text = 'resource "aws_sqs_queue" "q" {\n  sqs_managed_sse_enabled = var.sse\n}\n'
    assert unchanged(R, text)
    assert findings(R, text) == [("TFX106", 2, False)]


def test_for_each_and_multi_file() -> None:
    queues = 'resource "aws_sqs_queue" "q" {\n  for_each = toset(["a", "b"])\n  name     = each.key\n}\n'
    out, result = fix(R, {"sqs.tf": queues, "sns.tf": 'resource "aws_sns_topic" "t" {}\n'})
    assert out["sns.tf"] == 'resource "aws_sns_topic" "t" {}\n'
    assert out["sqs.tf"] == ('resource "aws_sqs_queue" "q" {\n  for_each                = toset(["a", "b"])\n'
                             '  name                    = each.key\n  sqs_managed_sse_enabled = true\n}\n')
    assert len(result.fixed) == 1


def test_suppression() -> None:
    assert unchanged(R, "# tffix:ignore[TFX106]\n" + MISSING)
    checkov = MISSING.replace('  name  ', '  #checkov:skip=CKV_AWS_27:public data\n  name  ', 1)
    assert unchanged(R, checkov) and findings(R, checkov) == []
