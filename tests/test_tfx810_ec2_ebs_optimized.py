"""TFX810 ec2-ebs-optimized."""

from __future__ import annotations

import pytest
from tffix.transforms.compute.ec2_ebs_optimized import Ec2EbsOptimized as R
from tffix.transforms.compute.ec2_ebs_optimized import ebs_default

from .rulekit import check_fix, findings, fix, unchanged

CURRENT = """\
resource "aws_instance" "app" {
  ami           = "ami-0123456789abcdef0"
  instance_type = "c6i.xlarge"
  monitoring    = true

  tags = {
    Name = "app"
  }
}
"""

FALSE = """\
resource "aws_instance" "db" {
  ami           = "ami-0123456789abcdef0"
  instance_type = "r5.large"
  ebs_optimized = false
}
"""


def test_default_optimized_type_gets_the_argument(snapshot) -> None:
    assert check_fix(R, CURRENT) == snapshot


def test_false_on_a_default_optimized_type_becomes_true(snapshot) -> None:
    assert check_fix(R, FALSE) == snapshot


def test_fix_is_unsafe_and_forces_replacement() -> None:
    out, result = fix(R, CURRENT, unsafe=False)
    assert out["main.tf"] == CURRENT
    (held,) = result.remaining
    assert held.held_back and held.safety == "unsafe" and held.impact == "forces replacement"


@pytest.mark.parametrize("instance_type,expected", [
    ("t3.micro", True), ("m5.large", True), ("c7gn.large", True), ("m7i-flex.large", True), ("t4g.nano", True),
    ("c4.large", True), ("u-6tb1.metal", True),
    ("t2.micro", False), ("m3.medium", False), ("c3.xlarge", False), ("m1.small", False), ("g2.2xlarge", False),
    ("db.t3.micro", None), ("large", None),
])
def test_type_table(instance_type: str, expected: bool | None) -> None:
    assert ebs_default(instance_type) is expected


@pytest.mark.parametrize("text", [
    # previous generation: optional at extra cost, or not supported (t2)
    'resource "aws_instance" "a" {\n  instance_type = "t2.micro"\n}\n',
    'resource "aws_instance" "a" {\n  instance_type = "c3.xlarge"\n}\n',
    # unknown type
    'resource "aws_instance" "a" {\n  instance_type = var.instance_type\n}\n',
    'resource "aws_instance" "a" {\n  ami = "ami-0123456789abcdef0"\n}\n',
    # a launch template decides
    ('resource "aws_instance" "a" {\n  instance_type = "m5.large"\n\n  launch_template {\n'
     '    id = aws_launch_template.t.id\n  }\n}\n'),
    # set from an expression
    'resource "aws_instance" "a" {\n  instance_type = "m5.large"\n  ebs_optimized = var.ebs\n}\n',
])
def test_reported_without_fix(text: str) -> None:
    assert unchanged(R, text)
    assert [(rule, fixable) for rule, _, fixable in findings(R, text)] == [("TFX810", False)]


def test_optimized_is_unchanged() -> None:
    text = 'resource "aws_instance" "a" {\n  instance_type = "t2.micro"\n  ebs_optimized = true\n}\n'
    assert unchanged(R, text) and findings(R, text) == []


def test_suppression_comment() -> None:
    text = "# tffix:ignore[TFX810]\n" + CURRENT
    assert unchanged(R, text) and findings(R, text) == []
