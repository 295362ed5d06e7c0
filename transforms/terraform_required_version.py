"""TFX501: a module declares the Terraform version it needs (required_version)."""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from tffix import cst
from tffix.build import NewBlock
from tffix.module import BUILT_IN_ROOTS, Module, SourceFile, references
from tffix.rules import FIX_ALWAYS, IMPACT_NONE, SAFE, Finding, Rule, literal

Version = tuple[int, int]

# The one table of language features and the Terraform release that introduced each.
# feature -> (first Terraform version that accepts it, how messages name it).
# Sources: hashicorp/terraform CHANGELOG.md of each minor release (NEW FEATURES /
# ENHANCEMENTS), looked up 2026-11; entries marked "verified" were re-read there for this
# table, the others are from the same changelogs as recalled by the rule author.
TERRAFORM_FEATURES: dict[str, tuple[Version, str]] = {
    # 1.1.0 NEW FEATURES: `moved` blocks for refactoring within modules
    "moved": ((1, 1), "a moved block"),
    # 1.1.0: `nullable` argument for input variables
    "nullable": ((1, 1), "nullable in a variable"),
    # 1.1.0: the `cloud` block in the terraform settings (Terraform Cloud integration)
    "cloud": ((1, 1), "a cloud block"),
    # 1.2.0 NEW FEATURES: preconditions and postconditions (lifecycle, output blocks)
    "conditions": ((1, 2), "a precondition/postcondition"),
    # 1.2.0 NEW FEATURES: lifecycle `replace_triggered_by`
    "replace_triggered_by": ((1, 2), "lifecycle replace_triggered_by"),
    # 1.3.0 NEW FEATURES (verified): optional attributes for object type constraints
    "optional": ((1, 3), "optional() object attributes"),
    # 1.3.0 ENHANCEMENTS: new functions startswith, endswith, timecmp
    "functions_1_3": ((1, 3), "the {name} function"),
    # 1.4.0 NEW FEATURES: the built-in `terraform_data` managed resource type
    "terraform_data": ((1, 4), "a terraform_data resource"),
    # 1.5.0 NEW FEATURES (verified): `import` blocks and `check` blocks
    "import": ((1, 5), "an import block"),
    "check": ((1, 5), "a check block"),
    # 1.5.0 NEW FEATURES: functions plantimestamp and strcontains
    "functions_1_5": ((1, 5), "the {name} function"),
    # 1.7.0 NEW FEATURES (verified via terraform-ls's 1.7 schema notes): `removed` blocks,
    # `for_each` in `import` blocks
    "removed": ((1, 7), "a removed block"),
    "import_for_each": ((1, 7), "for_each in an import block"),
    # 1.8.0 NEW FEATURES (verified): provider-defined functions provider::name::fn(), issensitive
    "provider_functions": ((1, 8), "the provider-defined function {name}"),
    "functions_1_8": ((1, 8), "the {name} function"),
    # 1.9.0 NEW FEATURES (verified): validation rules that refer to other objects, templatestring;
    # provisioners in `removed` blocks (terraform-ls 1.9 schema notes)
    "validation_references": ((1, 9), "a variable validation that refers to {name}"),
    "functions_1_9": ((1, 9), "the {name} function"),
    "removed_provisioner": ((1, 9), "a provisioner in a removed block"),
    # 1.10.0 NEW FEATURES (verified): ephemeral resources, ephemeral variables and outputs,
    # ephemeralasnull
    "ephemeral_resource": ((1, 10), "an ephemeral block"),
    "ephemeral_value": ((1, 10), "an ephemeral {name}"),
    "functions_1_10": ((1, 10), "the {name} function"),
    # 1.11.0 NEW FEATURES (verified): write-only arguments (the providers name them *_wo)
    "write_only": ((1, 11), "the write-only argument {name}"),
}
# built-in functions by the feature entry above that introduced them
NEW_FUNCTIONS: dict[str, str] = {
    "startswith": "functions_1_3", "endswith": "functions_1_3", "timecmp": "functions_1_3",
    "plantimestamp": "functions_1_5", "strcontains": "functions_1_5",
    "issensitive": "functions_1_8",
    "templatestring": "functions_1_9",
    "ephemeralasnull": "functions_1_10",
}
FLOOR: Version = (1, 0)  # Terraform 1.0 (June 2021): the first release with the v1.x compatibility promises
# blocks that make a directory a Terraform module worth declaring versions for (variables
# and locals alone do not: a directory of shared variable files is not a module to pin)
CONTENT_BLOCKS = ("resource", "data", "ephemeral", "provider", "module", "output", "import", "check", "moved",
                  "removed")
_VERSION = re.compile(r"^\s*v?(\d+)(?:\.(\d+))?(?:\.(\d+))?(?:-[0-9A-Za-z.-]+)?\s*$")


@dataclass
class Use:
    """One place the module uses a feature."""

    feature: str
    file: SourceFile
    node: cst.Node
    name: str = ""

    @property
    def version(self) -> Version:
        return TERRAFORM_FEATURES[self.feature][0]

    def describe(self) -> str:
        what = TERRAFORM_FEATURES[self.feature][1].format(name=self.name)
        return f"{what} ({self.file.display}:{self.node.line})"


# ---- versions and constraints --------------------------------------------------------


def parse_version(text: str) -> tuple[int, int, int] | None:
    m = _VERSION.match(text)
    if not m:
        return None
    return int(m.group(1)), int(m.group(2) or 0), int(m.group(3) or 0)


def show(version: Version) -> str:
    return f"{version[0]}.{version[1]}"


def parse_floor(value: object) -> Version:
    parsed = parse_version(str(value)) if value is not None else None
    return (parsed[0], parsed[1]) if parsed else FLOOR


@dataclass
class Clause:
    op: str  # "=", "!=", ">", ">=", "<", "<=", "~>"
    text: str  # the version as written
    version: tuple[int, int, int]
    parts: int  # how many numeric parts were written


def parse_constraint(text: str) -> list[Clause] | None:
    """A version constraint string as clauses; None if it does not parse."""
    clauses = []
    for raw in text.split(","):
        m = re.match(r"^\s*(~>|>=|<=|!=|=|>|<)?\s*(\S+)\s*$", raw)
        if not m:
            return None
        version = parse_version(m.group(2))
        if version is None:
            return None
        parts = len(m.group(2).lstrip("v").split("-")[0].split("."))
        clauses.append(Clause(m.group(1) or "=", m.group(2), version, parts))
    return clauses or None


def lower_bound(clauses: list[Clause]) -> tuple[int, int, int]:
    """The lowest version the constraint can allow (0.0.0 if it has no lower bound)."""
    bounds = [c.version for c in clauses if c.op in ("=", ">=", ">", "~>")]
    return max(bounds) if bounds else (0, 0, 0)


def allows(clauses: list[Clause], version: tuple[int, int, int]) -> bool:
    """Does the constraint allow ``version`` (prereleases ignored)?"""
    for c in clauses:
        v = c.version
        if c.op == "=" and version != v or c.op == "!=" and version == v:
            return False
        if c.op == ">" and not version > v or c.op == ">=" and not version >= v:
            return False
        if c.op == "<" and not version < v or c.op == "<=" and not version <= v:
            return False
        if c.op == "~>":
            if version < v:
                return False
            if c.parts <= 1:
                continue
            upper = (v[0] + 1, 0, 0) if c.parts == 2 else (v[0], v[1] + 1, 0)
            if version >= upper:
                return False
    return True


# ---- what the module uses --------------------------------------------------------------


def _optional_experiment(module: Module) -> bool:
    """True if a terraform block opts in to the pre-1.3 optional-attributes experiment."""
    for ref in module.blocks("terraform"):
        attr = ref.block.get_attribute("experiments")
        if attr is not None and "module_variable_optional_attrs" in attr.value.code:
            return True
    return False


def _is_true(block: cst.Block, name: str) -> cst.Attribute | None:
    attr = block.get_attribute(name)
    if attr is None:
        return None
    known, value = literal(attr.value)
    return None if known and value in (False, None) else attr


def _lifecycle_uses(f: SourceFile, owner: cst.Block) -> Iterator[Use]:
    for lc in owner.find_blocks("lifecycle"):
        for cond in lc.find_blocks("precondition") + lc.find_blocks("postcondition"):
            yield Use("conditions", f, cond)
        attr = lc.get_attribute("replace_triggered_by")
        if attr is not None:
            yield Use("replace_triggered_by", f, attr)


def _validation_refs(variable: cst.Block) -> Iterator[tuple[cst.Traversal, str]]:
    """References in a variable's validation blocks to anything but itself."""
    own = variable.label_values[0] if variable.labels else ""
    for validation in variable.find_blocks("validation"):
        iterators = _for_names(validation)
        for trav in references(validation):
            path = trav.path
            if not path or path[0] in BUILT_IN_ROOTS:
                continue
            if path[0] == "var" and len(path) >= 2 and path[1] == own:
                continue
            if path[0] in iterators:
                continue
            yield trav, ".".join(path[:2]) if len(path) > 1 else path[0]


def _for_names(node: cst.Node) -> set[str]:
    """Iterator names introduced by for expressions under ``node``."""
    names: set[str] = set()
    for n in node.walk():
        if isinstance(n, cst.ForIntro):
            names.add(str(n.value_var))
            if n.key_var is not None:
                names.add(str(n.key_var))
    return names


def feature_uses(module: Module) -> list[Use]:
    """Every use of a feature in ``TERRAFORM_FEATURES``, in file order."""
    uses: list[Use] = []
    experiment = _optional_experiment(module)
    for f in module.files:
        for item in f.tree.body.items:
            if not isinstance(item, cst.Block):
                continue
            kind = item.type
            if kind in ("moved", "import", "check", "removed"):
                uses.append(Use(kind, f, item))
            if kind == "import" and item.get_attribute("for_each") is not None:
                uses.append(Use("import_for_each", f, item.get_attribute("for_each")))
            if kind == "removed" and item.find_blocks("provisioner"):
                uses.append(Use("removed_provisioner", f, item.find_blocks("provisioner")[0]))
            if kind == "ephemeral":
                uses.append(Use("ephemeral_resource", f, item))
            if kind == "terraform":
                for cloud in item.find_blocks("cloud"):
                    uses.append(Use("cloud", f, cloud))
            if kind == "variable":
                if item.get_attribute("nullable") is not None:
                    uses.append(Use("nullable", f, item.get_attribute("nullable")))
                if (attr := _is_true(item, "ephemeral")) is not None:
                    uses.append(Use("ephemeral_value", f, attr, "variable"))
                type_attr = item.get_attribute("type")
                if type_attr is not None and not experiment:
                    for n in type_attr.value.walk():
                        if isinstance(n, cst.FunctionCall) and n.name == "optional":
                            uses.append(Use("optional", f, n))
                            break
                for trav, name in _validation_refs(item):
                    uses.append(Use("validation_references", f, trav, name))
                    break
            if kind == "output":
                if (attr := _is_true(item, "ephemeral")) is not None:
                    uses.append(Use("ephemeral_value", f, attr, "output"))
                for cond in item.find_blocks("precondition"):
                    uses.append(Use("conditions", f, cond))
            if kind in ("resource", "data"):
                uses.extend(_lifecycle_uses(f, item))
            if kind == "resource" and item.labels:
                if item.label_values[0] == "terraform_data":
                    uses.append(Use("terraform_data", f, item))
                for attr in item.body.attributes:
                    if attr.name.endswith("_wo"):
                        uses.append(Use("write_only", f, attr, attr.name))
            for n in item.walk():
                if isinstance(n, cst.FunctionCall):
                    if n.name.startswith("provider::"):
                        uses.append(Use("provider_functions", f, n, n.name))
                    elif n.name in NEW_FUNCTIONS:
                        uses.append(Use(NEW_FUNCTIONS[n.name], f, n, n.name))
    return uses


def needed_version(module: Module, floor: Version = FLOOR) -> tuple[Version, list[Use]]:
    """The lowest Terraform version that accepts the module, and the uses that set it
    (empty when it is the floor)."""
    uses = feature_uses(module)
    top = max((u.version for u in uses), default=floor)
    if top <= floor:
        return floor, []
    return top, [u for u in uses if u.version == top]


def because(uses: list[Use], limit: int = 2) -> str:
    if not uses:
        return ""
    shown = ", ".join(u.describe() for u in uses[:limit])
    more = f" and {len(uses) - limit} more" if len(uses) > limit else ""
    return f" for {shown}{more}"


def is_opentofu(module: Module) -> bool:
    """OpenTofu-only modules (.tofu files) compare required_version with OpenTofu's own
    version numbers, which this table does not describe."""
    return any(f.path.suffix == ".tofu" for f in module.files)


def has_content(module: Module) -> bool:
    return any(True for kind in CONTENT_BLOCKS for _ in module.blocks(kind))


def terraform_blocks(module: Module) -> list[tuple[SourceFile, cst.Block]]:
    return [(ref.file, ref.block) for ref in module.blocks("terraform")]


def preferred_terraform_block(module: Module) -> tuple[SourceFile, cst.Block] | None:
    """Where new settings go: a terraform block with required_providers, else one in
    versions.tf / terraform.tf, else the first."""
    blocks = terraform_blocks(module)
    for f, b in blocks:
        if b.find_blocks("required_providers"):
            return f, b
    for f, b in blocks:
        if f.path.name in ("versions.tf", "terraform.tf"):
            return f, b
    return blocks[0] if blocks else None


def first_content(module: Module) -> tuple[SourceFile, cst.Block] | None:
    for f in module.files:
        for item in f.tree.body.items:
            if isinstance(item, cst.Block) and item.type in CONTENT_BLOCKS:
                return f, item
    return None


def new_versions_file(module: Module, body: dict[str, object]) -> None:
    """Create versions.tf (or reuse a file of that name) holding ``terraform { body }``."""
    sf = module.new_file("versions.tf")
    existing = sf.tree.find_blocks("terraform")
    if existing:
        block = existing[0]
        for key, value in body.items():
            if isinstance(value, NewBlock):
                block.append_block(value)
            else:
                block.set_attribute(key, value)
        return
    sf.tree.append_block(NewBlock("terraform", body=body))


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
                block=block, fix=lambda b=block: b.set_attribute("required_version", constraint),
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
