"""TFX504: every provider the module uses is declared in required_providers."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from functools import partial
from typing import Any

from tffix import edit
from tffix.engine.module import Module, SourceFile
from tffix.engine.rules import FIX_SOMETIMES, IMPACT_NONE, SAFE, UNSAFE, Finding, Rule
from tffix.syntax import cst
from tffix.syntax.build import NewBlock
from tffix.transforms.lib.providers import (
    BUILTIN,
    KNOWN_SOURCES,
    PROVIDER_VERSIONS_DATE,
    Versions,
    entries,
    names,
    safety_of,
)
from tffix.transforms.lib.terraform_block import (
    new_versions_file,
    preferred_terraform_block,
)


@dataclass
class Use:
    """The first place the module uses a provider local name."""

    name: str
    file: SourceFile
    block: cst.Block  # top-level block (for suppressions)
    node: cst.Node
    what: str


def _meta_provider(block: cst.Block) -> str | None:
    """The local name in a ``provider = aws.west`` meta-argument."""
    attr = block.get_attribute("provider")
    if attr is None:
        return None
    value = attr.value
    if isinstance(value, cst.Traversal) and value.path:
        return value.path[0]
    if isinstance(value, cst.Variable):
        return value.name
    return None


def _type_prefix(resource_type: str) -> str:
    return resource_type.split("_", 1)[0]


def provider_uses(module: Module) -> dict[str, Use]:
    """local name -> first use, in file order: resources, data sources and ephemeral
    resources (by `provider` meta-argument, else by type prefix), provider blocks, module
    `providers` maps and import blocks' `provider`."""
    found: dict[str, Use] = {}
    for f in module.files:
        # a file whose text does not spell ``provider`` has no ``provider`` argument (``lib/written.py``)
        selects = "provider" in f.text
        for item in f.tree.body.items:
            if not isinstance(item, cst.Block):
                continue
            # per block, kept across rounds while it is unchanged (it depends on nothing else)
            for name, top, node, what in module.item_fact("provider_missing.uses", item,
                                                          partial(_block_uses, item, selects)):
                if name and name not in BUILTIN and name not in found:
                    found[name] = Use(name, f, top, node, what)
    return found


def _block_uses(item: cst.Block, selects: bool = True) -> list[tuple[str, cst.Block, cst.Node, str]]:
    """The providers one top-level block uses: (local name, block, node, what), in order
    (``selects``: False when no ``provider`` argument is written in its file)."""
    out: list[tuple[str, cst.Block, cst.Node, str]] = []
    kind, labels = item.type, item.label_values
    if kind in ("resource", "data", "ephemeral") and len(labels) == 2:
        address = ".".join(labels) if kind == "resource" else f"{kind}.{'.'.join(labels)}"
        out.append(((_meta_provider(item) if selects else None) or _type_prefix(labels[0]), item, item, address))
    elif kind == "provider" and labels:
        out.append((labels[0], item, item, f'provider "{labels[0]}"'))
    elif kind == "module":
        attr = item.get_attribute("providers")
        if attr is not None and isinstance(attr.value, cst.Object):
            for it in attr.value.items:
                v = it.value
                name = v.path[0] if isinstance(v, cst.Traversal) and v.path else (
                    v.name if isinstance(v, cst.Variable) else None)
                if name:
                    out.append((name, item, it, f"module.{labels[0] if labels else ''}"))
    elif kind == "import":
        if (name := _meta_provider(item)) is not None:
            out.append((name, item, item.get_attribute("provider"), "an import block"))
    elif kind == "check":
        for data in item.find_blocks("data"):
            if len(data.labels) == 2:
                name = _meta_provider(data) or _type_prefix(data.label_values[0])
                out.append((name, item, data, f"data.{'.'.join(data.label_values)} in a check block"))
    return out


class RequiredProviderMissing(Rule):
    """
    ## What it does
    Declares in `required_providers` every provider the module uses but does not declare.
    A provider is "used" by a `resource`, `data` or `ephemeral` block (its local name is
    the `provider = x.alias` meta-argument, else the type's prefix before the first `_`:
    `aws_s3_bucket` uses `aws`), a `provider "x"` block, a module's `providers` map or an
    `import` block's `provider`. The built-in `terraform` provider (`terraform_data`,
    `terraform_remote_state`) needs no declaration.

    The new entry is `name = { source = "hashicorp/name", version = "..." }`, with the
    version chosen like TFX502 (lock file, then this rule's `provider-versions` option,
    which takes the same form as TFX502's, then the dated table of current major versions;
    a reusable module gets no version but from the options, see TFX502). It goes into the
    existing `required_providers`
    block, else into a new one in the module's `terraform` block, else into a new
    `versions.tf`. Only well-known `hashicorp/*` providers are added; any other name is
    reported without a fix because its source address cannot be guessed.

    ## Why is this bad?
    An undeclared provider gets the implied source `hashicorp/<name>` and no version
    constraint: `init` installs whatever is newest, and a third-party provider is looked
    up in the wrong namespace (seed 000 §12 "Missing version constraints on Terraform and
    providers", "Missing required provider features for specific resources").

    ## Example
    ```hcl
    terraform {
      required_providers {
        aws = {
          source  = "hashicorp/aws"
          version = "~> 6.0"
        }
      }
    }

    resource "random_id" "suffix" {
      byte_length = 4
    }
    ```

    ## Use instead
    ```hcl
    terraform {
      required_providers {
        aws = {
          source  = "hashicorp/aws"
          version = "~> 6.0"
        }
        random = {
          source  = "hashicorp/random"
          version = "~> 3.0"
        }
      }
    }

    resource "random_id" "suffix" {
      byte_length = 4
    }
    ```

    ## Fix safety
    **Safe** when the version comes from the lock file or from your rule options (the
    provider Terraform already installs is the one declared). **Unsafe** when it comes from
    the dated table of current major versions: it may exclude the version you actually run.
    Providers of the same terraform block and the same safety are added in one fix.

    ## Deployment impact
    None: provider requirements are checked by `terraform init`; no infrastructure changes.

    ## References
    - Terraform docs: Provider requirements (local names, implied source addresses),
      Resources: the `provider` meta-argument, Dependency lock file
    - Seed 000 §12 Provider and Version Management
    """

    id = "TFX504"
    name = "required-provider-missing"
    summary = "Providers the module uses must be declared in required_providers"
    fix_availability = FIX_SOMETIMES
    safety = UNSAFE
    impact = IMPACT_NONE
    options = {"provider-versions": {}}

    def check(self, module: Module, options: dict[str, Any]) -> Iterator[Finding]:
        declared = {e.name for e in entries(module)}
        used = provider_uses(module)
        missing = [u for name, u in used.items() if name not in declared]
        if not missing:
            return
        versions = Versions.of(module, options)
        by_safety: dict[str, list[tuple[Use, dict[str, str]]]] = {}
        for u in missing:
            source = KNOWN_SOURCES.get(u.name.lower())
            if source is None:
                hint = [src for src in versions.locked if src.rsplit("/", 1)[-1] == u.name.lower()]
                tip = f' (the lock file has "{hint[0]}")' if len(hint) == 1 else ""
                yield self.finding(u.file, u.node, f"{u.what} uses provider {u.name}, which required_providers "
                                   f"does not declare; add it with its source address{tip} and a version",
                                   block=u.block)
                continue
            found = versions.constraint(u.name, source)
            entry = {"source": source, **({"version": found[0]} if found else {})}
            by_safety.setdefault(safety_of(found[1]) if found else SAFE, []).append((u, entry))
        for safety, items in sorted(by_safety.items()):
            first = items[0][0]
            body = {u.name: e for u, e in items}
            listed = names([u.name for u, _ in items])
            where, apply, scope = self._placement(module, body)
            versions_ = names([f'{n} "{e["version"]}"' for n, e in body.items() if "version" in e])
            note = f" with versions {versions_}" if versions_ else ""
            if safety == UNSAFE:
                note += f" (current major versions as of {PROVIDER_VERSIONS_DATE})"
            yield self.finding(
                first.file, first.node,
                f"{first.what} uses provider{'s' if len(items) > 1 else ''} {listed}, which required_providers "
                "does not declare", block=first.block, fix=apply, scope=scope, safety=safety,
                description=f"declare {listed} in required_providers{where}{note}",
            )

    def _placement(self, module: Module, body: dict[str, dict[str, str]]):
        """(where, fix, scope) for adding ``body`` to required_providers."""
        rps = _required_provider_blocks(module)
        if rps:
            tf, rp = rps[0]
            return "", lambda: _add_entries(rp, body), (tf,)
        target = preferred_terraform_block(module)
        if target is not None:
            _, tf = target
            return " (new required_providers block)", lambda: edit.append_block(tf, 
                NewBlock("required_providers", body=body)), (tf,)
        return " (new versions.tf)", lambda: new_versions_file(
            module, {"required_providers": NewBlock("required_providers", body=body)}), (module,)


def _required_provider_blocks(module: Module) -> list[tuple[cst.Block, cst.Block]]:
    out = []
    for ref in module.blocks("terraform"):
        for rp in ref.block.find_blocks("required_providers"):
            out.append((ref.block, rp))
    return out


def _add_entries(rp: cst.Block, body: dict[str, dict[str, str]]) -> None:
    for name, entry in body.items():
        if rp.get_attribute(name) is None:
            attrs = rp.body.attributes
            edit.set_attribute(rp, name, entry, after=attrs[-1].name if attrs else None)
