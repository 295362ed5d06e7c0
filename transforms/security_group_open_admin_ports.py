"""TFX210: no SSH, RDP or all-ports ingress from the whole internet."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from tffix import cst
from tffix.module import BlockRef, Module
from tffix.rules import DISPLAY_ONLY, FIX_NEVER, IMPACT_NONE, Finding, Rule, literal

OPEN = ("0.0.0.0/0", "::/0")
ALL = ("-1", "all")
TCP = ("tcp", "6")
UDP = ("udp", "17")
ADMIN = {22: "SSH (22)", 3389: "RDP (3389)"}


def _text(expr: cst.Node | None) -> str | None:
    if expr is None:
        return None
    if isinstance(expr, cst.UnaryOp) and str(expr.op) == "-":
        inner = _text(expr.operand)
        return "-" + inner if inner is not None and inner.isdigit() else None
    known, value = literal(expr)
    if not known or value is None or isinstance(value, bool):
        return None
    return str(value).lower()


def _port(expr: cst.Node | None) -> int | None:
    text = _text(expr)
    return int(text) if text is not None and text.lstrip("-").isdigit() else None


def exposure(protocol: str | None, from_port: int | None, to_port: int | None) -> str | None:
    """What an internet-wide rule with these settings exposes (None: nothing this rule is about,
    or not provable)."""
    if protocol in ALL:
        return "every port and protocol"
    if protocol not in TCP + UDP or from_port is None or to_port is None:
        return None
    if protocol in TCP and from_port <= 0 and to_port >= 65535:
        return "every TCP port"
    hits = [label for port, label in ADMIN.items() if from_port <= port <= to_port
            and (protocol in TCP or port == 3389)]
    if not hits:
        return None
    where = " and ".join(hits)
    return where if (from_port, to_port) in ((22, 22), (3389, 3389)) else f"{where} (ports {from_port}-{to_port})"


def _open_cidrs(owner: cst.Block, *names: str) -> list[tuple[str, cst.Node]]:
    out = []
    for name in names:
        attr = owner.get_attribute(name)
        if attr is None:
            continue
        items = attr.value.items if isinstance(attr.value, cst.Tuple) else [attr.value]
        for item in items:
            known, value = literal(item)
            if known and value in OPEN:
                out.append((value, item))
    return out


ADVICE = ("restrict the source to known CIDR ranges or a security group, or reach the hosts through SSM Session "
          "Manager or a bastion")


class SecurityGroupOpenAdminPorts(Rule):
    """
    ## What it does
    Reports ingress rules open to the whole internet (`0.0.0.0/0` or `::/0`) on SSH (22), RDP
    (3389, TCP or UDP) or on every port (`protocol = "-1"` / `"all"`, or TCP 0-65535): `ingress`
    blocks of `aws_security_group` and `aws_default_security_group`, `aws_security_group_rule`
    with `type = "ingress"`, and `aws_vpc_security_group_ingress_rule` (`cidr_ipv4` /
    `cidr_ipv6`, `ip_protocol`). Port ranges that include 22 or 3389 count. The finding points
    at the open CIDR. Display only: tffix cannot know which sources should be allowed.
    Rules built from expressions (a variable CIDR, `dynamic` ingress blocks) are not reported,
    since tffix cannot prove them open.

    ## Why is this bad?
    SSH and RDP open to the internet are brute-forced within minutes of launch, and every port
    open means every service on the host is exposed, including ones that were never meant to
    be (seed 000 "Security Group Misconfigurations", seed 004 "Insecure Security Groups:
    Opening SSH (22) or RDP (3389) to 0.0.0.0/0"; CIS AWS Foundations 5.2/5.3).

    ## Example
    ```hcl
    resource "aws_security_group" "bastion" {
      ingress {
        from_port   = 22
        to_port     = 22
        protocol    = "tcp"
        cidr_blocks = ["0.0.0.0/0"]
      }
    }
    ```

    ## Use instead
    ```hcl
    resource "aws_security_group" "bastion" {
      ingress {
        from_port   = 22
        to_port     = 22
        protocol    = "tcp"
        cidr_blocks = [var.office_cidr]
        description = "SSH from the office VPN"
      }
    }
    ```
    Better: no inbound SSH at all, and SSM Session Manager.

    ## Fix safety
    No fix: the right source range is a decision only the owner can make.

    ## Deployment impact
    None (display only).

    ## References
    - Terraform AWS provider docs, `aws_security_group` (`ingress`: `from_port`, `to_port`,
      `protocol` "-1" for all, `cidr_blocks`, `ipv6_cidr_blocks`), `aws_security_group_rule`,
      `aws_vpc_security_group_ingress_rule` (`ip_protocol` `-1` "translates to all protocols,
      all port ranges")
    - Seed 000 "Security Group Misconfigurations", seed 004 "Insecure Security Groups"
      (`../shared/seeds`)
    - Checkov CKV_AWS_24 (22), CKV_AWS_25 (3389), CKV_AWS_277 (all ports)
      (`checks/resource/aws/SecurityGroupUnrestrictedIngress*.py`); Trivy AWS-0107
      (`checks/cloud/aws/ec2/no_public_ingress_sgr.rego`)
    """

    id = "TFX210"
    name = "security-group-open-admin-ports"
    summary = "No SSH, RDP or all-ports ingress from 0.0.0.0/0 or ::/0"
    fix_availability = FIX_NEVER
    safety = DISPLAY_ONLY
    impact = IMPACT_NONE
    checkov = ("CKV_AWS_24", "CKV_AWS_25", "CKV_AWS_277")
    trivy = ("AWS-0107",)

    def check(self, module: Module, options: dict[str, Any]) -> Iterator[Finding]:
        for ref in module.resources("aws_security_group", "aws_default_security_group"):
            for n, ingress in enumerate(ref.block.find_blocks("ingress"), 1):
                yield from self._rule(ref, ingress, f"{ref.address} ingress block {n}", "protocol",
                                      ("cidr_blocks", "ipv6_cidr_blocks"))
        for ref in module.resources("aws_security_group_rule"):
            if _text(ref.block.get_attribute("type").value if ref.block.get_attribute("type") else None) != "ingress":
                continue
            yield from self._rule(ref, ref.block, ref.address, "protocol", ("cidr_blocks", "ipv6_cidr_blocks"))
        for ref in module.resources("aws_vpc_security_group_ingress_rule"):
            yield from self._rule(ref, ref.block, ref.address, "ip_protocol", ("cidr_ipv4", "cidr_ipv6"))

    def _rule(self, ref: BlockRef, owner: cst.Block, where: str, protocol_name: str,
              cidr_names: tuple[str, ...]) -> Iterator[Finding]:
        cidrs = _open_cidrs(owner, *cidr_names)
        if not cidrs:
            return
        get = owner.get_attribute
        protocol = _text(get(protocol_name).value) if get(protocol_name) else None
        from_port = _port(get("from_port").value) if get("from_port") else None
        to_port = _port(get("to_port").value) if get("to_port") else None
        what = self.exposure(protocol, from_port, to_port)
        if what is None:
            return
        for cidr, node in cidrs:
            yield self.finding(ref.file, node, f"{where} allows {what} from {cidr} (the whole internet); "
                               f"{self.advice}", block=ref.block)

    # what an open rule exposes, and what to do; TFX214 asks the same about database ports
    advice = ADVICE

    def exposure(self, protocol: str | None, from_port: int | None, to_port: int | None) -> str | None:
        return exposure(protocol, from_port, to_port)
