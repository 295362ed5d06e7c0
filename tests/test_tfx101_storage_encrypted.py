"""TFX101 storage-encrypted."""

from __future__ import annotations

import pytest
from tffix.transforms.rds.storage_encrypted import StorageEncrypted as R

from .rulekit import check_fix, findings, fix, unchanged

MISSING = """\
resource "aws_db_instance" "db" {
  engine         = "postgres"
  instance_class = "db.t3.micro"
}
"""

FALSE = """\
resource "aws_rds_cluster" "aurora" {
  count             = 2
  engine            = "aurora-postgresql"
  storage_encrypted = false # TODO
}
"""

DOCDB_NEPTUNE = """\
resource "aws_docdb_cluster" "docs" {
  for_each           = toset(["a", "b"])
  cluster_identifier = "docs-${each.key}"
  master_username    = "admin"
}

resource "aws_neptune_cluster" "graph" {
  cluster_identifier = "graph"
  storage_encrypted  = null
}
"""


def test_missing_is_written_out(snapshot) -> None:
    assert check_fix(R, MISSING) == snapshot


def test_false_becomes_true_keeping_the_comment(snapshot) -> None:
    diff = check_fix(R, FALSE)
    assert "+  storage_encrypted = true # TODO\n" in diff
    assert diff == snapshot


def test_docdb_and_neptune_with_for_each_and_null(snapshot) -> None:
    out, result = fix(R, DOCDB_NEPTUNE)
    assert out["main.tf"].count("storage_encrypted  = true") == 2
    assert len(result.fixed) == 2
    assert check_fix(R, DOCDB_NEPTUNE) == snapshot


def test_fix_is_unsafe_and_forces_replacement() -> None:
    out, result = fix(R, MISSING, unsafe=False)
    assert out["main.tf"] == MISSING
    (held,) = result.remaining
    assert held.held_back and held.safety == "unsafe" and held.impact == "forces replacement"
    assert "forces replacement" in held.fix


def test_extend_safe_fixes_applies_it_for_code_never_deployed() -> None:
    out, result = fix(R, MISSING, unsafe=False, extend_safe_fixes=["TFX101"])
    assert "storage_encrypted = true" in out["main.tf"]
    assert [r.safety for r in result.fixed] == ["safe"]


@pytest.mark.parametrize("value", ["true", '"true"'])
def test_already_encrypted_is_left_alone(value: str) -> None:
    text = f'resource "aws_db_instance" "db" {{\n  storage_encrypted = {value}\n}}\n'
    assert unchanged(R, text) and findings(R, text) == []


@pytest.mark.parametrize("value", ["var.encrypted", 'local.env == "prod"'])
def test_expression_is_reported_without_fix(value: str) -> None:
    text = f'resource "aws_db_instance" "db" {{\n  storage_encrypted = {value}\n}}\n'
    assert unchanged(R, text)
    assert findings(R, text) == [("TFX101", 2, False)]


@pytest.mark.parametrize("attr", ['replicate_source_db = aws_db_instance.main.identifier',
                                  'replication_source_identifier = aws_rds_cluster.main.arn'])
def test_read_replicas_are_skipped(attr: str) -> None:
    kind = "aws_db_instance" if attr.startswith("replicate") else "aws_rds_cluster"
    text = f'resource "{kind}" "replica" {{\n  {attr}\n}}\n'
    assert unchanged(R, text) and findings(R, text) == []


@pytest.mark.parametrize("value", ["null", '""'])
def test_replica_with_null_or_empty_source_is_not_a_replica(value: str) -> None:
    text = f'resource "aws_db_instance" "db" {{\n  replicate_source_db = {value}\n}}\n'
    assert findings(R, text, unsafe=False) == [("TFX101", 1, True)]


@pytest.mark.parametrize("value", ["var.replicate_source_db", "local.source", 'var.replica ? "db-1" : null'])
def test_replica_source_from_an_expression_is_reported_without_fix(value: str) -> None:
    text = f'resource "aws_db_instance" "db" {{\n  replicate_source_db = {value}\n}}\n'
    assert unchanged(R, text)
    _, result = fix(R, text)
    (left,) = result.remaining
    assert not left.fixable and "unless it is a read replica (replicate_source_db is an expression" in left.message


def test_replica_of_a_literal_or_interpolated_reference_is_skipped() -> None:
    for value in ('"arn:aws:rds:eu-west-1:1:db:main"', '"${aws_db_instance.main.arn}"'):
        text = f'resource "aws_db_instance" "r" {{\n  replicate_source_db = {value}\n}}\n'
        assert findings(R, text) == []


@pytest.mark.parametrize("restore", ['  snapshot_identifier = "snap-1"\n',
                                     "  restore_to_point_in_time {\n    use_latest_restorable_time = true\n  }\n",
                                     '  dynamic "restore_to_point_in_time" {\n    for_each = var.restore\n'
                                     "    content {\n      use_latest_restorable_time = true\n    }\n  }\n"])
def test_restores_are_reported_without_fix(restore: str) -> None:
    text = f'resource "aws_rds_cluster" "restored" {{\n  engine = "aurora-mysql"\n{restore}}}\n'
    assert unchanged(R, text)
    assert findings(R, text) == [("TFX101", 1, False)]


def test_aurora_serverless_v1_is_always_encrypted() -> None:
    text = 'resource "aws_rds_cluster" "s" {\n  engine_mode = "serverless"\n}\n'
    assert unchanged(R, text) and findings(R, text) == []
    explicit = 'resource "aws_rds_cluster" "s" {\n  engine_mode       = "serverless"\n  storage_encrypted = false\n}\n'
    assert findings(R, explicit, unsafe=False) == [("TFX101", 3, True)]


GLOBAL = """\
resource "aws_rds_global_cluster" "g" {
  global_cluster_identifier = "g"
  storage_encrypted         = {encrypted}
}

resource "aws_rds_cluster" "member" {
  engine                    = "aurora-postgresql"
  global_cluster_identifier = aws_rds_global_cluster.g.id
}
"""


def test_global_member_of_encrypted_global_cluster_is_fixed(snapshot) -> None:
    assert check_fix(R, GLOBAL.replace("{encrypted}", "true")) == snapshot


@pytest.mark.parametrize("encrypted", ["false", "var.x"])
def test_global_member_of_unencrypted_or_unknown_global_cluster_is_reported(encrypted: str) -> None:
    text = GLOBAL.replace("{encrypted}", encrypted)
    assert unchanged(R, text)
    assert findings(R, text) == [("TFX101", 6, False)]


def test_global_member_of_external_global_cluster_is_reported() -> None:
    text = 'resource "aws_rds_cluster" "m" {\n  global_cluster_identifier = "shared-global"\n}\n'
    assert findings(R, text) == [("TFX101", 1, False)]


def test_other_resources_are_ignored() -> None:
    text = 'resource "aws_rds_cluster_instance" "i" {\n  cluster_identifier = "c"\n}\n'
    assert unchanged(R, text) and findings(R, text) == []


def test_suppression_comment() -> None:
    text = "# tffix:ignore[TFX101]\n" + MISSING
    assert unchanged(R, text) and findings(R, text) == []
    checkov = "# checkov:skip=CKV_AWS_16: snapshot restore handled elsewhere\n" + MISSING
    assert findings(R, checkov) == []


def test_multi_file_module() -> None:
    files = {"db.tf": FALSE, "vars.tf": 'variable "x" {}\n', "prod.tfvars": 'x = "y"\n'}
    out, _ = fix(R, files)
    assert out["vars.tf"] == files["vars.tf"] and out["prod.tfvars"] == files["prod.tfvars"]
    assert "storage_encrypted = true" in out["db.tf"]


def test_previous_generation_classes_without_encryption_are_reported_without_fix() -> None:
    # issue 13: encryption is not available on the first-generation classes
    text = 'resource "aws_db_instance" "old" {\n  engine         = "mysql"\n  instance_class = "db.m1.small"\n}\n'
    assert unchanged(R, text)
    assert findings(R, text) == [("TFX101", 1, False)]
