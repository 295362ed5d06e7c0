"""TFX711: RDS databases copy their tags to snapshots."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from tffix.engine.module import Module
from tffix.engine.rules import FIX_ALWAYS, IMPACT_IN_PLACE, SAFE, UNSAFE, Finding, Rule
from tffix.transforms.lib.settings import setting_findings, text


class DbCopyTagsToSnapshot(Rule):
    """
    ## What it does
    Sets `copy_tags_to_snapshot = true` on `aws_db_instance` and `aws_rds_cluster`: a missing
    argument (or `null`) is added, a literal `false` becomes `true`. An expression is reported
    without a fix. Aurora cluster members (`aws_db_instance` with an `aurora*` engine) are left
    alone: the cluster's setting applies to their snapshots.

    ## Why is this bad?
    The provider default is `false`: automated and manual snapshots, and the final snapshot
    taken when the database is deleted, carry no tags. Without `Environment`, `Owner`,
    `CostCenter` tags nobody can tell who owns an old snapshot, cost reports cannot attribute
    its storage, and tag-based backup, retention and access policies miss it (seed 000 §4
    "Inadequate tagging strategy making resource management difficult").

    ## Example
    ```hcl
    resource "aws_rds_cluster" "main" {
      engine = "aurora-postgresql"
    }
    ```

    ## Use instead
    ```hcl
    resource "aws_rds_cluster" "main" {
      engine                = "aurora-postgresql"
      copy_tags_to_snapshot = true
    }
    ```

    ## Fix safety
    Adding the missing argument is **safe**: only snapshots taken from now on get the
    database's tags; nothing that exists changes. Changing an explicit `false` is **unsafe**:
    someone chose it, and tag-based IAM conditions or AWS Backup selections may start to
    match the new snapshots.

    ## Deployment impact
    In-place update (`ModifyDBInstance` / `ModifyDBCluster`), no restart, no replacement.

    ## References
    - Terraform AWS provider docs `aws_rds_cluster`: `copy_tags_to_snapshot` (Optional,
      boolean) "Copy all Cluster `tags` to snapshots. Default is `false`"; `aws_db_instance`
      has the same argument (not re-read for this rule)
    - Checkov CKV2_AWS_60 (`graph_checks/aws/RDSEnableCopyTagsToSnapshot.yaml`, instances)
      and CKV_AWS_313 (`RDSClusterCopyTags.py`, clusters): both fail before and pass after the
      fix (checkov 3.3.30, `bench/checkov_mapping.py`). CKV2_AWS_60 also fails Aurora cluster
      members (it exempts only the engines `aurora`, `neptune`, `docdb`), which the rule leaves
      to their cluster
    """

    id = "TFX711"
    name = "db-copy-tags-to-snapshot"
    summary = "RDS instances and clusters must set copy_tags_to_snapshot = true"
    fix_availability = FIX_ALWAYS
    safety = SAFE
    impact = IMPACT_IN_PLACE
    checkov = ("CKV2_AWS_60", "CKV_AWS_313")

    def check(self, module: Module, options: dict[str, Any]) -> Iterator[Finding]:
        for ref in module.resources("aws_db_instance", "aws_rds_cluster"):
            block = ref.block
            if block.label_values[0] == "aws_db_instance":
                engine = block.get_attribute("engine")
                known, value = text(engine.value) if engine is not None else (True, None)
                if known and value and value.startswith("aurora"):
                    continue
            yield from setting_findings(self, ref, block, "copy_tags_to_snapshot", True,
                                        missing=(SAFE, IMPACT_IN_PLACE), wrong=(UNSAFE, IMPACT_IN_PLACE),
                                        why="its snapshots carry no tags")
