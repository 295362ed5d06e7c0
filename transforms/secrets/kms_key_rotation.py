"""TFX102: symmetric KMS keys rotate their key material every year."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from tffix.engine.module import Module
from tffix.engine.rules import FIX_SOMETIMES, IMPACT_IN_PLACE, SAFE, Finding, Rule
from tffix.transforms.lib.settings import attribute, setting_findings, text

# (argument, the only value for which AWS KMS rotates the key automatically)
ROTATABLE = (("customer_master_key_spec", "SYMMETRIC_DEFAULT"), ("key_usage", "ENCRYPT_DECRYPT"))
# keys whose material lives outside AWS KMS (CloudHSM or an external key store) cannot rotate
CUSTOM_STORE = ("custom_key_store_id", "xks_key_id")


class KmsKeyRotation(Rule):
    """
    ## What it does
    Sets `enable_key_rotation = true` on `aws_kms_key`: a missing argument, `null` or a
    literal `false` becomes `true`. `rotation_period_in_days` is left as it is (AWS rotates
    yearly unless it says otherwise).

    Left alone, because AWS KMS cannot rotate them automatically:
    - asymmetric keys and HMAC keys (`customer_master_key_spec` other than
      `SYMMETRIC_DEFAULT`, e.g. `RSA_2048`, `ECC_NIST_P256`, `HMAC_256`);
    - keys for signing, MAC or key agreement (`key_usage` other than `ENCRYPT_DECRYPT`);
    - keys in a custom key store (`custom_key_store_id`, `xks_key_id`).

    Reported without a fix: `enable_key_rotation`, `customer_master_key_spec` or
    `key_usage` set from an expression (a variable, a conditional): the rule cannot tell
    whether the key rotates or can rotate.

    ## Why is this bad?
    A key that never rotates keeps encrypting new data with the same key material for
    years, so one leaked or brute-forced data key exposes everything. Yearly rotation is a
    CIS benchmark control and a common compliance requirement; seed 003 §7 ("KMS key for
    production log encryption") writes `enable_key_rotation = true` as the ideal, and seed
    000 §1 lists missing KMS hygiene among the common security gaps.

    ## Example
    ```hcl
    resource "aws_kms_key" "logs" {
      description             = "CloudWatch Logs"
      deletion_window_in_days = 10
    }
    ```

    ## Use instead
    ```hcl
    resource "aws_kms_key" "logs" {
      description             = "CloudWatch Logs"
      deletion_window_in_days = 10
      enable_key_rotation     = true
    }
    ```

    ## Fix safety
    **Safe.** Rotation keeps the key id, ARN, aliases, policy and grants; AWS KMS keeps every
    earlier key material version and picks the right one to decrypt, so nothing that uses
    the key notices. The only effect is cost: each rotation adds stored key material (USD 1
    a month for the first and second rotation, then no more; see AWS KMS pricing). A literal
    `false` is also switched on: turning rotation off never protects anything that depends
    on the key.

    ## Deployment impact
    In-place update (`EnableKeyRotation`); no replacement, no downtime. Keys that already
    rotate (state `true`) show no change.

    ## References
    - Terraform AWS provider source, `internal/service/kms/key.go`: `enable_key_rotation`
      (Optional, Default false, updated in place with `EnableKeyRotation` /
      `DisableKeyRotation`), `customer_master_key_spec` (Default `SYMMETRIC_DEFAULT`,
      ForceNew), `key_usage` (Default `ENCRYPT_DECRYPT`), rotation status only read for
      keys of origin `AWS_KMS`
    - AWS KMS Developer Guide, "Rotating AWS KMS keys": automatic rotation only for
      symmetric encryption keys with key material AWS KMS generates (not asymmetric, HMAC,
      imported or custom key store keys)
    - Checkov CKV_AWS_7 (`checkov/terraform/checks/resource/aws/KMSRotation.py`; it also
      checks HMAC keys, which AWS cannot rotate, so this rule skips them); Trivy AWS-0065
      (`checks/cloud/aws/kms/auto_rotate_keys.rego`)
    """

    id = "TFX102"
    name = "kms-key-rotation"
    summary = "Symmetric KMS keys must set enable_key_rotation = true"
    fix_availability = FIX_SOMETIMES
    safety = SAFE
    impact = IMPACT_IN_PLACE
    checkov = ("CKV_AWS_7",)
    trivy = ("AWS-0065",)

    def check(self, module: Module, options: dict[str, Any]) -> Iterator[Finding]:
        for ref in module.resources("aws_kms_key"):
            block = ref.block
            if any(attribute(block, name) is not None for name in CUSTOM_STORE):
                continue
            unknown = None
            skip = False
            for name, rotatable in ROTATABLE:
                attr = attribute(block, name)
                if attr is None:
                    continue
                known, value = text(attr.value)
                if not known:
                    unknown = unknown or name
                elif value != rotatable:
                    skip = True
            if skip:
                continue
            findings = list(setting_findings(
                self, ref, block, "enable_key_rotation", True, missing=(SAFE, IMPACT_IN_PLACE),
                wrong=(SAFE, IMPACT_IN_PLACE), after=("deletion_window_in_days", "description"),
                why="its key material never rotates",
            ))
            for f in findings:
                if unknown is not None:
                    f.fix = None
                    f.message += f" (only if it is a symmetric encryption key: {unknown} is an expression)"
                yield f
