"""TFX311 hardcoded-account-id."""

from __future__ import annotations

from tffix.transforms.iam.hardcoded_account_id import HardcodedAccountId as R

from .rulekit import check_fix, findings, fix, unchanged

POLICY = """\
resource "aws_iam_role_policy" "app" {
  role = aws_iam_role.app.id
  policy = jsonencode({
    Statement = [{
      Effect = "Allow"
      Action = "secretsmanager:GetSecretValue"
      Resource = [
        "arn:aws:secretsmanager:us-east-1:123456789012:secret:app-*",
        "arn:aws:kms:us-east-1:123456789012:key/${var.key_id}",
      ]
    }]
  })
}
"""

FUNCTION = """\
resource "aws_lambda_function" "f" {
  function_name = "f"
  role          = "arn:aws:iam::123456789012:role/lambda" # account 123456789012
  layers        = ["arn:aws:lambda:us-east-1:580247275435:layer:LambdaInsightsExtension:14"]
}
"""


def test_replaces_the_id_and_adds_the_data_source(snapshot) -> None:
    assert check_fix(R, POLICY + "\n" + FUNCTION) == snapshot


def test_heredoc_and_count(snapshot) -> None:
    text = """\
resource "aws_iam_policy" "p" {
  count  = 2
  policy = <<-EOT
    {
      "Statement": [{
        "Effect": "Allow",
        "Action": "sqs:SendMessage",
        "Resource": "arn:aws:sqs:eu-west-1:123456789012:queue-${count.index}"
      }]
    }
  EOT
}
"""
    assert check_fix(R, text) == snapshot


def test_single_id_is_unsafe_and_held_back() -> None:
    out, result = fix(R, FUNCTION, unsafe=False)
    assert out["main.tf"] == FUNCTION
    (held,) = result.remaining
    assert held.held_back and held.impact == "none" and (held.line, held.column) == (3, 33)


def test_allowed_account_ids_make_it_safe_and_exclude_others() -> None:
    provider = 'provider "aws" {\n  region              = "us-east-1"\n  allowed_account_ids = ["123456789012"]\n}\n'
    other = 'resource "aws_sns_topic_policy" "t" {\n  arn    = "arn:aws:sns:us-east-1:210987654321:alerts"\n' \
            '  policy = "{}"\n}\n'
    out, result = fix(R, {"main.tf": FUNCTION, "provider.tf": provider, "other.tf": other}, unsafe=False)
    assert "${data.aws_caller_identity.current.account_id}:role/lambda" in out["main.tf"]
    assert out["other.tf"] == other and out["provider.tf"] == provider
    (left,) = result.remaining
    assert left.path == "other.tf" and not left.fixable and "not the provider's allowed account" in left.message


def test_several_ids_are_reported_without_fix() -> None:
    text = FUNCTION + '\noutput "partner" {\n  value = "arn:aws:iam::210987654321:role/partner"\n}\n'
    assert unchanged(R, text)
    assert findings(R, text) == [("TFX311", 3, False), ("TFX311", 8, False)]


def test_existing_data_source_is_reused(snapshot) -> None:
    files = {"main.tf": FUNCTION, "data.tf": 'data "aws_caller_identity" "me" {}\n'}
    assert check_fix(R, files) == snapshot


def test_aws_owned_accounts_layers_and_non_arns_are_left_alone() -> None:
    text = """\
data "aws_iam_policy_document" "elb" {
  statement {
    principals {
      type        = "AWS"
      identifiers = ["arn:aws:iam::127311923021:root"]
    }
  }
}

data "aws_ami" "ubuntu" {
  owners = ["099720109477"]
}

resource "aws_lambda_function" "f" {
  layers = ["arn:aws:lambda:us-east-1:580247275435:layer:LambdaInsightsExtension:14"]
}

# arn:aws:iam::123456789012:role/in-a-comment
"""
    assert unchanged(R, text) and findings(R, text) == []


def test_blocks_that_cannot_use_data_sources_are_skipped() -> None:
    text = """\
provider "aws" {
  assume_role {
    role_arn = "arn:aws:iam::123456789012:role/deploy"
  }
}

variable "role_arn" {
  default = "arn:aws:iam::123456789012:role/x"
}
"""
    assert unchanged(R, text) and findings(R, text) == []


def test_expression_contexts_are_reported_without_fix() -> None:
    aliased = FUNCTION.replace('  function_name = "f"\n', '  provider      = aws.west\n  function_name = "f"\n')
    assert unchanged(R, aliased) and findings(R, aliased) == [("TFX311", 4, False)]
    provider_local = 'locals {\n  deploy_role = "arn:aws:iam::123456789012:role/deploy"\n}\n\n' \
                     'provider "aws" {\n  assume_role {\n    role_arn = local.deploy_role\n  }\n}\n'
    assert unchanged(R, provider_local) and findings(R, provider_local) == [("TFX311", 2, False)]


def test_multi_file_module_adds_one_data_source() -> None:
    files = {"iam.tf": POLICY, "lambda.tf": FUNCTION}
    out, _ = fix(R, files)
    assert (out["iam.tf"] + out["lambda.tf"]).count('data "aws_caller_identity" "current" {}') == 1
    assert "123456789012:" not in out["iam.tf"] + out["lambda.tf"].replace("# account 123456789012", "")


def test_suppression_comment_on_one_line_keeps_that_string() -> None:
    text = POLICY.replace('"arn:aws:kms:us-east-1:123456789012:key/${var.key_id}",',
                          '"arn:aws:kms:us-east-1:123456789012:key/${var.key_id}", # tffix:ignore[TFX311]')
    out, result = fix(R, text)
    assert '"arn:aws:kms:us-east-1:123456789012:key/${var.key_id}", # tffix:ignore[TFX311]' in out["main.tf"]
    assert "secretsmanager:us-east-1:${data.aws_caller_identity.current.account_id}:secret" in out["main.tf"]
    assert result.remaining == []


def test_string_nested_in_another_strings_interpolation() -> None:
    text = 'output "x" {\n  value = "arn:aws:iam::123456789012:role/${lower("arn:aws:iam::123456789012:role/y")}"\n}\n'
    out, result = fix(R, text)
    assert out["main.tf"].count("${data.aws_caller_identity.current.account_id}") == 2
    assert not result.remaining


def test_log_delivery_prefix_in_s3_object_arns() -> None:
    text = """\
resource "aws_s3_bucket_policy" "logs" {
  bucket = aws_s3_bucket.logs.id
  policy = jsonencode({
    Statement = [{
      Effect    = "Allow"
      Principal = { Service = "cloudtrail.amazonaws.com" }
      Action    = "s3:PutObject"
      Resource  = "${aws_s3_bucket.logs.arn}/AWSLogs/123456789012/*"
      Condition = { StringEquals = { "aws:SourceArn" = "arn:aws:cloudtrail:us-east-1:123456789012:trail/main" } }
    }]
  })
}
"""
    _, held = fix(R, text, unsafe=False)
    assert [(r.line, r.column, r.held_back) for r in held.remaining] == [(8, 54, True), (9, 86, True)]
    out, result = fix(R, text)
    assert '"${aws_s3_bucket.logs.arn}/AWSLogs/${data.aws_caller_identity.current.account_id}/*"' in out["main.tf"]
    assert "us-east-1:${data.aws_caller_identity.current.account_id}:trail/main" in out["main.tf"]
    assert not result.remaining
