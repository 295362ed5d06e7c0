"""TFX505 required-version-too-low (and the constraint helpers it uses)."""

from __future__ import annotations

import pytest
from tffix.transforms.lib.versions import allows, lower_bound, parse_constraint
from tffix.transforms.terraform.required_version_too_low import (
    RequiredVersionTooLow as R,
)

from .rulekit import check_fix, findings, fix, unchanged

IMPORT = 'import {\n  to = aws_s3_bucket.logs\n  id = "logs"\n}\n'
REMOVED = 'removed {\n  from = aws_instance.old\n\n  lifecycle {\n    destroy = false\n  }\n}\n'


def tf(constraint: str) -> str:
    return f'terraform {{\n  required_version = "{constraint}"\n}}\n'


def test_lower_bound_is_raised(snapshot) -> None:
    diff = check_fix(R, {"versions.tf": tf(">= 1.0"), "imports.tf": IMPORT})
    assert '+  required_version = ">= 1.5"\n' in diff
    assert diff == snapshot


@pytest.mark.parametrize(("before", "after", "admits"), [
    (">= 1.0", ">= 1.7", "1.0"),
    (">=1.2.3", ">= 1.7", "1.2"),
    ("~> 1.0", "~> 1.7", "1.0"),
    (">= 1.0, < 2.0", ">= 1.7, < 2.0", "1.0"),
    ("< 2.0.0, >= 0.13", "< 2.0.0, >= 1.7", "0.13"),
])
def test_rewrites(before: str, after: str, admits: str) -> None:
    out, result = fix(R, {"versions.tf": tf(before), "main.tf": REMOVED}, unsafe=False)
    assert out["versions.tf"] == tf(after)
    assert [(r.safety, r.impact) for r in result.fixed] == [("safe", "none")]
    assert result.fixed[0].message == (f'required_version "{before}" admits Terraform {admits}, but the module '
                                       "needs >= 1.7 for a removed block (main.tf:1)")


@pytest.mark.parametrize("constraint", ["= 1.4.6", "1.4.6", "~> 1.4.0", "~> 0.14", "< 2.0", ">= 1.0, >= 1.1",
                                        ">= 1.0, < 1.6"])
def test_constraints_it_cannot_simply_raise_are_reported(constraint: str) -> None:
    files = {"versions.tf": tf(constraint), "main.tf": REMOVED}
    assert unchanged(R, files)
    assert findings(R, files) == [("TFX505", 2, False)]


@pytest.mark.parametrize("constraint", [">= 1.7", "~> 1.9", ">= 1.7.0, < 2.0.0", "1.11.0"])
def test_high_enough_is_left_alone(constraint: str) -> None:
    files = {"versions.tf": tf(constraint), "main.tf": REMOVED}
    assert unchanged(R, files) and findings(R, files) == []


def test_module_without_newer_features_is_left_alone() -> None:
    files = {"versions.tf": tf(">= 0.12"), "main.tf": 'resource "aws_s3_bucket" "b" {}\n'}
    assert unchanged(R, files) and findings(R, files) == []


def test_two_required_versions_are_reported_without_fix() -> None:
    files = {"a.tf": tf(">= 1.0"), "b.tf": tf(">= 1.2"), "main.tf": REMOVED}
    assert unchanged(R, files)
    assert findings(R, files) == [("TFX505", 2, False)]


def test_two_required_versions_where_one_is_high_enough() -> None:
    files = {"a.tf": tf(">= 1.0"), "b.tf": tf(">= 1.7"), "main.tf": REMOVED}
    assert unchanged(R, files) and findings(R, files) == []


def test_unreadable_constraints_are_left_to_terraform() -> None:
    for value in ("var.v", '"not a version"'):
        files = {"versions.tf": f"terraform {{\n  required_version = {value}\n}}\n", "main.tf": REMOVED}
        assert unchanged(R, files) and findings(R, files) == []


def test_opentofu_modules_are_skipped() -> None:
    files = {"versions.tofu": tf(">= 1.0"), "main.tofu": REMOVED}
    assert unchanged(R, files) and findings(R, files) == []


def test_suppression_comment() -> None:
    files = {"versions.tf": "# tffix:ignore[TFX505]\n" + tf(">= 1.0"), "main.tf": REMOVED}
    assert unchanged(R, files) and findings(R, files) == []


def test_tfvars_are_not_touched() -> None:
    files = {"versions.tf": tf(">= 1.0"), "main.tf": REMOVED, "terraform.tfvars": 'x = "1.0"\n'}
    out, _ = fix(R, files)
    assert out["terraform.tfvars"] == files["terraform.tfvars"] and out["versions.tf"] == tf(">= 1.7")


def test_constraint_helpers() -> None:
    c = parse_constraint("~> 1.4.0, != 1.4.2")
    assert c is not None and lower_bound(c) == (1, 4, 0)
    assert allows(c, (1, 4, 9)) and not allows(c, (1, 5, 0)) and not allows(c, (1, 4, 2))
    two = parse_constraint("~> 1.4")
    assert two is not None and allows(two, (1, 9, 0)) and not allows(two, (2, 0, 0))
    assert parse_constraint("what") is None and parse_constraint("") is None
    assert lower_bound(parse_constraint("< 2")) == (0, 0, 0)
