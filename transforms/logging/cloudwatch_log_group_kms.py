"""TFX705: CloudWatch log groups are encrypted with a customer managed KMS key."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from tffix.engine.module import Module
from tffix.engine.rules import DISPLAY_ONLY, FIX_NEVER, IMPACT_NONE, Finding, Rule
from tffix.transforms.lib.settings import text

ADVICE = ("set kms_key_id to the ARN of a customer managed KMS key whose key policy lets the "
          "logs.<region>.amazonaws.com service principal use it (scoped with a "
          "kms:EncryptionContext:aws:logs:arn condition)")


class CloudwatchLogGroupKms(Rule):
    """
    ## What it does
    Reports an `aws_cloudwatch_log_group` that does not set `kms_key_id`, or sets it to
    `null` or `""` (both mean "no key" to the provider). A `kms_key_id` from an expression
    (`var.kms_key_id`, `aws_kms_key.logs.arn`, a conditional) counts as set: reusable modules
    take the key from their caller, and the rule cannot tell whether it is null. Display
    only.

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
    data "aws_caller_identity" "current" {}
    data "aws_region" "current" {}

    locals {
      logs_arn = "arn:aws:logs:${data.aws_region.current.name}:${data.aws_caller_identity.current.account_id}"
    }

    resource "aws_kms_key" "logs" {
      description         = "CloudWatch Logs"
      enable_key_rotation = true
      policy = jsonencode({
        Version = "2012-10-17"
        Statement = [
          {
            Sid       = "AccountAdministration"
            Effect    = "Allow"
            Principal = { AWS = "arn:aws:iam::${data.aws_caller_identity.current.account_id}:root" }
            Action    = "kms:*"
            Resource  = "*"
          },
          {
            Sid       = "CloudWatchLogs"
            Effect    = "Allow"
            Principal = { Service = "logs.${data.aws_region.current.name}.amazonaws.com" }
            Action    = ["kms:Encrypt*", "kms:Decrypt*", "kms:ReEncrypt*", "kms:GenerateDataKey*", "kms:Describe*"]
            Resource  = "*"
            Condition = {
              ArnLike = {
                "kms:EncryptionContext:aws:logs:arn" = "${local.logs_arn}:log-group:*"
              }
            }
          },
        ]
      })
    }

    resource "aws_cloudwatch_log_group" "app" {
      name              = "/ecs/app"
      retention_in_days = 365
      kms_key_id        = aws_kms_key.logs.arn
    }
    ```

    ## Fix safety
    No fix. The key must be a symmetric KMS key whose key policy allows the CloudWatch Logs
    service principal of the log group's region (`logs.<region>.amazonaws.com`), otherwise
    associating it fails (and a key that is later disabled, deleted or loses that permission
    makes the encrypted events unreadable). Whether to create a key per application, share
    one, or use a key owned by another team is a design decision tffix cannot make.

    ## Deployment impact
    None (display only). Adding `kms_key_id` to an existing log group yourself is an in-place
    update (`AssociateKmsKey`): the group, its streams and subscriptions stay; only events
    ingested after the association are encrypted with the key, and it can take up to five
    minutes to take effect. Removing it later calls `DisassociateKmsKey`; events already
    encrypted still need the key to be read.

    ## References
    - Terraform AWS provider source, `internal/service/logs/group.go`: `kms_key_id`
      (Optional, not ForceNew; a change calls `AssociateKmsKey`, removing it
      `DisassociateKmsKey`); `aws_cloudwatch_log_group` docs (`kms_key_id`: "The ARN of the
      KMS Key to use when encrypting log data")
    - Amazon CloudWatch Logs User Guide, "Encrypt log data in CloudWatch Logs using AWS Key
      Management Service" (key policy for `logs.<region>.amazonaws.com`, the
      `kms:EncryptionContext:aws:logs:arn` encryption context, only newly ingested data is
      encrypted, symmetric keys only)
    - Checkov CKV_AWS_158 "Ensure that CloudWatch Log Group is encrypted by KMS"
      (`checkov/terraform/checks/resource/aws/CloudWatchLogGroupKMSKey.py`: any `kms_key_id`);
      Trivy AWS-0017 (`checks/cloud/aws/cloudwatch/log_group_customer_key.rego`)
    - Seed 000 §1, seed 003 §7 (`../shared/seeds`)
    """

    id = "TFX705"
    name = "cloudwatch-log-group-kms"
    summary = "CloudWatch log groups must be encrypted with a customer managed KMS key"
    fix_availability = FIX_NEVER
    safety = DISPLAY_ONLY
    impact = IMPACT_NONE
    checkov = ("CKV_AWS_158",)
    trivy = ("AWS-0017",)

    def check(self, module: Module, options: dict[str, Any]) -> Iterator[Finding]:
        for ref in module.resources("aws_cloudwatch_log_group"):
            attr = ref.block.get_attribute("kms_key_id")
            if attr is None:
                yield self.finding(ref.file, ref.block, f"{ref.address} does not set kms_key_id, so its events are "
                                   f"encrypted only with a key AWS owns; {ADVICE}", block=ref.block)
                continue
            known, value = text(attr.value)
            if known and not value:
                yield self.finding(ref.file, attr.value, f"{ref.address} sets kms_key_id = {attr.value.code.strip()}, "
                                   f"so its events are encrypted only with a key AWS owns; {ADVICE}", block=ref.block)
