"""TFX705 cloudwatch-log-group-kms."""

from __future__ import annotations

from tffix.transforms.logging.cloudwatch_log_group_kms import CloudwatchLogGroupKms as R

from .rulekit import findings, fix

MODULE = """\
resource "aws_cloudwatch_log_group" "missing" {
  name              = "/ecs/app"
  retention_in_days = 365
}

resource "aws_cloudwatch_log_group" "null" {
  name       = "/ecs/null"
  kms_key_id = null
}

resource "aws_cloudwatch_log_group" "empty" {
  for_each   = toset(["a", "b"])
  name       = "/ecs/${each.key}"
  kms_key_id = ""
}

resource "aws_cloudwatch_log_group" "key" {
  name       = "/ecs/key"
  kms_key_id = aws_kms_key.logs.arn
}

resource "aws_cloudwatch_log_group" "variable" {
  name       = "/ecs/variable"
  kms_key_id = var.kms_key_id
}

resource "aws_cloudwatch_log_group" "conditional" {
  name       = "/ecs/conditional"
  kms_key_id = var.environment == "prod" ? aws_kms_key.logs[0].arn : null
}

resource "aws_cloudwatch_log_group" "literal_arn" {
  name       = "/ecs/literal"
  kms_key_id = "arn:aws:kms:eu-west-1:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab"
}
"""


def _records(files):
    out, result = fix(R, files)
    assert out == (files if isinstance(files, dict) else {"main.tf": files})
    assert all(not r.fixable for r in result.remaining)
    return [(r.path, r.line, r.column, r.message) for r in result.remaining]


def test_reports_log_groups_without_a_key(snapshot) -> None:
    records = _records(MODULE)
    assert [(line, col) for _, line, col, _ in records] == [(1, 1), (8, 16), (14, 16)]
    assert records == snapshot


def test_expressions_and_keys_are_not_reported() -> None:
    compliant = "\n\n".join(MODULE.split("\n\n")[3:])
    assert findings(R, compliant) == []


def test_other_resources_are_ignored() -> None:
    text = 'resource "aws_cloudwatch_log_stream" "s" {\n  name           = "s"\n  log_group_name = "g"\n}\n'
    assert findings(R, text) == []


def test_multi_file_module() -> None:
    files = {"a.tf": 'resource "aws_cloudwatch_log_group" "a" {\n  name = "a"\n}\n',
             "b.tf": 'resource "aws_cloudwatch_log_group" "b" {\n  name       = "b"\n  kms_key_id = var.k\n}\n'}
    assert [(p, line) for p, line, _, _ in _records(files)] == [("a.tf", 1)]


def test_suppression_comment() -> None:
    text = '# tffix:ignore[TFX705]\nresource "aws_cloudwatch_log_group" "a" {\n  name = "a"\n}\n'
    assert findings(R, text) == []
