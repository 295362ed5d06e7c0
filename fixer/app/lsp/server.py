"""The language server behind ``tffix lsp`` (stdio), on pygls / lsprotocol.

- **Diagnostics** for ``.tf``, ``.tofu`` and ``.tfvars`` files on open, change
  (debounced) and save. A check covers the file's whole module: the
  directory's other files from the editor's open buffers where open, else
  from disk (``run_module_texts``); every open file of the directory gets its
  diagnostics from the same check. A file that does not parse (open or on
  disk) gets its parse error as a diagnostic; a bad config is one, too.
- **Code actions**: a quick fix per finding with a fix (a workspace edit built
  from the fix's recorded edits: it may edit other files or create one, e.g.
  ``versions.tf``); unsafe fixes separately (kind ``quickfix.tffix.unsafe``),
  their impact in the title; "ignore this finding" (a ``# tffix:ignore[ID]``
  comment, checked to silence the finding before it is offered); and
  ``source.fixAll.tffix``: every safe fix of the file, resolved lazily when
  the client can.
- **Hover** on a finding: the rule's summary, the fix, its safety and
  deployment impact, a link to the docs.
- **Formatting** with the formatting rule (TFX901, ``tffix fmt``).
- **Settings** from ``[tool.tffix]`` / ``.tffix.toml``, found from each file's
  directory, so each root of a multi-root workspace has its own.

Checks run in one worker thread, off the event loop; the server answers
requests from the last check when it matches the buffers, else after a new
one. No exception leaves a handler: whatever the input, the server keeps going.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import traceback
from collections.abc import Iterable, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from lsprotocol import types
from pygls.lsp.server import LanguageServer
from pygls.uris import from_fs_path, to_fs_path

import tffix
from tffix import __version__
from tffix.app.files import InputError
from tffix.app.lsp.text import UTF8, UTF16, UTF32, LineIndex
from tffix.app.run import CHECK, DRY_RUN, RULES, Previews, Report, Settings, SettingsError, Trees, run, run_module_texts
from tffix.app.runner import Problem, display_path
from tffix.engine.edits import TextEdit, diff
from tffix.engine.engine import Record
from tffix.engine.suppressions import Comments, is_suppressed
from tffix.syntax import cst
from tffix.syntax.blocks import check_block_labels
from tffix.syntax.errors import ParseError
from tffix.syntax.parser import parse

__all__ = ["TffixServer", "serve", "SUFFIXES", "KIND_FIX", "KIND_UNSAFE", "KIND_IGNORE", "KIND_FIX_ALL"]

log = logging.getLogger("tffix.lsp")

SUFFIXES = (".tf", ".tofu", ".tfvars")
CONFIG_NAMES = (".tffix.toml", "pyproject.toml")
FORMAT_RULE = "TFX901"
SOURCE = "tffix"
KIND_FIX = types.CodeActionKind.QuickFix.value  # a safe fix: "quickfix"
KIND_UNSAFE = "quickfix.tffix.unsafe"
KIND_IGNORE = "quickfix.tffix.ignore"
KIND_FIX_ALL = "source.fixAll.tffix"
DEFAULT_DEBOUNCE = 0.01  # seconds of quiet after a change before checking (a burst of changes: one check)
RULES_BY_ID = {r.id: r for r in RULES}
FileChanges = tuple[Path, bool, str, list[tuple[int, int, str]]]  # path, created, text before, edits
_REPO_DOCS = Path(tffix.__file__).resolve().parent.parent / "docs" / "rules.md"


def _default_docs_url() -> str | None:
    """docs/rules.md where tffix runs from a checkout (an editable install); else none."""
    return _REPO_DOCS.as_uri() if _REPO_DOCS.is_file() else None


def _rule_anchor(rule_id: str) -> str:
    rule = RULES_BY_ID.get(rule_id)
    return f"{rule_id.lower()}-{rule.name}" if rule is not None else rule_id.lower()


# ---- one check of a module -----------------------------------------------------


@dataclass
class Check:
    """The result of checking one directory's module with the buffers as they were."""

    directory: Path
    generation: int
    texts: dict[Path, str]  # the open buffers the check read
    versions: dict[Path, int | None]  # their versions
    sources: dict[Path, str] = field(default_factory=dict)  # every file the check read (offsets refer to these)
    records: dict[Path, list[Record]] = field(default_factory=dict)
    problems: dict[Path, list[Problem]] = field(default_factory=dict)
    error: str | None = None  # the check could not run (a bad config, an internal error)
    notes: list[str] = field(default_factory=list)  # other errors of the run (logged)
    previews: Previews = field(default_factory=Previews)  # the fixes' edits, computed when first asked for
    index: dict[int, int] = field(default_factory=dict)  # id(record) -> its index in the previews

    def fixable(self, records: Iterable[Record]) -> list[int]:
        return [self.index[id(r)] for r in records if r.fixable and id(r) in self.index]

    def text_of(self, path: Path) -> str | None:
        return self.sources.get(path, self.texts.get(path))


def _paths_by_display(directory: Path, texts: Iterable[Path], report: Report) -> dict[str, Path]:
    out: dict[str, Path] = {}
    for outcome in report.outcomes:
        for display, (path, _) in outcome.sources.items():
            out[display] = Path(path)
    for path in [*texts, *(p for p in directory.glob("*") if p.name.endswith(SUFFIXES))]:
        out.setdefault(display_path(path), path)
    return out


def run_check(directory: Path, generation: int, texts: dict[Path, str], versions: dict[Path, int | None],
              trees: Trees | None = None) -> Check:
    """Check a module (in the worker thread): its findings, their fixes kept to preview on request.
    ``trees``: the module's parsed files from its last check, so only what changed is parsed
    again (that check's previews end: it is older than this one)."""
    check = Check(directory, generation, texts, versions)
    try:
        report = run_module_texts(directory, texts, Settings(mode=CHECK), previews=check.previews, trees=trees)
    except SettingsError as e:
        check.error = f"tffix: {e}"
        return check
    except Exception as exc:  # noqa: BLE001 - the server survives anything
        log.error("check of %s failed:\n%s", directory, traceback.format_exc())
        check.error = f"tffix: internal error while checking this module: {type(exc).__name__}: {exc}"
        return check
    paths = _paths_by_display(directory, texts, report)
    for outcome in report.outcomes:
        for path, text in outcome.sources.values():
            check.sources[Path(path)] = text
        for problem in outcome.problems:
            path = paths.get(problem.path)
            if path is not None:
                check.problems.setdefault(path, []).append(problem)
    for outcome in report.outcomes:
        for i, record in enumerate(outcome.result.remaining):
            check.index[id(record)] = i
            path = paths.get(record.path)
            if path is not None:
                check.records.setdefault(path, []).append(record)
    problem_lines = {f"{p.path}:{p.line}:{p.column}: " for ps in check.problems.values() for p in ps}
    # the errors shown as diagnostics (parse errors; "no fix was applied": module-has-errors) are not logged
    check.notes = [e for e in report.summary.errors if not any(e.startswith(x) for x in problem_lines)
                   and not e.endswith("findings are listed but no fix was applied")]
    return check


# ---- the server ------------------------------------------------------------------


class TffixServer(LanguageServer):
    def __init__(self) -> None:
        super().__init__("tffix", __version__, text_document_sync_kind=types.TextDocumentSyncKind.Incremental)
        self.executor = ThreadPoolExecutor(max_workers=1, thread_name_prefix="tffix-check")
        self.generation: dict[Path, int] = {}
        self.checks: dict[Path, Check] = {}
        self.running: dict[Path, tuple[int, asyncio.Future[Check]]] = {}
        self.timers: dict[Path, asyncio.Task[None]] = {}
        self.published: dict[Path, set[Path]] = {}  # per directory: the files given diagnostics
        self.trees: dict[Path, Trees] = {}  # per directory: the parsed files of its last check (worker only)
        self.debounce = DEFAULT_DEBOUNCE
        self.docs_url: str | None = _default_docs_url()

    # ---- documents ----

    def encoding(self) -> str:
        value = getattr(self.workspace.position_encoding, "value", self.workspace.position_encoding)
        return value if value in (UTF8, UTF16, UTF32) else UTF16

    def open_buffers(self, directory: Path) -> tuple[dict[Path, str], dict[Path, int | None]]:
        texts: dict[Path, str] = {}
        versions: dict[Path, int | None] = {}
        for uri, doc in list(self.workspace.text_documents.items()):
            path = path_of(uri)
            if path is not None and path.parent == directory:
                texts[path] = doc.source
                versions[path] = doc.version
        return texts, versions

    def version_of(self, path: Path) -> int | None:
        doc = self.workspace.text_documents.get(uri_of(path))
        return doc.version if doc is not None else None

    # ---- checks ----

    def changed(self, directory: Path, delay: float = 0.0) -> None:
        """The module in ``directory`` changed: check it again after ``delay`` seconds of quiet."""
        self.generation[directory] = self.generation.get(directory, 0) + 1
        timer = self.timers.pop(directory, None)
        if timer is not None and not timer.done():
            timer.cancel()
        self.timers[directory] = asyncio.ensure_future(self._after(directory, delay))

    async def _after(self, directory: Path, delay: float) -> None:
        try:
            if delay > 0:
                await asyncio.sleep(delay)
            await self.current(directory)
        except asyncio.CancelledError:
            pass
        except Exception:  # noqa: BLE001
            log.error("check of %s failed:\n%s", directory, traceback.format_exc())

    async def current(self, directory: Path) -> Check:
        """A check of the module as the buffers are now. Changes that come while a check
        runs are coalesced: when it ends, one check of the latest buffers follows."""
        check: Check | None = None
        for _ in range(5):  # a few tries while the buffers keep changing
            generation = self.generation.setdefault(directory, 0)
            check = self.checks.get(directory)
            if check is not None and check.generation == generation:
                return check
            running = self.running.get(directory)
            if running is not None and running[0] != generation:
                with contextlib.suppress(Exception):  # an older check: wait for the worker, then the latest
                    await asyncio.shield(running[1])
                continue
            if running is None:
                texts, versions = self.open_buffers(directory)
                trees = self.trees.setdefault(directory, Trees())
                future = asyncio.get_running_loop().run_in_executor(
                    self.executor, run_check, directory, generation, texts, versions, trees)
                running = (generation, asyncio.ensure_future(self._finish(directory, generation, future)))
                self.running[directory] = running
            check = await asyncio.shield(running[1])
        assert check is not None
        return check

    async def _finish(self, directory: Path, generation: int, future: asyncio.Future[Check]) -> Check:
        try:
            check = await future
        finally:
            if self.running.get(directory, (None,))[0] == generation:
                del self.running[directory]
        if self.generation.get(directory) == check.generation:
            self.checks[directory] = check
            self.publish(check)
        return check

    async def previews(self, check: Check, indices: list[int]) -> dict[int, list[TextEdit]]:
        """The edits of the fixes of these findings (computed in the worker when not yet)."""
        if all(i in check.previews.done for i in indices) or not check.previews.enabled:
            return check.previews.edits(indices)
        return await asyncio.get_running_loop().run_in_executor(self.executor, check.previews.edits, indices)

    def publish(self, check: Check) -> None:
        encoding = self.encoding()
        before = self.published.get(check.directory, set())
        now: set[Path] = set()
        for path in {*check.texts, *check.problems}:
            if path not in check.texts and not check.problems.get(path):
                continue
            diagnostics = diagnostics_of(check, path, encoding, self.docs_url)
            version = check.versions.get(path)
            self.text_document_publish_diagnostics(types.PublishDiagnosticsParams(
                uri=uri_of(path), diagnostics=diagnostics, version=version))
            now.add(path)
        for path in before - now:
            self.text_document_publish_diagnostics(types.PublishDiagnosticsParams(uri=uri_of(path), diagnostics=[]))
        self.published[check.directory] = now
        for note in check.notes:
            self.window_log_message(types.LogMessageParams(type=types.MessageType.Warning, message=note))

    # ---- capabilities of the client ----

    def supports(self, dotted: str) -> Any:
        node: Any = self.client_capabilities
        for name in dotted.split("."):
            node = getattr(node, name, None)
            if node is None:
                return None
        return node


def path_of(uri: str) -> Path | None:
    """The file a document URI names, if it is a Terraform file on disk (``file:``)."""
    if not uri.startswith("file:"):
        return None
    fs = to_fs_path(uri)
    if not fs or not fs.endswith(SUFFIXES):
        return None
    return Path(fs)


def uri_of(path: Path) -> str:
    return from_fs_path(str(path)) or path.as_uri()


# ---- diagnostics ------------------------------------------------------------------


def _range(index: LineIndex, start: int, end: int) -> types.Range:
    sl, sc = index.position(start)
    el, ec = index.position(end)
    return types.Range(types.Position(sl, sc), types.Position(el, ec))


def record_span(index: LineIndex, record: Record | Problem) -> tuple[int, int]:
    """Where a finding (or an input error) is: from its position to the end of its line."""
    if record.line is None:
        return 0, 0
    start = index.offset_of(record.line, record.column or 1)
    return start, max(start, index.line_end(start))


def diagnostics_of(check: Check, path: Path, encoding: str, docs_url: str | None) -> list[types.Diagnostic]:
    text = check.text_of(path) or ""
    index = LineIndex(text, encoding)
    out = []
    if check.error is not None and path in check.texts:
        out.append(types.Diagnostic(range=_range(index, 0, index.line_end(0)), message=check.error,
                                    severity=types.DiagnosticSeverity.Error, source=SOURCE))
    broken = sorted(p.name for p, problems in check.problems.items() if problems and p != path)
    if broken and check.records.get(path):
        out.append(types.Diagnostic(
            range=_range(index, 0, index.line_end(0)), severity=types.DiagnosticSeverity.Information,
            source=SOURCE, code="module-has-errors",
            message=f"tffix: no quick fixes in this module while {', '.join(broken)} does not parse"))
    for problem in check.problems.get(path, []):
        out.append(types.Diagnostic(range=_range(index, *record_span(index, problem)), message=problem.message,
                                    severity=types.DiagnosticSeverity.Error, source=SOURCE, code="parse-error"))
    for record in check.records.get(path, []):
        out.append(diagnostic_of(record, index, docs_url))
    return out


def diagnostic_of(record: Record, index: LineIndex, docs_url: str | None) -> types.Diagnostic:
    href = f"{docs_url}#{_rule_anchor(record.rule_id)}" if docs_url else None
    return types.Diagnostic(
        range=_range(index, *record_span(index, record)),
        message=record.message,
        # a note: an expression the state (the config's `state`) shows harmless in this deployment
        severity=(types.DiagnosticSeverity.Information if record.severity == "note"
                  else types.DiagnosticSeverity.Warning),
        code=record.rule_id,
        code_description=types.CodeDescription(href=href) if href else None,
        source=SOURCE,
        data={"rule": record.rule_id, "line": record.line, "column": record.column},
    )


def _matches(record: Record, diagnostic: types.Diagnostic, index: LineIndex) -> bool:
    start, end = record_span(index, record)
    return diagnostic.code == record.rule_id and diagnostic.range == _range(index, start, end)


# ---- workspace edits ------------------------------------------------------------


def workspace_edit(server: TffixServer, check: Check, edits: Sequence[TextEdit] | Sequence[FileChanges]
                   ) -> types.WorkspaceEdit | None:
    """A workspace edit for text edits (offsets into the texts ``check`` read), or
    None when it cannot be expressed for this client (a new file it cannot create)."""
    per_file: dict[Path, tuple[bool, str, list[tuple[int, int, str]]]] = {}
    for e in edits:
        if isinstance(e, TextEdit):
            path = Path(e.path)
            text = "" if e.created else check.text_of(path)
            if text is None:
                return None
            created, _, changes = per_file.setdefault(path, (e.created, text, []))
            changes.append((e.start, e.end, e.replacement))
        else:
            path, created, text, changes = e
            per_file[path] = (created, text, changes)
    encoding = server.encoding()
    operations = server.supports("workspace.workspace_edit.resource_operations") or []
    can_create = any(getattr(o, "value", o) == "create" for o in operations)
    # resource operations exist only in documentChanges: a client that declares them takes those
    # (Neovim declares `create` but not documentChanges, and applies both)
    document_changes = bool(server.supports("workspace.workspace_edit.document_changes")) or can_create
    doc_changes: list[Any] = []
    plain: dict[str, list[types.TextEdit]] = {}
    for path, (created, text, changes) in per_file.items():
        if created and not can_create:
            return None
        index = LineIndex(text, encoding)
        lsp_edits = [types.TextEdit(range=_range(index, s, e), new_text=r) for s, e, r in sorted(changes)]
        uri = uri_of(path)
        if created:
            doc_changes.append(types.CreateFile(uri=uri, options=types.CreateFileOptions(ignore_if_exists=True)))
        if document_changes:
            version = None if created else check.versions.get(path, server.version_of(path))
            doc_changes.append(types.TextDocumentEdit(
                text_document=types.OptionalVersionedTextDocumentIdentifier(uri=uri, version=version),
                edits=lsp_edits))
        else:
            plain[uri] = lsp_edits
    if document_changes:
        return types.WorkspaceEdit(document_changes=doc_changes)
    return types.WorkspaceEdit(changes=plain)


# ---- suppression comments --------------------------------------------------------


def _top_block(tree: cst.File, line: int) -> cst.Block | None:
    for block in tree.body.blocks:
        last = block.last_token().line or block.line
        if block.line <= line <= last:
            return block
    return None


def _suppressed(text: str, rule_id: str, line: int) -> bool:
    try:
        tree = parse(text, "ignore.tf")
        check_block_labels(tree, text)
    except ParseError:
        return False
    return is_suppressed(rule_id, (), (), line, _top_block(tree, line), Comments.of(tree))


def ignore_edit(text: str, record: Record) -> tuple[int, int, str, str] | None:
    """An insertion ``(offset, offset, comment, where)`` that silences ``record``:
    a comment line above its top-level block, else one at the end of its line,
    else a file-level one; each is checked (the file re-parsed, the suppression
    matched) before it is offered. None when none works."""
    try:
        tree = parse(text, "ignore.tf")
    except ParseError:
        return None
    index = LineIndex(text)
    rid = record.rule_id
    block = _top_block(tree, record.line)
    newline = "\r\n" if "\r\n" in text else "\n"
    candidates: list[tuple[int, str, int, str]] = []  # (offset, insertion, finding's line after it, where)
    if block is not None:
        at = index.offset_of(block.line, 1)
        if at == 0 and text.startswith("\ufeff"):
            at = 1
        header = text[at:index.line_end(at)]
        indent = header[:len(header) - len(header.lstrip(" \t"))]
        candidates.append((at, f"{indent}# tffix:ignore[{rid}]{newline}", record.line + 1, "above the block"))
    end = index.line_end(index.offset_of(record.line, record.column))
    candidates.append((end, f" # tffix:ignore[{rid}]", record.line, "on this line"))
    start = 1 if text.startswith("\ufeff") else 0
    candidates.append((start, f"# tffix:ignore-file[{rid}]{newline}", record.line + 1, "in this file"))
    for offset, insertion, line, where in candidates:
        new = text[:offset] + insertion + text[offset:]
        if _suppressed(new, rid, line):
            return offset, offset, insertion, where
    return None


# ---- hover ----------------------------------------------------------------------------


def hover_text(record: Record, docs_url: str | None) -> str:
    rule = RULES_BY_ID.get(record.rule_id)
    head = f"**{record.rule_id}** {rule.name}: {rule.summary}" if rule else f"**{record.rule_id}**"
    lines = [head, "", record.message, ""]
    if record.fixable:
        how = ("safe: applied by `tffix` and by *Fix all* (`source.fixAll.tffix`)" if record.safety == "safe"
               else "unsafe: applied only with `--unsafe-fixes` or the unsafe quick fix")
        lines.append(f"- Fix: {record.fix}")
        lines.append(f"- Fix safety: {how}")
        lines.append(f"- Deployment impact: {record.impact}")
    else:
        lines.append("- Fix: none, report only (the rule cannot prove a fix right here)")
        if rule is not None:
            lines.append(f"- Rule's fix safety: {rule.safety}; deployment impact: {rule.impact}")
    lines.append(f"- Silence it: `# tffix:ignore[{record.rule_id}]`")
    docs = f"[docs]({docs_url}#{_rule_anchor(record.rule_id)})" if docs_url else None
    lines += ["", f"`tffix explain {record.rule_id}`" + (f" · {docs}" if docs else "")]
    return "\n".join(lines)


# ---- handlers ---------------------------------------------------------------------------

server = TffixServer()


def _directory(uri: str) -> Path | None:
    path = path_of(uri)
    return path.parent if path is not None else None


@server.feature(types.INITIALIZE)
def initialize(ls: TffixServer, params: types.InitializeParams) -> None:
    options = params.initialization_options if isinstance(params.initialization_options, dict) else {}
    debounce = options.get("debounceMs")
    if isinstance(debounce, (int, float)) and not isinstance(debounce, bool) and 0 <= debounce <= 10_000:
        ls.debounce = debounce / 1000
    docs = options.get("docsUrl")
    if isinstance(docs, str) and docs:
        ls.docs_url = docs


@server.feature(types.INITIALIZED)
async def initialized(ls: TffixServer, params: types.InitializedParams) -> None:
    if not ls.supports("workspace.did_change_watched_files.dynamic_registration"):
        return
    globs = [*(f"**/*{s}" for s in SUFFIXES), *(f"**/{name}" for name in CONFIG_NAMES)]
    watchers = [types.FileSystemWatcher(glob_pattern=g) for g in globs]
    try:
        await ls.client_register_capability_async(types.RegistrationParams(registrations=[types.Registration(
            id="tffix-watch", method=types.WORKSPACE_DID_CHANGE_WATCHED_FILES,
            register_options=types.DidChangeWatchedFilesRegistrationOptions(watchers=watchers))]))
    except Exception:  # noqa: BLE001 - a client that refuses: no disk changes then
        log.warning("the client did not register the file watchers")


@server.feature(types.TEXT_DOCUMENT_DID_OPEN)
def did_open(ls: TffixServer, params: types.DidOpenTextDocumentParams) -> None:
    directory = _directory(params.text_document.uri)
    if directory is not None:
        ls.changed(directory)


@server.feature(types.TEXT_DOCUMENT_DID_CHANGE)
def did_change(ls: TffixServer, params: types.DidChangeTextDocumentParams) -> None:
    directory = _directory(params.text_document.uri)
    if directory is not None:
        ls.changed(directory, ls.debounce)


@server.feature(types.TEXT_DOCUMENT_DID_SAVE)
def did_save(ls: TffixServer, params: types.DidSaveTextDocumentParams) -> None:
    directory = _directory(params.text_document.uri)
    if directory is not None:
        ls.changed(directory)


@server.feature(types.TEXT_DOCUMENT_DID_CLOSE)
def did_close(ls: TffixServer, params: types.DidCloseTextDocumentParams) -> None:
    path = path_of(params.text_document.uri)
    if path is None:
        return
    ls.text_document_publish_diagnostics(types.PublishDiagnosticsParams(uri=params.text_document.uri,
                                                                        diagnostics=[]))
    ls.published.get(path.parent, set()).discard(path)
    if ls.open_buffers(path.parent)[0]:
        ls.changed(path.parent)  # the others now read this file from disk
    else:
        ls.checks.pop(path.parent, None)
        ls.trees.pop(path.parent, None)
        ls.generation[path.parent] = ls.generation.get(path.parent, 0) + 1


@server.feature(types.WORKSPACE_DID_CHANGE_WATCHED_FILES)
def did_change_watched_files(ls: TffixServer, params: types.DidChangeWatchedFilesParams) -> None:
    config_changed = False
    directories: set[Path] = set()
    for change in params.changes:
        fs = to_fs_path(change.uri) if change.uri.startswith("file:") else None
        if not fs:
            continue
        if fs.endswith(CONFIG_NAMES):
            config_changed = True
        elif fs.endswith(SUFFIXES):
            directories.add(Path(fs).parent)
    open_dirs = {p.parent for p in (path_of(u) for u in list(ls.workspace.text_documents)) if p is not None}
    for directory in open_dirs if config_changed else directories & open_dirs:
        ls.changed(directory, ls.debounce)


def _in_range(index: LineIndex, record: Record, wanted: types.Range) -> bool:
    start, end = record_span(index, record)
    r = _range(index, start, end)
    return (r.start.line, r.start.character) <= (wanted.end.line, wanted.end.character) and \
        (wanted.start.line, wanted.start.character) <= (r.end.line, r.end.character)


def _wanted(only: Sequence[str] | None, kind: str) -> bool:
    if not only:
        return True
    return any(kind == k or kind.startswith(f"{k}.") for k in only)


def _title_of(record: Record) -> str:
    if record.safety == "safe":
        return f"{record.rule_id}: {record.fix}"
    return f"{record.rule_id} (unsafe fix, {record.impact}): {record.fix}"


@server.feature(types.TEXT_DOCUMENT_CODE_ACTION, types.CodeActionOptions(
    code_action_kinds=[KIND_FIX, KIND_UNSAFE, KIND_IGNORE, KIND_FIX_ALL], resolve_provider=True))
async def code_action(ls: TffixServer, params: types.CodeActionParams) -> list[types.CodeAction] | None:
    path = path_of(params.text_document.uri)
    if path is None:
        return None
    try:
        check = await ls.current(path.parent)
        return await _code_actions(ls, check, path, params)
    except Exception:  # noqa: BLE001 - no action rather than an error
        log.error("code actions failed:\n%s", traceback.format_exc())
        return None


def _ignore_title(record: Record, where: str) -> str:
    comment = "ignore-file" if where == "in this file" else "ignore"
    return f"Ignore {record.rule_id} {where} (# tffix:{comment}[{record.rule_id}])"


def _ignore_action(ls: TffixServer, check: Check, path: Path, record: Record,
                   diagnostic: types.Diagnostic | None) -> types.CodeAction | None:
    text = check.text_of(path)
    insertion = ignore_edit(text, record) if text is not None else None
    if text is None or insertion is None:
        return None
    start, end, comment, where = insertion
    edit = workspace_edit(ls, check, [(path, False, text, [(start, end, comment)])])
    if edit is None:
        return None
    return types.CodeAction(title=_ignore_title(record, where), kind=KIND_IGNORE,
                            diagnostics=[diagnostic] if diagnostic else None, edit=edit)


def _lazy(ls: TffixServer) -> bool:
    """Whether the client resolves a code action's edit when it is chosen (``codeAction/resolve``)."""
    resolve = ls.supports("text_document.code_action.resolve_support")
    return resolve is not None and "edit" in (resolve.properties or [])


async def _code_actions(ls: TffixServer, check: Check, path: Path,
                        params: types.CodeActionParams) -> list[types.CodeAction]:
    """The actions for the findings in the range. A client that resolves actions
    lazily gets them without edits (listing them needs no fix to run); the edit
    comes when one is chosen. Other clients get the edits at once."""
    text = check.text_of(path)
    if text is None:
        return []
    index = LineIndex(text, ls.encoding())
    only = params.context.only
    lazy = _lazy(ls)
    actions: list[types.CodeAction] = []
    records = [r for r in check.records.get(path, []) if _in_range(index, r, params.range)]
    wanted_fixes = _wanted(only, KIND_FIX) or _wanted(only, KIND_UNSAFE)
    edits: dict[int, list[TextEdit]] = {}
    if wanted_fixes and check.previews.enabled:
        indices = check.fixable(records)
        # lazily: only what is known already (a fix that failed its preview is not offered)
        edits = {i: check.previews.done[i] for i in indices if i in check.previews.done} if lazy else \
            await ls.previews(check, indices)
    for record in records:
        diagnostic = next((d for d in params.context.diagnostics if _matches(record, d, index)), None)
        diagnostic = diagnostic or diagnostic_of(record, index, ls.docs_url)
        at = check.index.get(id(record), -1)
        data = {"uri": params.text_document.uri, "rule": record.rule_id, "message": record.message,
                "line": record.line, "column": record.column}
        kind = KIND_FIX if record.safety == "safe" else KIND_UNSAFE
        if record.fixable and check.previews.enabled and _wanted(only, kind):
            if lazy and at not in edits:
                actions.append(types.CodeAction(title=_title_of(record), kind=kind, diagnostics=[diagnostic],
                                                is_preferred=record.safety == "safe" or None,
                                                data={**data, "action": "fix"}))
            elif edits.get(at):
                edit = workspace_edit(ls, check, edits[at])
                if edit is not None:
                    actions.append(types.CodeAction(title=_title_of(record), kind=kind, diagnostics=[diagnostic],
                                                    edit=edit, is_preferred=record.safety == "safe" or None))
        if _wanted(only, KIND_IGNORE):
            if lazy:
                where = "above the block"  # the usual place; resolving may choose another
                actions.append(types.CodeAction(title=_ignore_title(record, where), kind=KIND_IGNORE,
                                                diagnostics=[diagnostic], data={**data, "action": "ignore"}))
            else:
                action = _ignore_action(ls, check, path, record, diagnostic)
                if action is not None:
                    actions.append(action)
    safe = [r for r in check.records.get(path, []) if r.fixable and r.safety == "safe" and check.previews.enabled]
    if safe and only and _wanted(only, KIND_FIX_ALL) or safe and not only:
        action = types.CodeAction(title="tffix: fix all safe fixes in this file", kind=KIND_FIX_ALL,
                                  data={"uri": params.text_document.uri, "action": "fixAll"})
        if not lazy:
            action.edit = await _fix_all_edit(ls, path)
            if action.edit is None:
                return actions
        actions.append(action)
    return actions


def fix_all_changes(path: Path, texts: dict[Path, str]) -> list[FileChanges]:
    """Every safe fix of the findings in ``path``, as the engine applies them (in
    rounds, as ``tffix`` would), as edits of the texts read (in the worker thread)."""
    report = run_module_texts(path.parent, texts, Settings(mode=DRY_RUN, unsafe_fixes=False), only=[path])
    return [(Path(c.path), c.created, c.before, diff(c.before, c.after)) for o in report.outcomes
            for c in o.result.changes]


async def _fix_all_edit(ls: TffixServer, path: Path) -> types.WorkspaceEdit | None:
    texts, versions = ls.open_buffers(path.parent)
    try:
        changes = await asyncio.get_running_loop().run_in_executor(ls.executor, fix_all_changes, path, texts)
    except Exception:  # noqa: BLE001
        log.error("fix all failed:\n%s", traceback.format_exc())
        return None
    if not changes:
        return None
    return workspace_edit(ls, Check(path.parent, -1, texts, versions), changes)


@server.feature(types.CODE_ACTION_RESOLVE)
async def code_action_resolve(ls: TffixServer, action: types.CodeAction) -> types.CodeAction:
    """The edit of a chosen action: fix-all runs the fixes; a finding's fix or
    ignore comment is found again in the check of the current buffers (by rule,
    message and nearest line) and previewed. Nothing found: an empty edit."""
    data = action.data if isinstance(action.data, dict) else {}
    path = path_of(data["uri"]) if isinstance(data.get("uri"), str) else None
    if path is None or action.edit is not None:
        return action
    try:
        if data.get("action") == "fixAll":
            action.edit = await _fix_all_edit(ls, path)
        elif data.get("action") in ("fix", "ignore"):
            check = await ls.current(path.parent)
            record = _find_again(check, path, data)
            if record is not None and data["action"] == "fix":
                at = check.index.get(id(record), -1)
                edits = (await ls.previews(check, [at])).get(at) if check.previews.enabled else None
                action.edit = workspace_edit(ls, check, edits) if edits else None
            elif record is not None:
                resolved = _ignore_action(ls, check, path, record, None)
                if resolved is not None:
                    action.edit, action.title = resolved.edit, resolved.title
    except Exception:  # noqa: BLE001 - an empty edit rather than an error
        log.error("resolving a code action failed:\n%s", traceback.format_exc())
    if action.edit is None:
        action.edit = types.WorkspaceEdit(changes={})
    return action


def _find_again(check: Check, path: Path, data: dict[str, Any]) -> Record | None:
    same = [r for r in check.records.get(path, [])
            if r.rule_id == data.get("rule") and r.message == data.get("message")]
    line, column = data.get("line"), data.get("column")
    if not same or not isinstance(line, int):
        return None
    return min(same, key=lambda r: (abs(r.line - line), r.column != column))


@server.feature(types.TEXT_DOCUMENT_HOVER)
async def hover(ls: TffixServer, params: types.HoverParams) -> types.Hover | None:
    path = path_of(params.text_document.uri)
    if path is None:
        return None
    try:
        check = await ls.current(path.parent)
        text = check.text_of(path)
        if text is None:
            return None
        index = LineIndex(text, ls.encoding())
        at = types.Range(params.position, params.position)
        found = [r for r in check.records.get(path, []) if _in_range(index, r, at)]
        if not found:
            return None
        body = "\n\n---\n\n".join(hover_text(r, ls.docs_url) for r in found)
        return types.Hover(contents=types.MarkupContent(kind=types.MarkupKind.Markdown, value=body))
    except Exception:  # noqa: BLE001
        log.error("hover failed:\n%s", traceback.format_exc())
        return None


def format_text(path: Path, text: str) -> str | None:
    """The text as ``tffix fmt`` writes it; None if it cannot be formatted (it does not parse)."""
    try:
        report = run([Path("-")], Settings(select=[FORMAT_RULE], mode=DRY_RUN, stdin=text.encode("utf-8"),
                                           stdin_filename=str(path), config_from=path.parent))
    except (InputError, SettingsError):  # NUL bytes; a bad config
        return None
    if report.summary.errors or report.output is None:
        return None
    return report.output


@server.feature(types.TEXT_DOCUMENT_FORMATTING)
async def formatting(ls: TffixServer, params: types.DocumentFormattingParams) -> list[types.TextEdit] | None:
    path = path_of(params.text_document.uri)
    doc = ls.workspace.text_documents.get(params.text_document.uri)
    if path is None or doc is None:
        return None
    text = doc.source
    try:
        formatted = await asyncio.get_running_loop().run_in_executor(ls.executor, format_text, path, text)
    except Exception:  # noqa: BLE001
        log.error("formatting failed:\n%s", traceback.format_exc())
        return None
    if formatted is None:
        return None
    index = LineIndex(text, ls.encoding())
    return [types.TextEdit(range=_range(index, s, e), new_text=r) for s, e, r in diff(text, formatted)]


def serve() -> None:
    """Run the server on stdin / stdout until the client says exit."""
    logging.basicConfig(level=logging.WARNING, format="tffix lsp: %(levelname)s %(message)s")
    server.start_io()
