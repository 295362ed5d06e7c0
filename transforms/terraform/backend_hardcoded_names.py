"""TFX512: S3 backend bucket and lock table names come from the init configuration."""

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
from tffix.transforms.lib.backends import s3_backends

NAMED = {"bucket": "state bucket", "dynamodb_table": "lock table"}


class BackendHardcodedNames(Rule):
    """
    ## What it does
    Reports `bucket` and `dynamodb_table` written as literals in a `backend "s3"` block, with
    the advice to leave them out of the code (a partial configuration) and pass them when
    initializing: `terraform init -backend-config=backend.hcl` (one file per environment) or
    `-backend-config="bucket=..."`. Display only: tffix cannot move values into files it does
    not know about.

    ## Why is this bad?
    Seed 001 §2 ("Hardcoded S3 Backend Configuration", critical): the module only works where
    that bucket and table already exist and are reachable; `terraform init` fails everywhere
    else (a new account, a test pipeline, another team), and every environment that shares
    the code shares one state bucket. Backend blocks cannot use variables, so the only way to
    vary them is the init-time configuration (seed 001 §11, seed 003 §10).

    ## Example
    ```hcl
    terraform {
      backend "s3" {
        bucket         = "terraform-state-multi-env"
        key            = "infrastructure/terraform.tfstate"
        region         = "us-east-1"
        dynamodb_table = "terraform-state-lock"
      }
    }
    ```

    ## Use instead
    ```hcl
    terraform {
      backend "s3" {
        key     = "infrastructure/terraform.tfstate"
        encrypt = true
      }
    }
    ```
    and `terraform init -backend-config=env/prod.s3.tfbackend` with
    `bucket = "..."`, `region = "..."`, `use_lockfile = true` in that file.

    ## Fix safety
    No fix: the values have to go to wherever the team keeps its init configuration.

    ## Deployment impact
    None (display only).

    ## References
    - Terraform docs, "Backend configuration: Partial configuration" (`-backend-config` files
      and key/value pairs; backend blocks cannot refer to variables)
    - Seed 001 §2, §8, §11 and seed 003 §10 (`../shared/seeds`)
    - No Checkov or Trivy check reads backend blocks
    """

    id = "TFX512"
    name = "backend-hardcoded-names"
    summary = "S3 backend bucket and lock table come from -backend-config"
    fix_availability = FIX_NEVER
    safety = DISPLAY_ONLY
    impact = IMPACT_NONE

    def check(self, module: Module, options: dict[str, Any]) -> Iterator[Finding]:
        for ref, backend in s3_backends(module):
            for name, what in NAMED.items():
                attr = backend.get_attribute(name)
                if attr is None:
                    continue
                known, value = literal(attr.value)
                if not known or not isinstance(value, str):
                    continue
                yield self.finding(ref.file, attr.value,
                                   f'backend "s3" hard-codes the {what} {name} = "{value}"; init fails wherever it '
                                   f"does not exist: leave {name} out and pass it with terraform init "
                                   f"-backend-config", block=ref.block)

