"""TFX210 security-group-open-admin-ports."""

from __future__ import annotations

import pytest
from tffix.transforms.network.security_group_open_admin_ports import (
    SecurityGroupOpenAdminPorts as R,
)

from .rulekit import findings, fix

GROUPS = """\
resource "aws_security_group" "web" {
  name = "web"

  ingress {
    from_port   = 443
    to_port     = 443
    protocol    = "tcp"
    cidr_blocks = ["0.0.0.0/0"]
  }

  ingress {
    from_port        = 22
    to_port          = 22
    protocol         = "tcp"
    cidr_blocks      = ["10.0.0.0/8", "0.0.0.0/0"]
    ipv6_cidr_blocks = ["::/0"]
  }

  egress {
    from_port   = 0
    to_port     = 0
    protocol    = "-1"
    cidr_blocks = ["0.0.0.0/0"]
  }
}

resource "aws_security_group_rule" "all" {
  type              = "ingress"
  from_port         = 0
  to_port           = 65535
  protocol          = "tcp"
  cidr_blocks       = ["0.0.0.0/0"]
  security_group_id = aws_security_group.web.id
}

resource "aws_vpc_security_group_ingress_rule" "rdp" {
  count             = 2
  security_group_id = aws_security_group.web.id
  cidr_ipv4         = "0.0.0.0/0"
  ip_protocol       = "udp"
  from_port         = 3000
  to_port           = 4000
}

resource "aws_vpc_security_group_ingress_rule" "everything" {
  security_group_id = aws_security_group.web.id
  cidr_ipv6         = "::/0"
  ip_protocol       = "-1"
}
"""


def _records(files):
    out, result = fix(R, files)
    assert out == (files if isinstance(files, dict) else {"main.tf": files})
    return [(r.path, r.line, r.column, r.fixable, r.message) for r in result.remaining]


def test_reports_open_admin_and_all_port_rules(snapshot) -> None:
    assert _records(GROUPS) == snapshot


@pytest.mark.parametrize("protocol, ports, expected", [
    ('"tcp"', (22, 22), True), ('"6"', (20, 25), True), ('"udp"', (22, 22), False), ('"udp"', (3389, 3389), True),
    ('"tcp"', (80, 80), False), ('"-1"', (0, 0), True), ('"all"', (0, 0), True), ("-1", (0, 0), True),
    ('"icmp"', (-1, -1), False),
])
def test_protocols_and_ranges(protocol: str, ports: tuple[int, int], expected: bool) -> None:
    text = f'resource "aws_security_group_rule" "r" {{\n  type        = "ingress"\n  protocol    = {protocol}\n' \
           f'  from_port   = {ports[0]}\n  to_port     = {ports[1]}\n  cidr_blocks = ["0.0.0.0/0"]\n}}\n'
    assert bool(findings(R, text)) is expected


def test_expressions_and_dynamic_blocks_are_not_reported() -> None:
    text = """\
resource "aws_security_group" "a" {
  ingress {
    from_port   = 22
    to_port     = 22
    protocol    = "tcp"
    cidr_blocks = var.admin_cidrs
  }

  ingress {
    from_port   = var.port
    to_port     = var.port
    protocol    = "tcp"
    cidr_blocks = ["0.0.0.0/0"]
  }

  dynamic "ingress" {
    for_each = [22]
    content {
      from_port   = ingress.value
      to_port     = ingress.value
      protocol    = "tcp"
      cidr_blocks = ["0.0.0.0/0"]
    }
  }
}

resource "aws_security_group_rule" "egress" {
  type        = "egress"
  from_port   = 0
  to_port     = 0
  protocol    = "-1"
  cidr_blocks = ["0.0.0.0/0"]
}
"""
    assert findings(R, text) == []


def test_multi_file_module() -> None:
    files = {"sg.tf": GROUPS, "vars.tf": 'variable "x" {}\n'}
    assert {p for p, *_ in _records(files)} == {"sg.tf"}


def test_suppression_comments() -> None:
    text = GROUPS.replace('resource "aws_security_group_rule" "all" {',
                          'resource "aws_security_group_rule" "all" {\n  #checkov:skip=CKV_AWS_277:load test')
    text = text.replace('  cidr_ipv4         = "0.0.0.0/0"', '  cidr_ipv4         = "0.0.0.0/0" # tffix:ignore[TFX210]')
    lines = [line for _, line, _ in findings(R, text)]
    assert lines == [15, 16, 48]
