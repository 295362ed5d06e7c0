"""Terraform's label counts for top-level blocks.

HCL itself lets a block have any number of labels, but Terraform rejects a
configuration whose ``resource`` has no name or whose ``locals`` has a label
("Missing name for resource", "Extraneous label for locals"). tffix rejects
those files the same way, as a ``ParseError``, instead of letting every rule
trip over ``resource {}``.
"""

from __future__ import annotations

from collections.abc import Iterator

from tffix.syntax import cst
from tffix.syntax.errors import ParseError

__all__ = ["LABELS", "check_block_labels"]

# block type -> the names of its labels, as Terraform's messages give them
LABELS: dict[str, tuple[str, ...]] = {
    "resource": ("type", "name"), "data": ("type", "name"), "ephemeral": ("type", "name"),
    "module": ("name",), "provider": ("name",), "variable": ("name",), "output": ("name",), "check": ("name",),
    "terraform": (), "locals": (), "moved": (), "import": (), "removed": (),
}


def _blocks(tree: cst.File) -> Iterator[cst.Block]:
    """The top-level blocks; of a lazy tree only those whose label count is
    wrong are built (the others are known from their ``Stub``)."""
    body = tree.body
    if not isinstance(body, cst.LazyBody):
        yield from body.blocks
        return
    for i, entry in enumerate(body.entries):
        if isinstance(entry, cst.Stub):
            names = LABELS.get(entry.type) if entry.type is not None else None
            if names is None or len(entry.labels) == len(names):
                continue
            entry = body.peek(i)
        if isinstance(entry, cst.Block):
            yield entry


def check_block_labels(tree: cst.File, text: str) -> None:
    """Raise ``ParseError`` for the first top-level block with the wrong number of labels."""
    for block in _blocks(tree):
        names = LABELS.get(block.type)
        if names is None or len(block.labels) == len(names):
            continue
        if len(block.labels) < len(names):
            missing = names[len(block.labels)]
            message = (f"Missing {missing} for {block.type}: all {block.type} blocks must have "
                       f"{len(names)} label(s) ({', '.join(names)})")
            at = block.lbrace
        else:
            extra = block.labels[len(names)]
            message = (f"Extraneous label for {block.type}: only {len(names)} label(s) expected"
                       + (f" ({', '.join(names)})" if names else ""))
            at = extra.first_token()
        raise ParseError(message, tree.path, at.line or 1, at.column or 1, text)
