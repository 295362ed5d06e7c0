"""TFX510 backend-s3-encrypt."""

from __future__ import annotations

from tffix.transforms.terraform.backend_s3_encrypt import BackendS3Encrypt as R

from .rulekit import check_fix, findings, fix, unchanged

BACKEND = """\
terraform {
  required_version = ">= 1.5"

  backend "s3" {
    bucket         = "acme-terraform-state"
    key            = "prod/terraform.tfstate"
    region         = "us-east-1"
    dynamodb_table = "terraform-locks"
  }
}
"""


def test_adds_encrypt_after_region(snapshot) -> None:
    assert check_fix(R, BACKEND) == snapshot


def test_false_becomes_true(snapshot) -> None:
    text = BACKEND.replace('    region         = "us-east-1"\n',
                           '    region         = "us-east-1"\n    encrypt        = false\n')
    assert check_fix(R, text) == snapshot


def test_partial_configuration_gets_it(snapshot) -> None:
    assert check_fix(R, 'terraform {\n  backend "s3" {}\n}\n') == snapshot


def test_is_unsafe_and_says_to_reinitialize() -> None:
    # a changed backend block stops plan and plain init in every initialized working directory
    out, result = fix(R, BACKEND, unsafe=False)
    assert out["main.tf"] == BACKEND and len(result.remaining) == 1
    _, result = fix(R, BACKEND)
    (applied,) = result.fixed
    assert "terraform init -reconfigure" in applied.fix


def test_already_encrypted_and_other_backends() -> None:
    done = BACKEND.replace('    region         = "us-east-1"\n',
                           '    region         = "us-east-1"\n    encrypt = true\n')
    assert unchanged(R, done)
    assert unchanged(R, 'terraform {\n  backend "gcs" {\n    bucket = "b"\n  }\n}\n')
    assert unchanged(R, 'terraform {\n  backend "local" {}\n}\n')


def test_expression_is_reported_without_fix() -> None:
    text = BACKEND.replace('    region         = "us-east-1"\n',
                           '    region         = "us-east-1"\n    encrypt        = var.encrypt\n')
    assert unchanged(R, text) and findings(R, text) == [("TFX510", 8, False)]


def test_multi_file_module_and_several_terraform_blocks() -> None:
    files = {"versions.tf": 'terraform {\n  required_version = ">= 1.5"\n}\n',
             "backend.tf": 'terraform {\n  backend "s3" {\n    bucket = "b"\n    key    = "k"\n  }\n}\n'}
    out, _ = fix(R, files)
    assert out["versions.tf"] == files["versions.tf"]
    assert out["backend.tf"] == 'terraform {\n  backend "s3" {\n    bucket  = "b"\n    key     = "k"\n' \
                                '    encrypt = true\n  }\n}\n'


def test_suppression_comment() -> None:
    text = BACKEND.replace('  backend "s3" {', '  backend "s3" { # tffix:ignore[TFX510]')
    assert unchanged(R, text) and findings(R, text) == []
