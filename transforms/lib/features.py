"""Terraform language features and the release that introduced each: what version a module needs."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from functools import partial

from tffix.engine.module import BUILT_IN_ROOTS, Module, SourceFile, references
from tffix.engine.rules import literal
from tffix.syntax import cst
from tffix.transforms.lib.versions import Version, parse_version
from tffix.transforms.lib.written import plain, written

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
    """Every use of a feature in ``TERRAFORM_FEATURES``, in file order (computed once
    per state of the module: several rules ask)."""
    return list(module.fact("features.feature_uses", lambda: _feature_uses(module)))


def _feature_uses(module: Module) -> list[Use]:
    uses: list[Use] = []
    experiment = _optional_experiment(module)
    key = ("features.item_uses", experiment)
    for f in module.files:
        write_only = "_wo" in f.text  # else no argument name ends so (``lib/written.py``)
        for item in f.tree.body.items:
            if isinstance(item, cst.Block):  # per block, kept across rounds while it is unchanged
                uses += module.item_fact(key, item, partial(_item_uses, module, f, item, experiment, write_only))
    return uses


def _item_uses(module: Module, f: SourceFile, item: cst.Block, experiment: bool, write_only: bool = True
               ) -> list[Use]:
    """The feature uses in one top-level block (they depend on nothing else; ``write_only``:
    False when its file's text rules out write-only argument names)."""
    uses: list[Use] = []
    flat = plain(item)  # no nested block, no function call
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
    if kind in ("resource", "data") and not flat:
        uses.extend(_lifecycle_uses(f, item))
    if kind == "resource" and item.labels:
        if item.labels[0].value == "terraform_data":
            uses.append(Use("terraform_data", f, item))
        if write_only:
            for attr in item.body.attributes:
                if attr.name.endswith("_wo"):
                    uses.append(Use("write_only", f, attr, attr.name))
    for n in () if flat else written(module, item, cst.FunctionCall):
        name = n.name  # type: ignore[attr-defined]
        if name.startswith("provider::"):
            uses.append(Use("provider_functions", f, n, name))
        elif name in NEW_FUNCTIONS:
            uses.append(Use(NEW_FUNCTIONS[name], f, n, name))
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


def parse_floor(value: object) -> Version:
    parsed = parse_version(str(value)) if value is not None else None
    return (parsed[0], parsed[1]) if parsed else FLOOR
