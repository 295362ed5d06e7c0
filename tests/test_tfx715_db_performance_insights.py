"""TFX715 db-performance-insights."""

from __future__ import annotations

import pytest
import tffix
from tffix.transforms.rds.db_performance_insights import DbPerformanceInsights as R
from tffix.transforms.rds.db_performance_insights import class_supported

from .rulekit import check_fix, findings, fix, unchanged

MODULE = """\
resource "aws_kms_key" "db" {
  enable_key_rotation = true
}

resource "aws_db_instance" "db" {
  count          = 2
  engine         = "mysql"
  instance_class = "db.m7g.large"
  kms_key_id     = aws_kms_key.db.arn

  lifecycle {
    prevent_destroy = true
  }
}

resource "aws_rds_cluster" "main" {
  engine     = "aurora-postgresql"
  kms_key_id = aws_kms_key.db.key_id
}

resource "aws_rds_cluster_instance" "member" {
  for_each                     = toset(["a", "b"])
  cluster_identifier           = aws_rds_cluster.main.id
  engine                       = aws_rds_cluster.main.engine
  instance_class               = "db.serverless"
  performance_insights_enabled = false
}
"""


def test_missing_and_false_are_fixed(snapshot) -> None:
    assert check_fix(R, MODULE) == snapshot


def test_missing_is_safe_false_is_held_back() -> None:
    out, result = fix(R, MODULE, unsafe=False)
    assert out["main.tf"].count("performance_insights_enabled    = true") == 1
    (held,) = result.remaining
    assert held.held_back and held.safety == "unsafe" and held.impact == "in-place update"
    assert held.message == ("aws_rds_cluster_instance.member sets performance_insights_enabled = false: nothing "
                            "records what the database was busy with when it slows down")


KEY = 'resource "aws_kms_key" "k" {}\n'


def test_exact_output() -> None:
    out, _ = fix(R, KEY + 'resource "aws_db_instance" "db" {\n  engine     = "postgres"\n'
                 '  kms_key_id = aws_kms_key.k.arn\n}\n')
    assert out["main.tf"] == KEY + ('resource "aws_db_instance" "db" {\n  engine                          = "postgres"\n'
                                    '  kms_key_id                      = aws_kms_key.k.arn\n'
                                    '  performance_insights_enabled    = true\n'
                                    '  performance_insights_kms_key_id = aws_kms_key.k.arn\n}\n')


@pytest.mark.parametrize("key", ['"arn:aws:kms:eu-west-1:111122223333:key/1234abcd"', "var.kms_key_arn",
                                 "aws_kms_alias.a.target_key_arn"])
def test_a_storage_key_it_cannot_resolve_is_reported(key: str) -> None:
    # that key is the one to use; enabling it without a key would be CKV_AWS_354's failure (issue 13 family 6)
    text = f'resource "aws_db_instance" "db" {{\n  engine     = "postgres"\n  kms_key_id = {key}\n}}\n'
    assert unchanged(R, text)
    _, result = fix(R, text)
    (record,) = result.remaining
    assert not record.fixable and "performance_insights_kms_key_id (a customer managed key" in record.message


def test_without_a_key_one_is_created_for_the_module(snapshot) -> None:
    text = ('resource "aws_db_instance" "a" {\n  engine = "postgres"\n}\n\n'
            'resource "aws_db_instance" "b" {\n  engine = "postgres"\n}\n')
    assert check_fix(R, text) == snapshot
    out, result = fix(R, text, unsafe=False)
    assert out == {"main.tf": text} and all(r.held_back for r in result.remaining)  # a new key: unsafe
    out, _ = fix(R, text)
    sec = tffix.parse(out["security.tf"], "security.tf")
    (key,) = sec.find_blocks("resource", "aws_kms_key")
    assert key.label_values == ["aws_kms_key", "rds"] and "enable_key_rotation     = true" in key.code
    assert out["main.tf"].count("performance_insights_kms_key_id = aws_kms_key.rds.arn") == 2


def test_the_module_key_with_default_policy_is_reused() -> None:
    text = ('resource "aws_kms_key" "s3" {\n  enable_key_rotation = true\n}\n\n'
            'resource "aws_kms_key" "database" {\n  enable_key_rotation = true\n}\n\n'
            'resource "aws_kms_key" "scoped" {\n  policy = data.aws_iam_policy_document.p.json\n}\n\n'
            'resource "aws_db_instance" "a" {\n  engine = "postgres"\n}\n')
    out, result = fix(R, text)
    assert set(out) == {"main.tf"} and "performance_insights_kms_key_id = aws_kms_key.database.arn" in out["main.tf"]
    assert result.fixed[0].safety == "unsafe"


def test_a_key_already_named_is_kept() -> None:
    text = ('resource "aws_db_instance" "db" {\n  engine                          = "postgres"\n'
            '  performance_insights_kms_key_id = var.pi_key\n}\n')
    out, _ = fix(R, text)
    assert out["main.tf"].count("performance_insights_kms_key_id") == 1
    assert "performance_insights_enabled = true" in out["main.tf"].replace("    ", " ")


@pytest.mark.parametrize("engine, instance_class, supported", [
    ("mysql", "db.t3.micro", False),
    ("mysql", "db.t3.medium", True),
    ("mariadb", "db.t4g.small", False),
    ("postgres", "db.t3.micro", True),
    ("aurora-mysql", "db.t3.medium", False),
    ("aurora-mysql", "db.t4g.medium", True),
    ("aurora-mysql", "db.t4g.micro", False),
    ("aurora-postgresql", "db.t3.medium", True),
    ("aurora-mysql", "db.serverless", True),
])
def test_support_table(engine, instance_class, supported) -> None:
    assert class_supported(engine, instance_class) is supported


@pytest.mark.parametrize("text", [
    'resource "aws_db_instance" "db" {\n  engine = "mysql"\n  instance_class = "db.t3.micro"\n}\n',
    'resource "aws_db_instance" "db" {\n  engine = "db2-se"\n  instance_class = "db.m6i.large"\n}\n',
    'resource "aws_db_instance" "replica" {\n  replicate_source_db = aws_db_instance.db.identifier\n}\n',
    'resource "aws_db_instance" "db" {\n  engine = "postgres"\n  performance_insights_enabled = true\n}\n',
    'resource "aws_rds_cluster" "c" {\n  engine = "aurora-mysql"\n}\n',
    'resource "aws_rds_cluster" "c" {\n  engine = "aurora-mysql"\n}\n'
    'resource "aws_rds_cluster_instance" "i" {\n  engine = aws_rds_cluster.c.engine\n'
    '  instance_class = "db.t3.medium"\n}\n',
])
def test_unsupported_already_fixed_and_other_resources_are_unchanged(text: str) -> None:
    assert unchanged(R, text) and findings(R, text) == []


@pytest.mark.parametrize("text, line", [
    ('resource "aws_db_instance" "db" {\n  engine = var.engine\n}\n', 2),
    ('resource "aws_db_instance" "db" {\n  engine = "mysql"\n  instance_class = var.class\n}\n', 3),
    ('resource "aws_db_instance" "db" {\n  engine = "sqlserver-se"\n  instance_class = "db.m6i.xlarge"\n}\n', 1),
    ('resource "aws_db_instance" "db" {\n  engine = "postgres"\n  performance_insights_enabled = var.pi\n}\n', 3),
    ('resource "aws_rds_cluster_instance" "i" {\n  engine = aws_rds_cluster.elsewhere.engine\n}\n', 2),
])
def test_expressions_and_untabulated_engines_are_reported_without_fix(text: str, line: int) -> None:
    assert unchanged(R, text) and findings(R, text) == [("TFX715", line, False)]


def test_postgres_class_expression_is_fixed() -> None:
    text = KEY + ('resource "aws_db_instance" "db" {\n  engine         = "postgres"\n  instance_class = var.class\n'
                  '  kms_key_id     = aws_kms_key.k.arn\n}\n')
    out, _ = fix(R, text)
    assert "performance_insights_enabled    = true" in out["main.tf"]


def test_multi_file_cluster_engine() -> None:
    files = {"cluster.tf": KEY + 'resource "aws_rds_cluster" "c" {\n  engine     = "aurora-mysql"\n'
                           '  kms_key_id = aws_kms_key.k.arn\n}\n',
             "members.tf": ('resource "aws_rds_cluster_instance" "i" {\n'
                            '  cluster_identifier = aws_rds_cluster.c.id\n'
                            '  engine             = aws_rds_cluster.c.engine\n'
                            '  instance_class     = "db.r7g.large"\n}\n')}
    out, result = fix(R, files)
    assert out["cluster.tf"] == files["cluster.tf"]
    assert out["members.tf"].endswith('  instance_class                  = "db.r7g.large"\n'
                                      '  performance_insights_enabled    = true\n'
                                      '  performance_insights_kms_key_id = aws_kms_key.k.arn\n}\n')
    assert result.remaining == []


def test_suppression_comment() -> None:
    text = '# tffix:ignore[TFX715]\nresource "aws_db_instance" "db" {\n  engine = "postgres"\n}\n'
    assert unchanged(R, text) and findings(R, text) == []


def test_the_created_key_is_found_again_in_a_later_round() -> None:
    # a database fixed in a later round (another rule held its block) reuses the key made earlier
    first = 'resource "aws_db_instance" "a" {\n  engine = "postgres"\n}\n'
    out, _ = fix(R, first)
    later = out["main.tf"] + '\nresource "aws_db_instance" "b" {\n  engine = "postgres"\n}\n'
    again, _ = fix(R, {"main.tf": later, "security.tf": out["security.tf"]})
    assert again["security.tf"] == out["security.tf"]
    assert again["main.tf"].count("performance_insights_kms_key_id = aws_kms_key.rds.arn") == 2
