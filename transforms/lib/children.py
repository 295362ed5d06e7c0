"""The provider constraints of the child modules a module calls from local paths, and what
a child module declares (``read_child``: its variables for TFX521, its constraints and calls).

``terraform init`` resolves one version per provider for a root module and every module
it calls: a constraint tffix writes in the root (``~> 6.0``) that no version of a child's
constraint (``~> 4.62``) allows makes init fail with "no available releases match the
given constraints". Registry and git modules cannot be read here (they are not in the
tree); local ones (``source = "../modules/vpc"``) are read from disk, recursively.
"""

from __future__ import annotations

import hashlib
import os
import weakref
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

from tffix.engine.engine import parse_module_texts
from tffix.engine.module import MODULE_SUFFIXES, Module, SourceFile
from tffix.engine.rules import literal
from tffix.syntax.errors import ParseError
from tffix.transforms.lib.providers import Entry
from tffix.transforms.lib.versions import Clause, allows, lower_bound, parse_constraint

__all__ = ["child_constraints", "compatible", "has_json_files", "read_child", "remember", "run_reads", "Child"]

MAX_DEPTH = 16
# the digest of a directory's texts (``_key``: each name and text) -> what they declare (None: a
# file does not parse); at most ``_LIMIT`` directories are held (a digest and a few names each;
# the texts themselves are not kept: a root with hundreds of local modules, aztfmod's caf, and
# every module of a run remembered by ``remember`` fit)
_READ: dict[bytes, Child | None] = {}
_LIMIT = 200_000
# each module being checked (by id, with a weak reference), with what was read from disk for it:
# ``remember`` notes a module in the state it is first checked in, as read from disk (later
# rounds' texts are nobody's child), and ``run_reads`` keeps what its rules read of other
# directories through the rounds of its check
_RUNS: dict[int, tuple[weakref.ref[Module], dict[object, object]]] = {}


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


def _own(found: Iterable[Entry]) -> dict[str, list[list[Clause]]]:
    out: dict[str, list[list[Clause]]] = {}
    for entry in found:
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


def _key(texts: Iterable[tuple[str, str]]) -> bytes:
    """A digest of (name, text) pairs, in order (each length-prefixed: no two lists share one)."""
    h = hashlib.blake2b(digest_size=24)
    for name, text in texts:
        data = text.encode("utf-8", "surrogatepass")
        h.update(f"{len(name)}:{name}{len(data)}:".encode("utf-8", "surrogatepass"))
        h.update(data)
    return h.digest()


def _declared(files: Sequence[SourceFile]) -> Child:
    """What the trees of ``files`` (a directory's, in name order) declare: what
    ``parse_module_texts`` and ``Module.blocks`` would give, read off the top-level blocks."""
    variables: dict[str, bool] = {}
    calls: list[str] = []
    found: list[Entry] = []
    for sf in files:
        for block in sf.tree.body.blocks:
            kind = block.type
            if kind == "variable":
                if block.label_values:
                    variables[block.label_values[0]] = block.get_attribute("default") is None
            elif kind == "module":
                attr = block.get_attribute("source")
                known, value = literal(attr.value) if attr is not None else (False, None)
                if known and isinstance(value, str) and value.startswith(("./", "../")):
                    calls.append(value)
            elif kind == "terraform":
                for rp in block.find_blocks("required_providers"):
                    for attr in rp.body.attributes:
                        found.append(Entry(sf, block, rp, attr))
    return Child(_own(found), calls, variables)


def _store(key: bytes, found: Child | None) -> None:
    if len(_READ) >= _LIMIT:
        _READ.clear()
    _READ[key] = found


def remember(module: Module) -> None:
    """Note what ``module`` declares, as ``read_child`` would find it in a directory holding
    exactly its ``.tf`` / ``.tofu`` texts: a module checked before a module that calls it
    (``../modules/vpc`` checked before the root) is then not parsed again for the caller. Only
    the first state of a module is noted (its texts as read; fixes make texts no directory
    holds). Does not change what ``read_child`` returns: the entry is keyed by the texts the
    trees are of, and says what parsing them says."""
    reads = run_reads(module)
    if "remembered" in reads:
        return
    reads["remembered"] = True
    files = sorted((sf for sf in module.files if sf.path.suffix in MODULE_SUFFIXES), key=lambda sf: sf.path.name)
    if len(files) != len(module.files) or len({sf.path.name for sf in files}) != len(files):
        return
    key = _key((sf.path.name, sf.text) for sf in files)
    if key not in _READ:
        _store(key, _declared(files))


def run_reads(module: Module) -> dict[object, object]:
    """A dict kept for one check of ``module`` (the ``Module`` object, through every round of
    fixes; ``Module.fact`` forgets at each round): what its rules read from disk about other
    directories, which does not change while it is checked (the runner read the module's own
    files once, at its start)."""
    ident = id(module)
    found = _RUNS.get(ident)
    if found is not None and found[0]() is module:
        return found[1]
    reads: dict[object, object] = {}
    _RUNS[ident] = (weakref.ref(module, lambda _ref, ident=ident: _RUNS.pop(ident, None)), reads)
    return reads


def has_json_files(directory: Path) -> bool:
    """``any(directory.glob("*.tf.json"))`` (a file or directory of that name, hidden ones too;
    False when ``directory`` is not a readable directory), from one ``scandir``."""
    try:
        with os.scandir(directory) as listing:
            return any(entry.name.endswith(".tf.json") for entry in listing)
    except (FileNotFoundError, NotADirectoryError, PermissionError):
        return False


def read_child(directory: Path) -> Child | None:
    """What the ``.tf`` / ``.tofu`` files of ``directory`` declare; None when one cannot be
    read or does not parse. The files are read on every call; what the same texts declare is
    parsed once per process (every module above it asks, whatever path it spells it with), or
    not at all when a module of those texts was checked (``remember``). Do not change what it
    returns."""
    try:
        texts = [(p.name, p.read_text(encoding="utf-8-sig")) for p in sorted(directory.iterdir())
                 if p.suffix in MODULE_SUFFIXES and p.is_file()]
    except (OSError, UnicodeDecodeError):
        return None
    key = _key(texts)
    try:
        return _READ[key]
    except KeyError:
        pass
    found: Child | None
    try:
        child = parse_module_texts(str(directory), dict(texts))
    except ParseError:
        found = None
    else:
        found = _declared(child.files)
    _store(key, found)
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
    reads = run_reads(module)  # the children as read in an earlier round of this check
    while todo:
        directory, depth = todo.pop()
        if directory in seen or depth > MAX_DEPTH:
            continue
        key = ("children.read", directory)
        if key in reads:
            found = reads[key]
        else:
            found = reads[key] = _read(directory) if directory.is_dir() else False
        if found is False:
            continue  # not a directory
        seen.add(directory)
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
