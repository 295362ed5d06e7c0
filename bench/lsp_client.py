"""A small LSP client for the ``tffix lsp`` scripts in bench/ (pygls's client):
starts the server over stdio, records each diagnostics notification with the
moment it arrived, applies workspace edits the way an editor does."""

from __future__ import annotations

import asyncio
import sys
import time
from pathlib import Path
from typing import Any

from lsprotocol import types
from pygls.lsp.client import LanguageClient
from pygls.uris import from_fs_path, to_fs_path

SERVER = [sys.executable, "-c", "from tffix.app.cli import main; main()", "lsp"]

# what an editor like VS Code declares for what these scripts use
CAPABILITIES = types.ClientCapabilities(
    workspace=types.WorkspaceClientCapabilities(
        workspace_edit=types.WorkspaceEditClientCapabilities(
            document_changes=True, resource_operations=[types.ResourceOperationKind.Create]),
        did_change_watched_files=types.DidChangeWatchedFilesClientCapabilities(dynamic_registration=True)),
    text_document=types.TextDocumentClientCapabilities(
        publish_diagnostics=types.PublishDiagnosticsClientCapabilities(version_support=True),
        code_action=types.CodeActionClientCapabilities(
            code_action_literal_support=types.ClientCodeActionLiteralOptions(
                code_action_kind=types.ClientCodeActionKindOptions(value_set=["quickfix", "source"])),
            resolve_support=types.ClientCodeActionResolveOptions(properties=["edit"]))),
)


def uri(path: Path) -> str:
    return from_fs_path(str(path))


class Client:
    def __init__(self) -> None:
        self.lsp = LanguageClient("tffix-bench", "1")
        self.published: list[tuple[float, types.PublishDiagnosticsParams]] = []
        self.event = asyncio.Event()
        self.buffers: dict[str, str] = {}
        self.versions: dict[str, int] = {}

        @self.lsp.feature(types.TEXT_DOCUMENT_PUBLISH_DIAGNOSTICS)
        def publish(params: types.PublishDiagnosticsParams) -> None:
            self.published.append((time.perf_counter(), params))
            self.event.set()

        @self.lsp.feature(types.CLIENT_REGISTER_CAPABILITY)
        def register(params: types.RegistrationParams) -> None:
            return None

        @self.lsp.feature(types.WINDOW_LOG_MESSAGE)
        def log(params: types.LogMessageParams) -> None:
            return None

    async def start(self, root: Path, options: dict[str, Any] | None = None) -> types.InitializeResult:
        await self.lsp.start_io(*SERVER)
        result = await self.lsp.initialize_async(types.InitializeParams(
            capabilities=CAPABILITIES, root_uri=uri(root),
            workspace_folders=[types.WorkspaceFolder(uri=uri(root), name=root.name)],
            initialization_options=options))
        self.lsp.initialized(types.InitializedParams())
        return result

    async def stop(self) -> None:
        await self.lsp.shutdown_async(None)
        self.lsp.exit(None)
        await self.lsp.stop()

    async def diagnostics(self, path: Path, version: int | None, after: int,
                          timeout: float = 120) -> tuple[float, list[types.Diagnostic]]:
        """(arrival time, diagnostics) of the first notification for ``path`` with ``version`` after ``after``."""
        target = uri(path)

        async def wait() -> tuple[float, list[types.Diagnostic]]:
            seen = after
            while True:
                for at, params in self.published[seen:]:
                    if params.uri == target and (version is None or params.version == version):
                        return at, list(params.diagnostics)
                seen = len(self.published)
                self.event.clear()
                await self.event.wait()

        return await asyncio.wait_for(wait(), timeout)

    def open(self, path: Path) -> int:
        target = uri(path)
        self.buffers[target] = path.read_text(encoding="utf-8")
        self.versions[target] = 1
        mark = len(self.published)
        self.lsp.text_document_did_open(types.DidOpenTextDocumentParams(text_document=types.TextDocumentItem(
            uri=target, language_id="terraform", version=1, text=self.buffers[target])))
        return mark

    def change(self, path: Path, start: types.Position, end: types.Position, text: str) -> int:
        """An incremental change, as editors send while typing."""
        target = uri(path)
        self.versions[target] += 1
        self.buffers[target] = _apply(self.buffers[target], [types.TextEdit(types.Range(start, end), text)])
        mark = len(self.published)
        self.lsp.text_document_did_change(types.DidChangeTextDocumentParams(
            text_document=types.VersionedTextDocumentIdentifier(uri=target, version=self.versions[target]),
            content_changes=[types.TextDocumentContentChangePartial(range=types.Range(start, end), text=text)]))
        return mark

    async def code_actions(self, path: Path, line: int, only: list[str] | None = None) -> list[types.CodeAction]:
        result = await self.lsp.text_document_code_action_async(types.CodeActionParams(
            text_document=types.TextDocumentIdentifier(uri=uri(path)),
            range=types.Range(types.Position(line, 0), types.Position(line, 0)),
            context=types.CodeActionContext(diagnostics=[], only=only)))
        return [a for a in result or [] if isinstance(a, types.CodeAction)]

    def apply(self, edit: types.WorkspaceEdit) -> int:
        """Apply a workspace edit: buffers get a full-text didChange, files not open are
        written (created) on disk and reported as a file watcher would."""
        mark = len(self.published)
        on_disk = []
        for change in edit.document_changes or []:
            if isinstance(change, types.CreateFile):
                path = Path(to_fs_path(change.uri))
                if not path.exists():
                    path.write_text("", encoding="utf-8")
                    on_disk.append(types.FileEvent(uri=change.uri, type=types.FileChangeType.Created))
                continue
            target = change.text_document.uri
            if target in self.buffers:
                self.buffers[target] = _apply(self.buffers[target], change.edits)
                self.versions[target] += 1
                self.lsp.text_document_did_change(types.DidChangeTextDocumentParams(
                    text_document=types.VersionedTextDocumentIdentifier(uri=target, version=self.versions[target]),
                    content_changes=[types.TextDocumentContentChangeWholeDocument(text=self.buffers[target])]))
            else:
                path = Path(to_fs_path(target))
                path.write_text(_apply(path.read_text(encoding="utf-8"), change.edits), encoding="utf-8")
                if not any(e.uri == target for e in on_disk):
                    on_disk.append(types.FileEvent(uri=target, type=types.FileChangeType.Changed))
        if on_disk:
            self.lsp.workspace_did_change_watched_files(types.DidChangeWatchedFilesParams(changes=on_disk))
        return mark


def _offset(text: str, position: types.Position) -> int:
    lines = text.splitlines(keepends=True)
    if position.line >= len(lines):
        return len(text)
    start = sum(len(line) for line in lines[:position.line])
    units = 0
    for i, c in enumerate(lines[position.line].rstrip("\r\n")):
        if units >= position.character:
            return start + i
        units += 2 if ord(c) > 0xFFFF else 1
    return start + len(lines[position.line].rstrip("\r\n"))


def _apply(text: str, edits: list[types.TextEdit]) -> str:
    spans = sorted(((_offset(text, e.range.start), _offset(text, e.range.end), e.new_text) for e in edits),
                   reverse=True)
    for start, end, new in spans:
        text = text[:start] + new + text[end:]
    return text
