"""TFX706: S3 buckets write server access logs (to a separate log bucket)."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from tffix import edit
from tffix.engine.module import BlockRef, Module
from tffix.engine.rules import FIX_SOMETIMES, IMPACT_IN_PLACE, UNSAFE, Finding, Rule
from tffix.syntax.build import HCL, NewBlock
from tffix.transforms.lib.s3 import (
    LOGGING_TYPE,
    bucket_ref,
    insertion_point,
    log_targets,
    meta_args,
    module_inputs,
    provider_v4,
    satellites,
    unique_name,
)
from tffix.transforms.lib.settings import nested
from tffix.transforms.lib.supporting import LogBucket, provider_of, reused_s3_log_target, s3_access_log_bucket


class S3AccessLogging(Rule):
    """
    ## What it does
    Finds an `aws_s3_bucket` that has no server access logging in the module: no
    `aws_s3_bucket_logging` (provider v4+) whose `bucket` names it (by reference, including
    `aws_s3_bucket.b[count.index].id` and `each.value.id` under `for_each = aws_s3_bucket.b`,
    or by its literal name), and no inline `logging` block (provider v3 style, also as a
    `dynamic` block).

    The fix adds an `aws_s3_bucket_logging` right after the bucket (and the configuration
    resources that follow it), named after it, with its `count` / `for_each` and `provider`,
    and prefix `<bucket label>/`. The logs go to (`transforms/lib/supporting.py`):

    - a bucket the module already sends server access logs to: the `target_bucket` of one of
      its `aws_s3_bucket_logging` or inline `logging` blocks (one instance, same provider, a
      literal prefix, which the new configuration reuses, `""` for none: the provider
      requires `target_prefix`) when the module shows that S3 may write there from any
      bucket of the account (the `log-delivery-write` ACL or a grant to the LogDelivery
      group, or a bucket policy granting `logging.s3.amazonaws.com` without an
      `aws:SourceArn` condition, which may list the only source buckets allowed) and that
      its default encryption is SSE-S3 (none, or a literal `AES256`);
    - else, once per module and provider, a new `aws_s3_bucket.s3_access_logs` in `security.tf`
      (`bucket_prefix = "s3-access-logs-"`) with SSE-S3 (`AES256`) default encryption, a public
      access block, ACLs disabled (`BucketOwnerEnforced`), versioning, a lifecycle (logs
      expire after 365 days, noncurrent versions after 30, incomplete multipart uploads are
      aborted after 7), a bucket policy letting `logging.s3.amazonaws.com` put objects, only
      for source buckets of this account (`aws:SourceAccount`) that are S3 buckets
      (`aws:SourceArn` `arn:<partition>:s3:::*`), and EventBridge notifications of new log
      files (free for AWS service events on the default bus).

    The new bucket cannot pass two Checkov checks, by AWS's own rules, and says so inside the
    resource with Checkov's inline suppression, so Checkov lists them as skipped with the
    reason: CKV_AWS_145 (SSE-KMS: S3 server access logging only delivers to SSE-S3 buckets)
    and CKV_AWS_18 (its own access logging: a log bucket must not log to itself). A third
    suppression is a choice, not an AWS rule, and says so: CKV_AWS_144 (cross-Region
    replication needs a second bucket in a Region tffix cannot choose, a provider for it and
    a replication role); the comment asks the owner to remove it and add replication where
    their retention policy requires it, so that a Checkov gate in CI stays green meanwhile.

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

    Reported without a fix: a bucket whose `provider` is an expression, and a module that
    pins the AWS provider below 4.0 (no `aws_s3_bucket_logging`).

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
    ```hcl
    resource "aws_s3_bucket" "uploads" {
      bucket = "acme-uploads"
    }

    resource "aws_s3_bucket_logging" "uploads" {
      bucket        = aws_s3_bucket.uploads.id
      target_bucket = aws_s3_bucket.s3_access_logs.id
      target_prefix = "uploads/"
    }
    ```
    ```hcl
    # file: security.tf
    data "aws_caller_identity" "current" {}

    data "aws_partition" "current" {}

    resource "aws_s3_bucket" "s3_access_logs" {
      # checkov:skip=CKV_AWS_145: access log delivery (S3 server access logs, load balancer access logs) supports only SSE-S3 (AES256) target buckets, not SSE-KMS
      # checkov:skip=CKV_AWS_18: the access log bucket must not log to itself (AWS)
      # checkov:skip=CKV_AWS_144: tffix does not replicate these logs to another Region (that needs a bucket and a provider there); remove this line and add replication if your retention policy asks
      bucket_prefix = "s3-access-logs-"
    }

    resource "aws_s3_bucket_server_side_encryption_configuration" "s3_access_logs" {
      bucket = aws_s3_bucket.s3_access_logs.id

      rule {
        apply_server_side_encryption_by_default {
          sse_algorithm = "AES256"
        }
      }
    }

    resource "aws_s3_bucket_public_access_block" "s3_access_logs" {
      bucket                  = aws_s3_bucket.s3_access_logs.id
      block_public_acls       = true
      block_public_policy     = true
      ignore_public_acls      = true
      restrict_public_buckets = true
    }

    resource "aws_s3_bucket_ownership_controls" "s3_access_logs" {
      bucket = aws_s3_bucket.s3_access_logs.id

      rule {
        object_ownership = "BucketOwnerEnforced"
      }
    }

    resource "aws_s3_bucket_versioning" "s3_access_logs" {
      bucket = aws_s3_bucket.s3_access_logs.id

      versioning_configuration {
        status = "Enabled"
      }
    }

    resource "aws_s3_bucket_lifecycle_configuration" "s3_access_logs" {
      bucket = aws_s3_bucket.s3_access_logs.id

      rule {
        id     = "expire-logs"
        status = "Enabled"

        filter {}

        expiration {
          days = 365
        }

        noncurrent_version_expiration {
          noncurrent_days = 30
        }

        abort_incomplete_multipart_upload {
          days_after_initiation = 7
        }
      }
    }

    resource "aws_s3_bucket_policy" "s3_access_logs" {
      bucket = aws_s3_bucket.s3_access_logs.id
      policy = jsonencode({
        Version = "2012-10-17"
        Statement = [
          {
            Sid    = "S3ServerAccessLogs"
            Effect = "Allow"
            Principal = {
              Service = "logging.s3.amazonaws.com"
            }
            Action   = "s3:PutObject"
            Resource = "${aws_s3_bucket.s3_access_logs.arn}/*"
            Condition = {
              ArnLike = {
                "aws:SourceArn" = "arn:${data.aws_partition.current.partition}:s3:::*"
              }
              StringEquals = {
                "aws:SourceAccount" = data.aws_caller_identity.current.account_id
              }
            }
          },
        ]
      })
    }

    resource "aws_s3_bucket_notification" "s3_access_logs" {
      bucket      = aws_s3_bucket.s3_access_logs.id
      eventbridge = true
    }
    ```

    ## Fix safety
    **Unsafe**: the new log bucket costs money (storage of a year of logs, requests), and
    which bucket should hold access logs, for how long and who may read them is the owner's
    choice (a central log account, another retention). Logging itself changes nothing for
    the bucket's readers and writers. With a reused bucket, the new logs share the prefix of
    the existing ones (each record names its source bucket).

    ## Deployment impact
    In-place: the plan adds the logging configuration (`PutBucketLogging`) and, once per
    module, the log bucket, its configuration and policy; the logged bucket is not replaced.
    Logs arrive within hours, best effort.

    ## References
    - Terraform AWS provider docs, `aws_s3_bucket_logging` (`bucket`, `target_bucket`,
      `target_prefix`; added in 4.0 when the bucket's inline `logging` block was deprecated),
      `aws_s3_bucket_ownership_controls` (`rule.object_ownership`), `aws_s3_bucket_policy`,
      `aws_s3_bucket_versioning`, `aws_s3_bucket_lifecycle_configuration`,
      `aws_s3_bucket_public_access_block`, `aws_s3_bucket_server_side_encryption_configuration`,
      `aws_s3_bucket_notification` (`eventbridge`)
    - Amazon S3 User Guide, "Enabling Amazon S3 server access logging" (the destination
      bucket must be in the same Region and account, must not log to itself, and may use
      only SSE-S3 default encryption, not SSE-KMS; grant `logging.s3.amazonaws.com`
      `s3:PutObject` in its bucket policy, with `aws:SourceArn` / `aws:SourceAccount`
      conditions, which works with ACLs disabled (`BucketOwnerEnforced`); the
      `log-delivery-write` ACL is the older way)
    - Amazon S3 User Guide, "Controlling ownership of objects and disabling ACLs for your
      bucket" (`BucketOwnerEnforced`: log delivery through the bucket policy)
    - Checkov CKV_AWS_18 (`checkov/terraform/checks/graph_checks/aws/S3BucketLogging.yaml`: an
      inline `logging` block or a connected `aws_s3_bucket_logging`); Checkov "Suppressing and
      skipping policies" (`#checkov:skip=<check id>:<reason>` inside the resource); CKV_AWS_145
      (`S3KMSEncryptedByDefault.yaml`), CKV_AWS_144, CKV2_AWS_62 (`S3BucketEventNotifications.yaml`:
      a connected `aws_s3_bucket_notification`)
    - Amazon EventBridge pricing (events published by AWS services to the default bus are
      free); Amazon S3 User Guide, "Using EventBridge" (`eventbridge = true`)
    - Seed 000 §3 "No centralized logging strategy with S3 bucket configurations"
      (`../shared/seeds`)
    """

    id = "TFX706"
    name = "s3-access-logging"
    summary = "S3 buckets write server access logs to a log bucket"
    fix_availability = FIX_SOMETIMES
    safety = UNSAFE
    impact = IMPACT_IN_PLACE
    checkov = ("CKV_AWS_18",)

    def check(self, module: Module, options: dict[str, Any]) -> Iterator[Finding]:
        buckets = [ref for ref in module.resources("aws_s3_bucket") if len(ref.block.labels) > 1]
        if not buckets:
            return
        configs = satellites(module, LOGGING_TYPE)
        if configs.unknown:
            return
        targets = log_targets(module)
        v4: bool | None = None
        for ref in buckets:
            if any(nested(ref.block, "logging")) or configs.of(ref) or id(ref.block) in targets:
                continue
            if module_inputs(module, ref):
                continue
            message = (f"{ref.address} has no server access logging; add an aws_s3_bucket_logging that "
                       f"sends its access logs to a central log bucket")
            if v4 is None:
                v4 = provider_v4(module)
            provider = provider_of(ref.block)
            if not v4 or provider is None:
                why = (f"the AWS provider is pinned below 4.0, which has no {LOGGING_TYPE}" if not v4
                       else "its provider is an expression, so tffix cannot tell which log bucket fits")
                yield self.finding(ref.file, ref.block, f"{message} (not fixed: {why})", block=ref.block)
                continue
            dest = reused_s3_log_target(module, provider, ref) or s3_access_log_bucket(module, provider)
            prefix = dest.prefix if dest.prefix is not None else f"{ref.block.label_values[1]}/"
            yield self.finding(
                ref.file, ref.block, message, block=ref.block,
                fix=lambda ref=ref, dest=dest, prefix=prefix: self._apply(module, ref, dest, prefix),
                scope=(ref.block, insertion_point(module, ref), *dest.support.scope),
                description=f"add {LOGGING_TYPE} to {dest.support.describe()}"
                            + (f", prefix {prefix!r}" if prefix else ""))

    @staticmethod
    def _apply(module: Module, bucket: BlockRef, dest: LogBucket, prefix: str) -> None:
        dest.support.apply(module)
        # target_prefix is required (the provider's schema), "" for none
        body: dict[str, object] = {**meta_args(bucket), "bucket": bucket_ref(bucket),
                                   "target_bucket": HCL(dest.support.expression), "target_prefix": prefix}
        name = unique_name(module, LOGGING_TYPE, bucket.block.label_values[1])
        edit.append_block(bucket.file.tree, NewBlock("resource", [LOGGING_TYPE, name], body),
                          after=insertion_point(module, bucket))
