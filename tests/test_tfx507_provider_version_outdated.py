"""TFX507 provider-version-outdated."""

from __future__ import annotations

import pytest
from tffix.transforms.lib.versions import parse_constraint
from tffix.transforms.terraform.provider_version_outdated import (
    ProviderVersionOutdated as R,
)
from tffix.transforms.terraform.provider_version_outdated import (
    admits_series,
    current_series,
)

from .rulekit import findings, fix

TEXT = """\
terraform {
  required_providers {
    aws = {
      source  = "hashicorp/aws"
      version = "~> 3.0"
    }
    random = "< 3.0"
    google = {
      source  = "hashicorp/google"
      version = ">= 4.0"
    }
  }
}

provider "kubernetes" {
  version = "= 2.10.0"
}
"""


def _records(files):
    out, result = fix(R, files)
    assert out == (files if isinstance(files, dict) else {"main.tf": files})
    return [(r.path, r.line, r.column, r.fixable, r.message) for r in result.remaining]


def test_reports_outdated_constraints(snapshot) -> None:
    assert _records(TEXT) == snapshot


def _aws(constraint: str) -> str:
    return ('terraform {\n  required_providers {\n    aws = {\n      source  = "hashicorp/aws"\n'
            f'      version = "{constraint}"\n    }}\n  }}\n}}\n')


@pytest.mark.parametrize("constraint", [
    "~> 2.0", "< 4.0", "= 3.74.0", "3.74.0", ">= 3.0, < 5.0", "~> 5.100", "<= 5.99.1", "~> 5.0.1",
    ">= 5.0, != 6.0.0, < 6.0.1",
])
def test_constraints_that_exclude_the_current_major(constraint: str) -> None:
    assert findings(R, _aws(constraint)) == [("TFX507", 5, False)]


@pytest.mark.parametrize("constraint", [
    ">= 4.0", "~> 6.0", "~> 6.2", ">= 5.0, < 7.0", "~> 6", "> 5.99", ">= 3.0, != 6.0.0", "= 6.1.0",
    "> 6.0.0, < 6.0.2", "~> 7.0", ">= 8.0",
])
def test_constraints_that_admit_the_current_major_or_newer(constraint: str) -> None:
    assert findings(R, _aws(constraint)) == []


def test_expressions_unknown_providers_and_garbage_are_not_reported() -> None:
    assert findings(R, _aws("${var.v}")) == []
    assert findings(R, _aws("not a version")) == []
    other = _aws("~> 1.0").replace("hashicorp/aws", "example/thing")
    assert findings(R, other) == []
    unset = 'terraform {\n  required_providers {\n    aws = {\n      source = "hashicorp/aws"\n    }\n  }\n}\n'
    assert findings(R, unset) == []


def test_zero_major_provider_series() -> None:
    assert current_series("hashicorp/time") == ((0, 13, 0), (0, 14, 0))
    first, nxt = current_series("hashicorp/time")
    assert not admits_series(parse_constraint("~> 0.9.0"), first, nxt)
    assert admits_series(parse_constraint("~> 0.9"), first, nxt)


def test_suppression_comment() -> None:
    text = _aws("~> 2.0").replace("terraform {", "# tffix:ignore[TFX507]\nterraform {")
    assert findings(R, text) == []
