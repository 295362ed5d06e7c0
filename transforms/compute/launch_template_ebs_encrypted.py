"""TFX105: launch templates encrypt the EBS volumes they map."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from tffix.engine.module import BlockRef, Module
from tffix.engine.rules import FIX_SOMETIMES, IMPACT_IN_PLACE, UNSAFE, Finding, Rule
from tffix.syntax import cst
from tffix.transforms.lib.settings import (
    dynamic_findings,
    nested,
    setting_findings,
    text,
)

MAPPINGS, EBS = "block_device_mappings", "ebs"
CASE = (UNSAFE, IMPACT_IN_PLACE)
WHY = "instances launched from the template get an unencrypted volume unless the account encrypts by default"


def _mapping_label(mapping: cst.Block, dynamic: bool) -> str:
    if dynamic:
        return f'dynamic "{MAPPINGS}"'
    attr = mapping.get_attribute("device_name")
    known, name = text(attr.value) if attr is not None else (False, None)
    return f'{MAPPINGS} "{name}"' if known and name else MAPPINGS


class LaunchTemplateEbsEncrypted(Rule):
    """
    ## What it does
    Sets `encrypted = true` in every `ebs` block of an `aws_launch_template`'s
    `block_device_mappings`: a missing argument, `null` or a literal `false` (also the
    strings `"false"`, as the provider stores this argument as a string) becomes `true`.
    Dynamic blocks (`dynamic "block_device_mappings"`, `dynamic "ebs"`) count as the blocks
    being there; their `content` is fixed the same way.

    Left alone: mappings without an `ebs` block (instance store `virtual_name`, `no_device`)
    and templates without `block_device_mappings` (the AMI's own mappings apply; naming
    the root device needs the AMI's device name, which the rule cannot know). Reported
    without a fix: `encrypted` set from an expression.

    ## Why is this bad?
    Every instance an Auto Scaling group, EKS node group or Spot fleet launches from the
    template gets these volumes; without `encrypted = true` they are encrypted only when the
    AMI snapshot is or the account turned on EBS encryption by default. Seed 004 ("Missing
    Encryption": "EBS volumes without encryption") and seed 000 §1 list it among the common
    failures.

    ## Example
    ```hcl
    resource "aws_launch_template" "app" {
      image_id      = data.aws_ami.al2023.id
      instance_type = "t3.micro"

      block_device_mappings {
        device_name = "/dev/xvda"

        ebs {
          volume_size = 30
          volume_type = "gp3"
        }
      }
    }
    ```

    ## Use instead
    ```hcl
    resource "aws_launch_template" "app" {
      image_id      = data.aws_ami.al2023.id
      instance_type = "t3.micro"

      block_device_mappings {
        device_name = "/dev/xvda"

        ebs {
          volume_size = 30
          volume_type = "gp3"
          encrypted   = true
        }
      }
    }
    ```

    ## Fix safety
    **Unsafe.** The template gets a new version and every instance launched from it later
    encrypts the volume with the account's default EBS key. When that default key is a
    customer managed key whose policy does not let the launching service use it (the Auto
    Scaling service-linked role, Karpenter's or a node group's role), launches fail; with
    the AWS managed `aws/ebs` key they do not. Review the key before applying; for a module
    that has never been applied mark the fix safe with `extend-safe-fixes = ["TFX105"]`.

    ## Deployment impact
    In-place update: the launch template gets a new version (and a new default version when
    `update_default_version = true`). Running instances keep their volumes; groups that
    launch `$Latest` / the default version, or that run an instance refresh on template
    changes, replace or add instances with encrypted volumes.

    ## References
    - Terraform AWS provider source, `internal/service/ec2/ec2_launch_template.go`:
      `block_device_mappings` (Optional list) → `ebs` (MaxItems 1) → `encrypted` (nullable
      bool stored as a string, Optional, not ForceNew: an update writes a new template
      version)
    - Amazon EC2 API `LaunchTemplateEbsBlockDeviceRequest` / "Amazon EBS encryption"
      (encryption on launch from unencrypted snapshots, encryption by default, key policy
      requirements for Auto Scaling service-linked roles)
    - No Checkov or Trivy check is mapped: CKV_AWS_8 and Trivy AWS-0008 cover
      `aws_instance` / `aws_launch_configuration`, not launch templates
    """

    id = "TFX105"
    name = "launch-template-ebs-encrypted"
    summary = "Launch templates must set encrypted = true on their EBS block device mappings"
    fix_availability = FIX_SOMETIMES
    safety = UNSAFE
    impact = IMPACT_IN_PLACE

    def check(self, module: Module, options: dict[str, Any]) -> Iterator[Finding]:
        for ref in module.resources("aws_launch_template"):
            yield from self._check(ref)

    def _check(self, ref: BlockRef) -> Iterator[Finding]:
        static, dynamic = nested(ref.block, MAPPINGS)
        bodies = [(m, _mapping_label(m, False)) for m in static]
        for dyn in dynamic:
            bodies.extend((content, _mapping_label(dyn, True)) for content in dyn.find_blocks("content")[:1])
        for body, label in bodies:
            ebs_blocks, ebs_dynamic = nested(body, EBS)
            for ebs in ebs_blocks:
                yield from setting_findings(self, ref, ebs, "encrypted", True, missing=CASE, wrong=CASE,
                                            where=f"{label} {EBS}", why=WHY)
            for dyn in ebs_dynamic:
                yield from dynamic_findings(self, ref, dyn, "encrypted", True, missing=CASE, wrong=CASE, why=WHY)
