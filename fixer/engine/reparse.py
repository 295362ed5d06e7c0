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

The same argument lets ``refresh`` reuse parses the round already made: the fast
path (``apply.apply_fix_fast``) parses each fix's window alone to check its syntax,
and the engine verifies at the end of the round that every item prints the text
its ledger holds (``Final``). The file's text is then a sequence of whole-line
chunks, each an unchanged item (its old nodes, moved), a window parsed by a fix
no later fix changed (those nodes, moved), or anything else (parsed now, alone),
and the nodes of a whole parse are the chunks' nodes. A file a fix created keeps
the tree its syntax check parsed, when its text did not change after that
(``Baseline.fresh``).
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from tffix.engine.module import SourceFile, same_objects
from tffix.syntax import cst
from tffix.syntax.errors import ParseError
from tffix.syntax.lexer import Token
from tffix.syntax.parser import parse

__all__ = ["Baseline", "Final", "Group", "refresh", "edited", "valid", "HEAD"]

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
    # set by the engine during the round (``refresh`` reads them): the file as the round
    # left it, verified item by item; a whole parse of a text the file had (a created file)
    final: Final | None = None
    fresh: tuple[str, cst.File] | None = None
    printed: str | None = None  # what the tree printed at the end of the round (``apply.Ledger.verify``)
    # the tokens around the items (the same objects, not only the same text, for ``refresh``)
    header: list = field(default_factory=list)
    trailing: list = field(default_factory=list)
    eof: object = None

    @classmethod
    def of(cls, sf: SourceFile, text: str | None = None) -> Baseline:
        """``sf`` as it stands, its text ``sf.text`` (or ``text``: its tree printed now)."""
        text = sf.text if text is None else text
        tree = sf.tree
        items = list(tree.body.items)
        tail = sum(len(t.pre) + len(t) for t in tree.body.trailing) + len(tree.eof.pre) + len(tree.eof)
        starts = _placed(text, tree, items, len(text) - tail)
        if starts is None:
            # from the end: each item's text (its leading trivia included) ends where the next starts
            starts = [len(text) - tail]
            for item in reversed(items):
                starts.append(starts[-1] - len(item.code))
            starts.reverse()
        return cls(tree, items, text, starts, header=list(tree.header), trailing=list(tree.body.trailing),
                   eof=tree.eof)


_NEWLINE = re.compile("\n")


def _placed(text: str, tree: cst.File, items: list[cst.Node], end: int) -> list[int] | None:
    """Where each item starts, then where the last one ends (``end``), read off the source
    positions of the items' last tokens instead of printing every item (a 12k-block file
    prints in a fifth of a second; this takes a few hundredths). Items are contiguous: each
    starts where the one before ends, the first after the byte order mark and the header.
    None where that cannot be read (a token without a position, from an edit) or does not
    add up: then the items are printed."""
    if not items:
        return None
    first = len(tree.bom) + sum(len(t.pre) + len(t) for t in tree.header)
    lines = [0]  # where each line starts
    lines.extend(m.end() for m in _NEWLINE.finditer(text, 0, end))
    starts = [first]
    last = first
    count = len(lines)
    startswith = text.startswith
    for item in items:
        tok = item.last_token()
        line, column = tok.line, tok.column
        if line is None or column is None or not 0 < line <= count:
            return None
        at = lines[line - 1] + column - 1
        if at < last or not startswith(tok, at):
            return None
        last = at + len(tok)
        starts.append(last)
    return starts if last == end else None


# A window a fix changed, parsed alone for its syntax check: the items it left there
# (the tree's objects), their nodes from that parse (lines counted from 2, behind
# ``HEAD``), and the text it parsed (what those items printed then).
Group = tuple[list[cst.Node], list[cst.Node], str]


@dataclass
class Final:
    """A file at the end of a round, as the engine verified it (``engine._apply_round``):
    its tree's items (the same objects), the text each prints, what stands before
    and after them, and for each item (by ``id``) the latest window parse that held it."""

    items: list[cst.Node]
    texts: list[str]
    head: str
    tail: str
    groups: dict[int, Group]


def _blocks_only(items: list[cst.Node]) -> bool:
    return all(isinstance(i, cst.Block) for i in items)


def refresh(sf: SourceFile, base: Baseline, touched: set[int]) -> cst.File:
    """The fresh tree of ``sf`` (whose ``text`` is its new text) after a round that
    changed it: ``base`` is how it stood before, ``touched`` the ``id``s of the
    top-level items fixes had in scope. Unchanged items keep their nodes."""
    text = sf.text
    if base.fresh is not None:  # a file a fix created: the tree its syntax check parsed
        fresh_text, fresh_tree = base.fresh
        base.fresh = None
        return fresh_tree if fresh_text == text else parse(text, sf.display)
    if base.final is not None:
        reused = _reuse(sf, base, touched)
        if reused is not None:
            return reused
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


def _reuse(sf: SourceFile, base: Baseline, touched: set[int]) -> cst.File | None:
    """``refresh`` from what the round verified (``base.final``): every item is an
    unchanged one (its nodes kept, moved), part of a window parsed alone by its fix
    (those nodes, moved), or parsed now with its neighbours of neither kind. None
    (nothing changed) where that argument does not hold: ``refresh`` goes on as before."""
    final = base.final
    assert final is not None
    tree = sf.tree
    text = sf.text
    items = tree.body.items
    old = base.items
    if (tree is not base.tree or id(tree) in touched or not old or not items
            or not same_objects(items, final.items) or not _blocks_only(items) or not _blocks_only(old)):
        return None
    start0, end = base.starts[0], base.starts[-1]
    if (final.head != base.text[:start0] or final.tail != base.text[end:]
            or final.head + "".join(final.texts) + final.tail != text
            or not same_objects(tree.header, base.header) or not same_objects(tree.body.trailing, base.trailing)
            or tree.eof is not base.eof):
        return None
    where = {id(item): j for j, item in enumerate(old)}
    texts, groups = final.texts, final.groups
    # the chunks: (nodes, how far to move their lines, kept: the old nodes of old item j, else -1)
    chunks: list[tuple[list[cst.Node], int, int]] = []
    line = 1 + final.head.count("\n")  # the line the next chunk starts on
    cursor = (0, 1 + base.text.count("\n", 0, start0))  # an old item's index and the line it started on
    n = len(items)
    k = 0
    loose = -1  # the first of a run of items of neither kind (parsed together)

    def parse_loose(upto: int) -> bool:
        nonlocal line, loose
        chunk = "".join(texts[loose:upto])
        loose = -1
        nodes = _alone(chunk, sf.display)
        if nodes is None:
            return False
        chunks.append((nodes, line - 2, -1))
        line += chunk.count("\n")
        return True

    while k < n:
        item = items[k]
        group = groups.get(id(item))
        if group is not None and group[0][0] is item and k + len(group[0]) <= n:
            members = group[0]
            m = len(members)
            if (all(a is b and groups.get(id(a)) is group for a, b in zip(items[k:k + m], members))
                    and "".join(texts[k:k + m]) == group[2]):
                if loose >= 0 and not parse_loose(k):
                    return None
                chunks.append((group[1], line - 2, -1))
                line += group[2].count("\n")
                k += m
                continue
        j = where.get(id(item), -1)
        if j >= 0 and id(item) not in touched and texts[k] == base.text[base.starts[j]:base.starts[j + 1]]:
            if loose >= 0 and not parse_loose(k):
                return None
            cj, cline = cursor if cursor[0] <= j else (0, 1 + base.text.count("\n", 0, start0))
            old_line = cline + base.text.count("\n", base.starts[cj], base.starts[j])
            cursor = (j, old_line)
            chunks.append(([item], line - old_line, j))
            line += texts[k].count("\n")
            k += 1
            continue
        if loose < 0:
            loose = k
        k += 1
    if loose >= 0 and not parse_loose(n):
        return None
    # the file's edges: a new first item whose leading lines hold a blank one would give
    # them to the file's header; a byte order mark counts in the columns of line 1; the
    # lines after the last item were read after a line end
    first_nodes, _, first_kept = chunks[0]
    if first_kept != 0:
        if tree.bom or any(t.pre.strip(" \t") == "" for t in first_nodes[0].leading):
            return None
    last_nodes, _, last_kept = chunks[-1]
    if last_kept != len(old) - 1 and not (texts[-1].endswith("\n") and base.text[:end].endswith("\n")):
        return None
    new: list[cst.Node] = []
    run: list[cst.Node] = []  # consecutive nodes moved by the same number of lines
    run_dline = 0
    for nodes, dline, _ in chunks:
        if dline != run_dline:
            if run_dline:
                _shift(run, 0, run_dline)
            run, run_dline = [], dline
        run.extend(nodes)
        new.extend(nodes)
    if run_dline:
        _shift(run, 0, run_dline)
    dline = line - (1 + base.text.count("\n", 0, end))
    if dline:
        _shift([*tree.body.trailing, tree.eof], 0, dline)
    tree.body.items = new
    return tree


def _alone(chunk: str, display: str) -> list[cst.Node] | None:
    """The items of ``chunk`` (whole lines of whole top-level blocks) parsed alone behind
    ``HEAD`` (lines counted from 2), or None where that does not give whole blocks."""
    if not chunk.endswith("\n"):
        return None
    try:
        part = parse(HEAD + chunk, display)
    except ParseError:
        return None
    return _items_of(part)


def _items_of(part: cst.File) -> list[cst.Node] | None:
    """The items after ``HEAD`` of a parse of ``HEAD`` + some whole items, when it is
    that (blocks only, nothing after the last one)."""
    got = part.body.items
    if part.header or part.body.trailing or part.eof.pre or len(got) < 2 or not _blocks_only(got) or part.bom:
        return None
    return got[1:]


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
    start, so columns stay). A loop over an explicit stack, in no order (every
    token gets the same change), as ``cst.tokens_of`` without its generator."""
    stack: list = list(nodes)
    pop, extend = stack.pop, stack.extend
    token = Token
    while stack:
        item = pop()
        cls = item.__class__
        if cls is token:
            if item.line is not None:
                item.line += dline
        elif cls is list:
            extend(item)
        elif item is not None and cls is not str:  # (``File.bom``)
            extend(item._values(item))


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
