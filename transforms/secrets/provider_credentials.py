"""TFX604: AWS provider credentials must not be written in the code."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from tffix import edit
from tffix.engine.module import Module
from tffix.engine.rules import (
    FIX_SOMETIMES,
    IMPACT_NONE,
    UNSAFE,
    Finding,
    Rule,
    literal,
)
from tffix.syntax import cst

CREDENTIALS = ("access_key", "secret_key", "token")
HOW = "use environment variables (AWS_ACCESS_KEY_ID ...), a shared profile (profile = ...) or an IAM role"


def _variable_default(module: Module, expr: cst.Node) -> str | None:
    """``var.x`` whose declaration has a non-empty literal string default: that default."""
    ref = module.resolve(expr)
    if ref is None or ref.block.type != "variable":
        return None
    default = ref.block.get_attribute("default")
    known, value = literal(default.value) if default is not None else (False, None)
    return value if known and isinstance(value, str) and value else None


class ProviderCredentials(Rule):
    """
    ## What it does
    Removes literal `access_key`, `secret_key` and `token` arguments from `provider "aws"`
    blocks (aliases included). The message says where the credentials should come from
    instead: the standard environment variables (`AWS_ACCESS_KEY_ID`, `AWS_SECRET_ACCESS_KEY`,
    `AWS_SESSION_TOKEN`), a shared profile (`profile = "..."`, `AWS_PROFILE`) or an IAM role
    (instance profile, `assume_role`, OIDC in CI).

    When one of the credential arguments present is an expression, nothing is removed (an
    access key without its secret, or the reverse, would break the provider): the literals
    are reported without a fix. A `var.x` whose declaration has a literal string `default` is
    reported without a fix too: the key is still in the code. Credentials passed in from
    variables without defaults are not reported. Backend `s3` credentials are out of scope.

    ## Why is this bad?
    Keys written in `.tf` files end up in version control, in every clone and fork, and in
    plan output; leaked AWS keys are found and abused within minutes of a push to a public
    repository (seed 004 "Hardcoded Credentials": "Embedding AWS access keys, secret keys, or
    passwords directly in code ... credential leakage in version control"; prevention: "Use
    IAM roles, assume role policies").

    ## Example
    ```hcl
    provider "aws" {
      region     = "us-east-1"
      access_key = "AKIAIOSFODNN7EXAMPLE"
      secret_key = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY"
    }
    ```

    ## Use instead
    ```hcl
    provider "aws" {
      region = "us-east-1"
    }
    ```
    and `export AWS_PROFILE=deploy` (or the key environment variables, or a role).

    ## Fix safety
    **Unsafe**: after the fix Terraform uses the default credential chain. Where nothing
    else is configured, `plan` fails with "No valid credential sources found"; where another
    profile or role is configured, Terraform runs as **that** identity, which may be a
    different account. Set up the replacement first. The removed keys stay in the Git
    history: deactivate and rotate them.

    ## Deployment impact
    None: provider configuration is not part of any resource; no resource changes.

    ## References
    - Terraform AWS provider docs, index ("Authentication and Configuration"): `access_key`,
      `secret_key`, `token` provider arguments, environment variables and shared
      configuration files as the recommended alternatives (not re-read for this rule)
    - Checkov CKV_AWS_41 "Ensure no hard coded AWS access key and secret key exists in
      provider" (name seen in Checkov outputs and its policy index)
    """

    id = "TFX604"
    name = "provider-credentials"
    summary = "The AWS provider must not contain literal access keys, secret keys or session tokens"
    fix_availability = FIX_SOMETIMES
    safety = UNSAFE
    impact = IMPACT_NONE
    checkov = ("CKV_AWS_41",)

    def check(self, module: Module, options: dict[str, Any]) -> Iterator[Finding]:
        for ref in module.blocks("provider"):
            block = ref.block
            if block.label_values[:1] != ["aws"]:
                continue
            alias = block.get_attribute("alias")
            known, name = literal(alias.value) if alias is not None else (False, None)
            where = 'provider "aws"' + (f" (alias {name})" if known and name else "")
            present = [a for a in (block.get_attribute(n) for n in CREDENTIALS) if a is not None]
            literals = [a for a in present if literal(a.value)[0] and isinstance(literal(a.value)[1], str)
                        and literal(a.value)[1]]
            for attr in present:
                if attr not in literals and _variable_default(module, attr.value) is not None:
                    yield self.finding(ref.file, attr.value, f"{where} takes {attr.name} from a variable with a "
                                       f"literal default; remove the default and {HOW}", block=block)
            if not literals:
                continue
            names = ", ".join(a.name for a in literals)
            others = [a.name for a in present if a not in literals]
            if others:
                yield self.finding(ref.file, literals[0].value, f"{where} has literal {names} while "
                                   f"{', '.join(others)} comes from an expression; {HOW}", block=block)
                continue
            yield self.finding(
                ref.file, literals[0].value, f"{where} has literal {names}; remove them and {HOW}",
                block=block, fix=lambda b=block, n=[a.name for a in literals]: [edit.remove_attribute(b, x) for x in n],
                description=f"remove {names} from the provider",
            )
