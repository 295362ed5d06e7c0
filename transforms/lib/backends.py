"""Backend blocks: the S3 backends a module configures."""

from __future__ import annotations

from collections.abc import Iterator

from tffix.engine.module import BlockRef, Module
from tffix.syntax import cst

# where a new backend argument goes: after the first of these that exists
AFTER = ("region", "key", "bucket")

# What a fix to a backend block asks of every working directory already initialized with it
# (terraform refuses to plan until then; ``init`` alone refuses too): part of the fix's description.
REINIT = " (then run `terraform init -reconfigure` once where this module is initialized; the state does not move)"


def s3_backends(module: Module) -> Iterator[tuple[BlockRef, cst.Block]]:
    """(terraform block, its backend "s3" block) pairs."""
    for ref in module.blocks("terraform"):
        for backend in ref.block.find_blocks("backend", "s3"):
            yield ref, backend
