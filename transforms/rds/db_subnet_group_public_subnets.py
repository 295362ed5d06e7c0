"""TFX213: database subnet groups use private subnets."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from tffix.engine.module import BlockRef, Module
from tffix.engine.rules import DISPLAY_ONLY, FIX_NEVER, IMPACT_NONE, Finding, Rule
from tffix.syntax import cst
from tffix.transforms.lib.subnets import PUBLIC, classify

# subnet groups of data stores, all with a `subnet_ids` list
SUBNET_GROUPS = (
    "aws_db_subnet_group", "aws_elasticache_subnet_group", "aws_redshift_subnet_group", "aws_docdb_subnet_group",
    "aws_neptune_subnet_group", "aws_memorydb_subnet_group",
)


class DbSubnetGroupPublicSubnets(Rule):
    """
    ## What it does
    Reports a database subnet group (`aws_db_subnet_group`, and the same for ElastiCache,
    Redshift, DocumentDB, Neptune and MemoryDB) whose `subnet_ids` name a subnet of the module
    that is provably public: associated with a route table whose default route (`0.0.0.0/0`)
    goes to an internet gateway, or with `map_public_ip_on_launch = true` (see
    `transforms/lib/subnets.py`). Each element of the list is judged on its own, so
    `[aws_subnet.public_a.id, var.extra_subnet]` is reported for `public_a`; subnets from
    variables, data sources or other modules, and subnets whose routing tffix cannot follow
    (no association: the VPC's main route table) are never reported. The finding points at
    the public element. Display only. This is the mirror image of TFX215, which checks that
    internet-facing load balancers sit in public subnets.

    ## Why is this bad?
    A database in a public subnet is one setting away from the internet: with
    `publicly_accessible = true` (or a later change of it) and a permissive security group,
    RDS gives it a public address that answers from anywhere, because the subnet routes to
    an internet gateway. Databases, caches and warehouses belong in private subnets with no
    route to an internet gateway, reachable only from the application tier (seed 000 §2
    "Public subnets for private resources like databases", seed 004 "Incorrect Subnet
    Placement: RDS instances in public subnets"). The usual cause is a copy-paste of
    `aws_subnet.public[*].id` into the subnet group, or a tutorial that used public subnets
    to reach the database from a laptop.

    ## Example
    ```hcl
    resource "aws_db_subnet_group" "db" {
      name       = "app-db"
      subnet_ids = aws_subnet.public[*].id
    }
    ```
    where the `public` subnets give instances public addresses:
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
    ```

    ## Use instead
    ```hcl
    resource "aws_db_subnet_group" "db" {
      name       = "app-db"
      subnet_ids = aws_subnet.private[*].id
    }
    ```
    Keep `publicly_accessible = false` on the database, and reach it from inside the VPC
    (a bastion, Session Manager, or a VPN) when you need a console.

    ## Fix safety
    No fix: which private subnets to use (and whether they exist in two Availability Zones,
    which a DB subnet group requires) is a design decision tffix cannot make.

    ## Deployment impact
    None (display only). Changing `subnet_ids` yourself updates the subnet group in place
    (`ModifyDBSubnetGroup`; only `name` / `name_prefix` force a new group), but it does not
    move a database that already runs in a subnet you take out: the API lists a
    `SubnetAlreadyInUse` error for that case, and `DBSubnetGroupDoesNotCoverEnoughAZs` when
    the new list spans fewer than two Availability Zones. Moving a DB instance to another subnet group
    (`db_subnet_group_name`) is a `ModifyDBInstance` change that AWS documents as causing an
    outage, applied in the next maintenance window unless `apply_immediately = true`; plan a
    window for it (or restore a snapshot into the private subnet group).

    ## References
    - Terraform AWS provider `aws_db_subnet_group` (`subnet_ids` updated in place, `name` and
      `name_prefix` force a new resource: provider source `internal/service/rds/subnet_group.go`),
      `aws_route_table`, `aws_route`, `aws_route_table_association`, `aws_subnet`
      (`map_public_ip_on_launch`)
    - Amazon RDS API Reference, `ModifyDBInstance` `DBSubnetGroupName` ("Changing the subnet
      group causes an outage during the change"), `ModifyDBSubnetGroup` (errors
      `SubnetAlreadyInUse`, `DBSubnetGroupDoesNotCoverEnoughAZs`)
    - Seed 000 §2 "Public subnets for private resources", seed 004 "Incorrect Subnet
      Placement" (`../shared/seeds`)
    - No Checkov or Trivy check follows a subnet group's subnets to their route tables
      (TFX201 covers the database's own `publicly_accessible`)
    """

    id = "TFX213"
    name = "db-subnet-group-public-subnets"
    summary = "Database subnet groups use private subnets"
    fix_availability = FIX_NEVER
    safety = DISPLAY_ONLY
    impact = IMPACT_NONE

    def check(self, module: Module, options: dict[str, Any]) -> Iterator[Finding]:
        verdicts: dict[int, str | None] | None = None
        for ref in module.resources(*SUBNET_GROUPS):
            attr = ref.block.get_attribute("subnet_ids")
            if attr is None:
                continue
            listed = _subnets(module, attr.value)
            if not listed:
                continue
            if verdicts is None:
                verdicts = classify(module)
            public = [(node, subnet) for node, subnet in listed if verdicts.get(id(subnet.block)) == PUBLIC]
            if not public:
                continue
            names = ", ".join(dict.fromkeys(s.address for _, s in public))
            node = public[0][0]
            yield self.finding(ref.file, node, f"{ref.address} includes public subnets ({names}: a default route to "
                               "an internet gateway or map_public_ip_on_launch), so its databases are one setting "
                               "away from the internet; use private subnets", block=ref.block)


def _subnets(module: Module, expr: cst.Node) -> list[tuple[cst.Node, BlockRef]]:
    """The module's ``aws_subnet``s an expression lists, each with its element; elements
    that are something else (variables, data sources, functions) are skipped."""
    items = expr.items if isinstance(expr, cst.Tuple) else [expr]
    out = []
    for item in items:
        target = module.resolve(item)
        if target is not None and target.block.label_values[:1] == ["aws_subnet"]:
            out.append((item, target))
    return out
