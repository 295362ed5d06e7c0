"""TFX201 db-publicly-accessible."""

from __future__ import annotations

import pytest
from tffix.transforms.rds.db_publicly_accessible import DbPubliclyAccessible as R

from .rulekit import check_fix, findings, fix, unchanged

PUBLIC = """\
resource "aws_db_instance" "db" {
  engine              = "postgres"
  instance_class      = "db.t3.micro"
  publicly_accessible = true
}
"""

MISSING = """\
resource "aws_rds_cluster_instance" "one" {
  count              = 2
  cluster_identifier = aws_rds_cluster.main.id
  instance_class     = "db.r6g.large"
}
"""


def test_true_becomes_false(snapshot) -> None:
    assert check_fix(R, PUBLIC) == snapshot


def test_missing_is_written_out(snapshot) -> None:
    assert check_fix(R, MISSING) == snapshot


def test_missing_fix_is_safe_but_true_is_held_back_without_unsafe_fixes() -> None:
    out, result = fix(R, {"a.tf": PUBLIC, "b.tf": MISSING}, unsafe=False)
    assert "publicly_accessible = false" in out["b.tf"]
    assert out["a.tf"] == PUBLIC
    (held,) = result.remaining
    assert held.held_back and held.safety == "unsafe" and held.impact == "in-place update"


def test_dms_true_forces_replacement() -> None:
    text = 'resource "aws_dms_replication_instance" "r" {\n  publicly_accessible = true\n}\n'
    _, result = fix(R, text, unsafe=False)
    assert result.remaining[0].impact == "forces replacement"


def test_redshift_missing_is_unsafe() -> None:
    text = 'resource "aws_redshift_cluster" "r" {\n  node_type = "dc2.large"\n}\n'
    _, result = fix(R, text, unsafe=False)
    assert result.remaining[0].held_back


@pytest.mark.parametrize("value", ["false", "var.public", "local.env == \"dev\""])
def test_already_false_or_expression_is_not_rewritten(value: str) -> None:
    text = f'resource "aws_db_instance" "db" {{\n  publicly_accessible = {value}\n}}\n'
    assert unchanged(R, text)


def test_expression_is_reported_without_fix() -> None:
    text = 'resource "aws_db_instance" "db" {\n  publicly_accessible = var.public\n}\n'
    assert findings(R, text) == [("TFX201", 2, False)]


def test_other_resources_are_ignored() -> None:
    assert unchanged(R, 'resource "aws_instance" "x" {\n  ami = "ami-1"\n}\n')


def test_suppression_comment() -> None:
    text = '# tffix:ignore[TFX201]\nresource "aws_db_instance" "db" {\n  publicly_accessible = true\n}\n'
    assert unchanged(R, text) and findings(R, text) == []


def test_multi_file_module() -> None:
    out, _ = fix(R, {"db.tf": PUBLIC, "vars.tf": 'variable "x" {}\n'})
    assert out["vars.tf"] == 'variable "x" {}\n' and "= false" in out["db.tf"]
