"""TFX706 s3-access-logging."""

from __future__ import annotations

from tffix.transforms.s3.s3_access_logging import S3AccessLogging as R

from .rulekit import findings, fix

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
    out, result = fix(R, files)
    assert out == (files if isinstance(files, dict) else {"main.tf": files})
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
    assert findings(R, text) == [("TFX706", 1, False)]


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
    assert findings(R, comment) == [("TFX706", 1, False)]
