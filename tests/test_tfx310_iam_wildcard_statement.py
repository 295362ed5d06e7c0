"""TFX310 iam-wildcard-statement."""

from __future__ import annotations

from tffix.transforms.iam.iam_wildcard_statement import IamWildcardStatement as R

from .rulekit import findings, fix

POLICIES = """\
resource "aws_iam_role_policy" "app" {
  role = aws_iam_role.app.id
  policy = jsonencode({
    Version = "2012-10-17"
    Statement = [{
      Effect   = "Allow"
      Action   = ["s3:GetObject", "s3:*"]
      Resource = "*"
      }, {
      Effect   = "Allow"
      Action   = "dynamodb:*"
      Resource = aws_dynamodb_table.t.arn
    }]
  })
}

resource "aws_iam_policy" "admin" {
  count  = 2
  policy = <<EOF
{
  "Version": "2012-10-17",
  "Statement": [
    {
      "Effect": "Allow",
      "Action": "*",
      "Resource": ["*"]
    }
  ]
}
EOF
}

data "aws_iam_policy_document" "ec2" {
  statement {
    actions   = ["ec2:*"]
    resources = ["*"]
  }

  statement {
    effect    = "Deny"
    actions   = ["*"]
    resources = ["*"]
  }
}
"""


def _records(files):
    out, result = fix(R, files)
    assert out == (files if isinstance(files, dict) else {"main.tf": files})
    return [(r.path, r.line, r.column, r.fixable, r.message) for r in result.remaining]


def test_reports_wildcard_statements(snapshot) -> None:
    assert _records(POLICIES) == snapshot


def test_resource_policies_trust_policies_and_scoped_statements_are_left_alone() -> None:
    text = """\
resource "aws_kms_key" "k" {
  policy = jsonencode({
    Statement = [{
      Effect    = "Allow"
      Principal = { AWS = "arn:aws:iam::${data.aws_caller_identity.current.account_id}:root" }
      Action    = "kms:*"
      Resource  = "*"
    }]
  })
}

resource "aws_iam_role" "r" {
  assume_role_policy = jsonencode({
    Statement = [{ Effect = "Allow", Principal = { Service = "ec2.amazonaws.com" }, Action = "sts:*" }]
  })
}

resource "aws_iam_policy" "ok" {
  policy = jsonencode({
    Statement = [
      { Effect = "Allow", Action = "s3:Get*", Resource = "*" },
      { Effect = "Allow", NotAction = "iam:*", Resource = "*" },
      { Effect = "Allow", Action = "logs:*", Resource = "arn:aws:logs:*:*:log-group:/app/*" },
    ]
  })
}
"""
    assert findings(R, text) == []


def test_expressions_are_not_reported() -> None:
    text = """\
resource "aws_iam_policy" "p" {
  policy = jsonencode({
    Statement = [
      { Effect = var.effect, Action = "s3:*", Resource = "*" },
      { Effect = "Allow", Action = var.actions, Resource = "*" },
      { Effect = "Allow", Action = "s3:*", Resource = var.resources },
    ]
  })
}

resource "aws_iam_policy" "q" {
  policy = templatefile("${path.module}/policy.json", {})
}
"""
    assert findings(R, text) == []


def test_multi_file_module() -> None:
    files = {"iam.tf": POLICIES, "vars.tf": 'variable "x" {}\n'}
    assert {p for p, *_ in _records(files)} == {"iam.tf"}


def test_suppression_comments() -> None:
    text = POLICIES.replace('resource "aws_iam_policy" "admin" {',
                            '# tffix:ignore[TFX310]\nresource "aws_iam_policy" "admin" {')
    text = text.replace('    actions   = ["ec2:*"]', '    actions   = ["ec2:*"] #trivy:ignore:AVD-AWS-0057')
    assert findings(R, text) == [("TFX310", 7, False)]
