"""TFX501 terraform-required-version (and the feature table it shares with TFX505)."""

from __future__ import annotations

from pathlib import Path

import pytest
from tffix.engine.engine import parse_module_texts
from tffix.transforms.lib.features import TERRAFORM_FEATURES, needed_version
from tffix.transforms.terraform.terraform_required_version import (
    TerraformRequiredVersion as R,
)

from .rulekit import check_fix, findings, fix, unchanged

# seed 000 "Provider Version Issues", the WRONG half
SEED = """\
terraform {
  required_providers {
    aws = {
      source = "hashicorp/aws"
    }
  }
}
"""

BUCKET = 'resource "aws_s3_bucket" "logs" {\n  bucket = "logs"\n}\n'


def test_seed_gets_the_floor(snapshot) -> None:
    diff = check_fix(R, SEED)
    assert '+  required_version = ">= 1.0"\n' in diff
    assert diff == snapshot


def test_fix_is_safe() -> None:
    out, result = fix(R, SEED, unsafe=False)
    assert 'required_version = ">= 1.0"' in out["main.tf"]
    assert [(r.safety, r.impact) for r in result.fixed] == [("safe", "none")]


def test_feature_in_another_file_sets_the_minimum(snapshot) -> None:
    files = {
        "versions.tf": SEED,
        "main.tf": BUCKET,
        "imports.tf": 'import {\n  to = aws_s3_bucket.logs\n  id = "logs"\n}\n',
        "variables.tf": 'variable "tags" {\n  type = object({\n    team = optional(string)\n  })\n}\n',
        "prod.tfvars": 'tags = { team = "x" }\n',
    }
    out, result = fix(R, files)
    assert out["main.tf"] == files["main.tf"] and out["imports.tf"] == files["imports.tf"]
    assert out["prod.tfvars"] == files["prod.tfvars"]
    (record,) = result.fixed
    assert record.path == "versions.tf"
    assert record.message.endswith("needs Terraform >= 1.5 for an import block (imports.tf:1)")
    assert check_fix(R, files) == snapshot


def test_no_terraform_block_creates_versions_tf(snapshot) -> None:
    files = {"main.tf": BUCKET, "moves.tf": 'moved {\n  from = aws_s3_bucket.old\n  to   = aws_s3_bucket.logs\n}\n'}
    out, result = fix(R, files, unsafe=False)
    assert out["versions.tf"] == 'terraform {\n  required_version = ">= 1.1"\n}\n'
    assert result.changes[-1].created
    assert check_fix(R, files) == snapshot


def test_directory_with_only_variables_is_left_alone() -> None:
    files = {"variables.tf": 'variable "region" {\n  type = string\n}\n', "locals.tf": 'locals {\n  a = 1\n}\n'}
    assert unchanged(R, files) and findings(R, files) == []


def test_variables_with_a_terraform_block_still_get_it() -> None:
    files = {"variables.tf": 'variable "region" {\n  nullable = false\n}\n', "versions.tf": 'terraform {\n}\n'}
    out, _ = fix(R, files)
    assert out["versions.tf"] == 'terraform {\n  required_version = ">= 1.1"\n}\n'


def test_required_version_in_any_file_is_enough() -> None:
    files = {"versions.tf": 'terraform {\n  required_version = ">= 1.3"\n}\n', "backend.tf": 'terraform {\n  backend "s3" {}\n}\n',
             "main.tf": BUCKET}
    assert unchanged(R, files) and findings(R, files) == []


def test_it_goes_into_the_block_with_required_providers() -> None:
    files = {"backend.tf": 'terraform {\n  backend "s3" {}\n}\n', "versions.tf": SEED}
    out, _ = fix(R, files)
    assert out["backend.tf"] == files["backend.tf"]
    assert out["versions.tf"].startswith('terraform {\n  required_version = ">= 1.0"\n\n  required_providers {')


def test_opentofu_modules_are_skipped() -> None:
    files = {"main.tofu": BUCKET}
    assert unchanged(R, files) and findings(R, files) == []


def test_floor_option() -> None:
    out, _ = fix(R, SEED, rule_options={"TFX501": {"floor": "0.13"}})
    assert 'required_version = ">= 0.13"' in out["main.tf"]
    out, _ = fix(R, {"main.tf": SEED, "x.tf": 'check "c" {\n  assert {\n    condition     = true\n'
                     '    error_message = "x"\n  }\n}\n'}, rule_options={"TFX501": {"floor": "0.13"}})
    assert 'required_version = ">= 1.5"' in out["main.tf"]


def test_suppression_comment() -> None:
    text = "# tffix:ignore[TFX501]\n" + SEED
    assert unchanged(R, text) and findings(R, text) == []


def test_count_and_for_each_resources_are_ordinary_content() -> None:
    text = 'resource "aws_s3_bucket" "b" {\n  for_each = toset(["a"])\n  bucket   = each.key\n}\n'
    out, _ = fix(R, text)
    assert out["versions.tf"] == 'terraform {\n  required_version = ">= 1.0"\n}\n'


# ---- the feature table -------------------------------------------------------------------

VALIDATION = """\
variable "max" {
  type = number
}

variable "min" {
  type = number
  validation {
    condition     = %s
    error_message = "bad"
  }
}
"""

CASES = [
    ('moved {\n  from = a.b\n  to   = a.c\n}\n', (1, 1)),
    ('variable "v" {\n  nullable = false\n}\n', (1, 1)),
    ('terraform {\n  cloud {\n    organization = "o"\n  }\n}\n', (1, 1)),
    ('resource "a_b" "c" {\n  lifecycle {\n    precondition {\n      condition     = true\n'
     '      error_message = "x"\n    }\n  }\n}\n', (1, 2)),
    ('output "o" {\n  value = 1\n  precondition {\n    condition     = true\n    error_message = "x"\n  }\n}\n',
     (1, 2)),
    ('resource "a_b" "c" {\n  lifecycle {\n    replace_triggered_by = [a_b.d]\n  }\n}\n', (1, 2)),
    ('variable "v" {\n  type = object({ a = optional(string, "x") })\n}\n', (1, 3)),
    ('locals {\n  a = startswith("ab", "a")\n}\n', (1, 3)),
    ('resource "terraform_data" "d" {}\n', (1, 4)),
    ('import {\n  to = a_b.c\n  id = "x"\n}\n', (1, 5)),
    ('check "c" {\n  assert {\n    condition     = true\n    error_message = "x"\n  }\n}\n', (1, 5)),
    ('output "t" {\n  value = plantimestamp()\n}\n', (1, 5)),
    ('removed {\n  from = a_b.c\n}\n', (1, 7)),
    ('import {\n  for_each = var.ids\n  to       = a_b.c[each.key]\n  id       = each.value\n}\n', (1, 7)),
    ('output "o" {\n  value = provider::aws::arn_parse("arn:aws:s3:::b")\n}\n', (1, 8)),
    ('output "o" {\n  value = issensitive(var.x)\n}\n', (1, 8)),
    (VALIDATION % "var.min <= var.max", (1, 9)),
    ('output "o" {\n  value = templatestring(local.t, {})\n}\n', (1, 9)),
    ('removed {\n  from = a_b.c\n  provisioner "local-exec" {\n    when    = destroy\n    command = "echo"\n  }\n}\n',
     (1, 9)),
    ('ephemeral "aws_secretsmanager_secret_version" "s" {\n  secret_id = "x"\n}\n', (1, 10)),
    ('variable "token" {\n  ephemeral = true\n}\n', (1, 10)),
    ('output "token" {\n  value     = var.t\n  ephemeral = true\n}\n', (1, 10)),
    ('output "token" {\n  value = ephemeralasnull(var.t)\n}\n', (1, 10)),
    ('resource "aws_db_instance" "db" {\n  password_wo         = var.p\n  password_wo_version = 1\n}\n', (1, 11)),
    # not features: the floor
    (VALIDATION % "var.min >= 0", (1, 0)),
    (VALIDATION % "alltrue([for m in [var.min] : m >= 0])", (1, 0)),
    ('variable "token" {\n  ephemeral = false\n}\n', (1, 0)),
    ('resource "a_b" "c" {\n  name = "startswith"\n}\n', (1, 0)),
]


@pytest.mark.parametrize(("text", "version"), CASES, ids=[f"{v[0]}.{v[1]}-{i}" for i, (_, v) in enumerate(CASES)])
def test_feature_versions(text: str, version: tuple[int, int]) -> None:
    module = parse_module_texts(".", {"main.tf": text})
    assert needed_version(module)[0] == version


def test_every_table_entry_is_exercised_by_a_case() -> None:
    seen = set()
    for text, _ in CASES:
        from tffix.transforms.lib.features import feature_uses

        seen.update(u.feature for u in feature_uses(parse_module_texts(".", {"main.tf": text})))
    assert seen == set(TERRAFORM_FEATURES)


def test_optional_under_the_old_experiment_does_not_count() -> None:
    text = ('terraform {\n  experiments = [module_variable_optional_attrs]\n}\n\n'
            'variable "v" {\n  type = object({ a = optional(string) })\n}\n')
    assert needed_version(parse_module_texts(".", {"main.tf": text}))[0] == (1, 0)


def test_the_rule_writes_the_highest_feature_version() -> None:
    text = SEED + "\n" + CASES[0][0] + "\n" + CASES[12][0]
    out, result = fix(R, text)
    assert 'required_version = ">= 1.7"' in out["main.tf"]
    assert "for a removed block (main.tf:" in result.fixed[0].message


def test_table_is_documented_in_one_place() -> None:
    source = Path(__file__).parent.parent / "transforms" / "lib" / "features.py"
    text = source.read_text()
    for key in TERRAFORM_FEATURES:
        assert text.count(f'"{key}": ((') == 1, key
