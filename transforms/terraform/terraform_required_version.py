"""TFX501: a module declares the Terraform version it needs (required_version)."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from tffix import edit
from tffix.engine.module import Module
from tffix.engine.rules import FIX_ALWAYS, IMPACT_NONE, SAFE, Finding, Rule
from tffix.transforms.lib.features import because, needed_version, parse_floor
from tffix.transforms.lib.terraform_block import (
    first_content,
    has_content,
    is_opentofu,
    new_versions_file,
    preferred_terraform_block,
    terraform_blocks,
)
from tffix.transforms.lib.versions import show


class TerraformRequiredVersion(Rule):
    """
    ## What it does
    Adds `required_version = ">= X.Y"` to a module that does not declare which Terraform
    versions it works with. `X.Y` is the oldest Terraform release that accepts the module's
    own syntax, worked out from the features it uses in any of its files (for example
    `moved` blocks 1.1, `optional()` object attributes 1.3, `import` / `check` blocks 1.5,
    `removed` 1.7, provider-defined functions `provider::x::f()` 1.8, validations that refer
    to other variables 1.9, `ephemeral` resources 1.10, write-only `*_wo` arguments 1.11),
    and never lower than 1.0. The table of features lives in `TERRAFORM_FEATURES` in this
    rule's module, each entry with the changelog it comes from.

    The constraint goes into the module's `terraform` block (the one holding
    `required_providers` if there are several). A module without any `terraform` block gets
    a new `versions.tf` holding one. A directory with nothing but `variable` / `locals`
    blocks is left alone: it is not a module anyone would pin. Modules written for OpenTofu
    (any `.tofu` file) are skipped: their `required_version` is checked against OpenTofu's
    own version numbers.

    ## Why is this bad?
    Without `required_version` any Terraform release will try to run the module: an older
    one fails half way with confusing syntax errors, and a teammate's or CI's different
    version can silently upgrade the state format (seed 000 §12 "Missing version
    constraints on Terraform and providers", and its "Provider Version Issues" example).

    ## Example
    ```hcl
    terraform {
      required_providers {
        aws = {
          source = "hashicorp/aws"
        }
      }
    }

    import {
      to = aws_s3_bucket.logs
      id = "my-logs"
    }
    ```

    ## Use instead
    ```hcl
    terraform {
      required_version = ">= 1.5"

      required_providers {
        aws = {
          source = "hashicorp/aws"
        }
      }
    }

    import {
      to = aws_s3_bucket.logs
      id = "my-logs"
    }
    ```

    ## Fix safety
    **Safe**. The lower bound only excludes Terraform releases that cannot read the module
    anyway (they reject the newer syntax it uses), except for the floor: a module using no
    newer feature gets `>= 1.0`, which turns away Terraform 0.x. If you still run 0.x, set
    the rule's `floor` option (`[rules.TFX501]` `floor = "0.13"` in `.tffix.toml`) or
    ignore the rule.

    ## Deployment impact
    None: `required_version` is checked by `terraform init` / `plan` and changes no
    infrastructure.

    ## References
    - Terraform docs: Terraform settings, `required_version`; Version constraints
    - hashicorp/terraform CHANGELOG.md, NEW FEATURES of 1.1 through 1.11 (see the comments on
      `TERRAFORM_FEATURES`)
    - Seed 000 §12 Provider and Version Management, "Provider Version Issues"
    """

    id = "TFX501"
    name = "terraform-required-version"
    summary = "Modules must declare required_version"
    fix_availability = FIX_ALWAYS
    safety = SAFE
    impact = IMPACT_NONE
    options = {"floor": "1.0"}

    def check(self, module: Module, options: dict[str, Any]) -> Iterator[Finding]:
        if is_opentofu(module):
            return
        blocks = terraform_blocks(module)
        if any(b.get_attribute("required_version") is not None for _, b in blocks):
            return
        if not blocks and not has_content(module):
            return
        version, uses = needed_version(module, parse_floor(options.get("floor")))
        constraint = f">= {show(version)}"
        reason = because(uses)
        target = preferred_terraform_block(module)
        if target is not None:
            f, block = target
            yield self.finding(
                f, block, f"terraform block has no required_version; the module needs Terraform {constraint}{reason}",
                block=block, fix=lambda b=block: edit.set_attribute(b, "required_version", constraint),
                description=f'add required_version = "{constraint}"',
            )
            return
        anchor = first_content(module)
        assert anchor is not None
        f, first = anchor
        yield self.finding(
            f, first, f"module has no terraform block with required_version; it needs Terraform {constraint}{reason}",
            block=first, fix=lambda: new_versions_file(module, {"required_version": constraint}),
            description=f'create versions.tf with required_version = "{constraint}"', scope=(module,),
        )
