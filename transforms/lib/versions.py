"""Version numbers and constraints (`~> 5.0, >= 5.10`), and what Terraform release a module needs."""

from __future__ import annotations

import re
from dataclasses import dataclass

Version = tuple[int, int]

_VERSION = re.compile(r"^\s*v?(\d+)(?:\.(\d+))?(?:\.(\d+))?(?:-[0-9A-Za-z.-]+)?\s*$")


# ---- versions and constraints --------------------------------------------------------


def parse_version(text: str) -> tuple[int, int, int] | None:
    m = _VERSION.match(text)
    if not m:
        return None
    return int(m.group(1)), int(m.group(2) or 0), int(m.group(3) or 0)


def show(version: Version) -> str:
    return f"{version[0]}.{version[1]}"


@dataclass
class Clause:
    op: str  # "=", "!=", ">", ">=", "<", "<=", "~>"
    text: str  # the version as written
    version: tuple[int, int, int]
    parts: int  # how many numeric parts were written


def parse_constraint(text: str) -> list[Clause] | None:
    """A version constraint string as clauses; None if it does not parse."""
    clauses = []
    for raw in text.split(","):
        m = re.match(r"^\s*(~>|>=|<=|!=|=|>|<)?\s*(\S+)\s*$", raw)
        if not m:
            return None
        version = parse_version(m.group(2))
        if version is None:
            return None
        parts = len(m.group(2).lstrip("v").split("-")[0].split("."))
        clauses.append(Clause(m.group(1) or "=", m.group(2), version, parts))
    return clauses or None


def lower_bound(clauses: list[Clause]) -> tuple[int, int, int]:
    """The lowest version the constraint can allow (0.0.0 if it has no lower bound)."""
    bounds = [c.version for c in clauses if c.op in ("=", ">=", ">", "~>")]
    return max(bounds) if bounds else (0, 0, 0)


def allows(clauses: list[Clause], version: tuple[int, int, int]) -> bool:
    """Does the constraint allow ``version`` (prereleases ignored)?"""
    for c in clauses:
        v = c.version
        if c.op == "=" and version != v or c.op == "!=" and version == v:
            return False
        if c.op == ">" and not version > v or c.op == ">=" and not version >= v:
            return False
        if c.op == "<" and not version < v or c.op == "<=" and not version <= v:
            return False
        if c.op == "~>":
            if version < v:
                return False
            if c.parts <= 1:
                continue
            upper = (v[0] + 1, 0, 0) if c.parts == 2 else (v[0], v[1] + 1, 0)
            if version >= upper:
                return False
    return True


# ---- what the module uses --------------------------------------------------------------


