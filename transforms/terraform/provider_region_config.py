"""TFX506: provider configurations of a multi-region module are declared once and used."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from tffix.engine.module import BlockRef, Module, SourceFile
from tffix.engine.rules import (
    DISPLAY_ONLY,
    FIX_NEVER,
    IMPACT_NONE,
    Finding,
    Rule,
    literal,
)
from tffix.syntax import cst
from tffix.transforms.lib.providers import entries

# blocks whose top-level `provider` argument selects a provider configuration
SELECTING = ("resource", "data", "ephemeral", "import", "removed", "list", "action")
# AWS provider settings that do not decide where (region) or as whom (account) it works
NOT_LOCATION = {"alias", "default_tags", "ignore_tags", "version"}


@dataclass
class Config:
    ref: BlockRef
    name: str
    alias: str | None  # None: the default configuration
    alias_node: cst.Node | None

    @property
    def shown(self) -> str:
        return f'provider "{self.name}"' + (f' alias "{self.alias}"' if self.alias else " (default)")

    @property
    def where(self) -> str:
        return f"{self.ref.file.display}:{self.ref.block.line}"


def configs(module: Module) -> list[Config]:
    """The provider blocks whose alias is a literal (or absent)."""
    out = []
    for ref in module.blocks("provider"):
        labels = ref.block.label_values
        if len(labels) != 1:
            continue
        attr = ref.block.get_attribute("alias")
        if attr is None:
            out.append(Config(ref, labels[0], None, None))
            continue
        known, value = literal(attr.value)
        if known and isinstance(value, str):
            out.append(Config(ref, labels[0], value, attr.value))
    return out


def selected(expr: cst.Node) -> tuple[str, str] | None:
    """``aws.west`` (or ``aws.by_region[each.key]``, or the legacy string ``"aws.west"``)
    -> ``("aws", "west")``; a bare ``aws`` or anything else -> None."""
    if isinstance(expr, cst.Traversal):
        path = expr.path
        return (path[0], path[1]) if len(path) >= 2 else None
    known, value = literal(expr)
    if known and isinstance(value, str) and value.count(".") == 1:
        name, alias = value.split(".")
        return name, alias
    return None


def selections(module: Module) -> Iterator[tuple[SourceFile, cst.Block, cst.Node, tuple[str, str]]]:
    """Every ``provider = x.y`` and every value of a module call's ``providers`` map (from
    each file's, ``Module.file_fact``: a file no fix changed is not read again)."""
    for sf in module.files:
        yield from module.file_fact("TFX506.selections", sf, lambda sf=sf: list(_selections(module, sf)))


def _selections(module: Module, sf: SourceFile) -> Iterator[tuple[SourceFile, cst.Block, cst.Node, tuple[str, str]]]:
    if "provider" not in sf.text:  # no ``provider`` or ``providers`` argument
        return
    for ref in module.blocks_of(sf):
        blocks = [ref.block]
        if ref.block.type == "check":
            blocks = ref.block.find_blocks("data")
        elif ref.block.type not in SELECTING and ref.block.type != "module":
            continue
        for block in blocks:
            if block.type == "module":
                attr = block.get_attribute("providers")
                if attr is not None and isinstance(attr.value, cst.Object):
                    for item in attr.value.items:
                        if (sel := selected(item.value)) is not None:
                            yield ref.file, ref.block, item.value, sel
                continue
            attr = block.get_attribute("provider")
            if attr is not None and (sel := selected(attr.value)) is not None:
                yield ref.file, ref.block, attr.value, sel


def used_aliases(module: Module) -> set[tuple[str, str]]:
    """Every ``name.alias`` referred to anywhere outside provider blocks."""
    out = set()
    for ref in module.blocks():
        if ref.block.type == "provider":
            continue
        for node in module.nodes(ref.block, cst.Traversal):
            path = node.path  # type: ignore[attr-defined]
            if len(path) >= 2:
                out.add((path[0], path[1]))
    out |= {sel for *_, sel in selections(module)}
    return out


def declared_aliases(module: Module) -> set[tuple[str, str]]:
    """``configuration_aliases = [aws.west]`` in required_providers."""
    out = set()
    for e in entries(module):
        item = e.item("configuration_aliases")
        if item is not None and isinstance(item.value, cst.Tuple):
            for value in item.value.items:
                if (sel := selected(value)) is not None:
                    out.add(sel)
    return out


def location(config: Config) -> dict[str, str]:
    """The settings that decide region and account, as written."""
    out = {}
    for item in config.ref.block.body.items:
        if isinstance(item, cst.Attribute) and item.name not in NOT_LOCATION:
            out[item.name] = " ".join(item.value.code.split())
        elif isinstance(item, cst.Block) and item.type not in NOT_LOCATION:
            out[f"{item.type} {item.label_values}"] = " ".join(
                t for t in item.body.code.split() if not t.startswith("#"))
    return out


class ProviderRegionConfig(Rule):
    """
    ## What it does
    Checks the provider configurations of a module, which is where multi-region
    deployments go wrong. It reports:
    1. two `provider` blocks for the same provider with the same alias, or two without
       an alias (`terraform init` and `terraform validate` reject this with "Duplicate
       provider configuration"; tffix runs without `init`, so it says so first);
    2. an aliased provider configuration (`provider "aws" { alias = "us_east_1" ... }`)
       that nothing selects: no `provider = aws.us_east_1` in a resource, data source or
       import, no `providers = { aws = aws.us_east_1 }` in a module call, no other
       reference to it;
    3. a `provider = aws.west` or `providers = { aws = aws.west }` that selects an alias
       the module does not declare, neither with a `provider` block nor in
       `configuration_aliases` (Terraform fails on it when it builds the plan graph:
       "Provider configuration not present"); reported only when the module has a
       `provider` block or `configuration_aliases` for that provider;
    4. two AWS provider configurations whose region and credential settings are written
       the same (every argument and block other than `alias`, `default_tags`,
       `ignore_tags` and `version`, compared as text: `region = var.region` twice is the
       same region): the second configuration points at the same region and account as the
       first. Empty (proxy) configurations such as `provider "aws" { alias = "src" }` are
       not compared: their settings come from the caller or the environment.

    ## Why is this bad?
    Multi-region setups (replicas, disaster recovery, CloudFront certificates in
    us-east-1) rely on every resource selecting the right provider configuration (seed 000
    §12 "Provider configuration issues in multi-region deployments"). An alias that nothing
    uses means the resources meant for that region were created with the default provider,
    in the default region; a "replica" provider with the primary's region puts the replica
    next to the primary, where one regional outage takes both. Neither is an error Terraform
    reports.

    ## Example
    ```hcl
    # file: providers.tf
    provider "aws" {
      region = "eu-west-1"
    }

    provider "aws" {
      alias  = "us_east_1"
      region = "us-east-1"
    }
    ```

    ```hcl
    resource "aws_acm_certificate" "cdn" {
      domain_name       = "example.com"
      validation_method = "DNS"
    }
    ```

    ## Use instead
    ```hcl
    resource "aws_acm_certificate" "cdn" {
      provider          = aws.us_east_1
      domain_name       = "example.com"
      validation_method = "DNS"
    }
    ```

    ## Fix safety
    No fix: which resources belong to which region is a design decision, and moving a
    resource to another provider configuration replaces it.

    ## Deployment impact
    None (display only). Changing a resource's `provider` to another region recreates it
    there.

    ## References
    - Terraform docs: Provider configuration (`alias`, selecting an alternate provider
      configuration with `provider`), module `providers` argument, `configuration_aliases`
    - Terraform error messages "Duplicate provider configuration" (at `init`/`validate`)
      and "Provider configuration not present"
    - Terraform AWS provider docs: provider arguments `region`, `assume_role`, `profile`,
      `default_tags`, `ignore_tags`
    - Seed 000 §12 "Provider configuration issues in multi-region deployments"
    - No Checkov or Trivy check compares provider configurations
    """

    id = "TFX506"
    name = "provider-region-config"
    summary = "Provider configurations are declared once, used, and point at different regions"
    fix_availability = FIX_NEVER
    safety = DISPLAY_ONLY
    impact = IMPACT_NONE

    def check(self, module: Module, options: dict[str, Any]) -> Iterator[Finding]:
        found = configs(module)
        seen: dict[tuple[str, str | None], Config] = {}
        for c in found:
            key = (c.name, c.alias)
            if key in seen:
                first = seen[key]
                yield self.finding(
                    c.ref.file, c.alias_node or c.ref.block,
                    f"{c.shown} is configured twice (first at {first.where}); Terraform rejects duplicate provider "
                    "configurations: remove one or give it its own alias",
                    block=c.ref.block)
            else:
                seen[key] = c
        # read only when a configuration has an alias to look for (walks every block)
        used = used_aliases(module) if any(c.alias is not None and c.alias_node is not None
                                           for c in seen.values()) else set()
        for c in seen.values():
            if c.alias is not None and (c.name, c.alias) not in used and c.alias_node is not None:
                yield self.finding(
                    c.ref.file, c.alias_node,
                    f"{c.shown} is never selected: no resource, data source or module uses provider = "
                    f"{c.name}.{c.alias} or providers = {{ {c.name} = {c.name}.{c.alias} }}, so whatever was meant "
                    "for it runs with the default configuration; select it where needed or remove it",
                    block=c.ref.block)
        declared = {(c.name, c.alias) for c in found if c.alias is not None} | declared_aliases(module)
        names = {c.name for c in found} | {n for n, _ in declared_aliases(module)}
        for file, block, node, (name, alias) in selections(module):
            if name in names and (name, alias) not in declared:
                yield self.finding(
                    file, node,
                    f"{BlockRef(file, block).address} selects {name}.{alias}, which no provider block or "
                    f"configuration_aliases declares; Terraform fails with \"Provider configuration not present\": "
                    f'add provider "{name}" {{ alias = "{alias}" ... }} or fix the name',
                    block=block)
        aws = [c for c in seen.values() if c.name == "aws"]
        for i, c in enumerate(aws):
            settings = location(c)
            if not settings:
                continue
            for other in aws[:i]:
                if location(other) == settings:
                    region = settings.get("region")
                    yield self.finding(
                        c.ref.file, c.alias_node or c.ref.block,
                        f"{c.shown} has the same region and credentials as {other.shown} ({other.where}"
                        f"{', region ' + region if region else ''}): resources that select it land in the same "
                        "region and account; set the region (or role) it is meant for",
                        block=c.ref.block)
                    break
