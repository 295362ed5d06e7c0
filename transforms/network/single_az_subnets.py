"""TFX821: a VPC's subnets span more than one Availability Zone."""

from __future__ import annotations

from collections.abc import Iterator
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
from tffix.transforms.lib.settings import AZ_ARGUMENTS, instances


class SingleAzSubnets(Rule):
    """
    ## What it does
    Groups the module's `aws_subnet`s by VPC (`vpc_id` as written) and reports a VPC whose
    subnets all sit in one literal Availability Zone (`availability_zone` or
    `availability_zone_id`), when there are at least two of them (counting `count` and literal
    `for_each` instances; a `count` from an expression counts as possibly several). The
    finding points at the first subnet's zone and names the others. A VPC with any subnet
    whose zone is an expression (`data.aws_availability_zones.available.names[count.index]`)
    or unset (AWS picks one) is not reported. Display only.

    ## Why is this bad?
    Everything in the VPC fails together when that zone has an outage. It also blocks
    deployments: an RDS DB subnet group and an Application Load Balancer both need subnets in
    at least two Availability Zones (seed 000 §2 "Single AZ deployment instead of multi-AZ",
    seed 004 "Single AZ Deployment: All subnets in same AZ").

    ## Example
    ```hcl
    resource "aws_subnet" "private_a" {
      vpc_id            = aws_vpc.main.id
      cidr_block        = "10.0.1.0/24"
      availability_zone = "us-east-1a"
    }

    resource "aws_subnet" "private_b" {
      vpc_id            = aws_vpc.main.id
      cidr_block        = "10.0.2.0/24"
      availability_zone = "us-east-1a"
    }
    ```

    ## Use instead
    ```hcl
    data "aws_availability_zones" "available" {
      state = "available"
    }

    resource "aws_subnet" "private" {
      count             = 2
      vpc_id            = aws_vpc.main.id
      cidr_block        = cidrsubnet(aws_vpc.main.cidr_block, 8, count.index + 1)
      availability_zone = data.aws_availability_zones.available.names[count.index]
    }
    ```

    ## Fix safety
    No fix: moving a subnet to another zone replaces it and everything in it.

    ## Deployment impact
    None (display only). Changing `availability_zone` yourself forces replacement of the subnet.

    ## References
    - Terraform AWS provider docs, `aws_subnet` (`availability_zone`, `availability_zone_id`;
      both force a new resource), data source `aws_availability_zones`
    - Amazon RDS User Guide (a DB subnet group needs subnets in at least two AZs); Elastic Load
      Balancing User Guide (an ALB needs at least two AZs)
    - Seed 000 §2, seed 004 "Single AZ Deployment" (`../shared/seeds`)
    - No Checkov or Trivy check compares subnets' zones
    """

    id = "TFX821"
    name = "single-az-subnets"
    summary = "A VPC's subnets span more than one Availability Zone"
    fix_availability = FIX_NEVER
    safety = DISPLAY_ONLY
    impact = IMPACT_NONE

    def check(self, module: Module, options: dict[str, Any]) -> Iterator[Finding]:
        groups: dict[str, list[BlockRef]] = {}
        for ref in module.resources("aws_subnet"):
            vpc = ref.block.get_attribute("vpc_id")
            groups.setdefault(vpc.value.code.strip() if vpc is not None else "", []).append(ref)
        for vpc, subnets in groups.items():
            zones: list[tuple[BlockRef, cst.Node, str]] = []
            for ref in subnets:
                attr = next((a for n in AZ_ARGUMENTS if (a := ref.block.get_attribute(n)) is not None), None)
                known, value = literal(attr.value) if attr is not None else (False, None)
                if not known or not isinstance(value, str):
                    break
                zones.append((ref, attr.value, value))  # type: ignore[union-attr]
            else:
                if len({z for _, _, z in zones}) != 1:
                    continue
                counts = [instances(ref.block) for ref in subnets]
                if None not in counts and sum(counts) < 2:  # type: ignore[arg-type]
                    continue
                first, node, zone = zones[0]
                names = ", ".join(r.address for r in subnets)
                where = f"VPC {vpc}" if vpc else "the module"
                yield self.finding(first.file, node,
                                   f"every subnet of {where} is in {zone} ({names}): one Availability Zone outage "
                                   f"takes everything down, and RDS subnet groups and load balancers need two "
                                   f"zones; spread the subnets over data.aws_availability_zones names",
                                   block=first.block)
