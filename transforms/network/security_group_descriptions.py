"""TFX216: security groups and their rules have descriptions."""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

from tffix import edit
from tffix.engine.module import BlockRef, Module
from tffix.engine.rules import FIX_SOMETIMES, IMPACT_IN_PLACE, IMPACT_REPLACE, SAFE, UNSAFE, Finding, Rule, literal
from tffix.syntax import cst
from tffix.transforms.lib.settings import nested, text

# the provider's default description of aws_security_group: what a group "without" one gets
DEFAULT = "Managed by Terraform"
# characters AWS accepts in a VPC security group's and a rule's description (EC2 API reference,
# CreateSecurityGroup GroupDescription and IpRange Description: a-z, A-Z, 0-9, spaces, ._-:/()#,@[]+=&;{}!$*)
ALLOWED = re.compile(r"^[A-Za-z0-9 ._\-:/()#,@\[\]+=&;{}!$*]{1,200}$")
PROTOCOLS = {"-1": None, "all": None, "tcp": "TCP", "6": "TCP", "udp": "UDP", "17": "UDP", "icmp": "ICMP",
             "1": "ICMP", "icmpv6": "ICMPv6", "58": "ICMPv6"}


def _value(owner: cst.Block, name: str) -> tuple[bool, Any]:
    """(known, value) of a literal argument; a missing one is (True, None)."""
    attr = owner.get_attribute(name)
    if attr is None:
        return True, None
    expr = attr.value
    if isinstance(expr, cst.UnaryOp) and str(expr.op) == "-":
        known, value = literal(expr.operand)
        return (True, -value) if known and isinstance(value, int) and not isinstance(value, bool) else (False, None)
    return literal(expr)


def rule_description(owner: cst.Block, direction: str, protocol_name: str) -> str | None:
    """A description from the rule's literal direction, protocol and ports ("Inbound TCP 443"),
    or None when one of them is an expression."""
    known, protocol = _value(owner, protocol_name)
    if not known or protocol is None or isinstance(protocol, bool):
        return None
    protocol = str(protocol).lower()
    if protocol in ("-1", "all"):
        return f"{direction} all traffic"
    label = PROTOCOLS.get(protocol, f"protocol {protocol}")
    if label not in ("TCP", "UDP"):
        return f"{direction} {label}"
    ports = []
    for name in ("from_port", "to_port"):
        known, port = _value(owner, name)
        if isinstance(port, str) and port.isdigit():
            port = int(port)
        if not known or not isinstance(port, int) or isinstance(port, bool):
            return None
        ports.append(port)
    low, high = ports
    if low <= 0 and high >= 65535:
        return f"{direction} {label} all ports"
    return f"{direction} {label} {low}" if low == high else f"{direction} {label} {low}-{high}"


class SecurityGroupDescriptions(Rule):
    """
    ## What it does
    Finds security groups and security group rules without a description: `aws_security_group`
    without `description` (or with `""`, or with the provider's default `"Managed by Terraform"`
    written out), its inline `ingress` / `egress` blocks, `aws_security_group_rule`,
    `aws_vpc_security_group_ingress_rule` and `aws_vpc_security_group_egress_rule` without
    `description` (or with `""`). A description set from an expression is left alone.

    The fix writes a description derived from what the module says:

    - a group: `"Security group NAME"`, with the group's literal `name` (or `name_prefix`), else
      the resource's label;
    - a rule: its direction, protocol and ports, `"Inbound TCP 443"`, `"Outbound all traffic"`,
      `"Inbound UDP 1000-2000"`, `"Inbound ICMP"`. A rule whose protocol or ports are
      expressions, a `dynamic` block, and rules written as an `ingress = [...]` list are
      reported without a fix.

    Replace the generated text with the reason the rule exists ("HTTPS from the ALB").

    ## Why is this bad?
    A rule nobody can explain is a rule nobody dares to remove: security groups accumulate
    openings whose purpose is lost, and a review (or an incident responder) cannot tell a
    deliberate opening from a leftover one. A description shows up in the console, in
    `describe-security-groups` and in the AWS Config history. The provider's default group
    description, "Managed by Terraform", says nothing about the group (Trivy flags it like a
    missing one).

    ## Example
    ```hcl
    resource "aws_security_group" "web" {
      name   = "web"
      vpc_id = var.vpc_id

      ingress {
        from_port   = 443
        to_port     = 443
        protocol    = "tcp"
        cidr_blocks = ["10.0.0.0/16"]
      }
    }

    resource "aws_security_group_rule" "web_egress" {
      type              = "egress"
      from_port         = 0
      to_port           = 0
      protocol          = "-1"
      cidr_blocks       = ["10.0.0.0/16"]
      security_group_id = aws_security_group.web.id
    }
    ```

    ## Use instead
    ```hcl
    resource "aws_security_group" "web" {
      name        = "web"
      description = "Web servers behind the internal ALB"
      vpc_id      = var.vpc_id

      ingress {
        from_port   = 443
        to_port     = 443
        protocol    = "tcp"
        cidr_blocks = ["10.0.0.0/16"]
        description = "HTTPS from the VPC"
      }
    }

    resource "aws_security_group_rule" "web_egress" {
      type              = "egress"
      from_port         = 0
      to_port           = 0
      protocol          = "-1"
      cidr_blocks       = ["10.0.0.0/16"]
      security_group_id = aws_security_group.web.id
      description       = "Outbound to the VPC"
    }
    ```

    ## Fix safety
    - `aws_security_group_rule`, `aws_vpc_security_group_ingress_rule` /
      `_egress_rule`: **safe**. The description is updated in place
      (`UpdateSecurityGroupRuleDescriptionsIngress/Egress`, `ModifySecurityGroupRules`); the
      rule itself is not touched.
    - a group's `description`: **unsafe**, it forces replacement of the group. Replacing a group
      that instances, load balancers or other groups' rules use fails or cuts traffic while
      the new group is created (and a group with a fixed `name` cannot be created before the
      old one is gone). Only for groups that are not deployed yet, or with a planned move.
    - an inline `ingress` / `egress` block's `description`: **unsafe**. The inline rules are a
      set whose element hash includes the description, and the provider applies the change by
      revoking the old rule and then authorizing the new one: for a moment the traffic the
      rule allows is dropped.

    ## Deployment impact
    Rule resources: in-place update. A group's description: forces replacement. Inline rules:
    in-place update of the group (the rule is revoked and re-authorized).

    ## References
    - terraform-provider-aws `internal/service/ec2/vpc_security_group.go`,
      `resourceSecurityGroup`: `description` is `Optional`, `ForceNew`, `Default: "Managed by
      Terraform"`, `StringLenBetween(0, 255)`; inline rules (`securityGroupRuleNestedBlock`)
      have an optional `description`, `securityGroupRuleHash` hashes it, and
      `updateSecurityGroupRules` revokes the removed rules before it authorizes the added ones
    - terraform-provider-aws `vpc_security_group_rule.go`, `resourceSecurityGroupRuleUpdate`:
      `description` (not `ForceNew`) is changed with `UpdateSecurityGroupRuleDescriptions*`;
      `vpc_security_group_ingress_rule.go`, `Update`: `description` changes go through
      `ModifySecurityGroupRules`
    - EC2 API reference, `CreateSecurityGroup` (`GroupDescription`, up to 255 characters;
      for a VPC: a-z, A-Z, 0-9, spaces and `._-:/()#,@[]+=&;{}!$*`) and `IpRange`
      (`Description`, the same characters)
    - Checkov CKV_AWS_23 (`checks/resource/aws/SecurityGroupRuleDescription.py`: fails a group
      or rule without a truthy `description`, and a group with an inline rule without one;
      checkov 3.3.30, `bench/checkov_mapping.py`). Checkov passes an explicit `"Managed by
      Terraform"`; Trivy AWS-0099 (groups, flags the default text too) and AWS-0124 (rules)
    """

    id = "TFX216"
    name = "security-group-descriptions"
    summary = "Security groups and their rules have a description"
    fix_availability = FIX_SOMETIMES
    safety = UNSAFE
    impact = IMPACT_REPLACE
    checkov = ("CKV_AWS_23",)
    trivy = ("AWS-0099", "AWS-0124")

    def check(self, module: Module, options: dict[str, Any]) -> Iterator[Finding]:
        for ref in module.resources("aws_security_group"):
            yield from self._group(ref)
            for direction, word in (("ingress", "Inbound"), ("egress", "Outbound")):
                static, dynamic = nested(ref.block, direction)
                for n, owner in enumerate(static, 1):
                    yield from self._missing(ref, owner, f"{ref.address} {direction} block {n}",
                                             rule_description(owner, word, "protocol"), UNSAFE, IMPACT_IN_PLACE)
                for owner in dynamic:
                    content = next(iter(owner.find_blocks("content")), None)
                    if content is not None:
                        yield from self._missing(ref, content, f'{ref.address} dynamic "{direction}"', None,
                                                 UNSAFE, IMPACT_IN_PLACE)
                attr = ref.block.get_attribute(direction)
                if attr is not None and isinstance(attr.value, cst.Tuple):
                    for item in attr.value.items:
                        if isinstance(item, cst.Object) and not any(
                                i.key_name == "description" for i in item.items):
                            yield self.finding(ref.file, item, f"{ref.address} has an {direction} rule without a "
                                               "description", block=ref.block)
        for ref in module.resources("aws_security_group_rule"):
            known, kind = _value(ref.block, "type")
            word = {"ingress": "Inbound", "egress": "Outbound"}.get(kind) if known else None
            wanted = rule_description(ref.block, word, "protocol") if word else None
            yield from self._missing(ref, ref.block, ref.address, wanted, SAFE, IMPACT_IN_PLACE)
        for kind, word in (("ingress", "Inbound"), ("egress", "Outbound")):
            for ref in module.resources(f"aws_vpc_security_group_{kind}_rule"):
                yield from self._missing(ref, ref.block, ref.address, rule_description(ref.block, word, "ip_protocol"),
                                         SAFE, IMPACT_IN_PLACE)

    def _group(self, ref: BlockRef) -> Iterator[Finding]:
        block = ref.block
        attr = block.get_attribute("description")
        known, value = text(attr.value) if attr is not None else (True, None)
        if not known or (value and value != DEFAULT):
            return
        name = None
        for arg in ("name", "name_prefix"):
            ok, given = _value(block, arg)
            if ok and isinstance(given, str) and given.strip(" -_"):
                name = given.rstrip(" -_") if arg == "name_prefix" else given
                break
        wanted = f"Security group {name or block.label_values[1]}"
        what = "has no description" if not value else f'keeps the provider default description "{DEFAULT}"'
        if not ALLOWED.match(wanted):
            wanted = f"Security group {block.label_values[1]}"
        yield self._finding(ref, block, attr, f"{ref.address} {what}", wanted, ("name", "name_prefix"),
                            UNSAFE, IMPACT_REPLACE)

    def _missing(self, ref: BlockRef, owner: cst.Block, where: str, wanted: str | None, safety: str,
                 impact: str) -> Iterator[Finding]:
        attr = owner.get_attribute("description")
        known, value = text(attr.value) if attr is not None else (True, None)
        if not known or value:
            return
        yield self._finding(ref, owner, attr, f"{where} has no description", wanted, None, safety, impact)

    def _finding(self, ref: BlockRef, owner: cst.Block, attr: cst.Attribute | None, message: str,
                 wanted: str | None, after: tuple[str, ...] | None, safety: str, impact: str) -> Finding:
        node = attr.value if attr is not None else owner
        if wanted is None or not ALLOWED.match(wanted):
            return self.finding(ref.file, node, f"{message}; say why it exists", block=ref.block)
        return self.finding(
            ref.file, node, f"{message}; say why it exists", block=ref.block,
            fix=lambda: edit.set_attribute(owner, "description", wanted, after=after),
            description=f'set description = "{wanted}" (replace it with the reason)', safety=safety, impact=impact)

