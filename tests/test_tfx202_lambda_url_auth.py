"""TFX202 lambda-url-auth."""

from __future__ import annotations

import pytest
from tffix.transforms.serverless.lambda_url_auth import LambdaUrlAuth as R

from .rulekit import check_fix, findings, fix, unchanged

PUBLIC = """\
resource "aws_lambda_function_url" "main" {
  function_name      = aws_lambda_function.main.function_name
  authorization_type = "NONE" # Public access

  cors {
    allow_origins = ["*"]
  }
}
"""


def test_none_becomes_aws_iam(snapshot) -> None:
    assert check_fix(R, PUBLIC) == snapshot


def test_exact_output_keeps_comment() -> None:
    out, _ = fix(R, PUBLIC)
    assert out["main.tf"] == PUBLIC.replace('"NONE" # Public', '"AWS_IAM" # Public')


def test_fix_is_unsafe_and_held_back() -> None:
    out, result = fix(R, PUBLIC, unsafe=False)
    assert out["main.tf"] == PUBLIC
    (held,) = result.remaining
    assert held.held_back and held.safety == "unsafe" and held.impact == "in-place update"


def test_for_each_urls() -> None:
    text = ('resource "aws_lambda_function_url" "u" {\n  for_each           = toset(["a", "b"])\n'
            '  function_name      = each.key\n  authorization_type = "NONE"\n}\n')
    out, _ = fix(R, text)
    assert out["main.tf"] == text.replace('"NONE"', '"AWS_IAM"')


def test_already_aws_iam_is_unchanged() -> None:
    text = 'resource "aws_lambda_function_url" "u" {\n  authorization_type = "AWS_IAM"\n}\n'
    assert unchanged(R, text) and findings(R, text) == []


@pytest.mark.parametrize("value, word", [
    ('var.environment_suffix == "dev" ? "NONE" : "AWS_IAM"', 'can be "NONE"'),
    ("var.auth_type", "comes from an expression"),
])
def test_expressions_are_reported_without_fix(value: str, word: str) -> None:
    text = f'resource "aws_lambda_function_url" "u" {{\n  authorization_type = {value}\n}}\n'
    assert unchanged(R, text)
    _, result = fix(R, text)
    (finding,) = result.remaining
    assert not finding.fixable and word in finding.message and finding.line == 2


def test_other_resources_are_ignored() -> None:
    assert unchanged(R, 'resource "aws_lambda_permission" "p" {\n  function_url_auth_type = "NONE"\n}\n')


def test_suppression_comment() -> None:
    text = '# tffix:ignore[TFX202]\n' + PUBLIC
    assert unchanged(R, text) and findings(R, text) == []


def test_multi_file_module() -> None:
    out, _ = fix(R, {"url.tf": PUBLIC, "fn.tf": 'resource "aws_lambda_function" "main" {}\n'})
    assert out["fn.tf"] == 'resource "aws_lambda_function" "main" {}\n' and '"AWS_IAM"' in out["url.tf"]
