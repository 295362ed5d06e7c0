"""TFX810: EC2 instances are EBS-optimized."""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

from tffix.engine.module import Module
from tffix.engine.rules import FIX_SOMETIMES, IMPACT_REPLACE, UNSAFE, Finding, Rule
from tffix.transforms.lib.settings import setting_findings, text

# Instance families that are EBS-optimized by default (Amazon EBS User Guide, "Amazon EBS-optimized
# instance types", table "EBS optimization enabled by default": every current-generation family, and the
# older c4, d2, m4, p2, r4, x1 families): setting ebs_optimized = true changes nothing on AWS.
DEFAULT_ON = re.compile(
    r"^(a1|c4|c[5-9][a-z-]*|d2|d3[a-z]*|dl[0-9][a-z]*|f[12]|g[3-9][a-z]*|h1|hpc[0-9][a-z]*|i3[a-z]*|i[4-9][a-z]*"
    r"|im4gn|is4gen|inf[0-9]|m4|m[5-9][a-z-]*|mac[0-9][a-z0-9-]*|p[2-9][a-z]*|r4|r[5-9][a-z-]*|t3a?|t4g"
    r"|trn[0-9][a-z]*|u[0-9]*[a-z]*-[a-z0-9]+|vt1|x1e?|x[2-9][a-z]*|z1d)$")
# The instance part of a type name: "m5.large" -> ("m5", "large"); "u-6tb1.metal" -> ("u-6tb1", "metal").
TYPE = re.compile(r"^([a-z0-9-]+)\.([a-z0-9]+)$")


def ebs_default(instance_type: str) -> bool | None:
    """True: the type is EBS-optimized by default. False: an older type where EBS optimization is an
    extra-cost option or not available. None: not a type name the rule can read."""
    match = TYPE.match(instance_type.lower())
    if match is None:
        return None
    return bool(DEFAULT_ON.match(match.group(1)))


class Ec2EbsOptimized(Rule):
    """
    ## What it does
    Finds `aws_instance` without `ebs_optimized = true`. Where `instance_type` is a literal of a
    family that is EBS-optimized by default (every current-generation family: `t3`, `m5`,
    `c6i`, `r7g`, ..., and the older `c4`, `d2`, `m4`, `p2`, `r4`, `x1`), it writes
    `ebs_optimized = true`, which changes nothing on AWS and states what the instance already
    is. Previous-generation types (`t2`, `m3`, `c3`, `r3`, `m1`, ...), where EBS optimization
    is an extra-cost option or not available at all (a `t2.micro` with `ebs_optimized = true`
    fails to launch), an instance type from an expression, and instances launched from a
    `launch_template` are reported without a fix.

    ## Why is this bad?
    An instance that is not EBS-optimized shares its network link between EBS traffic and
    everything else: disk I/O competes with application traffic and its throughput varies.
    On the previous-generation types where optimization is optional, the fix is to move to a
    current-generation type (EBS-optimized by default, and cheaper per unit of work).

    ## Example
    ```hcl
    resource "aws_instance" "app" {
      ami           = "ami-0123456789abcdef0"
      instance_type = "m5.large"
    }
    ```

    ## Use instead
    ```hcl
    resource "aws_instance" "app" {
      ami           = "ami-0123456789abcdef0"
      instance_type = "m5.large"
      ebs_optimized = true
    }
    ```

    ## Fix safety
    **Unsafe**: on AWS nothing changes (the type is EBS-optimized by default), but in the
    provider `ebs_optimized` is `ForceNew`, and for an instance created without it the state
    records `false` ("if this is not set on an instance type that is optimized by default then
    this will show as disabled"), so Terraform plans to replace a deployed instance. Harmless
    for instances that are not deployed yet; for deployed ones, keep the argument out or
    accept the replacement.

    ## Deployment impact
    Forces replacement of a deployed instance (`ForceNew`); none for a new one.

    ## References
    - terraform-provider-aws `internal/service/ec2/ec2_instance.go`, `ResourceInstance`:
      `ebs_optimized` is `Optional`, `Computed`, `ForceNew` (read at commit 0015dfcd);
      Terraform AWS provider docs `aws_instance`, `ebs_optimized`: "if this is not set on an
      instance type that is optimized by default then this will show as disabled but if the
      instance type is optimized by default then there is no need to set this and there is no
      effect to disabling it"
    - Amazon EBS User Guide, "Amazon EBS-optimized instance types": types with EBS optimization
      enabled by default, types where it is supported at an additional hourly fee, and types
      that do not support it; cloudposse/terraform-aws-ec2-instance issue 174 (a default of
      `ebs_optimized = true` fails on `t2.micro`)
    - Checkov CKV_AWS_135 (`checks/resource/aws/EC2EBSOptimized.py`: `ebs_optimized` must be
      `true`; fails before and passes after the fix, checkov 3.3.30, `bench/checkov_mapping.py`)
    """

    id = "TFX810"
    name = "ec2-ebs-optimized"
    summary = "EC2 instances set ebs_optimized = true (fixed where the type is EBS-optimized by default)"
    fix_availability = FIX_SOMETIMES
    safety = UNSAFE
    impact = IMPACT_REPLACE
    checkov = ("CKV_AWS_135",)

    def check(self, module: Module, options: dict[str, Any]) -> Iterator[Finding]:
        for ref in module.resources("aws_instance"):
            block = ref.block
            attr = block.get_attribute("instance_type")
            known, instance_type = text(attr.value) if attr is not None else (True, None)
            default = ebs_default(instance_type) if known and instance_type else None
            if block.find_blocks("launch_template"):
                default = None
            if default:
                why = f"{instance_type} is EBS-optimized by default: say so"
                case: tuple[str, str] | None = (UNSAFE, IMPACT_REPLACE)
            elif default is False:
                why = (f"{instance_type} is a previous-generation type where EBS optimization costs extra or is "
                       "not available; move to a current-generation type")
                case = None
            else:
                why = "its instance type is not known here; set it where the type supports EBS optimization"
                case = None
            yield from setting_findings(self, ref, block, "ebs_optimized", True, missing=case, wrong=case, why=why)
