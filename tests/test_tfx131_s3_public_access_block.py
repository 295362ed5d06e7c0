"""TFX131 s3-public-access-block."""

from __future__ import annotations

import pytest
from tffix.transforms.s3.s3_public_access_block import S3PublicAccessBlock as R

from .rulekit import check_fix, findings, fix, unchanged

BUCKET = """\
resource "aws_s3_bucket" "data" {
  bucket = "acme-data"
}

resource "aws_s3_bucket_server_side_encryption_configuration" "data" {
  bucket = aws_s3_bucket.data.id

  rule {
    apply_server_side_encryption_by_default {
      sse_algorithm = "AES256"
    }
  }
}

resource "aws_iam_role" "r" {
  name = "r"
}
"""

PAB = """\
resource "aws_s3_bucket_public_access_block" "x" {
  bucket                  = %s
  block_public_acls       = true
  block_public_policy     = true
  ignore_public_acls      = true
  restrict_public_buckets = true
}
"""


def test_adds_the_block_after_the_bucket_and_its_configuration(snapshot) -> None:
    assert check_fix(R, BUCKET) == snapshot


def test_is_unsafe_and_held_back() -> None:
    out, result = fix(R, BUCKET, unsafe=False)
    assert out["main.tf"] == BUCKET
    (held,) = result.remaining
    assert held.held_back and held.safety == "unsafe" and held.impact == "in-place update"


def test_count_and_for_each(snapshot) -> None:
    text = """\
resource "aws_s3_bucket" "each" {
  for_each = var.buckets
  bucket   = each.value
}

resource "aws_s3_bucket" "counted" {
  count  = 2
  bucket = "b-${count.index}"
}
"""
    assert check_fix(R, text) == snapshot


@pytest.mark.parametrize("bucket", ["aws_s3_bucket.data.id", "aws_s3_bucket.data.bucket", '"acme-data"'])
def test_existing_block_anywhere_in_the_module(bucket: str) -> None:
    files = {"main.tf": BUCKET, "pab.tf": PAB % bucket}
    assert unchanged(R, files) and findings(R, files) == []


def test_existing_block_with_for_each() -> None:
    text = 'resource "aws_s3_bucket" "b" {\n  for_each = var.names\n  bucket   = each.key\n}\n' + \
        (PAB % "each.value.id").replace("  bucket  ", "  for_each                = aws_s3_bucket.b\n  bucket  ")
    assert unchanged(R, text) and findings(R, text) == []


def test_block_for_an_unknown_bucket_reports_without_fix() -> None:
    files = {"main.tf": BUCKET, "pab.tf": PAB % "var.bucket"}
    assert unchanged(R, files) and findings(R, files) == [("TFX131", 1, False)]


WEBSITE = """\
resource "aws_s3_bucket_website_configuration" "data" {
  bucket = aws_s3_bucket.data.id

  index_document {
    suffix = "index.html"
  }
}
"""


def _policy(body: str) -> str:
    return f'resource "aws_s3_bucket_policy" "data" {{\n  bucket = aws_s3_bucket.data.id\n  policy = {body}\n}}\n'


PUBLIC_JSONENCODE = _policy("""jsonencode({
    Statement = [{
      Effect    = "Allow"
      Principal = { AWS = "*" }
      Action    = "s3:GetObject"
      Resource  = "${aws_s3_bucket.data.arn}/*"
    }]
  })""")
PUBLIC_HEREDOC = _policy("""<<POLICY
{
  "Statement": [{"Effect": "Allow", "Principal": "*", "Action": "s3:GetObject", "Resource": "${aws_s3_bucket.data.arn}/*"}]
}
POLICY""")
PUBLIC_DOCUMENT = _policy("data.aws_iam_policy_document.p.json") + """
data "aws_iam_policy_document" "p" {
  statement {
    actions   = ["s3:GetObject"]
    resources = ["${aws_s3_bucket.data.arn}/*"]

    principals {
      type        = "*"
      identifiers = ["*"]
    }
  }
}
"""


@pytest.mark.parametrize("extra, why", [
    (WEBSITE, "aws_s3_bucket_website_configuration.data hosts a website"),
    (PUBLIC_JSONENCODE, 'aws_s3_bucket_policy.data allows Principal "*"'),
    (PUBLIC_HEREDOC, 'aws_s3_bucket_policy.data allows Principal "*"'),
    (PUBLIC_DOCUMENT, 'aws_s3_bucket_policy.data allows Principal "*"'),
    (_policy('templatefile("p.json", {})'), "tffix cannot read the policy of aws_s3_bucket_policy.data"),
    ('resource "aws_s3_bucket_acl" "a" {\n  bucket = aws_s3_bucket.data.id\n  acl    = "public-read"\n}\n',
     "aws_s3_bucket_acl.a grants the public-read ACL"),
    ('resource "aws_s3_object" "o" {\n  bucket = aws_s3_bucket.data.id\n  key    = "k"\n  acl    = var.acl\n}\n',
     "aws_s3_object.o sets acl from an expression"),
])
def test_public_buckets_are_reported_without_fix(extra: str, why: str) -> None:
    files = {"main.tf": BUCKET, "extra.tf": extra}
    assert unchanged(R, files)
    _, result = fix(R, files)
    (record,) = result.remaining
    assert (record.line, record.fixable) == (1, False)
    assert why in record.message


def test_legacy_inline_website_and_acl() -> None:
    text = 'resource "aws_s3_bucket" "a" {\n  website {\n    index_document = "index.html"\n  }\n}\n\n' \
           'resource "aws_s3_bucket" "b" {\n  acl = "public-read-write"\n}\n'
    assert unchanged(R, text) and findings(R, text) == [("TFX131", 1, False), ("TFX131", 7, False)]


def test_deny_statements_for_everyone_do_not_block_the_fix() -> None:
    deny = _policy("""<<POLICY
{
  "Statement": [{
    "Effect": "Deny",
    "Principal": "*",
    "Action": "s3:*",
    "Resource": "${aws_s3_bucket.data.arn}/*",
    "Condition": {"Bool": {"aws:SecureTransport": "false"}}
  }]
}
POLICY""")
    out, _ = fix(R, {"main.tf": BUCKET, "policy.tf": deny})
    assert "aws_s3_bucket_public_access_block" in out["main.tf"]


def test_multi_file_module_edits_the_bucket_file_only() -> None:
    files = {"s3.tf": 'resource "aws_s3_bucket" "b" {\n  bucket = "b"\n}\n', "vars.tf": 'variable "x" {}\n'}
    out, _ = fix(R, files)
    assert out["vars.tf"] == files["vars.tf"] and out["s3.tf"].count(PAB.split('"')[1]) == 1


def test_other_resources_are_ignored() -> None:
    assert unchanged(R, 'resource "aws_s3_directory_bucket" "x" {\n  bucket = "x"\n}\n')


def test_suppression_comments() -> None:
    text = '# tffix:ignore[TFX131]\nresource "aws_s3_bucket" "b" {\n  bucket = "b"\n}\n'
    assert unchanged(R, text) and findings(R, text) == []
    trivy = '#trivy:ignore:AVD-AWS-0094\nresource "aws_s3_bucket" "b" {\n  bucket = "b"\n}\n'
    assert unchanged(R, trivy)


def test_with_tfx130_both_land_after_the_bucket_in_order() -> None:
    from tffix.transforms.s3.s3_bucket_encryption import S3BucketEncryption

    text = 'resource "aws_s3_bucket" "b" {\n  bucket = "b"\n}\n\noutput "x" {\n  value = 1\n}\n'
    out, _ = fix([R, S3BucketEncryption], text)
    types = [line.split('"')[1] for line in out["main.tf"].splitlines() if line.startswith("resource")]
    assert types == ["aws_s3_bucket", "aws_s3_bucket_server_side_encryption_configuration",
                     "aws_s3_bucket_public_access_block"]
    assert out["main.tf"].rstrip().endswith('output "x" {\n  value = 1\n}')


def test_a_grant_to_all_users_counts_a_comment_does_not() -> None:
    acl = ('resource "aws_s3_bucket_acl" "data" {\n  bucket = aws_s3_bucket.data.id\n\n'
           '  access_control_policy {\n    grant {\n      grantee {\n        type = "Group"\n'
           '        uri  = "http://acs.amazonaws.com/groups/global/AllUsers"\n      }\n      permission = "READ"\n'
           '    }\n\n    owner {\n      id = data.aws_canonical_user_id.current.id\n    }\n  }\n}\n')
    files = {"main.tf": BUCKET, "acl.tf": acl}
    assert unchanged(R, files)
    assert "grants access to a global group" in fix(R, files)[1].remaining[0].message
    commented = acl.replace('type = "Group"\n        uri  = "http://acs.amazonaws.com/groups/global/AllUsers"',
                            'type = "CanonicalUser" # was http://acs.amazonaws.com/groups/global/AllUsers\n'
                            '        id   = data.aws_canonical_user_id.current.id')
    out, result = fix(R, {"main.tf": BUCKET, "acl.tf": commented})
    assert result.fixed and "aws_s3_bucket_public_access_block" in out["main.tf"]
