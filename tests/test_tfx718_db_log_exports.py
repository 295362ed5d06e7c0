"""TFX718 db-log-exports."""

from __future__ import annotations

import pytest
from tffix.transforms.rds.db_log_exports import DbLogExports as R

from .rulekit import check_fix, findings, fix, unchanged

MODULE = """\
resource "aws_db_instance" "db" {
  count          = 2
  engine         = "postgres"
  instance_class = "db.m7g.large"

  lifecycle {
    prevent_destroy = true
  }
}

resource "aws_rds_cluster" "main" {
  engine = "aurora-mysql"
}
"""


def test_exports_are_added(snapshot) -> None:
    assert check_fix(R, MODULE) == snapshot


def test_exact_output_and_held_back_without_unsafe() -> None:
    text = 'resource "aws_db_instance" "db" {\n  engine = "mariadb"\n}\n'
    out, _ = fix(R, text)
    assert out["main.tf"] == ('resource "aws_db_instance" "db" {\n  engine                          = "mariadb"\n'
                              '  enabled_cloudwatch_logs_exports = ["error", "slowquery"]\n}\n')
    out, result = fix(R, text, unsafe=False)
    assert out["main.tf"] == text
    (held,) = result.remaining
    assert held.held_back and held.safety == "unsafe" and held.impact == "in-place update"


@pytest.mark.parametrize("text", [
    'resource "aws_db_instance" "db" {\n  engine = "postgres"\n  enabled_cloudwatch_logs_exports = ["postgresql"]\n}\n',
    'resource "aws_db_instance" "member" {\n  engine = "aurora-postgresql"\n}\n',
    'resource "aws_db_instance" "replica" {\n  replicate_source_db = aws_db_instance.db.identifier\n}\n',
    'resource "aws_rds_cluster" "v1" {\n  engine = "aurora-mysql"\n  engine_mode = "serverless"\n}\n',
    'resource "aws_db_instance" "db2" {\n  engine = "db2-se"\n}\n',
    'resource "aws_rds_cluster_instance" "i" {\n  engine = "aurora-mysql"\n}\n',
])
def test_already_fixed_members_and_other_resources_are_unchanged(text: str) -> None:
    assert unchanged(R, text) and findings(R, text) == []


@pytest.mark.parametrize("text, line", [
    ('resource "aws_db_instance" "db" {\n  engine = var.engine\n}\n', 2),
    ('resource "aws_db_instance" "db" {\n  engine = "sqlserver-se"\n}\n', 2),
    ('resource "aws_db_instance" "db" {\n  engine = "postgres"\n  enabled_cloudwatch_logs_exports = var.logs\n}\n', 3),
    ('resource "aws_db_instance" "db" {\n  engine = "postgres"\n  enabled_cloudwatch_logs_exports = []\n}\n', 3),
    ('resource "aws_rds_cluster" "multi_az" {\n  engine = "postgres"\n}\n', 2),
])
def test_reported_without_fix(text: str, line: int) -> None:
    assert unchanged(R, text) and findings(R, text) == [("TFX718", line, False)]


def test_null_counts_as_missing() -> None:
    text = 'resource "aws_rds_cluster" "c" {\n  engine                          = "aurora-postgresql"\n' \
           '  enabled_cloudwatch_logs_exports = null\n}\n'
    out, _ = fix(R, text)
    assert out["main.tf"].count('enabled_cloudwatch_logs_exports = ["postgresql"]') == 1
    assert "null" not in out["main.tf"]


def test_suppression_comment() -> None:
    text = "# tffix:ignore[TFX718]\n" + MODULE
    out, result = fix(R, text)
    assert out["main.tf"].count("enabled_cloudwatch_logs_exports") == 1 and result.remaining == []
