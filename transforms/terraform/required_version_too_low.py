"""TFX505: required_version must not allow Terraform releases that cannot read the module."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from tffix import edit
from tffix.engine.module import Module
from tffix.engine.rules import FIX_SOMETIMES, IMPACT_NONE, SAFE, Finding, Rule, literal
from tffix.transforms.lib.features import because, needed_version
from tffix.transforms.lib.terraform_block import is_opentofu
from tffix.transforms.lib.versions import (
    Clause,
    allows,
    lower_bound,
    parse_constraint,
    show,
)


def raised(clauses: list[Clause], needed: tuple[int, int]) -> str | None:
    """The constraint with its lower bound raised to ``needed``, or None when that is not
    a plain edit (a pinned version, several lower bounds, or a bound that would then
    exclude every version)."""
    lower = [c for c in clauses if c.op in ("=", ">=", ">", "~>")]
    if len(lower) != 1:
        return None
    (c,) = lower
    target = (needed[0], needed[1], 0)
    if c.op == ">=":
        new = f">= {show(needed)}"
    elif c.op == "~>" and c.parts == 2 and c.version[0] == needed[0]:
        new = f"~> {show(needed)}"
    else:
        return None
    out = [new if other is c else f"{other.op} {other.text}" for other in clauses]
    check = parse_constraint(", ".join(out))
    if check is None or not allows(check, target):
        return None
    return ", ".join(out)


class RequiredVersionTooLow(Rule):
    """
    ## What it does
    Raises the lower bound of `required_version` when it allows Terraform releases that
    cannot read the module: the module uses syntax newer than the oldest version the
    constraint admits (for example `required_version = ">= 1.0"` in a module with an
    `import` block, which needs 1.5). The needed version comes from the same feature table
    as TFX501 (`TERRAFORM_FEATURES`).

    `">= 1.0"` becomes `">= 1.5"`, `"~> 1.0"` becomes `"~> 1.5"`, and in
    `">= 1.0, < 2.0"` only the lower bound changes. A constraint that pins a version
    (`"= 1.4.6"`), has several lower bounds, or could no longer be satisfied after raising it
    (`"~> 1.4.0"`) is reported without a fix. OpenTofu modules (`.tofu` files) are skipped.

    ## Why is this bad?
    The constraint promises the module works on versions where it does not: someone on
    an older release passes the version check and then gets syntax errors ("Unsupported
    block type", "Call to unknown function") instead of a clear "this module requires
    Terraform >= X" message (seed 000 §12 "Provider and Version Management").

    ## Example
    ```hcl
    terraform {
      required_version = ">= 1.0"
    }

    removed {
      from = aws_instance.old
    }
    ```

    ## Use instead
    ```hcl
    terraform {
      required_version = ">= 1.7"
    }

    removed {
      from = aws_instance.old
    }
    ```

    ## Fix safety
    **Safe**: every Terraform release the new constraint excludes already failed on this
    module's syntax, so nothing that worked stops working.

    ## Deployment impact
    None: `required_version` changes no infrastructure.

    ## References
    - Terraform docs: Terraform settings, `required_version`; Version constraints
    - hashicorp/terraform CHANGELOG.md (see `TERRAFORM_FEATURES` in the TFX501 module)
    """

    id = "TFX505"
    name = "required-version-too-low"
    summary = "required_version must not admit Terraform versions older than the module's syntax"
    fix_availability = FIX_SOMETIMES
    safety = SAFE
    impact = IMPACT_NONE

    def check(self, module: Module, options: dict[str, Any]) -> Iterator[Finding]:
        if is_opentofu(module):
            return
        found = []
        for ref in module.blocks("terraform"):
            attr = ref.block.get_attribute("required_version")
            if attr is None:
                continue
            known, value = literal(attr.value)
            clauses = parse_constraint(value) if known and isinstance(value, str) else None
            if clauses is None:
                return  # not a constraint we can read: Terraform will say so itself
            found.append((ref, attr, value, clauses))
        if not found:
            return
        needed, uses = needed_version(module, (0, 0))
        if not uses:
            return
        lowest = max(lower_bound(clauses) for *_, clauses in found)
        if lowest[:2] >= needed:
            return
        ref, attr, value, clauses = max(found, key=lambda t: lower_bound(t[3]))
        message = (f'required_version "{value}" admits Terraform {show(lowest[:2])}, but the module needs '
                   f">= {show(needed)}{because(uses)}")
        new = raised(clauses, needed) if len(found) == 1 else None
        if new is None:
            yield self.finding(ref.file, attr.value, message, block=ref.block)
            return
        yield self.finding(ref.file, attr.value, message, block=ref.block,
                           fix=lambda b=ref.block: edit.set_attribute(b, "required_version", new),
                           description=f'set required_version = "{new}"')
