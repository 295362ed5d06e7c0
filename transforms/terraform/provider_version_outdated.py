"""TFX507: a provider version constraint must be able to select the provider's current major."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from tffix.engine.module import Module, SourceFile
from tffix.engine.rules import (
    DISPLAY_ONLY,
    FIX_NEVER,
    IMPACT_NONE,
    Finding,
    Rule,
    literal,
)
from tffix.syntax import cst
from tffix.transforms.lib.providers import (
    KNOWN_SOURCES,
    PROVIDER_VERSIONS,
    PROVIDER_VERSIONS_DATE,
    entries,
)
from tffix.transforms.lib.versions import Clause, allows, lower_bound, parse_constraint

Version = tuple[int, int, int]


def current_series(source: str) -> tuple[Version, Version] | None:
    """``[first, next)`` of the current release series of a provider in the TFX502 table:
    ``hashicorp/aws`` (``~> 6.0``) -> 6.0.0 up to 7.0.0; a 0.x provider (``~> 0.13``)
    -> 0.13.0 up to 0.14.0, since before 1.0 a minor release may break."""
    table = PROVIDER_VERSIONS.get(source)
    clauses = parse_constraint(table) if table else None
    if not clauses:
        return None
    low = lower_bound(clauses)
    if low[0] > 0:
        return (low[0], 0, 0), (low[0] + 1, 0, 0)
    return (0, low[1], 0), (0, low[1] + 1, 0)


def admits_series(clauses: list[Clause], first: Version, nxt: Version) -> bool:
    """Does the constraint allow some release in ``[first, nxt)``? The allowed set is an
    interval minus single versions (``!=``), so it is enough to try the series' first
    version, each bound inside the series and the versions just above them, and a
    version near the top of the series."""
    candidates = {first, (nxt[0], nxt[1] - 1, 999) if nxt[1] else (nxt[0] - 1, 999, 999)}
    for c in clauses:
        v = c.version
        if first <= v < nxt:
            candidates |= {v, (v[0], v[1], v[2] + 1), (v[0], v[1] + 1, 0)}
    return any(first <= v < nxt and allows(clauses, v) for v in candidates)


def show_series(first: Version) -> str:
    return f"{first[0]}.x" if first[0] else f"0.{first[1]}.x"


class ProviderVersionOutdated(Rule):
    """
    ## What it does
    Reports a provider version constraint that cannot select the provider's current major
    version: `version = "~> 2.0"`, `"< 4.0"`, `"= 3.74.0"` or `">= 3.0, < 5.0"` for the AWS
    provider, whose current major is 6. It reads `required_providers` entries (the object
    form and the legacy string form `aws = "~> 3.0"`) and the deprecated `version` argument
    of `provider` blocks. Constraints are parsed like Terraform does (`~>`, `>=`, `>`, `<=`,
    `<`, `=`, `!=`, comma-separated lists); a constraint that admits any release of the
    current major (`">= 4.0"`, `">= 5.0, < 7.0"`, `"~> 6.2"`) is fine.

    The current majors come from the dated table of well-known `hashicorp/*` providers that
    TFX502 uses (`PROVIDER_VERSIONS` in `provider_version.py`); providers that are not in it,
    and constraints that are expressions or do not parse, are not reported. A constraint
    whose lowest allowed version is already above the current major is left alone too (the
    table may be out of date). For 0.x providers the "major" is the 0.minor series.

    ## Why is this bad?
    A constraint capped below the current major keeps the configuration on a release line
    that gets no more fixes: security fixes, new regions and services, and bug fixes only
    land in the current major (seed 000 §12 "Outdated provider versions missing security
    patches"). It also stops the module from being combined with modules that need the
    current major: `terraform init` fails to find a version that satisfies both.

    ## Example
    ```hcl
    terraform {
      required_providers {
        aws = {
          source  = "hashicorp/aws"
          version = "~> 3.0"
        }
      }
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
      }
    }
    ```

    ## Fix safety
    No fix: a new major version of a provider has breaking changes (removed arguments,
    resources split into several, changed defaults). Follow the provider's upgrade guide for
    each major version, run `terraform init -upgrade` and read the plan.

    ## Deployment impact
    None (display only). Upgrading the provider can change plans; read them.

    ## References
    - Terraform docs: Provider requirements (`required_providers`, `version`), Version
      constraints (operators `=`, `!=`, `>`, `>=`, `<`, `<=`, `~>`)
    - Provider upgrade guides (AWS provider "Version 6 Upgrade Guide", 2025); current majors
      as of the date of the TFX502 table (`PROVIDER_VERSIONS_DATE`)
    - Seed 000 §12 "Outdated provider versions missing security patches"
    - No Checkov or Trivy check compares provider constraints with current releases
    """

    id = "TFX507"
    name = "provider-version-outdated"
    summary = "Provider version constraints must admit the provider's current major version"
    fix_availability = FIX_NEVER
    safety = DISPLAY_ONLY
    impact = IMPACT_NONE

    def check(self, module: Module, options: dict[str, Any]) -> Iterator[Finding]:
        for e in entries(module):
            node = e.legacy
            if node is None:
                item = e.item("version")
                node = item.value if item is not None else None
            source = e.source
            if node is None or source is None:
                continue
            yield from self._check(e.file, e.terraform, node, f"required_providers entry {e.name}", source)
        declared = {e.name.lower(): e.source for e in entries(module)}
        for ref in module.blocks("provider"):
            attr = ref.block.get_attribute("version")
            labels = ref.block.label_values
            if attr is None or not labels:
                continue
            name = labels[0].lower()
            source = declared.get(name, KNOWN_SOURCES.get(name))
            if source is None:
                continue
            yield from self._check(ref.file, ref.block, attr.value, f'provider "{labels[0]}"', source)

    def _check(self, file: SourceFile, block: cst.Block, node: cst.Node, what: str, source: str
               ) -> Iterator[Finding]:
        known, value = literal(node)
        if not known or not isinstance(value, str):
            return
        clauses = parse_constraint(value)
        series = current_series(source)
        if clauses is None or series is None:
            return
        first, nxt = series
        if admits_series(clauses, first, nxt) or lower_bound(clauses) >= nxt:
            return
        yield self.finding(
            file, node,
            f'{what} version "{value}" cannot select {source} {show_series(first)}, the current major version '
            f"as of {PROVIDER_VERSIONS_DATE}, so it misses that major's security and bug fixes; plan the upgrade "
            "with the provider's upgrade guide, then widen the constraint",
            block=block,
        )
