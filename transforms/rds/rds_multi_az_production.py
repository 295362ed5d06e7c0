"""TFX822: production RDS instances run Multi-AZ."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from tffix.engine.module import Module
from tffix.engine.rules import (
    DISPLAY_ONLY,
    FIX_NEVER,
    IMPACT_NONE,
    Finding,
    Rule,
    literal,
)
from tffix.transforms.lib.environment import environment_of


class RdsMultiAzProduction(Rule):
    """
    ## What it does
    Reports `aws_db_instance`s that look like production and do not run Multi-AZ:
    `multi_az = false`, or no `multi_az` at all (the provider's default is `false`). An
    instance is production when its own names say so (its label, `identifier`, an
    `Environment` / `Env` / `Stage` tag: `prod`, `production`, `prd`, `live` as a whole word),
    or, when they say nothing, when the module's environment variables do (defaults of
    `var.environment` / `env` / `stage` / `environment_suffix`, values in the module's
    `.tfvars` files, locals of those names), or, failing both, the module's directory in
    `live/<env>/`, `environments/<env>/` or `envs/<env>/` layouts. An instance whose names say `dev`, `test`,
    `staging`... is never production. `multi_az` from an expression (`var.env == "prod"`) is
    not reported. Aurora (`aws_rds_cluster_instance`, engines `aurora*`) is out of scope: its
    availability comes from replicas in other AZs. Display only.

    ## Why is this bad?
    A Single-AZ database is down for the whole outage of its Availability Zone and for every
    maintenance reboot, and a lost volume means restoring from backup. Multi-AZ keeps a
    synchronous standby in another zone and fails over in a minute or two (seed 002 §3.1
    "RDS Not Configured for Multi-AZ", critical; seed 000 §2 and seed 004 "Single AZ
    Deployment: RDS without Multi-AZ configuration").

    ## Example
    ```hcl
    resource "aws_db_instance" "prod" {
      identifier     = "orders-prod"
      engine         = "postgres"
      instance_class = "db.m6g.large"
      multi_az       = false
    }
    ```

    ## Use instead
    ```hcl
    resource "aws_db_instance" "prod" {
      identifier     = "orders-prod"
      engine         = "postgres"
      instance_class = "db.m6g.large"
      multi_az       = true
    }
    ```
    Or per environment: `multi_az = var.environment == "prod"`.

    ## Fix safety
    No fix: Multi-AZ doubles the instance cost and the switch briefly affects performance
    while the standby is created; that is the owner's call, and the production guess comes
    from names.

    ## Deployment impact
    None (display only). Turning Multi-AZ on yourself is an in-place modification without
    downtime.

    ## References
    - Terraform AWS provider docs, `aws_db_instance` (`multi_az`: "Specifies if the RDS
      instance is multi-AZ", default false)
    - Amazon RDS User Guide, "Configuring and managing a Multi-AZ deployment"
    - Seed 002 §3.1, seed 000 §2, seed 004 §3 (`../shared/seeds`)
    - Checkov CKV_AWS_157 (`checks/resource/aws/RDSMultiAZEnabled.py`)
    """

    id = "TFX822"
    name = "rds-multi-az-production"
    summary = "Production RDS instances set multi_az = true"
    fix_availability = FIX_NEVER
    safety = DISPLAY_ONLY
    impact = IMPACT_NONE
    checkov = ("CKV_AWS_157",)

    def check(self, module: Module, options: dict[str, Any]) -> Iterator[Finding]:
        for ref in module.resources("aws_db_instance"):
            block = ref.block
            engine = block.get_attribute("engine")
            known, value = literal(engine.value) if engine is not None else (False, None)
            if known and isinstance(value, str) and value.startswith("aurora"):
                continue
            attr = block.get_attribute("multi_az")
            if attr is not None:
                known, value = literal(attr.value)
                if not known or value not in (False, "false", None):
                    continue
            env = environment_of(module, ref)
            if not env.production:
                continue
            state = "sets multi_az = false" if attr is not None else "does not set multi_az (default false)"
            yield self.finding(ref.file, attr.value if attr is not None else block,
                               f"{ref.address} looks like a production database ({env.evidence}) and {state}: one "
                               f"Availability Zone outage takes it down; set multi_az = true (or true for "
                               f"production only)", block=block)
