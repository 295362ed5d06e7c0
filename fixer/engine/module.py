"""A Terraform module (the ``.tf`` / ``.tofu`` files of one directory) and an
index over it, so rules can work across files.

The index answers the questions rules ask: which blocks of a kind and type
exist (``module.resources("aws_flow_log")``), which block an expression
refers to (``module.resolve(traversal)``), and which blocks refer to a given
one (``module.referrers(block)``). ``.tfvars`` files are parsed and kept in
``module.tfvars`` for rules that read variable values; resource rules do not
rewrite them.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

from tffix.syntax import cst
from tffix.syntax.parser import parse

__all__ = ["SourceFile", "Module", "BlockRef", "references", "BUILT_IN_ROOTS"]

MODULE_SUFFIXES = (".tf", ".tofu")
VARS_SUFFIXES = (".tfvars",)
# Roots of references that are Terraform's own objects, not blocks of this module.
BUILT_IN_ROOTS = frozenset({"count", "each", "self", "path", "terraform"})


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

    # ---- blocks ----
    def blocks(self, kind: str | None = None, type_: str | None = None) -> Iterator[BlockRef]:
        """Top-level blocks of ``kind`` (``resource``, ``data``, ``variable`` ...)
        whose first label is ``type_`` (when given), in file order."""
        for f in self.files:
            for item in f.tree.body.items:
                if isinstance(item, cst.Block) and (kind is None or item.type == kind):
                    if type_ is None or (item.labels and item.labels[0].value == type_):
                        yield BlockRef(f, item)

    def resources(self, *types: str) -> Iterator[BlockRef]:
        for ref in self.blocks("resource"):
            if not types or ref.block.label_values[0] in types:
                yield ref

    def data_sources(self, *types: str) -> Iterator[BlockRef]:
        for ref in self.blocks("data"):
            if not types or ref.block.label_values[0] in types:
                yield ref

    def find(self, address: str) -> BlockRef | None:
        """The block with this address (``aws_iam_role.r``, ``data.x.y``, ``var.v``)."""
        for ref in self.blocks():
            if ref.address == address:
                return ref
        return None

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
        path = expr.path
        if not path or path[0] in BUILT_IN_ROOTS:
            return None
        if path[0] in ("data", "ephemeral") and len(path) >= 3:
            return self.find(".".join(path[:3]))
        if path[0] in ("var", "module") and len(path) >= 2:
            return self.find(".".join(path[:2]))
        if len(path) >= 2:
            return self.find(".".join(path[:2]))
        return None

    def references_through_locals(self, expr: cst.Node,
                                  locals_: dict[str, tuple[SourceFile, cst.Attribute]] | None = None
                                  ) -> Iterator[cst.Traversal]:
        """Every traversal under ``expr``, where ``local.x`` stands for the traversals of
        that local's value (followed transitively, each local once, so cycles end). A
        ``local.x`` the module does not define is yielded as it is. Pass ``locals_``
        (``self.locals()``) when calling this in a loop."""
        defined = locals_
        seen: set[str] = set()

        def walk(node: cst.Node) -> Iterator[cst.Traversal]:
            nonlocal defined
            for trav in references(node):
                path = trav.path
                if len(path) >= 2 and path[0] == "local":
                    defined = self.locals() if defined is None else defined  # only when a local is used
                    if path[1] in defined:
                        if path[1] not in seen:
                            seen.add(path[1])
                            yield from walk(defined[path[1]][1].value)
                        continue
                yield trav

        return walk(expr)

    def referrers(self, target: BlockRef) -> Iterator[tuple[BlockRef, cst.Traversal]]:
        """Blocks whose expressions refer to ``target``, with the reference."""
        address = target.address
        for ref in self.blocks():
            for trav in references(ref.block):
                if self.resolve(trav) == target or ".".join(trav.path[: address.count(".") + 1]) == address:
                    yield ref, trav

    def new_file(self, name: str) -> SourceFile:
        """Create an empty ``.tf`` file in this module (call it from a fix);
        the engine writes it like any changed file. Returns the existing file
        if one of that name is already there."""
        for f in self.files:
            if f.path.name == name:
                return f
        path = self.directory / name
        display = str(path) if str(self.directory) not in ("", ".") else name
        sf = SourceFile(path, "", parse("", display), display=display)
        self.files.append(sf)
        return sf

    def terraform_blocks(self) -> Iterator[BlockRef]:
        return self.blocks("terraform")

    def locals(self) -> dict[str, tuple[SourceFile, cst.Attribute]]:
        out: dict[str, tuple[SourceFile, cst.Attribute]] = {}
        for ref in self.blocks("locals"):
            for attr in ref.block.body.attributes:
                out[attr.name] = (ref.file, attr)
        return out
