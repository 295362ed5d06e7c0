"""TFX215: internet-facing load balancers sit in public subnets."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from tffix.engine.module import BlockRef, Module
from tffix.engine.rules import DISPLAY_ONLY, FIX_NEVER, IMPACT_NONE, Finding, Rule
from tffix.transforms.lib.settings import text, truth
from tffix.transforms.lib.subnets import PRIVATE, classify, subnets_of


class LbSubnetPlacement(Rule):
    """
    ## What it does
    Reports an internet-facing `aws_lb` / `aws_alb` / `aws_elb` (`internal` missing or
    `false`) whose subnets (`subnets`, or the `subnet_id`s of its `subnet_mapping` blocks)
    are all subnets of the module that are provably private: associated with a route table
    whose default route does not go to an internet gateway, and without
    `map_public_ip_on_launch = true` (see `transforms/lib/subnets.py`). Gateway load balancers,
    internal ones, and subnets from variables, modules or data sources are left alone.
    Display only.

    ## Why is this bad?
    An internet-facing load balancer gets public IP addresses in its subnets, but answers
    come back through the subnets' route table: without a route to an internet gateway, no
    client ever gets a response, and AWS refuses the creation outright when the VPC has no
    internet gateway at all (seed 004 "ALBs in private subnets"). The usual cause is a
    copy-paste of `aws_subnet.private[*].id` into the load balancer.

    ## Example
    ```hcl
    resource "aws_lb" "web" {
      load_balancer_type = "application"
      subnets            = aws_subnet.private[*].id
    }
    ```
    where the `private` subnets route to the internet through a NAT gateway only:
    ```hcl
    # file: network.tf
    resource "aws_subnet" "public" {
      count                   = 2
      vpc_id                  = aws_vpc.main.id
      cidr_block              = "10.0.${count.index}.0/24"
      map_public_ip_on_launch = true
    }

    resource "aws_subnet" "private" {
      count      = 2
      vpc_id     = aws_vpc.main.id
      cidr_block = "10.0.${count.index + 10}.0/24"
    }

    resource "aws_route_table" "private" {
      vpc_id = aws_vpc.main.id

      route {
        cidr_block     = "0.0.0.0/0"
        nat_gateway_id = aws_nat_gateway.main.id
      }
    }

    resource "aws_route_table_association" "private" {
      count          = 2
      subnet_id      = aws_subnet.private[count.index].id
      route_table_id = aws_route_table.private.id
    }
    ```

    ## Use instead
    ```hcl
    resource "aws_lb" "web" {
      load_balancer_type = "application"
      subnets            = aws_subnet.public[*].id
    }
    ```
    Or `internal = true` if only the VPC should reach it.

    ## Fix safety
    No fix: both repairs (other subnets, `internal = true`) change who can reach the
    service, and changing `internal` forces a new load balancer.

    ## Deployment impact
    None (display only). Changing `subnets` yourself updates an Application Load Balancer in
    place; `internal` forces replacement.

    ## References
    - Terraform AWS provider docs `aws_lb` (`internal`, `subnets`, `subnet_mapping`;
      `internal` forces a new resource), `aws_route_table`, `aws_route`,
      `aws_route_table_association`
    - Elastic Load Balancing User Guide, "Subnets for your load balancer" (an internet-facing
      load balancer needs public subnets; from memory, not re-read for this rule)
    - Seed 004 "Networking: RDS in public subnets, ALBs in private subnets"
    - No Checkov or Trivy check compares a load balancer with its subnets' routes
    """

    id = "TFX215"
    name = "lb-subnet-placement"
    summary = "Internet-facing load balancers are placed in public subnets"
    fix_availability = FIX_NEVER
    safety = DISPLAY_ONLY
    impact = IMPACT_NONE

    def check(self, module: Module, options: dict[str, Any]) -> Iterator[Finding]:
        verdicts: dict[int, str | None] | None = None
        for ref in module.resources("aws_lb", "aws_alb", "aws_elb"):
            block = ref.block
            internal = block.get_attribute("internal")
            if internal is not None and truth(internal.value) != (True, False):
                continue  # internal, or decided by an expression
            kind = block.get_attribute("load_balancer_type")
            if kind is not None and text(kind.value) not in ((True, "application"), (True, "network"), (True, None)):
                continue
            listed = self._subnets(module, ref)
            if listed is None:
                continue
            node, subnets = listed
            if verdicts is None:
                verdicts = classify(module)
            if all(verdicts.get(id(s.block)) == PRIVATE for s in subnets):
                names = ", ".join(dict.fromkeys(s.address for s in subnets))
                yield self.finding(ref.file, node, f"{ref.address} is internet-facing but its subnets ({names}) "
                                   "route 0.0.0.0/0 to no internet gateway, so no client gets an answer; use "
                                   "public subnets, or set internal = true", block=block)

    @staticmethod
    def _subnets(module: Module, ref: BlockRef) -> tuple[Any, list[BlockRef]] | None:
        attr = ref.block.get_attribute("subnets")
        if attr is not None:
            found = subnets_of(module, attr.value)
            return (attr.value, found) if found else None
        mappings = ref.block.find_blocks("subnet_mapping")
        if not mappings or any(d.label_values[:1] == ["subnet_mapping"] for d in ref.block.find_blocks("dynamic")):
            return None
        out: list[BlockRef] = []
        for mapping in mappings:
            subnet = mapping.get_attribute("subnet_id")
            found = subnets_of(module, subnet.value) if subnet is not None else None
            if not found:
                return None
            out += found
        return mappings[0], out
