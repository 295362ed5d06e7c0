"""TFX520: every reference in a module names something the module declares."""

from __future__ import annotations

import difflib
from collections.abc import Iterator
from typing import Any

from tffix.engine.module import BUILT_IN_ROOTS, Module, SourceFile
from tffix.engine.rules import DISPLAY_ONLY, FIX_NEVER, IMPACT_NONE, Finding, Rule
from tffix.syntax import cst
from tffix.transforms.lib.children import has_json_files, run_reads
from tffix.transforms.lib.written import plain

# Blocks whose references name things outside the module's declarations on purpose:
# `moved` / `removed` name addresses that no longer exist, `import` targets and the
# `terraform` block hold no expressions a plan evaluates.
SKIPPED_BLOCKS = {"moved", "removed", "import", "terraform"}
# Arguments that are not expressions over the module's objects: provider configurations
# (`provider = aws.west`) and the resource's own attributes (`ignore_changes = [tags]`).
SKIPPED_ARGUMENTS = {"provider", "providers", "ignore_changes"}
WHAT = {"var": "variable", "local": "local value", "module": "module call", "data": "data source",
        "ephemeral": "ephemeral resource", "resource": "resource"}
VALIDATE_ERROR = {"var": "Reference to undeclared input variable", "local": "Reference to undeclared local value",
                  "module": "Reference to undeclared module", "data": "Reference to undeclared resource",
                  "ephemeral": "Reference to undeclared resource", "resource": "Reference to undeclared resource"}


def _declared(module: Module) -> dict[str, set[str]]:
    """The names the module declares, by the reference root that reaches them (from the
    names each file declares, ``Module.file_fact``)."""
    names: dict[str, set[str]] = {k: set() for k in WHAT}
    for sf in module.files:
        for root, found in module.file_fact("TFX520.declared", sf, lambda sf=sf: _declared_in(module, sf)).items():
            names[root].update(found)
    return names


def _declared_in(module: Module, sf: SourceFile) -> dict[str, set[str]]:
    names: dict[str, set[str]] = {k: set() for k in WHAT}
    for ref in module.blocks_of(sf):
        block = ref.block
        kind = block.type
        if kind in ("variable", "module"):
            labels = block.label_values
            if labels:
                names["var" if kind == "variable" else "module"].add(labels[0])
        elif kind == "locals":
            names["local"].update(attr.name for attr in block.body.attributes)
        elif kind in ("resource", "data", "ephemeral"):
            labels = block.label_values
            if len(labels) == 2:
                names[kind].add(".".join(labels))
        elif kind == "check":  # a check block's own data sources are in scope there
            names["data"].update(".".join(d.label_values) for d in block.find_blocks("data")
                                 if len(d.label_values) == 2)
    return names


def _bound_names(module: Module) -> set[str]:
    """Names bound by `for` expressions, template `for` directives and `dynamic` blocks
    (their label or `iterator`) anywhere in the module: a reference rooted there is a
    local iterator, not a resource."""
    bound: set[str] = set()
    for sf in module.files:
        bound.update(module.file_fact("TFX520.bound", sf, lambda sf=sf: _bound_in(module, sf)))
    return bound


def _bound_in(module: Module, sf: SourceFile) -> set[str]:
    bound: set[str] = set()
    # a name is bound only by a ``for`` (an expression or a template directive) or a ``dynamic``
    # block, keywords a file's text spells where they are written (``lib/written.py``)
    text = sf.text
    if "for" not in text and "dynamic" not in text:
        return bound
    for item in sf.tree.body.items:
        for node in module.nodes(item, BINDERS):
            if isinstance(node, cst.Block):
                if node.type == "dynamic" and node.label_values:
                    bound.add(node.label_values[0])
                    iterator = node.get_attribute("iterator")
                    if iterator is not None and isinstance(iterator.value, cst.Variable):
                        bound.add(iterator.value.name)
            else:
                bound.update(str(t) for t in (node.key_var, node.value_var) if t is not None)
    return bound


BINDERS = (cst.ForIntro, cst.TemplateFor, cst.Block)


def _references(module: Module, block: cst.Block) -> list[cst.Traversal]:
    """Traversals under ``block``, in walk order, leaving out those under the arguments
    in SKIPPED_ARGUMENTS (object keys are variables, never traversals)."""
    if plain(block):  # no expression but literals: nothing to walk for
        return []
    found: list[cst.Traversal] = module.nodes(block, cst.Traversal)  # type: ignore[assignment]
    skipped = _skipped_arguments(block)
    if not skipped:
        return found
    out = {id(t) for a in skipped for t in a.walk() if isinstance(t, cst.Traversal)}
    return [t for t in found if id(t) not in out]


def _undeclared(module: Module, block: cst.Block, declared: dict[str, set[str]], bound: set[str]
                ) -> list[tuple[cst.Traversal, tuple[str, str]]]:
    """The references of ``block`` to names the module does not declare, with (kind, name)."""
    out = []
    for trav in _references(module, block):
        path = trav.path
        if not path or path[0] in bound:
            continue
        target = _target(path)
        if target is None or target[1] in declared[target[0]]:
            continue
        out.append((trav, target))
    return out


def _skipped_arguments(block: cst.Block) -> list[cst.Attribute]:
    """The arguments named in SKIPPED_ARGUMENTS under ``block``, at any depth: arguments are
    the items of block bodies only (no expression holds one), so the bodies are read, not
    every node."""
    out: list[cst.Attribute] = []
    todo = [block]
    while todo:
        for item in todo.pop().body.items:
            if isinstance(item, cst.Block):
                todo.append(item)
            elif item.name in SKIPPED_ARGUMENTS:
                out.append(item)
    return out


def _target(path: list[str]) -> tuple[str, str] | None:
    """(kind, name) a reference path asks the module for, or None when it names no
    declaration (a built-in, or too short to tell)."""
    root = path[0]
    if root in BUILT_IN_ROOTS:
        return None
    if root in ("var", "local", "module"):
        return (root, path[1]) if len(path) >= 2 else None
    if root in ("data", "ephemeral"):
        return (root, f"{path[1]}.{path[2]}") if len(path) >= 3 else None
    if "_" in root and len(path) >= 2:  # resource types are <provider>_<name>
        return ("resource", f"{root}.{path[1]}")
    return None


# (name, the declared names it was compared with) -> the closest of them (None: none close
# enough): a module checked again after a round of fixes, or a name missing in many modules,
# asks again; at most ``_HINTS_LIMIT`` are kept
_HINTS: dict[tuple[str, frozenset[str]], str | None] = {}
_HINTS_LIMIT = 50_000


def _closest(name: str, declared: frozenset[str]) -> str | None:
    """``difflib.get_close_matches(name, sorted(declared), n=1, cutoff=0.6)``, or None: the
    same answer, without comparing names whose lengths alone rule them out (difflib's own
    first test, ``real_quick_ratio``), and once per process for the same question."""
    key = (name, declared)
    try:
        return _HINTS[key]
    except KeyError:
        pass
    size = len(name)
    near = [d for d in sorted(declared)
            if (2.0 * min(len(d), size) / (len(d) + size) if len(d) + size else 1.0) >= 0.6]
    close = difflib.get_close_matches(name, near, n=1, cutoff=0.6)
    if len(_HINTS) >= _HINTS_LIMIT:
        _HINTS.clear()
    found = _HINTS[key] = close[0] if close else None
    return found


def _address(kind: str, name: str) -> str:
    return name if kind == "resource" else f"{kind}.{name}"


class UndeclaredReference(Rule):
    """
    ## What it does
    Reports references to things the module does not declare: `var.x` without a
    `variable "x"` block, `local.x` without such a local value, `module.x` without a
    `module "x"` call, `data.t.n` / `ephemeral.t.n` without that block, and `t.n` without a
    `resource "t" "n"`. The finding points at the reference and suggests the closest
    declared name when there is one ("did you mean var.domain?"). Every `.tf` / `.tofu` file
    of the directory is read, so a declaration in another file counts.

    Left alone: names bound by `for` expressions, template `for` directives and `dynamic`
    blocks (`ingress.value`, a custom `iterator`); `count`, `each`, `self`, `path`,
    `terraform`; provider references (`provider = aws.west`, `providers = { ... }`);
    `lifecycle { ignore_changes = [...] }` (it names the resource's own attributes); `moved`,
    `removed` and `import` blocks (they name old or external addresses on purpose); a check
    block's scoped data sources. A module with `*.tf.json` files is skipped as a whole, since
    tffix does not read JSON declarations. Display only.

    ## Why is this bad?
    Terraform refuses the whole configuration (`terraform validate`, `plan`: "Reference to
    undeclared input variable", "Reference to undeclared resource", ...). Generated modules
    often reference variables that were never declared or were renamed half-way (seed 003 §3
    "Route53 module references `var.domain_name`, never defined"; seed 000 §7 "Incomplete
    resource references in output declarations"). tffix finds these without `terraform init`,
    so it works in pre-commit and on code whose providers cannot be downloaded.

    ## Example
    ```hcl
    variable "domain" {
      type = string
    }

    resource "aws_route53_record" "www" {
      zone_id = var.hosted_zone_id
      name    = "www.${var.domain_name}"
      type    = "CNAME"
      ttl     = 300
      records = [aws_lb.web.dns_name]
    }
    ```

    ## Use instead
    ```hcl
    variable "domain" {
      type = string
    }

    data "aws_route53_zone" "main" {
      name = var.domain
    }

    resource "aws_route53_record" "www" {
      zone_id = data.aws_route53_zone.main.zone_id
      name    = "www.${var.domain}"
      type    = "CNAME"
      ttl     = 300
      records = [aws_lb.web.dns_name]
    }

    resource "aws_lb" "web" {
      name    = "web"
      subnets = ["subnet-0a1b2c3d", "subnet-4e5f6a7b"]
    }
    ```

    ## Fix safety
    No fix: whether to declare the missing variable (with which type and default), rename the
    reference, or add the missing resource is the author's decision.

    ## Deployment impact
    None (display only). The configuration does not plan until the reference is fixed.

    ## References
    - Terraform language docs, "References to Named Values" (`var.`, `local.`, `module.`,
      `data.`, `ephemeral.`, `<type>.<name>`, `count`, `each`, `self`, `path`, `terraform`)
      and "dynamic Blocks" (the label, or `iterator`, names the current element)
    - Terraform's diagnostics "Reference to undeclared input variable", "Reference to
      undeclared local value", "Reference to undeclared module", "Reference to undeclared
      resource" (checked with `terraform validate`, Terraform 1.11, on 2026-12-05; a data
      source gets the last one too)
    - Seed 003 §3, seed 000 §7 (`../shared/seeds`)
    - No Checkov or Trivy check: both evaluate the configuration and skip what does not resolve
    """

    id = "TFX520"
    name = "undeclared-reference"
    summary = "References name variables, locals, modules, resources and data sources the module declares"
    fix_availability = FIX_NEVER
    safety = DISPLAY_ONLY
    impact = IMPACT_NONE

    def check(self, module: Module, options: dict[str, Any]) -> Iterator[Finding]:
        reads = run_reads(module)
        has_json = reads.get("TFX520.json")  # the directory as it was in an earlier round of this check
        if has_json is None:
            has_json = reads["TFX520.json"] = has_json_files(module.directory)
        if has_json:
            return
        declared = _declared(module)
        bound = _bound_names(module)
        # what each block referred to that is not declared, from the last round of this check:
        # a block that is the same object (the engine parses again every item a fix changed) in a
        # module that declares and binds the same names refers to the same undeclared names; in
        # a file a round left as it was (``Module.file_fact``), every block is such a block
        earlier: dict[int, tuple[cst.Block, list[tuple[cst.Traversal, tuple[str, str]]]]] = {}
        if reads.get("TFX520.names") == (declared, bound):
            earlier = reads.get("TFX520.blocks", {})  # type: ignore[assignment]
        now: dict[int, tuple[cst.Block, list[tuple[cst.Traversal, tuple[str, str]]]]] = {}
        reads["TFX520.names"], reads["TFX520.blocks"] = (declared, bound), now
        hints: dict[tuple[str, str], str] = {}  # a name referred to again gets the same hint
        frozen: dict[str, frozenset[str]] = {}
        for sf in module.files:
            found = module.file_fact("TFX520.undeclared", sf, dict)  # (declared, bound) -> [(ref, undeclared)]
            names = (declared, bound)
            if found.get("names") != names:
                found["names"] = names
                found["blocks"] = self._blocks(module, sf, declared, bound, earlier)
            for ref, undeclared in found["blocks"]:
                now[id(ref.block)] = (ref.block, undeclared)
                if undeclared:  # (most blocks: nothing to report)
                    yield from self._report(ref, undeclared, declared, hints, frozen)

    def _blocks(self, module: Module, sf: SourceFile, declared: dict[str, set[str]], bound: set[str],
                earlier: dict[int, tuple[cst.Block, list[tuple[cst.Traversal, tuple[str, str]]]]],
                ) -> list[tuple[Any, list[tuple[cst.Traversal, tuple[str, str]]]]]:
        """Each block of ``sf`` the check reads, with its undeclared references (those of
        ``earlier`` for a block that is the same object)."""
        out = []
        for ref in module.blocks_of(sf):
            if ref.block.type in SKIPPED_BLOCKS:
                continue
            kept = earlier.get(id(ref.block))
            if kept is not None and kept[0] is ref.block:
                undeclared = kept[1]
            else:
                undeclared = _undeclared(module, ref.block, declared, bound)
            out.append((ref, undeclared))
        return out

    def _report(self, ref: Any, undeclared: list[tuple[cst.Traversal, tuple[str, str]]],
                declared: dict[str, set[str]], hints: dict[tuple[str, str], str],
                frozen: dict[str, frozenset[str]]) -> Iterator[Finding]:
        for trav, target in undeclared:
            kind, name = target
            address = _address(kind, name)
            hint = hints.get(target)
            if hint is None:
                names = frozen.get(kind)
                if names is None:
                    names = frozen[kind] = frozenset(declared[kind])
                close = _closest(name, names)
                hint = hints[target] = f"; did you mean {_address(kind, close)}?" if close is not None else ""
            yield self.finding(
                ref.file, trav,
                f"{address} is not declared in this module (no {WHAT[kind]} of that name in any of its "
                f"files), so terraform validate fails with \"{VALIDATE_ERROR[kind]}\"; declare it or fix "
                f"the reference{hint}",
                block=ref.block)
