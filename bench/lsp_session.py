"""A transcript of an editor session with ``tffix lsp`` over stdio: diagnostics
received, quick fixes chosen and applied, the file re-checked until clean.

Usage: python bench/lsp_session.py

The module is written to a temporary directory: one database (main.tf) and a
``.tffix.toml`` selecting four rules, one of each kind (a safe fix in the file,
a safe fix that creates versions.tf, an unsafe fix that forces replacement,
a finding without a fix). The client declares VS Code's abilities (it resolves
an action's edit when the action is chosen, creates files).
"""

from __future__ import annotations

import asyncio
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))

from lsp_client import Client, uri  # noqa: E402
from lsprotocol import types  # noqa: E402

MAIN = """\
resource "aws_db_instance" "app" {
  identifier        = "app-db"
  engine            = "postgres"
  instance_class    = "db.t3.micro"
  allocated_storage = 20
  username          = "app"
  password          = var.db_password
}
"""
CONFIG = 'select = ["TFX101", "TFX711", "TFX501", "TFX713"]\n'


def _pos(p: types.Position) -> str:
    return f"{p.line + 1}:{p.character + 1}"


def show_diagnostics(version: int | None, diags: list[types.Diagnostic]) -> None:
    print(f"<- textDocument/publishDiagnostics main.tf (version {version}): {len(diags)} diagnostic(s)")
    for d in diags:
        severity = types.DiagnosticSeverity(d.severity).name if d.severity else "-"
        link = f"  [{d.code_description.href.rsplit('/', 1)[-1]}]" if d.code_description else ""
        print(f"     {_pos(d.range.start)}-{_pos(d.range.end)} {severity} {d.code}: {d.message}{link}")


def show_edit(edit: types.WorkspaceEdit) -> None:
    for change in edit.document_changes or []:
        if isinstance(change, types.CreateFile):
            print(f"     create {Path(change.uri).name}")
            continue
        name = Path(change.text_document.uri).name
        for e in change.edits:
            print(f"     {name} (version {change.text_document.version}) "
                  f"{_pos(e.range.start)}-{_pos(e.range.end)} -> {e.new_text!r}")


async def session(directory: Path) -> None:
    main_tf = directory / "main.tf"
    client = Client()
    result = await client.start(directory)
    caps = result.capabilities
    kinds = caps.code_action_provider.code_action_kinds if isinstance(caps.code_action_provider,
                                                                      types.CodeActionOptions) else []
    print(f"-> initialize: server {result.server_info.name} {result.server_info.version}; code action kinds "
          f"{', '.join(kinds)}; hover {bool(caps.hover_provider)}; "
          f"formatting {bool(caps.document_formatting_provider)}")
    print("-> textDocument/didOpen main.tf (version 1)")
    mark = client.open(main_tf)
    _, diags = await client.diagnostics(main_tf, 1, mark)
    show_diagnostics(1, diags)

    hover = await client.lsp.text_document_hover_async(types.HoverParams(
        text_document=types.TextDocumentIdentifier(uri=uri(main_tf)), position=types.Position(0, 1)))
    first = hover.contents.value.split("\n\n---\n\n")[0] if hover else ""
    print("-> textDocument/hover 1:2\n<- " + "\n   ".join(first.splitlines()))

    async def choose(title_start: str, kind: str | None = None) -> None:
        actions = await client.code_actions(main_tf, 0)
        print("-> textDocument/codeAction 1:1")
        for a in actions:
            print(f"<-   [{a.kind}] {a.title}")
        action = next(a for a in actions if a.title.startswith(title_start) and (kind is None or a.kind == kind))
        print(f"-> codeAction/resolve: {action.title}")
        resolved = await client.lsp.code_action_resolve_async(action)
        show_edit(resolved.edit)
        before = client.versions[uri(main_tf)]
        mark = client.apply(resolved.edit)
        version = client.versions[uri(main_tf)]
        sent = [f"didChange main.tf version {version}"] if version != before else []
        if any(Path(c.uri if isinstance(c, types.CreateFile) else c.text_document.uri).name != "main.tf"
               for c in resolved.edit.document_changes or []):
            sent.append("didChangeWatchedFiles (a file written on disk)")
        print(f"   (the client applies it: {', '.join(sent)})")
        _, diags = await client.diagnostics(main_tf, version, mark)
        show_diagnostics(version, diags)

    await choose("TFX711", "quickfix")
    await choose("tffix: fix all")
    await choose("TFX101", "quickfix.tffix.unsafe")
    await choose("Ignore TFX713")
    print("-> textDocument/codeAction 1:1")
    print(f"<-   {len(await client.code_actions(main_tf, 0))} action(s)")
    print("\nmain.tf now:\n" + client.buffers[uri(main_tf)])
    print("versions.tf (created on disk):\n" + (directory / "versions.tf").read_text(encoding="utf-8"))
    await client.stop()
    print("-> shutdown, exit")


def main() -> None:
    with tempfile.TemporaryDirectory() as tmp:
        directory = Path(tmp) / "db"
        directory.mkdir()
        (directory / "main.tf").write_text(MAIN, encoding="utf-8")
        (directory / ".tffix.toml").write_text(CONFIG, encoding="utf-8")
        asyncio.run(session(directory))


if __name__ == "__main__":
    main()
