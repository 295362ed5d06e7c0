"""TFX706 s3-access-logging."""

from __future__ import annotations

import re

import tffix
from tffix.engine.rules import rule_examples
from tffix.transforms.s3.s3_access_logging import S3AccessLogging as R
from tffix.transforms.s3.s3_bucket_encryption import S3BucketEncryption
from tffix.transforms.s3.s3_lifecycle import S3Lifecycle
from tffix.transforms.s3.s3_public_access_block import S3PublicAccessBlock

from .rulekit import check_fix, findings, fix

TEXT = """\
resource "aws_s3_bucket" "uploads" {
  bucket = "acme-uploads"
}

resource "aws_s3_bucket" "web" {
  bucket = "acme-web"
}

resource "aws_s3_bucket_logging" "web" {
  bucket        = aws_s3_bucket.web.id
  target_bucket = aws_s3_bucket.central.id
  target_prefix = "web/"
}

resource "aws_s3_bucket" "central" {
  bucket = "acme-central"
}
"""


def _records(files):
    out, result = fix(R, files, unsafe=False)
    assert out == (files if isinstance(files, dict) else {"main.tf": files})
    assert all(r.fixable and r.held_back and r.safety == "unsafe" for r in result.remaining)
    return [(r.path, r.line, r.column, r.fixable, r.message) for r in result.remaining]


def test_reports_bucket_without_logging(snapshot) -> None:
    assert _records(TEXT) == snapshot


def test_inline_logging_v3_counts() -> None:
    inline = 'resource "aws_s3_bucket" "a" {\n  bucket = "a"\n\n  logging {\n    target_bucket = aws_s3_bucket.t.id\n  }\n}\n\n' \
             'resource "aws_s3_bucket" "t" {\n  bucket = "t"\n}\n'
    assert findings(R, inline) == []
    dynamic = 'resource "aws_s3_bucket" "a" {\n  dynamic "logging" {\n    for_each = var.logging\n' \
              '    content {\n      target_bucket = logging.value.bucket\n    }\n  }\n}\n'
    assert findings(R, dynamic) == []


def test_logging_by_literal_name_and_count_and_for_each() -> None:
    literal = 'resource "aws_s3_bucket" "a" {\n  bucket = "acme-a"\n}\n\nresource "aws_s3_bucket_logging" "a" {\n' \
              '  bucket        = "acme-a"\n  target_bucket = "central-logs"\n}\n'
    assert findings(R, literal) == []
    counted = 'resource "aws_s3_bucket" "a" {\n  count  = 2\n  bucket = "acme-${count.index}"\n}\n\n' \
              'resource "aws_s3_bucket_logging" "a" {\n  count         = length(aws_s3_bucket.a)\n' \
              '  bucket        = aws_s3_bucket.a[count.index].id\n  target_bucket = "central-logs"\n}\n'
    assert findings(R, counted) == []
    each = 'resource "aws_s3_bucket" "a" {\n  for_each = toset(["x", "y"])\n  bucket   = each.key\n}\n\n' \
           'resource "aws_s3_bucket_logging" "a" {\n  for_each      = aws_s3_bucket.a\n' \
           '  bucket        = each.value.id\n  target_bucket = "central-logs"\n}\n'
    assert findings(R, each) == []


def test_unknown_logging_bucket_silences_module() -> None:
    text = 'resource "aws_s3_bucket" "a" {\n  bucket = "acme-a"\n}\n\nresource "aws_s3_bucket_logging" "x" {\n' \
           '  bucket        = var.bucket\n  target_bucket = "central-logs"\n}\n'
    assert findings(R, text) == []


def test_log_targets_are_not_reported() -> None:
    alb = 'resource "aws_s3_bucket" "a" {\n  bucket = "acme-a"\n}\n\nresource "aws_lb" "web" {\n' \
          '  access_logs {\n    bucket  = aws_s3_bucket.a.id\n    enabled = true\n  }\n}\n'
    assert findings(R, alb) == []
    trail = 'resource "aws_s3_bucket" "a" {\n  bucket = "acme-a"\n}\n\nresource "aws_cloudtrail" "t" {\n' \
            '  name           = "t"\n  s3_bucket_name = aws_s3_bucket.a.id\n}\n'
    assert findings(R, trail) == []
    flow = 'resource "aws_s3_bucket" "a" {\n  bucket = "acme-a"\n}\n\nresource "aws_flow_log" "f" {\n' \
           '  log_destination      = aws_s3_bucket.a.arn\n  log_destination_type = "s3"\n}\n'
    assert findings(R, flow) == []
    cloudfront = 'resource "aws_s3_bucket" "a" {\n  bucket = "acme-a"\n}\n\nresource "aws_cloudfront_distribution" "d" {\n' \
                 '  logging_config {\n    bucket = aws_s3_bucket.a.bucket_domain_name\n  }\n}\n'
    assert findings(R, cloudfront) == []
    acl = 'resource "aws_s3_bucket" "a" {\n  bucket = "acme-a"\n}\n\nresource "aws_s3_bucket_acl" "a" {\n' \
          '  bucket = aws_s3_bucket.a.id\n  acl    = "log-delivery-write"\n}\n'
    assert findings(R, acl) == []
    inline_acl = 'resource "aws_s3_bucket" "a" {\n  bucket = "acme-a"\n  acl    = "log-delivery-write"\n}\n'
    assert findings(R, inline_acl) == []
    policy = 'resource "aws_s3_bucket" "a" {\n  bucket = "acme-a"\n}\n\nresource "aws_s3_bucket_policy" "a" {\n' \
             '  bucket = aws_s3_bucket.a.id\n  policy = data.aws_iam_policy_document.a.json\n}\n\n' \
             'data "aws_iam_policy_document" "a" {\n  statement {\n    principals {\n      type        = "Service"\n' \
             '      identifiers = ["logging.s3.amazonaws.com"]\n    }\n    actions   = ["s3:PutObject"]\n' \
             '    resources = ["${aws_s3_bucket.a.arn}/*"]\n  }\n}\n'
    assert findings(R, policy) == []
    named = 'resource "aws_s3_bucket" "alb_logs" {\n  bucket = "acme-a"\n}\n'
    assert findings(R, named) == []
    module = 'resource "aws_s3_bucket" "a" {\n  bucket = "acme-a"\n}\n\nmodule "m" {\n  source = "./m"\n' \
             '  bucket = aws_s3_bucket.a.id\n}\n'
    assert findings(R, module) == []


def test_cloudtrail_data_events_do_not_make_a_log_target() -> None:
    text = 'resource "aws_s3_bucket" "a" {\n  bucket = "acme-a"\n}\n\nresource "aws_cloudtrail" "t" {\n' \
           '  name           = "t"\n  s3_bucket_name = "central-trail"\n\n  event_selector {\n    data_resource {\n' \
           '      type   = "AWS::S3::Object"\n      values = ["${aws_s3_bucket.a.arn}/"]\n    }\n  }\n}\n'
    assert findings(R, text, unsafe=False) == [("TFX706", 1, True)]


def test_multi_file_and_suppression() -> None:
    files = {"a.tf": 'resource "aws_s3_bucket" "a" {\n  bucket = "acme-a"\n}\n',
             "b.tf": 'resource "aws_s3_bucket_logging" "a" {\n  bucket        = aws_s3_bucket.a.id\n'
                     '  target_bucket = "central-logs"\n}\n'}
    assert findings(R, files) == []
    assert findings(R, "# tffix:ignore[TFX706]\n" + TEXT) == []


def test_a_log_delivery_grant_counts_a_comment_does_not() -> None:
    grant = ('resource "aws_s3_bucket" "a" {\n  bucket = "acme-a"\n}\n\nresource "aws_s3_bucket_acl" "a" {\n'
             '  bucket = aws_s3_bucket.a.id\n\n  access_control_policy {\n    grant {\n      grantee {\n'
             '        type = "Group"\n        uri  = "http://acs.amazonaws.com/groups/s3/LogDelivery"\n      }\n'
             '      permission = "WRITE"\n    }\n  }\n}\n')
    assert findings(R, grant) == []
    comment = grant.replace('uri  = "http://acs.amazonaws.com/groups/s3/LogDelivery"',
                            'uri  = var.group # not http://acs.amazonaws.com/groups/s3/LogDelivery')
    assert findings(R, comment, unsafe=False) == [("TFX706", 1, True)]


def test_fix_creates_one_log_bucket_for_the_module(snapshot) -> None:
    text = TEXT + '\nresource "aws_s3_bucket" "assets" {\n  count  = 2\n  bucket = "acme-assets-${count.index}"\n}\n'
    # acme-central is the web bucket's target, but nothing shows that S3 may write there: not reused
    assert check_fix(R, text) == snapshot
    out, result = fix(R, text)
    assert not result.remaining
    assert out["security.tf"].count('resource "aws_s3_bucket" ') == 1
    assert out["main.tf"].count("target_bucket = aws_s3_bucket.s3_access_logs.id") == 2
    assert ('resource "aws_s3_bucket_logging" "assets" {\n  count         = length(aws_s3_bucket.assets)\n'
            '  bucket        = aws_s3_bucket.assets[count.index].id\n') in out["main.tf"]


def test_the_example_becomes_use_instead() -> None:
    example, instead = rule_examples(R)
    out, _ = fix(R, example)
    assert out == instead


def test_the_log_bucket_passes_the_other_bucket_rules() -> None:
    example, _ = rule_examples(R)
    out, _ = fix(R, example)
    sec = {"security.tf": out["security.tf"]}
    rules = [R, S3BucketEncryption, S3Lifecycle, S3PublicAccessBlock]
    assert fix(rules, sec)[0] == sec and not fix(rules, sec)[1].remaining
    # the Checkov suppressions are inside the bucket, one per line, with the AWS reason
    (bucket,) = tffix.parse(out["security.tf"], "security.tf").find_blocks("resource", "aws_s3_bucket")
    assert "# checkov:skip=CKV_AWS_145: " in bucket.code and "# checkov:skip=CKV_AWS_18: " in bucket.code


ACL_TARGET = """\
resource "aws_s3_bucket" "web" {
  bucket = "acme-web"
}

resource "aws_s3_bucket_logging" "web" {
  bucket        = aws_s3_bucket.web.id
  target_bucket = aws_s3_bucket.central.id
  target_prefix = "logs/"
}

resource "aws_s3_bucket" "central" {
  bucket = "acme-central"
}

resource "aws_s3_bucket_acl" "central" {
  bucket = aws_s3_bucket.central.id
  acl    = "log-delivery-write"
}

resource "aws_s3_bucket" "uploads" {
  bucket = "acme-uploads"
}
"""


def test_reuses_a_target_that_takes_logs_from_any_bucket(snapshot) -> None:
    assert check_fix(R, ACL_TARGET) == snapshot
    out, _ = fix(R, ACL_TARGET)
    assert "security.tf" not in out
    assert ('resource "aws_s3_bucket_logging" "uploads" {\n  bucket        = aws_s3_bucket.uploads.id\n'
            '  target_bucket = aws_s3_bucket.central.id\n  target_prefix = "logs/"\n}\n') in out["main.tf"]


def test_a_target_restricted_to_source_buckets_is_not_reused() -> None:
    policy = ('resource "aws_s3_bucket_policy" "central" {\n  bucket = aws_s3_bucket.central.id\n'
              '  policy = jsonencode({\n    Statement = [{\n      Effect    = "Allow"\n'
              '      Principal = { Service = "logging.s3.amazonaws.com" }\n      Action    = "s3:PutObject"\n'
              '      Resource  = "${aws_s3_bucket.central.arn}/*"\n'
              '      Condition = { ArnLike = { "aws:SourceArn" = aws_s3_bucket.web.arn } }\n    }]\n  })\n}\n')
    restricted = ACL_TARGET.replace('resource "aws_s3_bucket_acl" "central" {\n  bucket = aws_s3_bucket.central.id\n'
                                    '  acl    = "log-delivery-write"\n}\n', policy)
    out, _ = fix(R, restricted)
    assert "target_bucket = aws_s3_bucket.s3_access_logs.id" in out["main.tf"]
    unrestricted = restricted.replace('\n      Condition = { ArnLike = { "aws:SourceArn" = aws_s3_bucket.web.arn } }', "")
    out, _ = fix(R, unrestricted)
    assert "security.tf" not in out and "target_bucket = aws_s3_bucket.central.id" in out["main.tf"].split(
        'resource "aws_s3_bucket_logging" "uploads"')[1]


def test_provider_alias_and_expression() -> None:
    aliased = 'resource "aws_s3_bucket" "a" {\n  provider = aws.west\n  bucket   = "acme-a"\n}\n'
    out, _ = fix(R, aliased)
    assert "target_bucket = aws_s3_bucket.s3_access_logs_west.id" in out["main.tf"]
    assert "  provider      = aws.west\n" in out["main.tf"].split("aws_s3_bucket_logging")[1]
    # 2 data sources, the bucket and its 7 configuration resources
    assert len(re.findall(r"\n  provider +=  ?aws\.west\n", out["security.tf"])) == 10
    expression = 'resource "aws_s3_bucket" "a" {\n  provider = aws[var.region]\n  bucket   = "acme-a"\n}\n'
    assert findings(R, expression) == [("TFX706", 1, False)]


def test_provider_before_4_is_reported_without_a_fix() -> None:
    pinned = ('terraform {\n  required_providers {\n    aws = {\n      source  = "hashicorp/aws"\n'
              '      version = "~> 3.0"\n    }\n  }\n}\n\nresource "aws_s3_bucket" "a" {\n  bucket = "acme-a"\n}\n')
    assert findings(R, pinned) == [("TFX706", 10, False)]


def test_an_inline_logging_target_is_reused_unless_it_is_sse_kms() -> None:
    inline = ('resource "aws_s3_bucket" "web" {\n  bucket = "acme-web"\n\n  logging {\n'
              '    target_bucket = aws_s3_bucket.central.id\n  }\n}\n\n'
              'resource "aws_s3_bucket" "central" {\n  bucket = "acme-central"\n  acl    = "log-delivery-write"\n}\n\n'
              'resource "aws_s3_bucket" "uploads" {\n  bucket = "acme-uploads"\n}\n')
    out, _ = fix(R, inline)
    assert "security.tf" not in out
    assert ('resource "aws_s3_bucket_logging" "uploads" {\n  bucket        = aws_s3_bucket.uploads.id\n'
            '  target_bucket = aws_s3_bucket.central.id\n  target_prefix = ""\n}\n') in out["main.tf"]  # as the other
    # S3 does not deliver server access logs to an SSE-KMS bucket: that target is not reused
    kms = inline.replace('  acl    = "log-delivery-write"\n', '  acl    = "log-delivery-write"\n\n'
                         '  server_side_encryption_configuration {\n    rule {\n'
                         '      apply_server_side_encryption_by_default {\n        sse_algorithm = "aws:kms"\n'
                         '      }\n    }\n  }\n')
    out, _ = fix(R, kms)
    assert "target_bucket = aws_s3_bucket.s3_access_logs.id" in out["main.tf"]
