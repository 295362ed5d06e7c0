"""TFX807: a module spells each tag key one way, and a root module puts shared tags in default_tags."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from tffix.engine.module import BlockRef, Module, SourceFile
from tffix.engine.rules import DISPLAY_ONLY, FIX_NEVER, IMPACT_NONE, Finding, Rule
from tffix.syntax import cst
from tffix.transforms.lib.environment import is_root_module
from tffix.transforms.lib.settings import nested

# functions whose literal map arguments are read as tags
MAP_FUNCTIONS = ("merge", "tomap")
# how many resources must repeat a tag before it belongs in default_tags
MIN_REPEATS = 3


@dataclass
class Key:
    ref: BlockRef
    node: cst.Node  # the key as written in the map
    key: str
    value: str  # the value's code, whitespace collapsed

    @property
    def where(self) -> str:
        return f"{self.ref.file.display}:{self.node.line}"


def normalize(key: str) -> str:
    """``Cost-Center`` / ``cost_center`` / ``COSTCENTER`` -> ``costcenter``."""
    return "".join(ch for ch in key.lower() if ch not in "-_ ")


def map_keys(expr: cst.Node | None) -> Iterator[tuple[cst.ObjectItem, str]]:
    """The literal keys of a literal map, or of the literal maps given to merge()/tomap()."""
    if isinstance(expr, cst.Object):
        for item in expr.items:
            name = item.key_name
            if name is not None:
                yield item, name
    elif isinstance(expr, cst.FunctionCall) and expr.name in MAP_FUNCTIONS:
        for arg in expr.arguments:
            yield from map_keys(arg)


def _bodies(block: cst.Block) -> Iterator[cst.Block]:
    yield block
    for child in block.body.blocks:
        yield from _bodies(child)


def tag_maps(module: Module, sf: SourceFile) -> Iterator[tuple[BlockRef, cst.Attribute]]:
    """``tags = ...`` in resources, module calls and provider default_tags (at any depth:
    launch templates' ``tag_specifications`` too), and locals named ``tags`` or ``*_tags``,
    in one file. Data sources are left out: their ``tags`` filter on tags someone else wrote."""
    for ref in module.blocks_of(sf):
        kind = ref.block.type
        if kind in ("resource", "module", "provider"):
            for body in _bodies(ref.block):
                attr = body.get_attribute("tags")
                if attr is not None and (body is not ref.block or kind != "provider"):
                    yield ref, attr
        elif kind == "locals":
            for attr in ref.block.body.attributes:
                if attr.name.lower() == "tags" or attr.name.lower().endswith("_tags"):
                    yield ref, attr


def keys(module: Module) -> list[Key]:
    """The tag keys written in the module, from each file's (``Module.file_fact``)."""
    return [k for sf in module.files for k in module.file_fact("TFX807.keys", sf, lambda sf=sf: _keys(module, sf))]


def _keys(module: Module, sf: SourceFile) -> list[Key]:
    out: list[Key] = []
    # no argument name that, lower-cased, spells ``tags`` (``str.lower`` maps no character
    # but these letters' capitals to them, so the text lower-cased spells it too)
    if "tags" not in sf.text.lower():
        return out
    for ref, attr in tag_maps(module, sf):
        for item, name in map_keys(attr.value):
            out.append(Key(ref, item.key, name, " ".join(item.value.code.split())))
    return out


def has_default_tags(provider: cst.Block) -> bool:
    static, dynamic = nested(provider, "default_tags")
    return bool(static or dynamic)


def label(ref: BlockRef) -> str:
    return "locals" if ref.block.type == "locals" else ref.address


class TagConsistency(Rule):
    """
    ## What it does
    Reads the tag maps of a module: `tags = { ... }` in resources, module calls and the
    provider's `default_tags` (nested blocks too, such as a launch template's
    `tag_specifications`), locals named `tags` or `*_tags`, and the literal maps given to
    `merge(...)` or `tomap(...)` there. Only keys written literally are read; data sources
    are not (their `tags` match tags written elsewhere). It reports two things:
    1. a tag key spelled two ways in one module: keys that are equal once lower-cased
       and stripped of `-`, `_` and spaces (`Environment` / `environment` / `ENVIRONMENT`,
       `CostCenter` / `cost-center`). Each use of a less common spelling is reported at
       the key and names the most common one (on a tie, the first one written);
    2. in a root module (one with a `backend` or `cloud` block or a `provider` block)
       whose default `provider "aws"` has no `default_tags`: tags with the same key and
       the same value (as written, `Environment = var.environment`) repeated on at least
       three AWS resources that use that provider. The finding is on the provider block
       and lists those tags. `Name` is never suggested: it names one resource.

    ## Why is this bad?
    AWS tag keys are case-sensitive: `Environment` and `environment` are two tags, so cost
    allocation reports, tag policies, IAM conditions on `aws:ResourceTag/Environment` and
    resource groups see only part of the resources (seed 003 §12 "Inconsistent Tag
    Naming", seed 000 §4 "Inadequate tagging strategy"). Tags copied onto every resource
    drift apart as resources are added, and resources that someone forgets get none;
    `default_tags` on the provider applies them to every resource that supports tags.

    ## Example
    ```hcl
    provider "aws" {
      region = "eu-west-1"
    }

    resource "aws_instance" "web" {
      # ...
      tags = { Environment = var.env, Project = "shop" }
    }

    resource "aws_db_instance" "db" {
      # ...
      tags = { environment = var.env, Project = "shop" }
    }

    resource "aws_s3_bucket" "assets" {
      # ...
      tags = { Environment = var.env, Project = "shop" }
    }
    ```

    ## Use instead
    ```hcl
    provider "aws" {
      region = "eu-west-1"

      default_tags {
        tags = {
          Environment = var.env
          Project     = "shop"
        }
      }
    }

    resource "aws_instance" "web" {
      # ...
    }

    resource "aws_db_instance" "db" {
      # ...
    }

    resource "aws_s3_bucket" "assets" {
      # ...
    }
    ```

    ## Fix safety
    No fix: renaming a key removes the old tag and adds a new one, which can break cost
    reports, tag-based IAM conditions and automation that read the old spelling; moving
    tags to `default_tags` changes the plan of every resource. Decide on the spelling first.

    ## Deployment impact
    None (display only). Changing tags yourself is an in-place update of each resource.

    ## References
    - Terraform AWS provider docs: provider `default_tags` (applies to every resource that
      supports `tags`; a resource's own `tags` win on a conflicting key), `tags_all`
    - AWS Tagging Best Practices whitepaper / AWS General Reference "Tagging AWS resources"
      (tag keys and values are case-sensitive)
    - Seed 003 §12 "Inconsistent Tag Naming", seed 000 §4 "Inadequate tagging strategy"
    - No Checkov or Trivy check compares tag keys across resources
    """

    id = "TFX807"
    name = "tag-consistency"
    summary = "Tag keys are spelled one way per module and shared tags live in default_tags"
    fix_availability = FIX_NEVER
    safety = DISPLAY_ONLY
    impact = IMPACT_NONE

    def check(self, module: Module, options: dict[str, Any]) -> Iterator[Finding]:
        found = keys(module)
        yield from self._spellings(found)
        yield from self._default_tags(module, found)

    def _spellings(self, found: list[Key]) -> Iterator[Finding]:
        groups: dict[str, list[Key]] = {}
        for k in found:
            groups.setdefault(normalize(k.key), []).append(k)
        for same in groups.values():
            counts: dict[str, int] = {}
            for k in same:
                counts[k.key] = counts.get(k.key, 0) + 1
            if len(counts) < 2:
                continue
            best = max(counts, key=lambda s: counts[s])  # first written wins a tie
            example = next(k for k in same if k.key == best)
            for k in same:
                if k.key == best:
                    continue
                times = "once" if counts[best] == 1 else f"{counts[best]} times"
                yield self.finding(
                    k.ref.file, k.node,
                    f'{label(k.ref)} tag key "{k.key}" is spelled "{best}" elsewhere in this module ({times}, '
                    f"e.g. {example.where}); tag keys are case-sensitive, so reports and policies see two "
                    f'different tags: use "{best}"',
                    block=k.ref.block)

    def _default_tags(self, module: Module, found: list[Key]) -> Iterator[Finding]:
        if not is_root_module(module):
            return
        provider = next((ref for ref in module.blocks("provider", "aws")
                         if ref.block.get_attribute("alias") is None), None)
        if provider is None or has_default_tags(provider.block):
            return
        owners: dict[tuple[str, str], set[BlockRef]] = {}
        for k in found:
            block = k.ref.block
            if block.type != "resource" or not block.label_values[0].startswith("aws_"):
                continue
            if block.get_attribute("provider") is not None or normalize(k.key) == "name":
                continue
            tags = block.get_attribute("tags")
            if tags is None or not any(item.key is k.node for item, _ in map_keys(tags.value)):
                continue  # a nested block's tags: default_tags does not reach those
            owners.setdefault((k.key, k.value), set()).add(k.ref)
        repeated = [(key, value, len(refs)) for (key, value), refs in owners.items() if len(refs) >= MIN_REPEATS]
        if not repeated:
            return
        shown = ", ".join(f"{key} = {value}" for key, value, _ in repeated[:6]) + (", ..." if len(repeated) > 6 else "")
        most = max(n for *_, n in repeated)
        yield self.finding(
            provider.file, provider.block,
            f'provider "aws" has no default_tags, but up to {most} resources repeat the same tags ({shown}); '
            "move them to default_tags { tags = { ... } } in the provider so every resource gets them",
            block=provider.block)
