"""TFX722: load balancer target groups and Route 53 failover records check their targets' health."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from tffix.engine.module import BlockRef, Module
from tffix.engine.rules import DISPLAY_ONLY, FIX_NEVER, IMPACT_NONE, Finding, Rule
from tffix.syntax import cst
from tffix.transforms.lib.settings import (
    attribute,
    content_attribute,
    nested,
    text,
    truth,
)

TARGET_GROUPS = ("aws_lb_target_group", "aws_alb_target_group")


def _first_block(block: cst.Block, name: str) -> tuple[cst.Block | None, bool]:
    """``(block, is_dynamic)``: the first static ``name`` block, else the first
    ``dynamic "name"`` block, else ``(None, False)``."""
    static, dynamic = nested(block, name)
    if static:
        return static[0], False
    if dynamic:
        return dynamic[0], True
    return None, False


class TargetGroupHealthCheck(Rule):
    """
    ## What it does
    Reports, for `aws_lb_target_group` and `aws_alb_target_group` (not `target_type =
    "lambda"`, whose health checks are off by default and invoke the function):

    * a `health_check` block (or `dynamic "health_check"` content) with a literal
      `enabled = false`: every registered target gets traffic, healthy or not;
    * an `HTTP` or `HTTPS` target group (literal `protocol`) with no `health_check` block at
      all. This one is softer: the default check does run, but it asks for `/` and accepts
      only `200`, which is rarely the application's health endpoint (a redirect or a login
      page fails it; a static page passes while the application is down). Checkov's
      CKV_AWS_261 reports the same case. In the 35 public repositories tffix is checked
      against, every target group writes a `health_check` block (static or dynamic), so the
      finding is rare in reviewed code and does not add noise.

    And an `aws_route53_record` whose `failover_routing_policy` has a literal
    `type = "PRIMARY"` but no `health_check_id`, unless it is an alias with
    `evaluate_target_health` not literally `false`: Route 53 considers a record without a
    health check healthy, so it never fails over to the secondary.

    Values from expressions (a `protocol`, `enabled`, `type` or `evaluate_target_health`
    variable) are not reported. Display only.

    ## Why is this bad?
    The load balancer and DNS route traffic only away from targets they know are unhealthy;
    without a meaningful health check a crashed or half-deployed instance keeps receiving
    requests, and a failover pair never fails over (seed 000 §5 "Incorrect target group
    configurations with improper health checks", seed 004 "Inadequate Health Checks: ALB
    target groups without health checks, Route 53 without health check monitoring").

    ## Example
    ```hcl
    resource "aws_lb_target_group" "app" {
      name     = "app"
      port     = 8080
      protocol = "HTTP"
      vpc_id   = aws_vpc.main.id
    }
    ```

    ## Use instead
    ```hcl
    resource "aws_lb_target_group" "app" {
      name     = "app"
      port     = 8080
      protocol = "HTTP"
      vpc_id   = aws_vpc.main.id

      health_check {
        path                = "/healthz"
        matcher             = "200"
        interval            = 15
        healthy_threshold   = 2
        unhealthy_threshold = 3
      }
    }
    ```
    For Route 53 failover, give the `PRIMARY` record `health_check_id =
    aws_route53_health_check.primary.id`, or make it an alias with
    `evaluate_target_health = true`.

    ## Fix safety
    No fix: the health endpoint's path and the status codes it returns belong to the
    application, and a wrong guess takes every target out of service; a Route 53 health check
    needs an endpoint (and is billed).

    ## Deployment impact
    None (display only). Changing `health_check` yourself is an in-place update of the target
    group; adding `health_check_id` is an in-place change of the record.

    ## References
    - Terraform AWS provider docs `aws_lb_target_group` `health_check`: `enabled` ("Defaults to
      `true`"), `path` ("For HTTP and HTTPS health checks, the default is `/`"), `matcher`
      (ALB default `200`), `target_type` (`lambda`: the health check invokes the function)
    - Terraform AWS provider docs `aws_route53_record`: `failover_routing_policy` `type`
      ("A `PRIMARY` record will be served if its healthcheck is passing, otherwise the
      `SECONDARY` will be served"), `health_check_id`, alias `evaluate_target_health`
    - Route 53 Developer Guide, "Configuring active-passive failover" (a record without a
      health check is always considered healthy; from memory, not re-read for this rule)
    - Checkov CKV_AWS_261 "Ensure HTTP HTTPS Target group defines Healthcheck"
      (`LBTargetGroupsDefinesHealthcheck.py`: `aws_lb_target_group`, `aws_alb_target_group`
      with protocol HTTP/HTTPS need a `health_check` with a `path`). No Checkov or Trivy check
      for Route 53 failover health checks was found.
    - Seed 000 §5, seed 004 "High Availability Failures" (`../shared/seeds`)
    """

    id = "TFX722"
    name = "target-group-health-check"
    summary = "Target groups and Route 53 failover records must check their targets' health"
    fix_availability = FIX_NEVER
    safety = DISPLAY_ONLY
    impact = IMPACT_NONE
    checkov = ("CKV_AWS_261",)

    def check(self, module: Module, options: dict[str, Any]) -> Iterator[Finding]:
        for ref in module.resources(*TARGET_GROUPS):
            yield from self._target_group(ref)
        for ref in module.resources("aws_route53_record"):
            yield from self._failover_record(ref)

    def _target_group(self, ref: BlockRef) -> Iterator[Finding]:
        block = ref.block
        target_type = block.get_attribute("target_type")
        known, kind = text(target_type.value) if target_type is not None else (True, "instance")
        if not known or kind == "lambda":
            return
        health, dynamic = _first_block(block, "health_check")
        if health is not None:
            enabled = content_attribute(health, "enabled") if dynamic else health.get_attribute("enabled")
            known, value = truth(enabled.value) if enabled is not None else (False, None)
            if known and value is False:
                assert enabled is not None
                yield self.finding(ref.file, enabled.value, f"{ref.address} turns its health check off, so unhealthy "
                                   "targets keep receiving traffic; remove enabled = false and set path and matcher "
                                   "for the application's health endpoint", block=block)
            return
        protocol = block.get_attribute("protocol")
        known, value = text(protocol.value) if protocol is not None else (False, None)
        if known and value is not None and value.upper() in ("HTTP", "HTTPS"):
            yield self.finding(ref.file, block, f"{ref.address} has no health_check block, so the load balancer "
                               "only checks that / answers 200; set path and matcher for the application's health "
                               "endpoint", block=block)

    def _failover_record(self, ref: BlockRef) -> Iterator[Finding]:
        block = ref.block
        policy, dynamic = _first_block(block, "failover_routing_policy")
        if policy is None:
            return
        kind = content_attribute(policy, "type") if dynamic else policy.get_attribute("type")
        known, value = text(kind.value) if kind is not None else (False, None)
        if not known or value is None or value.upper() != "PRIMARY":
            return
        if attribute(block, "health_check_id") is not None:
            return
        alias, alias_dynamic = _first_block(block, "alias")
        if alias is not None:
            if alias_dynamic:
                return
            evaluate = alias.get_attribute("evaluate_target_health")
            known, evaluates = truth(evaluate.value) if evaluate is not None else (True, False)
            if not known or evaluates:
                return
        assert kind is not None
        yield self.finding(ref.file, kind.value, f"{ref.address} is a PRIMARY failover record without a health check, "
                           "so Route 53 treats it as always healthy and never fails over; set health_check_id (or "
                           "evaluate_target_health = true on an alias)", block=block)
