"""TFX725 ec2-detailed-monitoring."""

from __future__ import annotations

import pytest
from tffix.transforms.compute.ec2_detailed_monitoring import Ec2DetailedMonitoring as R

from .rulekit import check_fix, findings, fix, unchanged

MISSING = """\
resource "aws_instance" "app" {
  count         = 2
  ami           = "ami-0123456789abcdef0"
  instance_type = "t3.micro"

  root_block_device {
    encrypted = true
  }
}
"""

FALSE = """\
resource "aws_instance" "app" {
  ami           = "ami-0123456789abcdef0"
  instance_type = "t3.micro"
  monitoring    = false
}
"""


def test_missing_is_added(snapshot) -> None:
    assert check_fix(R, MISSING) == snapshot


def test_false_becomes_true(snapshot) -> None:
    assert check_fix(R, FALSE) == snapshot


def test_fix_is_unsafe_in_place() -> None:
    out, result = fix(R, MISSING, unsafe=False)
    assert out["main.tf"] == MISSING
    (held,) = result.remaining
    assert held.held_back and held.safety == "unsafe" and held.impact == "in-place update"


@pytest.mark.parametrize("text", [
    'resource "aws_instance" "a" {\n  monitoring = true\n}\n',
    'resource "aws_launch_template" "t" {\n  name = "x"\n}\n',
])
def test_monitored_and_other_resources_are_unchanged(text: str) -> None:
    assert unchanged(R, text) and findings(R, text) == []


@pytest.mark.parametrize("text", [
    'resource "aws_instance" "a" {\n  monitoring = var.monitoring\n}\n',
    'resource "aws_instance" "a" {\n  launch_template {\n    id = aws_launch_template.t.id\n  }\n}\n',
])
def test_expression_and_launch_template_are_reported_without_fix(text: str) -> None:
    assert unchanged(R, text)
    assert [(rule, fixable) for rule, _, fixable in findings(R, text)] == [("TFX725", False)]


def test_launch_template_with_explicit_false_is_fixed() -> None:
    text = ('resource "aws_instance" "a" {\n  monitoring = false\n\n  launch_template {\n'
            '    id = aws_launch_template.t.id\n  }\n}\n')
    out, _ = fix(R, text)
    assert "monitoring = true" in out["main.tf"]


def test_suppression_comment() -> None:
    text = "# tffix:ignore[TFX725]\n" + MISSING
    assert unchanged(R, text) and findings(R, text) == []
