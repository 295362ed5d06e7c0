"""TFX712: RDS MySQL / PostgreSQL databases accept IAM database authentication."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from tffix.engine.module import Module
from tffix.engine.rules import FIX_SOMETIMES, IMPACT_IN_PLACE, UNSAFE, Finding, Rule
from tffix.syntax import cst
from tffix.transforms.lib.rds_engines import Range, engine_version, show, supports
from tffix.transforms.lib.settings import setting_findings, text

# resource type -> engines (literal `engine` values) that support IAM database authentication
ENGINES = {
    "aws_db_instance": ("mysql", "postgres", "mariadb"),
    "aws_rds_cluster": ("aurora-mysql", "aurora-postgresql"),
}

# RDS engine versions with IAM database authentication (AWS RDS User Guide, "Region and
# version availability" of IAM database authentication). Aurora MySQL 2/3 and every
# Aurora PostgreSQL version AWS still runs have it, so clusters are not gated.
VERSIONS: dict[str, tuple[Range, ...]] = {
    "mysql": (((5, 7, 16), (5, 8)), ((8, 0, 16), None)),
    "postgres": (((9, 5, 15), (9, 6)), ((9, 6, 11), (10,)), ((10, 6), None)),
    "mariadb": (((10, 11), None),),
}
# engines whose default when `engine_version` is unset may predate support on a database
# created years ago (RDS never moves a database to a new major version by itself)
NEEDS_VERSION = ("mariadb",)


class DbIamAuth(Rule):
    """
    ## What it does
    Sets `iam_database_authentication_enabled = true` on `aws_db_instance` with a literal
    `engine` of `mysql`, `postgres` or `mariadb`, and on `aws_rds_cluster` with a literal
    `engine` of `aurora-mysql` or `aurora-postgresql` (not Aurora Serverless v1,
    `engine_mode = "serverless"`). A missing argument is added, a literal `false` becomes
    `true`. When the argument or the `engine` is an expression the rule reports it without a
    fix. The fix is only proposed where `engine_version` supports IAM authentication (MySQL
    5.7.16+ and 8.0.16+, PostgreSQL 9.5.15+, 9.6.11+ and 10.6+, MariaDB 10.11+; a version
    line such as `"8.0"` counts as its newest minor version); an older version, one from an
    expression, or MariaDB without `engine_version` is reported without a fix. Other engines (Oracle, SQL Server, Db2, a missing `engine`), Aurora cluster members
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
    method): the version check reads the code, not the running database (a database whose
    `engine_version` is unset runs the version it was created with), the change is applied immediately or in the next maintenance window
    depending on `apply_immediately`, and nothing uses it until database users and IAM
    policies are set up. Check the engine version before applying.

    ## Deployment impact
    In-place update (`ModifyDBInstance` / `ModifyDBCluster`); the argument is not ForceNew.

    ## References
    - Terraform AWS provider docs `aws_db_instance`, `aws_rds_cluster`:
      `iam_database_authentication_enabled` (Optional; not marked "Forces new resource");
      the cluster docs point to the Aurora guide for "availability and limitations"
    - AWS RDS User Guide, "IAM database authentication for MariaDB, MySQL, and
      PostgreSQL" and its "Region and version availability" page: MySQL 5.7.16 / 8.0.16,
      PostgreSQL 9.5.15 / 9.6.11 / 10.6 and later; MariaDB from 10.11 (as measured in
      issue 13: enabling it on MariaDB 10.5 is rejected); Aurora User Guide, "IAM database
      authentication" for Aurora MySQL and Aurora PostgreSQL
    - Terraform AWS provider source, `internal/service/rds/instance.go` `ResourceInstance`:
      `iam_database_authentication_enabled` is Optional and not ForceNew
    - Checkov CKV_AWS_161 (`RDSIAMAuthentication.py`, instances with engine `mysql` or
      `postgres` only) and CKV_AWS_162 (`RDSClusterIAMAuthentication.py`, every
      `aws_rds_cluster`): both fail before and pass after the fix (checkov 3.3.30,
      `bench/checkov_mapping.py`), for the engines and versions the rule fixes
    """

    id = "TFX712"
    name = "db-iam-auth"
    summary = "RDS MySQL, MariaDB and PostgreSQL databases must enable IAM database authentication"
    fix_availability = FIX_SOMETIMES
    safety = UNSAFE
    impact = IMPACT_IN_PLACE
    checkov = ("CKV_AWS_161", "CKV_AWS_162")

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
                                       "iam_database_authentication_enabled = true", block=block, argument="engine",
                                       live_ok=lambda live, k=kind: isinstance(live, str) and live not in ENGINES[k])
                continue
            if value not in ENGINES[kind]:
                continue
            for f in setting_findings(self, ref, block, "iam_database_authentication_enabled", True,
                                      missing=(UNSAFE, IMPACT_IN_PLACE), wrong=(UNSAFE, IMPACT_IN_PLACE),
                                      why="only passwords can log in"):
                if f.fix is not None and value in VERSIONS:
                    problem = _version_problem(block, value)
                    if problem:
                        f.fix = None
                        f.message += f"; {problem}"
                yield f


def _version_problem(block: cst.Block, engine: str) -> str:
    """Why the fix cannot be proven to work on this engine version ("" when it can)."""
    ranges = VERSIONS[engine]
    need = f"IAM database authentication on {engine} needs {show(ranges)}"
    version = engine_version(block)
    if not version.known:
        return f"engine_version is not a version tffix can read; {need}"
    if version.version is None:
        if engine in NEEDS_VERSION:
            return (f"engine_version is not set, and {need} (a database created with an older default keeps its "
                    "major version); set engine_version first")
        return ""
    if not supports(version.version, ranges):
        return f"{need}, and engine_version is \"{version.written}\": upgrade the engine first"
    return ""
