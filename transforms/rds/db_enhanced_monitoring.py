"""TFX716: RDS instances collect Enhanced Monitoring metrics at a valid interval."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from tffix import edit
from tffix.engine.module import BlockRef, Module
from tffix.engine.rules import (
    FIX_SOMETIMES,
    IMPACT_IN_PLACE,
    UNSAFE,
    Finding,
    Rule,
)
from tffix.syntax import cst
from tffix.syntax.build import HCL
from tffix.transforms.lib.settings import VALID_INTERVALS, attribute, number, text
from tffix.transforms.lib.supporting import provider_of, rds_monitoring_role

INTERVAL = 60  # the longest interval: the least CloudWatch Logs ingestion (the metrics are billed as logs)


class DbEnhancedMonitoring(Rule):
    """
    ## What it does
    Finds `aws_db_instance` and `aws_rds_cluster_instance` resources whose
    `monitoring_interval` is missing, `null` or a literal `0` (Enhanced Monitoring off), a
    literal that is not one of the intervals RDS accepts (`0`, `1`, `5`, `10`, `15`, `30`,
    `60`), or a literal non-zero interval without a `monitoring_role_arn`. Read replicas
    (`replicate_source_db`) are treated like any instance: Enhanced Monitoring is set per
    instance (`CreateDBInstanceReadReplica` takes its own `MonitoringInterval`), and a replica
    that serves reads needs the same visibility as its source.

    The fix sets `monitoring_interval = 60` (option `interval`) where it is missing or `0`,
    and `monitoring_role_arn` where it is missing, to:

    - an `aws_iam_role` of the module (same provider, one instance) whose trust policy
      allows `monitoring.rds.amazonaws.com`, or else
    - a new `aws_iam_role.rds_enhanced_monitoring` in `security.tf`, shared by every database
      of the module: trusted only by `monitoring.rds.amazonaws.com` with an
      `aws:SourceAccount` condition (the account from `aws_caller_identity`), `name_prefix`
      so that two deployments of the module do not collide, and the AWS managed policy
      `AmazonRDSEnhancedMonitoringRole` attached, which only lets it write the
      `RDSOSMetrics` log group.

    A database with `provider = aws.west` gets `aws_iam_role.rds_enhanced_monitoring_west`
    with that provider (an alias may be another account); one whose `provider` is an
    expression, an RDS Custom engine (`custom-*`), and an interval RDS rejects, are reported
    without a fix. An interval from
    an expression (a variable, a conditional) is not reported: reusable modules usually
    pass it through and the caller decides.

    ## Why is this bad?
    Standard CloudWatch metrics for RDS come from the hypervisor, once a minute. Enhanced
    Monitoring reads the operating system itself: per-process CPU and memory, swap, file
    system and disk I/O, which is what shows why a database is slow or out of memory (seed
    000 §9 "Inadequate monitoring intervals for enhanced monitoring"). An interval outside
    the valid list fails the apply, and a non-zero interval needs a role RDS can assume to
    publish the metrics.

    ## Example
    ```hcl
    resource "aws_db_instance" "db" {
      engine         = "postgres"
      instance_class = "db.m7g.large"
    }
    ```

    ## Use instead
    ```hcl
    resource "aws_db_instance" "db" {
      engine              = "postgres"
      instance_class      = "db.m7g.large"
      monitoring_interval = 60
      monitoring_role_arn = aws_iam_role.rds_enhanced_monitoring.arn
    }
    ```
    ```hcl
    # file: security.tf
    data "aws_caller_identity" "current" {}

    data "aws_partition" "current" {}

    resource "aws_iam_role" "rds_enhanced_monitoring" {
      name_prefix = "rds-enhanced-monitoring-"
      assume_role_policy = jsonencode({
        Version = "2012-10-17"
        Statement = [
          {
            Effect = "Allow"
            Principal = {
              Service = "monitoring.rds.amazonaws.com"
            }
            Action = "sts:AssumeRole"
            Condition = {
              StringEquals = {
                "aws:SourceAccount" = data.aws_caller_identity.current.account_id
              }
            }
          },
        ]
      })
    }

    resource "aws_iam_role_policy_attachment" "rds_enhanced_monitoring" {
      role       = aws_iam_role.rds_enhanced_monitoring.name
      policy_arn = "arn:${data.aws_partition.current.partition}:iam::aws:policy/service-role/AmazonRDSEnhancedMonitoringRole"
    }
    ```
    In `pyproject.toml`, a shorter interval (more detail, more CloudWatch Logs ingestion):
    ```toml
    [tool.tffix.rules.TFX716]
    interval = 15
    ```

    ## Fix safety
    **Unsafe**: it turns on a billed feature (the metrics are ingested as CloudWatch Logs in
    `RDSOSMetrics`; the default 60-second interval is the cheapest) and, without a fitting
    role in the module, creates an IAM role, which changes access and needs IAM permissions
    the pipeline may not have. An account often has one shared monitoring role already
    (`rds-monitoring-role`, created by the console): point `monitoring_role_arn` at it
    yourself (a variable or a data source) to reuse it; tffix only sees the module.

    ## Deployment impact
    In-place update (`ModifyDBInstance`) without a restart, plus the new role and its policy
    attachment when created.

    ## References
    - Terraform AWS provider docs `aws_db_instance` / `aws_rds_cluster_instance`:
      `monitoring_interval` ("The default is 0. Valid Values: 0, 1, 5, 10, 15, 30, 60"),
      `monitoring_role_arn`
    - RDS API `CreateDBInstance` `MonitoringInterval` (same values; a `MonitoringRoleArn` goes
      with a non-zero interval); RDS User Guide "Setting up and enabling Enhanced Monitoring"
      (role trusted by `monitoring.rds.amazonaws.com`, policy `AmazonRDSEnhancedMonitoringRole`;
      "Protecting against the confused deputy problem": `aws:SourceAccount` /
      `aws:SourceArn` in the trust policy)
    - Terraform AWS provider docs `aws_iam_role` (`name_prefix`, `assume_role_policy`),
      `aws_iam_role_policy_attachment` (`role`, `policy_arn`); `transforms/lib/supporting.py`
      for how the role is found or created, named and placed
    - Checkov CKV_AWS_118 "Ensure that enhanced monitoring is enabled for Amazon RDS instances"
      (`RDSEnhancedMonitorEnabled.py`: `aws_db_instance`, `aws_rds_cluster_instance`, expects
      1, 5, 10, 15, 30 or 60). No Trivy check found.
    - Seed 000 §9 (`../shared/seeds`)
    """

    id = "TFX716"
    name = "db-enhanced-monitoring"
    summary = "RDS instances must enable Enhanced Monitoring with a valid interval"
    fix_availability = FIX_SOMETIMES
    safety = UNSAFE
    impact = IMPACT_IN_PLACE
    checkov = ("CKV_AWS_118",)
    options = {"interval": INTERVAL}

    def check(self, module: Module, options: dict[str, Any]) -> Iterator[Finding]:
        interval = options.get("interval", INTERVAL)
        bad_option = interval not in VALID_INTERVALS or interval == 0 or isinstance(interval, bool)
        for ref in module.resources("aws_db_instance", "aws_rds_cluster_instance"):
            block = ref.block
            attr = attribute(block, "monitoring_interval")
            advice = (f"set monitoring_interval = {interval} and a monitoring_role_arn for a role trusted by "
                      "monitoring.rds.amazonaws.com with AmazonRDSEnhancedMonitoringRole")
            if attr is None:
                yield self._fixed(module, ref, block, f"{ref.address} does not enable Enhanced Monitoring (OS "
                                  f"metrics per process); {advice}", None if bad_option else interval)
                continue
            known, value = number(attr.value)
            if not known:
                continue
            if value == 0:
                yield self._fixed(module, ref, attr.value, f"{ref.address} sets monitoring_interval = 0, which turns "
                                  f"Enhanced Monitoring off; {advice}", None if bad_option else interval)
            elif value not in VALID_INTERVALS:
                yield self.finding(ref.file, attr.value, f"{ref.address} sets monitoring_interval = "
                                   f"{attr.value.code.strip()}, which RDS rejects; use one of 1, 5, 10, 15, 30 or 60 "
                                   "seconds", block=block)
            elif attribute(block, "monitoring_role_arn") is None:
                yield self._fixed(module, ref, attr.value, f"{ref.address} enables Enhanced Monitoring without a "
                                  "monitoring_role_arn; set it to a role trusted by monitoring.rds.amazonaws.com "
                                  "with AmazonRDSEnhancedMonitoringRole", None)

    def _fixed(self, module: Module, ref: BlockRef, node: cst.Node, message: str, interval: int | None) -> Finding:
        """The finding, with a fix that sets ``interval`` (None: leaves the interval) and a role:
        the one the resource names, or the module's (``lib/supporting.py``)."""
        block = ref.block
        if interval is None and attribute(block, "monitoring_interval") is None:
            return self.finding(ref.file, node, f"{message} (not fixed: the interval option is not one of "
                                "1, 5, 10, 15, 30 or 60)", block=block)
        engine = block.get_attribute("engine")
        if engine is not None and str(text(engine.value)[1] or "").startswith("custom-"):
            return self.finding(ref.file, node, f"{message} (not fixed: an RDS Custom engine, whose support tffix "
                                "does not know)", block=block)
        has_role = attribute(block, "monitoring_role_arn") is not None
        provider = provider_of(block)
        if not has_role and provider is None:
            return self.finding(ref.file, node, f"{message} (not fixed: its provider is an expression)", block=block)
        support = None if has_role else rds_monitoring_role(module, provider)  # type: ignore[arg-type]

        def apply() -> None:
            if support is not None:
                support.apply(module)
            if interval is not None:
                edit.set_attribute(block, "monitoring_interval", interval)
            if support is not None:
                edit.set_attribute(block, "monitoring_role_arn", HCL(support.expression), after="monitoring_interval")

        parts = [f"monitoring_interval = {interval}"] if interval is not None else []
        if support is not None:
            parts.append(f"monitoring_role_arn = {support.describe()}")
        return self.finding(ref.file, node, message, block=block, fix=apply,
                            scope=(block, *(support.scope if support is not None else ())),
                            description="set " + " and ".join(parts))
