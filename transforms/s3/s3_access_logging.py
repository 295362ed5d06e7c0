"""TFX706: S3 buckets write server access logs (to a separate log bucket)."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from tffix.engine.module import Module
from tffix.engine.rules import (
    DISPLAY_ONLY,
    FIX_NEVER,
    IMPACT_NONE,
    Finding,
    Rule,
)
from tffix.transforms.lib.s3 import (
    LOGGING_TYPE,
    log_targets,
    module_inputs,
    satellites,
)
from tffix.transforms.lib.settings import nested


class S3AccessLogging(Rule):
    """
    ## What it does
    Reports an `aws_s3_bucket` that has no server access logging in the module: no
    `aws_s3_bucket_logging` (provider v4+) whose `bucket` names it (by reference, including
    `aws_s3_bucket.b[count.index].id` and `each.value.id` under `for_each = aws_s3_bucket.b`,
    or by its literal name), and no inline `logging` block (provider v3 style, also as a
    `dynamic` block). Display only.

    Left alone, because logging them would loop or cannot be judged:
    - buckets that receive logs: the `target_bucket` of a logging configuration, a bucket
      with the `log-delivery-write` ACL or a grant to the S3 LogDelivery group, the bucket of
      a load balancer's `access_logs`, a CloudFront `logging_config`, a flow log's
      `log_destination` (any argument, block or object key about logs, also in a `module`
      call), a CloudTrail trail's or Config delivery channel's `s3_bucket_name`, a bucket
      whose policy lets a log delivery service write (`logging.s3.amazonaws.com`,
      `delivery.logs.amazonaws.com`, `cloudtrail.amazonaws.com`, the ELB account), and a
      bucket whose label or literal name says logs (`aws_s3_bucket.alb_logs`);
    - buckets passed to a `module` call (the module may configure their logging);
    - every bucket of a module with an `aws_s3_bucket_logging` whose `bucket` is an
      expression tffix cannot follow (a variable, a local): it may cover any of them.

    ## Why is this bad?
    Without server access logs there is no record of who read, wrote or deleted objects, which
    incident response and most compliance regimes need (CloudTrail data events cover object
    API calls only if you pay for them per trail). Seed 000 §3 lists "No centralized logging
    strategy with S3 bucket configurations" among the common monitoring gaps; Checkov reports
    it as CKV_AWS_18.

    ## Example
    ```hcl
    resource "aws_s3_bucket" "uploads" {
      bucket = "acme-uploads"
    }
    ```

    ## Use instead
    Send the access logs of every bucket to one central log bucket (which itself does not log,
    and which grants `logging.s3.amazonaws.com` `s3:PutObject` in its bucket policy):
    ```hcl
    resource "aws_s3_bucket" "uploads" {
      bucket = "acme-uploads"
    }

    resource "aws_s3_bucket_logging" "uploads" {
      bucket        = aws_s3_bucket.uploads.id
      target_bucket = aws_s3_bucket.access_logs.id
      target_prefix = "s3/acme-uploads/"
    }
    ```

    ## Fix safety
    No fix: tffix cannot know which bucket should receive the logs, and the target bucket needs
    a policy (or ACL) that lets the S3 logging service write to it.

    ## Deployment impact
    None (display only). Adding `aws_s3_bucket_logging` yourself is an in-place change
    (`PutBucketLogging`); the log bucket then grows and should have a lifecycle rule (TFX808).

    ## References
    - Terraform AWS provider docs, `aws_s3_bucket_logging` (`bucket`, `target_bucket`,
      `target_prefix`; added in 4.0 when the bucket's inline `logging` block was deprecated)
      and `aws_s3_bucket` (inline `logging`)
    - Amazon S3 User Guide, "Enabling Amazon S3 server access logging" (the target bucket must
      be in the same Region and account; grant `logging.s3.amazonaws.com` in the bucket policy,
      or the `log-delivery-write` ACL for ACL-based delivery; do not log a bucket into itself)
    - Checkov CKV_AWS_18 (`checkov/terraform/checks/graph_checks/aws/S3BucketLogging.yaml`: an
      inline `logging` block or a connected `aws_s3_bucket_logging`)
    - Seed 000 §3 "No centralized logging strategy with S3 bucket configurations"
      (`../shared/seeds`)
    """

    id = "TFX706"
    name = "s3-access-logging"
    summary = "S3 buckets write server access logs to a log bucket"
    fix_availability = FIX_NEVER
    safety = DISPLAY_ONLY
    impact = IMPACT_NONE
    checkov = ("CKV_AWS_18",)

    def check(self, module: Module, options: dict[str, Any]) -> Iterator[Finding]:
        buckets = [ref for ref in module.resources("aws_s3_bucket") if len(ref.block.labels) > 1]
        if not buckets:
            return
        configs = satellites(module, LOGGING_TYPE)
        if configs.unknown:
            return
        targets = log_targets(module)
        for ref in buckets:
            if any(nested(ref.block, "logging")) or configs.of(ref) or id(ref.block) in targets:
                continue
            if module_inputs(module, ref):
                continue
            yield self.finding(ref.file, ref.block,
                               f"{ref.address} has no server access logging; add an aws_s3_bucket_logging that "
                               f"sends its access logs to a central log bucket",
                               block=ref.block)
