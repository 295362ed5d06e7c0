"""TFX710 db-backup-retention."""

from __future__ import annotations

import pytest
from tffix.transforms.rds.db_backup_retention import DbBackupRetention as R

from .rulekit import check_fix, findings, fix, unchanged

ZERO = """\
resource "aws_db_instance" "db" {
  count                   = 2
  engine                  = "postgres"
  backup_retention_period = 0 # no backups in dev
  skip_final_snapshot     = true
}
"""

MISSING = """\
resource "aws_rds_cluster" "main" {
  for_each = toset(["a", "b"])
  engine   = "aurora-postgresql"
}
"""


def test_zero_is_raised(snapshot) -> None:
    assert check_fix(R, ZERO) == snapshot


def test_missing_is_written_out(snapshot) -> None:
    assert check_fix(R, MISSING) == snapshot


def test_exact_output_with_option() -> None:
    out, _ = fix(R, MISSING, rule_options={"TFX710": {"minimum": 14}})
    assert out["main.tf"] == """\
resource "aws_rds_cluster" "main" {
  for_each                = toset(["a", "b"])
  engine                  = "aurora-postgresql"
  backup_retention_period = 14
}
"""


def test_missing_is_safe_zero_is_held_back() -> None:
    out, result = fix(R, {"a.tf": ZERO, "b.tf": MISSING}, unsafe=False)
    assert out["a.tf"] == ZERO and "backup_retention_period = 7" in out["b.tf"]
    (held,) = result.remaining
    assert held.held_back and held.safety == "unsafe" and held.impact == "in-place update"
    assert "turned off" in held.message


def test_below_minimum_is_raised_unsafely() -> None:
    text = 'resource "aws_db_instance" "db" {\n  backup_retention_period = 3\n}\n'
    out, result = fix(R, text, unsafe=False)
    assert out["main.tf"] == text and result.remaining[0].held_back
    out, _ = fix(R, text)
    assert out["main.tf"] == text.replace("= 3", "= 7")


@pytest.mark.parametrize("text", [
    'resource "aws_db_instance" "db" {\n  backup_retention_period = 7\n}\n',
    'resource "aws_rds_cluster" "c" {\n  backup_retention_period = 35\n}\n',
    'resource "aws_db_instance" "r" {\n  replicate_source_db = aws_db_instance.db.identifier\n}\n',
    'resource "aws_db_instance" "member" {\n  engine = "aurora-mysql"\n}\n',
    'resource "aws_rds_cluster_instance" "i" {\n  engine = "aurora-mysql"\n}\n',
])
def test_already_fixed_replicas_and_others_are_unchanged(text: str) -> None:
    assert unchanged(R, text) and findings(R, text) == []


def test_expression_is_reported_without_fix() -> None:
    text = 'resource "aws_db_instance" "db" {\n  backup_retention_period = var.retention\n}\n'
    assert unchanged(R, text) and findings(R, text) == [("TFX710", 2, False)]


def test_invalid_option_reports_without_fix() -> None:
    _, result = fix(R, MISSING, rule_options={"TFX710": {"minimum": 90}})
    (finding,) = result.remaining
    assert not finding.fixable and "not 1-35" in finding.message


def test_suppression_comment() -> None:
    text = "# tffix:ignore[TFX710]\n" + ZERO
    assert unchanged(R, text) and findings(R, text) == []
