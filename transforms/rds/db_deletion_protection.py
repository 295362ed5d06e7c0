"""TFX713: production RDS databases enable deletion protection."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from tffix import edit
from tffix.engine.module import Module
from tffix.engine.rules import FIX_SOMETIMES, IMPACT_IN_PLACE, UNSAFE, Finding, Rule
from tffix.syntax import cst
from tffix.transforms.lib.environment import environment_of
from tffix.transforms.lib.settings import text, truth


class DbDeletionProtection(Rule):
    """
    ## What it does
    Sets `deletion_protection = true` on `aws_db_instance` and `aws_rds_cluster` that look
    like **production**, when it is missing or a literal `false`. The environment comes from
    the resource's own names (label, `identifier` / `cluster_identifier`, an `Environment` /
    `Env` / `Stage` tag) or, when they say nothing, from the module: literal defaults of
    `var.environment` / `var.environment_suffix` / `var.env` / `var.stage`, their values in the
    module's `.tfvars` files, and locals of those names, or, failing both, the module's
    directory in `live/<env>/`, `environments/<env>/` or `envs/<env>/` layouts (`prod`,
    `production`, `prd`, `live` as whole words; `dev`, `test`, `staging`... are not
    production).

    - Production, missing or `false`: fixed.
    - Production, an expression (`var.environment == "prod"`): reported without a fix only
      when it is a bare reference; conditionals are how the choice is made per environment.
    - Unknown environment, missing or `false`: reported without a fix.
    - Not production, `deletion_protection = true`: reported without a fix, since it blocks
      `terraform destroy` of a test environment (seed 000 §4).
    - Not production, missing or `false`: fine.

    Aurora cluster members (`aws_db_instance` with an `aurora*` engine) are left to their
    cluster.

    ## Why is this bad?
    Without deletion protection one `terraform destroy`, a renamed resource that Terraform
    replaces, or a stray console click deletes the production database; `skip_final_snapshot`
    can make it unrecoverable. Deletion protection makes AWS refuse the delete until it is
    switched off explicitly. In test environments the opposite is the failure: protection
    left on makes teardown fail (seed 000 §4 "Deletion protection enabled in testing
    environments"; seed 002 §6.3 lists `deletion_protection = false` as the mitigation for
    destroy failures in a test stack).

    ## Example
    ```hcl
    variable "environment" {
      default = "prod"
    }

    resource "aws_rds_cluster" "main" {
      engine = "aurora-postgresql"
    }
    ```

    ## Use instead
    ```hcl
    variable "environment" {
      default = "prod"
    }

    resource "aws_rds_cluster" "main" {
      engine              = "aurora-postgresql"
      deletion_protection = true
    }
    ```
    Or per environment: `deletion_protection = var.environment == "prod"`.

    ## Fix safety
    **Unsafe**: the production verdict is inferred from names, and once applied, `terraform
    destroy` and every plan that replaces the database fail until `deletion_protection` is
    set back to `false` and applied. That is the point in production, and a surprise in a
    module that is also deployed as a throw-away environment.

    ## Deployment impact
    In-place update (`ModifyDBInstance` / `ModifyDBCluster` with `DeletionProtection`); no
    downtime, no replacement.

    ## References
    - Terraform AWS provider docs `aws_db_instance` / `aws_rds_cluster`: `deletion_protection`
      "(Optional) If the DB instance should have deletion protection enabled. The database
      can't be deleted when this value is set to `true`. The default is `false`." (from
      memory; not re-read for this rule)
    - Checkov CKV_AWS_293 (`RDSInstanceDeletionProtection.py`, instances) and CKV_AWS_139
      (`RDSDeletionProtection.py`, clusters): both fail on every database without it and pass
      after the fix, which touches production databases only (checkov 3.3.30,
      `bench/checkov_mapping.py`)
    - Environment detection: `transforms/lib/environment.py` (shared with TFX822)
    """

    id = "TFX713"
    name = "db-deletion-protection"
    summary = "Production RDS instances and clusters must set deletion_protection = true"
    fix_availability = FIX_SOMETIMES
    safety = UNSAFE
    impact = IMPACT_IN_PLACE
    checkov = ("CKV_AWS_293", "CKV_AWS_139")
    partial = {
        "CKV_AWS_293": "production databases, and an unknown environment reported; Checkov asks it everywhere",
        "CKV_AWS_139": "production clusters, and an unknown environment reported; Checkov asks it everywhere",
    }

    def check(self, module: Module, options: dict[str, Any]) -> Iterator[Finding]:
        for ref in module.resources("aws_db_instance", "aws_rds_cluster"):
            block = ref.block
            if block.label_values[0] == "aws_db_instance":
                engine = block.get_attribute("engine")
                known, value = text(engine.value) if engine is not None else (True, None)
                if known and value and value.startswith("aurora"):
                    continue
            attr = block.get_attribute("deletion_protection")
            known, enabled = truth(attr.value) if attr is not None else (True, None)
            env = environment_of(module, ref)
            node = attr.value if attr is not None else block
            state = "does not set deletion_protection" if attr is None else \
                f"sets deletion_protection = {attr.value.code.strip()}"
            if not known:
                if env.production and isinstance(attr.value, cst.Traversal):
                    yield self.finding(ref.file, node, f"{ref.address} looks like production ({env.evidence}) and "
                                       "takes deletion_protection from an expression; make sure it is true",
                                       block=block, argument="deletion_protection",
                                       live_ok=lambda live: live is True)
                continue
            if enabled:
                if env.production is False:
                    yield self.finding(ref.file, node, f"{ref.address} looks like a non-production database "
                                       f"({env.evidence}) with deletion_protection = true: terraform destroy will "
                                       "fail; use false or var.environment == \"prod\"", block=block)
                continue
            if env.production:
                yield self.finding(
                    ref.file, node, f"{ref.address} looks like production ({env.evidence}) and {state}",
                    block=block, fix=lambda b=block: edit.set_attribute(b, "deletion_protection", True),
                    description="set deletion_protection = true",
                )
            elif env.production is None:
                yield self.finding(ref.file, node, f"{ref.address} {state} and its environment is unknown; set "
                                   "deletion_protection = true for production (or var.environment == \"prod\")",
                                   block=block)
