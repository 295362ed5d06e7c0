"""TFX109: ElastiCache replication groups encrypt traffic in transit (TLS)."""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

from tffix.engine.module import Module
from tffix.engine.rules import (
    FIX_SOMETIMES,
    IMPACT_IN_PLACE,
    IMPACT_REPLACE,
    UNSAFE,
    Finding,
    Rule,
)
from tffix.syntax import cst
from tffix.transforms.lib.settings import attribute, setting_findings, text

# the provider forces replacement when the engine version actually running is below this
IN_PLACE_SINCE = (7, 0, 5)


def in_place(block: cst.Block) -> bool:
    """True when the configuration proves the group runs Valkey or Redis OSS >= 7.0.5,
    where transit encryption can be switched on without replacement."""
    engine = attribute(block, "engine")
    known, name = text(engine.value) if engine is not None else (True, None)
    if known and name is not None and name.lower() == "valkey":
        return True
    version = attribute(block, "engine_version")
    known, value = text(version.value) if version is not None else (False, None)
    if not known or not value:
        return False
    match = re.fullmatch(r"(\d+)\.(\d+|x)(?:\.(\d+))?", value.strip())
    if match is None:
        return False
    major, minor, patch = int(match[1]), match[2], match[3]
    if major != IN_PLACE_SINCE[0]:
        return major > IN_PLACE_SINCE[0]
    if minor == "x":
        return False
    if int(minor) != IN_PLACE_SINCE[1]:
        return int(minor) > IN_PLACE_SINCE[1]
    return patch is not None and int(patch) >= IN_PLACE_SINCE[2]


class ElasticacheTransitEncryption(Rule):
    """
    ## What it does
    Sets `transit_encryption_enabled = true` on `aws_elasticache_replication_group`: a
    missing argument, `null` or a literal `false` becomes `true`.

    Left alone: members of a global datastore (`global_replication_group_id`), which take
    the setting from the global datastore. Reported without a fix: a value from an
    expression.

    ## Why is this bad?
    Without in-transit encryption, clients talk to Redis/Valkey in plain text inside the
    VPC: session tokens, cached personal data and the `AUTH` token itself can be read by
    anything that sees the traffic, and `auth_token` (Redis AUTH) requires TLS anyway. Seed
    000 §1 ("Incomplete Security Implementation") and seed 004 ("Missing Encryption") list
    missing encryption among the common failures.

    ## Example
    ```hcl
    resource "aws_elasticache_replication_group" "sessions" {
      replication_group_id = "sessions"
      description          = "session store"
      engine_version       = "7.1"
    }
    ```

    ## Use instead
    ```hcl
    resource "aws_elasticache_replication_group" "sessions" {
      replication_group_id       = "sessions"
      description                = "session store"
      engine_version             = "7.1"
      transit_encryption_enabled = true
    }
    ```

    ## Fix safety
    **Unsafe.** Once the group requires TLS, every client must connect with TLS (`rediss://`,
    `ssl=True`, the cluster's TLS port): clients that do not are cut off. On a deployed group
    the switch is either a replacement (Redis OSS below 7.0.5: the data is lost unless you
    restore a snapshot) or an online migration that AWS expects in two steps:
    `transit_encryption_mode = "preferred"` while clients move to TLS, then `"required"`.
    For code never applied mark it safe with `extend-safe-fixes = ["TFX109"]`.

    ## Deployment impact
    **Forces replacement** unless the configuration shows the group runs Valkey or Redis OSS
    7.0.5 or later (a literal `engine = "valkey"`, or a literal `engine_version` of 7.0.5,
    7.1, 7.2, 8.x and later): then an in-place update. A missing or `6.x` engine version, or
    one from an expression, is treated as forcing replacement, since the provider decides on
    the version actually running. None when the group already encrypts in transit (the
    argument is Optional and Computed).

    ## References
    - Terraform AWS provider source, `internal/service/elasticache/replication_group.go`:
      `transit_encryption_enabled` (Optional, Computed) with
      `customdiff.ForceNewIf("transit_encryption_enabled", ...)` when `engine_version_actual`
      is below 7.0.5; `transit_encryption_mode` (`preferred` / `required`)
    - Amazon ElastiCache User Guide, "Enabling in-transit encryption on an existing cluster"
      (Redis OSS 7.0.5+ and Valkey; mode `preferred` first, then `required`)
    - Checkov CKV_AWS_30 (`checkov/terraform/checks/resource/aws/ElasticacheReplicationGroupEncryptionAtTransit.py`);
      Trivy AWS-0051 (`checks/cloud/aws/elasticache/enable_in_transit_encryption.rego`)
    """

    id = "TFX109"
    name = "elasticache-transit-encryption"
    summary = "ElastiCache replication groups must set transit_encryption_enabled = true"
    fix_availability = FIX_SOMETIMES
    safety = UNSAFE
    impact = IMPACT_REPLACE
    checkov = ("CKV_AWS_30",)
    trivy = ("AWS-0051",)

    def check(self, module: Module, options: dict[str, Any]) -> Iterator[Finding]:
        for ref in module.resources("aws_elasticache_replication_group"):
            block = ref.block
            if attribute(block, "global_replication_group_id") is not None:
                continue
            case = (UNSAFE, IMPACT_IN_PLACE if in_place(block) else IMPACT_REPLACE)
            for f in setting_findings(self, ref, block, "transit_encryption_enabled", True, missing=case, wrong=case,
                                      why="clients connect without TLS"):
                if f.fix is not None:
                    f.fix.description += (" (forces replacement below Redis OSS 7.0.5; clients must use TLS)"
                                          if f.fix.impact == IMPACT_REPLACE else " (clients must use TLS)")
                yield f
