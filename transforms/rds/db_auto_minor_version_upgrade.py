"""TFX714: RDS instances must not turn off automatic minor version upgrades."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from tffix.engine.module import Module
from tffix.engine.rules import FIX_SOMETIMES, IMPACT_IN_PLACE, UNSAFE, Finding, Rule
from tffix.transforms.lib.rds_engines import engine_version, major_line
from tffix.transforms.lib.settings import attribute, setting_findings, text

RESOURCES = ("aws_db_instance", "aws_rds_cluster_instance")


class DbAutoMinorVersionUpgrade(Rule):
    """
    ## What it does
    Finds `aws_db_instance` and `aws_rds_cluster_instance` resources with
    `auto_minor_version_upgrade = false` and sets it to `true`. When the value is an
    expression the rule reports it without a fix. A missing argument is not reported: the
    provider and the RDS API default it to `true`.

    When the same resource pins a full minor version in `engine_version` (`"8.0.35"`,
    `"16.4"`), the finding says so: after RDS upgrades the instance, the next plan would try
    to go back to the pinned version, which RDS refuses. Pin only the major version
    (`"8.0"`, `"16"`) or read the running version from `engine_version_actual`.

    ## Why is this bad?
    Minor versions carry the engine's security fixes. With automatic upgrades off, an
    instance stays on the version it was created with until someone upgrades it by hand,
    and RDS eventually forces the upgrade anyway when the version reaches end of support, at
    a time of its choosing (seed 000 §12 "Outdated ... versions missing security patches",
    applied to the database engine).

    ## Example
    ```hcl
    resource "aws_db_instance" "db" {
      engine                     = "postgres"
      engine_version             = "16"
      instance_class             = "db.m7g.large"
      auto_minor_version_upgrade = false
    }
    ```

    ## Use instead
    ```hcl
    resource "aws_db_instance" "db" {
      engine                     = "postgres"
      engine_version             = "16"
      instance_class             = "db.m7g.large"
      auto_minor_version_upgrade = true
    }
    ```

    ## Fix safety
    **Unsafe**: `false` is an explicit choice, and after the fix RDS applies minor upgrades
    in the maintenance window (`preferred_maintenance_window`), with a short outage on
    single-AZ instances. Teams that upgrade on their own schedule should keep `false` and
    suppress the finding.

    ## Deployment impact
    In-place update (`ModifyDBInstance`); the argument is not ForceNew. The upgrades
    themselves happen later, in maintenance windows.

    ## References
    - Terraform AWS provider docs `aws_db_instance` / `aws_rds_cluster_instance`:
      `auto_minor_version_upgrade` (Optional, default `true`); `engine_version` accepts a
      version prefix when minor upgrades are automatic, the running version is in
      `engine_version_actual`
    - RDS API `CreateDBInstance` `AutoMinorVersionUpgrade` (default `true`)
    - Checkov CKV_AWS_226 "Ensure DB instance gets all minor upgrades automatically"
      (`DBInstanceMinorUpgrade.py`, same two resources). Checkov also fails a missing
      argument; tffix does not, because the default is already `true`.
    """

    id = "TFX714"
    name = "db-auto-minor-version-upgrade"
    summary = "RDS instances must not set auto_minor_version_upgrade = false"
    fix_availability = FIX_SOMETIMES
    safety = UNSAFE
    impact = IMPACT_IN_PLACE
    checkov = ("CKV_AWS_226",)
    partial = {"CKV_AWS_226": "an explicit false; Checkov also fails a missing argument, which defaults to true"}

    def check(self, module: Module, options: dict[str, Any]) -> Iterator[Finding]:
        for ref in module.resources(*RESOURCES):
            block = ref.block
            if attribute(block, "auto_minor_version_upgrade") is None:
                continue  # missing or null: the default, true
            engine = block.get_attribute("engine")
            engine_name = text(engine.value)[1] if engine is not None else None
            version = engine_version(block)
            why = "minor versions with the engine's security fixes are not applied"
            prefix = major_line(engine_name, version)
            if prefix:
                why += (f"; also change engine_version = \"{version.written}\" to \"{prefix}\", or the plan after "
                        "an automatic upgrade tries to downgrade")
            yield from setting_findings(self, ref, block, "auto_minor_version_upgrade", True,
                                        missing=None, wrong=(UNSAFE, IMPACT_IN_PLACE), why=why)
