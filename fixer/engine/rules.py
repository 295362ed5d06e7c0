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

The code in ``## Example`` and ``## Use instead`` is tested
(``tests/test_rule_examples.py``): the Example gets a finding of the rule, Use
instead gets none, and fixing the Example leaves nothing to report. Each
section's code is one module, run with the rule's default options:

- a ```` ```hcl ```` (or ```` ```terraform ````) block is ``main.tf``, unless its
  first line is ``# file: PATH``; a block of any language with that first line
  is the file ``PATH`` (the line itself is not part of the file). Other blocks
  (a ```` ```toml ```` config) are prose. Blocks naming the same file are joined;
- ``PATH`` is a file of the module (``versions.tf``, ``prod.tfvars``) or, when
  it has a directory (``modules/dns/variables.tf``, ``lambda/index.py``), a file
  written to disk beside the module;
- Use instead replaces the Example's files of the same name and keeps the
  others, so context both need (a role, a child module) is written once, in the
  Example, under its own file name.
"""

from __future__ import annotations

import importlib
import inspect
import re
import textwrap
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from typing import Any, ClassVar

from tffix.engine.edits import TextEdit
from tffix.engine.module import Module, ModuleIndex, SourceFile
from tffix.syntax import cst
from tffix.syntax.strings import Position

__all__ = [
    "Rule", "Finding", "Fix", "Position", "SAFE", "UNSAFE", "DISPLAY_ONLY", "IMPACT_NONE", "IMPACT_IN_PLACE",
    "IMPACT_REPLACE", "DOC_SECTIONS", "rule_docs", "rule_examples", "section_files", "RuleEntry",
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
    it may touch, and the engine holds it to that. ``edits`` is filled in by the
    engine: the text edits the fix made (or would make, when only previewed)."""

    description: str
    apply: Callable[[], None]
    scope: tuple[Any, ...]
    safety: str = SAFE
    impact: str = IMPACT_NONE
    edits: list[TextEdit] = field(default_factory=list)


@dataclass
class Finding:
    rule_id: str
    message: str
    file: SourceFile
    node: cst.Node | Position  # where it points: a node, or a plain position
    fix: Fix | None = None
    block: cst.Block | None = None  # the top-level block it is in (for suppressions)
    argument: str | None = None  # the block's top-level argument it is about (a state holds its live value)
    deployment: str = ""  # what a state says about the resource ("not deployed", "would replace the live ...")
    # an expression the rule cannot read: which live value of ``argument`` would be harmless (the
    # state may then lower the finding to a note; ``deployment.classify``); never used to write code
    live_ok: Callable[[object], bool] | None = None
    severity: str = "warning"  # "note": lowered by what the state says (``deployment.classify``)
    # the top-level item (or tree) holding ``node``: set by the engine when it keeps the finding
    # for a later round (``engine.Memo``)
    item: Any = field(default=None, repr=False, compare=False)

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
    # mapped ids (Checkov, Trivy, KICS) the rule reports but its fix does not resolve, so that "tffix fixes
    # CKV_x" is never claimed for them; a display-only rule reports all its mapped ids without saying so
    reports_only: ClassVar[frozenset[str]] = frozenset()
    # mapped ids whose check is broader than the rule by design: id -> what the rule covers (the check's
    # failures outside it are neither fixed nor reported, and are not counted as the rule's misses)
    partial: ClassVar[dict[str, str]] = {}
    # Checkov ids whose skip comments (``#checkov:skip=ID``) silence the rule although it does not map
    # them: ids it mapped before its mapping was checked (issue 13), so comments written for them still work
    checkov_skips: ClassVar[tuple[str, ...]] = ()
    # mapped ids the fix resolves only with these rule options, not with the defaults (id -> options):
    # TFX130 resolves CKV_AWS_145 (SSE-KMS) with sse-algorithm = "aws:kms" only
    fixed_with_options: ClassVar[dict[str, dict[str, Any]]] = {}
    options: ClassVar[dict[str, Any]] = {}  # per-rule options and their defaults
    default_enabled: ClassVar[bool] = True  # False: runs only when selected explicitly
    # True: also runs in a directory of .tfvars files alone (formatting); other rules need the
    # module's .tf files (a directory of variable files is not a module to add versions.tf to)
    without_configuration: ClassVar[bool] = False
    # True: the rule reads a file's items without building them all (``parse(text, lazy=True)``,
    # ``LazyBody``): when every rule of a run says so, the runner parses large files lazily, so a
    # huge file is never in memory as a whole tree (formatting checks it a run of items at a time)
    lazy_trees: ClassVar[bool] = False

    def check(self, module: Module, options: dict[str, Any]) -> Iterator[Finding]:
        raise NotImplementedError

    # ---- helpers for subclasses ----
    def finding(self, file: SourceFile, node: cst.Node | Position, message: str, *, block: cst.Block | None = None,
                fix: Callable[[], None] | None = None, description: str = "", scope: Iterable[Any] = (),
                safety: str | None = None, impact: str | None = None, argument: str | None = None,
                live_ok: Callable[[object], bool] | None = None) -> Finding:
        """Build a finding, with a fix when ``fix`` is given. ``scope`` defaults
        to ``block``. ``live_ok``: the finding is on an expression the rule cannot read;
        which live value of ``argument`` (from a state) would be harmless."""
        proposed = None
        if fix is not None:
            proposed = Fix(
                description=description or message,
                apply=fix,
                scope=tuple(scope) or ((block,) if block is not None else (file.tree,)),
                safety=safety or self.safety,
                impact=impact or self.impact,
            )
        return Finding(self.id, message, file, node, proposed, block, argument, live_ok=live_ok)

    @classmethod
    def mapped_ids(cls) -> list[str]:
        return [*cls.checkov, *cls.trivy, *cls.kics]

    @classmethod
    def fixed_ids(cls) -> list[str]:
        """The mapped ids the rule's fix resolves (bench/checkov_mapping.py verifies the Checkov ones)."""
        if cls.fix_availability == FIX_NEVER:
            return []
        return [i for i in cls.mapped_ids() if i not in cls.reports_only]

    @classmethod
    def fixed_labels(cls) -> list[str]:
        """``fixed_ids`` as users read them: an id fixed only with options says which
        (``CKV_AWS_145 (with sse-algorithm = "aws:kms")``), one the rule covers in part says
        so (``CKV_AWS_21 (partial)``, see ``partial``)."""
        out = []
        for i in cls.fixed_ids():
            notes = []
            options = cls.fixed_with_options.get(i)
            if options:
                notes.append("with " + ", ".join(f"{k} = {_toml_value(v)}" for k, v in options.items()))
            if i in cls.partial:
                notes.append("partial")
            out.append(f"{i} ({'; '.join(notes)})" if notes else i)
        return out

    @classmethod
    def reported_labels(cls) -> list[str]:
        """``reported_ids``, those covered in part marked ``(partial)``."""
        return [f"{i} (partial)" if i in cls.partial else i for i in cls.reported_ids()]

    @classmethod
    def reported_ids(cls) -> list[str]:
        """The mapped ids the rule reports and leaves to the user."""
        fixed = cls.fixed_ids()
        return [i for i in cls.mapped_ids() if i not in fixed]

    @classmethod
    def docs(cls) -> dict[str, str]:
        return rule_docs(cls)

    @classmethod
    def describe(cls) -> dict[str, Any]:
        return {
            "id": cls.id, "name": cls.name, "summary": cls.summary, "fix": cls.fix_availability,
            "safety": cls.safety, "impact": cls.impact, "checkov": list(cls.checkov), "trivy": list(cls.trivy),
            "kics": list(cls.kics), "fixes": cls.fixed_ids(), "reports": cls.reported_ids(),
            "partial": dict(cls.partial),
            "fixes_with_options": {i: dict(o) for i, o in cls.fixed_with_options.items() if i in cls.fixed_ids()},
        }


def _toml_value(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, str):
        return '"' + value.replace("\\", "\\\\").replace('"', '\\"') + '"'
    return str(value)


@dataclass(frozen=True)
class RuleEntry:
    """A rule as its index knows it, before its module is imported (``transforms/rule_index.py``,
    generated from the rules by ``tools/gen_rule_index.py``): what choosing rules and checking
    a config need, where the class lives, and the top-level blocks its ``check`` looks at.

    ``looks_at``: ``(kind, first label)`` pairs (``("resource", "aws_db_instance")``; a label
    of ``""``: any block of the kind) such that ``check`` yields nothing in a module with none
    of them (every finding it yields is yielded inside a loop over those blocks); ``None``:
    any module. The engine imports and runs the rule only in the rounds where such a block
    exists (``applies``), so a module without databases never imports the database rules."""

    id: str
    module: str  # dotted module name
    cls: str  # class name in it
    default_enabled: bool = True
    options: tuple[str, ...] = ()  # names of its per-rule options
    looks_at: tuple[tuple[str, str], ...] | None = None

    def load(self) -> type[Rule]:
        rule: type[Rule] = getattr(importlib.import_module(self.module), self.cls)
        return rule

    def applies(self, module: Module) -> bool:
        return self.looks_at is None or self.applies_to(module.index())

    def applies_to(self, index: ModuleIndex) -> bool:
        """``applies`` for the module whose index this is."""
        if self.looks_at is None:
            return True
        by_kind, by_kind_type = index.by_kind, index.by_kind_type
        for kind, first in self.looks_at:
            if (by_kind_type.get((kind, first)) if first else by_kind.get(kind)):
                return True
        return False


_SECTION = re.compile(r"^## (.+?)\s*$", re.M)
_CODE_BLOCK = re.compile(r"^```(\w*)\n(.*?)^```", re.MULTILINE | re.DOTALL)
_FILE_LINE = re.compile(r"# file: (\S+)\n")


def rule_docs(rule: type[Rule]) -> dict[str, str]:
    """The docstring's ``## Section`` texts by section name."""
    doc = inspect.cleandoc(rule.__doc__ or "")
    parts = _SECTION.split(doc)
    return {parts[i].strip(): textwrap.dedent(parts[i + 1]).strip() for i in range(1, len(parts) - 1, 2)}


def section_files(section: str) -> dict[str, str]:
    """A docs section's code as a module: file name -> text (the convention above)."""
    files: dict[str, str] = {}
    for language, block in _CODE_BLOCK.findall(section):
        named = _FILE_LINE.match(block)
        if named is None and language not in ("hcl", "terraform"):
            continue
        name = named.group(1) if named else "main.tf"
        body = block[named.end():] if named else block
        files[name] = files[name] + "\n" + body if name in files else body
    return files


def rule_examples(rule: type[Rule]) -> tuple[dict[str, str], dict[str, str]]:
    """The Example module and the Use instead module (which keeps the Example's
    other files) of a rule's docs."""
    docs = rule_docs(rule)
    example = section_files(docs.get("Example", ""))
    return example, {**example, **section_files(docs.get("Use instead", ""))}


# ---- small helpers rules share ----------------------------------------------


def literal(expr: cst.Node | None) -> tuple[bool, Any]:
    """``(True, value)`` if ``expr`` is a literal bool/number/null or a plain
    string, else ``(False, None)``: the rule cannot prove what it is."""
    if isinstance(expr, cst.Literal):
        return True, expr.value
    if isinstance(expr, cst.Template) and expr.is_literal:
        return True, expr.literal_value
    return False, None
