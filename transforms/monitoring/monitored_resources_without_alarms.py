"""TFX724: a root module that runs databases, load balancers or services has alarms."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from tffix.engine.module import BlockRef, Module
from tffix.engine.rules import DISPLAY_ONLY, FIX_NEVER, IMPACT_NONE, Finding, Rule
from tffix.transforms.lib.environment import ALARMS, WATCHED, is_root_module


class MonitoredResourcesWithoutAlarms(Rule):
    """
    ## What it does
    Reports a root module (one with a `backend`, a `cloud` block or a `provider`
    configuration) that creates databases, load balancers, ECS services, Lambda functions,
    Auto Scaling groups or ElastiCache replication groups but not a single
    `aws_cloudwatch_metric_alarm` or `aws_cloudwatch_composite_alarm`. One finding per
    module, at the first such resource, naming up to five of them and the metrics to alarm
    on first. Modules that call other modules are not reported: an alarm module
    (`terraform-aws-modules/cloudwatch/aws//modules/metric-alarm`, say) may create them.
    Reusable modules are not reported either; their callers own the alarms. Display only.

    ## Why is this bad?
    Without alarms the first sign of a full disk, a crashed service or a wave of 5xx errors
    is a user's complaint (seed 002 §4.1 "No CloudWatch alarms for critical metrics", seed
    004 "missing alarms"). Metrics are collected either way; alarms are what turns them into
    a page.

    ## Example
    ```hcl
    provider "aws" {
      region = "eu-west-1"
    }

    resource "aws_db_instance" "db" {
      engine         = "postgres"
      instance_class = "db.m7g.large"
    }
    ```

    ## Use instead
    Add alarms for it:
    ```hcl
    # file: alarms.tf
    resource "aws_cloudwatch_metric_alarm" "db_storage" {
      alarm_name          = "db-free-storage-low"
      namespace           = "AWS/RDS"
      metric_name         = "FreeStorageSpace"
      dimensions          = { DBInstanceIdentifier = aws_db_instance.db.identifier }
      statistic           = "Minimum"
      period              = 300
      evaluation_periods  = 1
      comparison_operator = "LessThanThreshold"
      threshold           = 5368709120
      alarm_actions       = [aws_sns_topic.alerts.arn]
    }
    ```

    ## Fix safety
    No fix: thresholds, periods and who gets paged depend on the workload and the team.

    ## Deployment impact
    None (display only).

    ## References
    - Terraform AWS provider docs, `aws_cloudwatch_metric_alarm`,
      `aws_cloudwatch_composite_alarm`
    - Amazon CloudWatch User Guide, "Recommended alarms" (the metrics named per service; from
      memory, not re-read for this rule)
    - Seed 002 §4.1, seed 004 "Monitoring" (`../shared/seeds`)
    - No Checkov or Trivy check looks for the absence of alarms
    """

    id = "TFX724"
    name = "monitored-resources-without-alarms"
    summary = "A root module that runs databases, load balancers or services defines CloudWatch alarms"
    fix_availability = FIX_NEVER
    safety = DISPLAY_ONLY
    impact = IMPACT_NONE

    def check(self, module: Module, options: dict[str, Any]) -> Iterator[Finding]:
        if not is_root_module(module) or any(True for _ in module.resources(*ALARMS)):
            return
        if any(True for _ in module.blocks("module")):
            return
        watched: list[BlockRef] = list(module.resources(*WATCHED))
        if not watched:
            return
        first = watched[0]
        names = ", ".join(ref.address for ref in watched[:5]) + (", ..." if len(watched) > 5 else "")
        kind = first.block.label_values[0]
        yield self.finding(first.file, first.block,
                           f"this module creates {names} but no CloudWatch alarm; add aws_cloudwatch_metric_alarm "
                           f"resources with an SNS alarm action (for {kind}: {WATCHED[kind]})", block=first.block)
