"""TFX713 db-deletion-protection."""

from __future__ import annotations

import pytest
from tffix.transforms.rds.db_deletion_protection import DbDeletionProtection as R

from .rulekit import check_fix, findings, fix, unchanged

VARS_PROD = 'variable "environment" {\n  type    = string\n  default = "prod"\n}\n'
VARS_DEV = 'variable "environment_suffix" {\n  default = "dev"\n}\n'

CLUSTER = """\
resource "aws_rds_cluster" "main" {
  count               = 1
  engine              = "aurora-postgresql"
  skip_final_snapshot = false
}
"""

INSTANCE_FALSE = """\
resource "aws_db_instance" "orders" {
  for_each            = toset(["a"])
  engine              = "postgres"
  deletion_protection = false
}
"""


def test_production_missing_is_added(snapshot) -> None:
    assert check_fix(R, {"main.tf": CLUSTER, "variables.tf": VARS_PROD}) == snapshot


def test_production_false_becomes_true(snapshot) -> None:
    assert check_fix(R, {"main.tf": INSTANCE_FALSE, "variables.tf": VARS_PROD}) == snapshot


def test_exact_output_from_own_identifier() -> None:
    text = 'resource "aws_db_instance" "db" {\n  identifier = "orders-prod"\n}\n'
    out, result = fix(R, text)
    assert out["main.tf"] == ('resource "aws_db_instance" "db" {\n  identifier          = "orders-prod"\n'
                              '  deletion_protection = true\n}\n')
    assert result.fixed


def test_tfvars_decide_the_environment() -> None:
    files = {"main.tf": CLUSTER, "variables.tf": 'variable "environment" {}\n',
             "prod.tfvars": 'environment = "production"\n'}
    out, result = fix(R, files)
    assert "deletion_protection = true" in out["main.tf"] and out["prod.tfvars"] == files["prod.tfvars"]
    assert not result.remaining


def test_fix_is_unsafe_and_held_back() -> None:
    files = {"main.tf": CLUSTER, "variables.tf": VARS_PROD}
    out, result = fix(R, files, unsafe=False)
    assert out == files
    (held,) = result.remaining
    assert held.held_back and held.impact == "in-place update" and "var.environment defaults to 'prod'" in held.message


def test_non_production_without_protection_is_fine() -> None:
    files = {"main.tf": INSTANCE_FALSE, "variables.tf": VARS_DEV}
    assert unchanged(R, files) and findings(R, files) == []


def test_non_production_with_protection_is_reported_without_fix() -> None:
    files = {"main.tf": INSTANCE_FALSE.replace("= false", "= true"), "variables.tf": VARS_DEV}
    assert unchanged(R, files) and findings(R, files) == [("TFX713", 4, False)]


def test_unknown_environment_is_reported_without_fix() -> None:
    assert unchanged(R, CLUSTER) and findings(R, CLUSTER) == [("TFX713", 1, False)]


@pytest.mark.parametrize("value, expected", [
    ('var.environment == "prod"', []),
    ("var.protect", [("TFX713", 4, False)]),
])
def test_expressions_in_production(value: str, expected: list) -> None:
    files = {"main.tf": INSTANCE_FALSE.replace("false", value), "variables.tf": VARS_PROD}
    assert unchanged(R, files) and findings(R, files) == expected


@pytest.mark.parametrize("text", [
    'resource "aws_rds_cluster" "c" {\n  deletion_protection = true\n}\n',
    'resource "aws_db_instance" "member" {\n  engine = "aurora-mysql"\n}\n',
    'resource "aws_rds_cluster_instance" "i" {\n  engine = "aurora-mysql"\n}\n',
])
def test_already_fixed_and_others_are_unchanged(text: str) -> None:
    files = {"main.tf": text, "variables.tf": VARS_PROD}
    assert unchanged(R, files) and findings(R, files) == []


def test_suppression_comment() -> None:
    files = {"main.tf": "# tffix:ignore[TFX713]\n" + CLUSTER, "variables.tf": VARS_PROD}
    assert unchanged(R, files) and findings(R, files) == []
