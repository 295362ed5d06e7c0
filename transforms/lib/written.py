"""The strings and function calls of a top-level block, from one list per block, and what
a file's text or a block's shape rules out before any walk.

``Module.nodes(block, classes)`` keeps one list per class tuple and block, each built by a
pass over the block's whole walk. The rules that look for strings (``Template``,
``Heredoc``) or function calls ask for them here instead: each is a pass over the shorter
list of all three (``WRITTEN``), built once per block and state for every one of them.

Walking every block of a large file costs more than anything a rule does with the nodes
(a 12k-block file: a sixth of a second), so rules first rule out what they can cheaply:

* ``plain(block)``: the block holds only arguments with literal values, so its walk has no
  reference, call, heredoc, ``for`` or nested block (``written`` then reads the values
  instead of walking);
* a file's text (``SourceFile.text``: while checks run, the engine keeps it the text its
  tree prints): a token is a piece of that text, so a file whose text does not spell a
  word has no name, label, argument or literal piece of a string that spells it. Rules
  test ``word in sf.text`` before reading the file's blocks for it (only where what they
  look for is the raw text of tokens: a quoted string's escapes are written as ``\\``).
"""

from __future__ import annotations

from tffix.engine.module import Module
from tffix.syntax import cst

__all__ = ["WRITTEN", "written", "plain"]

WRITTEN = (cst.FunctionCall, cst.Template, cst.Heredoc)

_ATTRIBUTE, _LITERAL, _TEMPLATE = cst.Attribute, cst.Literal, cst.Template


def plain(block: cst.Block) -> bool:
    """Does ``block`` hold nothing but arguments whose values are numbers, ``true``,
    ``false``, ``null`` or quoted strings without a ``${`` or ``%{`` sequence? Then the
    nodes under it are its labels, its body, the arguments and their values: no nested
    block, reference, function call, heredoc or other expression (a pass over the body,
    a tenth of the cost of a walk)."""
    for item in block.body.items:
        if item.__class__ is not _ATTRIBUTE:
            return False
        value = item.value
        cls = value.__class__
        if cls is _LITERAL:
            continue
        if cls is not _TEMPLATE:
            return False
        for part in value.parts:
            if not isinstance(part, str):  # a sequence (an ``Interpolation``, a directive)
                return False
    return True


def written(module: Module, block: cst.Node, classes: type | tuple[type, ...]) -> list[cst.Node]:
    """``module.nodes(block, classes)`` for ``classes`` among ``WRITTEN`` (the same nodes in
    the same order): taken from ``module.nodes(block, WRITTEN)``, or for a ``plain`` block
    from the values of its arguments (no walk)."""
    if block.__class__ is cst.Block and plain(block):  # type: ignore[arg-type]
        return [item.value for item in block.body.items  # type: ignore[attr-defined]
                if isinstance(item.value, classes)]
    return [n for n in module.nodes(block, WRITTEN) if isinstance(n, classes)]
