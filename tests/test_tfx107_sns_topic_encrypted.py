"""TFX107 sns-topic-encrypted."""

from __future__ import annotations

import pytest
from tffix.transforms.messaging.sns_topic_encrypted import SnsTopicEncrypted as R

from .rulekit import check_fix, findings, fix, unchanged

TOPIC = """\
resource "aws_sns_topic" "orders" {
  name = "orders"

  tags = {
    Team = "shop"
  }
}
"""

# seed 002 §4.2: the alarm topic
ALARMS = """\
resource "aws_sns_topic" "alerts" {
  name = "alerts"
}

resource "aws_cloudwatch_metric_alarm" "cpu" {
  alarm_name    = "cpu"
  alarm_actions = [aws_sns_topic.alerts.arn]
}
"""


def test_missing_key_is_written_out(snapshot) -> None:
    diff = check_fix(R, TOPIC)
    assert '+  name              = "orders"\n+  kms_master_key_id = "alias/aws/sns"\n' in diff
    assert diff == snapshot


def test_empty_string_is_replaced_with_count(snapshot) -> None:
    text = ('resource "aws_sns_topic" "t" {\n  count             = 2\n  name              = "t${count.index}"\n'
            '  kms_master_key_id = ""\n}\n')
    assert check_fix(R, text) == snapshot


def test_fix_is_unsafe_in_place() -> None:
    out, result = fix(R, TOPIC, unsafe=False)
    assert out["main.tf"] == TOPIC
    (held,) = result.remaining
    assert held.held_back and held.impact == "in-place update"


def test_topic_an_alarm_publishes_to_is_reported_without_fix() -> None:
    assert unchanged(R, ALARMS)
    _, result = fix(R, ALARMS)
    (record,) = result.remaining
    assert not record.fixable and record.line == 1
    assert "aws_cloudwatch_metric_alarm.cpu" in record.message and "customer managed key" in record.message


@pytest.mark.parametrize("policy", [
    'resource "aws_sns_topic_policy" "p" {\n  arn    = aws_sns_topic.alerts.arn\n'
    '  policy = data.aws_iam_policy_document.p.json\n}\n\n'
    'data "aws_iam_policy_document" "p" {\n  statement {\n    actions = ["sns:Publish"]\n\n'
    '    principals {\n      type        = "Service"\n      identifiers = ["events.amazonaws.com"]\n    }\n  }\n}\n',
    'resource "aws_sns_topic_policy" "p" {\n  arn = aws_sns_topic.alerts.arn\n  policy = jsonencode({\n'
    '    Statement = [{ Effect = "Allow", Principal = { Service = "s3.amazonaws.com" }, Action = "sns:Publish" }]\n'
    '  })\n}\n',
])
def test_topic_policy_granting_a_service_is_reported_without_fix(policy: str) -> None:
    files = {"sns.tf": 'resource "aws_sns_topic" "alerts" {\n  name = "alerts"\n}\n', "policy.tf": policy}
    assert unchanged(R, files)
    _, result = fix(R, files)
    assert [r.fixable for r in result.remaining] == [False]
    assert "aws_sns_topic_policy.p" in result.remaining[0].message


def test_policy_for_account_principals_still_gets_the_fix() -> None:
    files = {
        "sns.tf": 'resource "aws_sns_topic" "alerts" {\n  name = "alerts"\n}\n',
        "policy.tf": 'resource "aws_sns_topic_policy" "p" {\n  arn    = aws_sns_topic.alerts.arn\n'
                     '  policy = jsonencode({ Statement = [{ Principal = { AWS = "arn:aws:iam::111122223333:root" } }] '
                     '})\n}\n',
    }
    out, result = fix(R, files)
    assert 'kms_master_key_id = "alias/aws/sns"' in out["sns.tf"] and out["policy.tf"] == files["policy.tf"]


@pytest.mark.parametrize("key", ['"alias/aws/sns"', "aws_kms_key.sns.arn", '"${aws_kms_key.sns.arn}"'])
def test_encrypted_topics_are_left_alone(key: str) -> None:
    text = f'resource "aws_sns_topic" "t" {{\n  kms_master_key_id = {key}\n}}\n'
    assert unchanged(R, text) and findings(R, text) == []


@pytest.mark.parametrize("key", ["var.kms_key_id", 'var.encrypt ? aws_kms_key.sns.arn : null'])
def test_key_that_may_be_null_is_reported_without_fix(key: str) -> None:
    text = f'resource "aws_sns_topic" "t" {{\n  kms_master_key_id = {key}\n}}\n'
    assert unchanged(R, text)
    assert findings(R, text) == [("TFX107", 2, False)]


def test_multi_file_with_for_each() -> None:
    topics = 'resource "aws_sns_topic" "t" {\n  for_each = toset(["a", "b"])\n  name     = each.key\n}\n'
    out, result = fix(R, {"sns.tf": topics, "sqs.tf": 'resource "aws_sqs_queue" "q" {}\n'})
    assert out["sqs.tf"] == 'resource "aws_sqs_queue" "q" {}\n'
    assert '  kms_master_key_id = "alias/aws/sns"\n' in out["sns.tf"] and len(result.fixed) == 1


def test_suppression() -> None:
    assert unchanged(R, "# tffix:ignore[TFX107]\n" + TOPIC)
    assert unchanged(R, "#trivy:ignore:AVD-AWS-0095\n" + TOPIC)


def test_a_service_principal_in_a_comment_does_not_count() -> None:
    policy = ('resource "aws_sns_topic_policy" "p" {\n  arn    = aws_sns_topic.alerts.arn\n'
              '  policy = data.aws_iam_policy_document.p.json\n}\n\n'
              'data "aws_iam_policy_document" "p" {\n  statement {\n    actions = ["sns:Publish"]\n\n'
              '    principals {\n      type        = "AWS"\n'
              '      identifiers = ["arn:aws:iam::111122223333:root"] # not events.amazonaws.com\n    }\n  }\n}\n')
    files = {"sns.tf": 'resource "aws_sns_topic" "alerts" {\n  name = "alerts"\n}\n', "policy.tf": policy}
    out, _ = fix(R, files)
    assert 'kms_master_key_id = "alias/aws/sns"' in out["sns.tf"]
    inline = ('resource "aws_sns_topic" "alerts" {\n  name = "alerts"\n  policy = jsonencode({\n'
              '    # s3.amazonaws.com will publish here one day\n'
              '    Statement = [{ Principal = { AWS = "arn:aws:iam::111122223333:root" } }]\n  })\n}\n')
    assert 'kms_master_key_id = "alias/aws/sns"' in fix(R, inline)[0]["main.tf"]
