"""Running one fix and reading back what it did.

``apply_fix`` runs a fix's edit-API code on the module's trees, then compares
every file's text with what it was: the files that changed must still parse
(only the items in the fix's scope are parsed again when that decides it,
``reparse.valid``) and may only change inside the fix's scope (``edits.py``). It never undoes
anything itself; the engine decides how (re-parse, or ``snapshot`` when the
trees must stay the same objects, as previews need).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from tffix.engine.edits import Range, TextEdit, edits_within, item_spans
from tffix.engine.module import Module, SourceFile
from tffix.engine.reparse import valid
from tffix.engine.rules import Fix
from tffix.syntax import cst
from tffix.syntax.errors import ParseError
from tffix.syntax.parser import parse

__all__ = ["Applied", "apply_fix", "snapshot"]


@dataclass
class Applied:
    """What a fix did: the files whose text changed (created ones included), their
    new texts (by ``id`` of the file), its edits, or why it must be undone."""

    changed: list[SourceFile] = field(default_factory=list)
    created: list[SourceFile] = field(default_factory=list)
    texts: dict[int, str] = field(default_factory=dict)
    edits: list[TextEdit] = field(default_factory=list)
    error: str | None = None


def _allowed(scope: tuple[object, ...], files: list[SourceFile]) -> dict[int, list[Range] | None]:
    """Per file (by ``id``), the ranges the fix may edit; None: the whole file. A
    scope entry that is neither a file's tree nor a top-level item (a ``Module``)
    opens every file."""
    owners = {}
    for sf in files:
        owners[id(sf.tree)] = sf
        for item in sf.tree.body.items:
            owners[id(item)] = sf
    allowed: dict[int, list[Range] | None] = {}
    spans: dict[int, dict[int, Range]] = {}
    for s in scope:
        sf = owners.get(id(s))
        if sf is None:
            return {id(f): None for f in files}
        ranges = allowed.setdefault(id(sf), [])
        if s is sf.tree or ranges is None:
            allowed[id(sf)] = None
            continue
        if id(sf) not in spans:
            spans[id(sf)] = item_spans(sf.tree)
        ranges.append(spans[id(sf)][id(s)])
    return allowed


def apply_fix(fix: Fix, module: Module, texts: dict[int, str]) -> Applied:
    """Run ``fix`` on ``module`` whose files' texts are ``texts`` (by ``id``)."""
    files = [*module.files, *module.tfvars]
    allowed = _allowed(fix.scope, files)
    out = Applied()
    module.invalidate()  # the fix looks things up in the trees as they are now
    try:
        fix.apply()
    except Exception as exc:  # noqa: BLE001 - a broken fix must not stop the run
        out.error = f"raised {type(exc).__name__}: {exc}"
    module.invalidate()
    known = {id(sf) for sf in files}
    out.created = [sf for sf in module.files if id(sf) not in known]
    for sf in [*files, *out.created]:
        text = sf.tree.code
        if id(sf) not in known or text != texts[id(sf)]:
            out.changed.append(sf)
            out.texts[id(sf)] = text
    if out.error is not None:
        return out
    for sf in out.changed:
        if id(sf) not in known:
            exc = _parses(out.texts[id(sf)], sf.display)
        else:
            exc = valid(sf, texts[id(sf)], out.texts[id(sf)], allowed.get(id(sf), []))
        if exc is not None:
            out.error = f"produced invalid syntax ({exc.message} at {exc.line}:{exc.column})"
            return out
    for sf in out.changed:
        created = id(sf) not in known
        before, after = "" if created else texts[id(sf)], out.texts[id(sf)]
        ranges = allowed.get(id(sf), [])
        found = edits_within(before, after, [(0, len(before))] if created or ranges is None else ranges)
        if found is None:
            out.error = f"edited {sf.display} outside its scope"
            return out
        out.edits.extend(TextEdit(str(sf.path), sf.display, s, e, r, created) for s, e, r in found)
    return out


def _parses(text: str, display: str) -> ParseError | None:
    try:
        parse(text, display)
    except ParseError as exc:
        return exc
    return None


def snapshot(tree: cst.File) -> Callable[[], None]:
    """A function that puts ``tree`` back exactly as it is now, in place (every
    field of every node, every token's trivia), so references into it stay valid."""
    fields = []
    for node in tree.walk():
        for name in node._fields:
            value = getattr(node, name)
            fields.append((node, name, value, list(value) if isinstance(value, list) else None))
    trivia = [(tok, tok.pre) for tok in tree.tokens()]

    def restore() -> None:
        for node, name, value, items in fields:
            setattr(node, name, value)
            if items is not None:
                value[:] = items
        for tok, pre in trivia:
            tok.pre = pre

    return restore

