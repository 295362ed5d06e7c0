"""A Terraform module (the ``.tf`` / ``.tofu`` files of one directory) and an
index over it, so rules can work across files.

The index answers the questions rules ask: which blocks of a kind and type
exist (``module.resources("aws_flow_log")``), which block an expression
refers to (``module.resolve(traversal)``), and which blocks refer to a given
one (``module.referrers(block)``). ``.tfvars`` files are parsed and kept in
``module.tfvars`` for rules that read variable values; resource rules do not
rewrite them.

The index (``ModuleIndex``) is built once per state of the trees, on first use:
blocks by kind and by kind and type in dicts, addresses and the block of each
address, the module's locals, and a reverse reference index (every traversal of
every block, by the address it names), so no lookup scans the module. The
engine calls ``invalidate()`` whenever the trees change (a fix applied, a
re-parse). ``module.fact(key, compute)`` keeps other module-wide facts rules
need (S3 log targets, feature uses) for the same lifetime, so a rule that asks
per block computes them once per round.

``module.nodes(node, classes)`` gives the nodes of some classes under a node, from one
walk of it per state (rules ask for traversals, function calls, strings: one walk serves
them all). Across rounds of fixes, the engine carries the walks of the top-level blocks
no fix touched (``take_walks`` / ``carry``): the same block object in the next round has
the same text (``reparse.refresh`` keeps only those), and the lists hold nodes, whose
positions move with them, never positions.

What a rule's check reads is recorded (``reading()``), so the engine can tell whether the
changes of a round of fixes can change its findings (``affected``): every lookup by kind,
type or address notes the ``(kind, first label)`` it asked about (``(kind, None)``: any
block of the kind); reading ``module.files``, ``module.tfvars``, a file's ``tree`` (the
neighbours of a block), the reverse reference index or a new file notes ``ALL`` (any change
may matter); reading a node's position notes ``cst.POSITIONS``. A module-wide fact keeps
the reads of its computation, and passes them on to every check that uses it.
"""

from __future__ import annotations

import os
from bisect import bisect_left
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TypeVar

from tffix.syntax import cst
from tffix.syntax.cst import readers
from tffix.syntax.parser import parse

__all__ = ["SourceFile", "Module", "ModuleIndex", "BlockRef", "references", "BUILT_IN_ROOTS", "ALL",
           "reading", "item_key", "affected", "same_objects"]

T = TypeVar("T")

MODULE_SUFFIXES = (".tf", ".tofu")
VARS_SUFFIXES = (".tfvars",)
# Roots of references that are Terraform's own objects, not blocks of this module.
BUILT_IN_ROOTS = frozenset({"count", "each", "self", "path", "terraform"})


ALL = "all"  # a read no key describes: any change of the module may change what was read
# the kinds of blocks whose addresses are ``kind.label...`` (other addresses are resources')
_ADDRESS_KINDS = {"data": "data", "ephemeral": "ephemeral", "var": "variable", "module": "module",
                  "output": "output", "local": "locals", "provider": "provider", "terraform": "terraform",
                  "locals": "locals", "moved": "moved", "import": "import", "removed": "removed", "check": "check"}


def _note(key: object) -> None:
    if readers:
        readers[-1].add(key)


def _address_key(address: str) -> tuple[str, str | None]:
    """The ``(kind, first label)`` of the block an address names."""
    parts = address.split(".")
    kind = _ADDRESS_KINDS.get(parts[0])
    if kind is None:
        return ("resource", parts[0])
    if kind == "locals":
        return ("locals", None)
    return (kind, parts[1] if len(parts) > 1 else None)


class reading:  # noqa: N801 - used as a context manager, like ``open``
    """``with reading() as reads:`` collects in ``reads`` what the code inside reads of the
    module (the keys described at the top of this file)."""

    def __enter__(self) -> set[Any]:
        self.reads: set[Any] = set()
        readers.append(self.reads)
        return self.reads

    def __exit__(self, *exc: object) -> None:
        readers.pop()


class _unwatched:  # noqa: N801
    """Reads made by the module's own machinery (building the index reads every file) are not
    the rule's: nothing inside is recorded."""

    def __enter__(self) -> None:
        self.saved = readers[:]
        readers.clear()

    def __exit__(self, *exc: object) -> None:
        readers[:] = self.saved


def item_key(item: object) -> tuple[str, str | None] | str:
    """What a top-level item is, as reads name it: ``(kind, first label)`` for a block,
    ``ALL`` for anything else (a top-level attribute of a ``.tfvars`` file)."""
    if isinstance(item, cst.Block):
        labels = item.label_values
        return (item.type, labels[0] if labels else None)
    return ALL


def affected(reads: set[Any], changed: set[Any]) -> bool:
    """May items of the kinds in ``changed`` (``item_key``s of the items a round replaced,
    added or removed) change what a check that read ``reads`` found?"""
    if ALL in reads or ALL in changed or cst.POSITIONS in reads:
        return True
    for key in changed:
        if key in reads or (key[0], None) in reads:
            return True
    return False


@dataclass
class SourceFile:
    """One parsed file and what it needs to be written back as it was."""

    path: Path
    text: str
    tree: cst.File
    display: str = ""  # path as shown to the user

    def __post_init__(self) -> None:
        if not self.display:
            self.display = str(self.path)


def same_objects(a: list[Any], b: list[Any]) -> bool:
    """Do the two lists hold the same objects (``is``), in the same order?"""
    return len(a) == len(b) and all(x is y for x, y in zip(a, b))


def _as_then(sf: SourceFile, known: tuple[Any, ...]) -> bool:
    """Is ``sf`` as a ``Module.file_fact`` entry took it: the same tree, text and items?"""
    tree = sf.__dict__["tree"]
    return (known[1] is tree and (known[2] is sf.text or known[2] == sf.text)
            and same_objects(tree.body.items, known[3]))


def _get_tree(sf: SourceFile) -> cst.File:
    if readers:
        readers[-1].add(ALL)
    return sf.__dict__["tree"]  # type: ignore[no-any-return]


def _set_tree(sf: SourceFile, tree: cst.File) -> None:
    sf.__dict__["tree"] = tree


# a property set after the dataclass is made (its ``__init__`` assigns through it): reading a
# file's tree from a rule's check is a read of every item in it
SourceFile.tree = property(_get_tree, _set_tree)  # type: ignore[assignment]


@dataclass(frozen=True)
class BlockRef:
    """A top-level block and the file it lives in."""

    file: SourceFile
    block: cst.Block

    @property
    def address(self) -> str:
        """Terraform address: ``aws_s3_bucket.logs``, ``data.x.y``, ``var.v``,
        ``local.<name>`` is per attribute and not a block address."""
        b = self.block
        labels = b.label_values
        if b.type == "resource" and len(labels) == 2:
            return f"{labels[0]}.{labels[1]}"
        if b.type in ("data", "ephemeral") and len(labels) == 2:
            return f"{b.type}.{labels[0]}.{labels[1]}"
        if b.type == "variable" and labels:
            return f"var.{labels[0]}"
        if b.type == "module" and labels:
            return f"module.{labels[0]}"
        if b.type == "output" and labels:
            return f"output.{labels[0]}"
        return ".".join([b.type, *labels])

    def __hash__(self) -> int:
        return id(self.block)

    def __eq__(self, other: object) -> bool:
        return isinstance(other, BlockRef) and other.block is self.block


# declarations terraform requires to be unique in a module ("Duplicate resource configuration" ...)
UNIQUE_KINDS = ("resource", "data", "ephemeral", "module", "variable", "output")


def duplicate_declarations(module: Module) -> list[tuple[SourceFile, cst.Node | cst.Stub, str]]:
    """Declarations a module makes twice, which terraform rejects: (file, node, message) for
    each later one. A module like that is not valid Terraform, so it gets no fixes (one of
    the two would be fixed and the other found again, round after round). In a lazy tree
    (``parse(text, lazy=True)``) only ``locals`` blocks are built, one at a time; the node of
    a duplicate block may then be its ``Stub`` (which has the node's ``line`` and ``column``)."""
    first: dict[tuple[str, ...], tuple[SourceFile, cst.Node | cst.Stub]] = {}
    out: list[tuple[SourceFile, cst.Node | cst.Stub, str]] = []
    names = {sf.path.name for sf in module.files}
    # override files (override.tf, *_override.tf) re-declare on purpose, and OpenTofu reads
    # x.tofu instead of a twin x.tf
    files = [sf for sf in module.files
             if not (sf.path.stem == "override" or sf.path.stem.endswith("_override"))
             and not (sf.path.suffix == ".tf" and sf.path.stem + ".tofu" in names)]

    def seen(key: tuple[str, ...], sf: SourceFile, node: cst.Node | cst.Stub) -> None:
        if key in first:  # the message and the first one's position only now: most have no twin
            other, earlier = first[key]
            if key[0] == "local":
                what = f"local value {key[1]!r}"
            else:
                what = key[0] + " " + " ".join(f'"{label}"' for label in key[1:])
            out.append((sf, node, f"duplicate {what}: already declared at {other.display}:{earlier.line}:"
                        f"{earlier.column}"))
        else:
            first[key] = (sf, node)

    for sf in files:
        body = sf.tree.body
        lazy = isinstance(body, cst.LazyBody)
        for i, item in enumerate(body.entries if lazy else body.items):
            if isinstance(item, cst.Stub):
                if item.type is None:
                    continue
                kind, labels = item.type, list(item.labels)
            elif isinstance(item, cst.Block):
                kind, labels = item.type, item.label_values
            else:
                continue
            if kind in UNIQUE_KINDS and labels:
                seen((kind, *labels), sf, item)
            elif kind == "locals":
                block = body.peek(i) if lazy else item
                for attr in block.body.attributes:
                    seen(("local", attr.name), sf, attr)
    return out


def references(node: cst.Node) -> Iterator[cst.Traversal]:
    """Every traversal under ``node`` (including inside templates)."""
    for n in node.walk():
        if isinstance(n, cst.Traversal):
            yield n


@dataclass
class Module:
    """The files of one module directory."""

    directory: Path
    files: list[SourceFile] = field(default_factory=list)
    tfvars: list[SourceFile] = field(default_factory=list)
    _index: ModuleIndex | None = field(default=None, init=False, repr=False, compare=False)
    _facts: dict[Any, Any] = field(default_factory=dict, init=False, repr=False, compare=False)
    # walks of top-level blocks carried from the last round (``carry``), for the next index
    _carried: dict[int, Walk] | None = field(default=None, init=False, repr=False, compare=False)
    _hints: dict[int, tuple[int, int]] | None = field(default=None, init=False, repr=False, compare=False)
    _fact_reads: dict[Any, set[Any]] = field(default_factory=dict, init=False, repr=False, compare=False)
    # per-item facts (``item_fact``): id(item) -> (item, {key: value}); served only while the trees
    # are as a round's checks see them (between ``carry`` and ``take_walks``)
    _item_facts: dict[int, tuple[cst.Node, dict[Any, Any]]] = field(
        default_factory=dict, init=False, repr=False, compare=False)
    _item_facts_open: bool = field(default=True, init=False, repr=False, compare=False)
    # per-file facts (``file_fact``): id(file) -> (file, its tree, text and items then, {key: (value, reads)})
    _file_facts: dict[int, tuple[SourceFile, cst.File, str, list[cst.Node], dict[Any, tuple[Any, set[Any]]]]] = \
        field(default_factory=dict, init=False, repr=False, compare=False)

    # ---- the index ----
    def index(self) -> ModuleIndex:
        """The index over the module's blocks as they are now: built on first use and
        kept until ``invalidate()`` (the engine calls it whenever trees change: after
        each re-parse and after each fix it applies)."""
        if self._index is not None and self._hints is None:
            return self._index
        if readers:
            with _unwatched():
                return self._update_index()
        return self._update_index()

    def _update_index(self) -> ModuleIndex:
        self._patch_pending()
        if self._index is None:
            self._index = ModuleIndex(self)
        return self._index

    def invalidate(self, changed: dict[int, tuple[int, int]] | None = None) -> None:
        """Forget the index and every per-module fact computed from the trees.
        ``changed`` (the engine's fast path): the trees changed only in a run of
        top-level items of these files (by ``id``: (items kept at the start, items
        kept at the end)); the index is then patched on next use instead of rebuilt
        (``ModuleIndex.patch``), or rebuilt when the trees do not show that."""
        if changed is not None and self._index is not None:
            self._patch_pending()  # an earlier change not patched in yet
            self._hints = changed if self._index is not None else None
        else:
            self._index = None
            self._hints = None
        self._facts.clear()
        self._fact_reads.clear()

    def _patch_pending(self) -> None:
        """Patch the change ``invalidate`` was told of into the index (``ModuleIndex.patch``),
        or drop the index where the trees do not bear it out."""
        if self._index is not None and self._hints is not None:
            hints, self._hints = self._hints, None
            if not self._index.patch(self, hints):
                self._index = None

    def follow(self) -> None:
        """After a round of fixes and the re-parse of what they changed (``reparse.refresh``
        keeps the items no fix touched, the same objects): forget the per-module facts, and
        bring the index up to date by comparing each file's items with the ones it indexed
        (``ModuleIndex.follow``) instead of building it again over every block; rebuilt
        where that does not hold (files removed or reordered)."""
        self._patch_pending()
        if self._index is not None and not self._index.follow(self):
            self._index = None
        self._facts.clear()
        self._fact_reads.clear()

    def forget(self) -> None:
        """Forget everything known of the trees (``invalidate``, and the walks, item and file
        facts carried across rounds): the module's files were all parsed again."""
        self.invalidate()
        self._carried = None
        self._item_facts.clear()
        self._file_facts.clear()
        self._item_facts_open = True

    def take_walks(self) -> dict[int, Walk]:
        """The walks the index holds now (``nodes``), to carry over a round of fixes; from
        here on nothing is carried (the fixes about to run change the trees)."""
        self._carried = None
        self._item_facts_open = False  # fixes may edit items in place from here on
        return dict(self._index._walks) if self._index is not None else {}

    def carry(self, walks: dict[int, Walk]) -> None:
        """After a round of fixes and the re-parse: the next index reuses the walks in
        ``walks`` (from ``take_walks`` before the round) of the top-level blocks that are
        still the same objects (the engine keeps only unchanged items)."""
        kept: dict[int, Walk] = {}
        facts, self._item_facts = self._item_facts, {}
        for f in self.files:
            for item in f.tree.body.items:
                found = walks.get(id(item))
                if found is not None and found[0] is item:
                    kept[id(item)] = found
                known = facts.get(id(item))
                if known is not None and known[0] is item:
                    self._item_facts[id(item)] = known
        self._carried = kept or None
        if self._index is not None:  # followed across the round (``follow``): the walks kept
            self._index._walks = dict(kept)
        self._item_facts_open = True
        files, self._file_facts = self._file_facts, {}
        for sf in [*self.files, *self.tfvars]:
            known_file = files.get(id(sf))
            if known_file is not None and _as_then(sf, known_file):
                self._file_facts[id(sf)] = known_file

    def item_fact(self, key: object, item: cst.Node, compute: Callable[[], T]) -> T:
        """A fact about one top-level item that depends on nothing but that item's own text
        (the policy statements in it, the references it makes): ``compute()`` runs once per
        item and ``key``, and its value is kept across rounds of fixes while the item is the
        same object (``reparse.refresh`` keeps only unchanged items; ``carry``). While fixes
        run (after ``take_walks``), nothing is kept: a fix may edit an item in place."""
        if not self._item_facts_open:
            return compute()
        known = self._item_facts.get(id(item))
        if known is None or known[0] is not item:
            known = self._item_facts[id(item)] = (item, {})
        values = known[1]
        try:
            return values[key]  # type: ignore[no-any-return]
        except KeyError:
            value = values[key] = compute()
            return value

    def file_fact(self, key: object, sf: SourceFile, compute: Callable[[], T]) -> T:
        """A fact about one file that depends on nothing but that file's own text (the policy
        statements written in it, positions included): ``compute()`` runs once per file and
        ``key``, and its value is kept across rounds of fixes while the file has the same tree,
        text and items (objects) as then: a file no fix changed (``carry``). What ``compute``
        read is noted again for every check that uses the value (as ``fact`` does). For
        module-wide rules that go through every block of every file each round: a 12k-block
        file a round of fixes left alone costs them a lookup. While fixes run (after
        ``take_walks``), nothing is kept."""
        if not self._item_facts_open:
            return compute()
        known = self._file_facts.get(id(sf))
        if known is None or known[0] is not sf:
            tree = sf.__dict__["tree"]
            known = self._file_facts[id(sf)] = (sf, tree, sf.text, list(tree.body.items), {})
        values = known[4]
        found = values.get(key)
        if found is None:
            with reading() as reads:
                value = compute()
            if readers:
                readers[-1].update(reads)
            values[key] = (value, reads)
            return value
        if readers:
            readers[-1].update(found[1])
        return found[0]  # type: ignore[no-any-return]

    def nodes(self, node: cst.Node, classes: type | tuple[type, ...]) -> list[cst.Node]:
        """Every node under ``node`` (itself included) that is an instance of ``classes``,
        in ``node.walk()`` order; one walk of ``node`` per state of the trees serves every
        class asked for. Do not change the list."""
        return self.index().nodes(node, classes)

    def fact(self, key: object, compute: Callable[[], T]) -> T:
        """A module-wide fact, computed once per state of the trees: ``compute()``
        runs on the first call with ``key`` after an ``invalidate()``. For rules that
        need the same module-wide knowledge for every block they check (the
        ``key`` names the fact; use a tuple with the options it depends on)."""
        try:
            value = self._facts[key]
        except KeyError:
            if not readers:
                value = self._facts[key] = compute()
                self._fact_reads[key] = {ALL}  # what it read is not known
                return value
            with reading() as reads:
                value = compute()
            readers[-1].update(reads)
            self._facts[key], self._fact_reads[key] = value, reads
            return value
        if readers:
            readers[-1].update(self._fact_reads.get(key, (ALL,)))
        return value  # type: ignore[no-any-return]

    # ---- blocks ----
    def blocks(self, kind: str | None = None, type_: str | None = None) -> Iterator[BlockRef]:
        """Top-level blocks of ``kind`` (``resource``, ``data``, ``variable`` ...)
        whose first label is ``type_`` (when given), in file order."""
        if readers:
            readers[-1].add(ALL if kind is None else (kind, type_))
        idx = self.index()
        if kind is None:
            refs = idx.all if type_ is None else [r for r in idx.all if idx.first_label(r) == type_]
        elif type_ is None:
            refs = idx.by_kind.get(kind, ())
        else:
            refs = idx.by_kind_type.get((kind, type_), ())
        return iter(refs)

    def blocks_of(self, sf: SourceFile) -> Iterator[BlockRef]:
        """The top-level blocks of one file of the module, in order (reads all of it)."""
        if readers:
            readers[-1].add(ALL)
        return iter(self.index().of_file(sf))

    def resources(self, *types: str) -> Iterator[BlockRef]:
        return self._typed("resource", types)

    def data_sources(self, *types: str) -> Iterator[BlockRef]:
        return self._typed("data", types)

    def _typed(self, kind: str, types: tuple[str, ...]) -> Iterator[BlockRef]:
        if readers:
            readers[-1].update([(kind, t) for t in types] if types else [(kind, None)])
        idx = self.index()
        if not types:
            return iter(idx.by_kind.get(kind, ()))
        if len(types) == 1:
            return iter(idx.by_kind_type.get((kind, types[0]), ()))
        wanted = set(types)
        return (r for r in idx.by_kind.get(kind, ()) if idx.first_label(r) in wanted)

    def named(self, kind: str, type_: str) -> dict[str, list[BlockRef]]:
        """The module's ``kind`` blocks of type ``type_`` that have a name (a second label),
        by name, in file order: ``module.named("resource", "aws_flow_log")`` says which
        names are taken without a scan (from the index; callers only read it)."""
        _note((kind, type_))
        return self.index().named(kind, type_)

    def find(self, address: str) -> BlockRef | None:
        """The block with this address (``aws_iam_role.r``, ``data.x.y``, ``var.v``);
        the first in file order when two share it."""
        if readers:
            readers[-1].add(_address_key(address))
        return self.index().by_address.get(address)

    def address_of(self, ref: BlockRef) -> str:
        """``ref.address``, from the index (computed once per round)."""
        found = self.index().addresses.get(id(ref.block))
        return ref.address if found is None else found

    def resolve(self, expr: cst.Node) -> BlockRef | None:
        """The block a reference expression points at, or None.

        ``aws_iam_role.flow.arn`` -> the ``aws_iam_role.flow`` resource;
        ``data.aws_iam_policy_document.p.json`` -> that data source;
        ``var.x`` -> the variable; ``module.m.out`` -> the module call.
        A template that is only ``"${ref}"`` resolves like ``ref``.
        """
        expr = cst.sole_expression(expr)
        if not isinstance(expr, cst.Traversal):
            return None
        key = _resolve_key(expr.path)
        if key is None:
            return None
        if readers:
            readers[-1].add(_address_key(key))
        return self.index().by_address.get(key)

    def references_through_locals(self, expr: cst.Node,
                                  locals_: dict[str, tuple[SourceFile, cst.Attribute]] | None = None
                                  ) -> Iterator[cst.Traversal]:
        """Every traversal under ``expr``, where ``local.x`` stands for the traversals of
        that local's value (followed transitively, each local once, so cycles end). A
        ``local.x`` the module does not define is yielded as it is. ``locals_`` is
        accepted for compatibility; the module's own locals come from the index."""
        return self._through_locals(expr, locals_)

    def _through_locals(self, expr: cst.Node, defined: dict[str, tuple[SourceFile, cst.Attribute]] | None
                        ) -> Iterator[cst.Traversal]:
        # depth first with a stack of iterators (a recursive closure would hold itself, and the
        # module, in a cycle: freed only by the cyclic collector, which a module's run turns off)
        seen: set[str] = set()
        stack = [references(expr)]
        while stack:
            trav = next(stack[-1], None)
            if trav is None:
                stack.pop()
                continue
            path = trav.path
            if len(path) >= 2 and path[0] == "local":
                _note(("locals", None))
                defined = self.locals() if defined is None else defined  # only when a local is used
                if path[1] in defined:
                    if path[1] not in seen:
                        seen.add(path[1])
                        stack.append(references(defined[path[1]][1].value))
                    continue
            yield trav

    def referrers(self, target: BlockRef) -> Iterator[tuple[BlockRef, cst.Traversal]]:
        """Blocks whose expressions refer to ``target``, with the reference, in file
        order (from the reverse reference index: no scan of the module)."""
        _note(ALL)  # any block may refer to it
        return iter(self.index().referrers(target))

    def references_of(self, ref: BlockRef) -> list[cst.Traversal]:
        """Every traversal under a top-level block (cached in the index)."""
        return self.index().traversals_of(ref)

    def new_file(self, name: str) -> SourceFile:
        """Create an empty ``.tf`` file in this module (call it from a fix);
        the engine writes it like any changed file. Returns the existing file
        if one of that name is already there."""
        _note(ALL)
        for f in self.files:
            if f.path.name == name:
                return f
        self.invalidate()
        path = self.directory / name
        # shown the way its neighbours are (the runner shows paths relative to the cwd)
        sibling = next((f.display for f in self.files if f.path.parent == self.directory and f.display), None)
        if sibling is not None:
            display = os.path.join(os.path.dirname(sibling), name)
        else:
            display = str(path) if str(self.directory) not in ("", ".") else name
        sf = SourceFile(path, "", parse("", display), display=display)
        self.files.append(sf)
        return sf

    def terraform_blocks(self) -> Iterator[BlockRef]:
        return self.blocks("terraform")

    def locals(self) -> dict[str, tuple[SourceFile, cst.Attribute]]:
        """Every ``local`` the module defines: name -> (file, attribute); the last
        definition wins. A fresh dict each call (callers may change it)."""
        _note(("locals", None))
        return dict(self.index().locals)


def _files_getter(name: str) -> property:
    def get(module: Module) -> list[SourceFile]:
        if readers:
            readers[-1].add(ALL)
        return module.__dict__[name]  # type: ignore[no-any-return]

    def set_(module: Module, value: list[SourceFile]) -> None:
        module.__dict__[name] = value

    return property(get, set_)


# reading the file lists from a rule's check reads every item (as for ``SourceFile.tree``)
Module.files = _files_getter("files")  # type: ignore[assignment]
Module.tfvars = _files_getter("tfvars")  # type: ignore[assignment]


def _resolve_key(path: list[str]) -> str | None:
    """The address ``Module.resolve`` looks up for a traversal's path."""
    if not path or path[0] in BUILT_IN_ROOTS:
        return None
    if path[0] in ("data", "ephemeral") and len(path) >= 3:
        return ".".join(path[:3])
    if len(path) >= 2:
        return ".".join(path[:2])
    return None


# a walked node and its lists: None -> every node under it in walk order; classes -> those of them
Walk = tuple[cst.Node, dict[Any, list[cst.Node]]]


class ModuleIndex:
    """What rules look up, computed once per state of the module's trees.

    - ``all``, ``by_kind``, ``by_kind_type``: top-level blocks of the ``.tf`` files,
      in file order; ``by_address``: address -> first block with it; ``addresses``:
      address per block (by ``id`` of the block);
    - ``locals``: name -> (file, attribute), as ``Module.locals`` returns it;
    - the reverse reference index (``referrers``): built on first use from every
      traversal of every block, once.

    A fix that changed only a run of top-level items of some files (the engine's fast
    path knows which) does not rebuild it: ``patch`` takes the old run's blocks out and
    puts the new run's in (each block has an order key, so the lists stay in file order).
    """

    def __init__(self, module: Module) -> None:
        self.all: list[BlockRef] = []
        self.by_kind: dict[str, list[BlockRef]] = {}
        self.by_kind_type: dict[tuple[str, str], list[BlockRef]] = {}
        self._labels: dict[int, str | None] = {}
        # the order of every top-level item: (file number, key), keys increasing in a file
        self._order: dict[int, tuple[int, float]] = {}
        self._files: list[SourceFile] = list(module.files)
        self._items: dict[int, list[cst.Node]] = {}  # id(file) -> its items as indexed
        self._trees: dict[int, cst.File] = {id(f): f.tree for f in self._files}
        block = cst.Block
        for n, f in enumerate(self._files):
            items = f.tree.body.items
            self._items[id(f)] = list(items)
            for i, item in enumerate(items):
                self._order[id(item)] = (n, float(i))
                if not isinstance(item, block):
                    continue
                ref = BlockRef(f, item)
                kind = str(item.type_token)
                labels = item.labels
                first = labels[0].value if labels else None
                self.all.append(ref)
                self.by_kind.setdefault(kind, []).append(ref)
                if first is not None:
                    self.by_kind_type.setdefault((kind, first), []).append(ref)
                self._labels[id(item)] = first
        self._addresses: dict[int, str] | None = None
        self._by_address: dict[str, BlockRef] = {}
        self._address_refs: dict[str, list[BlockRef]] = {}  # address -> every block with it, in order
        self._locals: dict[str, tuple[SourceFile, cst.Attribute]] | None = None
        # id(node) -> its walk (``nodes``); the node is held, so its id is not reused meanwhile
        self._walks: dict[int, Walk] = dict(module._carried) if module._carried else {}
        self._refs: dict[int, BlockRef] | None = None  # the blocks in the reverse index (by id)
        self._by_key: dict[str, dict[int, BlockRef]] = {}  # resolve key -> blocks with such a traversal
        self._by_prefix: dict[int, dict[str, dict[int, BlockRef]]] = {}  # dots -> path prefix -> blocks
        self._pending: dict[int, BlockRef] = {}  # blocks patched in, not in the reverse index yet
        self._named: dict[tuple[str, str], dict[str, list[BlockRef]]] = {}  # (kind, type) -> name -> blocks
        self._second: dict[int, str] = {}  # the name (second label) each block in ``_named`` had
        self._by_file: dict[int, list[BlockRef]] | None = None  # id(file) -> its blocks (``of_file``)

    def of_file(self, sf: SourceFile) -> list[BlockRef]:
        """The blocks of ``sf``, in order (built from ``all`` on first use)."""
        if self._by_file is None:
            self._by_file = {}
            for ref in self.all:
                self._by_file.setdefault(id(ref.file), []).append(ref)
        return self._by_file.get(id(sf), [])

    def _key(self, ref: BlockRef) -> tuple[int, float]:
        return self._order[id(ref.block)]

    @property
    def addresses(self) -> dict[int, str]:
        if self._addresses is None:
            self._addresses = {}
            for ref in self.all:
                address = ref.address
                self._addresses[id(ref.block)] = address
                self._by_address.setdefault(address, ref)
                self._address_refs.setdefault(address, []).append(ref)
        return self._addresses

    @property
    def by_address(self) -> dict[str, BlockRef]:
        if self._addresses is None:
            self.addresses  # noqa: B018 - builds both
        return self._by_address

    @property
    def locals(self) -> dict[str, tuple[SourceFile, cst.Attribute]]:
        if self._locals is None:
            self._locals = {}
            for ref in self.by_kind.get("locals", ()):
                for attr in ref.block.body.attributes:
                    self._locals[attr.name] = (ref.file, attr)
        return self._locals

    def named(self, kind: str, type_: str) -> dict[str, list[BlockRef]]:
        """The ``kind`` blocks of type ``type_`` with a second label (a name), by that
        name, in file order (built on first use per kind and type)."""
        found = self._named.get((kind, type_))
        if found is None:
            found = self._named[(kind, type_)] = {}
            for ref in self.by_kind_type.get((kind, type_), ()):
                labels = ref.block.label_values
                if len(labels) > 1:
                    found.setdefault(labels[1], []).append(ref)
                    self._second[id(ref.block)] = labels[1]
        return found

    def first_label(self, ref: BlockRef) -> str | None:
        found = self._labels.get(id(ref.block), "")
        if found == "":
            labels = ref.block.labels
            return labels[0].value if labels else None
        return found

    def traversals_of(self, ref: BlockRef) -> list[cst.Traversal]:
        return self.nodes(ref.block, cst.Traversal)  # type: ignore[return-value]

    def nodes(self, node: cst.Node, classes: type | tuple[type, ...]) -> list[cst.Node]:
        if id(node) not in self._order:  # not a top-level item: a fix may edit it in place unseen
            return [n for n in node.walk() if isinstance(n, classes)]
        walk = self._walks.get(id(node))
        if walk is None or walk[0] is not node:
            walk = self._walks[id(node)] = (node, {})
        lists = walk[1]
        found = lists.get(classes)
        if found is None:
            every = lists.get(None)
            if every is None:
                every = lists[None] = list(node.walk())
            found = lists[classes] = [n for n in every if isinstance(n, classes)]
        return found

    def _reverse(self) -> dict[int, BlockRef]:
        if self._refs is None:
            self._refs = {}
            for ref in self.all:
                self._add_reverse(ref)
        elif self._pending:  # their traversals are read now, as a fresh index would
            pending, self._pending = self._pending, {}
            for ref in pending.values():
                self._add_reverse(ref)
        return self._refs

    def _add_reverse(self, ref: BlockRef) -> None:
        assert self._refs is not None
        self._refs[id(ref.block)] = ref
        for trav in self.traversals_of(ref):
            key = _resolve_key(trav.path)
            if key is not None:
                self._by_key.setdefault(key, {})[id(ref.block)] = ref
            for dots, table in self._by_prefix.items():
                table.setdefault(".".join(trav.path[: dots + 1]), {})[id(ref.block)] = ref

    def _remove_reverse(self, ref: BlockRef) -> None:
        assert self._refs is not None
        if self._refs.pop(id(ref.block), None) is None:
            return
        for trav in self.traversals_of(ref):
            key = _resolve_key(trav.path)
            if key is not None:
                _discard(self._by_key, key, id(ref.block))
            for table in self._by_prefix.values():
                _discard(table, ".".join(trav.path[: table_dots(table) + 1]), id(ref.block))

    def referrers(self, target: BlockRef) -> list[tuple[BlockRef, cst.Traversal]]:
        """As the scan did: every (block, traversal) where the traversal resolves to
        ``target``, or its path's first ``address.count('.') + 1`` names spell the
        target's address; in file order, each traversal once."""
        self._reverse()
        address = self.addresses.get(id(target.block)) or target.address
        dots = address.count(".")
        table = self._by_prefix.get(dots)
        if table is None:
            table = self._by_prefix[dots] = _DotsTable(dots)
            for ref in self.all:
                for trav in self.traversals_of(ref):
                    table.setdefault(".".join(trav.path[: dots + 1]), {})[id(ref.block)] = ref
        blocks = dict(table.get(address, {}))
        by_key = self.by_address.get(address) == target  # what resolve() finds for its key
        if by_key:
            blocks.update(self._by_key.get(address, {}))
        out = []
        for ref in sorted(blocks.values(), key=self._key):
            for trav in self.traversals_of(ref):
                path = trav.path
                if ".".join(path[: dots + 1]) == address or (by_key and _resolve_key(path) == address):
                    out.append((ref, trav))
        return out

    # ---- patching after a fix ----
    def follow(self, module: Module) -> bool:
        """Bring the index up to date with the module's trees after a round of fixes: in
        each file, the items kept at the start and at the end (the same objects as indexed)
        stay, the others are replaced (``_replace``, as ``patch`` does); a file whose tree is
        a new object has every item replaced; files added at the end are indexed. False
        (the index must be rebuilt) when files were removed or reordered."""
        files = module.files
        known = self._files
        if len(files) < len(known) or any(a is not b for a, b in zip(files, known)):
            return False
        self._by_file = None
        for f in files[len(known):]:  # created by the round's fixes
            known.append(f)
            self._trees[id(f)] = f.tree
            self._items[id(f)] = []
        changes = []
        for f in known:
            old = self._items[id(f)]
            tree = f.tree
            new = tree.body.items
            if tree is not self._trees[id(f)]:
                self._trees[id(f)] = tree
                if old or new:
                    changes.append((f, 0, 0, old, new))
                continue
            limit = min(len(old), len(new))
            lo = 0
            while lo < limit and new[lo] is old[lo]:
                lo += 1
            if lo == len(old) == len(new):
                continue
            keep = 0
            while keep < limit - lo and new[len(new) - 1 - keep] is old[len(old) - 1 - keep]:
                keep += 1
            changes.append((f, lo, keep, old, new))
        # each replaced block is taken out of and put into sorted lists: past a few hundred,
        # building the index again costs less
        replaced = sum(len(old) + len(new) - 2 * (lo + keep) for _, lo, keep, old, new in changes)
        if replaced > max(256, len(self.all) // 4):
            return False
        return self._apply(changes)

    def patch(self, module: Module, hints: dict[int, tuple[int, int]]) -> bool:
        """Bring the index up to date after a fix that changed, in each file of ``hints``
        (by ``id``: (items kept at the start, items kept at the end)), only the items
        between those, and no other file's items list. False (the index must be rebuilt)
        when the trees do not show that. (The index holds no reference to its module: the
        two would form a cycle, and then every dropped index, and after the run the module's
        trees, would wait for the cyclic garbage collector.)"""
        if module.files != self._files or any(f.tree is not self._trees[id(f)] for f in module.files):
            return False
        self._by_file = None
        changes = []
        for f in self._files:
            old = self._items[id(f)]
            new = f.tree.body.items
            hint = hints.get(id(f))
            if hint is None:
                if len(new) != len(old):
                    return False
                continue
            lo, keep = hint
            if len(new) < lo + keep or len(old) < lo + keep:
                return False
            if new[:lo] != old[:lo] or new[len(new) - keep:] != old[len(old) - keep:]:
                return False
            changes.append((f, lo, keep, old, new))
        return self._apply(changes)

    def _apply(self, changes: list[tuple[SourceFile, int, int, list[cst.Node], list[cst.Node]]]) -> bool:
        """Replace, in each file of ``changes`` (file, items kept at the start, items kept at
        the end, the items indexed, the items now), the items between those; False when a
        kept block changed its kind or labels in place (the index must be rebuilt)."""
        try:
            for f, lo, keep, old, new in changes:
                self._replace(f, lo, keep, old, new)
        except (KeyError, IndexError, ValueError):
            return False
        # the walks of the items replaced go (one a fix changed may be the same object,
        # edited in place); only top-level items' walks are kept (``nodes``)
        for _, lo, keep, old, _ in changes:
            for item in old[lo:len(old) - keep]:
                self._walks.pop(id(item), None)
        return True

    def _replace(self, f: SourceFile, lo: int, keep: int, old: list[cst.Node], new: list[cst.Node]) -> None:
        gone = old[lo:len(old) - keep]
        added = new[lo:len(new) - keep]
        for item in gone:
            if isinstance(item, cst.Block):
                self._drop(BlockRef(f, item))
            self._order.pop(id(item), None)
        n = self._files.index(f)
        before = self._order[id(new[lo - 1])][1] if lo > 0 else None
        after = self._order[id(new[len(new) - keep])][1] if keep > 0 else None
        if before is None:
            before = (after if after is not None else 0.0) - len(added) - 1
        if after is None:
            after = before + len(added) + 1
        step = (after - before) / (len(added) + 1)
        keys = [before + step * (j + 1) for j in range(len(added))]
        if any(not (a < b) for a, b in zip([before, *keys], [*keys, after])):
            keys = []  # no room left between the neighbours: number the file's items again
            for i, item in enumerate(new):
                self._order[id(item)] = (n, float(i))
        else:
            for item, k in zip(added, keys):
                self._order[id(item)] = (n, k)
        self._items[id(f)] = list(new)
        for item in added:
            if isinstance(item, cst.Block):
                self._put(BlockRef(f, item))

    def _drop(self, ref: BlockRef) -> None:
        item = ref.block
        kind = str(item.type_token)
        first = self._labels.pop(id(item), None)
        _remove_sorted(self.all, ref, self._key)
        _remove_sorted(self.by_kind[kind], ref, self._key)
        if not self.by_kind[kind]:
            del self.by_kind[kind]
        if first is not None:
            lst = self.by_kind_type[(kind, first)]
            _remove_sorted(lst, ref, self._key)
            if not lst:
                del self.by_kind_type[(kind, first)]
        if kind == "locals":
            self._locals = None
        name = self._second.pop(id(item), None)
        if name is not None:
            named = self._named[(kind, first)]  # type: ignore[index]
            _remove_sorted(named[name], ref, self._key)
            if not named[name]:
                del named[name]
        if self._refs is not None:
            self._pending.pop(id(item), None)
            self._remove_reverse(ref)
        if self._addresses is not None:
            address = self._addresses.pop(id(item))
            lst = self._address_refs[address]
            _remove_sorted(lst, ref, self._key)
            if lst:
                self._by_address[address] = lst[0]
            else:
                del self._address_refs[address], self._by_address[address]

    def _put(self, ref: BlockRef) -> None:
        item = ref.block
        kind = str(item.type_token)
        labels = item.labels
        first = labels[0].value if labels else None
        self._labels[id(item)] = first
        _insert_sorted(self.all, ref, self._key)
        _insert_sorted(self.by_kind.setdefault(kind, []), ref, self._key)
        if first is not None:
            _insert_sorted(self.by_kind_type.setdefault((kind, first), []), ref, self._key)
        if kind == "locals":
            self._locals = None
        if first is not None and (kind, first) in self._named:
            values = item.label_values
            if len(values) > 1:
                _insert_sorted(self._named[(kind, first)].setdefault(values[1], []), ref, self._key)
                self._second[id(item)] = values[1]
        if self._refs is not None:
            self._pending[id(item)] = ref
        if self._addresses is not None:
            address = ref.address
            self._addresses[id(item)] = address
            lst = self._address_refs.setdefault(address, [])
            _insert_sorted(lst, ref, self._key)
            self._by_address[address] = lst[0]


class _DotsTable(dict):  # type: ignore[type-arg]
    """path prefix (``dots + 1`` names) -> blocks with a traversal starting so."""

    def __init__(self, dots: int) -> None:
        super().__init__()
        self.dots = dots


def table_dots(table: dict) -> int:  # type: ignore[type-arg]
    return table.dots  # type: ignore[attr-defined, no-any-return]


def _discard(table: dict, key: str, block: int) -> None:  # type: ignore[type-arg]
    found = table.get(key)
    if found is not None:
        found.pop(block, None)
        if not found:
            del table[key]


def _remove_sorted(lst: list[BlockRef], ref: BlockRef, key: Callable[[BlockRef], tuple[int, float]]) -> None:
    i = bisect_left(lst, key(ref), key=key)
    while lst[i].block is not ref.block:  # keys are unique per item: at most a step
        i += 1
    del lst[i]


def _insert_sorted(lst: list[BlockRef], ref: BlockRef, key: Callable[[BlockRef], tuple[int, float]]) -> None:
    lst.insert(bisect_left(lst, key(ref), key=key), ref)
