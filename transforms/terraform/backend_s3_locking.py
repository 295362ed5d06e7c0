"""TFX511: the S3 backend locks the state."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from tffix import edit
from tffix.engine.module import Module
from tffix.engine.rules import (
    FIX_SOMETIMES,
    IMPACT_NONE,
    UNSAFE,
    Finding,
    Rule,
    literal,
)
from tffix.transforms.lib.backends import AFTER, REINIT, s3_backends
from tffix.transforms.lib.versions import lower_bound, parse_constraint

LOCKFILE_SINCE = (1, 10, 0)


def required_floor(module: Module) -> tuple[int, int, int] | None:
    """The lowest Terraform version the module's required_version constraints allow (the
    highest lower bound over all terraform blocks); None without a literal constraint."""
    floors = []
    for ref in module.blocks("terraform"):
        attr = ref.block.get_attribute("required_version")
        known, text = literal(attr.value) if attr is not None else (False, None)
        clauses = parse_constraint(text) if known and isinstance(text, str) else None
        if clauses is not None:
            floors.append(lower_bound(clauses))
    return max(floors) if floors else None


class BackendS3Locking(Rule):
    """
    ## What it does
    Finds `backend "s3"` blocks that lock nothing: no `dynamodb_table` and no
    `use_lockfile = true`. When the module requires Terraform 1.10 or later
    (`required_version` in any `terraform` block, for example `">= 1.10"` or `"~> 1.11"`), it
    adds `use_lockfile = true` (S3 native locking: a `.tflock` object next to the state, no
    DynamoDB table needed). Otherwise it reports the block: either require Terraform >= 1.10
    and use `use_lockfile`, or point `dynamodb_table` at a lock table. For a partial
    configuration (no `bucket`: the values come from `terraform init -backend-config`) the
    message says that locking may be configured there.

    ## Why is this bad?
    Without a lock, two `terraform apply` runs (two people, two CI jobs) can write the state at
    the same time and lose resources from it or corrupt it (seed 000 §11 "Missing state
    locking", seed 002 §1.3 "No State Locking Configuration", critical).

    ## Example
    ```hcl
    terraform {
      required_version = ">= 1.10"

      backend "s3" {
        bucket = "acme-terraform-state"
        key    = "prod/terraform.tfstate"
        region = "us-east-1"
      }
    }
    ```

    ## Use instead
    ```hcl
    terraform {
      required_version = ">= 1.10"

      backend "s3" {
        bucket       = "acme-terraform-state"
        key          = "prod/terraform.tfstate"
        region       = "us-east-1"
        use_lockfile = true
      }
    }
    ```

    ## Fix safety
    **Unsafe**: the credentials that run Terraform must also be allowed `s3:GetObject`,
    `s3:PutObject` and `s3:DeleteObject` on `<key>.tflock`; a policy scoped to the state key
    alone makes every plan fail to acquire the lock. In Terraform 1.10 the argument was
    experimental; it is generally available from 1.11. Run `terraform init -reconfigure`
    once after the change.

    ## Deployment impact
    None on infrastructure: only how Terraform coordinates runs changes.

    ## References
    - Terraform docs, "Backend Type: s3", State Locking (`use_lockfile`, the `.tflock` object
      and its permissions; `dynamodb_table` is deprecated)
    - Terraform v1.10 upgrade guide: "S3 native state locking ... opt-in, experimental";
      generally available and DynamoDB locking deprecated in v1.11
    - Seed 000 §11, seed 002 §1.3 (`../shared/seeds`)
    - No Checkov or Trivy check reads backend blocks
    """

    id = "TFX511"
    name = "backend-s3-locking"
    summary = "S3 backends lock the state (use_lockfile or dynamodb_table)"
    fix_availability = FIX_SOMETIMES
    safety = UNSAFE
    impact = IMPACT_NONE

    def check(self, module: Module, options: dict[str, Any]) -> Iterator[Finding]:
        floor = required_floor(module)
        for ref, backend in s3_backends(module):
            if backend.get_attribute("dynamodb_table") is not None:
                continue
            lockfile = backend.get_attribute("use_lockfile")
            if lockfile is not None:
                known, value = literal(lockfile.value)
                if not known or value in (True, "true"):
                    continue
            message = 'backend "s3" does not lock the state'
            if backend.get_attribute("bucket") is None:
                message += (" (a partial configuration: if terraform init passes dynamodb_table or use_lockfile "
                            "with -backend-config, the state is locked and this can be ignored)")
            if floor is None or floor < LOCKFILE_SINCE:
                need = "has no required_version" if floor is None else \
                    f"allows Terraform {'.'.join(map(str, floor))}"
                yield self.finding(ref.file, backend,
                                   f"{message}; not fixed: the module {need}, and use_lockfile needs Terraform "
                                   f">= 1.10: require it (required_version = \">= 1.10\") and set use_lockfile = "
                                   f"true, or set dynamodb_table to a lock table", block=ref.block)
                continue
            yield self.finding(ref.file, lockfile.value if lockfile is not None else backend,
                               f"{message}; the module requires Terraform >= 1.10, so S3 native locking is "
                               f"available", block=ref.block,
                               fix=lambda backend=backend: edit.set_attribute(backend, "use_lockfile", True,
                                                                                 after=("encrypt", *AFTER)),
                               description="set use_lockfile = true" + REINIT)
