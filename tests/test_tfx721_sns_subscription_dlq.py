"""TFX721 sns-subscription-dlq."""

from __future__ import annotations

from tffix.transforms.messaging.sns_subscription_dlq import SnsSubscriptionDlq as R

from .rulekit import findings, fix

MODULE = """\
resource "aws_sns_topic_subscription" "queue" {
  topic_arn = aws_sns_topic.orders.arn
  protocol  = "sqs"
  endpoint  = aws_sqs_queue.orders.arn
}

resource "aws_sns_topic_subscription" "function" {
  count          = 2
  topic_arn      = aws_sns_topic.orders.arn
  protocol       = "lambda"
  endpoint       = aws_lambda_function.f[count.index].arn
  redrive_policy = ""
}

resource "aws_sns_topic_subscription" "webhook" {
  topic_arn      = aws_sns_topic.orders.arn
  protocol       = "HTTPS"
  endpoint       = "https://hooks.example.com/sns"
  redrive_policy = null
}

resource "aws_sns_topic_subscription" "with_dlq" {
  topic_arn      = aws_sns_topic.orders.arn
  protocol       = "firehose"
  endpoint       = aws_kinesis_firehose_delivery_stream.s.arn
  redrive_policy = jsonencode({ deadLetterTargetArn = aws_sqs_queue.dlq.arn })
}

resource "aws_sns_topic_subscription" "email" {
  topic_arn = aws_sns_topic.orders.arn
  protocol  = "email"
  endpoint  = "ops@example.com"
}

resource "aws_sns_topic_subscription" "expression" {
  topic_arn = aws_sns_topic.orders.arn
  protocol  = var.protocol
  endpoint  = var.endpoint
}
"""


def _records(files):
    out, result = fix(R, files)
    assert out == (files if isinstance(files, dict) else {"main.tf": files})
    assert all(not r.fixable for r in result.remaining)
    return [(r.path, r.line, r.column, r.message) for r in result.remaining]


def test_reports_subscriptions_without_dlq(snapshot) -> None:
    records = _records(MODULE)
    assert [(line, col) for _, line, col, _ in records] == [(1, 1), (12, 20), (15, 1)]
    assert records == snapshot


def test_literal_redrive_policy_is_fine() -> None:
    text = ('resource "aws_sns_topic_subscription" "s" {\n  protocol       = "sqs"\n'
            '  redrive_policy = "{\\"deadLetterTargetArn\\":\\"arn:aws:sqs:eu-west-1:123456789012:dlq\\"}"\n}\n')
    assert findings(R, text) == []


def test_for_each_and_multi_file() -> None:
    files = {"a.tf": 'resource "aws_sns_topic_subscription" "a" {\n  for_each = var.queues\n  protocol = "sqs"\n}\n',
             "b.tf": 'resource "aws_sns_topic_subscription" "b" {\n  protocol = "sms"\n}\n'}
    assert [(p, line) for p, line, _, _ in _records(files)] == [("a.tf", 1)]


def test_suppression_comment() -> None:
    text = '# tffix:ignore[TFX721]\nresource "aws_sns_topic_subscription" "a" {\n  protocol = "sqs"\n}\n'
    assert findings(R, text) == []
