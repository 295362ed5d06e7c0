"""TFX503: required_providers entries use the object form with an explicit source."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from tffix import edit
from tffix.engine.module import Module
from tffix.engine.rules import FIX_SOMETIMES, IMPACT_NONE, SAFE, Finding, Rule
from tffix.syntax import cst
from tffix.transforms.lib.providers import KNOWN_SOURCES, Entry, entries, group, names


class ProviderSource(Rule):
    """
    ## What it does
    Rewrites `required_providers` entries into the object form with an explicit `source`:
    - the legacy string form `aws = "~> 5.0"` becomes
      `aws = { source = "hashicorp/aws", version = "~> 5.0" }` (the version is kept as
      written);
    - an object without `source` (`aws = { version = "~> 5.0" }`) is rewritten with
      `source = "hashicorp/aws"` as its first item, one item per line (an object with
      comments inside keeps its layout and gets `source` as its last item).

    Only for the well-known `hashicorp/*` providers (aws, azurerm, google, kubernetes,
    helm, random, null, tls, archive, local, time, http, ...). For any other name the
    implied source `hashicorp/<name>` is very likely wrong (most third-party providers
    live in their own namespace, such as `DataDog/datadog`), so the entry is reported
    without a fix: write the source the registry shows.

    ## Why is this bad?
    The string form is the Terraform 0.12 syntax; since 0.13 an entry without `source`
    silently means `registry.terraform.io/hashicorp/<name>`, which hides where the provider
    comes from and resolves to the wrong provider for anything not published by HashiCorp
    (seed 000 §12 "Provider configuration issues", and its "Provider Version Issues"
    example, which shows the object form).

    ## Example
    ```hcl
    terraform {
      required_providers {
        aws = "~> 5.0"
      }
    }
    ```

    ## Use instead
    ```hcl
    terraform {
      required_providers {
        aws = {
          source  = "hashicorp/aws"
          version = "~> 5.0"
        }
      }
    }
    ```

    ## Fix safety
    **Safe**: for these providers the written source is exactly the one Terraform already
    implied, and the version constraint is unchanged, so `init` installs the same provider.

    ## Deployment impact
    None: only the provider requirement is spelled out.

    ## References
    - Terraform docs: Provider requirements (source addresses; "the legacy string form of
      a provider requirement ... implied source address registry.terraform.io/hashicorp/<name>")
    - Terraform v0.13 upgrade guide: explicit provider source locations
    - Seed 000 §12 Provider and Version Management
    """

    id = "TFX503"
    name = "provider-source"
    summary = "required_providers entries must use the object form with a source"
    fix_availability = FIX_SOMETIMES
    safety = SAFE
    impact = IMPACT_NONE

    def check(self, module: Module, options: dict[str, Any]) -> Iterator[Finding]:
        todo: list[Entry] = []
        for e in entries(module):
            legacy = e.legacy
            no_source = e.obj is not None and e.item("source") is None
            if legacy is None and not no_source:
                if not isinstance(e.attr.value, cst.Object):
                    yield self.finding(e.file, e.attr, f"required_providers entry {e.name} is not an object "
                                       "with source and version", block=e.terraform)
                continue
            if e.name.lower() not in KNOWN_SOURCES:
                form = "uses the legacy string form" if legacy is not None else "has no source"
                yield self.finding(e.file, e.attr, f"required_providers entry {e.name} {form}; Terraform assumes "
                                   f'"hashicorp/{e.name}": write its real source address', block=e.terraform)
                continue
            todo.append(e)
        for items in group(todo, lambda e: id(e.terraform)).values():
            first = items[0]
            yield self.finding(
                first.file, first.attr, f"required_providers entr{'y' if len(items) == 1 else 'ies'} "
                f"{names([e.name for e in items])} without an explicit source", block=first.terraform,
                fix=lambda items=items: _rewrite(items),
                description="write " + names([f'{e.name} = {{ source = "{KNOWN_SOURCES[e.name.lower()]}" ... }}'
                                              for e in items]),
            )


def _rewrite(items: list[Entry]) -> None:
    for e in items:
        source = KNOWN_SOURCES[e.name.lower()]
        legacy = e.legacy
        if legacy is not None:
            edit.set_attribute(e.block, e.name, {"source": source, "version": legacy})
            continue
        obj = e.obj
        if obj is None or obj.get("source") is not None:
            continue
        if obj.has_comments():
            edit.set_object_item(obj, "source", source)  # rebuilding it would lose the comments
            continue
        edit.set_attribute(e.block, e.name, {"source": source, **{i.key_name or i.key.code.strip(): i.value
                                                           for i in obj.items}})
