"""TFX301 flow-log-iam-scope."""

from __future__ import annotations

import json
import re

from tffix.transforms.flow_log_iam_scope import FlowLogIamScope as R

from .rulekit import check_fix, findings, fix, unchanged

NETWORK = """\
resource "aws_cloudwatch_log_group" "flow" {
  name = "/aws/vpc/flow"
}

resource "aws_flow_log" "vpc" {
  vpc_id          = aws_vpc.main.id
  traffic_type    = "ALL"
  log_destination = aws_cloudwatch_log_group.flow.arn
  iam_role_arn    = aws_iam_role.flow.arn
}

resource "aws_iam_role" "flow" {
  name = "flow"
  assume_role_policy = jsonencode({
    Version = "2012-10-17"
    Statement = [{
      Action    = "sts:AssumeRole"
      Effect    = "Allow"
      Principal = { Service = "vpc-flow-logs.amazonaws.com" }
    }]
  })
}
"""

ROLE_POLICY = """\
resource "aws_iam_role_policy" "flow" {
  name = "flow"
  role = aws_iam_role.flow.id
  policy = jsonencode({
    Version = "2012-10-17"
    Statement = [{
      Effect = "Allow"
      Action = [
        "logs:CreateLogGroup",
        "logs:CreateLogStream",
        "logs:PutLogEvents",
        "logs:DescribeLogGroups",
        "logs:DescribeLogStreams"
      ]
      Resource = "*"
    }]
  })
}
"""

POLICY_DOCUMENT = """\
data "aws_iam_policy_document" "flow" {
  statement {
    actions   = ["logs:CreateLogStream", "logs:PutLogEvents", "logs:DescribeLogStreams"]
    resources = ["*"]
  }
}

resource "aws_iam_role_policy" "flow" {
  role   = aws_iam_role.flow.id
  policy = data.aws_iam_policy_document.flow.json
}
"""

ATTACHED = """\
resource "aws_iam_policy" "flow" {
  name = "flow"
  policy = jsonencode({
    Statement = [{
      Effect   = "Allow"
      Action   = ["logs:CreateLogStream", "logs:PutLogEvents"]
      Resource = "*"
    }]
  })
}

resource "aws_iam_role_policy_attachment" "flow" {
  role       = aws_iam_role.flow.name
  policy_arn = aws_iam_policy.flow.arn
}
"""


def test_jsonencode_role_policy_split_like_the_seed(snapshot) -> None:
    assert check_fix(R, {"network.tf": NETWORK, "iam.tf": ROLE_POLICY}) == snapshot


def test_policy_document(snapshot) -> None:
    assert check_fix(R, NETWORK + "\n" + POLICY_DOCUMENT) == snapshot


def test_managed_policy_attachment(snapshot) -> None:
    assert check_fix(R, NETWORK + "\n" + ATTACHED) == snapshot


def test_inline_policy_block() -> None:
    role = NETWORK.replace('  name = "flow"\n  assume', '  name = "flow"\n\n  inline_policy {\n    name = "logs"\n'
                           '    policy = jsonencode({\n      Statement = [{\n        Effect   = "Allow"\n'
                           '        Action   = ["logs:PutLogEvents"]\n        Resource = "*"\n      }]\n    })\n'
                           '  }\n\n  assume')
    out, result = fix(R, role)
    assert 'Resource = [aws_cloudwatch_log_group.flow.arn, "${aws_cloudwatch_log_group.flow.arn}:*"]' in out["main.tf"]
    assert result.fixed


def test_output_is_valid_json_policy_after_substitution() -> None:
    out, _ = fix(R, {"network.tf": NETWORK, "iam.tf": ROLE_POLICY})
    policy = out["iam.tf"].split("jsonencode(", 1)[1].rsplit(")", 1)[0]
    # turn the HCL object into JSON: quote keys, references become strings
    text = re.sub(r"\"\$\{([^}]*)\}:\*\"", r'"\1:*"', policy)
    text = re.sub(r"(aws_cloudwatch_log_group\.flow\.arn)(?=[,\n])", r'"\1"', text)
    text = re.sub(r"(\w+)\s*=", r'"\1":', text)
    text = re.sub(r'(["\]}])\n(\s*")', r"\1,\n\2", text)
    doc = json.loads(text)
    write, describe = doc["Statement"]
    assert write["Action"] == ["logs:CreateLogGroup", "logs:CreateLogStream", "logs:PutLogEvents"]
    assert write["Resource"] == ["aws_cloudwatch_log_group.flow.arn", "aws_cloudwatch_log_group.flow.arn:*"]
    assert describe == {"Effect": "Allow", "Action": ["logs:DescribeLogGroups", "logs:DescribeLogStreams"],
                        "Resource": "*"}


def test_already_scoped_is_unchanged() -> None:
    scoped = ROLE_POLICY.replace('Resource = "*"', 'Resource = aws_cloudwatch_log_group.flow.arn')
    assert unchanged(R, {"network.tf": NETWORK, "iam.tf": scoped})
    assert findings(R, {"network.tf": NETWORK, "iam.tf": scoped}) == []


def test_role_shared_with_another_service_is_reported_only() -> None:
    shared = NETWORK.replace('Service = "vpc-flow-logs.amazonaws.com"',
                             'Service = ["vpc-flow-logs.amazonaws.com", "ec2.amazonaws.com"]')
    files = {"network.tf": shared, "iam.tf": ROLE_POLICY}
    assert unchanged(R, files)
    assert findings(R, files) == [("TFX301", 15, False)]


def test_policy_attached_to_two_roles_is_reported_only() -> None:
    other = ATTACHED + '\nresource "aws_iam_role_policy_attachment" "other" {\n  role       = "other"\n' \
                       '  policy_arn = aws_iam_policy.flow.arn\n}\n'
    assert findings(R, NETWORK + "\n" + other) == [("TFX301", 30, False)]


def test_templatefile_and_heredoc_are_reported_only() -> None:
    heredoc = ('resource "aws_iam_role_policy" "flow" {\n  role   = aws_iam_role.flow.id\n  policy = <<EOF\n'
               '{"Statement": [{"Effect": "Allow", "Action": ["logs:PutLogEvents"], "Resource": "*"}]}\nEOF\n}\n')
    assert findings(R, NETWORK + "\n" + heredoc) == [("TFX301", 26, False)]
    tmpl = ('resource "aws_iam_role_policy" "flow" {\n  role   = aws_iam_role.flow.id\n'
            '  policy = templatefile("policy.json", {})\n}\n')
    assert findings(R, NETWORK + "\n" + tmpl) == []  # nothing visible to judge


def test_log_group_with_count_is_reported_only() -> None:
    counted = NETWORK.replace('name = "/aws/vpc/flow"', 'count = 1\n  name  = "/aws/vpc/flow"').replace(
        "aws_cloudwatch_log_group.flow.arn", "aws_cloudwatch_log_group.flow[0].arn")
    assert findings(R, {"network.tf": counted, "iam.tf": ROLE_POLICY}) == [("TFX301", 15, False)]


def test_other_actions_in_the_statement_are_reported_only() -> None:
    extra = ROLE_POLICY.replace('"logs:CreateLogGroup",', '"logs:CreateLogGroup",\n        "s3:GetObject",')
    assert findings(R, {"network.tf": NETWORK, "iam.tf": extra}) == [("TFX301", 16, False)]  # one line longer


def test_flow_log_to_s3_is_ignored() -> None:
    s3 = NETWORK.replace('iam_role_arn    = aws_iam_role.flow.arn', 'iam_role_arn    = aws_iam_role.flow.arn\n'
                         '  log_destination_type = "s3"')
    assert unchanged(R, {"network.tf": s3, "iam.tf": ROLE_POLICY})


def test_suppression() -> None:
    files = {"network.tf": NETWORK, "iam.tf": "# tffix:ignore[TFX301]\n" + ROLE_POLICY}
    assert unchanged(R, files) and findings(R, files) == []
