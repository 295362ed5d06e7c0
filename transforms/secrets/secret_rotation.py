"""TFX809: Secrets Manager secrets that hold database credentials are rotated."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from tffix.engine.module import BlockRef, Module, references
from tffix.engine.rules import DISPLAY_ONLY, FIX_NEVER, IMPACT_NONE, Finding, Rule
from tffix.syntax import cst

# database resources whose password a Secrets Manager rotation function (or the service) can change
DATABASE_PASSWORDS = {
    "aws_db_instance": ("password", "password_wo"),
    "aws_rds_cluster": ("master_password", "master_password_wo"),
    "aws_docdb_cluster": ("master_password", "master_password_wo"),
    "aws_redshift_cluster": ("master_password", "master_password_wo"),
    "aws_redshiftserverless_namespace": ("admin_user_password", "admin_user_password_wo"),
}
# the argument that hands the password to the service, which then rotates it itself
MANAGED = {
    "aws_db_instance": "manage_master_user_password",
    "aws_rds_cluster": "manage_master_user_password",
    "aws_redshift_cluster": "manage_master_password",
    "aws_redshiftserverless_namespace": "manage_admin_password",
}
# resources and data sources that generate a password
GENERATORS = ("random_password.", "random_string.", "ephemeral.random_password.",
              "data.aws_secretsmanager_random_password.")
VALUES = ("secret_string", "secret_binary", "secret_string_wo")
# secret arguments of provider versions before 5.0 that configured rotation on the secret itself
INLINE_ROTATION = ("rotation_lambda_arn", "rotation_rules")


def _address(trav: cst.Traversal) -> str | None:
    path = trav.path
    if path and path[0] in ("data", "ephemeral"):
        return ".".join(path[:3]) if len(path) >= 3 else None
    return ".".join(path[:2]) if len(path) >= 2 else None


def addresses(module: Module, expr: cst.Node | None, locals_: dict[str, Any]) -> set[str]:
    """The block addresses ``expr`` refers to, looking through ``local.x`` values."""
    if expr is None:
        return set()
    found = (_address(t) for t in module.references_through_locals(expr, locals_))
    return {a for a in found if a is not None and not a.startswith("local.")}


class SecretRotation(Rule):
    """
    ## What it does
    Reports an `aws_secretsmanager_secret` that holds a database password and that no
    `aws_secretsmanager_secret_rotation` of the module rotates. A secret counts as holding a
    database password when one of these is in the module:
    - its `aws_secretsmanager_secret_version` value refers to an `aws_db_instance`,
      `aws_rds_cluster`, `aws_docdb_cluster`, `aws_redshift_cluster` or
      `aws_redshiftserverless_namespace` (the usual `jsonencode({ host = ..., password = ... })`);
    - its value and that database's password come from the same generated password
      (`random_password`, `random_string`, `aws_secretsmanager_random_password`);
    - the database reads its password from the secret (a version resource or an
      `aws_secretsmanager_secret_version` data source of it).
    `local` values are followed.

    Deliberately not reported:
    - secrets whose value the module does not tie to a database: a third-party API key, an
      OAuth client secret or a token pasted in or passed from a variable can only be rotated
      where it is issued, and a rotation Lambda cannot do that; an application password from
      `random_password` that no database in the module uses has nobody to tell about the new
      value. Checkov CKV2_AWS_57 reports every secret; this rule reports the ones where
      rotation is possible and expected;
    - a secret passed to a module call (`module "rotation" { secret_arn = ... }`): the module
      may rotate it;
    - all secrets when an `aws_secretsmanager_secret_rotation` has a `secret_id` the rule
      cannot follow (`each.value`, a variable);
    - a secret with the old inline `rotation_lambda_arn` / `rotation_rules` arguments.
    A rotation created under a `count` or `for_each` counts as rotation. RDS, Aurora and
    Redshift passwords managed by the service (`manage_master_user_password = true`,
    `manage_master_password = true`, `manage_admin_password = true`) live in secrets the
    service creates, not in `aws_secretsmanager_secret` resources, and rotate on their own.
    The message suggests that argument for those databases. Display only.

    ## Why is this bad?
    A database password that never changes stays valid for as long as anyone who ever saw it
    (a former employee, a leaked log, an old laptop, a copy of the Terraform state) keeps it.
    Storing it in Secrets Manager without rotation only moves the plain text somewhere else
    (seed 003 §6 "No Secrets Manager Rotation Configuration", seed 000 §6 "No password
    rotation policies configured").

    ## Example
    ```hcl
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

    resource "aws_secretsmanager_secret" "db" {
      name = "app/db"
    }

    resource "aws_secretsmanager_secret_version" "db" {
      secret_id = aws_secretsmanager_secret.db.id
      secret_string = jsonencode({
        username = "app"
        password = random_password.db.result
        host     = aws_db_instance.main.address
      })
    }
    ```

    ## Use instead
    Let RDS manage the password (it creates the secret and rotates it every seven days by
    default):
    ```hcl
    resource "aws_db_instance" "main" {
      engine                      = "postgres"
      instance_class              = "db.t4g.micro"
      allocated_storage           = 20
      username                    = "app"
      manage_master_user_password = true
    }
    ```
    or keep the secret and rotate it with a rotation function (the AWS rotation templates for
    RDS, DocumentDB and Redshift, deployed from the Serverless Application Repository), and
    ignore the password in the database so Terraform does not set it back:
    ```hcl
    resource "aws_secretsmanager_secret_rotation" "db" {
      secret_id           = aws_secretsmanager_secret.db.id
      rotation_lambda_arn = aws_lambda_function.rotate_db.arn

      rotation_rules {
        automatically_after_days = 30
      }
    }
    ```

    ## Fix safety
    No fix: rotation needs a function with network access to the database and permissions on
    the secret, and the database resource has to stop managing the password
    (`lifecycle { ignore_changes = [password] }`) or hand it to the service.

    ## Deployment impact
    None (display only). Adding a rotation rotates the secret once right away (the provider's
    `rotate_immediately` defaults to true), changing the database password.

    ## References
    - Terraform AWS provider docs, `aws_secretsmanager_secret_rotation` (`secret_id`,
      `rotation_lambda_arn`, `rotation_rules`, `rotate_immediately`), `aws_db_instance` /
      `aws_rds_cluster` `manage_master_user_password`, `aws_redshift_cluster`
      `manage_master_password`, `aws_redshiftserverless_namespace` `manage_admin_password`
    - AWS Secrets Manager User Guide, "Managed rotation for AWS Secrets Manager secrets" (RDS,
      Aurora, DocumentDB and Redshift rotate the credentials they manage, no Lambda) and
      "Rotation by Lambda function"; Amazon RDS User Guide, "Password management with Amazon RDS
      and AWS Secrets Manager" (rotated every seven days by default)
    - Checkov CKV2_AWS_57 "Ensure Secrets Manager secrets should have automatic rotation
      enabled" (`checkov/terraform/checks/graph_checks/aws/SecretsAreRotated.yaml`: every
      `aws_secretsmanager_secret` needs a connected `aws_secretsmanager_secret_rotation`)
    - Seed 003 §6, seed 000 §6 (`../shared/seeds`)
    """

    id = "TFX809"
    name = "secret-rotation"
    summary = "Secrets Manager secrets holding database passwords should be rotated"
    fix_availability = FIX_NEVER
    safety = DISPLAY_ONLY
    impact = IMPACT_NONE
    checkov = ("CKV2_AWS_57",)

    def check(self, module: Module, options: dict[str, Any]) -> Iterator[Finding]:
        secrets = list(module.resources("aws_secretsmanager_secret"))
        if not secrets:
            return
        locals_ = module.locals()
        rotated: set[str] = set()
        for ref in module.resources("aws_secretsmanager_secret_rotation"):
            attr = ref.block.get_attribute("secret_id")
            targets = set()
            for target in addresses(module, attr.value if attr else None, locals_):
                if target.startswith("aws_secretsmanager_secret_version."):  # version.secret_id
                    version = module.find(target)
                    inner = version.block.get_attribute("secret_id") if version else None
                    target = next(iter(addresses(module, inner.value, locals_)), "") if inner else ""
                if target.startswith("aws_secretsmanager_secret."):
                    targets.add(target)
            if not targets:
                return  # a rotation whose secret the rule cannot tell: it may be any of them
            rotated |= targets
        databases: dict[str, set[str]] = {}  # database address -> what its password refers to
        for ref in module.resources(*DATABASE_PASSWORDS):
            used: set[str] = set()
            for name in DATABASE_PASSWORDS[ref.block.label_values[0]]:
                attr = ref.block.get_attribute(name)
                used |= addresses(module, attr.value if attr else None, locals_)
            databases[ref.address] = used
        if not databases:
            return
        versions: dict[str, list[BlockRef]] = {}  # secret address -> its version resources / data sources
        for ref in [*module.resources("aws_secretsmanager_secret_version"),
                    *module.data_sources("aws_secretsmanager_secret_version")]:
            attr = ref.block.get_attribute("secret_id")
            targets = addresses(module, attr.value if attr else None, locals_)
            each = ref.block.get_attribute("for_each")
            if attr is not None and each is not None and any(t.path[:1] == ["each"] for t in references(attr.value)):
                # for_each = aws_secretsmanager_secret.x with secret_id = each.value.id
                targets |= addresses(module, each.value, locals_)
            for target in targets:
                versions.setdefault(target, []).append(ref)

        for ref in secrets:
            if ref.address in rotated or any(ref.block.get_attribute(a) is not None for a in INLINE_ROTATION):
                continue
            if any(other.block.type == "module" for other, _ in module.referrers(ref)):
                continue
            database = self._database(module, ref, versions.get(ref.address, []), databases, locals_)
            if database is None:
                continue
            managed = MANAGED.get(database.split(".", 1)[0])
            alternative = (f", or let the service manage and rotate the password ({managed} = true)"
                           if managed else "")
            yield self.finding(
                ref.file, ref.block,
                f"{ref.address} holds the password of {database} and no aws_secretsmanager_secret_rotation "
                f"rotates it, so the password never changes; add an aws_secretsmanager_secret_rotation with a "
                f"rotation function{alternative}",
                block=ref.block,
            )

    @staticmethod
    def _database(module: Module, secret: BlockRef, versions: list[BlockRef], databases: dict[str, set[str]],
                  locals_: dict[str, Any]) -> str | None:
        """The database whose password the secret holds, or None."""
        value: set[str] = set()
        for version in versions:
            if version.block.type == "resource":
                for name in VALUES:
                    attr = version.block.get_attribute(name)
                    value |= addresses(module, attr.value if attr else None, locals_)
        generated = {a for a in value if a.startswith(GENERATORS)}
        version_addresses = {v.address for v in versions}
        for database, used in databases.items():
            if database in value or generated & used or version_addresses & used or secret.address in used:
                return database
        return None
