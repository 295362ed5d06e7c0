"""TFX709: application load balancers write access logs."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from tffix import edit
from tffix.engine.module import BlockRef, Module, references
from tffix.engine.rules import FIX_SOMETIMES, IMPACT_IN_PLACE, UNSAFE, Finding, Rule
from tffix.syntax import cst
from tffix.syntax.build import HCL, NewBlock
from tffix.transforms.lib.s3 import provider_v4
from tffix.transforms.lib.settings import add_nested_block, attribute, nested, text, truth
from tffix.transforms.lib.supporting import LogBucket, Support, lb_access_log_bucket, provider_of

LB_TYPES = ("aws_lb", "aws_alb")
LISTENER_TYPES = ("aws_lb_listener", "aws_alb_listener")
BUCKET_NEEDS = "the bucket must be in the same Region, use SSE-S3 and let Elastic Load Balancing write to it"
ADVICE = f"add an access_logs block with enabled = true ({BUCKET_NEEDS})"


def _reused_destination(module: Module, lb: BlockRef) -> LogBucket | None:
    """The bucket and prefix another load balancer of the module writes its access logs to
    (a static ``access_logs`` block with a literal ``enabled = true``, the same provider, a
    ``bucket`` that is not per instance and a literal or no ``prefix``): its bucket policy
    provably lets Elastic Load Balancing write there (log file names carry the load
    balancer's id, so two load balancers share a prefix safely)."""
    for other in module.resources(*LB_TYPES):
        if other == lb or len(other.block.labels) != 2 or provider_of(other.block) != provider_of(lb.block):
            continue
        static, _ = nested(other.block, "access_logs")
        if len(static) != 1:
            continue
        enabled, bucket, prefix = (attribute(static[0], n) for n in ("enabled", "bucket", "prefix"))
        if enabled is None or truth(enabled.value) != (True, True) or bucket is None:
            continue
        if any(t.path[:1] in (["each"], ["count"], ["self"]) for t in references(bucket.value)):
            continue
        known, value = text(prefix.value) if prefix is not None else (True, "")
        if not known or not isinstance(value, str):
            continue
        expression = cst.sole_expression(bucket.value).code.strip()
        return LogBucket(Support(expression, reused=f"{other.address} access_logs bucket"), value)
    return None


def _tls_listener(module: Module, lb: BlockRef) -> bool:
    """True when a listener of the module with a literal ``protocol = "TLS"`` belongs to ``lb``."""
    for ref in module.resources(*LISTENER_TYPES):
        arn = ref.block.get_attribute("load_balancer_arn")
        if arn is None or module.resolve(arn.value) != lb:
            continue
        protocol = ref.block.get_attribute("protocol")
        known, value = text(protocol.value) if protocol is not None else (False, None)
        if known and isinstance(value, str) and value.upper() == "TLS":
            return True
    return False


class AlbAccessLogs(Rule):
    """
    ## What it does
    Reports an application load balancer (`aws_lb` or `aws_alb` whose `load_balancer_type` is
    missing or `"application"`) that writes no access logs: it has no `access_logs` block, or
    its `access_logs` block sets a literal `enabled = false` or leaves `enabled` out (the
    provider then sends `false`, even when `bucket` is set). A network load balancer is
    reported the same way only when a listener of the module with `protocol = "TLS"` belongs
    to it: NLB access logs only record TLS connections.

    The fixes (application load balancers):

    - **no `access_logs` block**: adds `access_logs { bucket, prefix = "<load balancer label>",
      enabled = true }`. The bucket is the one another load balancer of the module already
      logs to (a static `access_logs` with a literal `enabled = true`, the same provider, a
      bucket that is not per instance; its literal prefix is reused: log file names carry the
      load balancer's id), else, once per module and provider, a new
      `aws_s3_bucket.lb_access_logs` in `security.tf` (`transforms/lib/supporting.py`): SSE-S3
      (`AES256`), public access blocked, ACLs disabled (`BucketOwnerEnforced`), versioning, a
      lifecycle (logs expire after 365 days, noncurrent versions after 30, incomplete
      multipart uploads are aborted after 7), EventBridge notifications of new log files (free
      for AWS service events on the default bus), and a bucket policy that lets Elastic Load
      Balancing put objects under `<prefix>/AWSLogs/<this account>/` **in every Region**: the
      service principal `logdelivery.elasticloadbalancing.amazonaws.com` (Regions available
      from August 2022 on) and the Region's ELB account (Regions available before), the
      latter through `data.aws_elb_service_account` counted to one instance only in the
      Regions that data source knows (it fails in the others), since the provider's Region is
      rarely known statically. The load balancer names the bucket through the policy
      (`aws_s3_bucket_policy.lb_access_logs.bucket`), so it is updated only once the policy
      exists: Elastic Load Balancing tests the bucket when logs are enabled and fails with
      "Access Denied for bucket" otherwise.
    - **`access_logs` with a `bucket` but no `enabled`**: sets `enabled = true` (the bucket
      was chosen; the provider's default `false` is the usual slip).

    The new bucket cannot pass two Checkov checks, by AWS's own rules, and says so inside the
    resource with Checkov's inline suppression (Checkov lists them as skipped, with the
    reason): CKV_AWS_145 (SSE-KMS: access logs are delivered only to SSE-S3 buckets) and
    CKV_AWS_18 (its own access logging: a log bucket must not log to itself). A third
    suppression is a choice, not an AWS rule, and says so: CKV_AWS_144 (cross-Region
    replication needs a second bucket in a Region tffix cannot choose, a provider for it and
    a replication role); the comment asks the owner to remove it and add replication where
    their retention policy requires it, so that a Checkov gate in CI stays green meanwhile.

    Reported without a fix: `enabled = false` (a decision), a network load balancer (its logs
    go through `delivery.logs.amazonaws.com`, with another policy), an `access_logs` block
    without `bucket`, a load balancer whose `provider` is an expression, and a module that
    pins the AWS provider below 4.0 (no separate bucket configuration resources). Left alone:
    gateway load balancers (no access logs), a `load_balancer_type` from an expression,
    `enabled` from an expression (`enabled = var.access_logs_enabled`), and a
    `dynamic "access_logs"` block (reusable modules such as terraform-aws-modules/alb decide
    from their inputs).

    ## Why is this bad?
    Without access logs there is no record of the requests the load balancer served: client
    IPs, paths, status codes, latencies and TLS details are gone when you need them to
    investigate an incident, an attack or a latency problem. Seed 004 lists "ALB access logging
    disabled" under inadequate logging; Checkov reports it as CKV_AWS_91.

    ## Example
    ```hcl
    resource "aws_lb" "web" {
      name               = "web"
      load_balancer_type = "application"
      subnets            = var.public_subnet_ids
    }
    ```

    ## Use instead
    ```hcl
    resource "aws_lb" "web" {
      name               = "web"
      load_balancer_type = "application"
      subnets            = var.public_subnet_ids

      access_logs {
        bucket  = aws_s3_bucket_policy.lb_access_logs.bucket
        prefix  = "web"
        enabled = true
      }
    }
    ```
    ```hcl
    # file: security.tf
    data "aws_region" "current" {}

    data "aws_caller_identity" "current" {}

    data "aws_partition" "current" {}

    data "aws_elb_service_account" "lb_access_logs" {
      count = contains([
        "af-south-1",
        "ap-east-1",
        "ap-northeast-1",
        "ap-northeast-2",
        "ap-northeast-3",
        "ap-south-1",
        "ap-southeast-1",
        "ap-southeast-2",
        "ap-southeast-3",
        "ca-central-1",
        "cn-north-1",
        "cn-northwest-1",
        "eu-central-1",
        "eu-north-1",
        "eu-south-1",
        "eu-west-1",
        "eu-west-2",
        "eu-west-3",
        "me-south-1",
        "sa-east-1",
        "us-east-1",
        "us-east-2",
        "us-gov-east-1",
        "us-gov-west-1",
        "us-west-1",
        "us-west-2",
      ], data.aws_region.current.name) ? 1 : 0
    }

    resource "aws_s3_bucket" "lb_access_logs" {
      # checkov:skip=CKV_AWS_145: access log delivery (S3 server access logs, load balancer access logs) supports only SSE-S3 (AES256) target buckets, not SSE-KMS
      # checkov:skip=CKV_AWS_18: the access log bucket must not log to itself (AWS)
      # checkov:skip=CKV_AWS_144: tffix does not replicate these logs to another Region (that needs a bucket and a provider there); remove this line and add replication if your retention policy asks
      bucket_prefix = "lb-access-logs-"
    }

    resource "aws_s3_bucket_server_side_encryption_configuration" "lb_access_logs" {
      bucket = aws_s3_bucket.lb_access_logs.id

      rule {
        apply_server_side_encryption_by_default {
          sse_algorithm = "AES256"
        }
      }
    }

    resource "aws_s3_bucket_public_access_block" "lb_access_logs" {
      bucket                  = aws_s3_bucket.lb_access_logs.id
      block_public_acls       = true
      block_public_policy     = true
      ignore_public_acls      = true
      restrict_public_buckets = true
    }

    resource "aws_s3_bucket_ownership_controls" "lb_access_logs" {
      bucket = aws_s3_bucket.lb_access_logs.id

      rule {
        object_ownership = "BucketOwnerEnforced"
      }
    }

    resource "aws_s3_bucket_versioning" "lb_access_logs" {
      bucket = aws_s3_bucket.lb_access_logs.id

      versioning_configuration {
        status = "Enabled"
      }
    }

    resource "aws_s3_bucket_lifecycle_configuration" "lb_access_logs" {
      bucket = aws_s3_bucket.lb_access_logs.id

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

    resource "aws_s3_bucket_policy" "lb_access_logs" {
      bucket = aws_s3_bucket.lb_access_logs.id
      policy = jsonencode({
        Version = "2012-10-17"
        Statement = concat(
          [
            {
              Sid    = "ElbLogDelivery"
              Effect = "Allow"
              Principal = {
                Service = "logdelivery.elasticloadbalancing.amazonaws.com"
              }
              Action   = "s3:PutObject"
              Resource = "${aws_s3_bucket.lb_access_logs.arn}/*/AWSLogs/${data.aws_caller_identity.current.account_id}/*"
            },
          ],
          [
            for account in data.aws_elb_service_account.lb_access_logs : {
              Sid    = "ElbAccountLogDelivery"
              Effect = "Allow"
              Principal = {
                AWS = account.arn
              }
              Action   = "s3:PutObject"
              Resource = "${aws_s3_bucket.lb_access_logs.arn}/*/AWSLogs/${data.aws_caller_identity.current.account_id}/*"
            }
          ]
        )
      })
    }

    resource "aws_s3_bucket_notification" "lb_access_logs" {
      bucket      = aws_s3_bucket.lb_access_logs.id
      eventbridge = true
    }
    ```

    ## Fix safety
    **Unsafe**: the new log bucket costs money (a year of logs, requests), and which bucket
    holds the logs, for how long and who may read them is the owner's choice. Setting
    `enabled = true` on a bucket of your own makes the load balancer update fail if that
    bucket's policy does not let Elastic Load Balancing write.

    ## Deployment impact
    In-place: the load balancer's attributes change (`access_logs.s3.enabled`), it keeps its
    DNS name and listeners; the plan adds, once per module, the log bucket, its configuration
    and policy, and the data sources.

    ## References
    - Terraform AWS provider docs, `aws_lb` (`load_balancer_type` default `application`;
      `access_logs.bucket`, `access_logs.prefix`, `access_logs.enabled`: "Defaults to `false`,
      even when `bucket` is specified"), `aws_elb_service_account` (`arn`; provider source
      `internal/service/elb/service_account_data_source.go`, `accountIDPerRegionMap` and
      `dataSourceServiceAccountRead`: "unsupported AWS Region" outside its table),
      `aws_s3_bucket_policy`, `aws_s3_bucket_ownership_controls`, `aws_s3_bucket_notification`
      (`eventbridge`)
    - Elastic Load Balancing User Guide, "Enable access logs for your Application Load
      Balancer" (the bucket must be in the load balancer's Region; the only server-side
      encryption supported is SSE-S3; the bucket policy grants the ELB account of the Region
      for Regions available before August 2022 and
      `logdelivery.elasticloadbalancing.amazonaws.com` for Regions available as of August 2022,
      on `<bucket>/<prefix>/AWSLogs/<account-id>/*`) and "Access logs for your Network Load
      Balancer" (created only if the load balancer has a TLS listener; `delivery.logs.amazonaws.com`)
    - Amazon S3 User Guide, "Enabling Amazon S3 server access logging" (a log bucket does not
      log to itself)
    - Checkov CKV_AWS_91 (`checkov/terraform/checks/resource/aws/ELBv2AccessLogs.py`:
      `aws_lb` and `aws_alb`, application and network, gateway skipped; requires
      `access_logs.enabled = true`); Checkov "Suppressing and skipping policies"
      (`#checkov:skip=<check id>:<reason>` inside the resource); CKV_AWS_145, CKV_AWS_18,
      CKV_AWS_144, CKV2_AWS_62 (`S3BucketEventNotifications.yaml`: a connected
      `aws_s3_bucket_notification`)
    - Amazon EventBridge pricing (events published by AWS services to the default bus are
      free); Amazon S3 User Guide, "Using EventBridge" (`eventbridge = true`)
    - Seed 004 "Inadequate Logging: ALB access logging disabled" (`../shared/seeds`)
    """

    id = "TFX709"
    name = "alb-access-logs"
    summary = "Application load balancers write access logs to S3"
    fix_availability = FIX_SOMETIMES
    safety = UNSAFE
    impact = IMPACT_IN_PLACE
    checkov = ("CKV_AWS_91",)

    def check(self, module: Module, options: dict[str, Any]) -> Iterator[Finding]:
        v4: bool | None = None
        for ref in module.resources(*LB_TYPES):
            if len(ref.block.labels) < 2:
                continue
            kind = attribute(ref.block, "load_balancer_type")
            known, value = text(kind.value) if kind is not None else (True, None)
            if not known:
                continue
            if value == "network":
                if not _tls_listener(module, ref):
                    continue
                what = "network load balancer with a TLS listener"
            elif value in (None, "application"):
                what = "application load balancer"
            else:
                continue
            static, dynamic = nested(ref.block, "access_logs")
            if dynamic:
                continue
            if not static:
                message = f"{ref.address} ({what}) has no access_logs block; {ADVICE}"
                if what != "application load balancer":
                    yield self.finding(ref.file, ref.block, f"{message} (not fixed: a network load balancer "
                                       "delivers through delivery.logs.amazonaws.com, with another bucket policy)",
                                       block=ref.block)
                    continue
                dest = _reused_destination(module, ref)
                provider = provider_of(ref.block)
                if dest is None and provider is not None:
                    if v4 is None:
                        v4 = provider_v4(module)
                    if v4:
                        dest = lb_access_log_bucket(module, provider)
                if dest is None:
                    why = ("its provider is an expression, so tffix cannot tell which log bucket fits"
                           if provider is None else
                           "the AWS provider is pinned below 4.0, which has no separate S3 bucket configuration "
                           "resources for the log bucket")
                    yield self.finding(ref.file, ref.block, f"{message} (not fixed: {why})", block=ref.block)
                    continue
                prefix = dest.prefix if dest.prefix is not None else ref.block.label_values[1]
                yield self.finding(
                    ref.file, ref.block, message, block=ref.block,
                    fix=lambda ref=ref, dest=dest, prefix=prefix: self._add(module, ref, dest, prefix),
                    scope=(ref.block, *dest.support.scope),
                    description=f"add access_logs to {dest.support.describe()}"
                                + (f", prefix {prefix!r}" if prefix else ""))
                continue
            logs = static[0]
            enabled = attribute(logs, "enabled")
            if enabled is None:
                bucket = attribute(logs, "bucket")
                message = (f"{ref.address} access_logs does not set enabled = true, and the provider "
                           f"defaults it to false even with a bucket; set enabled = true ({BUCKET_NEEDS})")
                if bucket is None or what != "application load balancer":
                    yield self.finding(ref.file, logs, message, block=ref.block)
                    continue
                yield self.finding(ref.file, logs, message, block=ref.block,
                                   fix=lambda logs=logs: edit.set_attribute(logs, "enabled", True),
                                   description="set enabled = true in access_logs (the bucket given there must "
                                               "let Elastic Load Balancing write)")
                continue
            known, on = truth(enabled.value)
            if known and on is False:
                yield self.finding(ref.file, enabled.value,
                                   f"{ref.address} access_logs sets enabled = false, so no access logs are written; "
                                   f"set enabled = true ({BUCKET_NEEDS})", block=ref.block)

    @staticmethod
    def _add(module: Module, lb: BlockRef, dest: LogBucket, prefix: str) -> None:
        dest.support.apply(module)
        body: dict[str, object] = {"bucket": HCL(dest.support.expression)}
        if prefix:
            body["prefix"] = prefix
        body["enabled"] = True
        add_nested_block(lb.block, NewBlock("access_logs", body=body))
