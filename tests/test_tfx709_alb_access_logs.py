"""TFX709 alb-access-logs."""

from __future__ import annotations

import tffix
from tffix.engine.rules import rule_examples
from tffix.transforms.logging.alb_access_logs import AlbAccessLogs as R
from tffix.transforms.s3.s3_access_logging import S3AccessLogging
from tffix.transforms.s3.s3_bucket_encryption import S3BucketEncryption
from tffix.transforms.s3.s3_lifecycle import S3Lifecycle
from tffix.transforms.s3.s3_public_access_block import S3PublicAccessBlock

from .rulekit import check_fix, findings, fix

TEXT = """\
resource "aws_lb" "web" {
  name               = "web"
  load_balancer_type = "application"
  subnets            = var.public_subnet_ids
}

resource "aws_alb" "api" {
  name    = "api"
  subnets = var.public_subnet_ids

  access_logs {
    bucket  = aws_s3_bucket.lb_logs.id
    enabled = false
  }
}

resource "aws_lb" "admin" {
  name    = "admin"
  subnets = var.public_subnet_ids

  access_logs {
    bucket = aws_s3_bucket.lb_logs.id
  }
}

resource "aws_lb" "ok" {
  name    = "ok"
  subnets = var.public_subnet_ids

  access_logs {
    bucket  = aws_s3_bucket.lb_logs.id
    prefix  = "ok"
    enabled = true
  }
}
"""


def _records(files):
    out, result = fix(R, files, unsafe=False)
    assert out == (files if isinstance(files, dict) else {"main.tf": files})
    return [(r.path, r.line, r.column, r.fixable, r.message) for r in result.remaining]


def test_reports_missing_disabled_and_default_disabled(snapshot) -> None:
    assert _records(TEXT) == snapshot
    assert [line for _, line, *_ in _records(TEXT)] == [1, 13, 21]


def test_expressions_and_dynamic_blocks_are_not_reported() -> None:
    expr = 'resource "aws_lb" "a" {\n  access_logs {\n    bucket  = var.bucket\n    enabled = var.logs\n  }\n}\n'
    assert findings(R, expr) == []
    dynamic = 'resource "aws_lb" "a" {\n  dynamic "access_logs" {\n    for_each = var.access_logs == null ? [] : [1]\n' \
              '    content {\n      bucket = var.access_logs.bucket\n    }\n  }\n}\n'
    assert findings(R, dynamic) == []
    kind = 'resource "aws_lb" "a" {\n  load_balancer_type = var.type\n}\n'
    assert findings(R, kind) == []
    string_false = 'resource "aws_lb" "a" {\n  access_logs {\n    bucket  = "b"\n    enabled = "false"\n  }\n}\n'
    assert findings(R, string_false, unsafe=False) == [("TFX709", 4, False)]


def test_network_load_balancers_only_with_a_tls_listener() -> None:
    nlb = 'resource "aws_lb" "n" {\n  load_balancer_type = "network"\n}\n\nresource "aws_lb_listener" "l" {\n' \
          '  load_balancer_arn = aws_lb.n.arn\n  port              = 80\n  protocol          = "TCP"\n}\n'
    assert findings(R, nlb) == []
    assert findings(R, nlb.replace('"TCP"', '"TLS"')) == [("TFX709", 1, False)]  # another delivery principal
    assert findings(R, nlb.replace('"TCP"', "var.protocol")) == []
    gateway = 'resource "aws_lb" "g" {\n  load_balancer_type = "gateway"\n}\n'
    assert findings(R, gateway) == []


def test_count_and_suppression() -> None:
    counted = 'resource "aws_lb" "a" {\n  count = var.create ? 1 : 0\n  name  = "a"\n}\n'
    assert findings(R, counted, unsafe=False) == [("TFX709", 1, True)]
    assert findings(R, counted) == []
    assert findings(R, "# tffix:ignore[TFX709]\n" + counted) == []


def test_fixes_reuse_the_bucket_of_another_load_balancer(snapshot) -> None:
    assert check_fix(R, TEXT) == snapshot
    out, result = fix(R, TEXT)
    assert "security.tf" not in out
    lb = out["main.tf"].split('resource "aws_alb" "api"')[0]
    assert 'access_logs {\n    bucket  = aws_s3_bucket.lb_logs.id\n    prefix  = "ok"\n    enabled = true\n  }' in lb
    assert 'bucket  = aws_s3_bucket.lb_logs.id\n    enabled = true\n' in out["main.tf"].split('resource "aws_lb" "admin"')[1]
    assert [(r.rule_id, r.line, r.fixable) for r in result.remaining] == [("TFX709", 19, False)]  # enabled = false


def test_fix_creates_one_log_bucket_for_the_module(snapshot) -> None:
    text = ('resource "aws_lb" "web" {\n  name = "web"\n}\n\n'
            'resource "aws_alb" "api" {\n  for_each = toset(["a", "b"])\n  name     = each.key\n\n'
            '  lifecycle {\n    create_before_destroy = true\n  }\n}\n')
    assert check_fix(R, text) == snapshot
    out, _ = fix(R, text)
    assert out["security.tf"].count('resource "aws_s3_bucket" ') == 1
    assert out["main.tf"].count("bucket  = aws_s3_bucket_policy.lb_access_logs.bucket") == 2
    # the block goes before the lifecycle meta-argument
    assert '    enabled = true\n  }\n\n  lifecycle {' in out["main.tf"]


def test_the_example_becomes_use_instead() -> None:
    example, instead = rule_examples(R)
    out, _ = fix(R, example)
    assert out == instead


def test_the_policy_is_correct_in_every_region() -> None:
    example, _ = rule_examples(R)
    out, _ = fix(R, example)
    sec = tffix.parse(out["security.tf"], "security.tf")
    (account,) = sec.find_blocks("data", "aws_elb_service_account")
    count = account.get_attribute("count").value.code
    # the Regions of the provider's aws_elb_service_account table: the ELB account there, none elsewhere
    for region in ("us-east-1", "eu-west-1", "ap-southeast-3", "us-gov-west-1", "cn-north-1"):
        assert f'"{region}"' in count
    for region in ("me-central-1", "ap-south-2", "eu-central-2", "il-central-1", "ca-west-1"):
        assert f'"{region}"' not in count
    (policy,) = sec.find_blocks("resource", "aws_s3_bucket_policy")
    assert '"logdelivery.elasticloadbalancing.amazonaws.com"' in policy.code
    assert "for account in data.aws_elb_service_account.lb_access_logs : {" in policy.code
    assert policy.code.count("/*/AWSLogs/${data.aws_caller_identity.current.account_id}/*") == 2


def test_the_log_bucket_passes_the_other_bucket_rules() -> None:
    example, _ = rule_examples(R)
    out, _ = fix(R, example)
    sec = {"security.tf": out["security.tf"]}
    rules = [S3AccessLogging, S3BucketEncryption, S3Lifecycle, S3PublicAccessBlock]
    assert fix(rules, sec)[0] == sec and not fix(rules, sec)[1].remaining


def test_s3_and_load_balancer_logs_get_their_own_buckets() -> None:
    text = 'resource "aws_lb" "web" {\n  name = "web"\n}\n\nresource "aws_s3_bucket" "a" {\n  bucket = "acme-a"\n}\n'
    out, _ = fix([R, S3AccessLogging], text)
    assert 'resource "aws_s3_bucket" "lb_access_logs"' in out["security.tf"]
    assert 'resource "aws_s3_bucket" "s3_access_logs"' in out["security.tf"]
    assert out["security.tf"].count('data "aws_caller_identity"') == 1
    again, second = fix([R, S3AccessLogging], out)
    assert again == out and not second.remaining


def test_provider_expression_and_old_provider_are_reported() -> None:
    expression = 'resource "aws_lb" "a" {\n  provider = aws[var.region]\n  name     = "a"\n}\n'
    assert findings(R, expression) == [("TFX709", 1, False)]
    pinned = ('terraform {\n  required_providers {\n    aws = {\n      source  = "hashicorp/aws"\n'
              '      version = "~> 3.0"\n    }\n  }\n}\n\nresource "aws_lb" "a" {\n  name = "a"\n}\n')
    assert findings(R, pinned) == [("TFX709", 10, False)]
