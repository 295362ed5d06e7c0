"""TFX104 instance-block-device-encrypted."""

from __future__ import annotations

from tffix.transforms.compute.instance_block_device_encrypted import (
    InstanceBlockDeviceEncrypted as R,
)

from .rulekit import check_fix, findings, fix, unchanged

NO_ROOT = """\
resource "aws_instance" "app" {
  ami           = "ami-0123456789abcdef0"
  instance_type = "t3.micro"

  ebs_block_device {
    device_name = "/dev/sdf"
    volume_size = 50
  }

  ebs_block_device {
    device_name = "/dev/sdg"
    volume_size = 50
    encrypted   = false
  }

  tags = {
    Name = "app"
  }

  lifecycle {
    ignore_changes = [ami]
  }
}
"""

ROOT_FALSE = """\
resource "aws_instance" "web" {
  count         = 3
  ami           = "ami-0123456789abcdef0"
  instance_type = "t3.micro"

  root_block_device {
    volume_size = 20
    encrypted   = false # legacy
  }
}
"""

DYNAMIC = """\
resource "aws_instance" "db" {
  for_each      = var.hosts
  ami           = each.value.ami
  instance_type = "m6i.large"

  dynamic "root_block_device" {
    for_each = [each.value.root_size]
    content {
      volume_size = root_block_device.value
    }
  }

  dynamic "ebs_block_device" {
    for_each = each.value.disks
    content {
      device_name = ebs_block_device.value.name
      encrypted   = ebs_block_device.value.encrypted
    }
  }
}
"""


def test_root_block_added_and_ebs_devices_encrypted(snapshot) -> None:
    diff = check_fix(R, NO_ROOT)
    assert diff == snapshot
    out, result = fix(R, NO_ROOT)
    assert len(result.fixed) == 3
    text = out["main.tf"]
    assert text.count("encrypted   = true") == 2
    assert "  root_block_device {\n    encrypted = true\n  }\n\n  lifecycle {" in text


def test_root_false_becomes_true_with_count_keeping_the_comment(snapshot) -> None:
    diff = check_fix(R, ROOT_FALSE)
    assert "+    encrypted   = true # legacy\n" in diff
    assert diff == snapshot


def test_dynamic_blocks_count_as_present_and_their_content_is_fixed(snapshot) -> None:
    out, result = fix(R, DYNAMIC)
    assert "\n  root_block_device {" not in out["main.tf"]
    assert "      volume_size = root_block_device.value\n      encrypted   = true\n" in out["main.tf"]
    assert len(result.fixed) == 1
    (left,) = result.remaining
    assert not left.fixable and left.line == 18 and 'dynamic "ebs_block_device"' in left.message
    assert check_fix(R, DYNAMIC) == snapshot


def test_fixes_are_unsafe_and_force_replacement() -> None:
    out, result = fix(R, ROOT_FALSE, unsafe=False)
    assert out["main.tf"] == ROOT_FALSE
    (held,) = result.remaining
    assert held.held_back and held.impact == "forces replacement" and "forces replacement" in held.fix


def test_kms_key_without_encrypted_is_safe() -> None:
    text = ('resource "aws_instance" "i" {\n  ami = "ami-1"\n\n  root_block_device {\n'
            '    kms_key_id = aws_kms_key.ebs.arn\n  }\n}\n')
    out, result = fix(R, text, unsafe=False)
    assert "    kms_key_id = aws_kms_key.ebs.arn\n    encrypted  = true\n" in out["main.tf"]
    assert [(r.safety, r.impact) for r in result.fixed] == [("safe", "none")]


def test_already_encrypted_is_left_alone() -> None:
    text = ('resource "aws_instance" "i" {\n  ami = "ami-1"\n\n  root_block_device {\n    encrypted = true\n  }\n\n'
            '  ebs_block_device {\n    device_name = "/dev/sdf"\n    encrypted   = "true"\n  }\n\n'
            '  ephemeral_block_device {\n    device_name  = "/dev/sdb"\n    virtual_name = "ephemeral0"\n  }\n}\n')
    assert unchanged(R, text) and findings(R, text) == []


def test_expression_is_reported_without_fix() -> None:
    text = 'resource "aws_instance" "i" {\n  ami = "ami-1"\n\n  root_block_device {\n    encrypted = var.enc\n  }\n}\n'
    assert unchanged(R, text)
    assert findings(R, text) == [("TFX104", 5, False)]


def test_multi_file_module_and_other_resources() -> None:
    other = 'resource "aws_ebs_volume" "v" {\n  size = 8\n}\n'
    out, result = fix(R, {"ec2.tf": ROOT_FALSE, "ebs.tf": other})
    assert out["ebs.tf"] == other and "encrypted   = true" in out["ec2.tf"]
    assert [r.path for r in result.fixed] == ["ec2.tf"]


def test_suppression() -> None:
    text = "# tffix:ignore[TFX104]\n" + ROOT_FALSE
    assert unchanged(R, text) and findings(R, text) == []
    checkov = ROOT_FALSE.replace("  count", "  #checkov:skip=CKV_AWS_8:rebuilt weekly\n  count")
    assert unchanged(R, checkov)


LAUNCH_CONFIGURATION = """\
resource "aws_launch_configuration" "web" {
  name_prefix   = "web-"
  image_id      = var.ami_id
  instance_type = "t3.micro"

  ebs_block_device {
    device_name = "/dev/sdf"
    volume_size = 20
  }

  lifecycle {
    create_before_destroy = true
  }
}
"""


def test_replaceable_launch_configuration_is_encrypted_by_replacing_it(snapshot) -> None:
    diff = check_fix(R, LAUNCH_CONFIGURATION)
    out, _ = fix(R, LAUNCH_CONFIGURATION)
    assert "  root_block_device {\n    encrypted = true\n  }\n" in out["main.tf"]
    assert '    volume_size = 20\n    encrypted   = true\n' in out["main.tf"]
    _, result = fix(R, LAUNCH_CONFIGURATION, unsafe=False)
    assert {(r.held_back, r.impact) for r in result.remaining} == {(True, "forces replacement")}
    assert all("instance whose" not in r.message for r in result.remaining)
    assert diff == snapshot


def test_launch_configuration_with_a_fixed_name_is_reported() -> None:
    text = LAUNCH_CONFIGURATION.replace('name_prefix   = "web-"', 'name          = "web"')
    out, result = fix(R, text)
    assert out == {"main.tf": text}
    assert len(result.remaining) == 2
    assert all(not r.fixable and "fixed name" in r.message for r in result.remaining)
