"""TFX720 alarm-without-actions."""

from __future__ import annotations

from tffix.transforms.monitoring.alarm_without_actions import AlarmWithoutActions as R

from .rulekit import findings, fix

MODULE = """\
resource "aws_cloudwatch_metric_alarm" "missing" {
  alarm_name          = "db-cpu-high"
  namespace           = "AWS/RDS"
  metric_name         = "CPUUtilization"
  statistic           = "Average"
  period              = 300
  evaluation_periods  = 2
  comparison_operator = "GreaterThanThreshold"
  threshold           = 80
  ok_actions          = [aws_sns_topic.alerts.arn]
}

resource "aws_cloudwatch_metric_alarm" "empty" {
  for_each      = toset(["a", "b"])
  alarm_name    = "empty-${each.key}"
  alarm_actions = []
}

resource "aws_cloudwatch_metric_alarm" "disabled" {
  alarm_name      = "disabled"
  actions_enabled = false
  alarm_actions   = [aws_sns_topic.alerts.arn]
}

resource "aws_cloudwatch_composite_alarm" "disabled_and_empty" {
  alarm_name      = "composite"
  alarm_rule      = "ALARM(other)"
  actions_enabled = "false"
}

resource "aws_cloudwatch_metric_alarm" "ok" {
  alarm_name    = "ok"
  alarm_actions = [aws_sns_topic.alerts.arn]
}

resource "aws_cloudwatch_metric_alarm" "expression" {
  alarm_name    = "expression"
  alarm_actions = var.alarm_actions
}
"""


def _records(files):
    out, result = fix(R, files)
    assert out == (files if isinstance(files, dict) else {"main.tf": files})
    assert all(not r.fixable for r in result.remaining)
    return [(r.path, r.line, r.column, r.message) for r in result.remaining]


def test_reports_alarms_that_notify_nobody(snapshot) -> None:
    records = _records(MODULE)
    assert [(line, col) for _, line, col, _ in records] == [(1, 1), (16, 19), (21, 21), (28, 21)]
    assert records == snapshot


def test_alarms_consumed_elsewhere_are_left_alone() -> None:
    text = """\
resource "aws_cloudwatch_metric_alarm" "by_reference" {
  alarm_name = "errors"
}

resource "aws_cloudwatch_metric_alarm" "by_name" {
  alarm_name = "latency-high"
}

resource "aws_cloudwatch_composite_alarm" "both" {
  alarm_name    = "both"
  alarm_rule    = "ALARM(${aws_cloudwatch_metric_alarm.by_reference.alarm_name}) AND ALARM(latency-high)"
  alarm_actions = [aws_sns_topic.alerts.arn]
}

resource "aws_codedeploy_deployment_group" "app" {
  alarm_configuration {
    alarms = [aws_cloudwatch_metric_alarm.rollback.alarm_name]
  }
}

resource "aws_cloudwatch_metric_alarm" "rollback" {
  alarm_name = "rollback"
}
"""
    assert findings(R, text) == []


def test_an_output_does_not_count_as_a_consumer() -> None:
    text = ('resource "aws_cloudwatch_metric_alarm" "a" {\n  alarm_name    = "a"\n  alarm_actions = null\n}\n\n'
            'output "alarm" {\n  value = aws_cloudwatch_metric_alarm.a.arn\n}\n')
    assert findings(R, text) == [("TFX720", 3, False)]


def test_expression_enabled_still_needs_actions() -> None:
    text = ('resource "aws_cloudwatch_metric_alarm" "a" {\n  actions_enabled = var.enabled\n'
            '  alarm_actions   = [aws_sns_topic.alerts.arn]\n}\n')
    assert findings(R, text) == []
    assert findings(R, text.replace("[aws_sns_topic.alerts.arn]", "[]")) == [("TFX720", 3, False)]


def test_multi_file_module() -> None:
    files = {"alarms.tf": 'resource "aws_cloudwatch_metric_alarm" "a" {\n  alarm_name = "a"\n}\n',
             "composite.tf": 'resource "aws_cloudwatch_composite_alarm" "c" {\n'
                             '  alarm_rule = "ALARM(${aws_cloudwatch_metric_alarm.a.alarm_name})"\n}\n'}
    assert [(p, line) for p, line, _, _ in _records(files)] == [("composite.tf", 1)]


def test_suppression_comment() -> None:
    text = '# tffix:ignore[TFX720]\nresource "aws_cloudwatch_metric_alarm" "a" {\n  alarm_name = "a"\n}\n'
    assert findings(R, text) == []
