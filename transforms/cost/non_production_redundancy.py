"""TFX830: non-production environments run one NAT gateway and one Aurora instance."""

from __future__ import annotations

import re
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
from tffix.transforms.lib.environment import (
    Environment,
    environment_of,
    variable_values,
)
from tffix.transforms.lib.settings import instances, truth

# registry source of the VPC module, and its git / GitHub spellings
VPC_MODULE = re.compile(r"^(registry\.terraform\.io/)?terraform-aws-modules/vpc/aws(//.*)?$"
                        r"|terraform-aws-modules/terraform-aws-vpc(\.git)?(//[^?]*)?(\?.*)?$")


def _count(block: cst.Block, module: Module) -> tuple[int | None, str]:
    """How many instances the block has (``instances``) and, for ``count = length(x)``, a
    description of that: ``(None, "one NAT gateway per zone ...")`` when the length may be
    several, the length itself when ``x`` is a literal list."""
    count = block.get_attribute("count")
    value = count.value if count is not None else None
    if isinstance(value, cst.FunctionCall) and value.name == "length" and len(value.arguments) == 1:
        argument = value.arguments[0]
        size = _literal_length(module, argument)
        if size is not None:
            return size, ""
        return None, f"one NAT gateway per zone (count = length({argument.code.strip()}))"
    return instances(block), ""


def _literal_length(module: Module, expr: cst.Node) -> int | None:
    """The length of a literal list, or of ``var.x`` whose only value is a literal list default
    (no ``.tfvars`` file sets it)."""
    if isinstance(expr, cst.Tuple):
        return len(expr.items)
    if isinstance(expr, cst.Traversal) and len(expr.path) == 2 and expr.path[0] == "var":
        from_tfvars, values = variable_values(module, expr.path[1])
        if not from_tfvars and values and isinstance(values[0][1].value, cst.Tuple):
            return len(values[0][1].value.items)
    return None


def _non_production(module: Module, *refs: BlockRef | None) -> Environment | None:
    """The first known environment of ``refs`` when it is non-production."""
    for ref in refs:
        if ref is None:
            continue
        env = environment_of(module, ref)
        if env.production is not None:
            return env if env.production is False else None
    return None


WHY_NAT = ("every NAT gateway is billed per hour plus per GB processed, and a development environment rarely "
           "needs to survive the loss of a zone")
WHY_AURORA = ("every Aurora instance is billed per hour whether it serves reads or only waits to take over, and a "
              "development environment rarely needs a standby")


class NonProductionRedundancy(Rule):
    """
    ## What it does
    In a module whose environment is known to be non-production (`dev`, `test`, `staging`,
    `qa`, `sandbox`... in the resource's own names and tags, the module's environment
    variables and `.tfvars` files, or an `environments/<env>/` directory: see TFX822),
    reports production-grade redundancy:

    - more than one `aws_nat_gateway`: separate resources, a literal `count` above 1, a
      literal `for_each` of several items, or `count = length(...)` ("one per zone": reported
      unless the list is a literal of one element);
    - more than one `aws_rds_cluster_instance` in one Aurora cluster: a literal `count` or
      `for_each` above 1, or several resources whose `cluster_identifier` is the same
      expression (`aws_rds_cluster.main.id`);
    - a `terraform-aws-modules/vpc/aws` module call with `enable_nat_gateway = true` and no
      `single_nat_gateway = true` (the module then creates one NAT gateway per private subnet,
      or per zone with `one_nat_gateway_per_az = true`).

    Counts from other expressions (`var.nat_count`, `var.env == "prod" ? 3 : 1`) and modules
    whose environment is unknown or production (every reusable module) are left alone.
    Display only.

    ## Why is this bad?
    Seed 001 §5 "Expensive NAT Gateway Configuration" and §6 "Aurora Cluster Multiple
    Instances for Dev" (high): the code gives development the availability design of
    production. Each extra NAT gateway and each extra Aurora instance is a full hourly charge
    (NAT gateways also per GB processed) that multiplies across every non-production copy of
    the stack, for a zone-outage resilience nobody needs in dev.

    ## Example
    ```hcl
    variable "environment" {
      default = "dev"
    }

    resource "aws_nat_gateway" "main" {
      count         = length(var.public_subnet_cidrs)
      allocation_id = aws_eip.nat[count.index].id
      subnet_id     = aws_subnet.public[count.index].id
    }

    resource "aws_rds_cluster_instance" "main" {
      count              = 2
      cluster_identifier = aws_rds_cluster.main.id
      instance_class     = "db.r6g.large"
      engine             = aws_rds_cluster.main.engine
    }
    ```

    ## Use instead
    ```hcl
    locals {
      nat_gateway_count     = var.environment == "prod" ? length(var.public_subnet_cidrs) : 1
      aurora_instance_count = var.environment == "prod" ? 2 : 1
    }

    resource "aws_nat_gateway" "main" {
      count         = local.nat_gateway_count
      allocation_id = aws_eip.nat[count.index].id
      subnet_id     = aws_subnet.public[count.index].id
    }

    resource "aws_rds_cluster_instance" "main" {
      count              = local.aurora_instance_count
      cluster_identifier = aws_rds_cluster.main.id
      instance_class     = "db.r6g.large"
      engine             = aws_rds_cluster.main.engine
    }
    ```
    Private route tables then all point at the one gateway
    (`aws_nat_gateway.main[local.nat_gateway_count == 1 ? 0 : count.index].id`). With the VPC
    module: `single_nat_gateway = true`.

    ## Fix safety
    No fix: removing a NAT gateway reroutes the private subnets that used it, and removing
    an Aurora instance may remove the writer; the environment guess comes from names.

    ## Deployment impact
    None (display only). Lowering the counts yourself destroys the extra gateways (and their
    Elastic IPs' association) or instances.

    ## References
    - Amazon VPC User Guide, "NAT gateways" (a NAT gateway lives in one Availability Zone;
      pricing per hour and per GB processed)
    - Amazon Aurora User Guide, "Aurora DB clusters" (one writer, up to 15 Aurora Replicas,
      each a billed DB instance)
    - terraform-aws-modules/vpc `main.tf`: `nat_gateway_count = var.single_nat_gateway ? 1 :
      var.one_nat_gateway_per_az ? length(var.azs) : local.max_subnet_length`
    - Seed 001 §5, §6 (`../shared/seeds`)
    - No Checkov or Trivy check judges redundancy by environment
    """

    id = "TFX830"
    name = "non-production-redundancy"
    summary = "Non-production environments run one NAT gateway and one Aurora instance"
    fix_availability = FIX_NEVER
    safety = DISPLAY_ONLY
    impact = IMPACT_NONE

    def check(self, module: Module, options: dict[str, Any]) -> Iterator[Finding]:
        yield from self._nat_gateways(module)
        yield from self._aurora(module)
        yield from self._vpc_modules(module)

    def _nat_gateways(self, module: Module) -> Iterator[Finding]:
        gateways = []
        for ref in module.resources("aws_nat_gateway"):
            env = _non_production(module, ref)
            if env is not None:
                gateways.append((ref, env, *_count(ref.block, module)))
        for ref, env, number, per in gateways:
            count = ref.block.get_attribute("count") or ref.block.get_attribute("for_each")
            if per and count is not None:
                yield self.finding(ref.file, count.value,
                                   f"{ref.address} creates {per} in a non-production environment ({env.evidence}): "
                                   f"{WHY_NAT}; create one NAT gateway outside production and route every private "
                                   f"subnet through it", block=ref.block)
            elif number is not None and number > 1 and count is not None:
                yield self.finding(ref.file, count.value,
                                   f"{ref.address} creates {number} NAT gateways in a non-production environment "
                                   f"({env.evidence}): {WHY_NAT}; create one outside production", block=ref.block)
        single = [(ref, env) for ref, env, number, per in gateways if number == 1 and not per]
        if len(single) > 1:
            ref, env = single[1]
            names = ", ".join(r.address for r, _ in single)
            yield self.finding(ref.file, ref.block,
                               f"{ref.address} is one of {len(single)} NAT gateways ({names}) in a non-production "
                               f"environment ({env.evidence}): {WHY_NAT}; keep one and route every private subnet "
                               f"through it", block=ref.block)

    def _aurora(self, module: Module) -> Iterator[Finding]:
        clusters: dict[str, list[BlockRef]] = {}
        for ref in module.resources("aws_rds_cluster_instance"):
            target = ref.block.get_attribute("cluster_identifier")
            if target is None:
                continue
            clusters.setdefault(target.value.code.strip(), []).append(ref)
        for cluster, refs in clusters.items():
            first = refs[0]
            target = first.block.get_attribute("cluster_identifier")
            owner = module.resolve(target.value) if target is not None else None
            owner = owner if owner is not None and owner.block.type == "resource" else None
            counts = [_count(ref.block, module)[0] for ref in refs]
            env = _non_production(module, first, owner)
            if env is None:
                continue
            if len(refs) == 1:
                number = counts[0]
                if number is not None and number > 1:
                    count = first.block.get_attribute("count") or first.block.get_attribute("for_each")
                    assert count is not None
                    yield self.finding(first.file, count.value,
                                       f"{first.address} creates {number} instances of Aurora cluster {cluster} in a "
                                       f"non-production environment ({env.evidence}): {WHY_AURORA}; run one "
                                       f"instance outside production", block=first.block)
                continue
            if None in counts:
                continue
            total = sum(n for n in counts if n is not None)
            if total < 2:
                continue
            second = refs[1]
            names = ", ".join(r.address for r in refs)
            yield self.finding(second.file, second.block,
                               f"{second.address} is one of {total} instances of Aurora cluster {cluster} "
                               f"({names}) in a non-production environment ({env.evidence}): {WHY_AURORA}; run "
                               f"one instance outside production", block=second.block)

    def _vpc_modules(self, module: Module) -> Iterator[Finding]:
        for ref in module.blocks("module"):
            block = ref.block
            source = block.get_attribute("source")
            known, value = literal(source.value) if source is not None else (False, None)
            if not known or not isinstance(value, str) or not VPC_MODULE.search(value):
                continue
            enable = block.get_attribute("enable_nat_gateway")
            if enable is None or truth(enable.value) != (True, True):
                continue
            single = block.get_attribute("single_nat_gateway")
            if single is not None:
                known, flag = truth(single.value)
                if not known or flag:
                    continue
            per_az = block.get_attribute("one_nat_gateway_per_az")
            azs = block.get_attribute("azs")
            private = block.get_attribute("private_subnets")
            if (azs is not None and isinstance(azs.value, cst.Tuple) and len(azs.value.items) <= 1
                    and (private is None or isinstance(private.value, cst.Tuple) and len(private.value.items) <= 1)):
                continue
            env = _non_production(module, ref)
            if env is None:
                continue
            per = "one per Availability Zone" if per_az is not None and truth(per_az.value) == (True, True) \
                else "one per private subnet"
            node = single.value if single is not None else enable.value
            yield self.finding(ref.file, node,
                               f"{ref.address} creates NAT gateways {per} in a non-production environment "
                               f"({env.evidence}): {WHY_NAT}; set single_nat_gateway = true outside production",
                               block=block)
