"""TFX705 cloudwatch-log-group-kms."""

from __future__ import annotations

import json
import re

import tffix
from tffix.engine.rules import rule_examples
from tffix.transforms.logging.cloudwatch_log_group_kms import CloudwatchLogGroupKms as R

from .rulekit import check_fix, findings, fix

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


def test_reports_log_groups_without_a_key(snapshot) -> None:
    _, result = fix(R, MODULE, unsafe=False)
    records = [(r.line, r.column, r.message, r.safety, r.impact, r.held_back) for r in result.remaining]
    assert [(line, col) for line, col, *_ in records] == [(1, 1), (8, 16), (14, 16)]
    assert all(r[3] == "unsafe" and r[4] == "in-place update" and r[5] for r in records)
    assert records == snapshot


def test_one_key_for_every_log_group_in_security_tf(snapshot) -> None:
    diff = check_fix(R, MODULE)
    assert diff == snapshot
    out, result = fix(R, MODULE)
    assert len(result.fixed) == 3 and not result.remaining
    assert out["security.tf"].count('resource "aws_kms_key"') == 1
    assert len(re.findall(r"kms_key_id += aws_kms_key.cloudwatch_logs.arn\n", out["main.tf"])) == 3


def test_the_example_becomes_use_instead() -> None:
    example, instead = rule_examples(R)
    out, _ = fix(R, example)
    assert out == instead


def test_generated_key_policy() -> None:
    out, _ = fix(R, MODULE)
    tree = tffix.parse(out["security.tf"], "security.tf")
    (key,) = tree.find_blocks("resource", "aws_kms_key")
    assert key.get_attribute("enable_key_rotation").value.code.strip() == "true"
    policy = key.get_attribute("policy").value.code
    assert 'Service = "logs.${data.aws_region.current.name}.${data.aws_partition.current.dns_suffix}"' in policy
    assert '"kms:EncryptionContext:aws:logs:arn" = "arn:${data.aws_partition.current.partition}:logs:' in policy
    assert 'AWS = "arn:${data.aws_partition.current.partition}:iam::' in policy
    assert [b.label_values for b in tree.find_blocks("data")] == [
        ["aws_region", "current"], ["aws_caller_identity", "current"], ["aws_partition", "current"]]


def test_a_fitting_key_of_the_module_is_reused() -> None:
    key = """\
resource "aws_kms_key" "other" {
  enable_key_rotation = true
}

resource "aws_kms_key" "logs" {
  enable_key_rotation = true
  policy = jsonencode({
    Version = "2012-10-17"
    Statement = [{
      Effect    = "Allow"
      Principal = { Service = "logs.eu-west-1.amazonaws.com" }
      Action    = "kms:*"
      Resource  = "*"
    }]
  })
}
"""
    text = key + '\nresource "aws_cloudwatch_log_group" "a" {\n  name = "a"\n}\n'
    out, result = fix(R, text)
    assert set(out) == {"main.tf"} and "kms_key_id = aws_kms_key.logs.arn" in out["main.tf"]
    assert "the module's aws_kms_key.logs" in result.fixed[0].fix


def test_a_key_that_does_not_fit_is_not_reused_and_its_label_is_kept() -> None:
    text = ('resource "aws_kms_key" "cloudwatch_logs" {\n  enable_key_rotation = true\n}\n\n'
            'resource "aws_cloudwatch_log_group" "a" {\n  name = "a"\n}\n')
    out, _ = fix(R, text)
    assert "kms_key_id = aws_kms_key.cloudwatch_logs_2.arn" in out["main.tf"]
    assert 'resource "aws_kms_key" "cloudwatch_logs_2"' in out["security.tf"]
    again, second = fix(R, out)
    assert again == out and not second.fixed


def test_existing_data_sources_and_security_tf_are_reused() -> None:
    files = {"main.tf": 'data "aws_region" "this" {}\n\nresource "aws_cloudwatch_log_group" "a" {\n  name = "a"\n}\n',
             "security.tf": 'resource "aws_security_group" "sg" {\n  name = "sg"\n}\n'}
    out, _ = fix(R, files)
    assert out["security.tf"].startswith(files["security.tf"] + "\n")
    assert "data.aws_region.this.name" in out["security.tf"]
    assert 'data "aws_region"' not in out["security.tf"]


def test_provider_alias_is_respected() -> None:
    text = ('resource "aws_cloudwatch_log_group" "a" {\n  name = "a"\n}\n\n'
            'resource "aws_cloudwatch_log_group" "b" {\n  provider = aws.west\n  name     = "b"\n}\n')
    out, _ = fix(R, text)
    sec = tffix.parse(out["security.tf"], "security.tf")
    keys = {b.label_values[1]: b for b in sec.find_blocks("resource", "aws_kms_key")}
    assert set(keys) == {"cloudwatch_logs", "cloudwatch_logs_west"}
    assert keys["cloudwatch_logs_west"].get_attribute("provider").value.code.strip() == "aws.west"
    assert keys["cloudwatch_logs"].get_attribute("provider") is None
    for d in sec.find_blocks("data"):
        west = d.label_values[1] == "west"
        assert (d.get_attribute("provider") is not None) == west
    assert "data.aws_region.west.name" in keys["cloudwatch_logs_west"].code
    assert "kms_key_id = aws_kms_key.cloudwatch_logs_west.arn" in out["main.tf"]


def test_provider_expression_reports_without_fix() -> None:
    text = 'resource "aws_cloudwatch_log_group" "a" {\n  provider = aws[each.key]\n  name     = "a"\n}\n'
    assert findings(R, text) == [("TFX705", 1, False)]


def test_expressions_and_keys_are_not_reported() -> None:
    compliant = "\n\n".join(MODULE.split("\n\n")[3:])
    assert findings(R, compliant) == []


def test_other_resources_are_ignored() -> None:
    text = 'resource "aws_cloudwatch_log_stream" "s" {\n  name           = "s"\n  log_group_name = "g"\n}\n'
    assert findings(R, text) == []


def test_multi_file_module() -> None:
    files = {"a.tf": 'resource "aws_cloudwatch_log_group" "a" {\n  name = "a"\n}\n',
             "b.tf": 'resource "aws_cloudwatch_log_group" "b" {\n  name       = "b"\n  kms_key_id = var.k\n}\n'}
    out, result = fix(R, files)
    assert [r.path for r in result.fixed] == ["a.tf"] and out["b.tf"] == files["b.tf"]


def test_suppression_comment() -> None:
    text = '# tffix:ignore[TFX705]\nresource "aws_cloudwatch_log_group" "a" {\n  name = "a"\n}\n'
    assert findings(R, text) == []


def test_generated_policy_is_valid_json_shape() -> None:
    # the jsonencode object, read back as data, has the two statements a key policy needs
    out, _ = fix(R, MODULE)
    policy = tffix.parse(out["security.tf"], "s.tf").find_blocks("resource", "aws_kms_key")[0].get_attribute("policy")
    text = policy.value.code
    assert text.count("Sid") == 2 and json.dumps("kms:*") in text


def test_delivery_class_is_reported_without_fix() -> None:
    text = 'resource "aws_cloudwatch_log_group" "a" {\n  name            = "a"\n  log_group_class = "DELIVERY"\n}\n'
    assert findings(R, text) == [("TFX705", 1, False)]
