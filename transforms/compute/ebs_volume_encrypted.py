"""TFX103: EBS volumes are encrypted at rest."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from tffix.engine.module import Module
from tffix.engine.rules import (
    FIX_ALWAYS,
    IMPACT_NONE,
    IMPACT_REPLACE,
    SAFE,
    UNSAFE,
    Finding,
    Rule,
)
from tffix.transforms.lib.settings import attribute, setting_findings


class EbsVolumeEncrypted(Rule):
    """
    ## What it does
    Sets `encrypted = true` on `aws_ebs_volume`: a missing argument, `null` or a literal
    `false` becomes `true`. A value from an expression (a variable, a conditional) is
    reported without a fix.

    ## Why is this bad?
    An unencrypted volume keeps its data, and every snapshot taken from it, in plain text;
    copies shared with other accounts or restored elsewhere stay unencrypted. Seed 004
    ("Missing Encryption": "EBS volumes without encryption") and seed 000 §1 ("Unencrypted
    data at rest") list it among the most frequent failures. Unless the account turned on
    EBS encryption by default, a volume without `encrypted = true` is not encrypted.

    ## Example
    ```hcl
    resource "aws_ebs_volume" "data" {
      availability_zone = "eu-west-1a"
      size              = 100
    }
    ```

    ## Use instead
    ```hcl
    resource "aws_ebs_volume" "data" {
      availability_zone = "eu-west-1a"
      size              = 100
      encrypted         = true
    }
    ```
    Add `kms_key_id` to use a customer managed key instead of the account's default EBS key
    (`aws/ebs` unless the account chose another).

    ## Fix safety
    **Unsafe** in general: `encrypted` forces replacement, so on a volume that is deployed
    unencrypted the plan destroys it and creates a new, empty one (attached data is lost
    unless you snapshot it, copy the snapshot with encryption and create the volume from
    the copy). For code that has never been applied the fix is harmless: mark it safe with
    `extend-safe-fixes = ["TFX103"]`.

    **Safe** when the volume sets `kms_key_id` but not `encrypted`: EC2 only creates such a
    volume encrypted (or the account encrypts by default), so the state already says
    `encrypted = true` and the plan shows no change.

    ## Deployment impact
    **Forces replacement** of a volume that is deployed unencrypted. None when it is already
    encrypted (account-level encryption by default, an encrypted snapshot, or `kms_key_id`):
    `encrypted` is Optional and Computed, so the state holds the real value and writing
    `true` matches it.

    ## References
    - Terraform AWS provider source, `internal/service/ec2/ebs_volume.go`: `encrypted`
      (Optional, Computed, ForceNew), `kms_key_id` (Optional, Computed, ForceNew), both sent
      to `CreateVolume` only when set
    - Amazon EC2 API `CreateVolume`: a `KmsKeyId` requires the encrypted state to be true;
      "Amazon EBS encryption" (encryption by default, snapshots of encrypted volumes)
    - Checkov CKV_AWS_3 (`checkov/terraform/checks/resource/aws/EBSEncryption.py`); Trivy
      AWS-0026 (`checks/cloud/aws/ec2/enable_volume_encryption.rego`)
    """

    id = "TFX103"
    name = "ebs-volume-encrypted"
    summary = "EBS volumes must set encrypted = true"
    fix_availability = FIX_ALWAYS
    safety = UNSAFE
    impact = IMPACT_REPLACE
    checkov = ("CKV_AWS_3",)
    trivy = ("AWS-0026",)

    def check(self, module: Module, options: dict[str, Any]) -> Iterator[Finding]:
        for ref in module.resources("aws_ebs_volume"):
            keyed = attribute(ref.block, "kms_key_id") is not None
            missing = (SAFE, IMPACT_NONE) if keyed else (UNSAFE, IMPACT_REPLACE)
            for f in setting_findings(self, ref, ref.block, "encrypted", True, missing=missing,
                                      wrong=(UNSAFE, IMPACT_REPLACE),
                                      why="the volume and its snapshots are not encrypted at rest"):
                if f.fix is not None and f.fix.impact == IMPACT_REPLACE:
                    f.fix.description += " (forces replacement of a deployed unencrypted volume)"
                yield f
