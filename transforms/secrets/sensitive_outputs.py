"""TFX603: outputs that carry secrets must be marked sensitive."""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

from tffix import edit
from tffix.engine.module import Module, references
from tffix.engine.rules import FIX_SOMETIMES, IMPACT_NONE, SAFE, Finding, Rule, literal
from tffix.syntax import cst

# attributes that hold a secret on any resource / data source
SECRET_ATTRIBUTES = frozenset({"password", "master_password", "secret_string", "secret_binary",
                               "ses_smtp_password_v4"})
# attributes that hold a secret on one resource type
TYPED_SECRETS = {"random_password": {"result", "bcrypt_hash"}, "aws_iam_access_key": {"secret"}}
SECRET_WORDS = ("password", "secret", "token")
# a value ending in one of these attributes names or identifies a secret, it is not the secret
IDENTIFIER_SUFFIXES = ("arn", "arns", "id", "ids", "name", "names")
# a name with one of these words describes a secret (where it is, whether it rotates, its
# policy) or holds it encrypted for the reader's own key; it is not the secret
METADATA_WORDS = frozenset({
    "arn", "arns", "id", "ids", "name", "names", "path", "paths", "ssm", "parameter", "enabled", "status",
    "rotation", "policy", "expire", "expires", "expiration", "length", "version", "versions", "kms", "provider",
    "encrypted", "fingerprint", "count", "ttl",
})
# attributes whose name sounds secret but whose value is not: the Secrets Manager block RDS
# returns (ARN, KMS key, status), Windows password data encrypted with the key pair, and
# IAM values encrypted with the caller's PGP key
NOT_SECRET_ATTRIBUTES = frozenset({
    "master_user_secret", "password_data", "encrypted_password", "encrypted_secret",
    "encrypted_ses_smtp_password_v4", "key_fingerprint",
})


def _attr_names(trav: cst.Traversal) -> list[str]:
    return [s.name for s in trav.steps if isinstance(s, cst.GetAttr)]


def _secret_reference(module: Module, value: cst.Node) -> str | None:
    """The first reference in ``value`` that reads a secret, as written."""
    for trav in references(value):
        path = trav.path
        if not path:
            continue
        names = _attr_names(trav)
        attrs = names[2:] if path[0] == "data" else names[1:]
        typed = TYPED_SECRETS.get("" if path[0] == "data" else path[0], set())
        if any(a in SECRET_ATTRIBUTES or a in typed for a in attrs):
            return trav.code.strip()
        if path[0] == "var" and len(path) >= 2:
            ref = module.find(f"var.{path[1]}")
            attr = ref.block.get_attribute("sensitive") if ref is not None else None
            if attr is not None and literal(attr.value) == (True, True):
                return trav.code.strip()
    return None


def _is_identifier(value: cst.Node) -> bool:
    """The value is a plain reference to an ARN / id / name attribute (``aws_secretsmanager_secret.s.arn``)."""
    value = cst.sole_expression(value)
    if not isinstance(value, cst.Traversal) or not value.steps:
        return False
    last = value.steps[-1]
    if isinstance(last, cst.AttrSplat | cst.FullSplat) and last.steps:
        last = last.steps[-1]
    if not isinstance(last, cst.GetAttr):
        return False
    return last.name.split("_")[-1] in IDENTIFIER_SUFFIXES


def _reads_only_metadata(value: cst.Node) -> bool:
    """Every reference in ``value`` ends in an attribute known not to be a secret."""
    ends = [names[-1] for trav in references(value) if (names := _attr_names(trav))]
    return bool(ends) and all(end in NOT_SECRET_ATTRIBUTES or end.split("_")[-1] in METADATA_WORDS
                              for end in ends)


def _plain_literal(value: cst.Node) -> bool:
    """A bool, number or null literal cannot be a secret."""
    known, literal_value = literal(value)
    return known and (literal_value is None or isinstance(literal_value, bool | int | float))


def _wrapped_in_nonsensitive(value: cst.Node) -> bool:
    return isinstance(value, cst.FunctionCall) and value.name == "nonsensitive"


class SensitiveOutputs(Rule):
    """
    ## What it does
    Adds `sensitive = true` to `output` blocks that carry a secret:

    - the value reads a secret attribute: `random_password.<name>.result` (or `.bcrypt_hash`),
      `<anything>.password`, `<anything>.master_password`, `secret_string` / `secret_binary`
      (Secrets Manager versions, resource or data source), `aws_iam_access_key.<name>.secret`
      or `.ses_smtp_password_v4`, or a variable declared `sensitive = true`, anywhere in the
      expression (also inside `jsonencode({...})`);
    - or the output's name contains `password`, `secret` or `token`, unless the name also
      has a word that makes it describe the secret rather than hold it (`arn`, `id`,
      `name`, `path`, `ssm`, `enabled`, `status`, `rotation`, `policy`, `expire`, `length`,
      `version`, `kms`, `provider`, `encrypted`, `fingerprint`, ...), or the value is plainly
      an identifier (a reference ending in `.arn`, `.id`, `.name`, `_arn`, `_id`, `_name`
      and their plurals), a bool or number literal, or reads only attributes that are not
      secrets although named so (`master_user_secret`, which holds the secret's ARN and KMS
      key; `password_data` and `encrypted_password` / `encrypted_secret`, encrypted for the
      reader's own key pair or PGP key).

    Outputs that already say `sensitive = true`, values wrapped in `nonsensitive(...)` and
    outputs with `sensitive` from an expression are left alone. An explicit
    `sensitive = false` on a secret is reported without a fix: someone decided that.

    ## Why is this bad?
    An output without `sensitive = true` is printed in the `terraform apply` summary and by
    `terraform output`, so it lands in CI logs and terminal scrollback (seed 000 §7 "Missing
    sensitive flags on confidential outputs"). For values Terraform already knows are
    sensitive (`random_password.result`), the missing flag is an error: "Output refers to
    sensitive values", and the plan does not run at all.

    ## Example
    ```hcl
    output "db_password" {
      value = random_password.db.result
    }
    ```

    ## Use instead
    ```hcl
    output "db_password" {
      value     = random_password.db.result
      sensitive = true
    }
    ```

    ## Fix safety
    **Safe**: nothing deployed changes and the output keeps its value; `terraform output
    <name>` and `terraform output -json` still print it. One thing to check: when this module
    is called by another one, `module.<name>.<output>` becomes sensitive there too, and a
    parent module that re-exports it in an output must mark that output `sensitive = true`
    as well (Terraform says so at plan time), and a parent that uses it in `for_each` must
    wrap it in `nonsensitive()`.

    ## Deployment impact
    None: `sensitive` only changes how Terraform displays the value.

    ## References
    - Terraform language docs, Output values: `sensitive` ("Output refers to sensitive values"
      error, values still in state and shown by `terraform output -json`)
    - No Checkov/Trivy/KICS id mapped: we know of no dedicated check for output blocks
    """

    id = "TFX603"
    name = "sensitive-outputs"
    summary = "Outputs that carry passwords, secrets or tokens must set sensitive = true"
    fix_availability = FIX_SOMETIMES
    safety = SAFE
    impact = IMPACT_NONE

    def check(self, module: Module, options: dict[str, Any]) -> Iterator[Finding]:
        for ref in module.blocks("output"):
            block = ref.block
            value = block.get_attribute("value")
            if value is None or _wrapped_in_nonsensitive(value.value):
                continue
            reason = self._reason(module, ref.block.label_values[0] if block.labels else "", value.value)
            if reason is None:
                continue
            name = ref.address
            sensitive = block.get_attribute("sensitive")
            if sensitive is None:
                yield self.finding(
                    ref.file, block, f"{name} {reason} but is not marked sensitive",
                    block=block, fix=lambda b=block: edit.set_attribute(b, "sensitive", True, after="value"),
                    description="add sensitive = true",
                )
                continue
            known, flag = literal(sensitive.value)
            if known and flag is False:
                yield self.finding(ref.file, sensitive.value, f"{name} {reason} but sets sensitive = false",
                                   block=block)

    @staticmethod
    def _reason(module: Module, label: str, value: cst.Expr) -> str | None:
        secret = _secret_reference(module, value)
        if secret is not None:
            return f"reads {secret}"
        lowered = label.lower()
        word = next((w for w in SECRET_WORDS if w in lowered), None)
        if word is None:
            return None
        if METADATA_WORDS & set(re.split(r"[^a-z0-9]+", lowered)):
            return None
        if _is_identifier(value) or _reads_only_metadata(value) or _plain_literal(value):
            return None
        return f"is named like a {word}"
