"""TFX822 rds-multi-az-production (and the shared environment detection)."""

from __future__ import annotations

import pytest
from tffix.engine.engine import parse_module_texts
from tffix.transforms.lib.environment import environment_of
from tffix.transforms.rds.rds_multi_az_production import RdsMultiAzProduction as R

from .rulekit import findings, fix

TEXT = """\
resource "aws_db_instance" "orders" {
  identifier     = "orders-prod"
  engine         = "postgres"
  instance_class = "db.m6g.large"
  multi_az       = false
}

resource "aws_db_instance" "main" {
  count          = 1
  engine         = "mysql"
  instance_class = "db.t3.micro"

  tags = {
    Environment = "production"
  }
}

resource "aws_db_instance" "scratch" {
  identifier = "scratch-dev"
  multi_az   = false
}
"""


def _records(files):
    out, result = fix(R, files)
    assert out == (files if isinstance(files, dict) else {"main.tf": files})
    return [(r.path, r.line, r.column, r.fixable, r.message) for r in result.remaining]


def test_reports_single_az_production_databases(snapshot) -> None:
    assert _records(TEXT) == snapshot


def test_multi_az_expressions_and_aurora_are_fine() -> None:
    text = """\
resource "aws_db_instance" "prod_a" {
  multi_az = true
}

resource "aws_db_instance" "prod_b" {
  multi_az = var.environment == "prod"
}

resource "aws_db_instance" "prod_c" {
  engine = "aurora-postgresql"
}
"""
    assert findings(R, text) == []


def test_module_environment_from_tfvars_and_defaults() -> None:
    db = 'resource "aws_db_instance" "db" {\n  identifier = "${var.environment}-db"\n}\n'
    files = {"main.tf": db, "vars.tf": 'variable "environment" {\n  type = string\n}\n',
             "dev.tfvars": 'environment = "dev"\n', "prod.tfvars": 'environment = "prod"\n'}
    records = _records(files)
    assert [(p, line) for p, line, *_ in records] == [("main.tf", 1)]
    assert 'prod.tfvars sets environment = \'prod\'' in records[0][4]
    dev_only = {"main.tf": db, "vars.tf": 'variable "env" {\n  default = "staging"\n}\n'}
    assert findings(R, dev_only) == []


@pytest.mark.parametrize("identifier, expected", [
    ("orders-prod", True), ("db_production", True), ("product-db", None), ("prod-test", False), ("live", True),
])
def test_environment_words(identifier: str, expected: bool | None) -> None:
    text = f'resource "aws_db_instance" "x" {{\n  identifier = "{identifier}"\n}}\n'
    module = parse_module_texts(".", {"main.tf": text})
    (ref,) = module.resources("aws_db_instance")
    assert environment_of(module, ref).production is expected


@pytest.mark.parametrize("directory, expected", [
    ("repo/live/prod/data-stores/mysql", True),
    ("repo/environments/dev", False),
    ("repo/envs/Staging/db", False),
    ("repo/live/eu-west-1/db", None),
    ("home/dev/repo/db", None),  # a checkout under ~/dev is not a dev environment
    ("repo/prod/db", None),
])
def test_environment_from_directory_layout(directory: str, expected: bool | None) -> None:
    text = 'resource "aws_db_instance" "x" {\n  engine = "mysql"\n}\n'
    module = parse_module_texts(directory, {"main.tf": text})
    (ref,) = module.resources("aws_db_instance")
    assert environment_of(module, ref).production is expected


def test_directory_is_weaker_than_names_and_variables() -> None:
    text = 'resource "aws_db_instance" "x" {\n  identifier = "orders-dev"\n}\n'
    module = parse_module_texts("live/prod/db", {"main.tf": text})
    (ref,) = module.resources("aws_db_instance")
    assert environment_of(module, ref).production is False
    text = 'variable "environment" {\n  default = "staging"\n}\nresource "aws_db_instance" "x" {}\n'
    module = parse_module_texts("live/prod/db", {"main.tf": text})
    (ref,) = module.resources("aws_db_instance")
    assert environment_of(module, ref).production is False


def test_suppression_comment() -> None:
    text = TEXT.replace("  multi_az       = false", "  multi_az       = false # tffix:ignore[TFX822]")
    assert findings(R, text) == [("TFX822", 8, False)]
