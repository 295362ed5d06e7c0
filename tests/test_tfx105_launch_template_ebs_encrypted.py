"""TFX105 launch-template-ebs-encrypted."""

from __future__ import annotations

import pytest
from tffix.transforms.compute.launch_template_ebs_encrypted import (
    LaunchTemplateEbsEncrypted as R,
)

from .rulekit import check_fix, findings, fix, unchanged

TEMPLATE = """\
resource "aws_launch_template" "app" {
  name_prefix   = "app-"
  image_id      = "ami-0123456789abcdef0"
  instance_type = "t3.micro"

  block_device_mappings {
    device_name = "/dev/xvda"

    ebs {
      volume_size = 30
      volume_type = "gp3"
    }
  }

  block_device_mappings {
    device_name = "/dev/sdf"

    ebs {
      volume_size = 100
      encrypted   = "false"
    }
  }

  block_device_mappings {
    device_name  = "/dev/sdb"
    virtual_name = "ephemeral0"
  }
}
"""

DYNAMIC = """\
resource "aws_launch_template" "nodes" {
  for_each = var.pools
  image_id = each.value.ami

  dynamic "block_device_mappings" {
    for_each = each.value.disks
    content {
      device_name = block_device_mappings.value.device

      ebs {
        volume_size = block_device_mappings.value.size
      }
    }
  }
}
"""


def test_every_ebs_mapping_is_encrypted(snapshot) -> None:
    diff = check_fix(R, TEMPLATE)
    assert diff == snapshot
    out, result = fix(R, TEMPLATE)
    assert out["main.tf"].count("encrypted   = true") == 2 and len(result.fixed) == 2
    assert 'virtual_name = "ephemeral0"\n  }' in out["main.tf"]


def test_dynamic_mapping_content_is_fixed(snapshot) -> None:
    diff = check_fix(R, DYNAMIC)
    assert "+        encrypted   = true\n" in diff
    assert diff == snapshot


def test_dynamic_ebs_block_is_checked_in_its_content() -> None:
    text = ('resource "aws_launch_template" "t" {\n  block_device_mappings {\n    device_name = "/dev/xvda"\n\n'
            '    dynamic "ebs" {\n      for_each = [1]\n      content {\n        encrypted = var.enc\n      }\n    }\n'
            '  }\n}\n')
    assert unchanged(R, text)
    assert findings(R, text) == [("TFX105", 8, False)]


def test_fix_is_unsafe_in_place() -> None:
    out, result = fix(R, TEMPLATE, unsafe=False)
    assert out["main.tf"] == TEMPLATE
    assert {(r.held_back, r.safety, r.impact) for r in result.remaining} == {(True, "unsafe", "in-place update")}


@pytest.mark.parametrize("value", ["true", '"true"'])
def test_already_encrypted_is_left_alone(value: str) -> None:
    text = (f'resource "aws_launch_template" "t" {{\n  block_device_mappings {{\n    device_name = "/dev/xvda"\n\n'
            f'    ebs {{\n      encrypted = {value}\n    }}\n  }}\n}}\n')
    assert unchanged(R, text) and findings(R, text) == []


def test_template_without_mappings_is_not_reported() -> None:
    text = 'resource "aws_launch_template" "t" {\n  image_id = "ami-1"\n}\n'
    assert unchanged(R, text) and findings(R, text) == []


def test_expression_is_reported_without_fix() -> None:
    text = ('resource "aws_launch_template" "t" {\n  block_device_mappings {\n    device_name = "/dev/xvda"\n\n'
            '    ebs {\n      encrypted = local.encrypt\n    }\n  }\n}\n')
    assert unchanged(R, text)
    assert findings(R, text) == [("TFX105", 6, False)]


def test_multi_file_module_and_other_resources() -> None:
    other = 'resource "aws_launch_configuration" "lc" {\n  image_id = "ami-1"\n}\n'
    out, result = fix(R, {"lt.tf": TEMPLATE, "lc.tf": other})
    assert out["lc.tf"] == other and {r.path for r in result.fixed} == {"lt.tf"}


def test_suppression() -> None:
    text = "# tffix:ignore[TFX105]\n" + TEMPLATE
    assert unchanged(R, text) and findings(R, text) == []
