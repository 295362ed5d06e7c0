"""TFX504 required-provider-missing (and, with TFX501, the new versions.tf)."""

from __future__ import annotations

from tffix.engine.engine import parse_module_texts
from tffix.transforms.terraform.provider_missing import RequiredProviderMissing as R
from tffix.transforms.terraform.provider_missing import provider_uses
from tffix.transforms.terraform.terraform_required_version import (
    TerraformRequiredVersion,
)

from .rulekit import check_fix, findings, fix, unchanged

VERSIONS = """\
terraform {
  required_version = ">= 1.5"

  required_providers {
    aws = {
      source  = "hashicorp/aws"
      version = "~> 6.0"
    }
  }
}
"""

MAIN = """\
resource "aws_s3_bucket" "logs" {
  bucket = "logs-${random_id.suffix.hex}"
}

resource "random_id" "suffix" {
  count       = 1
  byte_length = 4
}
"""

def created(out: dict[str, str]) -> str:
    """The new versions.tf (keyed by its full path when the module is in a real directory)."""
    (name,) = [n for n in out if n.endswith("versions.tf")]
    return out[name]


PROVIDER = 'provider "aws" {\n  region = "eu-west-1"\n}\n'  # makes a root module (see TFX502)

LOCK = 'provider "registry.terraform.io/hashicorp/random" {\n  version = "3.6.3"\n}\n'


def test_missing_provider_is_added(snapshot) -> None:
    diff = check_fix(R, {"versions.tf": VERSIONS, "main.tf": MAIN, "provider.tf": PROVIDER})
    assert '+    random = {\n+      source  = "hashicorp/random"\n+      version = "~> 3.0"\n+    }\n' in diff
    assert diff == snapshot


def test_table_version_is_unsafe(tmp_path) -> None:
    files = {"versions.tf": VERSIONS, "main.tf": MAIN, "provider.tf": PROVIDER}
    out, result = fix(R, files, unsafe=False, directory=str(tmp_path))
    assert out == files
    (held,) = result.remaining
    assert held.held_back and held.path == "main.tf" and held.line == 5
    assert held.message == "random_id.suffix uses provider random, which required_providers does not declare"
    assert held.fix == ('declare random in required_providers with versions random "~> 3.0" '
                        "(current major versions as of 2026-11)")


def test_lock_file_version_is_safe(tmp_path) -> None:
    (tmp_path / ".terraform.lock.hcl").write_text(LOCK)
    out, result = fix(R, {"versions.tf": VERSIONS, "main.tf": MAIN}, unsafe=False, directory=str(tmp_path))
    assert 'version = "~> 3.6"' in out["versions.tf"] and result.fixed[0].safety == "safe"


def test_no_required_providers_block(snapshot) -> None:
    files = {"versions.tf": 'terraform {\n  required_version = ">= 1.5"\n}\n', "main.tf": MAIN, "provider.tf": PROVIDER}
    out, result = fix(R, files)
    assert out["versions.tf"].startswith('terraform {\n  required_version = ">= 1.5"\n\n  required_providers {\n'
                                         '    aws = {\n      source  = "hashicorp/aws"\n      version = "~> 6.0"\n'
                                         '    }\n    random = {\n')
    (record,) = result.fixed
    assert record.message == "aws_s3_bucket.logs uses providers aws, random, which required_providers does not declare"
    assert check_fix(R, files) == snapshot


def test_no_terraform_block_creates_versions_tf() -> None:
    out, result = fix(R, {"main.tf": MAIN})
    assert out["versions.tf"].startswith("terraform {\n  required_providers {\n    aws = {\n")
    assert result.changes[-1].created


def test_with_tfx501_versions_tf_holds_both(tmp_path, snapshot) -> None:
    """The module has no terraform block: the two rules together write one versions.tf with
    required_version and required_providers (the lock file makes the random entry safe)."""
    (tmp_path / ".terraform.lock.hcl").write_text(LOCK)
    files = {"main.tf": MAIN, "imports.tf": 'import {\n  to = aws_s3_bucket.logs\n  id = "logs"\n}\n',
             "prod.tfvars": 'name = "x"\n'}
    out, result = fix([TerraformRequiredVersion, R], files, directory=str(tmp_path))
    assert out["prod.tfvars"] == files["prod.tfvars"] and out["main.tf"] == MAIN
    new = created(out)
    assert new.startswith('terraform {\n  required_version = ">= 1.5"\n\n  required_providers {\n')
    assert 'version = "~> 3.6"' in new and 'version = "~> 6.0"' in new
    assert sorted((r.rule_id, r.safety) for r in result.fixed) == [
        ("TFX501", "safe"), ("TFX504", "safe"), ("TFX504", "unsafe")]
    diff = check_fix([TerraformRequiredVersion, R], files, directory=str(tmp_path))
    assert diff.replace(str(tmp_path) + "/", "") == snapshot


def test_with_tfx501_safe_only_leaves_the_table_provider_out(tmp_path) -> None:
    (tmp_path / ".terraform.lock.hcl").write_text(LOCK)
    out, result = fix([TerraformRequiredVersion, R], {"main.tf": MAIN}, unsafe=False, directory=str(tmp_path))
    new = created(out)
    assert 'required_version = ">= 1.0"' in new and "random = {" in new and "aws = {" not in new
    (held,) = result.remaining
    assert held.held_back and held.message.startswith("aws_s3_bucket.logs uses provider aws,")


def test_variables_only_directory_is_left_alone() -> None:
    files = {"variables.tf": 'variable "x" {}\n'}
    assert unchanged([TerraformRequiredVersion, R], files) and findings([TerraformRequiredVersion, R], files) == []


def test_unknown_provider_is_reported_without_fix(tmp_path) -> None:
    text = VERSIONS + '\nresource "datadog_monitor" "m" {\n  name = "x"\n}\n'
    assert unchanged(R, text)
    assert findings(R, text) == [("TFX504", 12, False)]
    (tmp_path / ".terraform.lock.hcl").write_text('provider "registry.terraform.io/datadog/datadog" {\n'
                                                  '  version = "3.40.0"\n}\n')
    _, result = fix(R, text, directory=str(tmp_path))
    assert '(the lock file has "datadog/datadog")' in result.remaining[0].message


def test_what_counts_as_a_use() -> None:
    text = """\
provider "google" {}

resource "aws_instance" "a" {
  for_each = toset(["x"])
  provider = awsalt.west
}

data "http" "page" {
  url = "https://example.com"
}

ephemeral "random_password" "p" {
  length = 8
}

resource "terraform_data" "d" {}

data "terraform_remote_state" "s" {
  backend = "local"
}

module "m" {
  source = "./m"
  providers = {
    aws = awsother.east
  }
}

import {
  provider = awsimp
  to       = aws_instance.a
  id       = "i-1"
}

check "c" {
  data "tls_certificate" "cert" {
    url = "https://example.com"
  }

  assert {
    condition     = true
    error_message = "x"
  }
}
"""
    module = parse_module_texts(".", {"main.tf": text})
    assert sorted(provider_uses(module)) == ["awsalt", "awsimp", "awsother", "google", "http", "random", "tls"]


def test_declared_under_another_local_name_is_not_missing() -> None:
    text = ('terraform {\n  required_providers {\n    awsalt = {\n      source  = "hashicorp/aws"\n'
            '      version = "~> 6.0"\n    }\n  }\n}\n\nresource "aws_instance" "a" {\n  provider = awsalt\n}\n')
    assert unchanged(R, text) and findings(R, text) == []


def test_provider_block_alone_counts() -> None:
    out, _ = fix(R, {"versions.tf": VERSIONS, "providers.tf": 'provider "azurerm" {\n  features {}\n}\n'})
    assert 'source  = "hashicorp/azurerm"' in out["versions.tf"]


def test_suppression_comment() -> None:
    files = {"versions.tf": VERSIONS, "main.tf": MAIN.replace('resource "random_id"', '# tffix:ignore[TFX504]\n'
                                                                                       'resource "random_id"')}
    assert unchanged(R, files) and findings(R, files) == []


def test_already_declared_everything_is_left_alone() -> None:
    files = {"versions.tf": VERSIONS, "main.tf": 'resource "aws_s3_bucket" "b" {}\n'}
    assert unchanged(R, files) and findings(R, files) == []



def test_options_give_an_exact_safe_version() -> None:
    files = {"versions.tf": VERSIONS, "main.tf": MAIN}
    out, result = fix(R, files, unsafe=False, rule_options={"TFX504": {"provider-versions": {"random": ">= 3.5"}}})
    assert 'version = ">= 3.5"' in out["versions.tf"] and result.fixed[0].safety == "safe"


def test_a_reusable_module_gets_sources_without_versions() -> None:
    # issue 13: a child module must not pin what its root decides
    out, result = fix(R, {"versions.tf": VERSIONS, "main.tf": MAIN})
    assert '    random = {\n      source = "hashicorp/random"\n    }\n' in out["versions.tf"]
    assert result.fixed[0].safety == "safe" and "version" not in result.fixed[0].fix
