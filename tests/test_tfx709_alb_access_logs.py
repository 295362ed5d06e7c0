"""TFX709 alb-access-logs."""

from __future__ import annotations

from tffix.transforms.logging.alb_access_logs import AlbAccessLogs as R

from .rulekit import findings, fix

TEXT = """\
resource "aws_lb" "web" {
  name               = "web"
  load_balancer_type = "application"
  subnets            = var.public_subnet_ids
}

resource "aws_alb" "api" {
  name    = "api"
  subnets = var.public_subnet_ids

  access_logs {
    bucket  = aws_s3_bucket.lb_logs.id
    enabled = false
  }
}

resource "aws_lb" "admin" {
  name    = "admin"
  subnets = var.public_subnet_ids

  access_logs {
    bucket = aws_s3_bucket.lb_logs.id
  }
}

resource "aws_lb" "ok" {
  name    = "ok"
  subnets = var.public_subnet_ids

  access_logs {
    bucket  = aws_s3_bucket.lb_logs.id
    prefix  = "ok"
    enabled = true
  }
}
"""


def _records(files):
    out, result = fix(R, files)
    assert out == (files if isinstance(files, dict) else {"main.tf": files})
    return [(r.path, r.line, r.column, r.fixable, r.message) for r in result.remaining]


def test_reports_missing_disabled_and_default_disabled(snapshot) -> None:
    assert _records(TEXT) == snapshot
    assert [line for _, line, *_ in _records(TEXT)] == [1, 13, 21]


def test_expressions_and_dynamic_blocks_are_not_reported() -> None:
    expr = 'resource "aws_lb" "a" {\n  access_logs {\n    bucket  = var.bucket\n    enabled = var.logs\n  }\n}\n'
    assert findings(R, expr) == []
    dynamic = 'resource "aws_lb" "a" {\n  dynamic "access_logs" {\n    for_each = var.access_logs == null ? [] : [1]\n' \
              '    content {\n      bucket = var.access_logs.bucket\n    }\n  }\n}\n'
    assert findings(R, dynamic) == []
    kind = 'resource "aws_lb" "a" {\n  load_balancer_type = var.type\n}\n'
    assert findings(R, kind) == []
    string_false = 'resource "aws_lb" "a" {\n  access_logs {\n    bucket  = "b"\n    enabled = "false"\n  }\n}\n'
    assert findings(R, string_false) == [("TFX709", 4, False)]


def test_network_load_balancers_only_with_a_tls_listener() -> None:
    nlb = 'resource "aws_lb" "n" {\n  load_balancer_type = "network"\n}\n\nresource "aws_lb_listener" "l" {\n' \
          '  load_balancer_arn = aws_lb.n.arn\n  port              = 80\n  protocol          = "TCP"\n}\n'
    assert findings(R, nlb) == []
    assert findings(R, nlb.replace('"TCP"', '"TLS"')) == [("TFX709", 1, False)]
    assert findings(R, nlb.replace('"TCP"', "var.protocol")) == []
    gateway = 'resource "aws_lb" "g" {\n  load_balancer_type = "gateway"\n}\n'
    assert findings(R, gateway) == []


def test_count_and_suppression() -> None:
    counted = 'resource "aws_lb" "a" {\n  count = var.create ? 1 : 0\n  name  = "a"\n}\n'
    assert findings(R, counted) == [("TFX709", 1, False)]
    assert findings(R, "# tffix:ignore[TFX709]\n" + counted) == []
