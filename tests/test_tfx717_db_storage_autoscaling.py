"""TFX717 db-storage-autoscaling."""

from __future__ import annotations

from tffix.transforms.rds.db_storage_autoscaling import DbStorageAutoscaling as R

from .rulekit import findings, fix

MODULE = """\
resource "aws_db_instance" "missing" {
  count             = 2
  engine            = "postgres"
  instance_class    = "db.t4g.medium"
  allocated_storage = 100
}

resource "aws_db_instance" "zero" {
  engine                = "mysql"
  allocated_storage     = "20"
  max_allocated_storage = 0
}

resource "aws_db_instance" "equal" {
  engine                = "mysql"
  allocated_storage     = 50
  max_allocated_storage = 50
}

resource "aws_db_instance" "too_close" {
  engine                = "mysql"
  allocated_storage     = 100
  max_allocated_storage = 105
}

resource "aws_db_instance" "ok" {
  engine                = "mysql"
  allocated_storage     = 100
  max_allocated_storage = 200
}
"""


def _records(files):
    out, result = fix(R, files)
    assert out == (files if isinstance(files, dict) else {"main.tf": files})
    assert all(not r.fixable for r in result.remaining)
    return [(r.path, r.line, r.column, r.message) for r in result.remaining]


def test_reports_fixed_storage(snapshot) -> None:
    records = _records(MODULE)
    assert [(line, col) for _, line, col, _ in records] == [(5, 23), (11, 27), (17, 27), (23, 27)]
    assert records == snapshot


def test_left_alone() -> None:
    text = """\
resource "aws_db_instance" "replica" {
  replicate_source_db = aws_db_instance.main.identifier
  allocated_storage   = 100
}

resource "aws_db_instance" "aurora" {
  engine            = "aurora-mysql"
  allocated_storage = 100
}

resource "aws_db_instance" "vars" {
  engine                = "postgres"
  allocated_storage     = var.allocated_storage
}

resource "aws_db_instance" "var_limit" {
  engine                = "postgres"
  allocated_storage     = 100
  max_allocated_storage = var.max_allocated_storage
}

resource "aws_db_instance" "snapshot" {
  snapshot_identifier = "rds:prod-2024-01-01"
}

resource "aws_rds_cluster" "c" {
  allocated_storage = 100
}
"""
    assert findings(R, text) == []


def test_null_limit_and_engine_expression_are_reported() -> None:
    text = ('resource "aws_db_instance" "db" {\n  engine                = var.engine\n'
            '  allocated_storage     = 20\n  max_allocated_storage = null\n}\n')
    assert findings(R, text) == [("TFX717", 3, False)]


def test_multi_file_module() -> None:
    files = {"a.tf": 'resource "aws_db_instance" "a" {\n  allocated_storage = 10\n}\n',
             "b.tf": 'resource "aws_db_instance" "b" {\n  allocated_storage     = 10\n'
                     '  max_allocated_storage = 100\n}\n'}
    assert [(p, line) for p, line, _, _ in _records(files)] == [("a.tf", 2)]


def test_suppression_comment() -> None:
    text = '# tffix:ignore[TFX717]\nresource "aws_db_instance" "a" {\n  allocated_storage = 10\n}\n'
    assert findings(R, text) == []
