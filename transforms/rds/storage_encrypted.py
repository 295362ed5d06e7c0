"""TFX101: databases must encrypt their storage at rest."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from tffix import edit
from tffix.engine.module import BlockRef, Module
from tffix.engine.rules import (
    FIX_SOMETIMES,
    IMPACT_REPLACE,
    UNSAFE,
    Finding,
    Rule,
    literal,
)
from tffix.syntax import cst

# resource type -> how the provider treats a missing storage_encrypted (AWS provider source, see References)
RESOURCES: dict[str, str] = {
    "aws_db_instance": "Optional, ForceNew, no default: missing means unencrypted",
    "aws_rds_cluster": "Optional, Computed, ForceNew: missing means AWS decides (unencrypted for provisioned)",
    "aws_docdb_cluster": "Optional, ForceNew, no default: missing means unencrypted",
    "aws_neptune_cluster": "Optional, ForceNew, Default false",
}
# arguments that make the resource a copy of another database: its encryption is the source's
REPLICA_OF = ("replicate_source_db", "replication_source_identifier")
# arguments that make it a restore: encryption comes from the snapshot / source cluster
RESTORED_FROM = ("snapshot_identifier",)
RESTORE_BLOCKS = ("restore_to_point_in_time",)
# global database types whose storage_encrypted a member's must match
GLOBAL_CLUSTERS = ("aws_rds_global_cluster", "aws_docdb_global_cluster", "aws_neptune_global_cluster")


def _set(block: cst.Block, name: str) -> cst.Attribute | None:
    """The attribute if it is set to something other than a literal null."""
    attr = block.get_attribute(name)
    if attr is None:
        return None
    known, value = literal(attr.value)
    return None if known and value is None else attr


def _replica(block: cst.Block) -> tuple[str, bool | None]:
    """(argument, is it a replica?): True when the source is a literal string or a
    reference to another resource or data source, None when it is an expression that may
    be null (a variable, a conditional: the usual shape in reusable modules), False when
    no replica argument is set."""
    for name in REPLICA_OF:
        attr = _set(block, name)
        if attr is None:
            continue
        known, text = literal(attr.value)
        if known and text == "":
            continue  # the provider treats an empty source like an unset one
        value = attr.value
        value = cst.sole_expression(value)
        if known or isinstance(value, cst.Traversal) and value.path[:1] not in (["var"], ["local"], ["module"]):
            return name, True
        return name, None
    return "", False


def _truth(expr: cst.Node) -> tuple[bool, bool | None]:
    """(known, value) of a bool-ish literal: true/false/null and "true"/"false"
    (Terraform converts those strings); (False, None) for anything else."""
    known, value = literal(expr)
    if not known:
        return False, None
    if value is None or value is False or value == "false":
        return True, False
    if value is True or value == "true":
        return True, True
    return False, None


class StorageEncrypted(Rule):
    """
    ## What it does
    Sets `storage_encrypted = true` on `aws_db_instance`, `aws_rds_cluster`,
    `aws_docdb_cluster` and `aws_neptune_cluster`: a literal `false` (or `null`) becomes
    `true`, and a missing attribute is written out as `true`.

    Left alone, because their encryption is not theirs to choose:
    - read replicas (`replicate_source_db` on an instance, `replication_source_identifier`
      on a cluster, set to a literal or to another resource's attribute): a replica is
      encrypted exactly when its source is, and the source itself is checked by this rule;
    - an Aurora Serverless v1 cluster (`engine_mode = "serverless"`) without the attribute:
      AWS always encrypts those.

    Reported without a fix:
    - a replica argument set from a variable or another expression (`replicate_source_db =
      var.replicate_source_db`, null by default in many reusable modules): the resource is
      a primary whenever it is null;
    - restores (`snapshot_identifier`, a `restore_to_point_in_time` block, also as a
      `dynamic` block): the restored
      database inherits the snapshot's encryption; `storage_encrypted = true` does not
      encrypt an unencrypted snapshot (the provider does not even pass it to the restore
      call). Restore from an encrypted copy of the snapshot instead (`aws_db_snapshot_copy`
      / `aws_db_cluster_snapshot_copy` with `kms_key_id`), or for Aurora set `kms_key_id`;
    - first-generation instance classes (`db.t1.*`, `db.m1.*`, `db.m2.*`), which never had
      encryption at rest: the database has to move to a current class first;
    - members of a global cluster (`global_cluster_identifier`): their encryption must match
      the global cluster's. When the global cluster is in the module and sets
      `storage_encrypted = true`, the member gets the same fix as any other cluster;
    - any value that is an expression (a variable, a conditional): the rule cannot tell
      what it is.

    ## Why is this bad?
    An unencrypted database keeps its data, automated backups, snapshots and replicas in
    plain text on disk; most compliance regimes require encryption at rest and it cannot be
    switched on later without rebuilding the database (seed 004 "Missing Encryption": RDS
    without `storage_encrypted = true`; seed 000 §1 "Unencrypted data at rest").

    ## Example
    ```hcl
    resource "aws_db_instance" "db" {
      engine         = "postgres"
      instance_class = "db.t3.micro"
    }
    ```

    ## Use instead
    ```hcl
    resource "aws_db_instance" "db" {
      engine            = "postgres"
      instance_class    = "db.t3.micro"
      storage_encrypted = true
    }
    ```
    Add `kms_key_id` to use a customer managed key instead of the AWS managed `aws/rds` key.

    ## Fix safety
    Always **unsafe**: `storage_encrypted` forces replacement, so on a database that is
    already deployed unencrypted the fix destroys it and creates a new, empty one; the data
    is lost unless you restore it from a snapshot (snapshot, copy the snapshot with
    encryption, restore from the copy). For code that has never been applied the fix is
    harmless: mark it safe in the configuration (`extend-safe-fixes = ["TFX101"]`).

    ## Deployment impact
    **Forces replacement** for all four resource types when the deployed database is not
    encrypted: the database is destroyed and re-created, data is lost unless restored from a
    snapshot. When it already is encrypted (an `aws_rds_cluster` whose state says
    `storage_encrypted = true`) the plan shows no change.

    ## References
    - Terraform AWS provider source: `internal/service/rds/instance.go` (`storage_encrypted`:
      Optional, ForceNew; not sent by the snapshot-restore call), `internal/service/rds/cluster.go`
      (Optional, Computed, ForceNew; not sent by `RestoreDBClusterFromSnapshot`),
      `internal/service/docdb/cluster.go` (Optional, ForceNew), `internal/service/neptune/cluster.go`
      (Optional, Default false, ForceNew)
    - AWS: Encrypting Amazon RDS resources ("you can't turn on encryption for an existing
      unencrypted DB instance"; replicas follow the source); Aurora Serverless v1 is always encrypted
    - Checkov CKV_AWS_16 (`aws_db_instance`), CKV_AWS_96 (`aws_rds_cluster`), CKV_AWS_74
      (`aws_docdb_cluster`), CKV_AWS_44 (`aws_neptune_cluster`) (checkov source,
      `checkov/terraform/checks/resource/aws/`; each fails before and passes after the fix,
      checkov 3.3.30, `bench/checkov_mapping.py`)
    - Trivy AWS-0080 (rds encrypt-instance-storage-data), AWS-0079 (rds
      encrypt-cluster-storage-data), AWS-0021 (documentdb enable-storage-encryption),
      AWS-0076 (neptune enable-storage-encryption)
    - KICS 08bd0760-8752-44e1-9779-7bb369b2b4e4 (DB Instance Storage Not Encrypted),
      1a690d1d-0ae7-49fa-b2db-b75ae0dd1d3e (Aurora With Disabled at Rest Encryption)
    """

    id = "TFX101"
    name = "storage-encrypted"
    summary = "Databases must set storage_encrypted = true"
    fix_availability = FIX_SOMETIMES
    safety = UNSAFE
    impact = IMPACT_REPLACE
    checkov = ("CKV_AWS_16", "CKV_AWS_96", "CKV_AWS_74", "CKV_AWS_44")
    trivy = ("AWS-0080", "AWS-0079", "AWS-0021", "AWS-0076")
    kics = ("08bd0760-8752-44e1-9779-7bb369b2b4e4", "1a690d1d-0ae7-49fa-b2db-b75ae0dd1d3e")

    def check(self, module: Module, options: dict[str, Any]) -> Iterator[Finding]:
        for ref in module.resources(*RESOURCES):
            yield from self._check(module, ref)

    def _check(self, module: Module, ref: BlockRef) -> Iterator[Finding]:
        block = ref.block
        replica_arg, replica = _replica(block)
        if replica:
            return
        attr = block.get_attribute("storage_encrypted")
        if attr is None:
            known, mode = literal(_engine_mode(block))
            if known and mode == "serverless":
                return
        else:
            known, value = _truth(attr.value)
            if not known:
                yield self.finding(ref.file, attr.value, f"{ref.address} sets storage_encrypted from an expression; "
                                   "make sure it is true", block=block, argument="storage_encrypted",
                                   live_ok=lambda live: live is True)
                return
            if value:
                return
        node = attr.value if attr is not None else block
        what = "does not set storage_encrypted" if attr is None else "sets storage_encrypted = false"
        if replica is None:
            yield self.finding(
                ref.file, node, f"{ref.address} {what}; unless it is a read replica ({replica_arg} is an "
                "expression that may be null), its storage is not encrypted at rest", block=block)
            return
        restore = next((n for n in RESTORED_FROM if _set(block, n) is not None), None) or next(
            (n for n in RESTORE_BLOCKS if block.find_blocks(n) or block.find_blocks("dynamic", n)), None)
        if restore is not None:
            yield self.finding(
                ref.file, node, f"{ref.address} {what}; it is restored ({restore}), so it is encrypted only if "
                "its source is: restore from an encrypted snapshot copy or set kms_key_id", block=block)
            return
        old_class = _previous_generation(block)
        if old_class is not None:
            yield self.finding(
                ref.file, node, f"{ref.address} {what}; its instance class {old_class} is a previous generation "
                "without encryption at rest: move to a current class (for example db.t3 or db.m5) and encrypt",
                block=block)
            return
        member = _set(block, "global_cluster_identifier")
        if member is not None and not _global_encrypted(module, member.value):
            yield self.finding(
                ref.file, node, f"{ref.address} {what}; it is a global cluster member, so its encryption must "
                "match the global cluster's: set storage_encrypted = true on both", block=block)
            return
        yield self.finding(
            ref.file, node, f"{ref.address} {what}; its storage is not encrypted at rest",
            block=block, fix=lambda b=block: edit.set_attribute(b, "storage_encrypted", True),
            description="set storage_encrypted = true (forces replacement of a deployed database)",
        )


# instance class families RDS never offered encryption at rest on (the first generation:
# AWS RDS User Guide, "Encrypting Amazon RDS resources", availability and limitations)
UNENCRYPTED_CLASSES = ("db.t1.", "db.m1.", "db.m2.")


def _previous_generation(block: cst.Block) -> str | None:
    attr = block.get_attribute("instance_class")
    known, value = literal(attr.value) if attr is not None else (False, None)
    if known and isinstance(value, str) and value.startswith(UNENCRYPTED_CLASSES):
        return value
    return None


def _engine_mode(block: cst.Block) -> cst.Node | None:
    attr = block.get_attribute("engine_mode")
    return attr.value if attr is not None else None


def _global_encrypted(module: Module, expr: cst.Node) -> bool:
    """True if ``expr`` refers to a global cluster in this module that sets
    ``storage_encrypted = true``."""
    target = module.resolve(expr)
    if target is None or target.block.type != "resource" or target.block.label_values[0] not in GLOBAL_CLUSTERS:
        return False
    attr = target.block.get_attribute("storage_encrypted")
    return attr is not None and _truth(attr.value) == (True, True)
