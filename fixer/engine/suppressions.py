"""Comments that silence findings.

* ``# tffix:ignore`` or ``# tffix:ignore[ID,...]`` on the finding's line, on
  the header line of its top-level block, or on a comment line directly
  above that block.
* ``# tffix:ignore-file`` / ``# tffix:ignore-file[ID,...]`` anywhere in a file.
* Peers' comments, for rules mapped to their ids (and Checkov ids in the
  rule's ``checkov_skips``): Checkov's
  ``#checkov:skip=CKV_AWS_17:reason`` anywhere inside the block, and
  Trivy's ``#trivy:ignore:AVD-AWS-0180`` (optionally ``:exp:2026-12-31``,
  after which it no longer applies) on the finding's line, the block's
  header line or the lines directly above either.

IDs may be rule ids or prefixes (``TFX1`` silences every ``TFX1xx``).
"""

from __future__ import annotations

import datetime as dt
import re
from collections import defaultdict
from dataclasses import dataclass, field

from tffix.syntax import cst

__all__ = ["Comments", "is_suppressed"]

_COMMENT = re.compile(r"(#|//)[^\r\n]*|/\*.*?\*/", re.S)
_TFFIX = re.compile(r"tffix:(ignore-file|ignore)(?:\[([^\]]*)\])?")
_CHECKOV = re.compile(r"checkov:skip=([A-Za-z0-9_]+)")
_TRIVY = re.compile(r"trivy:ignore:([A-Za-z0-9_-]+)(?::exp:(\d{4}-\d{2}-\d{2}))?")


@dataclass
class Comments:
    """The comments of one file, by line number."""

    by_line: dict[int, list[str]] = field(default_factory=lambda: defaultdict(list))
    file_ignores: list[str | None] = field(default_factory=list)  # None: every rule

    @classmethod
    def of(cls, tree: cst.File) -> Comments:
        out = cls()
        for tok in tree.scan_tokens():  # a lazy tree's items are built one at a time
            pre = tok.pre
            if not pre or ("#" not in pre and "/" not in pre):
                continue
            line = (tok.line or 1) - pre.count("\n")
            for m in _COMMENT.finditer(pre):
                text = m.group()
                start_line = line + pre.count("\n", 0, m.start())
                out.by_line[start_line].append(text)
                for t in _TFFIX.finditer(text):
                    if t.group(1) == "ignore-file":
                        ids = _ids(t.group(2))
                        out.file_ignores.extend(ids if ids else [None])
        return out


def _ids(raw: str | None) -> list[str]:
    return [p.strip() for p in (raw or "").split(",") if p.strip()]


def _matches(rule_id: str, wanted: list[str | None]) -> bool:
    return any(w is None or rule_id.startswith(w) for w in wanted)


def _norm_trivy(value: str) -> str:
    value = value.upper()
    return value[4:] if value.startswith("AVD-") else value


def is_suppressed(rule_id: str, checkov: tuple[str, ...], trivy: tuple[str, ...], line: int,
                  block: cst.Block | None, comments: Comments, today: dt.date | None = None) -> bool:
    today = today or dt.date.today()
    if _matches(rule_id, comments.file_ignores):
        return True
    lines = {line}
    first = last = line
    if block is not None:
        first = block.line
        last = block.last_token().line or first
        lines.add(first)
        # comment lines directly above the block
        above = first - 1
        while comments.by_line.get(above) and above >= 1:
            lines.add(above)
            above -= 1
    trivy_lines = lines | {line - 1}
    # the lines with comments among those that count (any order: every match answers True)
    by_line = comments.by_line
    inside = range(first, last + 1)
    commented = [ln for ln in inside if ln in by_line] if len(inside) <= len(by_line) else \
        [ln for ln in by_line if first <= ln <= last]
    for ln in trivy_lines.union(commented):
        for text in by_line.get(ln, ()):
            if ln in lines:
                for t in _TFFIX.finditer(text):
                    if t.group(1) == "ignore":
                        ids = _ids(t.group(2))
                        if _matches(rule_id, ids if ids else [None]):
                            return True
            if first <= ln <= last:
                for c in _CHECKOV.finditer(text):
                    if c.group(1) in checkov:
                        return True
            if ln in trivy_lines:
                for t in _TRIVY.finditer(text):
                    if _norm_trivy(t.group(1)) in {_norm_trivy(x) for x in trivy}:
                        expiry = t.group(2)
                        if expiry is None or dt.date.fromisoformat(expiry) >= today:
                            return True
    return False
