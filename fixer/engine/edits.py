"""What a fix did, as data: the text edits it made.

Rules change trees with the edit API; the engine reads the edits back off the
text (a diff of each file before and after the fix), so no rule reports its
own edits and none can get them wrong. The same data serves SARIF ``fixes``
and, next, editors (an LSP workspace edit is a list of these): no consumer
re-runs a rule to learn what its fix does.

A fix may only edit inside its scope: the top-level items it declared (their
source spans, trivia included), whole files it declared, and files it created.
Edits are located relative to that scope, so an insertion next to a scoped
block never looks like an edit of its neighbour.
"""

from __future__ import annotations

from bisect import bisect_left
from dataclasses import dataclass
from difflib import SequenceMatcher
from itertools import accumulate
from os.path import commonprefix

from tffix.syntax import cst

__all__ = ["TextEdit", "diff", "edits_within", "item_spans"]

Range = tuple[int, int]


@dataclass(frozen=True)
class TextEdit:
    """Replace ``text[start:end]`` of one file with ``replacement``; offsets are
    characters into the file's text just before the fix. A file the fix created
    is an edit of an empty text, flagged ``created``."""

    path: str  # on disk
    display: str  # as shown to the user
    start: int
    end: int
    replacement: str
    created: bool = False


def diff(before: str, after: str, offset: int = 0) -> list[tuple[int, int, str]]:
    """Minimal replaced ranges ``(start, end, replacement)`` turning ``before`` into
    ``after``: the changed runs of lines, less the characters they keep at either end."""
    a, b = before.splitlines(True), after.splitlines(True)
    at_a, at_b = list(accumulate(map(len, a), initial=0)), list(accumulate(map(len, b), initial=0))
    # the lines both texts start and end with are not compared: SequenceMatcher is
    # quadratic in repeated lines (5,000 comment lines, or the "}" of 3,000 blocks,
    # took minutes) and a fix changes a few lines of a file
    lo = 0
    while lo < len(a) and lo < len(b) and a[lo] == b[lo]:
        lo += 1
    hi = 0
    while hi < len(a) - lo and hi < len(b) - lo and a[len(a) - 1 - hi] == b[len(b) - 1 - hi]:
        hi += 1
    out = []
    for i1, i2, j1, j2 in _changed_runs(a, b, lo, len(a) - hi, lo, len(b) - hi):
        old, new = before[at_a[i1]:at_a[i2]], after[at_b[j1]:at_b[j2]]
        head = len(commonprefix([old, new]))
        tail = len(commonprefix([old[head:][::-1], new[head:][::-1]]))
        out.append((offset + at_a[i1] + head, offset + at_a[i2] - tail, new[head:len(new) - tail]))
    return out


# Above this many line pairs a range is not given to SequenceMatcher whole: a formatter's fix
# changes lines all over a file, and SequenceMatcher took minutes on a 240 kB file.
_MATCHER_PAIRS = 250_000


def _changed_runs(a: list[str], b: list[str], alo: int, ahi: int, blo: int, bhi: int) -> list[tuple[int, int, int, int]]:
    """The runs ``(i1, i2, j1, j2)`` where ``a[alo:ahi]`` and ``b[blo:bhi]`` differ, in order.

    Small ranges go to SequenceMatcher. Large ones are split at anchors first, as patience
    diff does: lines found exactly once in each range, kept in the longest chain that is in
    order in both; the pieces between anchors are compared the same way. A large piece
    without anchors is compared line by line when both sides have as many lines (what a
    formatter does), else it is one run."""
    if ahi - alo == 0 or bhi - blo == 0:
        return [(alo, ahi, blo, bhi)] if (ahi - alo or bhi - blo) else []
    if (ahi - alo) * (bhi - blo) <= _MATCHER_PAIRS:
        matcher = SequenceMatcher(None, a[alo:ahi], b[blo:bhi], autojunk=False)
        return [(i1 + alo, i2 + alo, j1 + blo, j2 + blo)
                for tag, i1, i2, j1, j2 in matcher.get_opcodes() if tag != "equal"]
    anchors = _anchors(a, b, alo, ahi, blo, bhi)
    if not anchors:
        if ahi - alo != bhi - blo:
            return [(alo, ahi, blo, bhi)]
        runs: list[tuple[int, int, int, int]] = []
        for k in range(ahi - alo):
            if a[alo + k] != b[blo + k]:
                if runs and runs[-1][1] == alo + k:
                    i1, _, j1, _ = runs[-1]
                    runs[-1] = (i1, alo + k + 1, j1, blo + k + 1)
                else:
                    runs.append((alo + k, alo + k + 1, blo + k, blo + k + 1))
        return runs
    out: list[tuple[int, int, int, int]] = []
    i, j = alo, blo
    for ai, bj in [*anchors, (ahi, bhi)]:
        out.extend(_changed_runs(a, b, i, ai, j, bj))
        i, j = ai + 1, bj + 1
    return out


def _anchors(a: list[str], b: list[str], alo: int, ahi: int, blo: int, bhi: int) -> list[tuple[int, int]]:
    """Pairs ``(i, j)`` with ``a[i] == b[j]`` a line found once in each range, the longest
    chain of them increasing in both ``i`` and ``j``."""
    once_a: dict[str, int | None] = {}
    for i in range(alo, ahi):
        once_a[a[i]] = None if a[i] in once_a else i
    once_b: dict[str, int | None] = {}
    for j in range(blo, bhi):
        once_b[b[j]] = None if b[j] in once_b else j
    pairs = [(i, once_b[line]) for line, i in once_a.items()
             if i is not None and once_b.get(line) is not None]
    pairs.sort()
    # longest increasing subsequence of the j's (patience sorting)
    tails: list[int] = []  # index into pairs of the smallest tail of each length
    back: list[int] = [-1] * len(pairs)
    tail_js: list[int] = []
    for k, (_, j) in enumerate(pairs):
        n = bisect_left(tail_js, j)
        back[k] = tails[n - 1] if n else -1
        if n == len(tails):
            tails.append(k)
            tail_js.append(j)
        else:
            tails[n] = k
            tail_js[n] = j
    chain: list[tuple[int, int]] = []
    k = tails[-1] if tails else -1
    while k >= 0:
        chain.append(pairs[k])  # type: ignore[arg-type]
        k = back[k]
    chain.reverse()
    return chain  # type: ignore[return-value]


def item_spans(tree: cst.File) -> dict[int, Range]:
    """Where each top-level item lies in the file's text: ``id(item) -> (start, end)``."""
    pos = len(tree.bom) + sum(len(t.pre) + len(t) for t in tree.header)
    spans = {}
    for item in tree.body.items:
        end = pos + len(item.code)
        spans[id(item)] = (pos, end)
        pos = end
    return spans


def edits_within(before: str, after: str, allowed: list[Range]) -> list[tuple[int, int, str]] | None:
    """The edits turning ``before`` into ``after`` that lie inside the ``allowed``
    ranges of ``before``, or None if text outside them changed. The text between
    the ranges must come back unchanged and in order; what stands between those
    pieces in ``after`` replaces the ranges."""
    merged: list[list[int]] = []
    for start, end in sorted(allowed):
        if merged and start <= merged[-1][1]:
            merged[-1][1] = max(merged[-1][1], end)
        else:
            merged.append([start, end])
    if not merged:
        return [] if before == after else None
    head, tail = before[:merged[0][0]], before[merged[-1][1]:]
    limit = len(after) - len(tail)
    if limit < len(head) or not after.startswith(head) or not after.endswith(tail):
        return None
    out = []
    pos = len(head)
    for (start, end), following in zip(merged, [*merged[1:], None]):
        gap = before[end:following[0]] if following else ""
        stop = after.find(gap, pos, limit) if following else limit
        if stop < 0:
            return None
        out.extend(diff(before[start:end], after[pos:stop], offset=start))
        pos = stop + len(gap)
    return out
