"""TFX104: EC2 instances encrypt their root and EBS block devices."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from tffix.engine.module import BlockRef, Module
from tffix.engine.rules import (
    FIX_ALWAYS,
    IMPACT_NONE,
    IMPACT_REPLACE,
    SAFE,
    UNSAFE,
    Finding,
    Rule,
)
from tffix.syntax import cst
from tffix.syntax.build import NewBlock
from tffix.transforms.lib import launch_configurations
from tffix.transforms.lib.settings import (
    add_nested_block,
    attribute,
    dynamic_findings,
    nested,
    setting_findings,
    text,
)

ROOT, EBS = "root_block_device", "ebs_block_device"
WHY = "the volume is not encrypted at rest"


def _device_label(device: cst.Block) -> str:
    attr = device.get_attribute("device_name")
    known, name = text(attr.value) if attr is not None else (False, None)
    return f'{EBS} "{name}"' if known and name else EBS


class InstanceBlockDeviceEncrypted(Rule):
    """
    ## What it does
    Encrypts the EBS volumes an `aws_instance` or an `aws_launch_configuration` creates:
    - `root_block_device` and every `ebs_block_device` get `encrypted = true` (a missing
      argument, `null` or a literal `false`);
    - an instance without a `root_block_device` block gets `root_block_device { encrypted =
      true }` (the other root volume settings stay computed, so only encryption changes);
    - a `dynamic "root_block_device"` / `dynamic "ebs_block_device"` block counts as the
      block being there: its `content` is fixed the same way, and no second block is added.

    A launch configuration cannot be changed, only replaced, so it is fixed only where the
    replacement applies: with `lifecycle { create_before_destroy = true }` and without a fixed
    `name`; other launch configurations are reported, saying which is missing (see also TFX805).

    Reported without a fix: `encrypted` set from an expression (a variable, a conditional,
    `each.value.encrypted`). Instance store volumes (`ephemeral_block_device`) are not EBS
    and are left alone.

    ## Why is this bad?
    Without `encrypted = true` the root volume is encrypted only when the AMI's snapshot is
    or when the account turned on EBS encryption by default; otherwise the operating system,
    application data, logs and every snapshot or AMI made from the instance sit on disk in
    plain text. Seed 004 ("Missing Encryption": "EBS volumes without encryption") and seed
    000 §1 ("Unencrypted data at rest") list it among the most common failures.

    ## Example
    ```hcl
    resource "aws_instance" "app" {
      ami           = data.aws_ami.al2023.id
      instance_type = "t3.micro"

      ebs_block_device {
        device_name = "/dev/sdf"
        volume_size = 50
      }
    }
    ```

    ## Use instead
    ```hcl
    resource "aws_instance" "app" {
      ami           = data.aws_ami.al2023.id
      instance_type = "t3.micro"

      ebs_block_device {
        device_name = "/dev/sdf"
        volume_size = 50
        encrypted   = true
      }

      root_block_device {
        encrypted = true
      }
    }
    ```

    ## Fix safety
    **Unsafe** in general: `encrypted` forces replacement of the instance when a deployed
    volume is unencrypted; the new instance boots from the AMI again, so everything written
    to its disks since launch is lost, and its instance id and private IP (and a public IP
    without an Elastic IP) change. For code that has never been applied the fix is harmless:
    mark it safe with `extend-safe-fixes = ["TFX104"]`.

    **Safe** for a device that sets `kms_key_id` but not `encrypted`: EC2 only creates such
    a volume encrypted, so the state already says `encrypted = true`.

    ## Deployment impact
    **Forces replacement** of the instance when the deployed volume is not encrypted. None
    when it already is (encryption by default, an encrypted AMI snapshot, a `kms_key_id`):
    `encrypted` is Optional and Computed in both blocks, so the state holds the real value
    and writing `true` matches it. **Forces replacement** of a launch configuration (every
    change does): the Auto Scaling group is pointed at the new one in place, and instances
    already running keep their volumes until the group replaces them.

    ## References
    - Terraform AWS provider source, `internal/service/ec2/ec2_instance.go`:
      `root_block_device` (Optional, Computed, MaxItems 1) and `ebs_block_device` (Optional,
      Computed set), `encrypted` and `kms_key_id` in both: Optional, Computed, ForceNew
    - Amazon EC2 User Guide, "Amazon EBS encryption" (encryption by default; volumes created
      from encrypted snapshots are encrypted)
    - Checkov CKV_AWS_8 (`checkov/terraform/checks/resource/aws/LaunchConfigurationEBSEncryption.py`,
      `aws_instance` and `aws_launch_configuration`); Trivy AWS-0131
      (`checks/cloud/aws/ec2/enable_at_rest_encryption.rego`)
    - `internal/service/autoscaling/launch_configuration.go`: `root_block_device` (MaxItems 1)
      and `ebs_block_device` with `encrypted` (Optional, Computed, ForceNew), no update
      function (`transforms/lib/launch_configurations.py`); `aws_launch_template` is TFX105
    """

    id = "TFX104"
    name = "instance-block-device-encrypted"
    summary = "EC2 instances and launch configurations must encrypt their root and EBS block devices"
    fix_availability = FIX_ALWAYS
    safety = UNSAFE
    impact = IMPACT_REPLACE
    checkov = ("CKV_AWS_8",)
    trivy = ("AWS-0131",)

    def check(self, module: Module, options: dict[str, Any]) -> Iterator[Finding]:
        for ref in module.resources("aws_instance"):
            yield from self._check(ref)
        for ref in module.resources("aws_launch_configuration"):
            yield from launch_configurations.replacing(ref, self._check(ref, instance=False))

    def _check(self, ref: BlockRef, *, instance: bool = True) -> Iterator[Finding]:
        """``instance``: the descriptions name the instance's replacement (a launch
        configuration's findings say their own, in ``launch_configurations.replacing``)."""
        block = ref.block
        roots, dynamic_roots = nested(block, ROOT)
        if not roots and not dynamic_roots:
            yield self.finding(
                ref.file, block, f"{ref.address} has no {ROOT}: its root volume is encrypted only if the AMI or "
                "the account's EBS encryption by default encrypts it", block=block,
                fix=lambda b=block: add_nested_block(b, NewBlock(ROOT, body={"encrypted": True})),
                description=f"add {ROOT} {{ encrypted = true }}" + (
                    " (forces replacement of an instance whose root volume is unencrypted)" if instance else ""),
            )
        devices = [(ROOT, b) for b in roots] + [(_device_label(b), b) for b in block.find_blocks(EBS)]
        for where, device in devices:
            yield from self._mark(setting_findings(self, ref, device, "encrypted", True, where=where, why=WHY,
                                                   **self._cases(device)), instance)
        for dyn in dynamic_roots + nested(block, EBS)[1]:
            contents = dyn.find_blocks("content")
            cases = self._cases(contents[0]) if contents else {"missing": None, "wrong": None}
            yield from self._mark(dynamic_findings(self, ref, dyn, "encrypted", True, why=WHY, **cases), instance)

    @staticmethod
    def _cases(device: cst.Block) -> dict[str, tuple[str, str]]:
        keyed = attribute(device, "kms_key_id") is not None
        return {"missing": (SAFE, IMPACT_NONE) if keyed else (UNSAFE, IMPACT_REPLACE),
                "wrong": (UNSAFE, IMPACT_REPLACE)}

    @staticmethod
    def _mark(found: Iterator[Finding], instance: bool) -> Iterator[Finding]:
        for f in found:
            if instance and f.fix is not None and f.fix.impact == IMPACT_REPLACE:
                f.fix.description += " (forces replacement of an instance whose volume is unencrypted)"
            yield f
