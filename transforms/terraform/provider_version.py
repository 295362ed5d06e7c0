"""TFX502: every required_providers entry has a version constraint."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from tffix.engine.module import Module
from tffix.engine.rules import (
    FIX_SOMETIMES,
    IMPACT_NONE,
    UNSAFE,
    Finding,
    Rule,
)
from tffix.transforms.lib.children import remember
from tffix.transforms.lib.providers import (
    Entry,
    Versions,
    describe_origin,
    entries,
    group,
    names,
    safety_of,
)


class ProviderVersion(Rule):
    """
    ## What it does
    Adds a `version` constraint to every `required_providers` entry that has none
    (`aws = { source = "hashicorp/aws" }`). The constraint is, in order of preference:
    1. `~> MAJOR.MINOR` of the version `.terraform.lock.hcl` in the module directory locks;
    2. the constraint given in the rule options, in `.tffix.toml`:
       `[rules.TFX502]` `provider-versions = { aws = "~> 5.0" }` (keys are local names or
       sources such as `"hashicorp/aws"`);
    3. `~> MAJOR.0` of the provider's current major version, from a dated table of
       well-known `hashicorp/*` providers (`PROVIDER_VERSIONS` in this rule's module).
    A provider none of these knows is reported without a fix. Entries of one
    `terraform` block are fixed together, one fix per kind of safety.

    A reusable module (one without a backend, `cloud` block, provider block or lock file:
    a root module calls it and configures those) only gets a constraint from the rule
    options. The root's constraint decides which version is installed, and one tffix
    writes here, such as `~> 6.0` under a root that pins `~> 5.0`, makes `terraform init`
    fail ("no available releases match the given constraints"); the entry is reported,
    asking for the lowest version the module works with (`">= x.y"`). The other way round,
    a root module whose local child modules (`source = "../modules/vpc"`, read from disk at
    any depth) pin a constraint no version of the table's allows (`~> 4.62` under `~> 6.0`)
    gets no table version either: the finding names the child's constraint.

    Legacy string entries (`aws = "~> 5.0"`) already carry a version and are converted by
    TFX503; providers missing from `required_providers` altogether are added by TFX504.

    ## Why is this bad?
    Without a constraint `terraform init` installs the newest provider release, including
    a new major version with breaking changes, the first time someone runs it on a fresh
    machine or CI: the same code plans differently for different people (seed 000 §12
    "Missing version constraints on Terraform and providers", and its "Provider Version
    Issues" example).

    ## Example
    ```hcl
    terraform {
      required_providers {
        aws = {
          source = "hashicorp/aws"
        }
      }
    }
    ```
    in a root module:
    ```hcl
    # file: providers.tf
    provider "aws" {
      region = "eu-west-1"
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
    **Safe** when the constraint comes from the lock file (it allows the locked version,
    so `init` keeps using it) or from your own rule options. **Unsafe** when it comes from
    the table: the table's major version may not be the one you actually run (a module
    written for AWS provider 5.x, with no lock file, would be pinned to 6.x and
    `terraform init` would then fail or upgrade it). Set `provider-versions` to make those
    fixes exact, or commit your lock file. For a reusable (child) module, which has no lock
    file, HashiCorp recommends a minimum-only constraint (`">= 6.0"`) so callers can combine
    modules; set that through `provider-versions` as well.

    ## Deployment impact
    None: version constraints are checked by `terraform init`; no infrastructure changes.

    ## References
    - Terraform docs: Provider requirements (`required_providers`, `version`), Version
      constraints (`~>`), Dependency lock file (`.terraform.lock.hcl`)
    - Provider release notes / upgrade guides: AWS 6.0 (2025), Google 7.0 (2025),
      Kubernetes 3.0.0 (2025-12-03), Helm 3.0.0 (2025)
    - Seed 000 §12 Provider and Version Management, "Provider Version Issues"
    """

    id = "TFX502"
    name = "provider-version"
    summary = "required_providers entries must have a version constraint"
    fix_availability = FIX_SOMETIMES
    safety = UNSAFE
    impact = IMPACT_NONE
    options = {"provider-versions": {}}

    def check(self, module: Module, options: dict[str, Any]) -> Iterator[Finding]:
        # this rule reads every module: note what it declares for a module above it that calls
        # it (``child_constraints``, TFX521), so that one does not parse it again
        remember(module)
        versions = Versions.of(module, options)
        missing = [e for e in entries(module) if e.obj is not None and e.item("version") is None]
        fixable: list[tuple[Entry, str, str]] = []
        for e in missing:
            source = e.source
            found = versions.constraint(e.name, source) if source is not None else None
            if found is None and versions.reusable:
                yield self.finding(e.file, e.attr, f"required_providers entry {e.name} has no version constraint; "
                                   "this is a reusable module (no backend, provider block or lock file), so add the "
                                   'lowest version it works with (">= x.y"): the root module\'s constraint picks the '
                                   "version, and an upper bound here could conflict with it", block=e.terraform)
            elif found is None and source is not None and versions.children_conflict(source):
                yield self.finding(e.file, e.attr, f"required_providers entry {e.name} has no version constraint; "
                                   f"a local child module pins {versions.children_conflict(source)}, which the "
                                   "current major version does not satisfy: add a constraint both allow (or "
                                   "upgrade the child)", block=e.terraform)
            elif found is None:
                yield self.finding(e.file, e.attr, f"required_providers entry {e.name} has no version constraint; "
                                   "add one (its current version is not known to tffix)", block=e.terraform)
            else:
                fixable.append((e, *found))
        for (_, origin), items in group(fixable, lambda t: (id(t[0].terraform), t[2])).items():
            first = items[0][0]
            listed = names([f'{e.name} "{c}"' for e, c, _ in items])
            yield self.finding(
                first.file, first.attr,
                f"required_providers entr{'y' if len(items) == 1 else 'ies'} "
                f"{names([e.name for e, _, _ in items])} ha{'s' if len(items) == 1 else 've'} no version constraint",
                block=first.terraform, fix=lambda items=items: _add_versions(items),
                description=f"add version {listed} ({describe_origin(origin)})", safety=safety_of(origin),
            )


def _add_versions(items: list[tuple[Entry, str, str]]) -> None:
    from tffix.edit import set_object_item

    for e, constraint, _ in items:
        obj = e.obj
        if obj is not None and obj.get("version") is None:
            set_object_item(obj, "version", constraint)
