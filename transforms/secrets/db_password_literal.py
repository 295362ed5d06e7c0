"""TFX601: database master passwords must not be literals in the code."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from tffix import edit
from tffix.engine.module import BlockRef, Module
from tffix.engine.rules import (
    FIX_SOMETIMES,
    IMPACT_IN_PLACE,
    UNSAFE,
    Finding,
    Rule,
    literal,
)
from tffix.syntax import cst

# resource type -> (password argument, arguments that make it a replica / restore / secondary)
RESOURCES: dict[str, tuple[str, tuple[str, ...]]] = {
    "aws_db_instance": ("password", ("replicate_source_db", "snapshot_identifier", "restore_to_point_in_time")),
    "aws_rds_cluster": ("master_password", ("replication_source_identifier", "snapshot_identifier",
                                            "restore_to_point_in_time", "s3_import")),
}


def _present(block: cst.Block, name: str) -> bool:
    """An argument or a nested block (also ``dynamic "name"``) of this name is there."""
    if block.get_attribute(name) is not None:
        return True
    return any(b.type == name or (b.type == "dynamic" and b.label_values[:1] == [name]) for b in block.body.blocks)


def _password_readers(module: Module, ref: BlockRef, argument: str) -> list[str]:
    """Addresses of blocks that read ``<address>.<argument>`` (they would get null after the fix)."""
    out = []
    for other, trav in module.referrers(ref):
        names = [s.name for s in trav.steps[1:] if isinstance(s, cst.GetAttr)]
        if names[:1] == [argument]:
            out.append(other.address)
    return out


# how much of the module's directory tree is searched for the password (files beside the code:
# scripts, app configs, templates)
MAX_FILES = 2000
MAX_BYTES = 1 << 20
SKIPPED_DIRS = {"node_modules", "vendor", "__pycache__"}


def _used_elsewhere(module: Module, ref: BlockRef, attr: cst.Attribute, password: str) -> str | None:
    """Where else the literal password appears (``path:line``), or None: in the module's
    other strings (a secret version, a Lambda environment, user data) and in the files under
    its directory (a startup script, an application config). Whatever reads it there logs in
    with it, and would be locked out once RDS generates a new one."""
    first = attr.value.line
    own = range(first, first + attr.value.code.count("\n") + 1)
    for sf in [*module.files, *module.tfvars]:
        start = 0
        while (at := sf.text.find(password, start)) >= 0:
            line = sf.text.count("\n", 0, at) + 1
            if sf is not ref.file or line not in own:
                return f"{sf.display}:{line}"
            start = at + len(password)
    if not any(sf.path.is_file() for sf in module.files):
        return None  # a module not on disk (standard input, tests): nothing lies beside it
    directory = Path(module.directory)
    mine = {sf.path.name for sf in [*module.files, *module.tfvars]}
    needle = password.encode()
    seen = 0
    for root, dirs, files in os.walk(directory):
        dirs[:] = sorted(d for d in dirs if not d.startswith(".") and d not in SKIPPED_DIRS)
        for name in sorted(files):
            if Path(root) == directory and name in mine:
                continue
            seen += 1
            if seen > MAX_FILES:
                return None
            path = Path(root) / name
            try:
                if path.stat().st_size > MAX_BYTES:
                    continue
                data = path.read_bytes()
            except OSError:
                continue
            at = data.find(needle)
            if at >= 0:
                line = data.count(b"\n", 0, at) + 1
                return f"{path}:{line}"
    return None


class DbPasswordLiteral(Rule):
    """
    ## What it does
    Finds a literal master password on `aws_db_instance` (`password`) and `aws_rds_cluster`
    (`master_password`) and replaces it with `manage_master_user_password = true`: RDS then
    generates the password and keeps it in Secrets Manager (the secret's ARN is in the
    `master_user_secret` attribute). A password from an expression (`var.db_password`,
    `random_password.db.result`) is not a literal and is not reported. A literal that reaches
    the database through a variable's `default` is out of scope for this rule.

    Left alone (reported without a fix): read replicas (`replicate_source_db`,
    `replication_source_identifier`), snapshot / point-in-time / S3 restores (the password
    comes from the source), Aurora Serverless v1 (`engine_mode = "serverless"`), and databases
    whose password attribute is read elsewhere in the module (`aws_db_instance.db.password`
    would become null), and databases whose password also appears anywhere else: in another
    string of the module (a Secrets Manager secret version, a Lambda environment, user data)
    or in a file under the module's directory (a startup script, an application config; up
    to 2,000 files of at most 1 MB, hidden directories and `node_modules` skipped). Whatever
    logs in with it there would be locked out; the message names the first place. Resources that already set `manage_master_user_password` are reported
    without a fix too: the literal must go, but which one wins is the owner's decision.

    ## Why is this bad?
    A password in a `.tf` file is in version control, in every clone and in CI logs, and it
    never rotates (seed 000 §6 "Hardcoded passwords or credentials in configuration files",
    "Missing Secrets Manager integration for database credentials"; seed 003 §6 "No Secrets
    Manager Rotation Configuration"). RDS-managed passwords live in Secrets Manager, are
    rotated by RDS, and never appear in the configuration.

    ## Example
    ```hcl
    resource "aws_db_instance" "db" {
      engine         = "postgres"
      instance_class = "db.t3.micro"
      username       = "app"
      password       = "SuperSecret123!"
    }
    ```

    ## Use instead
    ```hcl
    resource "aws_db_instance" "db" {
      engine                      = "postgres"
      instance_class              = "db.t3.micro"
      username                    = "app"
      manage_master_user_password = true
    }
    ```
    Applications read the password from the secret in
    `aws_db_instance.db.master_user_secret[0].secret_arn`.

    ## Fix safety
    **Unsafe**: RDS replaces the master password with a generated one. Every application,
    migration job or person that logs in with the old literal password is locked out until it
    reads the new one from Secrets Manager. tffix withholds the fix where it can see another
    user of the password (above), but not in other repositories, CI secrets or people's
    heads. The literal also stays in the Git history: rotate
    it and treat it as leaked.

    ## Deployment impact
    In-place update: `manage_master_user_password` can be switched on for an existing instance
    or cluster (ModifyDBInstance / ModifyDBCluster); RDS creates the secret and changes the
    password, without replacing the database.

    ## References
    - Terraform AWS provider docs `aws_db_instance` / `aws_rds_cluster`: `password` /
      `master_password` "Cannot be set if `manage_master_user_password` is set to `true`";
      `manage_master_user_password` (in-place; seen through the Pulumi AWS docs generated
      from them)
    - AWS RDS API ModifyDBInstance / ModifyDBCluster `ManageMasterUserPassword`: can be
      turned on for an existing database; "you can't specify MasterUserPassword" with it
    - No Checkov/Trivy/KICS id is mapped: their generic secret scanners do not have a
      dedicated RDS check id we could confirm
    """

    id = "TFX601"
    name = "db-password-literal"
    summary = "Database master passwords must not be literals; let RDS manage them in Secrets Manager"
    fix_availability = FIX_SOMETIMES
    safety = UNSAFE
    impact = IMPACT_IN_PLACE

    def check(self, module: Module, options: dict[str, Any]) -> Iterator[Finding]:
        for ref in module.resources(*RESOURCES):
            block = ref.block
            argument, sources = RESOURCES[block.label_values[0]]
            attr = block.get_attribute(argument)
            if attr is None:
                continue
            known, value = literal(attr.value)
            if not known or not isinstance(value, str):
                continue  # expressions, null
            where = f"{ref.address} has a literal {argument}"
            reason = self._no_fix_reason(module, ref, argument, sources)
            if reason:
                yield self.finding(ref.file, attr.value, f"{where}; {reason}", block=block)
                continue
            yield self.finding(
                ref.file, attr.value, f"{where}; let RDS manage it in Secrets Manager",
                block=block, fix=lambda b=block, a=argument: self._apply(b, a),
                description=f"remove {argument}, set manage_master_user_password = true",
            )

    @staticmethod
    def _no_fix_reason(module: Module, ref: BlockRef, argument: str, sources: tuple[str, ...]) -> str:
        block = ref.block
        if block.get_attribute("manage_master_user_password") is not None:
            return "it also sets manage_master_user_password: remove the literal"
        for name in sources:
            if _present(block, name):
                return f"it sets {name}: move the password to Secrets Manager by hand"
        mode = block.get_attribute("engine_mode")
        known, value = literal(mode.value) if mode is not None else (True, None)
        if not known or value == "serverless":
            return "Aurora Serverless v1 cannot manage the password: use a variable or Secrets Manager"
        attr = block.get_attribute(argument)
        known, password = literal(attr.value)
        where = _used_elsewhere(module, ref, attr, password) if known and isinstance(password, str) and password \
            else None
        if where is not None:
            return (f"the same password is also in {where}: whatever uses it there would be locked out; make it "
                    "read the password from Secrets Manager first")
        readers = _password_readers(module, ref, argument)
        if readers:
            return (f"{', '.join(sorted(set(readers)))} read(s) it: switch them to master_user_secret, "
                    "then set manage_master_user_password = true")
        return ""

    @staticmethod
    def _apply(block: cst.Block, argument: str) -> None:
        attr = block.get_attribute(argument)
        names = [a.name for a in block.body.attributes]
        after = names[names.index(argument) - 1] if attr is not None and names.index(argument) > 0 else None
        edit.remove_attribute(block, argument)
        if after is not None:
            edit.set_attribute(block, "manage_master_user_password", True, after=after)
        else:
            edit.set_attribute(block, "manage_master_user_password", True)
