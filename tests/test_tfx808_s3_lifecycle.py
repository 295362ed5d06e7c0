"""TFX808 s3-lifecycle."""

from __future__ import annotations

import tffix
from tffix.engine.rules import rule_examples
from tffix.transforms.s3.s3_lifecycle import S3Lifecycle as R

from .rulekit import check_fix, findings, fix

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
    out, result = fix(R, files, unsafe=False)
    assert out == (files if isinstance(files, dict) else {"main.tf": files})
    assert all(r.held_back and r.safety == "unsafe" and r.impact == "in-place update" for r in result.remaining)
    return [(r.path, r.line, r.column, r.fixable, r.message) for r in result.remaining]


def test_reports_buckets_without_lifecycle(snapshot) -> None:
    records = _records(TEXT)
    assert records == snapshot
    assert [line for _, line, *_ in records] == [1, 5, 17, 25]


def test_fix_adds_a_configuration_after_each_bucket(snapshot) -> None:
    assert check_fix(R, TEXT) == snapshot
    out, result = fix(R, TEXT)
    assert len(result.fixed) == 4 and not result.remaining
    text = out["main.tf"]
    assert text.count("days_after_initiation = 7") == 4 and text.count("noncurrent_days           = 90") == 4
    tree = tffix.parse(text, "main.tf")
    added = [b for b in tree.find_blocks("resource", "aws_s3_bucket_lifecycle_configuration")
             if b.label_values[1] != "done"]
    assert len(added) == 4 and not any(b.find_blocks("rule")[0].find_blocks("expiration") for b in added)


def test_the_example_becomes_use_instead() -> None:
    example, instead = rule_examples(R)
    out, _ = fix(R, example)
    assert out == instead


def test_options_and_log_expiration() -> None:
    opts = {"TFX808": {"noncurrent-days": 0, "abort-incomplete-days": 3, "log-expiration-days": 365}}
    out, _ = fix(R, TEXT, rule_options=opts)
    text = out["main.tf"]
    assert "noncurrent_version_expiration" not in text and "days_after_initiation = 3" in text
    tree = tffix.parse(text, "main.tf")
    configs = {b.label_values[1]: b for b in tree.find_blocks("resource", "aws_s3_bucket_lifecycle_configuration")}
    expiring = sorted(n for n, b in configs.items() if b.find_blocks("rule")[0].find_blocks("expiration"))
    assert expiring == ["done", "trail"]  # "done" was there; only the CloudTrail bucket's logs expire, never state
    bad = {"TFX808": {"newer-noncurrent-versions": 101}}
    assert findings(R, 'resource "aws_s3_bucket" "a" {}\n', rule_options=bad) == [("TFX808", 1, False)]


def test_provider_below_4_gets_an_inline_rule_and_meta_arguments_follow_the_bucket(snapshot) -> None:
    v3 = ('terraform {\n  required_providers {\n    aws = {\n      source  = "hashicorp/aws"\n'
          '      version = "~> 3.0"\n    }\n  }\n}\n\nresource "aws_s3_bucket" "a" {\n  bucket = "acme-a"\n\n'
          '  versioning {\n    enabled = true\n  }\n}\n')
    assert check_fix(R, v3) == snapshot
    out, _ = fix(R, v3)
    assert ('  lifecycle_rule {\n    id                                     = "abort-incomplete-uploads"\n'
            '    enabled                                = true\n    abort_incomplete_multipart_upload_days = 7\n'
            '  }\n') in out["main.tf"]
    assert "noncurrent_version_expiration" not in out["main.tf"]  # 3.x cannot keep the newest 10
    no_minimum = {"TFX808": {"newer-noncurrent-versions": 0}}
    out, _ = fix(R, v3, rule_options=no_minimum)
    assert "    noncurrent_version_expiration {\n      days = 90\n    }\n" in out["main.tf"]
    # a constraint on one 4.x minor release is 4.x: the separate resource
    patch = v3.replace('"~> 3.0"', '"~> 4.21.0"')
    out, _ = fix(R, patch)
    assert 'resource "aws_s3_bucket_lifecycle_configuration" "a"' in out["main.tf"]
    text = 'resource "aws_s3_bucket" "a" {\n  provider = aws.west\n  count    = 2\n  bucket   = "a-${count.index}"\n}\n'
    out, _ = fix(R, text)
    assert "count    = length(aws_s3_bucket.a)\n  provider = aws.west\n  bucket   = aws_s3_bucket.a[count.index].id" \
        in out["main.tf"]


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
    assert findings(R, bare, unsafe=False) == [("TFX808", 1, True)]


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
    assert findings(R, "# tffix:ignore[TFX808]\n" + TEXT, unsafe=False)[:1] == [("TFX808", 6, True)]
    skipped = 'resource "aws_s3_bucket" "a" {\n  #checkov:skip=CKV2_AWS_61: short-lived\n  bucket = "acme-a"\n}\n'
    assert findings(R, skipped) == []


def test_unversioned_state_bucket_message_says_once_versioned() -> None:
    text = 'resource "aws_s3_bucket" "terraform_state" {\n  bucket = "acme-tfstate"\n}\n'
    _, result = fix(R, text, unsafe=False)
    [message] = [r.message for r in result.remaining]
    assert "once versioned (as a state bucket should be, TFX132)" in message
    versioned = TEXT  # the state bucket there has aws_s3_bucket_versioning
    _, result = fix(R, versioned, unsafe=False)
    state = [r.message for r in result.remaining if "terraform_state" in r.message]
    assert state and "old state versions are kept forever" in state[0] and "once versioned" not in state[0]
