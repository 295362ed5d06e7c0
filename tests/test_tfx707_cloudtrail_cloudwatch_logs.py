"""TFX707 cloudtrail-cloudwatch-logs."""

from __future__ import annotations

from tffix.transforms.logging.cloudtrail_cloudwatch_logs import (
    CloudtrailCloudwatchLogs as R,
)

from .rulekit import findings, fix

MODULE = """\
resource "aws_cloudtrail" "missing" {
  name           = "missing"
  s3_bucket_name = aws_s3_bucket.trail.id
}

resource "aws_cloudtrail" "null" {
  name                       = "null"
  s3_bucket_name             = aws_s3_bucket.trail.id
  cloud_watch_logs_group_arn = null
}

resource "aws_cloudtrail" "no_role" {
  name                       = "no-role"
  s3_bucket_name             = aws_s3_bucket.trail.id
  cloud_watch_logs_group_arn = "${aws_cloudwatch_log_group.trail.arn}:*"
}

resource "aws_cloudtrail" "no_wildcard" {
  count                      = 1
  name                       = "no-wildcard"
  s3_bucket_name             = aws_s3_bucket.trail.id
  cloud_watch_logs_group_arn = aws_cloudwatch_log_group.trail[count.index].arn
  cloud_watch_logs_role_arn  = aws_iam_role.trail_logs.arn
}

resource "aws_cloudtrail" "ok" {
  name                       = "ok"
  s3_bucket_name             = aws_s3_bucket.trail.id
  cloud_watch_logs_group_arn = "${aws_cloudwatch_log_group.trail.arn}:*"
  cloud_watch_logs_role_arn  = aws_iam_role.trail_logs.arn
}

resource "aws_cloudtrail" "variables" {
  name                       = "variables"
  s3_bucket_name             = var.bucket
  cloud_watch_logs_group_arn = var.cloud_watch_logs_group_arn
  cloud_watch_logs_role_arn  = var.cloud_watch_logs_role_arn
}

resource "aws_cloudwatch_log_group" "trail" {
  count = 1
  name  = "/aws/cloudtrail/main"
}
"""


def _records(files):
    out, result = fix(R, files)
    assert out == (files if isinstance(files, dict) else {"main.tf": files})
    assert all(not r.fixable for r in result.remaining)
    return [(r.path, r.line, r.column, r.message) for r in result.remaining]


def test_reports_trails_without_cloudwatch_logs(snapshot) -> None:
    records = _records(MODULE)
    assert [(line, col) for _, line, col, _ in records] == [(1, 1), (9, 32), (15, 32), (22, 32)]
    assert records == snapshot


def test_expressions_and_complete_settings_are_not_reported() -> None:
    compliant = "\n\n".join(MODULE.split("\n\n")[4:])
    assert findings(R, compliant) == []


def test_expression_group_still_needs_a_role() -> None:
    text = ('resource "aws_cloudtrail" "t" {\n  name                       = "t"\n'
            '  cloud_watch_logs_group_arn = var.group_arn\n  cloud_watch_logs_role_arn  = ""\n}\n')
    assert findings(R, text) == [("TFX707", 4, False)]


def test_bare_arn_of_something_else_is_not_reported() -> None:
    text = ('resource "aws_cloudtrail" "t" {\n  name                       = "t"\n'
            '  cloud_watch_logs_group_arn = data.aws_cloudwatch_log_group.g.arn\n'
            '  cloud_watch_logs_role_arn  = aws_iam_role.r.arn\n}\n')
    assert findings(R, text) == []


def test_suppression_comment() -> None:
    text = '# tffix:ignore[TFX707]\nresource "aws_cloudtrail" "t" {\n  name = "t"\n}\n'
    assert findings(R, text) == []
