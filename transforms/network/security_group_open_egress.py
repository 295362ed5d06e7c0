"""TFX217: no security group egress of every protocol to the whole internet."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from tffix.engine.module import BlockRef, Module
from tffix.engine.rules import DISPLAY_ONLY, FIX_NEVER, IMPACT_NONE, Finding, Rule
from tffix.syntax import cst
from tffix.transforms.lib.security_groups import ALL, open_destinations, protocol_text


class SecurityGroupOpenEgress(Rule):
    """
    ## What it does
    Reports egress rules that allow every protocol and port (`protocol = "-1"` / `"all"`) to
    the whole internet (`0.0.0.0/0` or `::/0`): `egress` blocks of `aws_security_group`,
    `aws_security_group_rule` with `type = "egress"`, and `aws_vpc_security_group_egress_rule`
    (`ip_protocol = "-1"`, `cidr_ipv4` / `cidr_ipv6`). The finding points at the open CIDR.
    Display only: which destinations the workload needs is the owner's knowledge. Rules built
    from expressions are not reported (tffix cannot prove them open).

    ## Why is this bad?
    Allow-all egress is what lets compromised code call home, download tooling and exfiltrate
    data over any port. Most workloads need a handful of destinations: HTTPS to AWS APIs
    (better through VPC endpoints), a database, a package mirror. Listing them turns egress
    into a control instead of a formality.

    ## Example
    ```hcl
    resource "aws_security_group" "app" {
      name        = "app"
      description = "Application servers"

      egress {
        description = "Everything"
        from_port   = 0
        to_port     = 0
        protocol    = "-1"
        cidr_blocks = ["0.0.0.0/0"]
      }
    }
    ```

    ## Use instead
    ```hcl
    resource "aws_security_group" "app" {
      name        = "app"
      description = "Application servers"

      egress {
        description = "HTTPS to AWS APIs and the package mirror"
        from_port   = 443
        to_port     = 443
        protocol    = "tcp"
        cidr_blocks = ["0.0.0.0/0"]
      }
    }
    ```

    ## Fix safety
    No fix: narrowing egress breaks whatever used the ports it closes; only the owner knows
    which those are (VPC Flow Logs show the traffic to keep).

    ## Deployment impact
    None (display only).

    ## References
    - Terraform AWS provider docs, `aws_security_group` (`egress`, `protocol = "-1"` with
      `from_port` / `to_port` 0 means all), `aws_security_group_rule`,
      `aws_vpc_security_group_egress_rule` (`ip_protocol = "-1"`: all protocols and ports)
    - AWS Well-Architected Security Pillar SEC05-BP02 "Control traffic at all layers"
    - Checkov CKV_AWS_382 (`checks/resource/aws/SecurityGroupUnrestrictedEgressAny.py`, port
      -1: egress of all protocols to `0.0.0.0/0` or `::/0`; fails where the rule reports,
      checkov 3.3.30, `bench/checkov_mapping.py`). Checkov evaluates an
      `aws_vpc_security_group_egress_rule` only when it has `from_port` / `to_port`; the rule
      reports it either way
    """

    id = "TFX217"
    name = "security-group-open-egress"
    summary = "No egress of every protocol to 0.0.0.0/0 or ::/0"
    fix_availability = FIX_NEVER
    safety = DISPLAY_ONLY
    impact = IMPACT_NONE
    checkov = ("CKV_AWS_382",)

    def check(self, module: Module, options: dict[str, Any]) -> Iterator[Finding]:
        for ref in module.resources("aws_security_group", "aws_default_security_group"):
            for n, egress in enumerate(ref.block.find_blocks("egress"), 1):
                yield from self._rule(ref, egress, f"{ref.address} egress block {n}", "protocol",
                                      ("cidr_blocks", "ipv6_cidr_blocks"))
        for ref in module.resources("aws_security_group_rule"):
            kind = ref.block.get_attribute("type")
            if kind is None or protocol_text(kind.value) != "egress":
                continue
            yield from self._rule(ref, ref.block, ref.address, "protocol", ("cidr_blocks", "ipv6_cidr_blocks"))
        for ref in module.resources("aws_vpc_security_group_egress_rule"):
            yield from self._rule(ref, ref.block, ref.address, "ip_protocol", ("cidr_ipv4", "cidr_ipv6"))

    def _rule(self, ref: BlockRef, owner: cst.Block, where: str, protocol_name: str,
              cidr_names: tuple[str, ...]) -> Iterator[Finding]:
        protocol = owner.get_attribute(protocol_name)
        if protocol is None or protocol_text(protocol.value) not in ALL:
            return
        for cidr, node in open_destinations(owner, *cidr_names):
            yield self.finding(ref.file, node, f"{where} allows every protocol and port to {cidr} (the whole "
                               "internet); allow only the destinations and ports the workload needs",
                               block=ref.block)
