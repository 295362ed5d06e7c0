"""TFX216 security-group-descriptions."""

from __future__ import annotations

import pytest
from tffix.transforms.network.security_group_descriptions import SecurityGroupDescriptions as R

from .rulekit import check_fix, findings, fix, unchanged

GROUP = """\
resource "aws_security_group" "web" {
  name_prefix = "web-"
  vpc_id      = var.vpc_id

  ingress {
    from_port   = 443
    to_port     = 443
    protocol    = "tcp"
    cidr_blocks = ["10.0.0.0/16"]
  }

  egress {
    from_port   = 0
    to_port     = 0
    protocol    = "-1"
    cidr_blocks = ["0.0.0.0/0"]
  }

  lifecycle {
    create_before_destroy = true
  }
}
"""

RULES = """\
resource "aws_security_group_rule" "app" {
  type                     = "ingress"
  from_port                = 8000
  to_port                  = 8080
  protocol                 = "tcp"
  source_security_group_id = aws_security_group.alb.id
  security_group_id        = aws_security_group.app.id
}

resource "aws_vpc_security_group_ingress_rule" "dns" {
  security_group_id = aws_security_group.app.id
  ip_protocol       = "udp"
  from_port         = 53
  to_port           = 53
  cidr_ipv4         = "10.0.0.0/16"
}

resource "aws_vpc_security_group_egress_rule" "all" {
  security_group_id = aws_security_group.app.id
  ip_protocol       = "-1"
  cidr_ipv4         = "10.0.0.0/16"
}

resource "aws_vpc_security_group_ingress_rule" "ping" {
  security_group_id = aws_security_group.app.id
  ip_protocol       = "icmp"
  from_port         = -1
  to_port           = -1
  cidr_ipv4         = "10.0.0.0/16"
}
"""

DEFAULT_TEXT = """\
resource "aws_security_group" "db" {
  name        = var.name
  description = "Managed by Terraform"
}
"""


def test_group_and_inline_rules(snapshot) -> None:
    assert check_fix(R, GROUP) == snapshot


def test_rule_resources(snapshot) -> None:
    assert check_fix(R, RULES) == snapshot


def test_default_text_is_replaced_with_the_label(snapshot) -> None:
    assert check_fix(R, DEFAULT_TEXT) == snapshot


def test_exact_descriptions() -> None:
    out, _ = fix(R, RULES)
    for text in ('"Inbound TCP 8000-8080"', '"Inbound UDP 53"', '"Outbound all traffic"', '"Inbound ICMP"'):
        assert f"description       = {text}" in out["main.tf"] or f"description              = {text}" in out["main.tf"]
    out, _ = fix(R, GROUP)
    assert 'description = "Security group web"' in out["main.tf"]


def test_rule_resources_are_safe_group_and_inline_are_held_back() -> None:
    out, result = fix(R, {"a.tf": GROUP, "b.tf": RULES}, unsafe=False)
    assert out["a.tf"] == GROUP and out["b.tf"].count("description") == 4
    held = {(r.safety, r.impact) for r in result.remaining}
    assert held == {("unsafe", "forces replacement"), ("unsafe", "in-place update")}
    assert all(r.held_back for r in result.remaining) and len(result.remaining) == 3


@pytest.mark.parametrize("text", [
    'resource "aws_security_group" "a" {\n  description = "Web servers"\n}\n',
    'resource "aws_security_group" "a" {\n  description = var.description\n}\n',
    ('resource "aws_security_group" "a" {\n  description = "x"\n\n  ingress {\n    from_port   = 1\n'
     '    to_port     = 1\n    protocol    = "tcp"\n    description = local.why\n  }\n}\n'),
    ('resource "aws_security_group_rule" "r" {\n  type        = "ingress"\n  from_port   = 1\n  to_port     = 1\n'
     '  protocol    = "tcp"\n  description = "SSH from the VPN"\n}\n'),
    'resource "aws_default_security_group" "d" {\n  vpc_id = var.vpc_id\n}\n',
])
def test_described_and_unknown_are_unchanged(text: str) -> None:
    assert unchanged(R, text) and findings(R, text) == []


@pytest.mark.parametrize("text", [
    # ports from variables: no description can be derived
    ('resource "aws_security_group_rule" "r" {\n  type      = "ingress"\n  from_port = var.port\n'
     '  to_port   = var.port\n  protocol  = "tcp"\n}\n'),
    # the direction is an expression
    ('resource "aws_security_group_rule" "r" {\n  type      = var.type\n  from_port = 1\n  to_port   = 1\n'
     '  protocol  = "tcp"\n}\n'),
    # a dynamic block without a description in its content
    ('resource "aws_security_group" "a" {\n  description = "x"\n\n  dynamic "ingress" {\n    for_each = var.ports\n'
     '    content {\n      from_port = ingress.value\n      to_port   = ingress.value\n      protocol  = "tcp"\n'
     '    }\n  }\n}\n'),
    # rules as a list of objects
    ('resource "aws_security_group" "a" {\n  description = "x"\n  ingress = [{\n    from_port = 1\n    to_port   = 1\n'
     '    protocol  = "tcp"\n  }]\n}\n'),
])
def test_reported_without_fix(text: str) -> None:
    assert unchanged(R, text)
    assert [(rule, fixable) for rule, _, fixable in findings(R, text)] == [("TFX216", False)]


def test_empty_string_is_missing() -> None:
    text = ('resource "aws_vpc_security_group_egress_rule" "e" {\n  ip_protocol = "tcp"\n  from_port   = 443\n'
            '  to_port     = 443\n  description = ""\n}\n')
    out, _ = fix(R, text)
    assert 'description = "Outbound TCP 443"' in out["main.tf"]


def test_suppression_comment() -> None:
    text = "# tffix:ignore[TFX216]\n" + DEFAULT_TEXT
    assert unchanged(R, text) and findings(R, text) == []
