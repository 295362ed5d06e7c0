"""Terraform's label counts for top-level blocks.

HCL itself lets a block have any number of labels, but Terraform rejects a
configuration whose ``resource`` has no name or whose ``locals`` has a label
("Missing name for resource", "Extraneous label for locals"). tffix rejects
those files the same way, as a ``ParseError``, instead of letting every rule
trip over ``resource {}``.
"""

from __future__ import annotations

from tffix.syntax import cst
from tffix.syntax.errors import ParseError

__all__ = ["LABELS", "check_block_labels"]

# block type -> the names of its labels, as Terraform's messages give them
LABELS: dict[str, tuple[str, ...]] = {
    "resource": ("type", "name"), "data": ("type", "name"), "ephemeral": ("type", "name"),
    "module": ("name",), "provider": ("name",), "variable": ("name",), "output": ("name",), "check": ("name",),
    "terraform": (), "locals": (), "moved": (), "import": (), "removed": (),
}


def check_block_labels(tree: cst.File, text: str) -> None:
    """Raise ``ParseError`` for the first top-level block with the wrong number of labels."""
    for block in tree.body.blocks:
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
