"""TFX727 lambda-dead-letter-queue."""

from __future__ import annotations

import pytest
from tffix.transforms.serverless.lambda_dead_letter_queue import LambdaDeadLetterQueue as R

from .rulekit import check_fix, findings, fix, unchanged

ROLE = """\
resource "aws_iam_role" "fn" {
  name = "fn"
  assume_role_policy = jsonencode({
    Version = "2012-10-17"
    Statement = [{
      Effect    = "Allow"
      Action    = "sts:AssumeRole"
      Principal = { Service = "lambda.amazonaws.com" }
    }]
  })
}
"""

QUEUE = 'resource "aws_sqs_queue" "dead_letters" {\n  name = "events-dead-letters"\n}\n'
TOPIC = 'resource "aws_sns_topic" "failures" {\n  name = "fn-dlq"\n}\n'

FUNCTION = """\
resource "aws_lambda_function" "fn" {
  function_name = "fn"
  role          = aws_iam_role.fn.arn
  runtime       = "python3.12"
  handler       = "main.handler"
  filename      = "fn.zip"
}
"""


def test_queue_and_role_policy(snapshot) -> None:
    assert check_fix(R, {"iam.tf": ROLE, "sqs.tf": QUEUE, "main.tf": FUNCTION}) == snapshot


def test_topic_gets_sns_publish(snapshot) -> None:
    assert check_fix(R, {"iam.tf": ROLE, "sns.tf": TOPIC, "main.tf": FUNCTION}) == snapshot


def test_existing_permission_is_reused() -> None:
    allowed = ROLE + ('\nresource "aws_iam_role_policy" "send" {\n  role = aws_iam_role.fn.id\n  policy = jsonencode({\n'
                      '    Version = "2012-10-17"\n    Statement = [{\n      Effect   = "Allow"\n'
                      '      Action   = ["sqs:SendMessage"]\n      Resource = aws_sqs_queue.dead_letters.arn\n'
                      '    }]\n  })\n}\n')
    out, _ = fix(R, {"iam.tf": allowed, "sqs.tf": QUEUE, "main.tf": FUNCTION})
    assert out["iam.tf"] == allowed and "target_arn = aws_sqs_queue.dead_letters.arn" in out["main.tf"]


def test_fix_is_unsafe() -> None:
    files = {"iam.tf": ROLE, "sqs.tf": QUEUE, "main.tf": FUNCTION}
    out, result = fix(R, files, unsafe=False)
    assert out == files
    assert [(r.safety, r.impact, r.held_back) for r in result.remaining] == [("unsafe", "in-place update", True)]


@pytest.mark.parametrize("extra", [
    "",  # no queue
    'resource "aws_sqs_queue" "jobs" {\n  name = "jobs"\n}\n',  # not a dead-letter queue
    QUEUE + TOPIC,  # two candidates
    'resource "aws_sqs_queue" "dlq" {\n  name       = "x.fifo"\n  fifo_queue = true\n}\n',  # FIFO
    'resource "aws_sqs_queue" "dlq" {\n  kms_master_key_id = aws_kms_key.k.arn\n}\n',  # customer managed key
    ('resource "aws_sqs_queue" "dlq" {\n  name = "dlq"\n}\n\nresource "aws_iam_role_policy_attachment" "x" {\n'
     '  role       = aws_iam_role.fn.name\n  policy_arn = var.policy_arn\n}\n'),  # a policy tffix cannot read
])
def test_reported_without_fix(extra: str) -> None:
    files = {"iam.tf": ROLE, "other.tf": extra or "# none\n", "main.tf": FUNCTION}
    assert unchanged(R, files)
    assert [(rule, fixable) for rule, _, fixable in findings(R, files)] == [("TFX727", False)]


def test_foreign_role_is_reported_without_fix() -> None:
    files = {"sqs.tf": QUEUE, "main.tf": FUNCTION.replace("aws_iam_role.fn.arn", "var.role_arn")}
    assert unchanged(R, files)
    assert [(rule, fixable) for rule, _, fixable in findings(R, files)] == [("TFX727", False)]


@pytest.mark.parametrize("text", [
    FUNCTION.replace('  filename      = "fn.zip"\n', '  filename      = "fn.zip"\n\n  dead_letter_config {\n'
                     '    target_arn = var.dlq_arn\n  }\n'),
    FUNCTION + ('\nresource "aws_lambda_function_event_invoke_config" "fn" {\n'
                '  function_name = aws_lambda_function.fn.function_name\n\n  destination_config {\n'
                '    on_failure {\n      destination = aws_sqs_queue.dead_letters.arn\n    }\n  }\n}\n'),
])
def test_dlq_or_failure_destination_is_unchanged(text: str) -> None:
    files = {"iam.tf": ROLE, "sqs.tf": QUEUE, "main.tf": text}
    assert unchanged(R, files) and findings(R, files) == []


def test_suppression_comment() -> None:
    files = {"iam.tf": ROLE, "sqs.tf": QUEUE, "main.tf": "# tffix:ignore[TFX727]\n" + FUNCTION}
    assert unchanged(R, files) and findings(R, files) == []
