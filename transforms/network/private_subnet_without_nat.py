"""TFX211: private subnets have a default route (through a NAT gateway)."""

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
from tffix.syntax.strings import string_text
from tffix.transforms.lib.environment import words

DEFAULT_ROUTES = ("0.0.0.0/0",)
# names of subnets / route tables that are meant to have no internet access
ISOLATED = frozenset({"isolated", "intra", "database", "db", "rds", "redshift", "elasticache", "cache", "airgap",
                      "airgapped", "offline"})


def _names(ref: BlockRef) -> set[str]:
    out = words(ref.block.label_values[1]) if len(ref.block.labels) > 1 else set()
    tags = ref.block.get_attribute("tags")
    if tags is not None and isinstance(tags.value, cst.Object):
        name = tags.value.get("Name")
        st = string_text(name.value) if name is not None and isinstance(name.value, cst.Template) else None
        if st is not None:  # the literal parts of the name
            out |= words("".join(st.source[start:end] for start, end in st.runs))
    return out


class PrivateSubnetWithoutNat(Rule):
    """
    ## What it does
    Reports `aws_route_table`s that are associated (`aws_route_table_association`) with
    subnets of the module and have no default route (`0.0.0.0/0`) at all: neither an inline
    `route` block nor an `aws_route` resource for that table. Those subnets cannot reach
    anything outside the VPC. Tables and subnets named as isolated on purpose (`isolated`,
    `intra`, `database`, `db`, `rds`, `cache`... as a whole word in the resource name or the
    `Name` tag) are left out, as are subnets with `map_public_ip_on_launch = true` and
    tables with `dynamic "route"` blocks or routes tffix cannot attribute. The message names
    the module's NAT gateways when it has some. Display only.

    ## Why is this bad?
    Seed 003 §1 ("Missing NAT Gateway for Private Subnets", critical): ECS tasks cannot pull
    images from ECR, instances cannot download patches, and applications cannot call external
    APIs or AWS endpoints (Secrets Manager, CloudWatch) without VPC endpoints, so deployments
    fail with timeouts (also seed 000 §2 "Missing NAT Gateways for private subnet internet
    access", seed 004 "Missing NAT Gateways").

    ## Example
    ```hcl
    resource "aws_subnet" "private" {
      count      = 2
      vpc_id     = aws_vpc.main.id
      cidr_block = "10.0.${count.index + 10}.0/24"
    }

    resource "aws_route_table" "private" {
      count  = 2
      vpc_id = aws_vpc.main.id
    }

    resource "aws_route_table_association" "private" {
      count          = 2
      subnet_id      = aws_subnet.private[count.index].id
      route_table_id = aws_route_table.private[count.index].id
    }
    ```

    ## Use instead
    A default route through a NAT gateway for each table:
    ```hcl
    # file: nat.tf
    resource "aws_route" "private_nat" {
      count                  = 2
      route_table_id         = aws_route_table.private[count.index].id
      destination_cidr_block = "0.0.0.0/0"
      nat_gateway_id         = aws_nat_gateway.main[count.index].id
    }
    ```
    (with `aws_eip` and `aws_nat_gateway` in the public subnets), or VPC endpoints for the
    AWS services the subnets use if they must stay without internet access.

    ## Fix safety
    No fix: a NAT gateway costs money per hour and per GB, needs an Elastic IP and a public
    subnet, and one per AZ is a design choice (seed 001 §5).

    ## Deployment impact
    None (display only).

    ## References
    - Terraform AWS provider docs, `aws_route_table` (`route` blocks), `aws_route`
      (`destination_cidr_block`, `nat_gateway_id`), `aws_route_table_association`,
      `aws_nat_gateway`
    - Amazon VPC User Guide, "NAT gateways"
    - Seed 003 §1, seed 000 §2, seed 004 "Missing NAT Gateways", seed 001 §5 (`../shared/seeds`)
    - No Checkov or Trivy check follows subnets to their routes
    """

    id = "TFX211"
    name = "private-subnet-without-nat"
    summary = "Subnets with a route table have a default route (NAT gateway)"
    fix_availability = FIX_NEVER
    safety = DISPLAY_ONLY
    impact = IMPACT_NONE

    def check(self, module: Module, options: dict[str, Any]) -> Iterator[Finding]:
        routed: set[int] = set()  # tables with a default route (or routes tffix cannot rule out)
        for ref in module.resources("aws_route"):
            dest = ref.block.get_attribute("destination_cidr_block")
            if dest is None:
                continue  # an IPv6 or prefix-list destination
            known, value = literal(dest.value)
            if known and value not in DEFAULT_ROUTES:
                continue
            table_attr = ref.block.get_attribute("route_table_id")
            table = module.resolve(table_attr.value) if table_attr is not None else None
            if table is None:
                return  # a default route for a table tffix cannot identify: prove nothing
            routed.add(id(table.block))
        associations: dict[int, list[BlockRef]] = {}
        for ref in module.resources("aws_route_table_association"):
            table_attr = ref.block.get_attribute("route_table_id")
            subnet_attr = ref.block.get_attribute("subnet_id")
            table = module.resolve(table_attr.value) if table_attr is not None else None
            subnet = module.resolve(subnet_attr.value) if subnet_attr is not None else None
            if table is None or subnet is None or subnet.block.label_values[:1] != ["aws_subnet"]:
                continue
            associations.setdefault(id(table.block), []).append(subnet)
        nats = [r.address for r in module.resources("aws_nat_gateway")]
        for table in module.resources("aws_route_table"):
            subnets = associations.get(id(table.block), [])
            if not subnets or id(table.block) in routed or self._has_default_route(table.block):
                continue
            if _names(table) & ISOLATED or any(_names(s) & ISOLATED for s in subnets):
                continue
            if any(literal(a.value) == (True, True) for s in subnets
                   if (a := s.block.get_attribute("map_public_ip_on_launch")) is not None):
                continue
            unique = list(dict.fromkeys(s.address for s in subnets))
            via = f"route 0.0.0.0/0 through {nats[0]}" if nats else \
                "add a NAT gateway in a public subnet and route 0.0.0.0/0 through it"
            yield self.finding(table.file, table.block,
                               f"{table.address} (subnets {', '.join(unique)}) has no default route: nothing in "
                               f"them can reach the internet (image pulls, patches, external APIs); {via}, or add "
                               f"VPC endpoints if the subnets are meant to be isolated", block=table.block)

    @staticmethod
    def _has_default_route(block: cst.Block) -> bool:
        if any(d.label_values[:1] == ["route"] for d in block.find_blocks("dynamic")):
            return True
        attr = block.get_attribute("route")
        if attr is not None:
            return not (isinstance(attr.value, cst.Tuple) and not attr.value.items)
        for route in block.find_blocks("route"):
            cidr = route.get_attribute("cidr_block")
            if cidr is None:
                continue  # an IPv6 or prefix-list destination
            known, value = literal(cidr.value)
            if not known or value in DEFAULT_ROUTES:
                return True
        return False
