"""TFX704: DynamoDB tables keep continuous backups (point-in-time recovery)."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from tffix.engine.module import Module
from tffix.engine.rules import FIX_ALWAYS, IMPACT_IN_PLACE, SAFE, Finding, Rule
from tffix.syntax.build import NewBlock
from tffix.transforms.lib.settings import (
    add_nested_block,
    dynamic_findings,
    nested,
    setting_findings,
)

PITR = "point_in_time_recovery"
CASE = (SAFE, IMPACT_IN_PLACE)
WHY = "deleted or overwritten items cannot be restored"


class DynamodbPointInTimeRecovery(Rule):
    """
    ## What it does
    Turns on point-in-time recovery for `aws_dynamodb_table`: a table without a
    `point_in_time_recovery` block gets `point_in_time_recovery { enabled = true }`, and
    `enabled = false` (or `null`) in an existing block becomes `true`. A
    `dynamic "point_in_time_recovery"` block counts as the block being there; its `content`
    is fixed the same way. `recovery_period_in_days` is left as it is (35 days by default).

    Reported without a fix: `enabled` from an expression. Not covered: the
    `point_in_time_recovery` argument of `replica` blocks (global table replicas) and
    `aws_dynamodb_table_replica`.

    ## Why is this bad?
    Without continuous backups, a bad deployment, a buggy batch job or a deleted item can
    only be undone from an on-demand backup, if there is one. Seed 000 §4 ("Missing backup
    configurations for critical data services") lists it among the common failures;
    point-in-time recovery restores the table to any second of the last 35 days.

    ## Example
    ```hcl
    resource "aws_dynamodb_table" "orders" {
      name         = "orders"
      billing_mode = "PAY_PER_REQUEST"
      hash_key     = "id"

      attribute {
        name = "id"
        type = "S"
      }
    }
    ```

    ## Use instead
    ```hcl
    resource "aws_dynamodb_table" "orders" {
      name         = "orders"
      billing_mode = "PAY_PER_REQUEST"
      hash_key     = "id"

      attribute {
        name = "id"
        type = "S"
      }

      point_in_time_recovery {
        enabled = true
      }
    }
    ```

    ## Fix safety
    **Safe.** Continuous backups run in the background without consuming table capacity or
    changing how the table behaves; nothing that reads or writes it notices. The cost is
    backup storage, billed per GB-month of table size (see DynamoDB pricing). A literal
    `false` is switched on too: turning recovery off protects nothing.

    ## Deployment impact
    In-place update (`UpdateContinuousBackups`); enabling can take a few minutes on a new
    table. No replacement, no downtime.

    ## References
    - Terraform AWS provider: `aws_dynamodb_table` argument reference, `point_in_time_recovery`
      block (`enabled` Required; "If the `point_in_time_recovery` block is not provided, this
      defaults to `false`"; `recovery_period_in_days` Optional, default 35); updated with
      `UpdateContinuousBackups` (`internal/service/dynamodb/table.go`)
    - Amazon DynamoDB Developer Guide, "Point-in-time recovery for DynamoDB" (no performance
      impact, billing by table size)
    - Checkov CKV_AWS_28 (`checkov/terraform/checks/resource/aws/DynamodbRecovery.py`);
      Trivy AWS-0024 (`checks/cloud/aws/dynamodb/enable_recovery.rego`)
    """

    id = "TFX704"
    name = "dynamodb-point-in-time-recovery"
    summary = "DynamoDB tables must enable point-in-time recovery"
    fix_availability = FIX_ALWAYS
    safety = SAFE
    impact = IMPACT_IN_PLACE
    checkov = ("CKV_AWS_28",)
    trivy = ("AWS-0024",)

    def check(self, module: Module, options: dict[str, Any]) -> Iterator[Finding]:
        for ref in module.resources("aws_dynamodb_table"):
            block = ref.block
            static, dynamic = nested(block, PITR)
            if not static and not dynamic:
                yield self.finding(
                    ref.file, block, f"{ref.address} has no {PITR} block: {WHY}", block=block,
                    fix=lambda b=block: add_nested_block(b, NewBlock(PITR, body={"enabled": True})),
                    description=f"add {PITR} {{ enabled = true }}", safety=SAFE, impact=IMPACT_IN_PLACE,
                )
            for pitr in static:
                yield from setting_findings(self, ref, pitr, "enabled", True, missing=CASE, wrong=CASE, where=PITR,
                                            why=WHY)
            for dyn in dynamic:
                yield from dynamic_findings(self, ref, dyn, "enabled", True, missing=CASE, wrong=CASE, why=WHY)
