"""TFX108: ElastiCache replication groups encrypt their data at rest."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from tffix.engine.module import Module
from tffix.engine.rules import FIX_SOMETIMES, IMPACT_REPLACE, UNSAFE, Finding, Rule
from tffix.transforms.lib.settings import attribute, setting_findings

CASE = (UNSAFE, IMPACT_REPLACE)


class ElasticacheAtRestEncryption(Rule):
    """
    ## What it does
    Sets `at_rest_encryption_enabled = true` on `aws_elasticache_replication_group`: a
    missing argument, `null` or a literal `false` (also `"false"`: newer provider versions
    store it as a string) becomes `true`.

    Left alone: members of a global datastore (`global_replication_group_id`), whose
    encryption settings come from the global datastore's primary. Reported without a fix:
    a value from an expression.

    ## Why is this bad?
    Without at-rest encryption the cache's data on disk (swap, backups and snapshots
    exported to S3) is unencrypted; caches often hold session tokens and personal data.
    Seed 000 §1 ("Unencrypted data at rest in databases and storage services") and seed 004
    ("Missing Encryption") list it among the common failures.

    ## Example
    ```hcl
    resource "aws_elasticache_replication_group" "sessions" {
      replication_group_id = "sessions"
      description          = "session store"
      node_type            = "cache.t4g.small"
      num_cache_clusters   = 2
    }
    ```

    ## Use instead
    ```hcl
    resource "aws_elasticache_replication_group" "sessions" {
      replication_group_id       = "sessions"
      description                = "session store"
      node_type                  = "cache.t4g.small"
      num_cache_clusters         = 2
      at_rest_encryption_enabled = true
    }
    ```

    ## Fix safety
    **Unsafe**: `at_rest_encryption_enabled` forces replacement, so a deployed unencrypted
    group is destroyed and re-created empty: its data is gone unless you restore it (take a
    final snapshot, then create the encrypted group from it with `snapshot_name`).
    For code never applied mark it safe with `extend-safe-fixes = ["TFX108"]`.

    ## Deployment impact
    **Forces replacement** of a group deployed without at-rest encryption. None for a group
    that already is encrypted: the argument is Optional and Computed, so writing `true`
    matches the state.

    ## References
    - Terraform AWS provider source, `internal/service/elasticache/replication_group.go`:
      `at_rest_encryption_enabled` (Optional, Computed, ForceNew; a nullable bool string in
      current versions, `Default: false` in old ones)
    - Amazon ElastiCache User Guide, "At-Rest Encryption in ElastiCache" (can only be
      enabled when the cluster is created)
    - Checkov CKV_AWS_29 (`checkov/terraform/checks/resource/aws/ElasticacheReplicationGroupEncryptionAtRest.py`);
      Trivy AWS-0045 (`checks/cloud/aws/elasticache/enable_at_rest_encryption.rego`)
    """

    id = "TFX108"
    name = "elasticache-at-rest-encryption"
    summary = "ElastiCache replication groups must set at_rest_encryption_enabled = true"
    fix_availability = FIX_SOMETIMES
    safety = UNSAFE
    impact = IMPACT_REPLACE
    checkov = ("CKV_AWS_29",)
    trivy = ("AWS-0045",)

    def check(self, module: Module, options: dict[str, Any]) -> Iterator[Finding]:
        for ref in module.resources("aws_elasticache_replication_group"):
            if attribute(ref.block, "global_replication_group_id") is not None:
                continue
            for f in setting_findings(self, ref, ref.block, "at_rest_encryption_enabled", True, missing=CASE,
                                      wrong=CASE, why="its data on disk and its backups are not encrypted"):
                if f.fix is not None:
                    f.fix.description += " (forces replacement of a group deployed unencrypted)"
                yield f
