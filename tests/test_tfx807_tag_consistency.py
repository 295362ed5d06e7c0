"""TFX807 tag-consistency."""

from __future__ import annotations

from tffix.transforms.terraform.tag_consistency import TagConsistency as R
from tffix.transforms.terraform.tag_consistency import normalize

from .rulekit import findings, fix

TEXT = """\
terraform {
  backend "s3" {}
}

provider "aws" {
  region = "eu-west-1"
}

resource "aws_instance" "web" {
  ami           = data.aws_ami.al2023.id
  instance_type = "t3.micro"
  tags = {
    Name        = "web"
    Environment = var.env
    CostCenter  = "shop"
  }
}

resource "aws_db_instance" "db" {
  engine = "postgres"
  tags = merge(var.extra_tags, {
    environment   = var.env
    "cost-center" = "shop"
  })
}

resource "aws_s3_bucket" "assets" {
  bucket = "assets"
  tags = {
    Environment = var.env
    CostCenter  = "shop"
  }
}

resource "aws_sqs_queue" "jobs" {
  name = "jobs"
  tags = {
    Environment = var.env
    CostCenter  = "shop"
  }
}
"""


def _records(files):
    out, result = fix(R, files)
    assert out == (files if isinstance(files, dict) else {"main.tf": files})
    return [(r.path, r.line, r.column, r.fixable, r.message) for r in result.remaining]


def test_reports_spellings_and_default_tags(snapshot) -> None:
    assert _records(TEXT) == snapshot


def test_normalize() -> None:
    assert normalize("Cost-Center") == normalize("cost_center") == normalize("COSTCENTER") == "costcenter"
    assert normalize("Env") != normalize("Environment")


def test_default_tags_already_set_or_not_root() -> None:
    with_defaults = TEXT.replace('  region = "eu-west-1"\n',
                                 '  region = "eu-west-1"\n\n  default_tags {\n    tags = {\n'
                                 '      Owner = "team"\n    }\n  }\n')
    assert [line for _, line, _ in findings(R, with_defaults)] == [28, 29]  # the two spellings only
    dynamic = TEXT.replace('  region = "eu-west-1"\n',
                           '  region = "eu-west-1"\n\n  dynamic "default_tags" {\n    for_each = [1]\n'
                           '    content {\n      tags = var.tags\n    }\n  }\n')
    assert [line for _, line, _ in findings(R, dynamic)] == [29, 30]
    child = TEXT.split("resource", 1)[1]
    assert [line for _, line, _ in findings(R, "resource" + child)] == [14, 15]


def test_consistent_module_and_expressions_are_quiet() -> None:
    text = TEXT.replace("    environment   = var.env\n", "    Environment   = var.env\n") \
               .replace('"cost-center" = "shop"', 'CostCenter    = "shop"')
    # only the default_tags advice is left
    assert [line for _, line, _ in findings(R, text)] == [5]
    expression = """\
resource "aws_instance" "a" {
  tags = var.tags
}

resource "aws_instance" "b" {
  tags = { (var.env_key) = "prod", Environment = "prod" }
}

resource "aws_instance" "c" {
  tags = local.tags
}
"""
    assert findings(R, expression) == []


def test_fewer_than_three_or_different_values_are_quiet() -> None:
    text = """\
provider "aws" {
  region = "eu-west-1"
}

resource "aws_s3_bucket" "a" {
  tags = { Environment = "prod", Name = "a" }
}

resource "aws_s3_bucket" "b" {
  tags = { Environment = "prod", Name = "b" }
}

resource "aws_s3_bucket" "c" {
  tags = { Environment = "dev", Name = "c" }
}

resource "aws_s3_bucket" "d" {
  provider = aws.west
  tags     = { Environment = "prod", Name = "d" }
}
"""
    assert findings(R, text) == []
    third = text.replace('Environment = "dev"', 'Environment = "prod"')
    assert findings(R, third) == [("TFX807", 1, False)]


def test_locals_nested_tags_and_module_calls() -> None:
    text = """\
locals {
  common_tags = {
    Environment = var.env
  }
}

resource "aws_launch_template" "lt" {
  tag_specifications {
    resource_type = "instance"
    tags          = { environment = var.env }
  }
}

module "vpc" {
  source = "./vpc"
  tags   = { Environment = var.env }
}
"""
    assert findings(R, text) == [("TFX807", 10, False)]


def test_tie_goes_to_the_first_spelling() -> None:
    text = 'resource "aws_s3_bucket" "a" {\n  tags = { Owner = "x" }\n}\n\n' \
           'resource "aws_s3_bucket" "b" {\n  tags = { OWNER = "x" }\n}\n'
    records = _records(text)
    assert [(line, '"OWNER"' in message) for _, line, _, _, message in records] == [(6, True)]


def test_suppression_comment() -> None:
    text = 'resource "aws_s3_bucket" "a" {\n  tags = { Owner = "x" }\n}\n\n' \
           '# tffix:ignore[TFX807]\nresource "aws_s3_bucket" "b" {\n  tags = { owner = "x" }\n}\n'
    assert findings(R, text) == []


def test_data_source_filters_are_not_tags_of_this_module() -> None:
    text = 'data "aws_vpc" "main" {\n  tags = { environment = "prod" }\n}\n\n' \
           'resource "aws_s3_bucket" "b" {\n  tags = { Environment = "prod" }\n}\n'
    assert findings(R, text) == []
