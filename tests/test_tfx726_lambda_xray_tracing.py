"""TFX726 lambda-xray-tracing."""

from __future__ import annotations

import pytest
from tffix.transforms.serverless.lambda_xray_tracing import LambdaXrayTracing as R

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

resource "aws_iam_role_policy_attachment" "fn_logs" {
  role       = aws_iam_role.fn.name
  policy_arn = "arn:aws:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole"
}
"""

FUNCTIONS = """\
resource "aws_lambda_function" "a" {
  function_name = "a"
  role          = aws_iam_role.fn.arn
  runtime       = "python3.12"
  handler       = "main.handler"
  filename      = "a.zip"

  lifecycle {
    ignore_changes = [filename]
  }
}

resource "aws_lambda_function" "b" {
  function_name = "b"
  role          = aws_iam_role.fn.arn
  runtime       = "python3.12"
  handler       = "main.handler"
  filename      = "b.zip"
}
"""

PARTITION = 'data "aws_partition" "current" {}\n'


def test_two_functions_one_role_get_one_attachment(snapshot) -> None:
    diff = check_fix(R, {"iam.tf": ROLE, "main.tf": FUNCTIONS})
    assert diff.count("resource \"aws_iam_role_policy_attachment\" \"fn_xray\"") == 1
    assert diff.count('mode = "Active"') == 2
    assert diff == snapshot


def test_partition_data_source_is_used(snapshot) -> None:
    assert check_fix(R, {"iam.tf": ROLE + "\n" + PARTITION, "main.tf": FUNCTIONS}) == snapshot


def test_role_that_already_grants_xray_gets_no_attachment() -> None:
    granted = ROLE + ('\nresource "aws_iam_role_policy" "x" {\n  role = aws_iam_role.fn.id\n  policy = jsonencode({\n'
                      '    Version = "2012-10-17"\n    Statement = [{\n      Effect   = "Allow"\n'
                      '      Action   = ["xray:PutTraceSegments", "xray:PutTelemetryRecords"]\n'
                      '      Resource = "*"\n    }]\n  })\n}\n')
    out, _ = fix(R, {"iam.tf": granted, "main.tf": FUNCTIONS})
    assert out["iam.tf"] == granted and out["main.tf"].count('mode = "Active"') == 2


def test_fix_is_unsafe() -> None:
    out, result = fix(R, {"iam.tf": ROLE, "main.tf": FUNCTIONS}, unsafe=False)
    assert out == {"iam.tf": ROLE, "main.tf": FUNCTIONS}
    assert {(r.safety, r.impact, r.held_back) for r in result.remaining} == {("unsafe", "in-place update", True)}


@pytest.mark.parametrize("text", [
    'resource "aws_lambda_function" "f" {\n  role = aws_iam_role.fn.arn\n\n  tracing_config {\n    mode = "PassThrough"\n  }\n}\n',
    'resource "aws_lambda_function" "f" {\n  role = aws_iam_role.fn.arn\n\n  dynamic "tracing_config" {\n'
    '    for_each = var.tracing ? [1] : []\n    content {\n      mode = "Active"\n    }\n  }\n}\n',
])
def test_traced_functions_are_unchanged(text: str) -> None:
    assert unchanged(R, {"iam.tf": ROLE, "main.tf": text}) and findings(R, {"iam.tf": ROLE, "main.tf": text}) == []


@pytest.mark.parametrize("iam,role", [
    ("", "var.role_arn"),
    ("", "data.aws_iam_role.fn.arn"),
    ("", "module.iam.role_arn"),
    # an attachment whose policy tffix cannot read: it may grant X-Ray already
    (ROLE + '\nresource "aws_iam_role_policy_attachment" "extra" {\n  role       = aws_iam_role.fn.name\n'
            '  policy_arn = var.extra_policy\n}\n', "aws_iam_role.fn.arn"),
    # exclusive policy management
    (ROLE.replace('  name = "fn"\n', '  name                = "fn"\n  managed_policy_arns = []\n'), "aws_iam_role.fn.arn"),
])
def test_reported_without_fix(iam: str, role: str) -> None:
    files = {"iam.tf": iam or "# none\n", "main.tf": f'resource "aws_lambda_function" "f" {{\n  role = {role}\n}}\n'}
    assert unchanged(R, files)
    assert [(rule, fixable) for rule, _, fixable in findings(R, files)] == [("TFX726", False)]


def test_lambda_at_edge_is_reported_without_fix() -> None:
    edge = ('resource "aws_cloudfront_distribution" "d" {\n  default_cache_behavior {\n'
            '    lambda_function_association {\n      event_type = "viewer-request"\n'
            '      lambda_arn = aws_lambda_function.f.qualified_arn\n    }\n  }\n}\n')
    files = {"iam.tf": ROLE, "main.tf": 'resource "aws_lambda_function" "f" {\n  role = aws_iam_role.fn.arn\n}\n',
             "cdn.tf": edge}
    assert unchanged(R, files)
    assert [(rule, fixable) for rule, _, fixable in findings(R, files)] == [("TFX726", False)]


def test_suppression_comment() -> None:
    files = {"iam.tf": ROLE,
             "main.tf": '# tffix:ignore[TFX726]\nresource "aws_lambda_function" "a" {\n  role = aws_iam_role.fn.arn\n}\n'}
    assert unchanged(R, files) and findings(R, files) == []
