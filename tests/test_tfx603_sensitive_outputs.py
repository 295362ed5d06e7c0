"""TFX603 sensitive-outputs."""

from __future__ import annotations

import pytest
from tffix.transforms.secrets.sensitive_outputs import SensitiveOutputs as R

from .rulekit import check_fix, findings, fix, unchanged

OUTPUTS = """\
output "db_password" {
  description = "Master password"
  value       = random_password.db.result
}

output "credentials" {
  value = jsonencode({
    user     = aws_db_instance.db[0].username
    password = aws_db_instance.db[0].password
  })
}

output "api_token" {
  value = var.token_value
}

output "access_key_secret" {
  value = aws_iam_access_key.ci.secret
}
"""


def test_secret_outputs_get_sensitive(snapshot) -> None:
    assert check_fix(R, OUTPUTS) == snapshot


def test_exact_output() -> None:
    out, result = fix(R, 'output "db_password" {\n  value = random_password.db.result\n}\n', unsafe=False)
    assert out["main.tf"] == 'output "db_password" {\n  value     = random_password.db.result\n  sensitive = true\n}\n'
    assert result.fixed and not result.remaining


@pytest.mark.parametrize("value", [
    "aws_rds_cluster.main.master_password",
    "data.aws_secretsmanager_secret_version.db.secret_string",
    "aws_secretsmanager_secret_version.db[\"x\"].secret_string",
    "aws_iam_access_key.ci.ses_smtp_password_v4",
    "\"${random_password.db.result}\"",
    "var.db_pass",
])
def test_secret_values_are_found(value: str) -> None:
    files = {"main.tf": f'output "conn" {{\n  value = {value}\n}}\n',
             "vars.tf": 'variable "db_pass" {\n  type      = string\n  sensitive = true\n}\n'}
    out, _ = fix(R, files)
    assert "sensitive = true" in out["main.tf"] and out["vars.tf"] == files["vars.tf"]


@pytest.mark.parametrize("text", [
    'output "secret_arn" {\n  value = aws_secretsmanager_secret.db.arn\n}\n',
    'output "db_secret" {\n  value = aws_secretsmanager_secret.db.id\n}\n',
    'output "token_name" {\n  value = local.x\n}\n',
    'output "secrets" {\n  value = aws_secretsmanager_secret.db[*].name\n}\n',
    'output "endpoint" {\n  value = aws_db_instance.db.endpoint\n}\n',
    'output "random" {\n  value = random_string.suffix.result\n}\n',
    'output "user" {\n  value = var.db_user\n}\n',
    'output "db_password" {\n  value     = random_password.db.result\n  sensitive = true\n}\n',
    'output "db_password" {\n  value = nonsensitive(random_password.db.result)\n}\n',
    'output "db_password" {\n  value     = random_password.db.result\n  sensitive = var.hide\n}\n',
])
def test_not_secrets_or_already_fixed_are_unchanged(text: str) -> None:
    files = {"main.tf": text, "vars.tf": 'variable "db_user" {\n  sensitive = false\n}\n'}
    assert unchanged(R, files) and findings(R, files) == []


def test_explicit_false_is_reported_without_fix() -> None:
    text = 'output "db_password" {\n  value     = random_password.db.result\n  sensitive = false\n}\n'
    assert unchanged(R, text) and findings(R, text) == [("TFX603", 3, False)]


def test_name_with_literal_value_is_fixed() -> None:
    out, _ = fix(R, 'output "admin_password" {\n  value = "changeme"\n}\n')
    assert out["main.tf"] == 'output "admin_password" {\n  value     = "changeme"\n  sensitive = true\n}\n'


def test_sensitive_goes_after_value_before_depends_on() -> None:
    text = ('output "pw" {\n  value      = random_password.db.result\n'
            '  depends_on = [aws_db_instance.db]\n}\n')
    out, _ = fix(R, text)
    assert out["main.tf"] == ('output "pw" {\n  value      = random_password.db.result\n  sensitive  = true\n'
                              '  depends_on = [aws_db_instance.db]\n}\n')


def test_resources_are_ignored() -> None:
    assert unchanged(R, 'resource "aws_db_instance" "password" {\n  password = random_password.db.result\n}\n')


def test_suppression_comment() -> None:
    text = '# tffix:ignore[TFX603]\noutput "pw" {\n  value = random_password.db.result\n}\n'
    assert unchanged(R, text) and findings(R, text) == []


@pytest.mark.parametrize("name, value", [
    # seen on terraform-aws-modules, cloudposse and Azure modules: names that describe a secret
    ("db_instance_secretsmanager_secret_rotation_enabled", "try(aws_db_instance.this[0].id, null) != null"),
    ("iam_account_password_policy_expire_passwords", "aws_iam_account_password_policy.this.expire_passwords"),
    ("secret_access_key_ssm_path", "local.secret_access_key_ssm_path"),
    ("s3_table_version_tokens", "aws_s3tables_table.this.version_token"),
    ("key_vault_secrets_provider", "azurerm_kubernetes_cluster.main.key_vault_secrets_provider"),
    ("login_profile_encrypted_password", "aws_iam_user_login_profile.this.encrypted_password"),
    # names without a describing word, but values that are not secrets
    ("cluster_master_user_secret", "try(aws_rds_cluster.this[0].master_user_secret, null)"),
    ("password_data", "try(aws_instance.this[0].password_data, null)"),
    ("access_key_secret", "aws_iam_access_key.this.encrypted_secret"),
    ("token_required", "true"),
])
def test_names_that_describe_secrets_are_not_reported(name: str, value: str) -> None:
    text = f'output "{name}" {{\n  value = {value}\n}}\n'
    assert unchanged(R, text) and findings(R, text) == []


def test_secret_names_with_secret_values_are_still_fixed() -> None:
    text = 'output "api_token" {\n  value = local.token\n}\n'
    out, _ = fix(R, text)
    assert out["main.tf"] == 'output "api_token" {\n  value     = local.token\n  sensitive = true\n}\n'
