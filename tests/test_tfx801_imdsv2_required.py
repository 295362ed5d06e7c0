"""TFX801 imdsv2-required."""

from __future__ import annotations

import pytest
from tffix.transforms.compute.imdsv2_required import Imdsv2Required as R

from .rulekit import check_fix, findings, fix, unchanged

INSTANCE = """\
resource "aws_instance" "app" {
  count         = 2
  ami           = "ami-0123456789abcdef0"
  instance_type = "t3.micro"

  tags = {
    Name = "app-${count.index}"
  }

  depends_on = [aws_iam_role_policy.app]
}
"""

TEMPLATE = """\
resource "aws_launch_template" "nodes" {
  for_each = var.pools
  image_id = each.value.ami

  metadata_options {
    http_endpoint               = "enabled"
    http_tokens                 = "optional"
    http_put_response_hop_limit = 2
  }
}
"""


def test_instance_gets_the_block_before_depends_on(snapshot) -> None:
    diff = check_fix(R, INSTANCE)
    assert '+  metadata_options {\n+    http_tokens = "required"\n+  }\n+\n   depends_on' in diff
    assert diff == snapshot


def test_optional_becomes_required_in_launch_template(snapshot) -> None:
    diff = check_fix(R, TEMPLATE)
    assert '+    http_tokens                 = "required"\n' in diff
    assert diff == snapshot


def test_existing_block_without_tokens_gets_them() -> None:
    text = ('resource "aws_instance" "i" {\n  ami = "ami-1"\n\n  metadata_options {\n'
            '    http_endpoint = "enabled"\n  }\n}\n')
    out, _ = fix(R, text)
    assert '    http_endpoint = "enabled"\n    http_tokens   = "required"\n' in out["main.tf"]


def test_fix_is_unsafe_in_place() -> None:
    out, result = fix(R, {"a.tf": INSTANCE, "b.tf": TEMPLATE}, unsafe=False)
    assert out == {"a.tf": INSTANCE, "b.tf": TEMPLATE}
    assert {(r.held_back, r.safety, r.impact) for r in result.remaining} == {(True, "unsafe", "in-place update")}


def test_dynamic_block_counts_as_present() -> None:
    text = ('resource "aws_launch_template" "t" {\n  dynamic "metadata_options" {\n    for_each = [1]\n'
            '    content {\n      http_tokens = var.tokens\n    }\n  }\n}\n')
    assert unchanged(R, text)
    assert findings(R, text) == [("TFX801", 5, False)]
    literal = text.replace("var.tokens", '"optional"')
    out, _ = fix(R, literal)
    assert out["main.tf"] == literal.replace('"optional"', '"required"')


@pytest.mark.parametrize("body", ['http_tokens = "required"', 'http_endpoint = "disabled"'])
def test_required_or_disabled_is_left_alone(body: str) -> None:
    for kind in ("aws_instance", "aws_launch_template"):
        text = f'resource "{kind}" "x" {{\n  metadata_options {{\n    {body}\n  }}\n}}\n'
        assert unchanged(R, text) and findings(R, text) == []


def test_expression_is_reported_without_fix() -> None:
    text = 'resource "aws_instance" "i" {\n  metadata_options {\n    http_tokens = var.imds_tokens\n  }\n}\n'
    assert unchanged(R, text)
    assert findings(R, text) == [("TFX801", 3, False)]


def test_other_resources_are_ignored() -> None:
    assert unchanged(R, 'resource "aws_launch_configuration" "lc" {\n  image_id = "ami-1"\n}\n')


@pytest.mark.parametrize("comment", ["# tffix:ignore[TFX801]", "#trivy:ignore:AVD-AWS-0028"])
def test_suppression(comment: str) -> None:
    assert unchanged(R, f"{comment}\n" + INSTANCE)
    assert unchanged(R, INSTANCE.replace("  count", "  #checkov:skip=CKV_AWS_79:legacy agent\n  count"))
