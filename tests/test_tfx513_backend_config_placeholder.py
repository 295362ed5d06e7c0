"""TFX513 backend-config-placeholder."""

from __future__ import annotations

import pytest
from tffix.transforms.terraform.backend_config_placeholder import (
    BackendConfigPlaceholder as R,
)
from tffix.transforms.terraform.backend_config_placeholder import placeholder

from .rulekit import findings, fix

TEXT = """\
terraform {
  required_version = ">= 1.5"

  backend "s3" {
    bucket         = "<your-terraform-state-bucket>"
    key            = "dev/terraform.tfstate"
    region         = "us-east-1"
    dynamodb_table = "CHANGE_ME"

    assume_role {
      role_arn = "arn:aws:iam::ACCOUNT_ID:role/terraform"
    }
  }
}
"""


def _records(files):
    out, result = fix(R, files)
    assert out == (files if isinstance(files, dict) else {"main.tf": files})
    return [(r.path, r.line, r.column, r.fixable, r.message) for r in result.remaining]


def test_reports_placeholders_in_backend_block(snapshot) -> None:
    assert _records(TEXT) == snapshot


@pytest.mark.parametrize("value", [
    "<bucket-name>", "<YOUR S3 BUCKET>", "<<storage_account_name>>", "REPLACE_ME", "replace-me", "changeme",
    "CHANGEME", "your-terraform-state", "YOUR_BUCKET", "yourcompany-tfstate", "terraform-state-xxxx", "XXX",
    "TODO", "state-TBD", "bucket_name_here", "table_name_here", "mybucket", "path/to/my/key", "placeholder",
    "arn:aws:kms:us-east-1:123456789012:key/abcd", "arn:aws:kms:us-east-1:ACCOUNT_ID:key/KEY_ID",
])
def test_placeholders(value: str) -> None:
    assert placeholder(value) is not None


@pytest.mark.parametrize("value", [
    "my-terraform-state", "terraform-state", "example-bucket", "todo-app-state", "", "dev/terraform.tfstate",
    "us-east-1", "payment-platform-terraform-state-dev", "terraform-up-and-running-state", "mybucket-prod",
    "team-rocket-1qh28hgo0g1c-state-lock", "yours-truly", "boxxer", "account-id-lookup",
])
def test_real_names(value: str) -> None:
    assert placeholder(value) is None


def test_real_backend_is_fine() -> None:
    text = 'terraform {\n  backend "s3" {\n    bucket = "acme-terraform-state"\n    key    = "app.tfstate"\n  }\n}\n'
    assert findings(R, text) == []
    assert findings(R, 'terraform {\n  backend "s3" {}\n}\n') == []


def test_cloud_and_other_backends() -> None:
    cloud = 'terraform {\n  cloud {\n    organization = "<YOUR_ORG>"\n\n    workspaces {\n' \
            '      name = "app"\n    }\n  }\n}\n'
    assert findings(R, cloud) == [("TFX513", 3, False)]
    azure = 'terraform {\n  backend "azurerm" {\n    storage_account_name = "<<storage_account_name>>"\n  }\n}\n'
    assert findings(R, azure) == [("TFX513", 3, False)]


def test_backend_tfvars_files() -> None:
    files = {
        "main.tf": 'terraform {\n  backend "s3" {}\n}\n',
        "backend-dev.tfvars": 'bucket         = "<your-terraform-state-bucket>"\n'
                              'key            = "dev/terraform.tfstate"\n'
                              'dynamodb_table = "<your-terraform-lock-table>"\n',
        "dev.tfvars": 'environment = "dev"\nowner       = "TODO"\n',
    }
    records = _records(files)
    assert [(p, line) for p, line, *_ in records] == [("backend-dev.tfvars", 1), ("backend-dev.tfvars", 3)]
    files["state.tfvars"] = 'bucket = "REPLACE_ME"\nkey    = "x"\n'
    assert [(p, line) for p, line, *_ in _records(files)][-1] == ("state.tfvars", 1)


def test_other_terraform_settings_are_not_backend() -> None:
    text = 'terraform {\n  required_providers {\n    aws = {\n      source = "hashicorp/aws"\n' \
           '      version = "TODO"\n    }\n  }\n}\n'
    assert findings(R, text) == []


def test_suppression_comment() -> None:
    text = TEXT.replace('"CHANGE_ME"', '"CHANGE_ME" # tffix:ignore[TFX513]')
    assert [line for _, line, _ in findings(R, text)] == [5, 11]
