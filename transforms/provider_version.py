"""TFX502: every required_providers entry has a version constraint."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

from tffix import cst
from tffix.errors import ParseError
from tffix.module import Module, SourceFile
from tffix.parser import parse
from tffix.rules import FIX_SOMETIMES, IMPACT_NONE, SAFE, UNSAFE, Finding, Rule, literal

from .terraform_required_version import parse_version

# Current major versions of well-known providers, as of 2026-11 (checked against the
# providers' release notes / upgrade guides and dependency-bot updates in public
# repositories: aws 6.x since 6.0.0 of June 2025, google 7.x since 2025, kubernetes 3.x
# since 3.0.0 of December 2025, helm 3.x since 3.0.0 of 2025; the others have had the same
# major for years). Used only when the lock file does not say which version is in use, and
# overridable with the rule option {"provider-versions": {"aws": "~> 6.0"}}.
PROVIDER_VERSIONS_DATE = "2026-11"
PROVIDER_VERSIONS: dict[str, str] = {
    "hashicorp/aws": "~> 6.0",
    "hashicorp/awscc": "~> 1.0",
    "hashicorp/azurerm": "~> 4.0",
    "hashicorp/azuread": "~> 3.0",
    "hashicorp/google": "~> 7.0",
    "hashicorp/google-beta": "~> 7.0",
    "hashicorp/kubernetes": "~> 3.0",
    "hashicorp/helm": "~> 3.0",
    "hashicorp/random": "~> 3.0",
    "hashicorp/archive": "~> 2.0",
    "hashicorp/null": "~> 3.0",
    "hashicorp/tls": "~> 4.0",
    "hashicorp/local": "~> 2.0",
    "hashicorp/time": "~> 0.13",
    "hashicorp/http": "~> 3.0",
    "hashicorp/external": "~> 2.0",
    "hashicorp/cloudinit": "~> 2.0",
    "hashicorp/dns": "~> 3.0",
    "hashicorp/template": "~> 2.0",  # archived and deprecated: prefer templatefile()
}
# local names whose source we know: the hashicorp/<name> providers above
KNOWN_SOURCES: dict[str, str] = {src.split("/", 1)[1]: src for src in PROVIDER_VERSIONS}
LOCK_FILE = ".terraform.lock.hcl"
_REGISTRIES = ("registry.terraform.io/", "registry.opentofu.org/")
# resource-type prefixes that are not providers to declare
BUILTIN = {"terraform"}

ORIGIN_LOCK, ORIGIN_OPTION, ORIGIN_TABLE = "lock", "option", "table"


def normalize_source(source: str) -> str:
    """``registry.terraform.io/HashiCorp/aws`` -> ``hashicorp/aws``."""
    s = source.strip().lower()
    for host in _REGISTRIES:
        if s.startswith(host):
            return s[len(host):]
    return s


def lock_versions(module: Module) -> dict[str, str]:
    """source -> locked version, from the module's .terraform.lock.hcl (empty if none)."""
    path = module.directory / LOCK_FILE
    try:
        tree = parse(path.read_text(encoding="utf-8"), str(path))
    except (OSError, UnicodeDecodeError, ParseError):
        return {}
    out = {}
    for block in tree.find_blocks("provider"):
        if len(block.labels) != 1:
            continue
        attr = block.get_attribute("version")
        known, value = literal(attr.value) if attr is not None else (False, None)
        if known and isinstance(value, str):
            out[normalize_source(block.label_values[0])] = value
    return out


def pessimistic(version: str) -> str | None:
    """``6.2.1`` -> ``~> 6.2``."""
    parsed = parse_version(version)
    return f"~> {parsed[0]}.{parsed[1]}" if parsed else None


@dataclass
class Versions:
    """Where a version constraint for a provider can come from."""

    locked: dict[str, str] = field(default_factory=dict)  # source -> version
    configured: dict[str, str] = field(default_factory=dict)  # local name or source -> constraint

    @classmethod
    def of(cls, module: Module, options: dict[str, Any]) -> Versions:
        configured = options.get("provider-versions") or {}
        return cls(lock_versions(module), {str(k).lower(): str(v) for k, v in dict(configured).items()})

    def constraint(self, name: str, source: str) -> tuple[str, str] | None:
        """(constraint, origin) for the provider ``name`` with ``source``, or None."""
        locked = self.locked.get(source)
        if locked is not None and (c := pessimistic(locked)) is not None:
            return c, ORIGIN_LOCK
        for key in (name.lower(), source):
            if key in self.configured:
                return self.configured[key], ORIGIN_OPTION
        if source in PROVIDER_VERSIONS:
            return PROVIDER_VERSIONS[source], ORIGIN_TABLE
        return None


def safety_of(origin: str) -> str:
    return UNSAFE if origin == ORIGIN_TABLE else SAFE


def describe_origin(origin: str) -> str:
    return {ORIGIN_LOCK: f"as locked in {LOCK_FILE}",
            ORIGIN_OPTION: "from the rule options",
            ORIGIN_TABLE: f"current major version as of {PROVIDER_VERSIONS_DATE}"}[origin]


# ---- required_providers ------------------------------------------------------------------


@dataclass
class Entry:
    """One ``name = ...`` in a required_providers block."""

    file: SourceFile
    terraform: cst.Block
    block: cst.Block  # the required_providers block
    attr: cst.Attribute

    @property
    def name(self) -> str:
        return self.attr.name

    @property
    def obj(self) -> cst.Object | None:
        return self.attr.value if isinstance(self.attr.value, cst.Object) else None

    @property
    def legacy(self) -> cst.Template | None:
        """The version string of the legacy form ``aws = "~> 5.0"``."""
        value = self.attr.value
        return value if isinstance(value, cst.Template) and value.is_literal else None

    def item(self, key: str) -> cst.ObjectItem | None:
        return self.obj.get(key) if self.obj is not None else None

    @property
    def source(self) -> str | None:
        """The normalized source; the implied hashicorp/<name> when unset; None if it is
        not a literal."""
        item = self.item("source")
        if item is None:
            return f"hashicorp/{self.name.lower()}"
        known, value = literal(item.value)
        return normalize_source(value) if known and isinstance(value, str) else None


def entries(module: Module) -> list[Entry]:
    out = []
    for ref in module.blocks("terraform"):
        for rp in ref.block.find_blocks("required_providers"):
            for attr in rp.body.attributes:
                out.append(Entry(ref.file, ref.block, rp, attr))
    return out


def group(items: list, key) -> dict:
    out: dict = {}
    for item in items:
        out.setdefault(key(item), []).append(item)
    return out


def names(items: list[str]) -> str:
    return ", ".join(items)


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
        versions = Versions.of(module, options)
        missing = [e for e in entries(module) if e.obj is not None and e.item("version") is None]
        fixable: list[tuple[Entry, str, str]] = []
        for e in missing:
            source = e.source
            found = versions.constraint(e.name, source) if source is not None else None
            if found is None:
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
