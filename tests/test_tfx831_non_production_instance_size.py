"""TFX831 non-production-instance-size."""

from __future__ import annotations

import pytest
from tffix.engine.engine import Options, fix_texts
from tffix.transforms.cost.non_production_instance_size import (
    NonProductionInstanceSize as R,
)
from tffix.transforms.cost.non_production_instance_size import type_rank

from .rulekit import findings, fix

TEXT = """\
variable "environment" {
  default = "dev"
}

variable "cache_node_type" {
  default = "cache.r6g.xlarge"
}

resource "aws_db_instance" "app" {
  identifier     = "app-${var.environment}"
  engine         = "postgres"
  instance_class = "db.r6g.2xlarge"
}

resource "aws_instance" "web" {
  ami           = "ami-12345678"
  instance_type = "t3.micro"
}

resource "aws_eks_node_group" "workers" {
  cluster_name   = "dev"
  instance_types = ["m5.large", "m5.4xlarge"]
}

resource "aws_elasticache_cluster" "cache" {
  cluster_id = "app"
  engine     = "redis"
  node_type  = var.cache_node_type
}
"""


def _records(files, **kw):
    out, result = fix(R, files, **kw)
    assert out == (files if isinstance(files, dict) else {"main.tf": files})
    return [(r.path, r.line, r.column, r.fixable, r.message) for r in result.remaining]


def test_reports_oversized_dev_resources(snapshot) -> None:
    assert _records(TEXT) == snapshot


@pytest.mark.parametrize("value, rank", [
    ("t3.nano", -4), ("t3.large", 0), ("m5.xlarge", 1), ("db.r6g.2xlarge", 2), ("cache.m6g.12xlarge", 12),
    ("m5.metal", 10**6), ("m7i.metal-24xl", 10**6), ("db.serverless", None), ("xlarge", None), ("m5.", None),
])
def test_sizes(value: str, rank: int | None) -> None:
    assert type_rank(value) == rank


def test_production_and_unknown_environments_are_quiet() -> None:
    assert findings(R, TEXT.replace('default = "dev"', 'default = "prod"')) == []
    unknown = TEXT.split("\n\n", 1)[1].replace('"app-${var.environment}"', '"app"').replace('"dev"', '"main"')
    assert findings(R, unknown) == []


def test_expressions_are_not_reported() -> None:
    text = 'variable "env" {\n  default = "test"\n}\n\nresource "aws_instance" "a" {\n' \
           '  instance_type = var.env == "prod" ? "m5.2xlarge" : "t3.small"\n}\n'
    assert findings(R, text) == []
    no_default = 'variable "env" {\n  default = "test"\n}\n\nvariable "size" {}\n\nresource "aws_instance" "a" {\n' \
                 '  instance_type = var.size\n}\n'
    assert findings(R, no_default) == []


def test_small_sizes_and_threshold_option() -> None:
    text = 'resource "aws_instance" "dev" {\n  instance_type = "m5.large"\n}\n'
    assert findings(R, text) == []
    assert findings(R, text, rule_options={"TFX831": {"min-size": "large"}}) == [("TFX831", 2, False)]
    big = text.replace("m5.large", "m5.2xlarge")
    assert findings(R, big) == [("TFX831", 2, False)]
    assert findings(R, big, rule_options={"TFX831": {"min-size": "4xlarge"}}) == []
    _, result = fix_texts({"main.tf": big}, [R], Options(rule_options={"TFX831": {"min-size": "huge"}}), ".")
    assert not result.remaining and "min-size = 'huge' is not an instance size" in result.errors[0]


def test_tfvars_values_win_over_defaults() -> None:
    files = {
        "main.tf": 'variable "environment" {}\n\nvariable "instance_type" {\n  default = "m5.xlarge"\n}\n\n'
                   'resource "aws_launch_template" "lt" {\n  instance_type = var.instance_type\n}\n',
        "dev.tfvars": 'environment   = "dev"\ninstance_type = "c5.9xlarge"\n',
    }
    records = _records(files)
    assert [(p, line) for p, line, *_ in records] == [("dev.tfvars", 2)]
    assert "c5.9xlarge (var.instance_type as dev.tfvars sets it)" in records[0][4]
    files["dev.tfvars"] = 'environment   = "dev"\ninstance_type = "t3.small"\n'
    assert _records(files) == []


def test_directory_environment() -> None:
    text = 'resource "aws_rds_cluster_instance" "a" {\n  instance_class = "db.r5.xlarge"\n}\n'
    _, result = fix(R, text, directory="repo/envs/qa")
    assert [r.line for r in result.remaining] == [2]


def test_suppression_comment() -> None:
    text = TEXT.replace('"db.r6g.2xlarge"', '"db.r6g.2xlarge" # tffix:ignore[TFX831]')
    assert [line for _, line, _ in findings(R, text)] == [6, 22]
