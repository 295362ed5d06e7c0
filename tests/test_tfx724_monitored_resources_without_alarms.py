"""TFX724 monitored-resources-without-alarms."""

from __future__ import annotations

import pytest
from tffix.transforms.monitoring.monitored_resources_without_alarms import (
    MonitoredResourcesWithoutAlarms as R,
)

from .rulekit import findings, fix

PROVIDER = 'provider "aws" {\n  region = "eu-west-1"\n}\n'
RESOURCES = """\
resource "aws_s3_bucket" "assets" {
  bucket = "assets"
}

resource "aws_db_instance" "db" {
  engine         = "postgres"
  instance_class = "db.m7g.large"
}

resource "aws_lb" "web" {
  name = "web"
}
"""
ALARM = 'resource "aws_cloudwatch_metric_alarm" "cpu" {\n  alarm_name = "cpu"\n}\n'


def _records(files):
    out, result = fix(R, files)
    assert out == (files if isinstance(files, dict) else {"main.tf": files})
    return [(r.path, r.line, r.column, r.fixable, r.message) for r in result.remaining]


def test_root_module_without_alarms(snapshot) -> None:
    records = _records({"providers.tf": PROVIDER, "main.tf": RESOURCES})
    assert [(p, line) for p, line, *_ in records] == [("main.tf", 5)]
    assert records == snapshot


def test_backend_makes_a_root_module() -> None:
    backend = 'terraform {\n  backend "s3" {}\n}\n'
    assert findings(R, {"main.tf": RESOURCES, "backend.tf": backend}) == [("TFX724", 5, False)]
    cloud = 'terraform {\n  cloud {\n    organization = "acme"\n  }\n}\n'
    assert findings(R, {"main.tf": RESOURCES, "backend.tf": cloud}) == [("TFX724", 5, False)]


@pytest.mark.parametrize("files", [
    {"main.tf": RESOURCES},  # a reusable module: its caller owns the alarms
    {"providers.tf": PROVIDER, "main.tf": RESOURCES, "alarms.tf": ALARM},
    {"providers.tf": PROVIDER, "main.tf": RESOURCES,
     "alarms.tf": 'resource "aws_cloudwatch_composite_alarm" "all" {\n  alarm_name = "all"\n}\n'},
    {"providers.tf": PROVIDER, "main.tf": RESOURCES,
     "alarms.tf": 'module "alarms" {\n  source = "terraform-aws-modules/cloudwatch/aws//modules/metric-alarm"\n}\n'},
    {"providers.tf": PROVIDER, "main.tf": 'resource "aws_s3_bucket" "b" {\n  bucket = "b"\n}\n'},
])
def test_reusable_modules_alarms_and_unwatched_resources_are_fine(files) -> None:
    assert findings(R, files) == []


def test_many_resources_are_shortened() -> None:
    many = "".join(f'resource "aws_lambda_function" "f{i}" {{\n  function_name = "f{i}"\n}}\n' for i in range(7))
    (record,) = _records({"providers.tf": PROVIDER, "main.tf": many})
    assert "aws_lambda_function.f0, aws_lambda_function.f1, aws_lambda_function.f2, aws_lambda_function.f3, " \
           "aws_lambda_function.f4, ... but no CloudWatch alarm" in record[4]
    assert record[4].endswith("(for aws_lambda_function: Errors, Throttles, Duration)")


def test_suppression_comment() -> None:
    text = RESOURCES.replace('resource "aws_db_instance"', '# tffix:ignore[TFX724]\nresource "aws_db_instance"')
    assert findings(R, {"providers.tf": PROVIDER, "main.tf": text}) == []
