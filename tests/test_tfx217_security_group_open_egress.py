"""TFX217 security-group-open-egress."""

from __future__ import annotations

import pytest
from tffix.transforms.network.security_group_open_egress import SecurityGroupOpenEgress as R

from .rulekit import findings, unchanged

OPEN = """\
resource "aws_security_group" "app" {
  description = "app"

  egress {
    from_port        = 0
    to_port          = 0
    protocol         = "-1"
    cidr_blocks      = ["0.0.0.0/0"]
    ipv6_cidr_blocks = ["::/0"]
  }
}

resource "aws_security_group_rule" "out" {
  type              = "egress"
  from_port         = 0
  to_port           = 0
  protocol          = "all"
  cidr_blocks       = ["10.0.0.0/8", "0.0.0.0/0"]
  security_group_id = aws_security_group.app.id
}

resource "aws_vpc_security_group_egress_rule" "out" {
  security_group_id = aws_security_group.app.id
  ip_protocol       = "-1"
  cidr_ipv4         = "0.0.0.0/0"
}
"""


def test_every_kind_of_open_egress_is_reported() -> None:
    assert unchanged(R, OPEN)
    assert findings(R, OPEN) == [("TFX217", 8, False), ("TFX217", 9, False), ("TFX217", 18, False),
                                 ("TFX217", 25, False)]


@pytest.mark.parametrize("text", [
    # a port, not everything
    ('resource "aws_security_group" "a" {\n  egress {\n    from_port   = 443\n    to_port     = 443\n'
     '    protocol    = "tcp"\n    cidr_blocks = ["0.0.0.0/0"]\n  }\n}\n'),
    # everything, but to the VPC
    ('resource "aws_security_group" "a" {\n  egress {\n    from_port   = 0\n    to_port     = 0\n'
     '    protocol    = "-1"\n    cidr_blocks = ["10.0.0.0/16"]\n  }\n}\n'),
    # ingress, not egress
    ('resource "aws_security_group_rule" "r" {\n  type        = "ingress"\n  protocol    = "-1"\n'
     '  cidr_blocks = ["0.0.0.0/0"]\n}\n'),
    # expressions
    ('resource "aws_vpc_security_group_egress_rule" "r" {\n  ip_protocol = var.protocol\n'
     '  cidr_ipv4   = "0.0.0.0/0"\n}\n'),
    ('resource "aws_vpc_security_group_egress_rule" "r" {\n  ip_protocol = "-1"\n  cidr_ipv4   = var.cidr\n}\n'),
])
def test_not_reported(text: str) -> None:
    assert findings(R, text) == []


def test_suppression_comment() -> None:
    text = ("# tffix:ignore[TFX217]\nresource \"aws_vpc_security_group_egress_rule\" \"r\" {\n"
            "  ip_protocol = \"-1\"\n  cidr_ipv4   = \"0.0.0.0/0\"\n}\n")
    assert findings(R, text) == []
    assert findings(R, text.split("\n", 1)[1]) == [("TFX217", 3, False)]
