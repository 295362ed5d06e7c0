"""The strings and function calls of a top-level block, from one list per block.

``Module.nodes(block, classes)`` keeps one list per class tuple and block, each built by a
pass over the block's whole walk. The rules that look for strings (``Template``,
``Heredoc``) or function calls ask for them here instead: each is a pass over the shorter
list of all three (``WRITTEN``), built once per block and state for every one of them.
"""

from __future__ import annotations

from tffix.engine.module import Module
from tffix.syntax import cst

__all__ = ["WRITTEN", "written"]

WRITTEN = (cst.FunctionCall, cst.Template, cst.Heredoc)


def written(module: Module, block: cst.Node, classes: type | tuple[type, ...]) -> list[cst.Node]:
    """``module.nodes(block, classes)`` for ``classes`` among ``WRITTEN`` (the same nodes in
    the same order): taken from ``module.nodes(block, WRITTEN)``."""
    return [n for n in module.nodes(block, WRITTEN) if isinstance(n, classes)]
