"""TFX711 db-copy-tags-to-snapshot."""

from __future__ import annotations

import pytest
from tffix.transforms.rds.db_copy_tags_to_snapshot import DbCopyTagsToSnapshot as R

from .rulekit import check_fix, findings, fix, unchanged

MISSING = """\
resource "aws_db_instance" "db" {
  count          = 2
  engine         = "postgres"
  instance_class = "db.t3.micro"

  lifecycle {
    prevent_destroy = true
  }
}
"""

FALSE = """\
resource "aws_rds_cluster" "main" {
  for_each              = toset(["a", "b"])
  engine                = "aurora-postgresql"
  copy_tags_to_snapshot = false
}
"""


def test_missing_is_added(snapshot) -> None:
    assert check_fix(R, MISSING) == snapshot


def test_false_becomes_true(snapshot) -> None:
    assert check_fix(R, FALSE) == snapshot


def test_exact_output() -> None:
    out, _ = fix(R, 'resource "aws_rds_cluster" "c" {\n  engine = "aurora-mysql"\n}\n')
    assert out["main.tf"] == ('resource "aws_rds_cluster" "c" {\n  engine                = "aurora-mysql"\n'
                              '  copy_tags_to_snapshot = true\n}\n')


def test_missing_is_safe_false_is_held_back() -> None:
    out, result = fix(R, {"a.tf": MISSING, "b.tf": FALSE}, unsafe=False)
    assert "copy_tags_to_snapshot = true" in out["a.tf"] and out["b.tf"] == FALSE
    (held,) = result.remaining
    assert held.held_back and held.safety == "unsafe" and held.impact == "in-place update"


@pytest.mark.parametrize("text", [
    'resource "aws_db_instance" "db" {\n  copy_tags_to_snapshot = true\n}\n',
    'resource "aws_db_instance" "member" {\n  engine = "aurora-postgresql"\n}\n',
    'resource "aws_rds_cluster_instance" "i" {\n  engine = "aurora-postgresql"\n}\n',
])
def test_already_fixed_members_and_other_resources_are_unchanged(text: str) -> None:
    assert unchanged(R, text) and findings(R, text) == []


def test_expression_is_reported_without_fix() -> None:
    text = 'resource "aws_db_instance" "db" {\n  copy_tags_to_snapshot = var.copy_tags\n}\n'
    assert unchanged(R, text) and findings(R, text) == [("TFX711", 2, False)]


def test_suppression_comment() -> None:
    text = "# tffix:ignore[TFX711]\n" + MISSING
    assert unchanged(R, text) and findings(R, text) == []
