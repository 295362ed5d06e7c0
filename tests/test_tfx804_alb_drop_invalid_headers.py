"""TFX804 alb-drop-invalid-headers."""

from __future__ import annotations

import pytest
from tffix.transforms.network.alb_drop_invalid_headers import AlbDropInvalidHeaders as R

from .rulekit import check_fix, findings, fix, unchanged

MISSING = """\
resource "aws_lb" "web" {
  name               = "web"
  load_balancer_type = "application"
  subnets            = var.public_subnet_ids

  access_logs {
    bucket  = aws_s3_bucket.lb_logs.id
    enabled = true
  }
}
"""

LEGACY = """\
resource "aws_alb" "api" {
  count                      = var.enabled ? 1 : 0
  name                       = "api"
  drop_invalid_header_fields = false
}
"""


def test_missing_is_written_out(snapshot) -> None:
    assert check_fix(R, MISSING) == snapshot


def test_false_becomes_true_on_aws_alb_with_count(snapshot) -> None:
    assert check_fix(R, LEGACY) == snapshot


def test_fix_is_unsafe_in_place() -> None:
    out, result = fix(R, MISSING, unsafe=False)
    assert out["main.tf"] == MISSING
    (held,) = result.remaining
    assert held.held_back and held.impact == "in-place update" and "underscores" in held.fix


@pytest.mark.parametrize("kind", ['"network"', '"gateway"'])
def test_network_and_gateway_load_balancers_are_left_alone(kind: str) -> None:
    text = f'resource "aws_lb" "n" {{\n  load_balancer_type = {kind}\n}}\n'
    assert unchanged(R, text) and findings(R, text) == []


def test_type_from_expression_is_reported_without_fix() -> None:
    text = 'resource "aws_lb" "x" {\n  load_balancer_type = var.type\n}\n'
    assert unchanged(R, text)
    _, result = fix(R, text)
    (record,) = result.remaining
    assert not record.fixable and "load_balancer_type is an expression" in record.message


def test_already_dropping_is_left_alone() -> None:
    text = 'resource "aws_lb" "x" {\n  drop_invalid_header_fields = true\n}\n'
    assert unchanged(R, text) and findings(R, text) == []


def test_expression_is_reported_without_fix() -> None:
    text = 'resource "aws_lb" "x" {\n  drop_invalid_header_fields = var.drop\n}\n'
    assert unchanged(R, text)
    assert findings(R, text) == [("TFX804", 2, False)]


def test_multi_file_module() -> None:
    other = 'resource "aws_lb_listener" "l" {\n  load_balancer_arn = aws_lb.web.arn\n}\n'
    out, result = fix(R, {"lb.tf": MISSING, "listener.tf": other})
    assert out["listener.tf"] == other and [r.path for r in result.fixed] == ["lb.tf"]


def test_suppression() -> None:
    assert unchanged(R, "# tffix:ignore[TFX804]\n" + MISSING)
    assert unchanged(R, MISSING.replace("  name ", "  #checkov:skip=CKV_AWS_131:legacy clients\n  name ", 1))
