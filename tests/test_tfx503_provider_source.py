"""TFX503 provider-source (and the edit-API realignment it relies on)."""

from __future__ import annotations

import tffix
from tffix import edit
from tffix.transforms.terraform.provider_source import ProviderSource as R
from tffix.transforms.terraform.provider_version import ProviderVersion

from .conftest import TERRAFORM, terraform_fmt
from .rulekit import check_fix, findings, fix, unchanged

LEGACY = """\
terraform {
  required_providers {
    aws     = "~> 5.0" # pinned for the S3 refactor
    random  = ">= 3.1, < 4"
    datadog = "~> 3.0"
  }
}
"""

NO_SOURCE = """\
terraform {
  required_providers {
    aws = {
      version = "~> 5.0"
      configuration_aliases = [aws.west]
    }
  }
}
"""


def test_legacy_string_form_becomes_an_object(snapshot) -> None:
    diff = check_fix(R, LEGACY)
    assert "+    aws = {\n" in diff and '+      version = "~> 5.0"\n' in diff
    assert "+    } # pinned for the S3 refactor\n" in diff
    assert diff == snapshot


def test_unknown_names_are_reported_without_fix() -> None:
    out, result = fix(R, LEGACY)
    assert '    datadog = "~> 3.0"\n' in out["main.tf"]
    (left,) = result.remaining
    assert (left.rule_id, left.fixable) == ("TFX503", False)
    assert left.message == ('required_providers entry datadog uses the legacy string form; Terraform assumes '
                            '"hashicorp/datadog": write its real source address')
    assert len(result.fixed) == 1 and result.fixed[0].message.startswith("required_providers entries aws, random ")


def test_fix_is_safe() -> None:
    out, result = fix(R, LEGACY, unsafe=False)
    assert 'source  = "hashicorp/random"' in out["main.tf"]
    assert [(r.safety, r.impact) for r in result.fixed] == [("safe", "none")]


def test_object_without_source_gets_it_first(snapshot) -> None:
    diff = check_fix(R, NO_SOURCE)
    assert '+      source                = "hashicorp/aws"\n' in diff
    assert diff == snapshot


def test_object_with_comments_gets_source_appended() -> None:
    text = NO_SOURCE.replace('      version = "~> 5.0"\n', '      # keep 5.x\n      version = "~> 5.0"\n')
    out, _ = fix(R, text)
    assert "      # keep 5.x\n" in out["main.tf"]
    assert '      source                = "hashicorp/aws"\n    }' in out["main.tf"]


def test_one_line_object_without_source() -> None:
    text = 'terraform {\n  required_providers {\n    aws = { version = "~> 5.0" }\n  }\n}\n'
    out, _ = fix(R, text)
    assert '    aws = {\n      source  = "hashicorp/aws"\n      version = "~> 5.0"\n    }\n' in out["main.tf"]


def test_with_tfx502_the_seed_shape_comes_out() -> None:
    text = 'terraform {\n  required_providers {\n    aws = {}\n  }\n}\n'
    out, _ = fix([R, ProviderVersion], {"main.tf": text, "provider.tf": 'provider "aws" {}\n'})
    assert out["main.tf"] == ('terraform {\n  required_providers {\n    aws = {\n      source  = "hashicorp/aws"\n'
                              '      version = "~> 6.0"\n    }\n  }\n}\n')


def test_object_with_source_is_left_alone() -> None:
    text = 'terraform {\n  required_providers {\n    aws = {\n      source = "hashicorp/aws"\n    }\n  }\n}\n'
    assert unchanged(R, text) and findings(R, text) == []


def test_expression_entry_is_reported_without_fix() -> None:
    text = 'terraform {\n  required_providers {\n    aws = local.aws_requirement\n  }\n}\n'
    assert unchanged(R, text)
    assert findings(R, text) == [("TFX503", 3, False)]


def test_suppression_comment() -> None:
    text = "# tffix:ignore[TFX503]\n" + LEGACY
    assert unchanged(R, text) and findings(R, text) == []


def test_multi_file_module() -> None:
    files = {"versions.tf": LEGACY, "main.tf": 'resource "random_id" "x" {\n  for_each    = toset(["a"])\n'
             '  byte_length = 4\n}\n', "x.tfvars": 'a = "~> 1"\n'}
    out, _ = fix(R, files)
    assert out["main.tf"] == files["main.tf"] and out["x.tfvars"] == files["x.tfvars"]
    assert 'source  = "hashicorp/aws"' in out["versions.tf"]


def test_edit_api_item_added_to_an_empty_one_line_object() -> None:
    """Core change (fixer/edit.py set_object_item): `{}` becomes `{ k = v }` (fmt's spacing)."""
    tree = tffix.parse("x = {}\n")
    from tffix.edit import set_object_item

    set_object_item(tree.body.items[0].value, "k", "v")
    assert tree.code == 'x = { k = "v" }\n'
    if TERRAFORM is not None:
        assert terraform_fmt(tree.code) == (0, tree.code)


def test_edit_api_value_turning_multiline_leaves_the_chain() -> None:
    """Core change (fixer/edit.py _realign): a value that becomes multi-line leaves its
    alignment chain, and its '=' gets one space, as terraform fmt writes it."""
    tree = tffix.parse('x {\n  a      = 1\n  longer = 2\n}\n')
    block = tree.body.blocks[0]
    edit.set_attribute(block, "a", {"k": 1})
    assert tree.code == 'x {\n  a = {\n    k = 1\n  }\n  longer = 2\n}\n'
    if TERRAFORM is not None:
        assert terraform_fmt(tree.code) == (0, tree.code)
