"""TFX604 provider-credentials."""

from __future__ import annotations

from tffix.transforms.secrets.provider_credentials import ProviderCredentials as R

from .rulekit import check_fix, findings, fix, unchanged

PROVIDER = """\
provider "aws" {
  region = "us-east-1"
  # static keys for the demo
  access_key = "AKIAIOSFODNN7EXAMPLE"
  secret_key = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY"
  token      = "FwoGZXIvYXdzEXAMPLE"

  default_tags {
    tags = { Team = "x" }
  }
}
"""


def test_literal_keys_are_removed(snapshot) -> None:
    assert check_fix(R, PROVIDER) == snapshot


def test_exact_output_for_aliased_provider() -> None:
    text = ('provider "aws" {\n  alias      = "west"\n  region     = "us-west-2"\n'
            '  access_key = "AKIAIOSFODNN7EXAMPLE"\n  secret_key = "abc"\n}\n')
    out, result = fix(R, text)
    assert out["main.tf"] == 'provider "aws" {\n  alias  = "west"\n  region = "us-west-2"\n}\n'
    assert result.fixed


def test_fix_is_unsafe_and_held_back() -> None:
    out, result = fix(R, PROVIDER, unsafe=False)
    assert out["main.tf"] == PROVIDER
    (held,) = result.remaining
    assert held.held_back and held.safety == "unsafe" and held.impact == "none"
    assert "environment variables" in held.message and "access_key, secret_key, token" in held.message


def test_mixed_literal_and_expression_is_reported_without_fix() -> None:
    text = 'provider "aws" {\n  access_key = "AKIAIOSFODNN7EXAMPLE"\n  secret_key = var.secret\n}\n'
    assert unchanged(R, text) and findings(R, text) == [("TFX604", 2, False)]


def test_variable_with_literal_default_is_reported_without_fix() -> None:
    files = {"provider.tf": 'provider "aws" {\n  access_key = var.key\n  secret_key = var.secret\n}\n',
             "vars.tf": 'variable "key" {\n  default = "AKIAIOSFODNN7EXAMPLE"\n}\n\nvariable "secret" {}\n'}
    assert unchanged(R, files) and findings(R, files) == [("TFX604", 2, False)]


def test_variables_without_defaults_and_profiles_are_fine() -> None:
    for text in ['provider "aws" {\n  access_key = var.key\n  secret_key = var.secret\n}\n',
                 'provider "aws" {\n  profile = "deploy"\n  region  = "eu-west-1"\n}\n',
                 'provider "aws" {\n  access_key = ""\n}\n']:
        assert unchanged(R, text) and findings(R, text) == []


def test_other_providers_are_ignored() -> None:
    assert unchanged(R, 'provider "google" {\n  access_token = "x"\n}\n')
    assert unchanged(R, 'resource "aws_instance" "x" {\n  access_key = "AKIA"\n}\n')


def test_suppression_comment() -> None:
    text = '# tffix:ignore[TFX604]\n' + PROVIDER
    assert unchanged(R, text) and findings(R, text) == []


def test_multi_file_module() -> None:
    files = {"providers.tf": PROVIDER, "main.tf": 'resource "aws_s3_bucket" "b" {}\n'}
    out, _ = fix(R, files)
    assert out["main.tf"] == files["main.tf"] and "access_key" not in out["providers.tf"]
