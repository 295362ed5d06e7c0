"""Provider requirements: the required_providers entries of a module, known sources and current versions, lock files."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from tffix.engine.module import Module, SourceFile
from tffix.engine.rules import (
    SAFE,
    UNSAFE,
    literal,
)
from tffix.syntax import cst
from tffix.syntax.errors import ParseError
from tffix.syntax.parser import parse
from tffix.transforms.lib.environment import is_root_module
from tffix.transforms.lib.versions import Clause, parse_constraint, parse_version

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
    """source -> locked version, from the module's .terraform.lock.hcl (empty if none); read
    once per state of the module (every rule that asks for ``Versions.of``). Do not change it."""
    found: dict[str, str] = module.fact("providers.lock_versions", lambda: _lock_versions(module))
    return found


def _lock_versions(module: Module) -> dict[str, str]:
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
    """Where a version constraint for a provider can come from.

    A reusable module (no backend, cloud block, provider block or lock file: it is
    called by a root module that configures those) gets no constraint from the lock file
    or the dated table: the root's own constraint decides which version is installed,
    and anything tffix writes here, such as ``~> 6.0`` under a root that pins
    ``~> 5.0``, can make ``terraform init`` fail. Only the rule options, which are the
    owner's word, apply there."""

    locked: dict[str, str] = field(default_factory=dict)  # source -> version
    configured: dict[str, str] = field(default_factory=dict)  # local name or source -> constraint
    reusable: bool = False
    module: Module | None = None  # for the constraints of the child modules it calls (read when needed)

    @classmethod
    def of(cls, module: Module, options: dict[str, Any]) -> Versions:
        configured = options.get("provider-versions") or {}
        locked = lock_versions(module)
        return cls(locked, {str(k).lower(): str(v) for k, v in dict(configured).items()},
                   reusable=not locked and not is_root_module(module), module=module)

    def constraint(self, name: str, source: str) -> tuple[str, str] | None:
        """(constraint, origin) for the provider ``name`` with ``source``, or None."""
        for key in (name.lower(), source):
            if key in self.configured and (self.reusable or source not in self.locked):
                return self.configured[key], ORIGIN_OPTION
        if self.reusable:
            return None
        locked = self.locked.get(source)
        if locked is not None and (c := pessimistic(locked)) is not None:
            return c, ORIGIN_LOCK
        if source in PROVIDER_VERSIONS and self._children_allow(source, PROVIDER_VERSIONS[source]):
            return PROVIDER_VERSIONS[source], ORIGIN_TABLE
        return None

    def children_conflict(self, source: str) -> str | None:
        """The child modules' constraints (as written) when they rule out the dated
        table's constraint for ``source``; None otherwise."""
        constraint = PROVIDER_VERSIONS.get(source)
        if constraint is None or self._children_allow(source, constraint):
            return None
        from tffix.transforms.lib.children import child_constraints

        written = {", ".join(f"{c.op} {c.text}" for c in clauses) for clauses in
                   child_constraints(self.module).get(source, [])} if self.module is not None else set()
        return " and ".join(sorted(written)) or "a version"

    def _children_allow(self, source: str, constraint: str) -> bool:
        """Does some version satisfy ``constraint`` and what the local child modules set
        for ``source``? (A root pinned to ``~> 6.0`` over a child pinned to ``~> 4.62``
        fails ``terraform init``: then the dated table gives no constraint.)"""
        from tffix.transforms.lib.children import child_constraints, compatible  # children reads modules

        clauses = parse_constraint(constraint)
        if self.module is None or clauses is None:
            return True
        others = child_constraints(self.module).get(source, [])
        return not others or compatible(clauses, others)


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
    """The module's required_providers entries, in file order (once per state of the
    module, for every rule that asks; do not change the list)."""
    found: list[Entry] = module.fact("providers.entries", lambda: _entries(module))
    return found


def _entries(module: Module) -> list[Entry]:
    out = []
    for ref in module.blocks("terraform"):
        for rp in ref.block.find_blocks("required_providers"):
            for attr in rp.body.attributes:
                out.append(Entry(ref.file, ref.block, rp, attr))
    return out


def aws_constraints(module: Module) -> list[list[Clause]]:
    """The version constraints the module's ``hashicorp/aws`` entries set, parsed (those
    from an expression or that do not parse are left out)."""
    out = []
    for entry in entries(module):
        if entry.name != "aws" or entry.source not in (None, "hashicorp/aws"):
            continue
        item = entry.item("version")
        value = item.value if item is not None else entry.legacy
        known, text = literal(value) if value is not None else (False, None)
        clauses = parse_constraint(text) if known and isinstance(text, str) else None
        if clauses is not None:
            out.append(clauses)
    return out


def group(items: list, key) -> dict:
    out: dict = {}
    for item in items:
        out.setdefault(key(item), []).append(item)
    return out


def names(items: list[str]) -> str:
    return ", ".join(items)
