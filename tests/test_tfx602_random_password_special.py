"""TFX602 random-password-special."""

from __future__ import annotations

import pytest
from tffix.transforms.secrets.random_password_special import RandomPasswordSpecial as R

from .rulekit import check_fix, findings, fix, unchanged

PASSWORD = """\
resource "random_password" "master" {
  length  = 32
  special = true # May generate problematic characters
  upper   = true
}
"""

CLUSTER = """\
resource "aws_rds_cluster" "main" {
  engine          = "aurora-postgresql"
  master_username = "admin"
  master_password = random_password.master.result
}
"""


def test_override_special_is_added(snapshot) -> None:
    assert check_fix(R, {"random.tf": PASSWORD, "db.tf": CLUSTER}) == snapshot


def test_exact_output_without_special() -> None:
    files = {"main.tf": 'resource "random_password" "db" {\n  count  = 2\n  length = 16\n}\n\n'
                        'resource "aws_db_instance" "db" {\n  count    = 2\n'
                        '  password = random_password.db[count.index].result\n}\n'}
    out, _ = fix(R, files)
    assert out["main.tf"].startswith('resource "random_password" "db" {\n  count            = 2\n'
                                     '  length           = 16\n'
                                     '  override_special = "!#$%&*()-_=+[]{}<>:?"\n}\n')


def test_fix_is_unsafe_and_held_back() -> None:
    files = {"random.tf": PASSWORD, "db.tf": CLUSTER}
    out, result = fix(R, files, unsafe=False)
    assert out == files
    (held,) = result.remaining
    assert held.held_back and held.impact == "forces replacement" and "aws_rds_cluster.main" in held.message


@pytest.mark.parametrize("attr", ["special = false", 'special = "false"', 'override_special = "!#$%"'])
def test_already_fixed_is_unchanged(attr: str) -> None:
    files = {"random.tf": f'resource "random_password" "master" {{\n  length = 32\n  {attr}\n}}\n', "db.tf": CLUSTER}
    assert unchanged(R, files) and findings(R, files) == []


def test_bad_override_is_reported_without_fix() -> None:
    files = {"random.tf": 'resource "random_password" "master" {\n  override_special = "@!#"\n}\n', "db.tf": CLUSTER}
    assert unchanged(R, files)
    _, result = fix(R, files)
    (finding,) = result.remaining
    assert not finding.fixable and "'@'" in finding.message and finding.line == 2


def test_special_expression_is_reported_without_fix() -> None:
    files = {"random.tf": 'resource "random_password" "master" {\n  special = var.special\n}\n', "db.tf": CLUSTER}
    assert unchanged(R, files) and findings(R, files) == [("TFX602", 2, False)]


def test_password_not_used_by_a_database_is_ignored() -> None:
    files = {"random.tf": PASSWORD,
             "app.tf": 'resource "aws_ssm_parameter" "p" {\n  value = random_password.master.result\n}\n'}
    assert unchanged(R, files) and findings(R, files) == []


def test_template_reference_counts() -> None:
    files = {"random.tf": PASSWORD,
             "db.tf": 'resource "aws_db_instance" "db" {\n  password = "${random_password.master.result}"\n}\n'}
    out, _ = fix(R, files)
    assert 'override_special = "!#$%&*()-_=+[]{}<>:?"' in out["random.tf"] and out["db.tf"] == files["db.tf"]


def test_suppression_comment_on_the_random_password() -> None:
    files = {"random.tf": "# tffix:ignore[TFX602]\n" + PASSWORD, "db.tf": CLUSTER}
    assert unchanged(R, files) and findings(R, files) == []
