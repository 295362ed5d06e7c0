"""TFX824 placeholder-domain."""

from __future__ import annotations

import pytest
from tffix.transforms.terraform.placeholder_domain import PlaceholderDomain as R
from tffix.transforms.terraform.placeholder_domain import placeholder

from .rulekit import findings, fix

TEXT = """\
resource "aws_acm_certificate" "main" {
  domain_name               = "example.com" # placeholder
  subject_alternative_names = ["*.example.com", var.extra_name]
  validation_method         = "DNS"
}

resource "aws_route53_record" "api" {
  count   = 2
  zone_id = aws_route53_zone.main.zone_id
  name    = "api-${count.index}.yourdomain.com"
  type    = "A"
  ttl     = 60
  records = ["10.0.0.1"]
}

resource "aws_route53_zone" "main" {
  name = "app.test"
}

resource "aws_sns_topic_subscription" "email" {
  topic_arn = aws_sns_topic.alerts.arn
  protocol  = "email"
  endpoint  = "ops-team@example.com"
}

data "aws_acm_certificate" "issued" {
  domain   = "yourdomain.com"
  statuses = ["ISSUED"]
}
"""


def _records(files):
    out, result = fix(R, files)
    assert out == (files if isinstance(files, dict) else {"main.tf": files})
    return [(r.path, r.line, r.column, r.fixable, r.message) for r in result.remaining]


def test_reports_placeholder_domains(snapshot) -> None:
    assert _records(TEXT) == snapshot


@pytest.mark.parametrize("text, expected", [
    ("example.com", "example.com"), ("EXAMPLE.ORG.", "example.org"), ("a.b.example", "example"),
    ("me@example.net", "example.net"), ("myexample.com", None), ("example.com.au", None), ("acme.io", None),
    ("localhost", "localhost"),
])
def test_placeholder(text: str, expected: str | None) -> None:
    assert placeholder(text) == expected


def test_real_domains_expressions_and_other_resources_are_fine() -> None:
    text = """\
resource "aws_acm_certificate" "main" {
  domain_name = var.domain_name
}

resource "aws_route53_record" "api" {
  name = "api.${var.domain}"
}

resource "aws_route53_zone" "main" {
  name = "acme.io"
}

resource "aws_lb" "x" {
  name = "example.com"
}
"""
    assert findings(R, text) == []


def test_multi_file_module() -> None:
    files = {"dns.tf": TEXT, "vars.tf": 'variable "x" {}\n'}
    assert {p for p, *_ in _records(files)} == {"dns.tf"}


def test_suppression_comment() -> None:
    text = TEXT.replace("# placeholder", "# tffix:ignore[TFX824]")
    assert [line for _, line, _ in findings(R, text)] == [3, 10, 17, 23, 27]
