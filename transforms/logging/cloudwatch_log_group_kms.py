"""TFX705: CloudWatch log groups are encrypted with a customer managed KMS key."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from tffix import edit
from tffix.engine.module import BlockRef, Module
from tffix.engine.rules import FIX_SOMETIMES, IMPACT_IN_PLACE, UNSAFE, Finding, Rule
from tffix.syntax.build import HCL
from tffix.transforms.lib.settings import text
from tffix.transforms.lib.supporting import SUPPORT_FILE, Support, logs_key, provider_of, with_support

ADVICE = ("set kms_key_id to the ARN of a customer managed KMS key whose key policy lets the "
          "logs.<region>.amazonaws.com service principal use it (scoped with a "
          "kms:EncryptionContext:aws:logs:arn condition)")


class CloudwatchLogGroupKms(Rule):
    """
    ## What it does
    Finds an `aws_cloudwatch_log_group` that does not set `kms_key_id`, or sets it to `null`
    or `""` (both mean "no key" to the provider), and sets `kms_key_id` to a customer managed
    key CloudWatch Logs may use:

    - a key of the module whose key policy already allows a `logs.*` service principal
      (preferring one whose label says logs), or else
    - a new `aws_kms_key.cloudwatch_logs` in `security.tf`, shared by every log group of the
      module: rotation on, and a key policy with two statements: the account may administer
      the key as its IAM policies allow (AWS's default key policy statement, so the key stays
    manageable), and `logs.<region>.<dns suffix>` may use it only for
      log groups of this account and region (`kms:EncryptionContext:aws:logs:arn`). Region,
      account and partition come from `aws_region`, `aws_caller_identity` and
      `aws_partition` data sources (the module's own, or new ones).

    A log group with `provider = aws.west` gets a key (and data sources) of that provider,
    `aws_kms_key.cloudwatch_logs_west`; one whose `provider` is an expression, and one of
    class `DELIVERY`, are reported without a fix. A `kms_key_id` from an expression (`var.kms_key_id`,
    `aws_kms_key.logs.arn`, a conditional) counts as set: reusable modules take the key from
    their caller, and the rule cannot tell whether it is null.

    ## Why is this bad?
    Without a key, CloudWatch Logs encrypts the events with a key AWS owns: you cannot
    restrict who may decrypt them, audit their use in CloudTrail, or revoke access by
    disabling the key. Application logs routinely carry personal data, tokens and internal
    addresses, and compliance frameworks ask for customer managed keys on them (seed 000 §1
    "Missing KMS encryption on resources that support it (RDS, S3, CloudWatch logs)", seed 003
    §7 "CloudWatch Log Group Missing Log Stream Configuration", whose fix adds `kms_key_id`).

    ## Example
    ```hcl
    resource "aws_cloudwatch_log_group" "app" {
      name              = "/ecs/app"
      retention_in_days = 365
    }
    ```

    ## Use instead
    ```hcl
    resource "aws_cloudwatch_log_group" "app" {
      name              = "/ecs/app"
      retention_in_days = 365
      kms_key_id        = aws_kms_key.cloudwatch_logs.arn
    }
    ```
    ```hcl
    # file: security.tf
    data "aws_region" "current" {}

    data "aws_caller_identity" "current" {}

    data "aws_partition" "current" {}

    resource "aws_kms_key" "cloudwatch_logs" {
      description             = "CloudWatch Logs log groups"
      enable_key_rotation     = true
      deletion_window_in_days = 30
      policy = jsonencode({
        Version = "2012-10-17"
        Statement = [
          {
            Sid    = "AccountAdministration"
            Effect = "Allow"
            Principal = {
              AWS = "arn:${data.aws_partition.current.partition}:iam::${data.aws_caller_identity.current.account_id}:root"
            }
            Action   = "kms:*"
            Resource = "*"
          },
          {
            Sid    = "CloudWatchLogs"
            Effect = "Allow"
            Principal = {
              Service = "logs.${data.aws_region.current.name}.${data.aws_partition.current.dns_suffix}"
            }
            Action   = ["kms:Encrypt*", "kms:Decrypt*", "kms:ReEncrypt*", "kms:GenerateDataKey*", "kms:Describe*"]
            Resource = "*"
            Condition = {
              ArnLike = {
                "kms:EncryptionContext:aws:logs:arn" = "arn:${data.aws_partition.current.partition}:logs:${data.aws_region.current.name}:${data.aws_caller_identity.current.account_id}:log-group:*"
              }
            }
          },
        ]
      })
    }
    ```

    ## Fix safety
    **Unsafe**. It creates a KMS key (billed monthly, plus requests) unless the module has
    one that fits, and changes who can read the events: the key policy now decides. The key
    policy is written so that the association works (CloudWatch Logs checks at
    `AssociateKmsKey` that its regional principal may use the key for that log group's ARN),
    and the account's principals keep what their IAM policies give them. Disabling or deleting the key, or removing the logs statement, makes the events
    unreadable. A key from another team, or one key per application, is a choice the fix
    does not make: set `kms_key_id` yourself (or `# tffix:ignore[TFX705]`) for that.

    ## Deployment impact
    In-place update (`AssociateKmsKey`), plus the new key and data sources when created: the
    group, its streams and subscriptions stay; only events ingested after the association
    are encrypted with the key, and it can take up to five minutes to take effect. Removing
    it later calls `DisassociateKmsKey`; events already encrypted still need the key to be
    read.

    ## References
    - `transforms/lib/supporting.py`: how the key is found or created, named and placed
    - Terraform AWS provider source, `internal/service/logs/group.go`: `kms_key_id`
      (Optional, not ForceNew; a change calls `AssociateKmsKey`, removing it
      `DisassociateKmsKey`); `aws_cloudwatch_log_group` docs (`kms_key_id`: "The ARN of the
      KMS Key to use when encrypting log data")
    - Amazon CloudWatch Logs User Guide, "Encrypt log data in CloudWatch Logs using AWS Key
      Management Service" (key policy for `logs.<region>.amazonaws.com`, the
      `kms:EncryptionContext:aws:logs:arn` encryption context, only newly ingested data is
      encrypted, symmetric keys only); AWS KMS Developer Guide, "Default key policy" (the
      key administrators statement); provider docs `aws_kms_key` (`policy`,
      `enable_key_rotation`, `deletion_window_in_days` 7-30), data sources `aws_region`
      (`name`), `aws_caller_identity` (`account_id`), `aws_partition` (`partition`,
      `dns_suffix`)
    - Checkov CKV_AWS_158 "Ensure that CloudWatch Log Group is encrypted by KMS"
      (`checkov/terraform/checks/resource/aws/CloudWatchLogGroupKMSKey.py`: any `kms_key_id`);
      Trivy AWS-0017 (`checks/cloud/aws/cloudwatch/log_group_customer_key.rego`)
    - Seed 000 §1, seed 003 §7 (`../shared/seeds`)
    """

    id = "TFX705"
    name = "cloudwatch-log-group-kms"
    summary = "CloudWatch log groups must be encrypted with a customer managed KMS key"
    fix_availability = FIX_SOMETIMES
    safety = UNSAFE
    impact = IMPACT_IN_PLACE
    checkov = ("CKV_AWS_158",)
    trivy = ("AWS-0017",)

    def check(self, module: Module, options: dict[str, Any]) -> Iterator[Finding]:
        for ref in module.resources("aws_cloudwatch_log_group"):
            attr = ref.block.get_attribute("kms_key_id")
            if attr is None:
                message = f"{ref.address} does not set kms_key_id, so its events are encrypted only with a key AWS owns"
                yield self._finding(module, ref, ref.block, message)
                continue
            known, value = text(attr.value)
            if known and not value:
                message = (f"{ref.address} sets kms_key_id = {attr.value.code.strip()}, so its events are encrypted "
                           "only with a key AWS owns")
                yield self._finding(module, ref, attr.value, message)

    def _finding(self, module: Module, ref: BlockRef, node: Any, message: str) -> Finding:
        provider = provider_of(ref.block)
        if provider is None:
            return self.finding(ref.file, node, f"{message}; {ADVICE} (not fixed: its provider is an expression)",
                                block=ref.block)
        log_class = ref.block.get_attribute("log_group_class")
        if log_class is not None and text(log_class.value) == (True, "DELIVERY"):
            return self.finding(ref.file, node, f"{message}; {ADVICE} (not fixed: a DELIVERY class log group keeps "
                                "logs for delivery elsewhere, and tffix does not know that it takes a key)",
                                block=ref.block)
        support = logs_key(module, provider)
        block = ref.block

        def apply(block=block, support: Support = support) -> None:
            edit.set_attribute(block, "kms_key_id", HCL(support.expression))

        return self.finding(ref.file, node, f"{message}; {ADVICE}", block=block,
                            fix=with_support(apply, support, module), scope=(block, *support.scope),
                            description=f"set kms_key_id = {support.describe()}")
