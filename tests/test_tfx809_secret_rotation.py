"""TFX809 secret-rotation."""

from __future__ import annotations

from tffix.transforms.secrets.secret_rotation import SecretRotation as R

from .rulekit import findings, fix

DATABASE = """\
resource "random_password" "db" {
  length  = 32
  special = false
}

resource "aws_db_instance" "main" {
  engine            = "postgres"
  instance_class    = "db.t4g.micro"
  allocated_storage = 20
  username          = "app"
  password          = random_password.db.result
}
"""

SECRET = """\
resource "aws_secretsmanager_secret" "db" {
  name = "app/db"
}

resource "aws_secretsmanager_secret_version" "db" {
  secret_id = aws_secretsmanager_secret.db.id
  secret_string = jsonencode({
    username = "app"
    password = random_password.db.result
  })
}
"""

API_KEY = """\
resource "aws_secretsmanager_secret" "stripe" {
  name = "app/stripe"
}

resource "aws_secretsmanager_secret_version" "stripe" {
  secret_id     = aws_secretsmanager_secret.stripe.id
  secret_string = var.stripe_api_key
}

resource "random_password" "session" {
  length = 64
}

resource "aws_secretsmanager_secret" "session" {
  name = "app/session-key"
}

resource "aws_secretsmanager_secret_version" "session" {
  secret_id     = aws_secretsmanager_secret.session.id
  secret_string = random_password.session.result
}
"""

ROTATION = """\
resource "aws_secretsmanager_secret_rotation" "db" {
  count               = var.enable_rotation ? 1 : 0
  secret_id           = aws_secretsmanager_secret.db.id
  rotation_lambda_arn = aws_lambda_function.rotate[0].arn

  rotation_rules {
    automatically_after_days = 30
  }
}
"""


def _records(files):
    out, result = fix(R, files)
    assert out == (files if isinstance(files, dict) else {"main.tf": files})
    return [(r.path, r.line, r.column, r.fixable, r.message) for r in result.remaining]


def test_reports_database_secret_without_rotation(snapshot) -> None:
    records = _records(DATABASE + "\n" + SECRET + "\n" + API_KEY)
    assert [(line, fixable) for _, line, _, fixable, _ in records] == [(14, False)]
    assert records == snapshot


def test_rotation_is_fine() -> None:
    assert findings(R, DATABASE + "\n" + SECRET + "\n" + ROTATION) == []
    by_arn = ROTATION.replace("aws_secretsmanager_secret.db.id", "aws_secretsmanager_secret_version.db.secret_id")
    assert findings(R, DATABASE + "\n" + SECRET + "\n" + by_arn) == []
    inline = SECRET.replace('  name = "app/db"\n', '  name                = "app/db"\n'
                            '  rotation_lambda_arn = aws_lambda_function.rotate.arn\n')
    assert findings(R, DATABASE + "\n" + inline) == []


def test_rotation_of_another_secret_does_not_count() -> None:
    other = ROTATION.replace("aws_secretsmanager_secret.db.id", "aws_secretsmanager_secret.other.id")
    assert findings(R, DATABASE + "\n" + SECRET + "\n" + other) == [("TFX809", 14, False)]


def test_unknown_rotation_target_keeps_quiet() -> None:
    unknown = ROTATION.replace("aws_secretsmanager_secret.db.id", "each.value")
    assert findings(R, DATABASE + "\n" + SECRET + "\n" + unknown) == []


def test_secrets_not_tied_to_a_database_are_not_reported() -> None:
    assert findings(R, API_KEY) == []
    assert findings(R, SECRET) == []  # no database in the module
    expression = DATABASE.replace("random_password.db.result", "var.db_password")
    assert findings(R, expression + "\n" + SECRET) == []


def test_other_links_to_a_database() -> None:
    # the value names the database (its address), the password from a variable
    by_host = DATABASE.replace("random_password.db.result", "var.db_password") + "\n" + SECRET.replace(
        "random_password.db.result", "var.db_password\n    host     = aws_db_instance.main.address")
    assert findings(R, by_host) == [("TFX809", 14, False)]
    # the database reads its password from the secret
    reads = """\
resource "aws_secretsmanager_secret" "db" {
  name = "app/db"
}

data "aws_secretsmanager_secret_version" "db" {
  secret_id = aws_secretsmanager_secret.db.id
}

resource "aws_rds_cluster" "main" {
  engine          = "aurora-postgresql"
  master_username = "app"
  master_password = jsondecode(data.aws_secretsmanager_secret_version.db.secret_string)["password"]
}
"""
    assert findings(R, reads) == [("TFX809", 1, False)]
    # through a local, with for_each
    local = DATABASE + """
locals {
  credentials = jsonencode({ password = random_password.db.result })
}

resource "aws_secretsmanager_secret" "db" {
  for_each = toset(["a"])
  name     = "app/db-${each.key}"
}

resource "aws_secretsmanager_secret_version" "db" {
  for_each      = aws_secretsmanager_secret.db
  secret_id     = each.value.id
  secret_string = local.credentials
}
"""
    assert findings(R, local) == [("TFX809", 18, False)]
    direct = local.replace("each.value.id", 'aws_secretsmanager_secret.db["a"].id')
    assert findings(R, direct) == [("TFX809", 18, False)]


def test_secret_passed_to_a_module_is_left_alone() -> None:
    call = 'module "rotation" {\n  source     = "./rotation"\n  secret_arn = aws_secretsmanager_secret.db.arn\n}\n'
    assert findings(R, DATABASE + "\n" + SECRET + "\n" + call) == []


def test_multi_file_module() -> None:
    records = _records({"db.tf": DATABASE, "secrets.tf": SECRET})
    assert [(path, line) for path, line, *_ in records] == [("secrets.tf", 1)]


def test_suppression_comment() -> None:
    skip = '  # checkov:skip=CKV2_AWS_57: rotated elsewhere\n'
    skipped = SECRET.replace('  name = "app/db"\n', skip + '  name = "app/db"\n')
    assert findings(R, DATABASE + "\n" + skipped) == []
    assert findings(R, DATABASE + "\n# tffix:ignore[TFX809]\n" + SECRET) == []
