"""TFX716: RDS instances collect Enhanced Monitoring metrics at a valid interval."""

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
)
from tffix.transforms.lib.settings import VALID_INTERVALS, attribute, number


class DbEnhancedMonitoring(Rule):
    """
    ## What it does
    Reports `aws_db_instance` and `aws_rds_cluster_instance` resources whose
    `monitoring_interval` is missing, `null` or a literal `0` (Enhanced Monitoring off), a
    literal that is not one of the intervals RDS accepts (`0`, `1`, `5`, `10`, `15`, `30`,
    `60`), or a literal non-zero interval without a `monitoring_role_arn`. Read replicas
    (`replicate_source_db`) are reported like any instance: Enhanced Monitoring is set per
    instance (`CreateDBInstanceReadReplica` takes its own `MonitoringInterval`), and a replica
    that serves reads needs the same visibility as its source.
    An interval from an expression (a variable, a conditional) is not reported: reusable
    modules usually pass it through and the caller decides. Display only.

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
    resource "aws_iam_role" "rds_monitoring" {
      name = "rds-enhanced-monitoring"
      assume_role_policy = jsonencode({
        Version = "2012-10-17"
        Statement = [{
          Effect    = "Allow"
          Action    = "sts:AssumeRole"
          Principal = { Service = "monitoring.rds.amazonaws.com" }
        }]
      })
    }

    resource "aws_iam_role_policy_attachment" "rds_monitoring" {
      role       = aws_iam_role.rds_monitoring.name
      policy_arn = "arn:aws:iam::aws:policy/service-role/AmazonRDSEnhancedMonitoringRole"
    }

    resource "aws_db_instance" "db" {
      engine              = "postgres"
      instance_class      = "db.m7g.large"
      monitoring_interval = 60
      monitoring_role_arn = aws_iam_role.rds_monitoring.arn
    }
    ```

    ## Fix safety
    No fix. Turning Enhanced Monitoring on needs `monitoring_role_arn`: an IAM role trusted
    by `monitoring.rds.amazonaws.com` with the `AmazonRDSEnhancedMonitoringRole` managed
    policy. Creating IAM roles is a permission many pipelines do not have, and an account
    often has one shared monitoring role already; tffix cannot know which to use. The metrics
    are also billed as CloudWatch Logs ingestion, which grows as the interval shrinks.

    ## Deployment impact
    None (display only). Setting `monitoring_interval` and `monitoring_role_arn` yourself is
    an in-place update (`ModifyDBInstance`) without a restart.

    ## References
    - Terraform AWS provider docs `aws_db_instance` / `aws_rds_cluster_instance`:
      `monitoring_interval` ("The default is 0. Valid Values: 0, 1, 5, 10, 15, 30, 60"),
      `monitoring_role_arn`
    - RDS API `CreateDBInstance` `MonitoringInterval` (same values; a `MonitoringRoleArn` goes
      with a non-zero interval); RDS User Guide "Setting up and enabling Enhanced Monitoring"
      (role trusted by `monitoring.rds.amazonaws.com`, policy `AmazonRDSEnhancedMonitoringRole`)
    - Checkov CKV_AWS_118 "Ensure that enhanced monitoring is enabled for Amazon RDS instances"
      (`RDSEnhancedMonitorEnabled.py`: `aws_db_instance`, `aws_rds_cluster_instance`, expects
      1, 5, 10, 15, 30 or 60). No Trivy check found.
    - Seed 000 §9 (`../shared/seeds`)
    """

    id = "TFX716"
    name = "db-enhanced-monitoring"
    summary = "RDS instances must enable Enhanced Monitoring with a valid interval"
    fix_availability = FIX_NEVER
    safety = DISPLAY_ONLY
    impact = IMPACT_NONE
    checkov = ("CKV_AWS_118",)

    def check(self, module: Module, options: dict[str, Any]) -> Iterator[Finding]:
        for ref in module.resources("aws_db_instance", "aws_rds_cluster_instance"):
            block = ref.block
            attr = attribute(block, "monitoring_interval")
            advice = ("set monitoring_interval = 60 and a monitoring_role_arn for a role trusted by "
                      "monitoring.rds.amazonaws.com with AmazonRDSEnhancedMonitoringRole")
            if attr is None:
                yield self.finding(ref.file, block, f"{ref.address} does not enable Enhanced Monitoring (OS metrics "
                                   f"per process); {advice}", block=block)
                continue
            known, value = number(attr.value)
            if not known:
                continue
            if value == 0:
                yield self.finding(ref.file, attr.value, f"{ref.address} sets monitoring_interval = 0, which turns "
                                   f"Enhanced Monitoring off; {advice}", block=block)
            elif value not in VALID_INTERVALS:
                yield self.finding(ref.file, attr.value, f"{ref.address} sets monitoring_interval = "
                                   f"{attr.value.code.strip()}, which RDS rejects; use one of 1, 5, 10, 15, 30 or 60 "
                                   "seconds", block=block)
            elif attribute(block, "monitoring_role_arn") is None:
                yield self.finding(ref.file, attr.value, f"{ref.address} enables Enhanced Monitoring without a "
                                   "monitoring_role_arn; set it to a role trusted by monitoring.rds.amazonaws.com "
                                   "with AmazonRDSEnhancedMonitoringRole", block=block)
