"""TFX710: RDS databases keep automated backups."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from tffix import edit
from tffix.engine.module import Module
from tffix.engine.rules import (
    FIX_SOMETIMES,
    IMPACT_IN_PLACE,
    SAFE,
    UNSAFE,
    Finding,
    Rule,
    literal,
)
from tffix.transforms.lib.settings import text


def _number(expr: Any) -> tuple[bool, int | None]:
    """A literal whole number (also written as a string), or null; else unknown."""
    known, value = literal(expr)
    if not known:
        return False, None
    if value is None:
        return True, None
    if isinstance(value, bool):
        return False, None
    if isinstance(value, str) and value.strip().isdigit():
        return True, int(value)
    if isinstance(value, int | float) and float(value).is_integer():
        return True, int(value)
    return False, None


class DbBackupRetention(Rule):
    """
    ## What it does
    Makes `aws_db_instance` and `aws_rds_cluster` keep automated backups for at least the
    `minimum` option (default 7 days, 1-35): a missing `backup_retention_period` (or `null`)
    is written out, a literal `0` or a literal below the minimum is raised to it. An
    expression is reported without a fix. Read replicas (`replicate_source_db`) and Aurora
    cluster members (`aws_db_instance` with an `aurora*` engine) are left alone: their
    backups belong to the source or the cluster.

    ## Why is this bad?
    `backup_retention_period = 0` turns automated backups and point-in-time recovery off:
    a dropped table or a corrupted volume cannot be restored. A missing value means one day
    (the API and provider default), too short to notice a bad deployment over a weekend
    (seed 000 §4 "Missing backup configurations for critical data services").

    ## Example
    ```hcl
    resource "aws_db_instance" "db" {
      engine                  = "postgres"
      backup_retention_period = 0
    }
    ```

    ## Use instead
    ```hcl
    resource "aws_db_instance" "db" {
      engine                  = "postgres"
      backup_retention_period = 7
    }
    ```

    ## Fix safety
    Writing out a missing value is **safe**: retention goes from one day to the minimum,
    which only keeps more backups (backup storage up to the size of the database is free,
    more is billed). Raising a literal is **unsafe**: `0` to a positive value on an RDS
    instance turns backups on, which AWS applies immediately with a brief outage and a
    first full snapshot; other low values were someone's choice and cost more storage.

    ## Deployment impact
    In-place update (`ModifyDBInstance` / `ModifyDBCluster`); no replacement. From `0`, the
    instance has a short outage while backups are switched on.

    ## References
    - Terraform AWS provider docs `aws_db_instance`: `backup_retention_period` "Must be
      between `0` and `35`"; `aws_rds_cluster`: "Default `1`"
    - AWS RDS User Guide, "Introduction to backups": changing the retention from 0 to a
      nonzero value causes an outage (from memory, not re-read for this rule)
    - Checkov CKV_AWS_133 "Ensure that RDS instances has backup policy" (seen in the Checkov
      policy index); no Trivy id verified
    """

    id = "TFX710"
    name = "db-backup-retention"
    summary = "RDS instances and clusters must keep automated backups for at least the minimum days"
    fix_availability = FIX_SOMETIMES
    safety = SAFE
    impact = IMPACT_IN_PLACE
    checkov = ("CKV_AWS_133",)
    options = {"minimum": 7}

    def check(self, module: Module, options: dict[str, Any]) -> Iterator[Finding]:
        minimum = options.get("minimum", 7)
        valid = isinstance(minimum, int) and not isinstance(minimum, bool) and 1 <= minimum <= 35
        for ref in module.resources("aws_db_instance", "aws_rds_cluster"):
            block = ref.block
            if block.label_values[0] == "aws_db_instance":
                if block.get_attribute("replicate_source_db") is not None:
                    continue
                engine = block.get_attribute("engine")
                known, value = text(engine.value) if engine is not None else (True, None)
                if known and value and value.startswith("aurora"):
                    continue
            attr = block.get_attribute("backup_retention_period")
            known, days = _number(attr.value) if attr is not None else (True, None)
            if not known:
                least = minimum if valid else 7
                yield self.finding(ref.file, attr.value, f"{ref.address} sets backup_retention_period from an "
                                   f"expression; make sure it is at least {least}", block=block,
                                   argument="backup_retention_period",
                                   live_ok=lambda live, least=least: isinstance(live, (int, float))
                                   and not isinstance(live, bool) and live >= least)
                continue
            if days is not None and valid and days >= minimum:
                continue
            if days is not None and not valid and days >= 1:
                continue
            if days is None:
                message = f"{ref.address} does not set backup_retention_period (1 day by default)"
                safety = SAFE
            elif days == 0:
                message = f"{ref.address} has automated backups turned off (backup_retention_period = 0)"
                safety = UNSAFE
            else:
                message = f"{ref.address} keeps backups for {days} day(s), less than {minimum}"
                safety = UNSAFE
            node = attr.value if attr is not None else block
            if not valid:
                yield self.finding(ref.file, node, f"{message} (the minimum option {minimum!r} is not 1-35)",
                                   block=block)
                continue
            yield self.finding(
                ref.file, node, message, block=block,
                fix=lambda b=block: edit.set_attribute(b, "backup_retention_period", minimum),
                description=f"set backup_retention_period = {minimum}", safety=safety, impact=IMPACT_IN_PLACE,
            )
