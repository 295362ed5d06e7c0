"""The rule contract: what every rule declares, reports and proposes.

A rule is a class with metadata and a ``check(module, options)`` generator
of ``Finding``s. A finding may carry a ``Fix``: data that says how safe it
is, what it does to deployed infrastructure, which top-level items it
touches (so the engine never applies two overlapping fixes in one round),
and a function that performs the edit with the edit API. Rules never apply
fixes and never touch text: the engine decides, applies, re-parses and
reverts (see ``engine.py``).

Docs live in the rule's docstring, in fixed sections (checked by the tests):
``## What it does``, ``## Why is this bad?``, ``## Example``,
``## Use instead``, ``## Fix safety``, ``## Deployment impact``,
``## References``.
"""

from __future__ import annotations

import inspect
import re
import textwrap
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from typing import Any, ClassVar

from tffix.engine.module import Module, SourceFile
from tffix.syntax import cst
from tffix.syntax.strings import Position

__all__ = [
    "Rule", "Finding", "Fix", "Position", "SAFE", "UNSAFE", "DISPLAY_ONLY", "IMPACT_NONE", "IMPACT_IN_PLACE",
    "IMPACT_REPLACE", "DOC_SECTIONS", "rule_docs",
]

SAFE, UNSAFE, DISPLAY_ONLY = "safe", "unsafe", "display-only"
IMPACT_NONE, IMPACT_IN_PLACE, IMPACT_REPLACE = "none", "in-place update", "forces replacement"
FIX_ALWAYS, FIX_SOMETIMES, FIX_NEVER = "always", "sometimes", "never"
DOC_SECTIONS = (
    "What it does", "Why is this bad?", "Example", "Use instead", "Fix safety", "Deployment impact", "References",
)


@dataclass
class Fix:
    """A proposed edit. ``apply`` performs it on the parsed trees; ``scope``
    lists the top-level items (blocks, or whole files for file-level edits)
    it may touch."""

    description: str
    apply: Callable[[], None]
    scope: tuple[Any, ...]
    safety: str = SAFE
    impact: str = IMPACT_NONE


@dataclass
class Finding:
    rule_id: str
    message: str
    file: SourceFile
    node: cst.Node | Position  # where it points: a node, or a plain position
    fix: Fix | None = None
    block: cst.Block | None = None  # the top-level block it is in (for suppressions)

    @property
    def line(self) -> int:
        return self.node.line

    @property
    def column(self) -> int:
        return self.node.column

    @property
    def path(self) -> str:
        return self.file.display


class Rule:
    """Base class. Subclasses set the class attributes and implement ``check``."""

    id: ClassVar[str] = ""
    name: ClassVar[str] = ""
    summary: ClassVar[str] = ""
    fix_availability: ClassVar[str] = FIX_NEVER
    safety: ClassVar[str] = DISPLAY_ONLY
    impact: ClassVar[str] = IMPACT_NONE
    checkov: ClassVar[tuple[str, ...]] = ()
    trivy: ClassVar[tuple[str, ...]] = ()
    kics: ClassVar[tuple[str, ...]] = ()
    options: ClassVar[dict[str, Any]] = {}  # per-rule options and their defaults
    default_enabled: ClassVar[bool] = True  # False: runs only when selected explicitly

    def check(self, module: Module, options: dict[str, Any]) -> Iterator[Finding]:
        raise NotImplementedError

    # ---- helpers for subclasses ----
    def finding(self, file: SourceFile, node: cst.Node | Position, message: str, *, block: cst.Block | None = None,
                fix: Callable[[], None] | None = None, description: str = "", scope: Iterable[Any] = (),
                safety: str | None = None, impact: str | None = None) -> Finding:
        """Build a finding, with a fix when ``fix`` is given. ``scope`` defaults
        to ``block``."""
        proposed = None
        if fix is not None:
            proposed = Fix(
                description=description or message,
                apply=fix,
                scope=tuple(scope) or ((block,) if block is not None else (file.tree,)),
                safety=safety or self.safety,
                impact=impact or self.impact,
            )
        return Finding(self.id, message, file, node, proposed, block)

    @classmethod
    def mapped_ids(cls) -> list[str]:
        return [*cls.checkov, *cls.trivy, *cls.kics]

    @classmethod
    def docs(cls) -> dict[str, str]:
        return rule_docs(cls)

    @classmethod
    def describe(cls) -> dict[str, Any]:
        return {
            "id": cls.id, "name": cls.name, "summary": cls.summary, "fix": cls.fix_availability,
            "safety": cls.safety, "impact": cls.impact, "checkov": list(cls.checkov), "trivy": list(cls.trivy),
            "kics": list(cls.kics),
        }


_SECTION = re.compile(r"^## (.+?)\s*$", re.M)


def rule_docs(rule: type[Rule]) -> dict[str, str]:
    """The docstring's ``## Section`` texts by section name."""
    doc = inspect.cleandoc(rule.__doc__ or "")
    parts = _SECTION.split(doc)
    return {parts[i].strip(): textwrap.dedent(parts[i + 1]).strip() for i in range(1, len(parts) - 1, 2)}


# ---- small helpers rules share ----------------------------------------------


def literal(expr: cst.Node | None) -> tuple[bool, Any]:
    """``(True, value)`` if ``expr`` is a literal bool/number/null or a plain
    string, else ``(False, None)``: the rule cannot prove what it is."""
    if isinstance(expr, cst.Literal):
        return True, expr.value
    if isinstance(expr, cst.Template) and expr.is_literal:
        return True, expr.literal_value
    return False, None
