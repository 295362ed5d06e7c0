"""Running one fix and reading back what it did.

``apply_fix`` runs a fix's edit-API code on the module's trees, then compares
every file's text with what it was: the files that changed must still parse
(only the items in the fix's scope are parsed again when that decides it,
``reparse.valid``) and may only change inside the fix's scope (``edits.py``). It never undoes
anything itself; the engine decides how (re-parse, or ``snapshot`` when the
trees must stay the same objects, as previews need).
"""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

from tffix.engine.edits import Range, TextEdit, edits_within, item_spans
from tffix.engine.module import Module, SourceFile, same_objects
from tffix.engine.reparse import HEAD, Baseline, Final, Group, _items_of, valid
from tffix.engine.rules import Fix
from tffix.syntax import cst
from tffix.syntax.build import copy_node
from tffix.syntax.errors import ParseError
from tffix.syntax.parser import parse

__all__ = ["Applied", "FastPlan", "FixCheck", "LateStray", "Ledger", "Stray", "apply_fix", "apply_fix_fast", "owners_of",
           "plan_fast", "snapshot"]


@dataclass
class Applied:
    """What a fix did: the files whose text changed (created ones included), their
    new texts (by ``id`` of the file), its edits, or why it must be undone."""

    changed: list[SourceFile] = field(default_factory=list)
    created: list[SourceFile] = field(default_factory=list)
    texts: dict[int, str] = field(default_factory=dict)
    edits: list[TextEdit] = field(default_factory=list)
    error: str | None = None
    # the whole parses of created files that checked their syntax: (text, tree) by ``id`` of the file
    parsed: dict[int, tuple[str, cst.File]] = field(default_factory=dict)


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


# A fix check: (module, a changed file's tree as the fix left it, the fix's scope) -> problems. What the
# fix wrote is what has no source position (``cst.unplaced``). The engine's options
# carry the checks (``Options.fix_checks``); the rules' library provides them, as the
# engine knows nothing of providers. A check with the attribute ``takes_changed`` also
# gets, from the fast path, ``changed=``: the top-level items the fix changed, by ``id``
# of their file's tree (every other item is as the previous fix left it, checked then),
# and under the key 0 the items they replaced.
FixCheck = Callable[[Module, cst.File, tuple[object, ...]], list[str]]


def apply_fix(fix: Fix, module: Module, texts: dict[int, str], checks: Sequence[FixCheck] = ()) -> Applied:
    """Run ``fix`` on ``module`` whose files' texts are ``texts`` (by ``id``), then
    run ``checks`` on what it wrote."""
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
        for check in checks:
            problems = check(module, sf.tree, fix.scope)
            if problems:
                out.error = "; ".join(problems)
                return out
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



# ---- the fast path: a fix is read off the items it touched ----------------------


class Stray(Exception):
    """An item's text is not what the ledger says: a fix changed something it did
    not declare without the change showing in its own items. The engine then runs
    the round again with ``apply_fix`` (whole-file comparisons), which finds the fix."""


class LateStray(Exception):
    """A file no fix edited, taken as unchanged without printing it at the end of a round
    (``Ledger.verify(assume=True)``), does not print its text when it is printed at last:
    some fix of an earlier round changed it without declaring it. The engine then runs the
    module again from its original texts with whole-file comparisons after every fix."""


class Ledger:
    """One file during a round: its top-level items as they stand and the text of
    each, so that a fix scoped to some items is checked by printing those items
    only (not the whole file). Built from the round's fresh tree and text (the
    items' texts are slices of it); ``text()`` puts the whole file together.
    ``groups``: the windows fixes parsed alone, by ``id`` of each item they hold
    (``reparse.Group``; the next round's tree reuses them, ``reparse.refresh``)."""

    def __init__(self, sf: SourceFile, base: Baseline, groups: dict[int, Group] | None = None,
                 origin: Baseline | None = None) -> None:
        self.sf = sf
        self.tree = sf.tree
        self.base = base if origin is None else origin  # the round's baseline of the file (``verify``)
        self.groups: dict[int, Group] = {} if groups is None else groups
        self.items = list(base.items)
        self._layout = base
        self._texts: list[str] | None = None  # sliced on first use (most files no fix touches)
        first = base.starts[0] if base.items else base.starts[-1]
        self.head = base.text[:first]
        self.tail = base.text[base.starts[-1]:]
        self.attributes = any(not isinstance(i, cst.Block) for i in self.items)
        self.usable = -1 not in base.starts
        self.edited = False  # a fix changed its items (``verify`` then compares them one by one)
        self.assumed = False  # ``verify(assume=True)`` took it as unchanged, unprinted

    @property
    def texts(self) -> list[str]:
        """The text of each item (a list the fast path updates in place)."""
        if self._texts is None:
            base = self._layout
            self._texts = [base.text[a:b] for a, b in zip(base.starts, base.starts[1:])]
        return self._texts

    def text(self) -> str:
        if self._texts is None:
            return self._layout.text  # (the slices of it put together)
        return self.head + "".join(self._texts) + self.tail

    def verify(self, assume: bool = False) -> bool:
        """Does the file print what the ledger holds? When fixes changed its items and
        they are the ledger's, compared item by item, and then ``Final`` records it for
        the next round's tree (``base.final``); else compared whole. ``base.printed``:
        the text it prints (the engine needs it next). ``assume``: a file no fix edited
        whose items are the ledger's is taken to print its text, unprinted; True is then
        "not checked yet", and the engine prints it later (``LateStray``)."""
        tree = self.sf.tree
        if tree is not self.tree:
            return False
        items = tree.body.items
        if assume and not self.edited and self._texts is None and same_objects(items, self.items):
            self.base.printed = self._layout.text
            self.assumed = True
            return True
        if not self.edited or not same_objects(items, self.items):
            printed = tree.code
            if printed != self.text():
                return False
            self.base.printed = printed
            return True
        for item, text in zip(items, self.texts):
            if item.code != text:
                return False
        head: list[str] = [tree.bom]
        head.extend(t.pre + t for t in tree.header)
        tail = [t.pre + t for t in tree.body.trailing]
        tail.append(tree.eof.pre + tree.eof)
        if "".join(head) != self.head or "".join(tail) != self.tail:
            return False
        self.base.final = Final(self.items, self.texts, self.head, self.tail, self.groups)
        self.base.printed = self.text()
        return True


@dataclass
class FastPlan:
    """Where a fix's scope lies in the ledgers, decided before it runs: per file (by
    ``id``) its ledger, the first and last scope item and the scope items' positions;
    ``opened``: the scope also holds a marker (an object that is no node and no module:
    ``Support.scope``), which lets the fix edit every file of the module, as
    ``apply_fix`` reads it."""

    windows: dict[int, tuple[Ledger, int, int, list[int]]]
    opened: bool
    whole: frozenset[int] = frozenset()  # files (by ``id``) in the scope as a whole: compared whole

    def files(self, module: Module) -> list[SourceFile]:
        """The files the engine watches for this fix (``engine._files_of``)."""
        if self.opened:
            return list(module.files)
        return [sf for sf in [*module.files, *module.tfvars]
                if id(sf) in self.whole or id(sf) in self.windows]  # (a scope of items and files: rare)


def plan_fast(fix: Fix, ledgers: dict[int, Ledger], owners: dict[int, Ledger],
              module: Module | None = None) -> FastPlan | None:
    """The fast path's plan for ``fix``: None when its scope does not allow it (a whole
    file, the module, an item of no ledger): then use ``apply_fix``. ``owners``: the
    ledger of each top-level item (by ``id``), kept by ``apply_fix_fast``. Raises
    ``Stray`` when an item's text differs from its ledger."""
    windows: dict[int, tuple[Ledger, int, int, list[int]]] = {}
    opened = False
    whole: set[int] = set()
    for s in fix.scope:
        if not isinstance(s, cst.Node):
            opened = True  # the module, or a marker: every file may change (``_allowed``)
            continue
        if isinstance(s, cst.File):  # that file may change anywhere: compared whole
            sf = next((f for f in [*module.files, *module.tfvars] if f.tree is s), None) if module else None
            if sf is None:
                return None
            whole.add(id(sf))
            continue
        ledger = owners.get(id(s))
        if ledger is None or ledgers.get(id(ledger.sf)) is not ledger or ledger.sf.tree is not ledger.tree:
            return None
        try:
            i = _index_of(ledger.items, s)
        except ValueError:
            return None
        key = id(ledger.sf)
        lo, hi, picked = windows.get(key, (ledger, i, i, []))[1:]
        windows[key] = (ledger, min(lo, i), max(hi, i), [*picked, i])
    for key in whole:
        windows.pop(key, None)
    for ledger, lo, hi, _ in windows.values():
        for i in range(lo, hi + 1):
            if ledger.items[i].code != ledger.texts[i]:
                raise Stray(ledger.sf.display)
    return FastPlan(windows, opened, frozenset(whole))


def owners_of(ledgers: dict[int, Ledger]) -> dict[int, Ledger]:
    """The ledger of each top-level item (by ``id``), for ``plan_fast``."""
    return {id(item): ledger for ledger in ledgers.values() for item in ledger.items}


def apply_fix_fast(fix: Fix, module: Module, ledgers: dict[int, Ledger], plan: FastPlan,
                   texts: dict[int, str], owners: dict[int, Ledger],
                   checks: Sequence[FixCheck] = ()) -> Applied:
    """``apply_fix`` for a fix whose scope is top-level items of files with a ledger
    (and markers), as ``plan_fast`` planned it: prints only the items between the
    first and last of its scope in each file (the window), checks that the other
    items are the same objects in the same order, and parses only the window when
    that decides whether the file parses. A file the fix changed elsewhere is compared
    whole (its ledger is dropped: the engine compares it whole from then on, from
    ``texts``, the current text of each file without a ledger). Updates the ledgers
    (and ``owners``) of the files the fix changed, unless it must be undone."""
    windows = plan.windows
    opened = plan.opened
    files = [*module.files, *module.tfvars]
    known = {id(sf) for sf in files}
    # the index follows the items the fix changes (patched, not rebuilt: ``Module.invalidate``)
    hints = {key: (lo, len(ledger.items) - hi - 1) for key, (ledger, lo, hi, _) in windows.items()}
    module.invalidate(hints)
    out = Applied()
    try:
        fix.apply()
    except Exception as exc:  # noqa: BLE001 - a broken fix must not stop the run
        out.error = f"raised {type(exc).__name__}: {exc}"
    module.invalidate(hints)
    out.created = [sf for sf in module.files if id(sf) not in known]
    # what each file's text became: the window's, or (anything else changed) the whole text
    results: dict[int, tuple[str, str, int, list[cst.Node], list[str]]] = {}
    whole: dict[int, tuple[str, str]] = {}
    for sf in files:
        ledger = ledgers.get(id(sf))
        if ledger is None or sf.tree is not ledger.tree or id(sf) in plan.whole:
            before = ledger.text() if ledger is not None else texts[id(sf)]
            after = sf.tree.code
            if after != before:
                whole[id(sf)] = (before, after)
            continue
        new = sf.tree.body.items
        win = windows.get(id(sf))
        if win is None:
            if new != ledger.items:
                whole[id(sf)] = (ledger.text(), sf.tree.code)
            continue
        _, lo, hi, _ = win
        keep = len(ledger.items) - hi - 1
        if new[:lo] != ledger.items[:lo] or new[len(new) - keep:] != ledger.items[hi + 1:] or len(new) < lo + keep:
            whole[id(sf)] = (ledger.text(), sf.tree.code)
            continue
        middle = new[lo:len(new) - keep]
        item_texts = [item.code for item in middle]
        before, after = "".join(ledger.texts[lo:hi + 1]), "".join(item_texts)
        if before != after:
            start = len(ledger.head) + sum(map(len, ledger.texts[:lo]))
            results[id(sf)] = (before, after, start, middle, item_texts)
    for sf in [*files, *out.created]:
        if id(sf) in results or id(sf) in whole or id(sf) not in known:
            out.changed.append(sf)
    if whole or out.created:
        module.invalidate()  # changed beyond its windows: the index is built again
    if out.error is not None:
        return out

    parsed_windows: dict[int, list[cst.Node]] = {}  # the nodes of windows parsed alone, by ``id`` of the file

    def spans(sf: SourceFile) -> list[tuple[int, int]] | None:
        """The ranges of ``sf``'s text before the fix that it may edit (None: all of it)."""
        if opened or id(sf) in plan.whole:
            return None
        ledger = ledgers.get(id(sf))
        return _ledger_ranges(ledger, windows.get(id(sf))) if ledger is not None else []

    for sf in out.changed:
        if id(sf) not in known:
            text = sf.tree.code
            exc, tree = _parsed(text, sf.display)
            if tree is not None:
                out.parsed[id(sf)] = (text, tree)
        elif id(sf) in whole:
            before, after = whole[id(sf)]
            exc = valid(sf, before, after, spans(sf))
        else:
            exc, nodes = _window_valid(sf, ledgers[id(sf)], windows[id(sf)], results[id(sf)])
            if nodes is not None:
                parsed_windows[id(sf)] = nodes
        if exc is not None:
            out.error = f"produced invalid syntax ({exc.message} at {exc.line}:{exc.column})"
            return out
    for sf in out.changed:
        created = id(sf) not in known
        if created:
            text = sf.tree.code
            out.edits.extend(TextEdit(str(sf.path), sf.display, s_, e, r, True)
                             for s_, e, r in edits_within("", text, [(0, 0)]) or [])
            continue
        if id(sf) in whole:
            before, after = whole[id(sf)]
            allowed = spans(sf)
            found = edits_within(before, after, [(0, len(before))] if allowed is None else allowed)
        else:
            ledger = ledgers[id(sf)]
            _, lo, hi, picked = windows[id(sf)]
            before, after, start, _, _ = results[id(sf)]
            if opened:  # the whole file may change: the window is all of it that did
                ranges = [(0, len(before))]
            else:
                offsets = [0]
                for t in ledger.texts[lo:hi + 1]:
                    offsets.append(offsets[-1] + len(t))
                ranges = [(offsets[i - lo], offsets[i - lo + 1]) for i in picked]
            found = edits_within(before, after, ranges)
            if found is not None:
                found = [(a + start, b + start, r) for a, b, r in found]
        if found is None:
            out.error = f"edited {sf.display} outside its scope"
            return out
        out.edits.extend(TextEdit(str(sf.path), sf.display, a, b, r, False) for a, b, r in found)
    # what the fix changed, for the checks that read only that (``FixCheck``): the window's
    # new items of each file; None when a file changed beyond its window or was created
    changed: dict[int, list[cst.Node]] | None = None
    if not whole and not out.created:
        changed = {id(sf.tree): results[id(sf)][3] for sf in out.changed}
        # a check may need every item when one it relies on went away: the old items too
        gone = [i for sf in out.changed for i in ledgers[id(sf)].items[windows[id(sf)][1]:windows[id(sf)][2] + 1]]
        changed[0] = gone
    for sf in out.changed:
        for check in checks:
            if changed is not None and getattr(check, "takes_changed", False):
                problems = check(module, sf.tree, fix.scope, changed=changed)
            else:
                problems = check(module, sf.tree, fix.scope)
            if problems:
                out.error = "; ".join(problems)
                return out
    for sf in out.changed:  # done: the ledgers follow
        if id(sf) in results:
            ledger = ledgers[id(sf)]
            _, lo, hi, _ = windows[id(sf)]
            _, _, _, middle, item_texts = results[id(sf)]
            for item in ledger.items[lo:hi + 1]:
                owners.pop(id(item), None)
            ledger.items[lo:hi + 1] = middle
            ledger.texts[lo:hi + 1] = item_texts
            ledger.edited = True
            nodes = parsed_windows.get(id(sf))
            if nodes is not None and middle:
                group: Group = (list(middle), nodes, results[id(sf)][1])
                ledger.groups.update((id(item), group) for item in middle)
            for item in middle:
                owners[id(item)] = ledger
            ledger.attributes = ledger.attributes or any(not isinstance(i, cst.Block) for i in middle)
        elif id(sf) in whole:
            # a ledger of the file as it is now (the engine would compare it whole without one)
            after = whole[id(sf)][1]
            old = ledgers.pop(id(sf), None)
            # (its windows parsed before stay: ``refresh`` uses one only where the items it
            # holds still print the text it parsed)
            ledger = Ledger(sf, Baseline.of(sf, after), old.groups if old is not None else None,
                            old.base if old is not None else None)
            ledger.edited = True
            if ledger.usable:
                ledgers[id(sf)] = ledger
                owners.update((id(item), ledger) for item in ledger.items)
            out.texts[id(sf)] = after
        else:  # created
            out.texts[id(sf)] = sf.tree.code
    return out


def _index_of(items: list[cst.Node], node: object) -> int:
    """Where ``node`` is in ``items`` (nodes compare by identity: no ``__eq__``)."""
    if not isinstance(node, cst.Node):
        raise ValueError
    return items.index(node)


def _ledger_ranges(ledger: Ledger, window: tuple[Ledger, int, int, list[int]] | None) -> list[tuple[int, int]]:
    """The spans of the fix's scope items in the ledger's text (none: no scope here)."""
    if window is None:
        return []
    out = []
    for i in window[3]:
        start = len(ledger.head) + sum(map(len, ledger.texts[:i]))
        out.append((start, start + len(ledger.texts[i])))
    return out


def _window_valid(sf: SourceFile, ledger: Ledger, window: tuple[Ledger, int, int, list[int]],
                  result: tuple[str, str, int, list[cst.Node], list[str]]
                  ) -> tuple[ParseError | None, list[cst.Node] | None]:
    """Does the file parse, the window's items replaced? Parses the window alone when
    that decides it (see ``reparse``), else the whole new text. With the answer, the
    window's nodes from that parse when it was parsed alone and gave whole blocks
    (lines counted from 2, behind ``HEAD``: ``reparse.refresh`` reuses them)."""
    _, lo, hi, _ = window
    _, after, _, middle, _ = result
    # the file's last item: what follows it (the lines after the last item, the end of
    # the file) was read after a line end, and still is
    last = hi == len(ledger.items) - 1
    alone = (not ledger.attributes and (not after or after.endswith("\n"))
             and (not last or (after != "" and ledger.texts[hi].endswith("\n")))
             and all(isinstance(i, cst.Block) for i in middle))
    if alone:
        exc, part = _parsed(HEAD + after, sf.display)
        if exc is None:
            return None, _items_of(part) if after else None
    whole = ledger.head + "".join(ledger.texts[:lo]) + after + "".join(ledger.texts[hi + 1:]) + ledger.tail
    return _parses(whole, sf.display), None


def _parsed(text: str, display: str) -> tuple[ParseError | None, cst.File | None]:
    """``_parses``, with the tree when it parses. Fixes write the same text in many
    modules (a ``versions.tf``, a block given the same settings): a short text seen
    parsing before is kept with its tree the second time, and from then on gets a copy
    of it (``copy_node``: what a parse gives, in a fraction of the time), not a parse."""
    recent = _RECENT
    short = len(text) <= _RECENT_TEXT
    template = recent.get(text) if short else None
    if template is not None:
        recent.move_to_end(text)
        return None, _copy_file(template, display)
    try:
        tree = parse(text, display)
    except ParseError as exc:
        return exc, None
    if short:
        recent[text] = _copy_file(tree, display) if text in recent else None  # (seen once: None)
        recent.move_to_end(text)
        if len(recent) > _RECENT_SIZE:
            recent.popitem(last=False)
    return None, tree


# text -> its tree (never handed out), or None when it was parsed once (``_parsed``);
# bounded: a few hundred short texts
_RECENT: OrderedDict[str, cst.File | None] = OrderedDict()
_RECENT_SIZE = 256
_RECENT_TEXT = 4096


def _copy_file(tree: cst.File, display: str) -> cst.File:
    copy = copy_node(tree)
    copy.path = display
    return copy
