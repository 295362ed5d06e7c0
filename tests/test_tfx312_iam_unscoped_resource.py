"""TFX312 iam-unscoped-resource."""

from __future__ import annotations

import pytest
from tffix.transforms.iam.iam_unscoped_resource import IamUnscopedResource as R
from tffix.transforms.lib.iam_access import restrictable

from .rulekit import fix, findings, unchanged


def _messages(files: dict[str, str] | str) -> list[str]:
    return [f.message for f in fix(R, files, apply_fixes=False)[1].remaining]


QUEUE = 'resource "aws_sqs_queue" "jobs" {\n  name = "jobs"\n}\n'

POLICY = """\
resource "aws_iam_role_policy" "worker" {
  role = aws_iam_role.worker.id
  policy = jsonencode({
    Version = "2012-10-17"
    Statement = [
      {
        Effect   = "Allow"
        Action   = ["sqs:SendMessage", "sqs:Receive*"]
        Resource = "*"
      },
      {
        Effect   = "Allow"
        Action   = ["ec2:DescribeInstances", "xray:PutTraceSegments"]
        Resource = "*"
      },
    ]
  })
}
"""


def test_write_actions_on_star_are_reported_with_the_queue_suggested() -> None:
    files = {"main.tf": POLICY, "sqs.tf": QUEUE}
    assert unchanged(R, files)
    (message,) = _messages(files)
    assert "sqs:SendMessage" in message and "aws_sqs_queue.jobs.arn" in message
    assert findings(R, files) == [("TFX312", 6, False)]


def test_no_suggestion_with_two_queues() -> None:
    files = {"main.tf": POLICY, "sqs.tf": QUEUE + QUEUE.replace("jobs", "dead")}
    (message,) = _messages(files)
    assert "sqs:SendMessage" in message and "use " not in message


def test_policy_document_read_actions() -> None:
    text = ('data "aws_iam_policy_document" "read" {\n  statement {\n    actions   = ["s3:GetObject"]\n'
            '    resources = ["*"]\n  }\n}\n')
    (message,) = _messages(text)
    assert "read actions" in message and "s3:GetObject" in message


@pytest.mark.parametrize("statement", [
    # only actions that accept nothing but "*"
    'Effect = "Allow"\n      Action = ["ec2:DescribeInstances", "logs:DescribeLogGroups"]\n      Resource = "*"',
    # scoped
    'Effect = "Allow"\n      Action = "sqs:SendMessage"\n      Resource = aws_sqs_queue.jobs.arn',
    # conditioned
    ('Effect = "Allow"\n      Action = "s3:PutObject"\n      Resource = "*"\n'
     '      Condition = { StringEquals = { "aws:ResourceTag/team" = "a" } }'),
    # deny
    'Effect = "Deny"\n      Action = "s3:PutObject"\n      Resource = "*"',
    # every action: TFX310's
    'Effect = "Allow"\n      Action = "*"\n      Resource = "*"',
    # an expression
    'Effect = "Allow"\n      Action = var.actions\n      Resource = "*"',
])
def test_not_reported(statement: str) -> None:
    text = ('resource "aws_iam_policy" "p" {\n  policy = jsonencode({\n    Version = "2012-10-17"\n'
            f'    Statement = [{{\n      {statement}\n    }}]\n  }})\n}}\n')
    assert findings(R, text) == []


def test_trust_policies_and_bucket_policies_are_not_identity_policies() -> None:
    text = ('resource "aws_s3_bucket_policy" "b" {\n  bucket = "b"\n  policy = jsonencode({\n'
            '    Statement = [{\n      Effect    = "Allow"\n      Principal = "*"\n      Action    = "s3:PutObject"\n'
            '      Resource  = "*"\n    }]\n  })\n}\n')
    assert findings(R, text) == []


def test_table() -> None:
    assert restrictable("s3:PutObject") == [("s3:PutObject", "W")]
    assert restrictable("SQS:sendmessage") == [("sqs:SendMessage", "W")]
    assert restrictable("ec2:DescribeInstances") == []
    assert restrictable("*") is None and restrictable("nonsense") is None
    assert ("s3:PutObject", "W") in restrictable("s3:Put*") and ("s3:GetObject", "R") not in restrictable("s3:Put*")


def test_suppression_comment() -> None:
    assert findings(R, {"main.tf": "# tffix:ignore[TFX312]\n" + POLICY, "sqs.tf": QUEUE}) == []
