"""TFX715: RDS instances collect Performance Insights where engine and class support it."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from tffix import edit
from tffix.engine.module import BlockRef, Module
from tffix.engine.rules import (
    FIX_SOMETIMES,
    IMPACT_IN_PLACE,
    SAFE,
    UNSAFE,
    Finding,
    Rule,
)
from tffix.syntax import cst
from tffix.syntax.build import HCL
from tffix.transforms.lib.settings import attribute, setting_findings, text
from tffix.transforms.lib.supporting import provider_of, rds_key

SETTING = "performance_insights_enabled"
KEY = "performance_insights_kms_key_id"
# attributes of a key resource that are not its ARN (the argument wants an ARN)
_NOT_ARN = ("id", "key_id")

# Engines whose support tffix knows, with the instance classes that do not support
# Performance Insights (AWS "DB engine, Region, and instance class support for Database
# Insights", RDS and Aurora user guides). A class listed by family ("db.t3") covers every size.
SUPPORT: dict[str, tuple[str, ...]] = {
    "mysql": ("db.t2.micro", "db.t2.small", "db.t3.micro", "db.t3.small", "db.t4g.micro", "db.t4g.small"),
    "mariadb": ("db.t2.micro", "db.t2.small", "db.t3.micro", "db.t3.small", "db.t4g.micro", "db.t4g.small"),
    "postgres": (),
    "aurora-mysql": ("db.t2", "db.t3", "db.t4g.micro", "db.t4g.small"),
    "aurora-postgresql": (),
}
# Engines with Performance Insights whose class and edition limits tffix does not tabulate:
# reported without a fix. Db2 has no Performance Insights and is left alone.
OTHER_PREFIXES = ("oracle", "sqlserver", "custom-")


def class_supported(engine: str, instance_class: str) -> bool:
    for excluded in SUPPORT[engine]:
        if instance_class == excluded or instance_class.startswith(excluded + "."):
            return False
    return True


class DbPerformanceInsights(Rule):
    """
    ## What it does
    Sets `performance_insights_enabled = true` on `aws_db_instance` and
    `aws_rds_cluster_instance` resources whose engine and instance class support it, from a
    table of the AWS documentation:

    | engine | classes without Performance Insights |
    |---|---|
    | `mysql`, `mariadb` | `db.t2.micro`, `db.t2.small`, `db.t3.micro`, `db.t3.small`, `db.t4g.micro`, `db.t4g.small` |
    | `postgres`, `aurora-postgresql` | none |
    | `aurora-mysql` | every `db.t2` and `db.t3`, `db.t4g.micro`, `db.t4g.small` |

    A missing argument is added, a literal `false` becomes `true`. The engine is read from
    the resource, or for a cluster member from the cluster it references
    (`engine = aws_rds_cluster.main.engine`). When the engine or (for MySQL, MariaDB and
    Aurora MySQL) the class is an expression, or the engine is Oracle or SQL Server (whose
    class and edition limits are not in the table), the rule reports without a fix. Db2,
    unsupported classes, replicas without an `engine` and `aws_rds_cluster` itself (Aurora
    collects per instance) are left alone.

    ## Why is this bad?
    Without Performance Insights there is no record of what the database was busy with when
    it slowed down: which queries, waits and clients made up the load. The history starts
    only when it is turned on, so turning it on during an incident is too late (seed 000 §9
    "No performance insights enabled for RDS instances").

    ## Example
    ```hcl
    resource "aws_kms_key" "db" {
      enable_key_rotation = true
    }

    resource "aws_db_instance" "db" {
      engine         = "postgres"
      instance_class = "db.m7g.large"
      kms_key_id     = aws_kms_key.db.arn
    }
    ```

    ## Use instead
    ```hcl
    resource "aws_kms_key" "db" {
      enable_key_rotation = true
    }

    resource "aws_db_instance" "db" {
      engine                          = "postgres"
      instance_class                  = "db.m7g.large"
      kms_key_id                      = aws_kms_key.db.arn
      performance_insights_enabled    = true
      performance_insights_kms_key_id = aws_kms_key.db.arn
    }
    ```

    ## Fix safety
    Adding the missing argument is **safe**: turning Performance Insights on does not
    restart the instance or fail over, and the default 7-day retention
    (`performance_insights_retention_period`) is free. Its data would be encrypted with the
    AWS managed `aws/rds` key unless `performance_insights_kms_key_id` names one, which is a
    failure of its own (Checkov CKV_AWS_354), so the fix also sets
    `performance_insights_kms_key_id`: to the customer managed key of the database's storage
    (`kms_key_id` of the instance or of its cluster, when it is an `aws_kms_key` of the
    module), which keeps the fix safe; else (**unsafe**) to the module's key for RDS
    (`transforms/lib/supporting.py`): an `aws_kms_key` of the module with the same provider
    whose policy lets the account's IAM policies decide (no `policy`, or an Allow of `kms:*`
    to the account root; preferring a label that says db / rds), or a new
    `aws_kms_key.rds` in `security.tf` with rotation on and that default key policy written
    out (RDS uses the key through grants with the caller's permissions, as it does the AWS
    managed `aws/rds` key; there is no service principal to scope it to). A new key is
    billed monthly, and the Performance Insights key cannot be changed once set. Reported
    without a fix: a database whose storage names a key tffix cannot resolve to one of the
    module (`var.kms_key_arn`, a literal ARN, a cluster of another module: that key is
    usually the one to use), and one whose `provider` is an expression.
    Turning a literal `false` into `true` is **unsafe**: it reverses an explicit choice.

    Since the Performance Insights console reached end of life in 2026, the data it collects is
    shown in CloudWatch Database Insights (Standard mode); the argument and the API are
    unchanged. Longer retention or Advanced mode (`database_insights_mode`) are paid and are
    left to the owner.

    ## Deployment impact
    In-place update (`ModifyDBInstance`), without downtime; plus the new key and data
    sources when one is created.

    ## References
    - Terraform AWS provider docs `aws_db_instance` / `aws_rds_cluster_instance`:
      `performance_insights_enabled` (Optional, default `false`),
      `performance_insights_retention_period`, `performance_insights_kms_key_id`
    - Amazon RDS and Aurora user guides, "DB engine, Region, and instance class support for
      Database Insights" (read for this rule: the MySQL / MariaDB and Aurora restrictions
      above; Database Insights is available for every RDS engine except Db2) and the
      Performance Insights end-of-life notice (the API continues). The PostgreSQL row was not
      readable in our copy; "no restriction" there follows Checkov's check below.
    - Checkov CKV_AWS_353 "Ensure that RDS instances have performance insights enabled"
      (`RDSInstancePerformanceInsights.py`, which skips the same MySQL / MariaDB classes and
      Db2); Trivy AWS-0133 "Enable Performance Insights"
    """

    id = "TFX715"
    name = "db-performance-insights"
    summary = "RDS instances must enable Performance Insights where engine and class support it"
    fix_availability = FIX_SOMETIMES
    safety = SAFE
    impact = IMPACT_IN_PLACE
    checkov = ("CKV_AWS_353",)
    trivy = ("AWS-0133",)

    def check(self, module: Module, options: dict[str, Any]) -> Iterator[Finding]:
        for ref in module.resources("aws_db_instance", "aws_rds_cluster_instance"):
            block = ref.block
            engine_attr = block.get_attribute("engine")
            if engine_attr is None:
                continue  # a replica or a restore: the engine comes from elsewhere
            known, engine = self._engine(module, engine_attr.value)
            setting = attribute(block, SETTING)
            if not known:
                if setting is None:
                    yield self.finding(ref.file, engine_attr.value,
                                       f"{ref.address} takes its engine from an expression; unless it is Db2 or a "
                                       f"class without Performance Insights, set {SETTING} = true", block=block,
                                       argument="engine",
                                       live_ok=lambda live: isinstance(live, str) and live.startswith("db2"))
                continue
            if engine is None or engine.startswith("db2"):
                continue
            if engine.startswith(OTHER_PREFIXES):
                if setting is None:
                    yield self.finding(ref.file, block, f"{ref.address} ({engine}) does not set {SETTING}; "
                                       f"check that its edition and class support it and set {SETTING} = true",
                                       block=block)
                continue
            if engine not in SUPPORT:
                continue
            class_attr = block.get_attribute("instance_class")
            known_class, instance_class = text(class_attr.value) if class_attr is not None else (True, None)
            if SUPPORT[engine] and not known_class:
                if setting is None:
                    yield self.finding(ref.file, class_attr.value,  # type: ignore[union-attr]
                                       f"{ref.address} takes its instance class from an expression; unless it is "
                                       f"a small burstable class, set {SETTING} = true", block=block,
                                       argument="instance_class",
                                       live_ok=lambda live, e=engine: isinstance(live, str)
                                       and not class_supported(e, live))
                continue
            if instance_class and not class_supported(engine, instance_class):
                continue
            for f in setting_findings(self, ref, block, SETTING, True,
                                      missing=(SAFE, IMPACT_IN_PLACE), wrong=(UNSAFE, IMPACT_IN_PLACE),
                                      why="nothing records what the database was busy with when it slows down"):
                if f.fix is not None and block.get_attribute(KEY) is None:
                    self._with_key(module, ref, f)
                yield f

    @staticmethod
    def _with_key(module: Module, ref: BlockRef, f: Finding) -> None:
        """Performance Insights data is encrypted with the ``aws/rds`` key unless a key is
        named, which a scanner reports next (CKV_AWS_354). The fix names the customer
        managed key the database's storage already uses; else the module's key for RDS
        (``lib/supporting.py``: a key with the default policy, or one created for RDS)."""
        assert f.fix is not None
        apply, block = f.fix.apply, ref.block
        key = _storage_key(module, ref.block)
        if key is not None:
            f.fix.apply = lambda: (apply(), edit.set_attribute(block, KEY, HCL(key), after=SETTING))[0]
            f.fix.description += f" with {KEY} = {key} (the key of the database's storage)"
            return
        provider = provider_of(block)
        if provider is None or _storage_key_written(module, block):
            f.fix = None
            why = ("the database's provider is an expression" if provider is None else
                   "its storage uses a key tffix cannot resolve to one of the module, which is usually the one to use")
            f.message += (f"; set it together with {KEY} (a customer managed key; once set the key cannot be "
                          f"changed; not fixed: {why})")
            return
        support = rds_key(module, provider)

        def run() -> None:
            support.apply(module)
            apply()
            edit.set_attribute(block, KEY, HCL(support.expression), after=SETTING)

        f.fix.apply = run
        f.fix.scope = (*f.fix.scope, *support.scope)
        f.fix.safety = UNSAFE  # a new key costs money; a key, once set, cannot be changed
        f.fix.description += f" with {KEY} = {support.describe()}"

    @staticmethod
    def _engine(module: Module, expr: cst.Node) -> tuple[bool, str | None]:
        """The literal engine, also through a reference to a cluster's ``engine``."""
        known, value = text(expr)
        if known:
            return True, value
        target: BlockRef | None = module.resolve(expr)
        if (target is not None and target.block.label_values[:1] == ["aws_rds_cluster"]
                and isinstance(expr, cst.Traversal) and expr.path[-1:] == ["engine"]):
            engine = target.block.get_attribute("engine")
            if engine is not None:
                return text(engine.value)
        return False, None


def _storage_key_written(module: Module, block: cst.Block) -> bool:
    """The database (or its cluster) names a storage key, or may: ``kms_key_id`` is set, or
    the cluster it belongs to is not a cluster of the module."""
    if attribute(block, "kms_key_id") is not None:
        return True
    cluster = block.get_attribute("cluster_identifier")
    if cluster is None:
        return False
    target = module.resolve(cluster.value)
    if target is None or target.block.label_values[:1] != ["aws_rds_cluster"]:
        return True
    return attribute(target.block, "kms_key_id") is not None


def _storage_key(module: Module, block: cst.Block) -> str | None:
    """The expression of the customer managed key that encrypts the database's storage
    (``kms_key_id`` of the instance, or of the cluster a cluster instance belongs to),
    as an ARN, or None. ``aws_kms_key.x.key_id`` becomes ``aws_kms_key.x.arn``."""
    owner = block
    if block.get_attribute("kms_key_id") is None:
        cluster = block.get_attribute("cluster_identifier")
        target = module.resolve(cluster.value) if cluster is not None else None
        if target is None or target.block.label_values[:1] != ["aws_rds_cluster"]:
            return None
        owner = target.block
    attr = owner.get_attribute("kms_key_id")
    if attr is None:
        return None
    expr = cst.sole_expression(attr.value)
    if not isinstance(expr, cst.Traversal):
        return None  # a literal ARN, a conditional ...: not proven to be a customer managed key
    target = module.resolve(expr)
    path = expr.path
    if target is None or target.block.type not in ("resource", "data"):
        return None
    if target.block.label_values[:1] != ["aws_kms_key"] or len(path) != (4 if path[0] == "data" else 3):
        return None
    if path[-1] in _NOT_ARN:
        path = [*path[:-1], "arn"]
    return ".".join(path) if path[-1] == "arn" else None
