"""Which RDS engine versions support a feature, read from a resource's `engine_version`.

AWS gates features by engine version (IAM database authentication on MariaDB only from
10.11, for example); a fix that enables one on a version without it makes the apply
fail. Each feature is a list of supported ranges, each a lowest version and the version
line it ends before (None: every later version). `engine_version` may name a whole line
("8.0", "16"), for which RDS picks the newest minor version, or one minor version
("8.0.35"); a missing one means RDS's default, the newest line.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from tffix.syntax import cst
from tffix.transforms.lib.settings import text

Version = tuple[int, ...]
Range = tuple[Version, Version | None]  # (lowest supported, first version line past the range)

_NUMBERS = re.compile(r"^(\d+(?:\.\d+)*)")


@dataclass(frozen=True)
class EngineVersion:
    """What the code says about a resource's engine version. ``known`` is False when
    it comes from an expression; ``version`` is None when it is not set."""

    known: bool
    version: Version | None
    written: str | None = None


def engine_version(block: cst.Block) -> EngineVersion:
    attr = block.get_attribute("engine_version")
    if attr is None:
        return EngineVersion(True, None)
    known, value = text(attr.value)
    if not known:
        return EngineVersion(False, None)
    if value is None:
        return EngineVersion(True, None)
    match = _NUMBERS.match(value)
    if match is None:
        return EngineVersion(False, None, value)
    return EngineVersion(True, tuple(int(n) for n in match.group(1).split(".")), value)


_MINOR = re.compile(r"^\d+(\.\d+)+$")


def major_line(engine: str | None, version: EngineVersion) -> str | None:
    """The version line to pin instead when ``engine_version`` names one minor version
    ("8.0.35" -> "8.0"; PostgreSQL from 10 on: "16.4" -> "16", "9.6.24" -> "9.6"); None
    when it names a line already, or is not known."""
    if not version.known or version.version is None or not version.written or not _MINOR.match(version.written):
        return None
    parts = version.version
    if engine and "postgres" in engine and parts[0] >= 10:
        return str(parts[0])
    if len(parts) >= 3:
        return f"{parts[0]}.{parts[1]}"
    return None


def supports(version: Version, ranges: tuple[Range, ...]) -> bool:
    """Whether ``version`` is in a supported range. A version line ("8.0") counts as
    its newest minor version for the lower bound and as its first for the upper one."""
    newest = version + (10**9,) * 4
    first = version + (0,) * 4
    return any(newest >= low and (end is None or first < end) for low, end in ranges)


def show(ranges: tuple[Range, ...]) -> str:
    """``"5.7.16+ (5.7), 8.0.16 or later"`` for messages."""
    parts = []
    for low, end in ranges:
        shown = ".".join(map(str, low))
        parts.append(f"{shown} or later" if end is None else f"{shown}+ ({'.'.join(map(str, low[:len(end)]))})")
    return ", ".join(parts)
