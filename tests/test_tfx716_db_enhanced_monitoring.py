"""TFX716 db-enhanced-monitoring."""

from __future__ import annotations

import tffix
from tffix.engine.rules import rule_examples
from tffix.transforms.lib.settings import number
from tffix.transforms.rds.db_enhanced_monitoring import DbEnhancedMonitoring as R

from .rulekit import check_fix, findings, fix

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


def test_reports_missing_zero_invalid_and_roleless(snapshot) -> None:
    _, result = fix(R, MODULE, unsafe=False)
    records = [(r.line, r.column, r.message, r.fixable) for r in result.remaining]
    assert [(line, col, fixable) for line, col, _, fixable in records] == [
        (1, 1, True), (9, 25, True), (16, 25, False), (23, 25, True)]
    assert all(r.held_back and r.safety == "unsafe" for r in result.remaining if r.fixable)
    assert records == snapshot


def test_fix_adds_interval_and_one_shared_role(snapshot) -> None:
    assert check_fix(R, MODULE) == snapshot
    out, result = fix(R, MODULE)
    assert len(result.fixed) == 3
    assert [(r.line, r.fixable) for r in result.remaining] == [(19, False)]  # 20 s: RDS rejects it, no guess
    sec = tffix.parse(out["security.tf"], "security.tf")
    (role,) = sec.find_blocks("resource", "aws_iam_role")
    (attachment,) = sec.find_blocks("resource", "aws_iam_role_policy_attachment")
    trust = role.get_attribute("assume_role_policy").value.code
    assert 'Service = "monitoring.rds.amazonaws.com"' in trust and '"aws:SourceAccount"' in trust
    assert "AmazonRDSEnhancedMonitoringRole" in attachment.get_attribute("policy_arn").value.code
    main = out["main.tf"]
    assert main.count("monitoring_role_arn = aws_iam_role.rds_enhanced_monitoring.arn") == 3
    assert 'monitoring_interval = "30"' in main  # a valid interval is kept


def test_the_example_becomes_use_instead() -> None:
    example, instead = rule_examples(R)
    out, _ = fix(R, example)
    assert out == instead


def test_a_role_the_module_has_is_reused() -> None:
    text = """resource "aws_iam_role" "monitoring" {
  name = "rds-monitoring"
  assume_role_policy = jsonencode({
    Version = "2012-10-17"
    Statement = [{
      Effect    = "Allow"
      Action    = "sts:AssumeRole"
      Principal = { Service = "monitoring.rds.amazonaws.com" }
    }]
  })
}

resource "aws_db_instance" "db" {
  engine = "postgres"
}
"""
    out, result = fix(R, text)
    assert set(out) == {"main.tf"} and "monitoring_role_arn = aws_iam_role.monitoring.arn" in out["main.tf"]
    assert "the module's aws_iam_role.monitoring" in result.fixed[0].fix


def test_interval_option() -> None:
    text = 'resource "aws_db_instance" "db" {\n  engine = "postgres"\n}\n'
    out, _ = fix(R, text, rule_options={"TFX716": {"interval": 15}})
    assert "monitoring_interval = 15" in out["main.tf"]
    assert findings(R, text, rule_options={"TFX716": {"interval": 20}}) == [("TFX716", 1, False)]


def test_provider_alias_gets_its_own_role() -> None:
    text = 'resource "aws_db_instance" "db" {\n  provider = aws.replica\n  engine   = "postgres"\n}\n'
    out, _ = fix(R, text)
    assert "aws_iam_role.rds_enhanced_monitoring_replica.arn" in out["main.tf"]
    sec = tffix.parse(out["security.tf"], "security.tf")
    assert all(b.get_attribute("provider").value.code.strip() == "aws.replica" for b in sec.body.items)


def test_null_counts_as_missing_and_replicas_are_checked() -> None:
    text = ('resource "aws_db_instance" "replica" {\n  replicate_source_db = aws_db_instance.main.identifier\n'
            '  monitoring_interval = null\n}\n')
    assert findings(R, text, unsafe=False) == [("TFX716", 1, True)]
    out, _ = fix(R, text)
    assert "monitoring_interval = 60" in out["main.tf"] and "null" not in out["main.tf"]


def test_enabled_and_other_resources_are_fine() -> None:
    ok = ('resource "aws_db_instance" "db" {\n  for_each            = toset(["a", "b"])\n'
          '  monitoring_interval = 15\n  monitoring_role_arn = var.monitoring_role_arn\n}\n\n'
          'resource "aws_rds_cluster" "c" {\n  engine = "aurora-postgresql"\n}\n')
    assert findings(R, ok) == []


def test_multi_file_module() -> None:
    files = {"a.tf": 'resource "aws_db_instance" "a" {\n  engine = "postgres"\n}\n',
             "b.tf": 'resource "aws_rds_cluster_instance" "b" {\n  monitoring_interval = 0\n}\n'}
    _, result = fix(R, files, unsafe=False)
    assert [(r.path, r.line) for r in result.remaining] == [("a.tf", 1), ("b.tf", 2)]


def test_suppression_comment() -> None:
    text = '# tffix:ignore[TFX716]\nresource "aws_db_instance" "a" {\n  engine = "postgres"\n}\n'
    assert findings(R, text) == []


def test_number_reader() -> None:
    tree = tffix.parse('x = {\n  a = 60\n  b = "5"\n  c = "abc"\n  d = true\n  e = null\n}\n', "t.tf")
    obj = tree.body.items[0].value
    assert [number(obj.get(k).value) for k in "abcde"] == [
        (True, 60), (True, 5), (False, None), (False, None), (True, None)]


def test_rds_custom_is_reported_without_fix() -> None:
    text = 'resource "aws_db_instance" "db" {\n  engine = "custom-oracle-ee"\n}\n'
    assert findings(R, text) == [("TFX716", 1, False)]
