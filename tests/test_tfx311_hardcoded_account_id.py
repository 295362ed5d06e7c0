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


PROVIDER = 'provider "aws" {\n  region              = "us-east-1"\n  allowed_account_ids = ["123456789012"]\n}\n'


def own(files: dict[str, str] | str) -> dict[str, str]:
    """The module with a provider whose allowed_account_ids proves 123456789012 is its own."""
    files = {"main.tf": files} if isinstance(files, str) else files
    return {**files, "provider.tf": PROVIDER}


def test_replaces_the_id_and_adds_the_data_source(snapshot) -> None:
    assert check_fix(R, own(POLICY + "\n" + FUNCTION)) == snapshot


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
    assert check_fix(R, own(text)) == snapshot


def test_without_proof_of_the_deploying_account_it_reports() -> None:
    # one id in the module is no proof: it may be a partner's (issue 13)
    assert unchanged(R, FUNCTION)
    (record,) = fix(R, FUNCTION)[1].remaining
    assert not record.fixable and (record.line, record.column) == (3, 33)
    assert 'add allowed_account_ids = ["123456789012"] to the aws provider' in record.message


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
    files = own({"main.tf": FUNCTION, "data.tf": 'data "aws_caller_identity" "me" {}\n'})
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
    files = own({"iam.tf": POLICY, "lambda.tf": FUNCTION})
    out, _ = fix(R, files)
    assert (out["iam.tf"] + out["lambda.tf"]).count('data "aws_caller_identity" "current" {}') == 1
    assert "123456789012:" not in out["iam.tf"] + out["lambda.tf"].replace("# account 123456789012", "")


def test_suppression_comment_on_one_line_keeps_that_string() -> None:
    text = POLICY.replace('"arn:aws:kms:us-east-1:123456789012:key/${var.key_id}",',
                          '"arn:aws:kms:us-east-1:123456789012:key/${var.key_id}", # tffix:ignore[TFX311]')
    out, result = fix(R, own(text))
    assert '"arn:aws:kms:us-east-1:123456789012:key/${var.key_id}", # tffix:ignore[TFX311]' in out["main.tf"]
    assert "secretsmanager:us-east-1:${data.aws_caller_identity.current.account_id}:secret" in out["main.tf"]
    assert result.remaining == []


def test_string_nested_in_another_strings_interpolation() -> None:
    text = 'output "x" {\n  value = "arn:aws:iam::123456789012:role/${lower("arn:aws:iam::123456789012:role/y")}"\n}\n'
    out, result = fix(R, own(text))
    assert out["main.tf"].count("${data.aws_caller_identity.current.account_id}") == 2
    assert not result.remaining


LOG_POLICY = """\
resource "aws_s3_bucket_policy" "logs" {
  bucket = aws_s3_bucket.logs.id
  policy = jsonencode({
    Statement = [{
      Effect    = "Allow"
      Principal = { Service = "cloudtrail.amazonaws.com" }
      Action    = "s3:PutObject"
      Resource  = "${aws_s3_bucket.logs.arn}/AWSLogs/123456789012/*"
    }]
  })
}
"""


def test_log_delivery_prefix_in_s3_object_arns() -> None:
    out, result = fix(R, own(LOG_POLICY), unsafe=False)
    assert '"${aws_s3_bucket.logs.arn}/AWSLogs/${data.aws_caller_identity.current.account_id}/*"' in out["main.tf"]
    assert not result.remaining


def test_an_id_in_a_condition_is_never_rewritten_and_so_nowhere() -> None:
    condition = ('      Condition = { StringEquals = { "aws:SourceArn" = '
                 '"arn:aws:cloudtrail:us-east-1:123456789012:trail/main" } }\n')
    text = LOG_POLICY.replace('/*"\n', '/*"\n' + condition)
    out, result = fix(R, own(text))
    assert out["main.tf"] == text
    reasons = sorted(r.message.split("; not fixed: ")[1].split(";")[0] for r in result.remaining)
    assert reasons[0].startswith("it is in a condition")
    assert reasons[1].startswith("the same id is also in aws_s3_bucket_policy.logs")


PARTNER_ROLE = """\
resource "aws_iam_role" "partner" {
  name = "partner-access"
  assume_role_policy = jsonencode({
    Statement = [{
      Effect    = "Allow"
      Action    = "sts:AssumeRole"
      Principal = { AWS = "arn:aws:iam::123456789012:root" }
    }]
  })
}
"""


def test_trust_policies_and_principals_keep_their_accounts() -> None:
    # issue 13: rewriting a partner's id in a Principal locks the partner out
    assert unchanged(R, own(PARTNER_ROLE))
    (record,) = fix(R, own(PARTNER_ROLE))[1].remaining
    assert "it is in a trust policy" in record.message
    document = """\
data "aws_iam_policy_document" "trust" {
  statement {
    actions = ["sts:AssumeRole"]
    principals {
      type        = "AWS"
      identifiers = ["arn:aws:iam::123456789012:role/ci"]
    }
  }
}
"""
    assert unchanged(R, own(document))
    heredoc = PARTNER_ROLE.replace("assume_role_policy", "policy").replace(
        'jsonencode({\n    Statement = [{\n      Effect    = "Allow"\n      Action    = "sts:AssumeRole"\n'
        '      Principal = { AWS = "arn:aws:iam::123456789012:root" }\n    }]\n  })',
        '<<-EOT\n    {"Statement": [{"Effect": "Allow", "Action": "s3:GetObject",\n'
        '      "Principal": {"AWS": "arn:aws:iam::123456789012:root"}}]}\n  EOT')
    assert "Principal" in heredoc and unchanged(R, own(heredoc))


def test_an_id_also_written_outside_arns_is_left_everywhere() -> None:
    # all or nothing per id: no half-changed module
    text = FUNCTION + '\nvariable "account" {\n  default = "123456789012"\n}\n'
    assert unchanged(R, own(text))
    (record,) = fix(R, own(text))[1].remaining
    assert "the same id is also written outside ARNs tffix rewrites" in record.message
