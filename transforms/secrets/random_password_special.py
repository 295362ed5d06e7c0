"""TFX602: random database passwords must avoid the special characters RDS rejects."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from tffix import edit
from tffix.engine.module import BlockRef, Module
from tffix.engine.rules import (
    FIX_SOMETIMES,
    IMPACT_REPLACE,
    UNSAFE,
    Finding,
    Rule,
    literal,
)
from tffix.syntax import cst

SAFE_SPECIAL = "!#$%&*()-_=+[]{}<>:?"
REJECTED = '/"@ '  # RDS: any printable ASCII except "/", '"', "@" (and no spaces)
# database resource type -> its master password argument
DATABASES = {"aws_db_instance": "password", "aws_rds_cluster": "master_password"}


def _database_users(module: Module) -> dict[BlockRef, list[str]]:
    """random_password blocks used as an RDS master password -> addresses of those databases."""
    out: dict[BlockRef, list[str]] = {}
    for db in module.resources(*DATABASES):
        attr = db.block.get_attribute(DATABASES[db.block.label_values[0]])
        if attr is None:
            continue
        target = module.resolve(attr.value)
        if target is None or target.block.type != "resource" or target.block.label_values[0] != "random_password":
            continue
        trav = attr.value
        if isinstance(trav, cst.Template):
            trav = trav.parts[0].expr  # resolve() accepted it: a lone "${...}"
        if [s.name for s in trav.steps if isinstance(s, cst.GetAttr)][-1:] != ["result"]:
            continue
        out.setdefault(target, []).append(db.address)
    return out


class RandomPasswordSpecial(Rule):
    """
    ## What it does
    Finds a `random_password` that is used as an RDS master password (`password` of an
    `aws_db_instance`, `master_password` of an `aws_rds_cluster`, set to
    `random_password.<name>.result`) and may contain special characters RDS rejects: `special`
    is not `false` and there is no `override_special`. It adds
    `override_special = "!#$%&*()-_=+[]{}<>:?"`, the provider's default set without `@`.
    An `override_special` that contains `/`, `"`, `@` or a space is reported without a fix,
    and so is a `special` from an expression.

    ## Why is this bad?
    The default special characters of `random_password` are `!@#$%&*()-_=+[]{}<>:?`. RDS
    master passwords may contain "any printable ASCII character except `/`, `"`, or `@`", so
    roughly one password in a few fails `CreateDBInstance` at apply time, at random, and
    connection strings (`postgres://user:pass@host`) break on `@` (seed 001 §13 "RDS Password
    Special Character Issues").

    ## Example
    ```hcl
    resource "random_password" "master" {
      length  = 32
      special = true
    }

    resource "aws_db_instance" "db" {
      password = random_password.master.result
    }
    ```

    ## Use instead
    ```hcl
    resource "random_password" "master" {
      length           = 32
      special          = true
      override_special = "!#$%&*()-_=+[]{}<>:?"
    }

    resource "aws_db_instance" "db" {
      password = random_password.master.result
    }
    ```

    ## Fix safety
    **Unsafe**: a new `override_special` makes Terraform generate a **new password**. The
    database's master password is changed to it on the next apply, and everything that still
    uses the old password (applications, a copy in Secrets Manager that is not written from
    `random_password.<name>.result`, a database with `ignore_changes = [password]`) stops
    working until it is updated.

    ## Deployment impact
    Forces replacement of the `random_password` resource (`override_special` is
    RequiresReplace); the database then gets an in-place update of its master password.
    Nothing is replaced on the AWS side.

    ## References
    - terraform-provider-random `random_password` schema: `override_special` has a
      RequiresReplace plan modifier (unless going from `""` to null); default special
      characters `!@#$%&*()-_=+[]{}<>:?`
    - AWS RDS API ModifyDBInstance `MasterUserPassword`: "Can include any printable ASCII
      character except `/`, `"`, or `@`" (quoted with backticks here)
    - No Checkov/Trivy/KICS id: this is a reliability check, not a scanner finding
    """

    id = "TFX602"
    name = "random-password-special"
    summary = "Random database passwords must set override_special without characters RDS rejects"
    fix_availability = FIX_SOMETIMES
    safety = UNSAFE
    impact = IMPACT_REPLACE

    def check(self, module: Module, options: dict[str, Any]) -> Iterator[Finding]:
        for ref, databases in _database_users(module).items():
            block = ref.block
            used_by = ", ".join(databases)
            special = block.get_attribute("special")
            known, value = literal(special.value) if special is not None else (True, True)
            if known and value in (False, "false"):
                continue
            override = block.get_attribute("override_special")
            if override is not None:
                known_o, chars = literal(override.value)
                bad = sorted(set(chars) & set(REJECTED)) if known_o and isinstance(chars, str) else []
                if bad:
                    yield self.finding(ref.file, override.value, f"{ref.address} (password of {used_by}) may contain "
                                       f"{' '.join(repr(c) for c in bad)}, which RDS rejects", block=block)
                continue
            if not known:
                yield self.finding(ref.file, special.value, f"{ref.address} (password of {used_by}) sets special from "
                                   "an expression; if true, set override_special without / \" @", block=block,
                                   argument="special", live_ok=lambda live: live is False)
                continue
            yield self.finding(
                ref.file, block, f"{ref.address} (password of {used_by}) can contain '@', which RDS rejects",
                block=block, fix=lambda b=block: edit.set_attribute(b, "override_special", SAFE_SPECIAL,
                                                                 after=["special", "length"]),
                description="add override_special without the characters RDS rejects",
            )
