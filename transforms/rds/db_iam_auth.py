"""TFX712: RDS MySQL / PostgreSQL databases accept IAM database authentication."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from tffix.engine.module import Module
from tffix.engine.rules import FIX_SOMETIMES, IMPACT_IN_PLACE, UNSAFE, Finding, Rule
from tffix.transforms.lib.settings import setting_findings, text

# resource type -> engines (literal `engine` values) that support IAM database authentication
ENGINES = {
    "aws_db_instance": ("mysql", "postgres", "mariadb"),
    "aws_rds_cluster": ("aurora-mysql", "aurora-postgresql"),
}


class DbIamAuth(Rule):
    """
    ## What it does
    Sets `iam_database_authentication_enabled = true` on `aws_db_instance` with a literal
    `engine` of `mysql`, `postgres` or `mariadb`, and on `aws_rds_cluster` with a literal
    `engine` of `aurora-mysql` or `aurora-postgresql` (not Aurora Serverless v1,
    `engine_mode = "serverless"`). A missing argument is added, a literal `false` becomes
    `true`. When the argument or the `engine` is an expression the rule reports it without a
    fix; other engines (Oracle, SQL Server, Db2, a missing `engine`), Aurora cluster members
    and read replicas are left alone.

    ## Why is this bad?
    Without IAM authentication the only way into the database is a long-lived password that
    has to be distributed, stored and rotated (seed 000 §6 "Secrets and Credential
    Management": hardcoded passwords, no rotation). With it, applications and people log in
    with short-lived tokens from their IAM role, access is granted and revoked in IAM
    (`rds-db:connect`), and every login is attributable in CloudTrail.

    ## Example
    ```hcl
    resource "aws_db_instance" "db" {
      engine         = "postgres"
      instance_class = "db.t3.micro"
    }
    ```

    ## Use instead
    ```hcl
    resource "aws_db_instance" "db" {
      engine                              = "postgres"
      instance_class                      = "db.t3.micro"
      iam_database_authentication_enabled = true
    }
    ```
    Then create database users that log in with IAM (`GRANT rds_iam TO app;` on
    PostgreSQL, `AWSAuthenticationPlugin` on MySQL) and grant `rds-db:connect`.

    ## Fix safety
    **Unsafe**, although password logins keep working (IAM authentication is an additional
    method): the modification fails on engine versions and instance classes that do not
    support IAM authentication, it is applied immediately or in the next maintenance window
    depending on `apply_immediately`, and nothing uses it until database users and IAM
    policies are set up. Check the engine version before applying.

    ## Deployment impact
    In-place update (`ModifyDBInstance` / `ModifyDBCluster`); the argument is not ForceNew.

    ## References
    - Terraform AWS provider docs `aws_db_instance`, `aws_rds_cluster`:
      `iam_database_authentication_enabled` (Optional; not marked "Forces new resource");
      the cluster docs point to the Aurora guide for "availability and limitations"
    - AWS RDS User Guide, "IAM database authentication": supported for MariaDB, MySQL,
      PostgreSQL and Aurora MySQL / PostgreSQL (from memory, not re-read for this rule)
    - Checkov CKV_AWS_161 "RDS database has IAM authentication enabled" (seen in Checkov skip
      comments and reports); the cluster check id was not verified and is not mapped
    """

    id = "TFX712"
    name = "db-iam-auth"
    summary = "RDS MySQL, MariaDB and PostgreSQL databases must enable IAM database authentication"
    fix_availability = FIX_SOMETIMES
    safety = UNSAFE
    impact = IMPACT_IN_PLACE
    checkov = ("CKV_AWS_161",)

    def check(self, module: Module, options: dict[str, Any]) -> Iterator[Finding]:
        for ref in module.resources(*ENGINES):
            block = ref.block
            kind = block.label_values[0]
            if kind == "aws_db_instance" and block.get_attribute("replicate_source_db") is not None:
                continue
            mode = block.get_attribute("engine_mode")
            if mode is not None and text(mode.value) not in ((True, "provisioned"), (True, None)):
                continue  # serverless v1 (no IAM auth), or unknown
            engine = block.get_attribute("engine")
            known, value = text(engine.value) if engine is not None else (True, None)
            if not known:
                attr = block.get_attribute("iam_database_authentication_enabled")
                if attr is None:
                    yield self.finding(ref.file, engine.value, f"{ref.address} takes its engine from an expression; "
                                       "if it is MySQL, MariaDB or PostgreSQL, set "
                                       "iam_database_authentication_enabled = true", block=block)
                continue
            if value not in ENGINES[kind]:
                continue
            yield from setting_findings(self, ref, block, "iam_database_authentication_enabled", True,
                                        missing=(UNSAFE, IMPACT_IN_PLACE), wrong=(UNSAFE, IMPACT_IN_PLACE),
                                        why="only passwords can log in")
