"""TFX718: RDS databases export their error logs to CloudWatch Logs."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from tffix import edit
from tffix.engine.module import Module
from tffix.engine.rules import FIX_SOMETIMES, IMPACT_IN_PLACE, UNSAFE, Finding, Rule
from tffix.syntax import cst
from tffix.transforms.lib.settings import attribute, text

SETTING = "enabled_cloudwatch_logs_exports"

# engine -> the logs to export: the engine's error log and slow queries, not the general or
# audit logs, whose volume (and cost) depends on the workload
EXPORTS = {
    "aws_db_instance": {
        "postgres": ["postgresql", "upgrade"],
        "mysql": ["error", "slowquery"],
        "mariadb": ["error", "slowquery"],
    },
    "aws_rds_cluster": {
        "aurora-postgresql": ["postgresql"],
        "aurora-mysql": ["error", "slowquery"],
    },
}


class DbLogExports(Rule):
    """
    ## What it does
    Adds `enabled_cloudwatch_logs_exports` to `aws_db_instance` and `aws_rds_cluster`
    resources that do not set it (or set it to `null` or `[]`), with the engine's error log
    and slow-query log:

    | resource | engine | exports |
    |---|---|---|
    | `aws_db_instance` | `postgres` | `["postgresql", "upgrade"]` |
    | `aws_db_instance` | `mysql`, `mariadb` | `["error", "slowquery"]` |
    | `aws_rds_cluster` | `aurora-postgresql` | `["postgresql"]` |
    | `aws_rds_cluster` | `aurora-mysql` | `["error", "slowquery"]` |

    Other engines (Oracle, SQL Server, Db2, an engine from an expression) are reported
    without a fix, as are an `[]` list and an expression-valued setting. Aurora cluster
    members (`aws_db_instance` with an `aurora*` engine) and Aurora Serverless v1 are left
    alone.

    ## Why is this bad?
    Without exports the database's own logs (crashes, failed logins, deadlocks, slow queries)
    stay on the instance, are rotated away after a few days, are gone with the instance, and
    cannot be searched, alarmed on or kept for an audit (seed 000 §3 "Inadequate CloudWatch
    logging").

    ## Example
    ```hcl
    resource "aws_db_instance" "db" {
      engine         = "postgres"
      instance_class = "db.m7g.large"
    }
    ```

    ## Use instead
    ```hcl
    resource "aws_db_instance" "db" {
      engine                          = "postgres"
      instance_class                  = "db.m7g.large"
      enabled_cloudwatch_logs_exports = ["postgresql", "upgrade"]
    }
    ```

    ## Fix safety
    **Unsafe**: CloudWatch Logs ingestion and storage cost money, and RDS creates the log
    groups (`/aws/rds/instance/<id>/<log>`, `/aws/rds/cluster/<id>/<log>`) itself, with no
    retention. Declare those `aws_cloudwatch_log_group`s with a `retention_in_days` (TFX701)
    before applying, or set the retention afterwards. MySQL and MariaDB write the slow query
    log only when the parameter group sets `slow_query_log = 1`.

    ## Deployment impact
    In-place update (`ModifyDBInstance` / `ModifyDBCluster`, `CloudwatchLogsExportConfiguration`),
    without a restart.

    ## References
    - Terraform AWS provider docs `aws_db_instance` / `aws_rds_cluster`:
      `enabled_cloudwatch_logs_exports` (Optional; the valid values per engine listed there)
    - Amazon RDS User Guide, "Publishing database logs to Amazon CloudWatch Logs" (log group
      names, retention "never expire" by default; from memory, not re-read for this rule)
    - Checkov CKV_AWS_129 (`DBInstanceLogging.py`, any non-empty list passes) and CKV_AWS_324
      (`RDSClusterLogging.py`): both fail before and pass after the fix (checkov 3.3.30,
      `bench/checkov_mapping.py`)
    """

    id = "TFX718"
    name = "db-log-exports"
    summary = "RDS databases export their error and slow-query logs to CloudWatch Logs"
    fix_availability = FIX_SOMETIMES
    safety = UNSAFE
    impact = IMPACT_IN_PLACE
    checkov = ("CKV_AWS_129", "CKV_AWS_324")

    def check(self, module: Module, options: dict[str, Any]) -> Iterator[Finding]:
        for ref in module.resources(*EXPORTS):
            block = ref.block
            kind = block.label_values[0]
            engine_attr = block.get_attribute("engine")
            known, engine = text(engine_attr.value) if engine_attr is not None else (True, None)
            if known and engine and kind == "aws_db_instance" and engine.startswith("aurora"):
                continue  # an Aurora member: the cluster exports
            mode = block.get_attribute("engine_mode")
            if mode is not None and text(mode.value) == (True, "serverless"):
                continue
            attr = attribute(block, SETTING)
            if attr is not None:
                if isinstance(attr.value, cst.Tuple):
                    if not attr.value.items:
                        yield self.finding(ref.file, attr.value, f"{ref.address} exports no logs; list at least the "
                                           "error log", block=block)
                else:
                    yield self.finding(ref.file, attr.value, f"{ref.address} sets {SETTING} from an expression; make "
                                       "sure it exports the error log", block=block)
                continue
            if engine_attr is None:
                continue  # a replica or a restore: the engine comes from elsewhere
            exports = EXPORTS[kind].get(engine or "") if known else None
            if exports is None:
                if not known or not (engine or "").startswith(("aurora", "db2")):
                    yield self.finding(ref.file, engine_attr.value, f"{ref.address} does not export its logs to "
                                       f"CloudWatch Logs; set {SETTING} to the engine's error log", block=block)
                continue
            shown = ", ".join(f'"{e}"' for e in exports)
            yield self.finding(
                ref.file, block, f"{ref.address} does not set {SETTING}: its logs stay on the instance and are "
                f"lost with it", block=block,
                fix=lambda b=block, e=exports: edit.set_attribute(b, SETTING, list(e)),
                description=f"set {SETTING} = [{shown}]",
            )
