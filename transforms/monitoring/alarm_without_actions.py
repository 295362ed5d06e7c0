"""TFX720: CloudWatch alarms notify someone when they fire."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from tffix.engine.module import BlockRef, Module
from tffix.engine.rules import DISPLAY_ONLY, FIX_NEVER, IMPACT_NONE, Finding, Rule
from tffix.syntax import cst
from tffix.transforms.lib.settings import attribute, text, truth

ALARMS = ("aws_cloudwatch_metric_alarm", "aws_cloudwatch_composite_alarm")
# blocks whose references to an alarm do not consume it
NOT_CONSUMERS = ("output", "moved", "import", "removed", "check")


def consumed(module: Module, ref: BlockRef, composite_rules: list[str]) -> bool:
    """True when something else in the module acts on the alarm: a composite alarm's rule, a
    CodeDeploy or ECS deployment's alarm list, a Route 53 health check, ... (by reference, or by
    its literal name inside a composite alarm's ``alarm_rule``)."""
    for other, _ in module.referrers(ref):
        if other.block is not ref.block and other.block.type not in NOT_CONSUMERS:
            return True
    name = ref.block.get_attribute("alarm_name")
    known, value = text(name.value) if name is not None else (False, None)
    return bool(known and value and any(value in rule for rule in composite_rules))


class AlarmWithoutActions(Rule):
    """
    ## What it does
    Reports `aws_cloudwatch_metric_alarm` and `aws_cloudwatch_composite_alarm` resources that
    notify nobody when they go into `ALARM`: `alarm_actions` missing, `null` or a literal empty
    list (`ok_actions` and `insufficient_data_actions` alone do not count), or a literal
    `actions_enabled = false`. An alarm that another block of the module acts on is left alone:
    one referenced from a composite alarm's `alarm_rule` (also by its literal name), a CodeDeploy
    or ECS deployment's alarm list, a Route 53 health check, and so on; there the consumer
    notifies. `alarm_actions` or `actions_enabled` from an expression (a variable the caller
    fills) is not reported. Display only.

    `actions_enabled = false` is reported even though it is an explicit choice: it is the usual
    way to park an alarm during setup and forget it, and Checkov reports it too. Suppress the
    finding (`# tffix:ignore[TFX720]`) where the alarm is meant to be silent.

    ## Why is this bad?
    An alarm without actions changes colour in the console and nothing else: nobody is paged
    when the database runs out of storage or the load balancer returns 5xx errors (seed 002
    §4.2 "No SNS Topic for Notifications", seed 004 "CloudWatch alarms without SNS
    notification").

    ## Example
    ```hcl
    resource "aws_cloudwatch_metric_alarm" "db_cpu" {
      alarm_name          = "db-cpu-high"
      namespace           = "AWS/RDS"
      metric_name         = "CPUUtilization"
      statistic           = "Average"
      period              = 300
      evaluation_periods  = 2
      comparison_operator = "GreaterThanThreshold"
      threshold           = 80
    }
    ```

    ## Use instead
    ```hcl
    resource "aws_sns_topic" "alerts" {
      name = "alerts"
    }

    resource "aws_sns_topic_subscription" "oncall" {
      topic_arn = aws_sns_topic.alerts.arn
      protocol  = "email"
      endpoint  = "oncall@example.com"
    }

    resource "aws_cloudwatch_metric_alarm" "db_cpu" {
      alarm_name          = "db-cpu-high"
      namespace           = "AWS/RDS"
      metric_name         = "CPUUtilization"
      statistic           = "Average"
      period              = 300
      evaluation_periods  = 2
      comparison_operator = "GreaterThanThreshold"
      threshold           = 80
      alarm_actions       = [aws_sns_topic.alerts.arn]
      ok_actions          = [aws_sns_topic.alerts.arn]
    }
    ```

    ## Fix safety
    No fix: who is notified (an existing topic, a new topic and which subscribers, a pager
    integration) is not something tffix can decide, and a new email subscription has to be
    confirmed by its owner.

    ## Deployment impact
    None (display only). Adding `alarm_actions` yourself is an in-place update of the alarm.
    On a composite alarm, `actions_enabled` forces replacement.

    ## References
    - Terraform AWS provider docs `aws_cloudwatch_metric_alarm` (`alarm_actions`, `ok_actions`,
      `insufficient_data_actions`, `actions_enabled` "Defaults to `true`") and
      `aws_cloudwatch_composite_alarm` (same arguments; `actions_enabled` "Forces new
      resource", defaults to `true`)
    - Checkov CKV_AWS_319 "Ensure that CloudWatch alarm actions are enabled"
      (`CloudWatchAlarmsEnabled.py`: `aws_cloudwatch_metric_alarm`, forbids
      `actions_enabled = false`; it does not look at `alarm_actions`, so it fails only on that
      part of what the rule reports; checkov 3.3.30, `bench/checkov_mapping.py`). No Trivy
      check found.
    - Seed 002 §4.2, seed 004 "Monitoring" (`../shared/seeds`)
    """

    id = "TFX720"
    name = "alarm-without-actions"
    summary = "CloudWatch alarms must notify someone through alarm_actions"
    fix_availability = FIX_NEVER
    safety = DISPLAY_ONLY
    impact = IMPACT_NONE
    checkov = ("CKV_AWS_319",)

    def check(self, module: Module, options: dict[str, Any]) -> Iterator[Finding]:
        rules = [attr.value.code for ref in module.resources("aws_cloudwatch_composite_alarm")
                 if (attr := ref.block.get_attribute("alarm_rule")) is not None]
        advice = "put an SNS topic (aws_sns_topic with a subscription) in alarm_actions"
        for ref in module.resources(*ALARMS):
            block = ref.block
            enabled = attribute(block, "actions_enabled")
            known, value = truth(enabled.value) if enabled is not None else (True, True)
            disabled = known and value is False
            actions = block.get_attribute("alarm_actions")
            empty = (attribute(block, "alarm_actions") is None
                     or (isinstance(actions.value, cst.Tuple) and not actions.value.items))  # type: ignore[union-attr]
            if not (disabled or empty) or consumed(module, ref, rules):
                continue
            if disabled:
                assert enabled is not None
                message = (f"{ref.address} sets actions_enabled = false and has no alarm_actions, so it notifies "
                           f"nobody when it fires; remove actions_enabled and {advice}" if empty else
                           f"{ref.address} sets actions_enabled = false, so its alarm_actions never run; remove "
                           "it once the alarm should notify")
                yield self.finding(ref.file, enabled.value, message, block=block)
            else:
                node = actions.value if actions is not None else block
                what = ("has no alarm_actions" if actions is None
                        else f"sets alarm_actions = {actions.value.code.strip()}")
                yield self.finding(ref.file, node, f"{ref.address} {what}, so it notifies nobody when it fires; "
                                   f"{advice}", block=block)
