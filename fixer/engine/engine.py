"""The fix engine: run rules over a module, apply fixes, loop to a fixpoint.

Per round: every selected rule checks the module (fresh trees; the module's
index, ``module.py``, is built once per state of the trees); suppressed
findings are dropped; fixes the options allow are applied one by one, never two
with overlapping scope in the same round. A fix that raises, breaks the syntax
or edits outside its scope is reverted and reported as an internal error naming
the rule. The loop stops when a round finds nothing to apply; a repeated state
or the round cap is a convergence failure, and then nothing of that module is
written.

Incremental rounds (the cost of a round follows what it changed, not the size
of the module):

- Each fix is read off the items it touched (``apply.apply_fix_fast``): a
  ``Ledger`` per file keeps the text of every top-level item; after a fix only
  the items between the first and last of its scope are printed, the others
  must be the same objects in the same order, and only those items are parsed
  to check the syntax (``reparse``). A scope that opens more than items (the
  module, a marker of supporting resources: every file; a whole file) is read
  the same way, the files it may change anywhere compared whole (and given a
  new ledger). Scopes it cannot read that way (an item of no ledger) switch the
  rest of the round to whole-file comparisons (``apply.apply_fix``), as before.
- The module's index is patched after such a fix (the blocks of its window out,
  the new ones in: ``ModuleIndex.patch``), not rebuilt, and the fix checks read
  only the items it changed (``FixCheck`` ``takes_changed``).
- A fix could still change, in place, an item outside its scope that nothing
  else prints: at the end of the round every ledger is compared with its file
  (``Ledger.verify``: item by item where fixes edited it, printed whole where a
  fix's window was read but nothing changed), and on any difference the round is
  run again from its start texts with whole-file comparisons after every fix
  (``Stray``), which finds and reverts that fix exactly as before. The next round
  reuses that print, and the syntax checks' parses of the items no later fix
  changed (``reparse``). A file no fix read or edited is taken as unchanged
  without printing it, and printed once, later: before a fix may change it,
  before whole files are compared, and at the end of the module; if it does not
  print its text then, the module is run again from its original texts with
  whole-file comparisons (``LateStray``). A 12k-block file beside the files the
  fixes edit is printed once per run instead of once per round.
- For the next round, a file no applied fix had in scope keeps its tree; in a
  changed file only the changed top-level items are parsed again and spliced
  into the tree, the others keep their nodes (positions moved), with a
  whole-file parse where that is not provably the same (``reparse.refresh``).
- A rule runs again in a later round only when the round's changes may change
  its findings (``Memo``): what each check read is recorded (``module.reading``:
  the kinds and types of blocks it looked up, or "everything" when it read files,
  trees or the reverse references, or "positions"), the items a round replaced,
  added or removed are known by identity (refresh keeps the others), and a rule
  whose reads none of them match keeps its findings, provided every node they
  hold (the finding's item, block, file, and its fix's scope) is still in the
  trees. Other rules run again on the whole module (their index and per-module
  facts are rebuilt lazily); rounds after the first only happen in modules where
  a fix was applied. The walks of the top-level blocks a round kept
  (``Module.nodes``: the traversals, calls, strings rules look for) are carried
  to the next round (``Module.take_walks`` / ``carry``).

Results are plain data (picklable), so modules can run in worker processes.
"""

from __future__ import annotations

import os
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from tffix.engine.apply import (
    FixCheck,
    LateStray,
    Ledger,
    Stray,
    apply_fix,
    apply_fix_fast,
    owners_of,
    plan_fast,
    snapshot,
)
from tffix.engine.deployment import Deployment, classify
from tffix.engine.edits import TextEdit
from tffix.engine.module import ALL, Module, SourceFile, affected, item_key, reading, same_objects
from tffix.engine.reparse import Baseline, refresh
from tffix.engine.rules import DISPLAY_ONLY, SAFE, UNSAFE, Finding, Rule, RuleEntry
from tffix.engine.suppressions import Comments, is_suppressed
from tffix.syntax import cst
from tffix.syntax.parser import parse

__all__ = ["Options", "Record", "block_name", "fix_key", "ModuleResult", "run_module", "preview", "select_rules",
           "MAX_ROUNDS"]

# Fixes with overlapping scope wait for the next round, so a block needs a round per fix on it:
# a security group with a dozen rules without a description needs a dozen (nccgroup/sadcloud's
# known_port_to_all needed 13 and failed under a cap of 10, losing every fix of its module).
# Oscillations stop at once (a repeated state); the cap only ends a run that keeps making new
# states. ruff caps its fix loop at 100 too.
MAX_ROUNDS = 100


@dataclass
class Options:
    unsafe_fixes: bool = False
    extend_safe_fixes: Sequence[str] = ()  # rules whose unsafe fixes count as safe
    extend_unsafe_fixes: Sequence[str] = ()
    rule_options: dict[str, dict[str, Any]] = field(default_factory=dict)
    apply_fixes: bool = True
    only_files: frozenset[str] | None = None  # report findings only in these paths
    preview_fixes: bool = False  # record the edits of fixable findings left unapplied (SARIF, editors)
    fix_checks: Sequence[FixCheck] = ()  # run on what each fix wrote; a problem reverts the fix
    deployment: Deployment | None = None  # what a state or plan says is deployed (``deployment.py``)
    # fixes not to apply (``fix_key``): the ones a plan contradicted (``tffix verify``); their findings
    # stay, without a fix
    withheld: frozenset[tuple[str, str, str, str]] = frozenset()


@dataclass
class Record:
    """A finding as data: what the CLI prints and the JSON/SARIF outputs hold."""

    rule_id: str
    path: str
    line: int
    column: int
    message: str
    fixable: bool = False
    safety: str = DISPLAY_ONLY
    impact: str = "none"
    fix: str = ""
    applied: bool = False
    held_back: bool = False  # an unsafe fix the options did not allow
    edits: list[TextEdit] = field(default_factory=list)  # what the fix did (or would do, previewed)
    deployment: str = ""  # what the state or plan says about the resource (``deployment.py``)
    block: str = ""  # the top-level block it is in: ``resource.aws_db_instance.main`` (``block_name``)
    severity: str = "warning"  # "note": an expression the state shows harmless here (``deployment.py``)

    @property
    def key(self) -> tuple[str, str, str, str]:
        """Names the fix across runs of the same code (``fix_key``)."""
        return (self.rule_id, self.path, self.block, self.message)


def block_name(block: object) -> str:
    """``resource.aws_db_instance.main``, ``terraform``, ``module.db``: a top-level block by kind and labels."""
    if block is None:
        return ""
    return ".".join([block.type, *block.label_values])  # type: ignore[attr-defined]


def fix_key(f: Finding) -> tuple[str, str, str, str]:
    """A finding's fix across runs of the same code: rule, file, block and message
    (``Options.withheld``)."""
    return (f.rule_id, f.file.display, block_name(f.block), f.message)


@dataclass
class FileChange:
    path: str
    display: str
    before: str
    after: str
    created: bool = False


@dataclass
class ModuleResult:
    directory: str
    files: int = 0
    remaining: list[Record] = field(default_factory=list)
    fixed: list[Record] = field(default_factory=list)
    changes: list[FileChange] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    converged: bool = True


def _matches(rule_id: str, patterns: Iterable[str]) -> bool:
    return any(p == "ALL" or rule_id.startswith(p) for p in patterns)


def select_rules(rules: Sequence[type[Rule]], select: Sequence[str] | None, ignore: Sequence[str],
                 opt_in: Iterable[str] = ()) -> list[type[Rule]]:
    """Rules chosen by ``select`` minus ``ignore``. With no ``select``, every
    rule but the opt-in ones; an opt-in rule runs only when a pattern other
    than ``ALL`` selects it."""
    chosen = []
    off = set(opt_in)
    for rule in rules:
        if select is None:
            if rule.id in off:
                continue
        elif not _matches(rule.id, select if rule.id not in off else [p for p in select if p != "ALL"]):
            continue
        if _matches(rule.id, ignore):
            continue
        chosen.append(rule)
    return chosen


def effective_safety(finding: Finding, options: Options) -> str:
    assert finding.fix is not None
    safety = finding.fix.safety
    if safety == UNSAFE and _matches(finding.rule_id, options.extend_safe_fixes):
        return SAFE
    if safety == SAFE and _matches(finding.rule_id, options.extend_unsafe_fixes):
        return UNSAFE
    return safety


def _record(f: Finding, options: Options, applied: bool = False) -> Record:
    fixable = f.fix is not None and f.fix.safety != DISPLAY_ONLY
    safety = effective_safety(f, options) if f.fix is not None else DISPLAY_ONLY
    return Record(
        rule_id=f.rule_id, path=f.file.display, line=f.line, column=f.column, message=f.message,
        fixable=fixable, safety=safety, impact=f.fix.impact if f.fix else "none",
        fix=f.fix.description if f.fix else "", applied=applied,
        held_back=fixable and not applied and safety == UNSAFE and not options.unsafe_fixes,
        edits=list(f.fix.edits) if f.fix else [],
        deployment=f.deployment,
        block=block_name(f.block),
        severity=f.severity,
    )


class Memo:
    """What the rules found in the last round, and what each check read, to reuse a rule's
    findings when the round's changes cannot touch them (module docstring). ``items``: the
    top-level items, trees and files of the module as the last round's checks saw them (by
    ``id``, held so the ids stay theirs)."""

    def __init__(self) -> None:
        self.items: dict[int, Any] | None = None
        self.rules: dict[str, tuple[list[Finding], set[Any]]] = {}

    def changes(self, module: Module) -> tuple[dict[int, Any], set[Any]]:
        """The module's items (and its files and trees, which kept findings hold) now, and the
        ``item_key``s of the top-level items replaced, added or removed since the last round
        (empty in the first round: nothing is kept yet). A replaced tree or a new file shows
        as its items."""
        now: dict[int, Any] = {}
        for sf in _all_files(module):
            tree = sf.tree
            if isinstance(tree.body, cst.LazyBody):  # its items are not built: nothing is kept
                self.items = None
                self.rules.clear()
                return now, {ALL}
            now[id(sf)] = sf
            now[id(tree)] = tree
            for item in tree.body.items:
                now[id(item)] = item
        before = self.items
        changed: set[Any] = set()
        if before is not None:
            for a, b in ((before, now), (now, before)):
                for key, obj in a.items():
                    if b.get(key) is not obj and not isinstance(obj, (SourceFile, cst.File)):
                        changed.add(item_key(obj))
        self.items = now
        return now, changed

    def reuse(self, rule_id: str, changed: set[Any], now: dict[int, Any]) -> list[Finding] | None:
        kept = self.rules.get(rule_id)
        if kept is None or affected(kept[1], changed):
            return None
        findings = kept[0]
        for f in findings:
            for obj in _anchors(f):
                if now.get(id(obj)) is not obj:
                    return None
        return findings

    def keep(self, rule_id: str, findings: list[Finding], reads: set[Any], module: Module) -> None:
        """Remember a check's findings, when each can be tied to items still there next
        round: its node's top-level item (found now, while the tree is as the rule saw it)."""
        if self.items is None or affected(reads, set()):
            return
        for f in findings:
            if not isinstance(f.node, cst.Node) or _item_of(f, module) is None:
                return
        self.rules[rule_id] = (findings, reads)


def _item_of(f: Finding, module: Module) -> Any:
    """The top-level item (or the tree) of ``f.file`` that holds ``f.node``, noted on the
    finding (``item``); None if not found."""
    node = f.node
    tree = f.file.tree
    if node is tree:
        f.item = tree
        return tree
    candidates = [f.block] if f.block is not None else []
    candidates += [i for i in tree.body.items if i is not f.block]
    for item in candidates:
        if item is node or any(n is node for n in module.nodes(item, cst.Node)):
            f.item = item
            return item
    return None


def _anchors(f: Finding) -> list[Any]:
    """What a kept finding holds that must still be in the module for it to stand."""
    out = [f.file, f.item]
    if f.block is not None:
        out.append(f.block)
    if f.fix is not None:
        out += f.fix.scope
    return out


_NO_COMMENTS = Comments()  # a file without any suppression comment (most files): nothing to look up


def _may_suppress(text: str) -> bool:
    """Could ``text`` hold a suppression comment? Each kind names its tool followed by a colon."""
    return "tffix:" in text or "checkov:" in text or "trivy:" in text


def collect(module: Module, rules: Sequence[Rule], options: Options, errors: list[str],
            kept: dict[int, tuple[Any, str, Comments]] | None = None, memo: Memo | None = None) -> list[Finding]:
    """Every rule's findings on the module as it is, less the suppressed ones, sorted.
    ``kept``: suppression comments read in earlier rounds, by tree (a file whose tree and
    text are the same as then has the same comments at the same lines); updated. ``memo``:
    the findings of the last round, reused for rules the changes since cannot affect.
    The module's index and facts must be as its trees are now: ``run_module`` invalidates
    them whenever the trees change (so the index ``_Rules.active`` built is the one used)."""
    trees = {id(f.tree): f for f in _all_files(module)}
    comments: dict[int, Comments] = {}  # a file's suppression comments, read when it has a finding
    kept = {} if kept is None else kept
    found: list[Finding] = []
    now, changed = memo.changes(module) if memo is not None else ({}, set())
    for rule in rules:
        opts = {**type(rule).options, **options.rule_options.get(rule.id, {})}
        results = memo.reuse(rule.id, changed, now) if memo is not None else None
        if results is None:
            if memo is not None:
                memo.rules.pop(rule.id, None)  # kept again below when the check ends well
            try:
                with reading() as reads:
                    results = list(rule.check(module, opts))
            except RecursionError:
                errors.append(f"{module.directory}: rule {rule.id} skipped: the code nests deeper than it can "
                              "follow")
                continue
            except Exception as exc:  # noqa: BLE001 - a broken rule must not stop the run
                errors.append(f"{module.directory}: internal error in rule {rule.id}: {type(exc).__name__}: {exc}")
                continue
            if memo is not None:
                memo.keep(rule.id, results, reads, module)
        for f in results:
            key = id(f.file.tree)
            c = comments.get(key)
            if c is None and key in trees:
                sf = trees[key]
                old = kept.get(key)
                if not _may_suppress(sf.text):
                    c = comments[key] = _NO_COMMENTS
                elif old is not None and old[0] is sf.tree and old[1] == sf.text:
                    c = comments[key] = old[2]
                else:
                    c = comments[key] = Comments.of(sf.tree)
                    kept[key] = (sf.tree, sf.text, c)
            if c is not None and c is not _NO_COMMENTS and \
                    is_suppressed(rule.id, (*rule.checkov, *rule.checkov_skips), rule.trivy, f.line, f.block, c):
                continue
            if options.only_files is not None and f.file.display not in options.only_files:
                continue
            found.append(f)
    found.sort(key=lambda f: (f.file.display, f.line, f.column, f.rule_id))
    return found


def _allowed(f: Finding, options: Options) -> bool:
    if f.fix is None or not options.apply_fixes:
        return False
    safety = effective_safety(f, options)
    return safety == SAFE or (safety == UNSAFE and options.unsafe_fixes)


def _all_files(module: Module) -> list[SourceFile]:
    """The files fixes may change: the module's ``.tf`` files and its
    ``.tfvars`` files (only a rule that formats touches those)."""
    return [*module.files, *module.tfvars]


def _files_of(scope: tuple[Any, ...], module: Module) -> list[SourceFile]:
    owners: dict[int, SourceFile] = {}
    for f in _all_files(module):
        owners[id(f.tree)] = f
        for item in f.tree.body.items:
            owners[id(item)] = f
    files = []
    for s in scope:
        f = owners.get(id(s))
        if f is None:
            return list(module.files)  # unknown scope: watch every file
        if f not in files:
            files.append(f)
    return files


def _signature(f: Finding) -> tuple[str, str, str]:
    return (f.rule_id, f.file.display, f.message)


def preview(findings: Sequence[Finding], module: Module, options: Options | None = None) -> None:
    """Record the edits of each fixable finding's fix (``finding.fix.edits``), applied
    alone to the files as they are and undone in place (the other findings' fixes hold
    references into the same trees), so no rule runs again. A fix that fails (or fails
    ``options.fix_checks``) offers no edits. ``findings`` are (some of) those a check of
    ``module`` left, its trees untouched since (``run_module(..., findings_out=...)``
    with ``apply_fixes`` off)."""
    _preview(list(findings), module, options or Options())


def _preview(findings: list[Finding], module: Module, options: Options) -> None:
    pending = [f for f in findings if f.fix is not None and f.fix.safety != DISPLAY_ONLY]
    if not pending:
        return
    files = _all_files(module)
    texts = {id(sf): sf.text for sf in files}
    restore = {id(sf): snapshot(sf.tree) for sf in files}
    for f in pending:
        assert f.fix is not None
        done = apply_fix(f.fix, module, texts, options.fix_checks)
        for sf in done.created:
            module.files.remove(sf)
        for sf in [*_files_of(f.fix.scope, module), *done.changed]:
            if id(sf) in restore:
                restore[id(sf)]()
        module.invalidate()
        if done.error is None:
            f.fix.edits = done.edits


class _Rules:
    """The rules of a run, in the order given: classes run from the start; ``RuleEntry``s
    are imported and run from the first round whose module has a block they look at
    (``RuleEntry.applies``: before that, they could find nothing)."""

    def __init__(self, rules: Sequence[type[Rule] | RuleEntry]) -> None:
        self.slots: list[Rule | RuleEntry] = [r if isinstance(r, RuleEntry) else r() for r in rules]
        self.waiting = {i for i, r in enumerate(self.slots) if isinstance(r, RuleEntry)}  # not imported yet
        self.rules: list[Rule] = [r for r in self.slots if isinstance(r, Rule)]
        # the waiting entries by the (kind, first label) pairs they look at (``""``: any block of the
        # kind): a round wakes those whose pairs the module has, reading only the pairs it has
        self.wake: dict[tuple[str, str], list[int]] = {}
        for i in self.waiting:
            for pair in self.slots[i].looks_at or ():  # type: ignore[union-attr]
                self.wake.setdefault(pair, []).append(i)

    def active(self, module: Module) -> list[Rule]:
        if self.waiting:
            ready = {i for i in self.waiting if self.slots[i].looks_at is None}  # type: ignore[union-attr]
            if len(ready) < len(self.waiting):
                # the module index only for rules that look at some blocks (building it builds every
                # item of a lazy tree: ``tffix fmt`` on a large file has no such rule)
                index = module.index()
                wake = self.wake
                for kind_type in index.by_kind_type:
                    ready.update(wake.get(kind_type, ()))
                for kind in index.by_kind:
                    ready.update(wake.get((kind, ""), ()))
                ready &= self.waiting
            for i in ready:
                self.slots[i] = self.slots[i].load()()  # type: ignore[union-attr]
            self.waiting -= ready
            if ready:
                self.rules = [r for r in self.slots if isinstance(r, Rule)]
        return self.rules


def run_module(module: Module, rule_classes: Sequence[type[Rule] | RuleEntry], options: Options,
               findings_out: list[Finding] | None = None) -> ModuleResult:
    """Check (and fix, as ``options`` allow) a module. ``findings_out`` receives the
    findings left, in the order of ``result.remaining``, bound to the module's trees
    (to ``preview`` their fixes later, in this process). Rules are classes, or index
    entries imported when a round's module has blocks they look at.

    A file no fix of a round edited is taken to be unchanged without printing it
    (``Ledger.verify(assume=True)``), and printed once, later: before a fix may change it,
    before a round compares whole files, and at the end. Should it not print its text then
    (a fix of an earlier round changed it without declaring it: ``LateStray``), the module
    is run again from its original texts with whole-file comparisons after every fix, which
    finds and reverts that fix."""
    files = list(module.files)
    texts = {id(sf): sf.text for sf in _all_files(module)}
    try:
        return _run_module(module, rule_classes, options, findings_out, fast=True)
    except LateStray:
        module.files[:] = files
        for sf in _all_files(module):
            sf.text = texts[id(sf)]
            sf.tree = parse(sf.text, sf.display)
        module.forget()
        return _run_module(module, rule_classes, options, findings_out, fast=False)


def _verified(pending: dict[int, SourceFile], files: Iterable[SourceFile]) -> None:
    """Print the files of ``files`` taken as unchanged so far (``pending``): raises
    ``LateStray`` when one does not print its text; the others are checked from then on."""
    for sf in files:
        if pending.pop(id(sf), None) is not None and sf.tree.code != sf.text:
            raise LateStray(sf.display)


def _run_module(module: Module, rule_classes: Sequence[type[Rule] | RuleEntry], options: Options,
                findings_out: list[Finding] | None, fast: bool) -> ModuleResult:
    chosen = _Rules(rule_classes)
    result = ModuleResult(str(module.directory), files=len(module.files) + len(module.tfvars))
    originals = {f.display: f.text for f in _all_files(module)}
    seen_states: set[tuple[str, ...]] = set()
    failed: set[tuple[str, str, str]] = set()  # fixes reverted once are not tried again
    kept_comments: dict[int, tuple[Any, str, Comments]] = {}  # suppression comments by tree (``collect``)
    # a state changes findings' messages in place (``classify``): with one, every rule runs every round
    memo = Memo() if options.deployment is None else None
    findings: list[Finding] = []
    unchanged: dict[int, Baseline] = {}  # the files the last round left as they were, by ``id``
    pending: dict[int, SourceFile] = {}  # files taken as unchanged, not printed yet (``_verified``)
    for _round in range(MAX_ROUNDS + 1):
        mark = (len(result.errors), len(result.fixed), set(failed), list(module.files))
        findings = collect(module, chosen.active(module), options, result.errors, kept_comments, memo)
        walks = module.take_walks()  # the blocks no fix changes keep them for the next round
        classify(findings, os.path.realpath(module.directory), options.deployment)
        for f in findings:
            if f.fix is not None and (_signature(f) in failed or fix_key(f) in options.withheld):
                f.fix = None
        applicable = [f for f in findings if _allowed(f, options)]
        if not applicable:
            if options.preview_fixes:
                _verified(pending, list(pending.values()))  # the previews compare whole files
                _preview(findings, module, options)
            break
        if _round == MAX_ROUNDS:
            result.converged = False
            break
        bases = {id(sf): _baseline(sf, unchanged.get(id(sf))) for sf in _all_files(module)}
        try:
            taken, applied = _apply_round(applicable, module, options, result, failed, bases, fast, pending)
        except Stray:
            # a fix changed an item it did not declare without its own items showing it: start
            # the round again from its texts, comparing whole files after every fix (which
            # finds and reverts that fix, as it always did)
            del result.errors[mark[0]:], result.fixed[mark[1]:]
            failed.clear()
            failed.update(mark[2])
            module.files[:] = mark[3]
            _verified(pending, _all_files(module))  # nothing of an earlier round is lost unseen
            for sf in _all_files(module):
                sf.tree = parse(sf.text, sf.display)
            module.invalidate()
            findings = collect(module, chosen.active(module), options, result.errors, kept_comments, memo)
            walks = module.take_walks()
            classify(findings, os.path.realpath(module.directory), options.deployment)
            for f in findings:
                if f.fix is not None and (_signature(f) in failed or fix_key(f) in options.withheld):
                    f.fix = None
            applicable = [f for f in findings if _allowed(f, options)]
            bases = {id(sf): Baseline.of(sf) for sf in _all_files(module)}
            taken, applied = _apply_round(applicable, module, options, result, failed, bases, False, pending)
        # fresh trees (and positions) for the next round: a file no applied fix had in
        # scope keeps its tree (and its baseline); in the others only the changed items are
        # parsed again
        unchanged = {}
        for sf in _all_files(module):
            base = bases.get(id(sf))
            text = sf.tree.code if base is None or base.printed is None else base.printed  # (``Ledger.verify``)
            if base is not None and sf.tree is base.tree and text == base.text and not _touched(base, taken):
                unchanged[id(sf)] = base
                continue
            sf.text = text
            sf.tree = parse(text, sf.display) if base is None else refresh(sf, base, taken)
        module.follow()  # the index follows the changed items (built again where it cannot)
        module.carry(walks)
        state = tuple(sf.text for sf in _all_files(module))
        if applied and state in seen_states:
            result.converged = False
            break
        seen_states.add(state)
    _verified(pending, list(pending.values()))
    if not result.converged:
        ids = sorted({r.rule_id for r in result.fixed})
        result.errors.append(f"{module.directory}: fixes did not converge after {len(seen_states)} rounds "
                             f"(rules {', '.join(ids)}); nothing in this module was changed")
        module.files = [sf for sf in module.files if sf.display in originals]
        for sf in _all_files(module):
            sf.text = originals[sf.display]
        result.fixed = []
    result.remaining = [_record(f, options) for f in findings]
    if findings_out is not None:
        findings_out[:] = findings
    for sf in _all_files(module):
        before = originals.get(sf.display)
        if sf.text != before:
            result.changes.append(FileChange(str(sf.path), sf.display, before or "", sf.text, created=before is None))
    return result


def _baseline(sf: SourceFile, last: Baseline | None) -> Baseline:
    """``Baseline.of(sf)``; for a file the last round left as it was (``last``: its baseline
    then, the same tree, text, items and the tokens around them), the offsets of ``last``
    instead of measuring them again."""
    if last is not None and last.tree is sf.tree and last.text == sf.text:
        tree = sf.tree
        items = tree.body.items
        if (same_objects(items, last.items) and tree.eof is last.eof and same_objects(tree.header, last.header)
                and same_objects(tree.body.trailing, last.trailing)):
            return Baseline(tree, list(items), last.text, last.starts, header=last.header, trailing=last.trailing,
                            eof=last.eof)
    return Baseline.of(sf)


def _apply_round(applicable: list[Finding], module: Module, options: Options, result: ModuleResult,
                 failed: set[tuple[str, str, str]], bases: dict[int, Baseline], fast: bool,
                 pending: dict[int, SourceFile]) -> tuple[set[int], int]:
    """Apply the round's fixes one by one, never two with overlapping scope; revert a
    fix that raises, breaks the syntax or edits outside its scope. ``fast``: read each
    fix off the items of its scope (``apply_fix_fast``, with a ``Ledger`` per file),
    until a fix it cannot read that way, then whole files (``apply_fix``) for the rest
    of the round; raises ``Stray`` when the ledgers and the trees disagree at the end.
    ``pending``: the files taken as unchanged without printing (``run_module``): printed
    before a fix may change them or whole files are compared; this round's are added.
    Returns the ids of the scope items of the fixes applied, and how many there were."""
    texts = {id(sf): sf.text for sf in _all_files(module)}
    ledgers = {id(sf): Ledger(sf, bases[id(sf)]) for sf in _all_files(module)} if fast else {}
    ledgers = {k: v for k, v in ledgers.items() if v.usable}
    owners = owners_of(ledgers)
    if not fast:
        _verified(pending, _all_files(module))

    def sync() -> None:  # whole-file comparisons from here on
        _verified(pending, _all_files(module))
        for key, ledger in ledgers.items():
            texts[key] = ledger.text()
        ledgers.clear()

    taken: set[int] = set()
    broken: set[int] = set()
    made: dict[int, tuple[SourceFile, tuple[str, Any]]] = {}  # files fixes created, with the parse that checked them
    applied = 0
    for f in applicable:
        assert f.fix is not None
        if any(id(s) in taken for s in f.fix.scope) or id(f.file.tree) in broken:
            continue
        plan = plan_fast(f.fix, ledgers, owners, module) if ledgers else None
        # the files the fix may change (reverted on a failure): for the fast path, from its plan
        files = plan.files(module) if plan is not None else _files_of(f.fix.scope, module)
        if any(id(sf.tree) in broken for sf in files):
            continue
        if pending:
            _verified(pending, files)
        if plan is not None:
            done = apply_fix_fast(f.fix, module, ledgers, plan, texts, owners, options.fix_checks)
        else:
            sync()
            done = apply_fix(f.fix, module, texts, options.fix_checks)
        if done.error is not None:
            result.errors.append(f"{f.file.display}:{f.line}:{f.column}: internal error: fix for {f.rule_id} "
                                 f"{done.error}; the fix was reverted")
            created = {id(sf) for sf in done.created}
            for sf in {id(sf): sf for sf in [*files, *done.changed] if id(sf) not in created}.values():
                ledger = ledgers.pop(id(sf), None)
                sf.tree = parse(ledger.text() if ledger is not None else texts[id(sf)], sf.display)
                broken.add(id(sf.tree))
                if ledger is not None:
                    texts[id(sf)] = sf.tree.code
            for sf in done.created:
                module.files.remove(sf)
            module.invalidate()
            failed.add(_signature(f))
            continue
        texts.update(done.texts)
        for sf in done.created:
            if id(sf) in done.parsed:
                made[id(sf)] = (sf, done.parsed[id(sf)])
        f.fix.edits = done.edits
        taken.update(id(s) for s in f.fix.scope)
        result.fixed.append(_record(f, options, applied=True))
        applied += 1
    for key, ledger in ledgers.items():
        # a file whose items no fix read or changed is printed later, once (``pending``): even
        # after a fix whose scope opened every file (creating versions.tf: such fixes append
        # blocks, which the items show; one that edited an item in place would be found at the
        # end, and the module run again: in none of the 5,040 modules of corpus-big, corpus3 and
        # corpus5)
        if not ledger.verify(assume=True):
            raise (LateStray if key in pending else Stray)(ledger.sf.display)
        if ledger.assumed:
            pending[key] = ledger.sf
    for key, (sf, parsed) in made.items():  # the next round's tree of a created file (``refresh``)
        if any(f is sf for f in module.files):
            bases[key] = Baseline(None, [], "", [0], fresh=parsed)  # type: ignore[arg-type]
    return taken, applied


def _touched(base: Baseline, taken: set[int]) -> bool:
    return id(base.tree) in taken or any(id(item) in taken for item in base.items)


def parse_module_texts(directory: str, texts: dict[str, str]) -> Module:
    """A module from in-memory texts (tests)."""
    module = Module(Path(directory))
    for name, text in texts.items():
        sf = SourceFile(Path(directory) / name, text, parse(text, name), display=name)
        (module.tfvars if name.endswith(".tfvars") else module.files).append(sf)
    return module


def fix_texts(texts: dict[str, str], rule_classes: Sequence[type[Rule]], options: Options | None = None,
              directory: str = ".") -> tuple[dict[str, str], ModuleResult]:
    """Run rules over in-memory files (as if they lived in ``directory``);
    returns the new texts (new files included) and the result."""
    module = parse_module_texts(directory, texts)
    result = run_module(module, rule_classes, options or Options())
    out = dict(texts)
    for sf in _all_files(module):
        out[sf.display] = sf.text
    return out, result

