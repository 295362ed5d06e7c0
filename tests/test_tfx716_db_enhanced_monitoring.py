"""TFX716 db-enhanced-monitoring."""

from __future__ import annotations

from tffix.transforms.lib.settings import number
from tffix.transforms.rds.db_enhanced_monitoring import DbEnhancedMonitoring as R

from .rulekit import findings, fix

MODULE = """\
resource "aws_db_instance" "missing" {
  engine         = "postgres"
  instance_class = "db.m7g.large"
}

resource "aws_db_instance" "zero" {
  engine              = "mysql"
  instance_class      = "db.m7g.large"
  monitoring_interval = 0
}

resource "aws_rds_cluster_instance" "invalid" {
  count               = 2
  cluster_identifier  = aws_rds_cluster.main.id
  instance_class      = "db.r7g.large"
  monitoring_interval = 20
  monitoring_role_arn = aws_iam_role.rds_monitoring.arn
}

resource "aws_db_instance" "no_role" {
  engine              = "postgres"
  instance_class      = "db.m7g.large"
  monitoring_interval = "30"
}

resource "aws_db_instance" "ok" {
  engine              = "postgres"
  instance_class      = "db.m7g.large"
  monitoring_interval = 60
  monitoring_role_arn = aws_iam_role.rds_monitoring.arn
}

resource "aws_db_instance" "expression" {
  engine              = "postgres"
  instance_class      = "db.m7g.large"
  monitoring_interval = var.monitoring_interval
}
"""


def _records(files):
    out, result = fix(R, files)
    assert out == (files if isinstance(files, dict) else {"main.tf": files})
    assert all(not r.fixable for r in result.remaining)
    return [(r.path, r.line, r.column, r.message) for r in result.remaining]


def test_reports_missing_zero_invalid_and_roleless(snapshot) -> None:
    records = _records(MODULE)
    assert [(line, col) for _, line, col, _ in records] == [(1, 1), (9, 25), (16, 25), (23, 25)]
    assert records == snapshot


def test_null_counts_as_missing_and_replicas_are_checked() -> None:
    text = ('resource "aws_db_instance" "replica" {\n  replicate_source_db = aws_db_instance.main.identifier\n'
            '  monitoring_interval = null\n}\n')
    assert findings(R, text) == [("TFX716", 1, False)]


def test_enabled_and_other_resources_are_fine() -> None:
    ok = ('resource "aws_db_instance" "db" {\n  for_each            = toset(["a", "b"])\n'
          '  monitoring_interval = 15\n  monitoring_role_arn = var.monitoring_role_arn\n}\n\n'
          'resource "aws_rds_cluster" "c" {\n  engine = "aurora-postgresql"\n}\n')
    assert findings(R, ok) == []


def test_multi_file_module() -> None:
    files = {"a.tf": 'resource "aws_db_instance" "a" {\n  engine = "postgres"\n}\n',
             "b.tf": 'resource "aws_rds_cluster_instance" "b" {\n  monitoring_interval = 0\n}\n'}
    assert [(p, line) for p, line, _, _ in _records(files)] == [("a.tf", 1), ("b.tf", 2)]


def test_suppression_comment() -> None:
    text = '# tffix:ignore[TFX716]\nresource "aws_db_instance" "a" {\n  engine = "postgres"\n}\n'
    assert findings(R, text) == []


def test_number_reader() -> None:
    import tffix

    tree = tffix.parse('x = {\n  a = 60\n  b = "5"\n  c = "abc"\n  d = true\n  e = null\n}\n', "t.tf")
    obj = tree.body.items[0].value
    assert [number(obj.get(k).value) for k in "abcde"] == [
        (True, 60), (True, 5), (False, None), (False, None), (True, None)]
