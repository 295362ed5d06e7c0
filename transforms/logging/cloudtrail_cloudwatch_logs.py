"""TFX707: CloudTrail trails deliver their events to CloudWatch Logs."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from tffix.engine.module import Module
from tffix.engine.rules import DISPLAY_ONLY, FIX_NEVER, IMPACT_NONE, Finding, Rule
from tffix.syntax import cst
from tffix.transforms.lib.settings import text

ADVICE = ('set cloud_watch_logs_group_arn = "${aws_cloudwatch_log_group.<name>.arn}:*" and cloud_watch_logs_role_arn '
          "to a role that cloudtrail.amazonaws.com can assume, allowed logs:CreateLogStream and logs:PutLogEvents on "
          "that log group")


def _unset(attr: cst.Attribute | None) -> bool:
    """Missing, ``null`` or ``""``: the provider sends no value."""
    if attr is None:
        return True
    known, value = text(attr.value)
    return known and not value


class CloudtrailCloudwatchLogs(Rule):
    """
    ## What it does
    Reports an `aws_cloudtrail` that does not send its events to CloudWatch Logs:
    `cloud_watch_logs_group_arn` missing, `null` or `""`. Also reports two mistakes in a
    trail that does set it:
    - `cloud_watch_logs_role_arn` missing (or `null` / `""`): CloudTrail needs the role to
      write to the log group, and the provider sends both arguments together;
    - `cloud_watch_logs_group_arn = aws_cloudwatch_log_group.x.arn` as a bare reference: the
      provider strips the `:*` suffix from the log group's `arn`, and CloudTrail requires
      the log stream wildcard (`"${aws_cloudwatch_log_group.x.arn}:*"`).

    A value from any other expression (`var.cloudwatch_log_group_arn`, a conditional) is
    not reported: reusable modules take it from their caller. Display only.

    ## Why is this bad?
    A trail that writes only to S3 delivers its events in files every few minutes and
    nothing watches them: no metric filter and alarm on root logins, IAM policy changes or
    security group changes, no CloudWatch Logs Insights queries, and security incidents are
    noticed late (seed 002 §2.4 "CloudTrail Not Integrated with CloudWatch Logs"). The CIS
    AWS Foundations Benchmark's monitoring controls all assume this integration.

    ## Example
    ```hcl
    resource "aws_cloudtrail" "main" {
      name                  = "main"
      s3_bucket_name        = aws_s3_bucket.trail.id
      is_multi_region_trail = true
    }
    ```

    ## Use instead
    ```hcl
    resource "aws_cloudwatch_log_group" "trail" {
      name              = "/aws/cloudtrail/main"
      retention_in_days = 365
      kms_key_id        = aws_kms_key.logs.arn
    }

    resource "aws_iam_role" "trail_logs" {
      name = "cloudtrail-to-cloudwatch-logs"
      assume_role_policy = jsonencode({
        Version = "2012-10-17"
        Statement = [{
          Effect    = "Allow"
          Principal = { Service = "cloudtrail.amazonaws.com" }
          Action    = "sts:AssumeRole"
        }]
      })
    }

    resource "aws_iam_role_policy" "trail_logs" {
      name = "write-trail-log-group"
      role = aws_iam_role.trail_logs.id
      policy = jsonencode({
        Version = "2012-10-17"
        Statement = [{
          Effect   = "Allow"
          Action   = ["logs:CreateLogStream", "logs:PutLogEvents"]
          Resource = "${aws_cloudwatch_log_group.trail.arn}:*"
        }]
      })
    }

    resource "aws_cloudtrail" "main" {
      name                       = "main"
      s3_bucket_name             = aws_s3_bucket.trail.id
      is_multi_region_trail      = true
      enable_log_file_validation = true
      cloud_watch_logs_group_arn = "${aws_cloudwatch_log_group.trail.arn}:*"
      cloud_watch_logs_role_arn  = aws_iam_role.trail_logs.arn
    }
    ```

    ## Fix safety
    No fix: it takes a log group (its name, retention and key), an IAM role trusted by
    `cloudtrail.amazonaws.com` and a policy on it, and a decision about ingestion cost: a
    multi-region trail sends every region's management events to the group, charged per GB
    ingested. An organization may also already collect trails centrally.

    ## Deployment impact
    None (display only). Adding the two arguments yourself is an in-place update of the trail
    (`UpdateTrail`, which the provider sends with both ARNs); the trail keeps its name, ARN and
    S3 delivery. The role and its policy must exist before the trail is updated, or CloudTrail
    rejects the ARNs.

    ## References
    - Terraform AWS provider source, `internal/service/cloudtrail/trail.go`:
      `cloud_watch_logs_group_arn` and `cloud_watch_logs_role_arn` (Optional, not ForceNew;
      "Both of these need to be provided together in the update call", sent with
      `UpdateTrail`); `aws_cloudtrail` docs ("Note that CloudTrail requires the Log Stream
      wildcard"); `aws_cloudwatch_log_group` docs (`arn`: "Any `:*` suffix added by the API
      ... is removed"); hashicorp/terraform-provider-aws issue #14557 (since provider 3.0 a
      bare log group `arn` fails with `InvalidCloudWatchLogsLogGroupArnException`; the docs
      now append `:*`)
    - AWS CloudTrail User Guide, "Sending events to CloudWatch Logs" (role trusted by
      `cloudtrail.amazonaws.com` with `logs:CreateLogStream` and `logs:PutLogEvents`)
    - Checkov CKV2_AWS_10 "Ensure CloudTrail trails are integrated with CloudWatch Logs"
      (`checkov/terraform/checks/graph_checks/aws/CloudtrailHasCloudwatch.yaml`; CKV_AWS_252 is
      the SNS topic check, not this one); Trivy AWS-0162
      (`checks/cloud/aws/cloudtrail/ensure_cloudwatch_integration.rego`)
    - Seed 002 §2.4 (`../shared/seeds`)
    """

    id = "TFX707"
    name = "cloudtrail-cloudwatch-logs"
    summary = "CloudTrail trails must send their events to a CloudWatch Logs log group"
    fix_availability = FIX_NEVER
    safety = DISPLAY_ONLY
    impact = IMPACT_NONE
    checkov = ("CKV2_AWS_10",)
    trivy = ("AWS-0162",)

    def check(self, module: Module, options: dict[str, Any]) -> Iterator[Finding]:
        for ref in module.resources("aws_cloudtrail"):
            block = ref.block
            group = block.get_attribute("cloud_watch_logs_group_arn")
            role = block.get_attribute("cloud_watch_logs_role_arn")
            if _unset(group):
                what = ("does not set cloud_watch_logs_group_arn" if group is None
                        else f"sets cloud_watch_logs_group_arn = {group.value.code.strip()}")
                yield self.finding(ref.file, group.value if group is not None else block,
                                   f"{ref.address} {what}, so its events reach only S3 and no metric filter or alarm "
                                   f"can watch them; {ADVICE}", block=block)
                continue
            assert group is not None
            if _unset(role):
                yield self.finding(
                    ref.file, role.value if role is not None else group.value,
                    f"{ref.address} sets cloud_watch_logs_group_arn without cloud_watch_logs_role_arn, so CloudTrail "
                    "cannot write to the log group; set cloud_watch_logs_role_arn to a role that "
                    "cloudtrail.amazonaws.com can assume, allowed logs:CreateLogStream and logs:PutLogEvents on it",
                    block=block)
            value = group.value
            if (isinstance(value, cst.Traversal) and value.steps
                    and isinstance(value.steps[-1], cst.GetAttr) and value.steps[-1].name == "arn"
                    and (target := module.resolve(value)) is not None
                    and target.block.label_values[:1] == ["aws_cloudwatch_log_group"]):
                shown = value.code.strip()
                yield self.finding(
                    ref.file, value,
                    f"{ref.address} sets cloud_watch_logs_group_arn = {shown}, which has no \":*\" suffix (the "
                    f"provider strips it from the log group's arn) and CloudTrail requires it; "
                    f"write \"${{{shown}}}:*\"",
                    block=block)
