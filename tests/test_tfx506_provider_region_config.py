"""TFX506 provider-region-config."""

from __future__ import annotations

from tffix.transforms.terraform.provider_region_config import ProviderRegionConfig as R

from .rulekit import findings, fix

TEXT = """\
provider "aws" {
  region = "eu-west-1"
}

provider "aws" {
  alias  = "us_east_1"
  region = "us-east-1"
}

provider "aws" {
  alias  = "replica"
  region = "eu-west-1"
}

provider "aws" {
  alias  = "us_east_1"
  region = "us-east-2"
}

resource "aws_s3_bucket" "replica" {
  provider = aws.replica
  bucket   = "replica"
}

resource "aws_acm_certificate" "cdn" {
  provider          = aws.useast1
  domain_name       = "example.com"
  validation_method = "DNS"
}
"""


def _records(files):
    out, result = fix(R, files)
    assert out == (files if isinstance(files, dict) else {"main.tf": files})
    return [(r.path, r.line, r.column, r.fixable, r.message) for r in result.remaining]


def test_reports_provider_problems(snapshot) -> None:
    assert _records(TEXT) == snapshot


def test_findings_by_kind() -> None:
    # unused us_east_1 (line 6), replica with the default's region (line 11), duplicate us_east_1
    # (line 16), undeclared aws.useast1 (line 26)
    assert sorted(findings(R, TEXT)) == [("TFX506", 6, False), ("TFX506", 11, False), ("TFX506", 16, False),
                                         ("TFX506", 26, False)]


GOOD = """\
provider "aws" {
  region = var.region
}

provider "aws" {
  alias  = "us_east_1"
  region = "us-east-1"
}

provider "aws" {
  alias  = "dr"
  region = var.dr_region
}

provider "aws" {
  alias  = "audit"
  region = var.region

  assume_role {
    role_arn = var.audit_role_arn
  }
}

resource "aws_acm_certificate" "cdn" {
  provider          = aws.us_east_1
  domain_name       = "example.com"
  validation_method = "DNS"
}

module "dr" {
  source = "./dr"
  providers = {
    aws = aws.dr
  }
}

data "aws_caller_identity" "audit" {
  provider = aws.audit
}
"""


def test_multi_region_done_right_is_fine() -> None:
    assert findings(R, GOOD) == []


def test_same_region_expression_is_the_same_region() -> None:
    text = GOOD.replace("region = var.dr_region", "region = var.region")
    assert findings(R, text) == [("TFX506", 11, False)]


def test_duplicate_default_provider_across_files() -> None:
    files = {"a.tf": 'provider "aws" {\n  region = "eu-west-1"\n}\n',
             "b.tf": 'provider "aws" {\n  region = "eu-west-2"\n}\n'}
    assert [(p, line) for p, line, *_ in _records(files)] == [("b.tf", 1)]


def test_child_module_with_configuration_aliases_and_proxies() -> None:
    child = """\
terraform {
  required_providers {
    aws = {
      source                = "hashicorp/aws"
      version               = ">= 5.0"
      configuration_aliases = [aws.peer]
    }
  }
}

resource "aws_vpc_peering_connection_accepter" "peer" {
  provider                  = aws.peer
  vpc_peering_connection_id = var.id
}

resource "aws_s3_bucket" "b" {
  provider = aws.other
  bucket   = "b"
}
"""
    # aws.other is undeclared, but the module declares configuration_aliases for aws: reported
    assert findings(R, child) == [("TFX506", 17, False)]
    # without any provider block or configuration_aliases, tffix cannot tell: silent
    no_decl = child.split("resource", 1)[1]
    assert findings(R, "resource" + no_decl) == []
    # empty proxy configurations are not compared with each other
    proxies = 'provider "aws" {\n  alias = "src"\n}\n\nprovider "aws" {\n  alias = "dst"\n}\n\n' \
              'module "m" {\n  source = "./m"\n  providers = {\n    aws.src = aws.src\n    aws.dst = aws.dst\n  }\n}\n'
    assert findings(R, proxies) == []


def test_for_each_provider_and_legacy_string() -> None:
    text = """\
provider "aws" {
  alias    = "by_region"
  for_each = toset(["eu-west-1", "us-east-1"])
  region   = each.key
}

resource "aws_s3_bucket" "b" {
  for_each = toset(["eu-west-1", "us-east-1"])
  provider = aws.by_region[each.key]
  bucket   = "b-${each.key}"
}
"""
    assert findings(R, text) == []
    legacy = 'provider "aws" {\n  alias  = "west"\n  region = "us-west-2"\n}\n\n' \
             'resource "aws_s3_bucket" "b" {\n  provider = "aws.west"\n  bucket   = "b"\n}\n'
    assert findings(R, legacy) == []


def test_suppression_comment() -> None:
    text = '# tffix:ignore[TFX506]\nprovider "aws" {\n  alias  = "unused"\n  region = "us-west-2"\n}\n'
    assert findings(R, text) == []
