"""TFX808 s3-lifecycle."""

from __future__ import annotations

from tffix.transforms.s3.s3_lifecycle import S3Lifecycle as R

from .rulekit import findings, fix

TEXT = """\
resource "aws_s3_bucket" "artifacts" {
  bucket = "acme-build-artifacts"
}

resource "aws_s3_bucket" "terraform_state" {
  bucket = "acme-tfstate"
}

resource "aws_s3_bucket_versioning" "terraform_state" {
  bucket = aws_s3_bucket.terraform_state.id

  versioning_configuration {
    status = "Enabled"
  }
}

resource "aws_s3_bucket" "data" {
  bucket = "acme-data"

  versioning {
    enabled = true
  }
}

resource "aws_s3_bucket" "trail" {
  bucket = "acme-trail"
}

resource "aws_cloudtrail" "main" {
  name           = "main"
  s3_bucket_name = aws_s3_bucket.trail.id
}

resource "aws_s3_bucket" "done" {
  bucket = "acme-done"
}

resource "aws_s3_bucket_lifecycle_configuration" "done" {
  bucket = aws_s3_bucket.done.id

  rule {
    id     = "expire"
    status = "Enabled"

    expiration {
      days = 30
    }
  }
}
"""


def _records(files):
    out, result = fix(R, files)
    assert out == (files if isinstance(files, dict) else {"main.tf": files})
    return [(r.path, r.line, r.column, r.fixable, r.message) for r in result.remaining]


def test_reports_buckets_without_lifecycle(snapshot) -> None:
    records = _records(TEXT)
    assert records == snapshot
    assert [line for _, line, *_ in records] == [1, 5, 17, 25]


def test_inline_lifecycle_rule_counts() -> None:
    inline = 'resource "aws_s3_bucket" "a" {\n  lifecycle_rule {\n    enabled = true\n\n    expiration {\n' \
             '      days = 30\n    }\n  }\n}\n'
    assert findings(R, inline) == []
    dynamic = 'resource "aws_s3_bucket" "a" {\n  dynamic "lifecycle_rule" {\n    for_each = var.rules\n' \
              '    content {\n      enabled = lifecycle_rule.value.enabled\n    }\n  }\n}\n'
    assert findings(R, dynamic) == []


def test_count_for_each_and_literal_name() -> None:
    counted = 'resource "aws_s3_bucket" "a" {\n  count  = var.create ? 1 : 0\n  bucket = "a"\n}\n\n' \
              'resource "aws_s3_bucket_lifecycle_configuration" "a" {\n  count  = var.create && var.rules ? 1 : 0\n' \
              '  bucket = aws_s3_bucket.a[0].id\n}\n'
    assert findings(R, counted) == []
    each = 'resource "aws_s3_bucket" "a" {\n  for_each = toset(["x", "y"])\n  bucket   = each.key\n}\n\n' \
           'resource "aws_s3_bucket_lifecycle_configuration" "a" {\n  for_each = aws_s3_bucket.a\n' \
           '  bucket   = each.value.id\n}\n'
    assert findings(R, each) == []
    literal = 'resource "aws_s3_bucket" "a" {\n  bucket = "acme-a"\n}\n\n' \
              'resource "aws_s3_bucket_lifecycle_configuration" "a" {\n  bucket = "acme-a"\n}\n'
    assert findings(R, literal) == []
    bare = 'resource "aws_s3_bucket" "a" {\n  count  = 2\n  bucket = "acme-${count.index}"\n}\n'
    assert findings(R, bare) == [("TFX808", 1, False)]


def test_unknown_configuration_and_module_inputs_are_not_reported() -> None:
    unknown = 'resource "aws_s3_bucket" "a" {\n  bucket = "acme-a"\n}\n\n' \
              'resource "aws_s3_bucket_lifecycle_configuration" "x" {\n  bucket = var.bucket\n}\n'
    assert findings(R, unknown) == []
    module = 'resource "aws_s3_bucket" "a" {\n  bucket = "acme-a"\n}\n\nmodule "lifecycle" {\n  source = "./lc"\n' \
             '  bucket = aws_s3_bucket.a.id\n}\n'
    assert findings(R, module) == []
    named_module = module.replace("aws_s3_bucket.a.id", '"${aws_s3_bucket.a.arn}/*"')
    assert findings(R, named_module) == []


def test_multi_file_and_suppression() -> None:
    files = {"a.tf": 'resource "aws_s3_bucket" "a" {\n  bucket = "acme-a"\n}\n',
             "b.tf": 'resource "aws_s3_bucket_lifecycle_configuration" "a" {\n  bucket = aws_s3_bucket.a.id\n}\n'}
    assert findings(R, files) == []
    assert findings(R, "# tffix:ignore[TFX808]\n" + TEXT)[:1] == [("TFX808", 6, False)]
    skipped = 'resource "aws_s3_bucket" "a" {\n  #checkov:skip=CKV2_AWS_61: short-lived\n  bucket = "acme-a"\n}\n'
    assert findings(R, skipped) == []


def test_unversioned_state_bucket_message_says_once_versioned() -> None:
    text = 'resource "aws_s3_bucket" "terraform_state" {\n  bucket = "acme-tfstate"\n}\n'
    _, result = fix(R, text)
    [message] = [r.message for r in result.remaining]
    assert "once versioned (as a state bucket should be, TFX132)" in message
    versioned = TEXT  # the state bucket there has aws_s3_bucket_versioning
    _, result = fix(R, versioned)
    state = [r.message for r in result.remaining if "terraform_state" in r.message]
    assert state and "old state versions are kept forever" in state[0] and "once versioned" not in state[0]
