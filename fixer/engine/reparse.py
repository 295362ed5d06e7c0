"""Parsing again only what fixes changed: the top-level items, not whole files.

A file's body is a sequence of top-level items, each owning whole lines (the
comment and blank lines above it, its own lines, its end of line: CST rule 1 in
``syntax/cst.py``), and the grammar reads each item alone (``body: (NL | attribute
NL | block NL)*``). So when the text before and after a run of items is unchanged,
parsing that run alone, behind a one-line dummy block, gives the very nodes a
parse of the whole file gives for it, and the items around it keep theirs (their
positions are moved by the change in length). Where that argument does not hold,
these functions fall back to a whole-file parse:

- the run touches the file's first or last item (the file's header, its trailing
  lines, a BOM or a missing final newline are involved), or the file itself was
  in a fix's scope (its tree or its items list were replaced);
- the file has top-level attributes (``.tfvars``): redefining one is a syntax
  error that spans items;
- the run does not end at a line end, or does not parse as whole items.

``Baseline`` records a file as it stood at the start of a round (fresh tree, text,
where each item starts); ``refresh`` gives the file's fresh tree for the next
round; ``valid`` answers "does this file still parse?" for one fix, parsing only
the items in its scope, and the whole file only when that part does not parse
(so the error message is the whole file's, as before).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from tffix.engine.module import SourceFile
from tffix.syntax import cst
from tffix.syntax.errors import ParseError
from tffix.syntax.parser import parse

__all__ = ["Baseline", "refresh", "edited", "valid", "HEAD"]

# a block that ends its line: what stands before a run of items parsed alone
HEAD = "tffix_splice {}\n"


@dataclass
class Baseline:
    """A file at the start of a round: its tree object, the items list (copied),
    its text and the offset where each item's text starts, then where the last ends."""

    tree: cst.File
    items: list[cst.Node]
    text: str
    starts: list[int]

    @classmethod
    def of(cls, sf: SourceFile, text: str | None = None) -> Baseline:
        """``sf`` as it stands, its text ``sf.text`` (or ``text``: its tree printed now)."""
        text = sf.text if text is None else text
        tree = sf.tree
        items = list(tree.body.items)
        tail = sum(len(t.pre) + len(t) for t in tree.body.trailing) + len(tree.eof.pre) + len(tree.eof)
        # from the end: each item's text (its leading trivia included) ends where the next starts
        starts = [len(text) - tail]
        for item in reversed(items):
            starts.append(starts[-1] - len(item.code))
        starts.reverse()
        return cls(tree, items, text, starts)


def _blocks_only(items: list[cst.Node]) -> bool:
    return all(isinstance(i, cst.Block) for i in items)


def refresh(sf: SourceFile, base: Baseline, touched: set[int]) -> cst.File:
    """The fresh tree of ``sf`` (whose ``text`` is its new text) after a round that
    changed it: ``base`` is how it stood before, ``touched`` the ``id``s of the
    top-level items fixes had in scope. Unchanged items keep their nodes."""
    text = sf.text
    tree = sf.tree
    new = tree.body.items
    old = base.items
    if tree is not base.tree or -1 in base.starts or not _blocks_only(new) or not _blocks_only(old):
        return parse(text, sf.display)
    p = 0
    limit = min(len(new), len(old))
    while p < limit and new[p] is old[p] and id(old[p]) not in touched:
        p += 1
    s = 0
    while s < limit - p and new[-1 - s] is old[-1 - s] and id(old[-1 - s]) not in touched:
        s += 1
    if p == 0 or s == 0:
        return parse(text, sf.display)
    old_lo, old_hi = base.starts[p], base.starts[len(old) - s]
    tail = len(base.text) - old_hi
    new_hi = len(text) - tail
    if new_hi < old_lo or text[:old_lo] != base.text[:old_lo] or text[new_hi:] != base.text[old_hi:]:
        return parse(text, sf.display)
    region = text[old_lo:new_hi]
    if region and not region.endswith("\n"):
        return parse(text, sf.display)
    middle: list[cst.Node] = []
    if region:
        try:
            part = parse(HEAD + region, sf.display)
        except ParseError:
            return parse(text, sf.display)
        got = part.body.items
        if (part.header or part.body.trailing or part.eof.pre or not got or not _blocks_only(got)
                or part.bom):
            return parse(text, sf.display)
        middle = got[1:]
        line0 = text.count("\n", 0, old_lo) + 1  # the line the region starts on
        _shift(middle, old_lo - len(HEAD), line0 - 2)
    dpos = len(text) - len(base.text)
    dline = region.count("\n") - base.text.count("\n", old_lo, old_hi)
    if dline:  # positions are lines (and columns, which stay: items start at a line start)
        _shift([*new[len(new) - s:], *tree.body.trailing, tree.eof], dpos, dline)
    tree.body.items = [*new[:p], *middle, *new[len(new) - s:]]
    return tree


def edited(tree: cst.File, before: str, after: str, display: str) -> cst.File:
    """The tree of ``after``, a new text of a file whose tree for the text ``before``
    is ``tree`` (an editor's buffer after a change): the top-level items the change
    does not reach keep their nodes (``tree`` is updated in place and returned), the
    others are parsed again, as ``refresh`` does after a round of fixes, with the same
    whole-file fallbacks. Raises ``ParseError`` as ``parse(after)`` would."""
    if before == after:
        return tree
    sf = SourceFile(Path(display), before, tree, display=display)
    base = Baseline.of(sf)
    # the changed span of ``before``: [lo, hi) (an insertion: lo == hi)
    limit = min(len(before), len(after))
    lo = _common(lambda k: before[:k] == after[:k], limit)
    tail = _common(lambda k: before[len(before) - k:] == after[len(after) - k:], limit - lo)
    hi = len(before) - tail
    starts = base.starts
    touched = set()
    for i, item in enumerate(base.items):
        start, end = starts[i], starts[i + 1]
        if (start < hi and lo < end) if lo < hi else start <= lo <= end:
            touched.add(id(item))
    sf.text = after
    return refresh(sf, base, touched)


def _common(same: Callable[[int], bool], limit: int) -> int:
    """The largest ``k <= limit`` with ``same(k)`` (``same`` holds up to some length and
    not beyond), by bisection: slices compared in C, not character by character."""
    good, bad = 0, limit + 1
    while bad - good > 1:
        mid = (good + bad) // 2
        if same(mid):
            good = mid
        else:
            bad = mid
    return good


def _shift(nodes: list, dpos: int, dline: int) -> None:
    """Move the positions of every token under ``nodes`` (items start at a line
    start, so columns stay)."""
    for node in nodes:
        for tok in cst.tokens_of(node):
            if tok.line is not None:
                tok.line += dline


def valid(sf: SourceFile, before: str, after: str, ranges: list[tuple[int, int]] | None) -> ParseError | None:
    """Does ``after`` (the text of ``sf`` after a fix; ``before`` the text before it)
    parse? ``ranges``: the spans of ``before`` the fix may edit (its scope's items),
    None for the whole file. None when it parses, else the whole file's error."""
    region = _region(sf, before, after, ranges)
    if region is not None:
        try:
            parse(HEAD + region, sf.display)
            return None
        except ParseError:
            pass  # the whole file says where, in its own lines
    try:
        parse(after, sf.display)
    except ParseError as exc:
        return exc
    return None


def _region(sf: SourceFile, before: str, after: str, ranges: list[tuple[int, int]] | None) -> str | None:
    """The text of ``after`` that replaced the items in ``ranges``, when parsing it
    alone decides whether the file parses; else None."""
    if not ranges or not _blocks_only(sf.tree.body.items):
        return None
    lo = min(r[0] for r in ranges)
    hi = max(r[1] for r in ranges)
    new_hi = len(after) - (len(before) - hi)
    if lo <= 0 or new_hi < lo or new_hi >= len(after) or hi >= len(before):
        return None  # the file's start or end is involved
    if before[lo - 1] != "\n" or after[lo - 1] != "\n" or not after.startswith(before[:lo]):
        return None
    if not after.endswith(before[hi:]):
        return None
    region = after[lo:new_hi]
    if region and not region.endswith("\n"):
        return None
    return region
