"""TFX601 db-password-literal."""

from __future__ import annotations

import pytest
from tffix.transforms.secrets.db_password_literal import DbPasswordLiteral as R

from .rulekit import check_fix, findings, fix, unchanged

INSTANCE = """\
resource "aws_db_instance" "db" {
  engine         = "postgres"
  instance_class = "db.t3.micro"
  username       = "app"
  password       = "SuperSecret123!" # change me
  skip_final_snapshot = true
}
"""

CLUSTER = """\
resource "aws_rds_cluster" "main" {
  count           = 2
  engine          = "aurora-postgresql"
  master_username = "admin"
  master_password = "hunter2hunter2"

  serverlessv2_scaling_configuration {
    min_capacity = 0.5
    max_capacity = 2
  }
}
"""


def test_instance_literal_becomes_managed(snapshot) -> None:
    assert check_fix(R, INSTANCE) == snapshot


def test_cluster_literal_becomes_managed(snapshot) -> None:
    assert check_fix(R, CLUSTER) == snapshot


def test_exact_output_for_instance() -> None:
    out, _ = fix(R, INSTANCE)
    assert out["main.tf"] == """\
resource "aws_db_instance" "db" {
  engine                      = "postgres"
  instance_class              = "db.t3.micro"
  username                    = "app"
  manage_master_user_password = true
  skip_final_snapshot         = true
}
"""


def test_fix_is_unsafe_and_held_back() -> None:
    out, result = fix(R, INSTANCE, unsafe=False)
    assert out["main.tf"] == INSTANCE
    (held,) = result.remaining
    assert held.held_back and held.safety == "unsafe" and held.impact == "in-place update"


@pytest.mark.parametrize("value", ["var.db_password", "random_password.db.result", "null",
                                   '"${var.prefix}-secret"', "data.aws_secretsmanager_secret_version.s.secret_string"])
def test_expressions_are_not_reported(value: str) -> None:
    text = f'resource "aws_db_instance" "db" {{\n  password = {value}\n}}\n'
    assert unchanged(R, text) and findings(R, text) == []


def test_already_managed_is_unchanged() -> None:
    text = 'resource "aws_rds_cluster" "c" {\n  manage_master_user_password = true\n}\n'
    assert unchanged(R, text) and findings(R, text) == []


@pytest.mark.parametrize("extra", [
    'replicate_source_db = aws_db_instance.primary.identifier',
    'snapshot_identifier = "snap-1"',
    'manage_master_user_password = false',
    'restore_to_point_in_time {\n    use_latest_restorable_time = true\n  }',
])
def test_replicas_restores_and_managed_are_reported_without_fix(extra: str) -> None:
    text = f'resource "aws_db_instance" "db" {{\n  password = "pw123456"\n  {extra}\n}}\n'
    assert unchanged(R, text)
    assert findings(R, text) == [("TFX601", 2, False)]


def test_serverless_v1_is_reported_without_fix() -> None:
    text = 'resource "aws_rds_cluster" "c" {\n  engine_mode     = "serverless"\n  master_password = "pw123456"\n}\n'
    assert unchanged(R, text) and findings(R, text) == [("TFX601", 3, False)]


def test_password_read_elsewhere_is_reported_without_fix() -> None:
    files = {
        "db.tf": 'resource "aws_db_instance" "db" {\n  count    = 1\n  password = "pw123456"\n}\n',
        "secret.tf": 'resource "aws_secretsmanager_secret_version" "v" {\n'
                     '  secret_string = aws_db_instance.db[0].password\n}\n',
    }
    assert unchanged(R, files)
    _, result = fix(R, files)
    (finding,) = result.remaining
    assert "aws_secretsmanager_secret_version.v" in finding.message and not finding.fixable


def test_other_references_do_not_block_the_fix() -> None:
    files = {"db.tf": INSTANCE, "out.tf": 'output "ep" {\n  value = aws_db_instance.db.endpoint\n}\n'}
    out, _ = fix(R, files)
    assert "manage_master_user_password = true" in out["db.tf"] and out["out.tf"] == files["out.tf"]


def test_other_resources_are_ignored() -> None:
    assert unchanged(R, 'resource "aws_db_instance_x" "x" {\n  password = "abc"\n}\n')
    assert unchanged(R, 'resource "aws_rds_cluster" "x" {\n  password = "abc"\n}\n')


def test_suppression_comment() -> None:
    text = '# tffix:ignore[TFX601]\nresource "aws_db_instance" "db" {\n  password = "pw123456"\n}\n'
    assert unchanged(R, text) and findings(R, text) == []


def test_password_first_argument() -> None:
    out, _ = fix(R, 'resource "aws_db_instance" "db" {\n  password = "pw123456"\n  engine   = "mysql"\n}\n')
    assert out["main.tf"] == ('resource "aws_db_instance" "db" {\n  engine                      = "mysql"\n'
                              '  manage_master_user_password = true\n}\n')


SECRET = """\
resource "aws_secretsmanager_secret_version" "creds" {
  secret_id     = aws_secretsmanager_secret.creds.id
  secret_string = <<EOF
{"username": "app", "password": "SuperSecret123!"}
EOF
}
"""


def test_password_also_written_in_another_string_is_reported_without_fix() -> None:
    out, result = fix(R, {"main.tf": INSTANCE, "secret.tf": SECRET})
    assert out == {"main.tf": INSTANCE, "secret.tf": SECRET}
    [f] = result.remaining
    assert not f.fixable and "also in secret.tf:4" in f.message


def test_password_in_a_script_beside_the_module_is_reported_without_fix(tmp_path) -> None:
    (tmp_path / "scripts").mkdir()
    (tmp_path / "scripts" / "init.sh").write_text("#!/bin/sh\nmysql -u app -pSuperSecret123! < dump.sql\n")
    (tmp_path / "main.tf").write_text(INSTANCE)
    out, result = fix(R, INSTANCE, directory=str(tmp_path))
    assert out == {"main.tf": INSTANCE}
    [f] = result.remaining
    assert not f.fixable and f"{tmp_path / 'scripts' / 'init.sh'}:2" in f.message


def test_the_password_only_in_its_own_argument_is_fixed(tmp_path) -> None:
    (tmp_path / "README.md").write_text("Run terraform apply.\n")
    (tmp_path / "main.tf").write_text(INSTANCE)
    out, result = fix(R, INSTANCE, directory=str(tmp_path))
    assert "manage_master_user_password = true" in out["main.tf"] and result.fixed
