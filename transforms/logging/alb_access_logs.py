"""TFX709: application load balancers write access logs."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from tffix.engine.module import BlockRef, Module
from tffix.engine.rules import DISPLAY_ONLY, FIX_NEVER, IMPACT_NONE, Finding, Rule
from tffix.transforms.lib.settings import attribute, nested, text, truth

LB_TYPES = ("aws_lb", "aws_alb")
LISTENER_TYPES = ("aws_lb_listener", "aws_alb_listener")
BUCKET_NEEDS = "the bucket must be in the same Region, use SSE-S3 and let Elastic Load Balancing write to it"
ADVICE = f"add an access_logs block with enabled = true ({BUCKET_NEEDS})"


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
    to it: NLB access logs only record TLS connections. Display only.

    Left alone: gateway load balancers (no access logs), a `load_balancer_type` from an
    expression, `enabled` from an expression (`enabled = var.access_logs_enabled`), and a
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
        bucket  = aws_s3_bucket.lb_logs.id
        prefix  = "web"
        enabled = true
      }
    }
    ```
    The bucket must be in the load balancer's Region and use SSE-S3 (ALB logs cannot be
    written to an SSE-KMS bucket), and its bucket policy must allow `s3:PutObject` on
    `<bucket>/<prefix>/AWSLogs/<account-id>/*` for Elastic Load Balancing: in Regions available
    before August 2022 the Region's ELB account (`data.aws_elb_service_account.main.arn` as an
    AWS principal), in newer Regions the service principal
    `logdelivery.elasticloadbalancing.amazonaws.com`. Make the load balancer depend on that
    policy, or its creation fails with "Access Denied for bucket". Give the log bucket a
    lifecycle rule that expires old logs (TFX808).

    ## Fix safety
    No fix: tffix cannot choose the log bucket, and a bucket without the right policy makes
    the load balancer update fail.

    ## Deployment impact
    None (display only). Enabling access logs yourself is an in-place update of the load
    balancer's attributes; it keeps its DNS name and listeners.

    ## References
    - Terraform AWS provider docs, `aws_lb` (`load_balancer_type` default `application`;
      `access_logs.bucket`, `access_logs.prefix`, `access_logs.enabled`: "Defaults to `false`,
      even when `bucket` is specified")
    - Elastic Load Balancing User Guide, "Enable access logs for your Application Load
      Balancer" (same Region, SSE-S3 only, bucket policy for the ELB account or
      `logdelivery.elasticloadbalancing.amazonaws.com`) and "Access logs for your Network Load
      Balancer" (created only if the load balancer has a TLS listener)
    - Checkov CKV_AWS_91 (`checkov/terraform/checks/resource/aws/ELBv2AccessLogs.py`:
      `aws_lb` and `aws_alb`, application and network, gateway skipped; requires
      `access_logs.enabled = true`)
    - Seed 004 "Inadequate Logging: ALB access logging disabled" (`../shared/seeds`)
    """

    id = "TFX709"
    name = "alb-access-logs"
    summary = "Application load balancers write access logs to S3"
    fix_availability = FIX_NEVER
    safety = DISPLAY_ONLY
    impact = IMPACT_NONE
    checkov = ("CKV_AWS_91",)

    def check(self, module: Module, options: dict[str, Any]) -> Iterator[Finding]:
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
                yield self.finding(ref.file, ref.block, f"{ref.address} ({what}) has no access_logs block; {ADVICE}",
                                   block=ref.block)
                continue
            logs = static[0]
            enabled = attribute(logs, "enabled")
            if enabled is None:
                yield self.finding(ref.file, logs,
                                   f"{ref.address} access_logs does not set enabled = true, and the provider "
                                   f"defaults it to false even with a bucket; set enabled = true ({BUCKET_NEEDS})",
                                   block=ref.block)
                continue
            known, on = truth(enabled.value)
            if known and on is False:
                yield self.finding(ref.file, enabled.value,
                                   f"{ref.address} access_logs sets enabled = false, so no access logs are written; "
                                   f"set enabled = true ({BUCKET_NEEDS})", block=ref.block)
