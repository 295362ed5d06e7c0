"""TFX722 target-group-health-check."""

from __future__ import annotations

from tffix.transforms.network.target_group_health_check import (
    TargetGroupHealthCheck as R,
)

from .rulekit import findings, fix

MODULE = """\
resource "aws_lb_target_group" "no_block" {
  name     = "app"
  port     = 8080
  protocol = "HTTP"
  vpc_id   = aws_vpc.main.id
}

resource "aws_alb_target_group" "disabled" {
  count    = 2
  port     = 443
  protocol = "HTTPS"
  vpc_id   = aws_vpc.main.id

  health_check {
    enabled = false
  }
}

resource "aws_lb_target_group" "dynamic_disabled" {
  port     = 80
  protocol = "HTTP"

  dynamic "health_check" {
    for_each = [1]
    content {
      enabled = "false"
    }
  }
}

resource "aws_route53_record" "primary" {
  zone_id        = aws_route53_zone.main.zone_id
  name           = "app.example.com"
  type           = "A"
  ttl            = 60
  records        = ["192.0.2.10"]
  set_identifier = "primary"

  failover_routing_policy {
    type = "PRIMARY"
  }
}
"""


def _records(files):
    out, result = fix(R, files)
    assert out == (files if isinstance(files, dict) else {"main.tf": files})
    assert all(not r.fixable for r in result.remaining)
    return [(r.path, r.line, r.column, r.message) for r in result.remaining]


def test_reports_missing_and_disabled_health_checks(snapshot) -> None:
    records = _records(MODULE)
    assert [(line, col) for _, line, col, _ in records] == [(1, 1), (15, 15), (26, 17), (40, 12)]
    assert records == snapshot


def test_left_alone() -> None:
    text = """\
resource "aws_lb_target_group" "checked" {
  port     = 8080
  protocol = "HTTP"

  health_check {
    path    = "/healthz"
    matcher = "200"
  }
}

resource "aws_lb_target_group" "dynamic" {
  protocol = "HTTP"

  dynamic "health_check" {
    for_each = var.health_check == null ? [] : [var.health_check]
    content {
      enabled = health_check.value.enabled
      path    = health_check.value.path
    }
  }
}

resource "aws_lb_target_group" "tcp" {
  port     = 5432
  protocol = "TCP"
}

resource "aws_lb_target_group" "lambda" {
  target_type = "lambda"

  health_check {
    enabled = false
  }
}

resource "aws_lb_target_group" "protocol_var" {
  protocol = var.protocol
}

resource "aws_route53_record" "with_check" {
  health_check_id = aws_route53_health_check.primary.id

  failover_routing_policy {
    type = "PRIMARY"
  }
}

resource "aws_route53_record" "alias" {
  alias {
    name                   = aws_lb.main.dns_name
    zone_id                = aws_lb.main.zone_id
    evaluate_target_health = true
  }

  failover_routing_policy {
    type = "PRIMARY"
  }
}

resource "aws_route53_record" "secondary" {
  failover_routing_policy {
    type = "SECONDARY"
  }
}
"""
    assert findings(R, text) == []


def test_alias_without_target_health_is_reported() -> None:
    text = """\
resource "aws_route53_record" "alias" {
  alias {
    name                   = aws_s3_bucket_website_configuration.site.website_domain
    zone_id                = aws_s3_bucket.site.hosted_zone_id
    evaluate_target_health = false
  }

  failover_routing_policy {
    type = "PRIMARY"
  }
}
"""
    assert findings(R, text) == [("TFX722", 9, False)]


def test_multi_file_module() -> None:
    files = {"a.tf": 'resource "aws_lb_target_group" "a" {\n  protocol = "HTTPS"\n}\n',
             "b.tf": 'resource "aws_lb_target_group" "b" {\n  protocol = "TLS"\n}\n'}
    assert [(p, line) for p, line, _, _ in _records(files)] == [("a.tf", 1)]


def test_suppression_comment() -> None:
    text = '# tffix:ignore[TFX722]\nresource "aws_lb_target_group" "a" {\n  protocol = "HTTP"\n}\n'
    assert findings(R, text) == []
