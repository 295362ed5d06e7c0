"""TFX214 security-group-open-database-ports."""

from __future__ import annotations

import pytest
from tffix.transforms.network.security_group_open_admin_ports import (
    SecurityGroupOpenAdminPorts,
)
from tffix.transforms.network.security_group_open_database_ports import (
    SecurityGroupOpenDatabasePorts as R,
)
from tffix.transforms.network.security_group_open_database_ports import (
    database_exposure,
)

from .rulekit import findings, fix

TEXT = """\
resource "aws_security_group" "db" {
  ingress {
    from_port   = 5432
    to_port     = 5432
    protocol    = "tcp"
    cidr_blocks = ["10.0.0.0/16", "0.0.0.0/0"]
  }

  ingress {
    from_port       = 5432
    to_port         = 5432
    protocol        = "tcp"
    security_groups = [aws_security_group.app.id]
  }
}

resource "aws_security_group_rule" "redis" {
  type              = "ingress"
  from_port         = 6379
  to_port           = 6379
  protocol          = "tcp"
  ipv6_cidr_blocks  = ["::/0"]
  security_group_id = aws_security_group.db.id
}

resource "aws_vpc_security_group_ingress_rule" "mysql" {
  security_group_id = aws_security_group.db.id
  cidr_ipv4         = "0.0.0.0/0"
  from_port         = 3300
  to_port           = 3310
  ip_protocol       = "tcp"
}
"""


def _records(files):
    out, result = fix(R, files)
    assert out == (files if isinstance(files, dict) else {"main.tf": files})
    return [(r.path, r.line, r.column, r.fixable, r.message) for r in result.remaining]


def test_reports_open_database_ports(snapshot) -> None:
    records = _records(TEXT)
    assert [(line, col) for _, line, col, *_ in records] == [(6, 35), (22, 24), (28, 23)]
    assert records == snapshot


@pytest.mark.parametrize("protocol, low, high, expected", [
    ("tcp", 5432, 5432, "PostgreSQL (5432)"),
    ("6", 3306, 3306, "MySQL/MariaDB (3306)"),
    ("tcp", 3300, 3310, "MySQL/MariaDB (3306) (ports 3300-3310)"),
    ("tcp", 1000, 10000, "10 database ports (ports 1000-10000)"),
    ("tcp", 0, 65535, None),   # TFX210 reports every port
    ("-1", 0, 0, None),        # TFX210 too
    ("udp", 5432, 5432, None),
    ("tcp", 443, 443, None),
    ("tcp", None, 5432, None),
])
def test_exposure(protocol, low, high, expected) -> None:
    assert database_exposure(protocol, low, high) == expected


@pytest.mark.parametrize("text", [
    'resource "aws_security_group" "a" {\n  ingress {\n    from_port = 5432\n    to_port = 5432\n'
    '    protocol = "tcp"\n    cidr_blocks = [var.cidr]\n  }\n}\n',
    'resource "aws_security_group" "a" {\n  ingress {\n    from_port = 443\n    to_port = 443\n'
    '    protocol = "tcp"\n    cidr_blocks = ["0.0.0.0/0"]\n  }\n}\n',
    'resource "aws_security_group_rule" "egress" {\n  type = "egress"\n  from_port = 5432\n  to_port = 5432\n'
    '  protocol = "tcp"\n  cidr_blocks = ["0.0.0.0/0"]\n}\n',
])
def test_private_sources_other_ports_and_egress_are_fine(text: str) -> None:
    assert findings(R, text) == []


def test_all_ports_is_left_to_tfx210() -> None:
    text = ('resource "aws_security_group" "a" {\n  ingress {\n    from_port   = 0\n    to_port     = 65535\n'
            '    protocol    = "tcp"\n    cidr_blocks = ["0.0.0.0/0"]\n  }\n}\n')
    assert findings(R, text) == []
    assert findings(SecurityGroupOpenAdminPorts, text) == [("TFX210", 6, False)]


def test_suppression_comment() -> None:
    text = TEXT.replace('  cidr_ipv4         = "0.0.0.0/0"', '  cidr_ipv4         = "0.0.0.0/0" # tffix:ignore[TFX214]')
    assert findings(R, text) == [("TFX214", 6, False), ("TFX214", 22, False)]
