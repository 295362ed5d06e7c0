"""TFX212 lambda-url-cors-wildcard."""

from __future__ import annotations

from tffix.transforms.serverless.lambda_url_cors_wildcard import (
    LambdaUrlCorsWildcard as R,
)

from .rulekit import findings, fix

TEXT = """\
resource "aws_lambda_function_url" "main" {
  count              = 1
  function_name      = aws_lambda_function.main.function_name
  authorization_type = "NONE"

  cors {
    allow_origins = ["https://app.acme.io", "*"]
  }
}

resource "aws_apigatewayv2_api" "http" {
  name          = "http"
  protocol_type = "HTTP"

  cors_configuration {
    allow_origins = ["*"]
  }
}
"""


def _records(files):
    out, result = fix(R, files)
    assert out == (files if isinstance(files, dict) else {"main.tf": files})
    return [(r.path, r.line, r.column, r.fixable, r.message) for r in result.remaining]


def test_reports_wildcard_origins(snapshot) -> None:
    assert _records(TEXT) == snapshot


def test_listed_origins_expressions_and_dynamic_blocks_are_fine() -> None:
    text = """\
resource "aws_lambda_function_url" "a" {
  authorization_type = "AWS_IAM"

  cors {
    allow_origins = ["https://app.acme.io"]
  }
}

resource "aws_lambda_function_url" "b" {
  cors {
    allow_origins = var.environment == "dev" ? ["*"] : var.allowed_cors_origins
  }
}

resource "aws_lambda_function_url" "c" {
  dynamic "cors" {
    for_each = [1]
    content {
      allow_origins = ["*"]
    }
  }
}
"""
    assert findings(R, text) == []


def test_multi_file_module() -> None:
    files = {"api.tf": TEXT, "vars.tf": 'variable "x" {}\n'}
    assert [(p, line) for p, line, *_ in _records(files)] == [("api.tf", 7), ("api.tf", 16)]


def test_suppression_comments() -> None:
    text = TEXT.replace('resource "aws_apigatewayv2_api" "http" {',
                        'resource "aws_apigatewayv2_api" "http" { # tffix:ignore[TFX212]')
    assert findings(R, text) == [("TFX212", 7, False)]
    checkov = TEXT.replace("  count              = 1\n", "  count              = 1\n  #checkov:skip=CKV2_AWS_75\n")
    assert findings(R, checkov) == [("TFX212", 17, False)]
