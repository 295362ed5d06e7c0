"""TFX521: a call to a local module passes exactly the variables the module declares."""

from __future__ import annotations

import difflib
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from tffix.engine.module import Module
from tffix.engine.rules import (
    DISPLAY_ONLY,
    FIX_NEVER,
    IMPACT_NONE,
    Finding,
    Rule,
    literal,
)
from tffix.transforms.lib.children import has_json_files, read_child, remember, run_reads

# Arguments of a module block that are Terraform's, not the child's variables.
META_ARGUMENTS = {"source", "version", "count", "for_each", "providers", "depends_on"}


def child_variables(directory: Path) -> dict[str, bool] | None:
    """The child module's variables, each with whether it is required (no `default`);
    None when the directory cannot be read completely (missing, unreadable, a syntax
    error, or `*.tf.json` files tffix does not parse). The files are read on every
    call; what they declare is parsed once per process for the same texts (``read_child``:
    every caller of a shared module, whatever path it spells it with, every round of fixes)."""
    if not directory.is_dir() or has_json_files(directory):
        return None
    child = read_child(directory)
    return None if child is None else dict(child.variables)


class ModuleCallArguments(Rule):
    """
    ## What it does
    For every `module` call whose `source` is a local path (`./modules/dns`,
    `../network`), reads the child module's `variable` blocks and reports:

    * an argument the child does not declare ("Unsupported argument" at `terraform init` /
      `validate`), with the closest declared name when there is one;
    * a variable without a `default` that the call does not pass ("Missing required
      argument");
    * a local `source` directory that does not exist ("Unreadable module directory").

    `source`, `version`, `count`, `for_each`, `providers` and `depends_on` are Terraform's own
    arguments. Registry and Git sources are not read (tffix does not download). A child that
    cannot be read completely (a syntax error, `*.tf.json` files) is skipped. On standard input,
    paths are resolved from the directory of `--stdin-filename`. Display only.

    ## Why is this bad?
    Terraform refuses the whole configuration. Generated code often calls a module with
    arguments the module never declared, or forgets one it requires (seed 003 §3: the Route
    53 module needs `hosted_zone_id` and `domain_name`, and the root module neither declares
    nor passes them). tffix finds this without `terraform init`.

    ## Example
    ```hcl
    module "dns" {
      source      = "./modules/route53"
      domain      = "example.org"
      environment = "prod"
    }
    ```
    with the child module declaring `domain_name` and `hosted_zone_id`, neither with a
    default:
    ```hcl
    # file: modules/route53/variables.tf
    variable "domain_name" {
      type = string
    }

    variable "hosted_zone_id" {
      type = string
    }
    ```

    ## Use instead
    ```hcl
    data "aws_route53_zone" "main" {
      name = "example.org"
    }

    module "dns" {
      source         = "./modules/route53"
      domain_name    = "example.org"
      hosted_zone_id = data.aws_route53_zone.main.zone_id
    }
    ```

    ## Fix safety
    No fix: whether a stray argument is a typo, belongs to a variable the child should
    declare, or should go, and what value a missing one should have, is the author's call.

    ## Deployment impact
    None (display only). The configuration does not plan until the call matches the module.

    ## References
    - Terraform language docs, "Modules" (module block meta-arguments `source`, `version`,
      `count`, `for_each`, `providers`, `depends_on`; "Input Variables": a variable without a
      default is required)
    - Terraform's diagnostics "Unsupported argument", "Missing required argument" and
      "Unreadable module directory" (checked with `terraform init` / `validate`, Terraform
      1.11, on 2026-12-05)
    - Seed 003 §3 (`../shared/seeds`)
    - No Checkov or Trivy check compares a call with its module
    """

    id = "TFX521"
    name = "module-call-arguments"
    summary = "Calls to local modules pass only declared variables and every required one"
    fix_availability = FIX_NEVER
    safety = DISPLAY_ONLY
    impact = IMPACT_NONE

    def check(self, module: Module, options: dict[str, Any]) -> Iterator[Finding]:
        base = module.directory
        if not base.is_dir():
            return
        children: dict[Path, dict[str, bool] | None] = {}
        reads: dict[object, object] | None = None
        for ref in module.blocks("module"):
            if reads is None:  # read in the loop: the rule looks at module calls only (rule_index)
                remember(module)  # a module above this one that calls it reads it from here
                reads = run_reads(module)
            block = ref.block
            source = block.get_attribute("source")
            known, value = literal(source.value) if source is not None else (False, None)
            if not (known and isinstance(value, str) and value.startswith(("./", "../"))):
                continue
            assert source is not None
            directory = base / value
            if not directory.exists():
                yield self.finding(ref.file, source.value,
                                   f"{ref.address} calls {value}, which does not exist next to this module, so "
                                   f"terraform init fails with \"Unreadable module directory\"; fix the path",
                                   block=block)
                continue
            key = directory.resolve()
            if key not in children:  # several calls to one child (app1, app2) read it once
                known = reads.get(("TFX521", key), False)  # read in an earlier round of this check
                if known is False:
                    known = reads[("TFX521", key)] = child_variables(directory)
                children[key] = known  # type: ignore[assignment]
            variables = children[key]
            if variables is None:
                continue
            passed = {attr.name: attr for attr in block.body.attributes}
            for name, attr in passed.items():
                if name in META_ARGUMENTS or name in variables:
                    continue
                close = difflib.get_close_matches(name, sorted(set(variables) - set(passed)), n=1, cutoff=0.6)
                hint = f"; did you mean {close[0]}?" if close else "; declare it in the module or remove it"
                yield self.finding(ref.file, attr,
                                   f"{ref.address} passes {name}, which {value} does not declare as a variable, "
                                   f"so terraform fails with \"Unsupported argument\"{hint}", block=block)
            missing = [name for name, required in variables.items() if required and name not in passed]
            if missing:
                names = ", ".join(missing)
                yield self.finding(ref.file, block,
                                   f"{ref.address} does not pass {names}, which {value} requires (no default), so "
                                   f"terraform fails with \"Missing required argument\"; pass "
                                   f"{'it' if len(missing) == 1 else 'them'} or give the variable a default",
                                   block=block)

