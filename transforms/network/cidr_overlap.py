"""TFX825: VPC and subnet CIDR blocks do not overlap and subnets fit their VPC."""

from __future__ import annotations

import ipaddress
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from tffix.engine.module import BlockRef, Module
from tffix.engine.rules import (
    DISPLAY_ONLY,
    FIX_NEVER,
    IMPACT_NONE,
    Finding,
    Rule,
    literal,
)
from tffix.syntax import cst
from tffix.transforms.lib.settings import instances

Network = ipaddress.IPv4Network


@dataclass
class _Cidr:
    ref: BlockRef
    node: cst.Node  # the cidr_block value
    network: Network
    copies: int  # instances with this same block (count / for_each)


def _int(expr: cst.Node) -> int | None:
    known, value = literal(expr)
    return value if known and isinstance(value, int) and not isinstance(value, bool) else None


def parse_cidr(text: str) -> tuple[Network | None, str]:
    """The network and "" for a valid IPv4 CIDR network address, else None and why not."""
    try:
        return ipaddress.IPv4Network(text), ""
    except ValueError:
        pass
    try:
        host = ipaddress.IPv4Network(text, strict=False)
    except ValueError:
        return None, "is not an IPv4 CIDR block"
    return None, f"has host bits set (the network address is {host})"


class CidrOverlap(Rule):
    """
    ## What it does
    Reads the literal IPv4 `cidr_block`s of the module's `aws_vpc`s and `aws_subnet`s (also
    `cidrsubnet(prefix, newbits, netnum)` with literal numbers and a literal prefix or the
    literal `cidr_block` of an `aws_vpc` of the module) and reports:

    - two VPCs whose blocks overlap, whatever their provider (an aliased provider is usually
      another region or account), or a VPC with a literal `count` / `for_each` of two or
      more that gives every copy the same block;
    - two subnets of the same VPC (the same `vpc_id` expression) whose blocks overlap, or a
      subnet resource whose copies all get the same literal block;
    - a subnet whose block is not inside its VPC's block (when `vpc_id` names an `aws_vpc`
      of the module with a literal block) nor inside a literal block of an
      `aws_vpc_ipv4_cidr_block_association` of that VPC;
    - a literal `cidr_block` that is not an IPv4 network address (`10.0.1.0/33`,
      `10.0.1.5/24`), or whose size AWS does not allow (VPCs and subnets take `/16` to
      `/28`).

    A block from a variable, a local, `count.index` or IPAM is never judged; a resource whose
    `count` / `for_each` is an expression (it may create nothing) is left out; a VPC with a
    secondary block association tffix cannot read is not checked for containment. Display
    only.

    ## Why is this bad?
    Overlapping VPC blocks cannot be connected: VPC peering refuses to peer them and a
    Transit Gateway or VPN cannot route between them, so a second region that reuses
    `10.0.0.0/16` has to be renumbered (rebuilt) the day the two must talk (seed 004 "CIDR
    Block Overlaps": "Both regions using 10.0.0.0/16"). Overlapping subnets in one VPC, a
    subnet outside its VPC's range and a malformed block all fail at apply time, often
    after part of the network was created.

    ## Example
    ```hcl
    resource "aws_vpc" "us" {
      cidr_block = "10.0.0.0/16"
    }

    resource "aws_vpc" "eu" {
      provider   = aws.eu
      cidr_block = "10.0.0.0/16"
    }

    resource "aws_subnet" "a" {
      vpc_id     = aws_vpc.us.id
      cidr_block = "10.0.1.0/24"
    }

    resource "aws_subnet" "b" {
      vpc_id     = aws_vpc.us.id
      cidr_block = "10.0.1.0/25"
    }
    ```

    ## Use instead
    ```hcl
    resource "aws_vpc" "us" {
      cidr_block = "10.1.0.0/16"
    }

    resource "aws_vpc" "eu" {
      provider   = aws.eu
      cidr_block = "10.2.0.0/16"
    }

    resource "aws_subnet" "a" {
      vpc_id     = aws_vpc.us.id
      cidr_block = cidrsubnet(aws_vpc.us.cidr_block, 8, 1)
    }

    resource "aws_subnet" "b" {
      vpc_id     = aws_vpc.us.id
      cidr_block = cidrsubnet(aws_vpc.us.cidr_block, 8, 2)
    }
    ```

    ## Fix safety
    No fix: choosing a new address plan is a design decision, and changing `cidr_block`
    replaces the VPC or subnet and everything in it.

    ## Deployment impact
    None (display only). Changing `cidr_block` of an `aws_vpc` or an `aws_subnet` yourself
    forces replacement of that resource (and of what runs in it).

    ## References
    - Terraform AWS provider docs `aws_vpc` (`cidr_block`, forces a new resource;
      `ipv4_ipam_pool_id`), `aws_subnet` (`cidr_block`, forces a new resource),
      `aws_vpc_ipv4_cidr_block_association`; Terraform function `cidrsubnet`
    - Amazon VPC User Guide, "VPC CIDR blocks" (IPv4 blocks from /16 to /28, subnets inside
      the VPC's blocks and not overlapping each other) and "VPC peering limitations"
      (overlapping CIDR blocks cannot be peered); from memory, not re-read for this rule
    - Seed 004 "Networking Misconfigurations: CIDR Block Overlaps" (`../shared/seeds`)
    - No Checkov or Trivy check compares CIDR blocks between resources
    """

    id = "TFX825"
    name = "cidr-overlap"
    summary = "VPC and subnet CIDR blocks do not overlap and subnets fit their VPC"
    fix_availability = FIX_NEVER
    safety = DISPLAY_ONLY
    impact = IMPACT_NONE

    def check(self, module: Module, options: dict[str, Any]) -> Iterator[Finding]:
        vpcs: list[_Cidr] = []
        vpc_networks: dict[int, Network] = {}
        for ref in module.resources("aws_vpc"):
            found = yield from self._read(module, ref, vpc_networks, vpc=True)
            if found is not None:
                vpc_networks[id(ref.block)] = found.network
                if found.copies:
                    vpcs.append(found)
        yield from self._overlaps(vpcs, "VPC", "peering and Transit Gateway cannot route between overlapping VPCs; "
                                               "give each VPC its own range")
        groups: dict[str, list[_Cidr]] = {}
        for ref in module.resources("aws_subnet"):
            found = yield from self._read(module, ref, vpc_networks, vpc=False)
            if found is None:
                continue
            vpc_attr = ref.block.get_attribute("vpc_id")
            if vpc_attr is None:
                continue
            yield from self._containment(module, found, vpc_attr.value, vpc_networks)
            if found.copies > 1 and _varies(vpc_attr.value):
                found.copies = 1  # each copy in its own VPC
            if found.copies:
                groups.setdefault(vpc_attr.value.code.strip(), []).append(found)
        for subnets in groups.values():
            yield from self._overlaps(subnets, "subnet", "AWS rejects overlapping subnets in one VPC; give each "
                                                          "subnet its own range")

    # ---- reading ----
    def _read(self, module: Module, ref: BlockRef, vpc_networks: dict[int, Network], *, vpc: bool
              ) -> Iterator[Finding]:
        """Yields findings for a malformed block; returns the block's network (``copies`` 0
        when the resource may have no instance or copies differ)."""
        attr = ref.block.get_attribute("cidr_block")
        if attr is None:
            return None
        known, value = literal(attr.value)
        if known and isinstance(value, str):
            network, problem = parse_cidr(value)
        else:
            network, problem = _cidrsubnet(module, attr.value, vpc_networks), ""
        if problem:
            yield self.finding(ref.file, attr.value, f"{ref.address} cidr_block \"{value}\" {problem}; write a valid "
                               "IPv4 network address such as 10.0.1.0/24", block=ref.block)
            return None
        if network is None:
            return None
        if not 16 <= network.prefixlen <= 28:
            what = "a VPC" if vpc else "a subnet"
            yield self.finding(ref.file, attr.value, f"{ref.address} cidr_block {network} is a /{network.prefixlen}, "
                               f"but AWS only allows /16 to /28 for {what}; pick a block in that range",
                               block=ref.block)
            return None
        count = instances(ref.block)
        if count is None or count == 0:
            copies = 0
        elif count > 1 and _varies(attr.value):
            copies = 0
        else:
            copies = count
        return _Cidr(ref, attr.value, network, copies)

    # ---- checks ----
    def _overlaps(self, items: list[_Cidr], kind: str, advice: str) -> Iterator[Finding]:
        for index, item in enumerate(items):
            if item.copies > 1:
                yield self.finding(item.ref.file, item.node, f"{item.ref.address} gives all {item.copies} of its "
                                   f"instances the same {kind} block {item.network}; {advice}", block=item.ref.block)
                continue
            for other in items[:index]:
                if item.network.overlaps(other.network):
                    where = _provider(other.ref), _provider(item.ref)
                    note = f" (providers {where[0]} and {where[1]})" if kind == "VPC" and where[0] != where[1] else ""
                    yield self.finding(item.ref.file, item.node,
                                       f"{item.ref.address} {kind} block {item.network} overlaps {other.ref.address} "
                                       f"({other.network}){note}; {advice}", block=item.ref.block)
                    break

    def _containment(self, module: Module, subnet: _Cidr, vpc_expr: cst.Node,
                     vpc_networks: dict[int, Network]) -> Iterator[Finding]:
        vpc = module.resolve(vpc_expr)
        if vpc is None or vpc.block.label_values[:1] != ["aws_vpc"] or id(vpc.block) not in vpc_networks:
            return
        ranges = [vpc_networks[id(vpc.block)]]
        for assoc in module.resources("aws_vpc_ipv4_cidr_block_association"):
            target_attr = assoc.block.get_attribute("vpc_id")
            target = module.resolve(target_attr.value) if target_attr is not None else None
            if target is None or target != vpc:
                if target is None:
                    return  # an association tffix cannot place may belong to this VPC
                continue
            cidr = assoc.block.get_attribute("cidr_block")
            known, value = literal(cidr.value) if cidr is not None else (False, None)
            network = parse_cidr(value)[0] if known and isinstance(value, str) else None
            if network is None:
                return  # a secondary block tffix cannot read
            ranges.append(network)
        if any(subnet.network.subnet_of(r) for r in ranges):
            return
        shown = ", ".join(str(r) for r in ranges)
        yield self.finding(subnet.ref.file, subnet.node, f"{subnet.ref.address} block {subnet.network} is not "
                           f"inside {vpc.address} ({shown}), so AWS rejects the subnet; pick a block inside the "
                           "VPC's range or associate a secondary block", block=subnet.ref.block)


def _varies(expr: cst.Node) -> bool:
    """True when the expression can differ per instance (uses count or each)."""
    for node in expr.walk():
        if isinstance(node, cst.Traversal) and node.path[:1] in (["count"], ["each"]):
            return True
    return False


def _provider(ref: BlockRef) -> str:
    attr = ref.block.get_attribute("provider")
    return attr.value.code.strip() if attr is not None else "aws"


def _cidrsubnet(module: Module, expr: cst.Node, vpc_networks: dict[int, Network]) -> Network | None:
    """``cidrsubnet(prefix, newbits, netnum)`` with literal numbers and a literal prefix or
    an ``aws_vpc.x.cidr_block`` of the module with a literal block; None otherwise."""
    expr = cst.sole_expression(expr)
    if not isinstance(expr, cst.FunctionCall) or expr.name != "cidrsubnet" or len(expr.arguments) != 3:
        return None
    prefix_expr, bits_expr, num_expr = expr.arguments
    newbits, netnum = _int(bits_expr), _int(num_expr)
    if newbits is None or netnum is None:
        return None
    known, value = literal(prefix_expr)
    if known and isinstance(value, str):
        prefix = parse_cidr(value)[0]
    elif isinstance(prefix_expr, cst.Traversal) and prefix_expr.path[2:3] == ["cidr_block"] \
            and len(prefix_expr.path) == 3 and len(prefix_expr.steps) == 2:
        target = module.resolve(prefix_expr)
        prefix = vpc_networks.get(id(target.block)) if target is not None else None
        if target is not None and target.block.label_values[:1] != ["aws_vpc"]:
            prefix = None
    else:
        prefix = None
    if prefix is None or newbits < 0 or netnum < 0:
        return None
    length = prefix.prefixlen + newbits
    if length > 32 or netnum >= 2 ** newbits:
        return None  # Terraform reports this itself at plan time
    base = int(prefix.network_address) + (netnum << (32 - length))
    return ipaddress.IPv4Network((base, length))
