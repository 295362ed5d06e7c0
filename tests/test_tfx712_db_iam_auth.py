"""TFX712 db-iam-auth."""

from __future__ import annotations

import pytest
from tffix.transforms.rds.db_iam_auth import DbIamAuth as R

from .rulekit import check_fix, findings, fix, unchanged

INSTANCE = """\
resource "aws_db_instance" "db" {
  count          = 2
  engine         = "postgres"
  instance_class = "db.t3.micro"

  tags = {
    Name = "db"
  }
}
"""

CLUSTER = """\
resource "aws_rds_cluster" "main" {
  for_each                            = toset(["a"])
  engine                              = "aurora-mysql"
  iam_database_authentication_enabled = false
}
"""


def test_missing_is_added(snapshot) -> None:
    assert check_fix(R, INSTANCE) == snapshot


def test_false_becomes_true(snapshot) -> None:
    assert check_fix(R, CLUSTER) == snapshot


def test_exact_output() -> None:
    out, _ = fix(R, 'resource "aws_db_instance" "db" {\n  engine         = "mariadb"\n  engine_version = "10.11"\n}\n')
    assert out["main.tf"] == ('resource "aws_db_instance" "db" {\n  engine                              = "mariadb"\n'
                              '  engine_version                      = "10.11"\n'
                              '  iam_database_authentication_enabled = true\n}\n')


def test_fix_is_unsafe_and_held_back() -> None:
    out, result = fix(R, INSTANCE, unsafe=False)
    assert out["main.tf"] == INSTANCE
    (held,) = result.remaining
    assert held.held_back and held.safety == "unsafe" and held.impact == "in-place update"


@pytest.mark.parametrize("text", [
    'resource "aws_db_instance" "db" {\n  engine                              = "mysql"\n'
    '  iam_database_authentication_enabled = true\n}\n',
    'resource "aws_db_instance" "db" {\n  engine = "sqlserver-ex"\n}\n',
    'resource "aws_db_instance" "db" {\n  engine = "oracle-ee"\n}\n',
    'resource "aws_db_instance" "db" {\n  instance_class = "db.t3.micro"\n}\n',
    'resource "aws_db_instance" "member" {\n  engine = "aurora-postgresql"\n}\n',
    'resource "aws_db_instance" "r" {\n  engine              = "postgres"\n'
    '  replicate_source_db = aws_db_instance.db.identifier\n}\n',
    'resource "aws_rds_cluster" "v1" {\n  engine      = "aurora-mysql"\n  engine_mode = "serverless"\n}\n',
    'resource "aws_rds_cluster" "multi_az" {\n  engine = "postgres"\n}\n',
])
def test_already_fixed_and_unsupported_are_unchanged(text: str) -> None:
    assert unchanged(R, text) and findings(R, text) == []


@pytest.mark.parametrize("mode", ['"provisioned"', "null"])
def test_provisioned_engine_mode_is_fixed(mode: str) -> None:
    text = f'resource "aws_rds_cluster" "c" {{\n  engine      = "aurora-postgresql"\n  engine_mode = {mode}\n}}\n'
    out, _ = fix(R, text)
    assert "iam_database_authentication_enabled = true" in out["main.tf"]


@pytest.mark.parametrize("text, line", [
    ('resource "aws_db_instance" "db" {\n  engine                              = "mysql"\n'
     '  iam_database_authentication_enabled = var.iam_auth\n}\n', 3),
    ('resource "aws_db_instance" "db" {\n  engine = var.engine\n}\n', 2),
])
def test_expressions_are_reported_without_fix(text: str, line: int) -> None:
    assert unchanged(R, text) and findings(R, text) == [("TFX712", line, False)]


def test_suppression_comment() -> None:
    text = "# tffix:ignore[TFX712]\n" + INSTANCE
    assert unchanged(R, text) and findings(R, text) == []


def _db(engine: str, version: str | None) -> str:
    line = f"  engine_version = {version}\n" if version else ""
    return f'resource "aws_db_instance" "db" {{\n  engine = "{engine}"\n{line}}}\n'


@pytest.mark.parametrize(("engine", "version"), [
    ("mariadb", '"10.5"'),      # issue 13: AWS rejects IAM authentication on MariaDB 10.5
    ("mariadb", '"10.6.19"'),
    ("mariadb", None),          # the default of a database created years ago may be older
    ("mysql", '"8.0.15"'),
    ("mysql", '"5.6.51"'),
    ("postgres", '"10.4"'),
    ("postgres", "var.engine_version"),
])
def test_versions_without_iam_auth_are_reported_without_a_fix(engine: str, version: str | None) -> None:
    text = _db(engine, version)
    assert unchanged(R, text)
    _, result = fix(R, text)
    (record,) = result.remaining
    assert not record.fixable and f"IAM database authentication on {engine} needs" in record.message


@pytest.mark.parametrize(("engine", "version"), [
    ("mariadb", '"10.11"'), ("mariadb", '"11.4.3"'), ("mysql", '"8.0"'), ("mysql", '"5.7"'), ("mysql", None),
    ("mysql", '"8.4.3"'), ("postgres", '"16"'), ("postgres", '"9.6"'), ("postgres", None),
])
def test_versions_with_iam_auth_are_fixed(engine: str, version: str | None) -> None:
    out, result = fix(R, _db(engine, version))
    assert "iam_database_authentication_enabled = true" in out["main.tf"]
