"""TFX803 ecr-immutable-tags."""

from __future__ import annotations

import pytest
from tffix.transforms.compute.ecr_immutable_tags import EcrImmutableTags as R

from .rulekit import check_fix, findings, fix, unchanged

MISSING = """\
resource "aws_ecr_repository" "app" {
  name = "app"

  image_scanning_configuration {
    scan_on_push = true
  }
}
"""

MUTABLE = """\
resource "aws_ecr_repository" "svc" {
  count                = length(var.services)
  name                 = var.services[count.index]
  image_tag_mutability = "MUTABLE"
}
"""


def test_missing_is_written_out(snapshot) -> None:
    diff = check_fix(R, MISSING)
    assert '+  name                 = "app"\n+  image_tag_mutability = "IMMUTABLE"\n' in diff
    assert diff == snapshot


def test_mutable_becomes_immutable_with_count(snapshot) -> None:
    assert check_fix(R, MUTABLE) == snapshot


def test_fix_is_unsafe_in_place() -> None:
    out, result = fix(R, MUTABLE, unsafe=False)
    assert out["main.tf"] == MUTABLE
    (held,) = result.remaining
    assert held.held_back and held.impact == "in-place update" and "latest" in held.fix


@pytest.mark.parametrize("value", ["IMMUTABLE", "IMMUTABLE_WITH_EXCLUSION"])
def test_immutable_is_left_alone(value: str) -> None:
    text = f'resource "aws_ecr_repository" "r" {{\n  image_tag_mutability = "{value}"\n}}\n'
    assert unchanged(R, text) and findings(R, text) == []


def test_mutable_with_exclusion_is_reported_without_fix() -> None:
    text = 'resource "aws_ecr_repository" "r" {\n  image_tag_mutability = "MUTABLE_WITH_EXCLUSION"\n}\n'
    assert unchanged(R, text)
    _, result = fix(R, text)
    (record,) = result.remaining
    assert not record.fixable and "exclusion filters" in record.message


def test_expression_is_reported_without_fix() -> None:
    text = 'resource "aws_ecr_repository" "r" {\n  image_tag_mutability = var.mutability\n}\n'
    assert unchanged(R, text)
    assert findings(R, text) == [("TFX803", 2, False)]


def test_multi_file_module() -> None:
    other = 'resource "aws_ecr_lifecycle_policy" "p" {\n  repository = aws_ecr_repository.app.name\n}\n'
    out, result = fix(R, {"ecr.tf": MISSING, "policy.tf": other})
    assert out["policy.tf"] == other and [r.path for r in result.fixed] == ["ecr.tf"]


def test_suppression() -> None:
    assert unchanged(R, "# tffix:ignore[TFX803]\n" + MUTABLE)
    assert unchanged(R, "#trivy:ignore:AVD-AWS-0031\n" + MUTABLE)
