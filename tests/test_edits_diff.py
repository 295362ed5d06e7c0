"""``edits.diff``: the text edits read back off a fix, on small and large texts.

A formatter's fix changes lines all over a file; comparing such texts whole with
SequenceMatcher took minutes on a 240 kB file, so large ranges are split at lines found
once on each side (as patience diff does). Whatever the path, the edits must turn the old
text into the new one, and must stay small.
"""

from __future__ import annotations

import random

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from tffix.engine import edits
from tffix.engine.edits import diff

LINES = ["}\n", "  a = 1\n", "\n", "# c\n", "  tags = {\n", "    Name = \"x\"\n"]


def apply(before: str, out: list[tuple[int, int, str]]) -> str:
    text = before
    for start, end, replacement in sorted(out, reverse=True):
        text = text[:start] + replacement + text[end:]
    return text


line = st.one_of(st.sampled_from(LINES), st.integers(0, 40).map(lambda n: f"x{n}\n"))


@pytest.mark.parametrize("limit", [edits._MATCHER_PAIRS, 4])  # whole ranges to SequenceMatcher / split at anchors
@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(a=st.lists(line, max_size=60), ops=st.lists(st.tuples(st.integers(0, 2), st.integers(0, 80), line),
                                                   max_size=10))
def test_edits_turn_the_old_text_into_the_new(monkeypatch, limit: int, a: list[str],
                                              ops: list[tuple[int, int, str]]) -> None:
    monkeypatch.setattr(edits, "_MATCHER_PAIRS", limit)  # the same value on every example
    b = list(a)
    for op, at, new in ops:
        k = at % (len(b) + 1)
        if op == 0:
            b.insert(k, new)
        elif op == 1 and b:
            del b[min(k, len(b) - 1)]
        elif b:
            b[min(k, len(b) - 1)] = b[min(k, len(b) - 1)].replace("  ", "    ")
    before, after = "".join(a), "".join(b)
    assert apply(before, diff(before, after)) == after


def test_a_whole_file_reformatted_gives_one_edit_per_changed_line() -> None:
    # the shape of a formatting fix: every indented line changes, none is added or removed
    rng = random.Random(7)
    blocks = [f'resource "aws_s3_bucket" "b{i}" {{\n  bucket = "b{i}"\n  acl = "private"\n}}\n\n'
              for i in range(3000)]
    before = "".join(blocks)
    after = before.replace("  acl = ", "  acl    = ")
    assert edits._MATCHER_PAIRS < before.count("\n") ** 2  # the split path runs
    out = diff(before, after)
    assert apply(before, out) == after
    assert len(out) == 3000 and all(r == "   " for _, _, r in out)
    # an inserted block among them stays one insertion
    k = rng.randrange(1, 3000)
    inserted = "".join(blocks[:k]) + 'resource "x" "y" {}\n\n' + "".join(blocks[k:])
    out = diff(before, inserted)
    assert apply(before, out) == inserted and len(out) == 1
