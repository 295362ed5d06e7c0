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
    matcher = SequenceMatcher(None, a[lo:len(a) - hi], b[lo:len(b) - hi], autojunk=False)
    for tag, i1, i2, j1, j2 in matcher.get_opcodes():
        if tag == "equal":
            continue
        i1, i2, j1, j2 = i1 + lo, i2 + lo, j1 + lo, j2 + lo
        old, new = before[at_a[i1]:at_a[i2]], after[at_b[j1]:at_b[j2]]
        head = len(commonprefix([old, new]))
        tail = len(commonprefix([old[head:][::-1], new[head:][::-1]]))
        out.append((offset + at_a[i1] + head, offset + at_a[i2] - tail, new[head:len(new) - tail]))
    return out


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
