"""TFX110 lambda-environment-kms."""

from __future__ import annotations

import pytest
from tffix.transforms.serverless.lambda_environment_kms import LambdaEnvironmentKms as R

from .rulekit import check_fix, findings, fix, unchanged

KEY = """\
resource "aws_kms_key" "functions" {
  description         = "Key for the Lambda functions"
  enable_key_rotation = true
}
"""

FUNCTION = """\
resource "aws_lambda_function" "api" {
  function_name = "api"
  role          = aws_iam_role.api.arn
  runtime       = "python3.12"
  handler       = "main.handler"
  filename      = "api.zip"

  environment {
    variables = {
      TABLE = "orders"
    }
  }
}
"""


def test_key_meant_for_lambda_is_used(snapshot) -> None:
    assert check_fix(R, {"kms.tf": KEY, "main.tf": FUNCTION}) == snapshot


def test_empty_string_is_replaced() -> None:
    text = FUNCTION.replace('  filename      = "api.zip"\n', '  filename      = "api.zip"\n  kms_key_arn   = ""\n')
    out, _ = fix(R, {"kms.tf": KEY, "main.tf": text})
    assert "kms_key_arn   = aws_kms_key.functions.arn" in out["main.tf"]


def test_fix_is_unsafe() -> None:
    out, result = fix(R, {"kms.tf": KEY, "main.tf": FUNCTION}, unsafe=False)
    assert out["main.tf"] == FUNCTION
    (held,) = result.remaining
    assert held.held_back and held.safety == "unsafe" and held.impact == "in-place update"


@pytest.mark.parametrize("keys", [
    "",  # no key
    'resource "aws_kms_key" "s3" {\n  description = "Bucket encryption"\n}\n',  # a key for something else
    KEY + 'resource "aws_kms_key" "lambda" {\n  description = "x"\n}\n',  # two candidates
    KEY.replace("functions", "lambda").replace('  description', '  count               = 2\n  description'),
    'resource "aws_kms_key" "lambda" {\n  customer_master_key_spec = "RSA_2048"\n}\n',  # asymmetric
    'resource "aws_kms_key" "lambda" {\n  provider = aws.replica\n}\n',  # another provider
])
def test_reported_without_fix(keys: str) -> None:
    files = {"kms.tf": keys or "# none\n", "main.tf": FUNCTION}
    assert unchanged(R, files)
    assert [(rule, fixable) for rule, _, fixable in findings(R, files)] == [("TFX110", False)]


@pytest.mark.parametrize("text", [
    'resource "aws_lambda_function" "f" {\n  function_name = "f"\n}\n',  # no environment
    ('resource "aws_lambda_function" "f" {\n  kms_key_arn = var.kms_key_arn\n\n  environment {\n'
     '    variables = { A = "b" }\n  }\n}\n'),
])
def test_without_environment_or_with_a_key_is_unchanged(text: str) -> None:
    files = {"kms.tf": KEY, "main.tf": text}
    assert unchanged(R, files) and findings(R, files) == []


def test_suppression_comment() -> None:
    files = {"kms.tf": KEY, "main.tf": "# tffix:ignore[TFX110]\n" + FUNCTION}
    assert unchanged(R, files) and findings(R, files) == []
