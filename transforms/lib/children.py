"""The provider constraints of the child modules a module calls from local paths, and what
a child module declares (``read_child``: its variables for TFX521, its constraints and calls).

``terraform init`` resolves one version per provider for a root module and every module
it calls: a constraint tffix writes in the root (``~> 6.0``) that no version of a child's
constraint (``~> 4.62``) allows makes init fail with "no available releases match the
given constraints". Registry and git modules cannot be read here (they are not in the
tree); local ones (``source = "../modules/vpc"``) are read from disk, recursively.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from tffix.engine.engine import parse_module_texts
from tffix.engine.module import MODULE_SUFFIXES, Module
from tffix.engine.rules import literal
from tffix.syntax.errors import ParseError
from tffix.transforms.lib.providers import entries
from tffix.transforms.lib.versions import Clause, allows, lower_bound, parse_constraint

__all__ = ["child_constraints", "compatible", "read_child", "Child"]

MAX_DEPTH = 16
# a child directory's texts (name, text) -> what ``_read`` found in them (None: a file does not
# parse); at most ``_LIMIT`` characters of texts are held (a count of directories let a root
# with hundreds of local modules, aztfmod's caf, clear it on every walk and parse them all again)
_READ: dict[tuple[tuple[str, str], ...], Child | None] = {}
_LIMIT = 32_000_000
_held = 0


def _local_sources(module: Module) -> list[Path]:
    return [(module.directory / value).resolve() for value in _local_values(module)]


def _local_values(module: Module) -> list[str]:
    """The ``source`` of each call to a local module, as written (``../modules/vpc``)."""
    out = []
    for ref in module.blocks("module"):
        attr = ref.block.get_attribute("source")
        known, value = literal(attr.value) if attr is not None else (False, None)
        if known and isinstance(value, str) and value.startswith(("./", "../")):
            out.append(value)
    return out


def _own(module: Module) -> dict[str, list[list[Clause]]]:
    out: dict[str, list[list[Clause]]] = {}
    for entry in entries(module):
        item = entry.item("version")
        value = item.value if item is not None else entry.legacy
        known, text = literal(value) if value is not None else (False, None)
        clauses = parse_constraint(text) if known and isinstance(text, str) else None
        if clauses is not None and entry.source is not None:
            out.setdefault(entry.source, []).append(clauses)
    return out


@dataclass(frozen=True)
class Child:
    """What a child module directory's files declare (one parse of them serves every rule)."""

    constraints: dict[str, list[list[Clause]]]  # provider source -> its own version constraints
    calls: list[str]  # the ``source`` of each call to a local module, as written
    variables: dict[str, bool]  # name -> required (no ``default``), the last declaration winning


def read_child(directory: Path) -> Child | None:
    """What the ``.tf`` / ``.tofu`` files of ``directory`` declare; None when one cannot be
    read or does not parse. The files are read on every call; what the same texts declare is
    parsed once per process (every module above it asks, whatever path it spells it with). Do
    not change what it returns."""
    global _held
    try:
        texts = tuple((p.name, p.read_text(encoding="utf-8-sig")) for p in sorted(directory.iterdir())
                      if p.suffix in MODULE_SUFFIXES and p.is_file())
    except (OSError, UnicodeDecodeError):
        return None
    if texts in _READ:
        return _READ[texts]
    found: Child | None
    try:
        child = parse_module_texts(str(directory), dict(texts))
    except ParseError:
        found = None
    else:
        variables: dict[str, bool] = {}
        for sf in child.files:
            for block in sf.tree.body.blocks:
                if block.type == "variable" and block.label_values:
                    variables[block.label_values[0]] = block.get_attribute("default") is None
        found = Child(_own(child), _local_values(child), variables)
    size = sum(len(text) for _, text in texts)
    if _held + size > _LIMIT:
        _READ.clear()
        _held = 0
    _READ[texts] = found
    _held += size
    return found


def _read(directory: Path) -> tuple[dict[str, list[list[Clause]]], list[Path]] | None:
    """A child directory's own constraints and local calls (resolved from where it is);
    None if it cannot be read."""
    found = read_child(directory)
    if found is None:
        return None
    return found.constraints, [(directory / value).resolve() for value in found.calls]


def child_constraints(module: Module) -> dict[str, list[list[Clause]]]:
    """source -> the constraints every local child module (at any depth) sets for it
    (read once per state of the module: a rule asks for each provider it checks)."""
    found: dict[str, list[list[Clause]]] = module.fact("children.child_constraints", lambda: _child_constraints(module))
    return found


def _child_constraints(module: Module) -> dict[str, list[list[Clause]]]:
    out: dict[str, list[list[Clause]]] = {}
    seen: set[Path] = set()
    todo = [(d, 1) for d in _local_sources(module)]
    while todo:
        directory, depth = todo.pop()
        if directory in seen or depth > MAX_DEPTH or not directory.is_dir():
            continue
        seen.add(directory)
        found = _read(directory)
        if found is None:
            continue
        own, calls = found
        for source, constraints in own.items():
            out.setdefault(source, []).extend(constraints)
        todo.extend((d, depth + 1) for d in calls)
    return out


def compatible(constraint: list[Clause], others: list[list[Clause]]) -> bool:
    """Is there a version ``constraint`` allows that each of ``others`` allows too?
    Tried: every minor (and a high patch) of the major versions from the constraint's
    lower bound on."""
    low = lower_bound(constraint)
    candidates = [low, *((major, minor, patch) for major in range(low[0], low[0] + 3)
                         for minor in range(0, 100) for patch in (0, 99))]
    return any(allows(constraint, v) and all(allows(o, v) for o in others) for v in candidates)
