"""A test client for ``tffix lsp``: the server runs as a subprocess over stdio and
is driven with pytest-lsp's client (pygls). Here: the client factory (it records
every diagnostics notification with its version), and what an editor does with
the server's answers, written independently of the server's code: applying a
workspace edit to buffers and files, waiting for a document's diagnostics."""

from __future__ import annotations

import asyncio
import sys
from pathlib import Path
from typing import Any

from lsprotocol import types
from pygls.uris import from_fs_path, to_fs_path
from pytest_lsp import ClientServerConfig, LanguageClient, client_capabilities
from pytest_lsp.client import make_test_lsp_client

SERVER = [sys.executable, "-c", "from tffix.app.cli import main; main()", "lsp"]
WAIT = 120.0  # seconds before a test gives up waiting (a hang guard on a loaded machine, not a timing)


def make_client() -> LanguageClient:
    """pytest-lsp's client, whose diagnostics handler also keeps every notification in order."""
    client = make_test_lsp_client()
    client.published = []  # type: ignore[attr-defined]
    client.published_event = asyncio.Event()  # type: ignore[attr-defined]
    # replace the client's default handler: it keeps only the last diagnostics per URI, without the version
    del client.protocol.fm.features[types.TEXT_DOCUMENT_PUBLISH_DIAGNOSTICS]

    @client.feature(types.TEXT_DOCUMENT_PUBLISH_DIAGNOSTICS)
    def publish(ls: LanguageClient, params: types.PublishDiagnosticsParams) -> None:
        ls.diagnostics[params.uri] = params.diagnostics
        ls.published.append(params)  # type: ignore[attr-defined]
        ls.published_event.set()  # type: ignore[attr-defined]

    client.registrations = []  # type: ignore[attr-defined]

    @client.feature(types.CLIENT_REGISTER_CAPABILITY)
    def register(ls: LanguageClient, params: types.RegistrationParams) -> None:
        ls.registrations.extend(params.registrations)  # type: ignore[attr-defined]

    return client


CONFIG = ClientServerConfig(server_command=SERVER, client_factory=make_client)


def uri(path: Path) -> str:
    return from_fs_path(str(path))


def capabilities(spec: str = "visual-studio-code") -> types.ClientCapabilities:
    return client_capabilities(spec)


async def initialize(client: LanguageClient, roots: list[Path], spec: str = "visual-studio-code",
                     options: dict[str, Any] | None = None) -> types.InitializeResult:
    params = types.InitializeParams(
        capabilities=capabilities(spec),
        root_uri=uri(roots[0]) if roots else None,
        workspace_folders=[types.WorkspaceFolder(uri=uri(r), name=r.name) for r in roots],
        initialization_options=options,
    )
    return await client.initialize_session(params)


async def diagnostics(client: LanguageClient, path: Path, version: int | None = None,
                      after: int = 0) -> list[types.Diagnostic]:
    """The first diagnostics for ``path`` (with ``version``, when given) published
    after the first ``after`` notifications."""
    target = uri(path)

    async def wait() -> list[types.Diagnostic]:
        seen = after
        while True:
            published = client.published  # type: ignore[attr-defined]
            for params in published[seen:]:
                if params.uri == target and (version is None or params.version == version):
                    return list(params.diagnostics)
            seen = len(published)
            client.published_event.clear()  # type: ignore[attr-defined]
            await client.published_event.wait()  # type: ignore[attr-defined]

    return await asyncio.wait_for(wait(), WAIT)


def mark(client: LanguageClient) -> int:
    """How many diagnostics notifications arrived so far (for ``diagnostics(after=...)``)."""
    return len(client.published)  # type: ignore[attr-defined]


# ---- what an editor does with edits (UTF-16 positions, as the VS Code capabilities say) ----


def offset(text: str, position: types.Position) -> int:
    lines = text.splitlines(keepends=True)
    if position.line >= len(lines):
        return len(text)
    start = sum(len(line) for line in lines[:position.line])
    line = lines[position.line].rstrip("\r\n")
    units = 0
    for i, c in enumerate(line):
        if units >= position.character:
            return start + i
        units += 2 if ord(c) > 0xFFFF else 1
    return start + len(line)


def apply_text_edits(text: str, edits: list[types.TextEdit]) -> str:
    spans = sorted(((offset(text, e.range.start), offset(text, e.range.end), e.new_text) for e in edits),
                   reverse=True)
    for start, end, new in spans:
        text = text[:start] + new + text[end:]
    return text


def apply_workspace_edit(edit: types.WorkspaceEdit, buffers: dict[str, str],
                         versions: dict[str, int] | None = None) -> list[str]:
    """Apply ``edit`` as an editor would: to the open ``buffers`` (uri -> text) when
    open, else to the files on disk; new files are created on disk. A versioned
    edit of a buffer must name the buffer's version. Returns the URIs changed."""
    changed = []
    for change in edit.document_changes or []:
        if isinstance(change, types.CreateFile):
            path = Path(to_fs_path(change.uri))
            assert not path.exists() or (change.options and change.options.ignore_if_exists)
            if not path.exists():
                path.write_text("", encoding="utf-8")
            changed.append(change.uri)
            continue
        assert isinstance(change, types.TextDocumentEdit), change
        target = change.text_document.uri
        if target in buffers:
            if versions is not None and change.text_document.version is not None:
                assert change.text_document.version == versions[target], "edit of an older version"
            buffers[target] = apply_text_edits(buffers[target], change.edits)
        else:
            path = Path(to_fs_path(target))
            path.write_text(apply_text_edits(path.read_text(encoding="utf-8"), change.edits), encoding="utf-8")
        changed.append(target)
    for target, edits in (edit.changes or {}).items():
        if target in buffers:
            buffers[target] = apply_text_edits(buffers[target], edits)
        else:
            path = Path(to_fs_path(target))
            path.write_text(apply_text_edits(path.read_text(encoding="utf-8"), edits), encoding="utf-8")
        changed.append(target)
    return changed


def _uris_of(edit: types.WorkspaceEdit) -> list[str]:
    out = [c.uri if isinstance(c, types.CreateFile) else c.text_document.uri for c in edit.document_changes or []]
    return out + list(edit.changes or {})


class Editor:
    """Open buffers and their versions, synchronised with the server (full-text changes)."""

    def __init__(self, client: LanguageClient) -> None:
        self.client = client
        self.buffers: dict[str, str] = {}
        self.versions: dict[str, int] = {}

    def open(self, path: Path, text: str | None = None) -> int:
        target = uri(path)
        self.buffers[target] = path.read_text(encoding="utf-8") if text is None else text
        self.versions[target] = 1
        at = mark(self.client)
        language = "terraform-vars" if path.suffix == ".tfvars" else "terraform"
        self.client.text_document_did_open(types.DidOpenTextDocumentParams(text_document=types.TextDocumentItem(
            uri=target, language_id=language, version=1, text=self.buffers[target])))
        return at

    def change(self, path: Path, text: str) -> int:
        target = uri(path)
        self.buffers[target] = text
        self.versions[target] += 1
        at = mark(self.client)
        self.client.text_document_did_change(types.DidChangeTextDocumentParams(
            text_document=types.VersionedTextDocumentIdentifier(uri=target, version=self.versions[target]),
            content_changes=[types.TextDocumentContentChangeWholeDocument(text=text)]))
        return at

    def save(self, path: Path) -> int:
        target = uri(path)
        path.write_text(self.buffers[target], encoding="utf-8")
        at = mark(self.client)
        self.client.text_document_did_save(types.DidSaveTextDocumentParams(
            text_document=types.TextDocumentIdentifier(uri=target)))
        return at

    def close(self, path: Path) -> int:
        target = uri(path)
        del self.buffers[target]
        del self.versions[target]
        at = mark(self.client)
        self.client.text_document_did_close(types.DidCloseTextDocumentParams(
            text_document=types.TextDocumentIdentifier(uri=target)))
        return at

    def apply(self, edit: types.WorkspaceEdit) -> list[str]:
        """Apply a workspace edit and tell the server about the buffers it changed."""
        before = dict(self.buffers)
        existed = {t: Path(to_fs_path(t)).exists() for t in _uris_of(edit)}
        changed = apply_workspace_edit(edit, self.buffers, self.versions)
        on_disk = [t for t in changed if t not in self.buffers]
        if on_disk:  # as an editor's file watcher reports them
            self.client.workspace_did_change_watched_files(types.DidChangeWatchedFilesParams(changes=[
                types.FileEvent(uri=t, type=types.FileChangeType.Changed if existed.get(t) else
                                types.FileChangeType.Created) for t in dict.fromkeys(on_disk)]))
        for target in changed:
            if target in before and self.buffers[target] != before[target]:
                self.versions[target] += 1
                self.client.text_document_did_change(types.DidChangeTextDocumentParams(
                    text_document=types.VersionedTextDocumentIdentifier(uri=target, version=self.versions[target]),
                    content_changes=[types.TextDocumentContentChangeWholeDocument(text=self.buffers[target])]))
        return changed

    def version(self, path: Path) -> int:
        return self.versions[uri(path)]

    def text(self, path: Path) -> str:
        return self.buffers[uri(path)]
