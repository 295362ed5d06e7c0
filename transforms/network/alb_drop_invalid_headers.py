"""TFX804: application load balancers drop invalid HTTP header fields."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from tffix.engine.module import Module
from tffix.engine.rules import FIX_SOMETIMES, IMPACT_IN_PLACE, UNSAFE, Finding, Rule
from tffix.transforms.lib.settings import attribute, setting_findings, text

CASE = (UNSAFE, IMPACT_IN_PLACE)


class AlbDropInvalidHeaders(Rule):
    """
    ## What it does
    Sets `drop_invalid_header_fields = true` on application load balancers (`aws_lb` and
    `aws_alb` whose `load_balancer_type` is missing or `"application"`): a missing argument,
    `null` or a literal `false` becomes `true`.

    Left alone: network and gateway load balancers, where the argument does not apply.
    Reported without a fix: `drop_invalid_header_fields` from an expression, and load
    balancers whose type is an expression and that do not drop invalid headers.

    ## Why is this bad?
    By default an ALB forwards header fields whose names do not match `[-A-Za-z0-9]+` to the
    targets. Backends that normalize names differently than the ALB (`X_Forwarded_For`
    versus `X-Forwarded-For`) can be tricked into trusting a spoofed header, and malformed
    headers are a building block of request smuggling. Seed 000 §5 (load balancing issues,
    "Missing WAF association") is where ALB hardening is missing.

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
      name                       = "web"
      load_balancer_type         = "application"
      subnets                    = var.public_subnet_ids
      drop_invalid_header_fields = true
    }
    ```

    ## Fix safety
    **Unsafe.** Requests keep flowing, but header fields with other characters in their
    names, most often underscores (`X_Api_Key`, `my_header`), no longer reach the targets;
    clients or proxies that send such headers break. Check the access logs or the backends
    for such headers first.

    ## Deployment impact
    In-place update (`ModifyLoadBalancerAttributes`); the load balancer keeps its DNS name
    and listeners.

    ## References
    - Terraform AWS provider source, `internal/service/elbv2/load_balancer.go`:
      `drop_invalid_header_fields` (Optional, Default false, diff suppressed unless the type
      is `application`; a load balancer attribute updated in place)
    - Elastic Load Balancing User Guide, application load balancer attribute
      `routing.http.drop_invalid_header_fields.enabled` (valid names match
      `^[-A-Za-z0-9]+$`)
    - Checkov CKV_AWS_131 (`checkov/terraform/checks/resource/aws/ALBDropHttpHeaders.py`);
      Trivy AWS-0052 (`checks/cloud/aws/elb/drop_invalid_headers.rego`)
    """

    id = "TFX804"
    name = "alb-drop-invalid-headers"
    summary = "Application load balancers must set drop_invalid_header_fields = true"
    fix_availability = FIX_SOMETIMES
    safety = UNSAFE
    impact = IMPACT_IN_PLACE
    checkov = ("CKV_AWS_131",)
    trivy = ("AWS-0052",)

    def check(self, module: Module, options: dict[str, Any]) -> Iterator[Finding]:
        for ref in module.resources("aws_lb", "aws_alb"):
            kind = attribute(ref.block, "load_balancer_type")
            known, value = text(kind.value) if kind is not None else (True, None)
            if known and value not in (None, "application"):
                continue
            for f in setting_findings(self, ref, ref.block, "drop_invalid_header_fields", True, missing=CASE,
                                      wrong=CASE, why="malformed header fields reach the targets"):
                if not known and f.fix is not None:
                    f.fix = None
                    f.message += " (if it is an application load balancer: load_balancer_type is an expression)"
                elif f.fix is not None:
                    f.fix.description += " (headers with underscores stop reaching the targets)"
                yield f
