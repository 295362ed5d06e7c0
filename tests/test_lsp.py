"""``tffix lsp`` end to end: the server runs as a subprocess and a real LSP client
(pytest-lsp, on pygls) talks to it over stdio, with the capabilities of VS Code
(and of Neovim 0.7, which cannot resolve code actions lazily)."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import pytest

pytest.importorskip("pytest_lsp", reason="the lsp test extra (pytest-lsp) is not installed")

import pytest_lsp  # noqa: E402
from click.testing import CliRunner  # noqa: E402
from lsprotocol import types  # noqa: E402
from pytest_lsp import LanguageClient  # noqa: E402
from tffix.app.cli import main  # noqa: E402
from tffix.app.lsp.text import UTF8, UTF16, UTF32, LineIndex  # noqa: E402

from tests.lspkit import CONFIG, Editor, diagnostics, initialize, uri  # noqa: E402

MAIN = """\
resource "aws_db_instance" "app" {
  identifier        = "app-db"
  engine            = "postgres"
  instance_class    = "db.t3.micro"
  allocated_storage = 20
  username          = "app"
  password          = "change-me-please"
}
"""
# one rule of each kind: an unsafe fix that forces replacement (TFX101), a safe fix in the file
# (TFX711), a safe fix that creates versions.tf (TFX501), no fix (TFX713)
SELECT = 'select = ["TFX101", "TFX711", "TFX501", "TFX713"]\n'


@pytest.fixture
def module(tmp_path: Path) -> Path:
    root = tmp_path / "ws"
    (root / "db").mkdir(parents=True)
    (root / ".tffix.toml").write_text(SELECT, encoding="utf-8")
    (root / "db" / "main.tf").write_text(MAIN, encoding="utf-8")
    return root


@pytest_lsp.fixture(config=CONFIG)
async def client(lsp_client: LanguageClient):
    yield
    if lsp_client._server is not None and lsp_client._server.returncode is None:
        await lsp_client.shutdown_session()


async def _resolved(client: LanguageClient, action: types.CodeAction) -> types.WorkspaceEdit:
    """The action's edit: VS Code resolves it when the action is chosen."""
    if action.edit is None:
        action = await client.code_action_resolve_async(action)
    assert action.edit is not None
    return action.edit


def _ids(diags: list[types.Diagnostic]) -> list[str]:
    return sorted(str(d.code) for d in diags)


async def _actions(client: LanguageClient, path: Path, line: int, only: list[str] | None = None,
                   diags: list[types.Diagnostic] | None = None) -> list[types.CodeAction]:
    result = await client.text_document_code_action_async(types.CodeActionParams(
        text_document=types.TextDocumentIdentifier(uri=uri(path)),
        range=types.Range(types.Position(line, 0), types.Position(line, 0)),
        context=types.CodeActionContext(diagnostics=diags or [], only=only)))
    return [a for a in result or [] if isinstance(a, types.CodeAction)]


@pytest.mark.asyncio
async def test_initialize_advertises_the_features(client: LanguageClient, module: Path) -> None:
    result = await initialize(client, [module])
    caps = result.capabilities
    assert result.server_info is not None and result.server_info.name == "tffix"
    assert caps.hover_provider
    assert caps.document_formatting_provider
    assert isinstance(caps.code_action_provider, types.CodeActionOptions)
    assert set(caps.code_action_provider.code_action_kinds or []) == {
        "quickfix", "quickfix.tffix.unsafe", "quickfix.tffix.ignore", "source.fixAll.tffix"}
    assert caps.code_action_provider.resolve_provider
    sync = caps.text_document_sync
    assert isinstance(sync, types.TextDocumentSyncOptions)
    assert sync.open_close and sync.change == types.TextDocumentSyncKind.Incremental and sync.save


@pytest.mark.asyncio
async def test_diagnostics_on_open_with_rule_ids_links_and_config(client: LanguageClient, module: Path) -> None:
    await initialize(client, [module])
    main_tf = module / "db" / "main.tf"
    at = Editor(client).open(main_tf)
    diags = await diagnostics(client, main_tf, version=1, after=at)
    # the config's select: TFX710 and the other database rules stay quiet
    assert _ids(diags) == ["TFX101", "TFX501", "TFX711", "TFX713"]
    for d in diags:
        assert d.source == "tffix"
        assert d.severity == types.DiagnosticSeverity.Warning
        assert d.range.start == types.Position(0, 0)  # the block's header, to the end of its line
        assert d.range.end == types.Position(0, len('resource "aws_db_instance" "app" {'))
        assert d.code_description is not None
        href = d.code_description.href
        assert href.endswith(f"rules.md#{str(d.code).lower()}-") is False and f"#{str(d.code).lower()}-" in href
    docs = Path(__file__).parent.parent / "docs" / "rules.md"
    anchor = diags[0].code_description.href.split("#", 1)[1]
    assert f"## {diags[0].code} {anchor.split('-', 1)[1]}" in docs.read_text(encoding="utf-8")


@pytest.mark.asyncio
async def test_every_code_action_kind(client: LanguageClient, module: Path) -> None:
    await initialize(client, [module])
    main_tf = module / "db" / "main.tf"
    at = Editor(client).open(main_tf)
    diags = await diagnostics(client, main_tf, version=1, after=at)
    actions = await _actions(client, main_tf, 0, diags=diags)
    by_kind: dict[str, list[str]] = {}
    for a in actions:
        by_kind.setdefault(str(a.kind), []).append(a.title)
    assert sorted(by_kind) == ["quickfix", "quickfix.tffix.ignore", "quickfix.tffix.unsafe", "source.fixAll.tffix"]
    assert [t.split(":")[0] for t in by_kind["quickfix"]] == ["TFX501", "TFX711"]
    # the unsafe fix: offered apart, its impact in the title
    assert by_kind["quickfix.tffix.unsafe"] == [
        "TFX101 (unsafe fix, forces replacement): set storage_encrypted = true (forces replacement of a deployed "
        "database)"]
    # every finding can be ignored, the one without a fix (TFX713) too
    assert sorted(t.split()[1] for t in by_kind["quickfix.tffix.ignore"]) == ["TFX101", "TFX501", "TFX711", "TFX713"]
    quick = [a for a in actions if a.kind == "quickfix"]
    assert all(a.is_preferred and a.diagnostics for a in quick)
    # VS Code resolves an action when it is chosen: the list comes without edits, each resolves to one
    assert all(a.edit is None for a in actions)
    for action in actions:
        edit = await _resolved(client, action)
        assert edit.document_changes, action.title
    # a finding's own diagnostic is attached to its action
    assert {a.diagnostics[0].code for a in quick} == {"TFX501", "TFX711"}
    # `only` filters: the unsafe fixes alone, or fix-all alone (on save)
    only_unsafe = await _actions(client, main_tf, 0, only=["quickfix.tffix.unsafe"])
    assert [a.kind for a in only_unsafe] == ["quickfix.tffix.unsafe"]
    only_all = await _actions(client, main_tf, 0, only=["source.fixAll"])
    assert [a.kind for a in only_all] == ["source.fixAll.tffix"]
    assert only_all[0].edit is None  # VS Code resolves it lazily
    # a line without findings: no quick fix, but fix-all still applies to the file
    assert [a.kind for a in await _actions(client, main_tf, 3)] == ["source.fixAll.tffix"]


@pytest.mark.asyncio
async def test_quick_fixes_applied_then_the_file_rechecks_clean(client: LanguageClient, module: Path) -> None:
    """The session an editor has: fix, fix all (a new file), ignore, until no diagnostic is left."""
    await initialize(client, [module])
    main_tf = module / "db" / "main.tf"
    editor = Editor(client)
    at = editor.open(main_tf)
    diags = await diagnostics(client, main_tf, version=1, after=at)
    assert _ids(diags) == ["TFX101", "TFX501", "TFX711", "TFX713"]

    # 1. the safe quick fix for TFX711, in the buffer
    fix = next(a for a in await _actions(client, main_tf, 0) if a.title.startswith("TFX711"))
    at = len(client.published)
    editor.apply(await _resolved(client, fix))
    assert "copy_tags_to_snapshot = true" in editor.text(main_tf)
    assert "  allocated_storage     = 20\n" in editor.text(main_tf)  # the = column moved, terraform fmt style
    diags = await diagnostics(client, main_tf, version=editor.version(main_tf), after=at)
    assert _ids(diags) == ["TFX101", "TFX501", "TFX713"]

    # 2. fix all: resolved on request; it creates versions.tf (a file the editor has not open)
    fix_all = next(a for a in await _actions(client, main_tf, 0) if a.kind == "source.fixAll.tffix")
    resolved = await client.code_action_resolve_async(fix_all)
    assert resolved.edit is not None
    creates = [c for c in resolved.edit.document_changes or [] if isinstance(c, types.CreateFile)]
    assert [c.uri for c in creates] == [uri(module / "db" / "versions.tf")]
    at = len(client.published)
    editor.apply(resolved.edit)
    assert (module / "db" / "versions.tf").read_text(encoding="utf-8").startswith("terraform {\n  required_version")
    diags = await diagnostics(client, main_tf, after=at)
    assert _ids(diags) == ["TFX101", "TFX713"]
    # the unsafe fix was not part of fix-all
    assert "storage_encrypted" not in editor.text(main_tf)

    # 3. the unsafe fix, chosen explicitly
    unsafe = next(a for a in await _actions(client, main_tf, 0) if a.kind == "quickfix.tffix.unsafe")
    at = len(client.published)
    editor.apply(await _resolved(client, unsafe))
    diags = await diagnostics(client, main_tf, version=editor.version(main_tf), after=at)
    assert _ids(diags) == ["TFX713"]

    # 4. ignore the finding without a fix: a comment above the block
    ignore = next(a for a in await _actions(client, main_tf, 0) if a.kind == "quickfix.tffix.ignore")
    assert ignore.title == "Ignore TFX713 above the block (# tffix:ignore[TFX713])"
    at = len(client.published)
    editor.apply(await _resolved(client, ignore))
    assert editor.text(main_tf).startswith('# tffix:ignore[TFX713]\nresource "aws_db_instance" "app" {\n')
    diags = await diagnostics(client, main_tf, version=editor.version(main_tf), after=at)
    assert diags == []
    assert await _actions(client, main_tf, 0) == []


@pytest.mark.asyncio
async def test_an_action_listed_before_a_change_resolves_against_the_new_text(client: LanguageClient,
                                                                             module: Path) -> None:
    await initialize(client, [module])
    main_tf = module / "db" / "main.tf"
    editor = Editor(client)
    at = editor.open(main_tf)
    await diagnostics(client, main_tf, version=1, after=at)
    fix = next(a for a in await _actions(client, main_tf, 0) if a.title.startswith("TFX711"))
    at = editor.change(main_tf, "# a comment\n\n" + MAIN)  # the block moves two lines down
    await diagnostics(client, main_tf, version=2, after=at)
    edit = await _resolved(client, fix)
    (change,) = edit.document_changes
    assert change.text_document.version == 2
    at = len(client.published)
    editor.apply(edit)
    assert editor.text(main_tf).startswith("# a comment\n\nresource")
    assert "TFX711" not in _ids(await diagnostics(client, main_tf, version=3, after=at))


@pytest.mark.asyncio
async def test_context_comes_from_open_buffers_then_disk(client: LanguageClient, module: Path) -> None:
    """A terraform block in an unsaved buffer of the same directory counts; closed, the disk does."""
    await initialize(client, [module])
    main_tf, versions_tf = module / "db" / "main.tf", module / "db" / "versions.tf"
    editor = Editor(client)
    at = editor.open(main_tf)
    assert "TFX501" in _ids(await diagnostics(client, main_tf, version=1, after=at))
    at = editor.open(versions_tf, 'terraform {\n  required_version = ">= 1.0"\n}\n')  # not on disk
    assert "TFX501" not in _ids(await diagnostics(client, main_tf, version=1, after=at))
    at = editor.close(versions_tf)
    assert "TFX501" in _ids(await diagnostics(client, main_tf, version=1, after=at))


@pytest.mark.asyncio
async def test_diagnostics_follow_changes_and_saves(client: LanguageClient, module: Path) -> None:
    await initialize(client, [module], options={"debounceMs": 200})
    main_tf = module / "db" / "main.tf"
    editor = Editor(client)
    at = editor.open(main_tf)
    await diagnostics(client, main_tf, version=1, after=at)
    # a burst of changes: the diagnostics that come are for the last one
    at = len(client.published)
    text = MAIN.replace('  password          = "change-me-please"\n', "")
    editor.change(main_tf, MAIN + "\n")
    editor.change(main_tf, text)
    diags = await diagnostics(client, main_tf, after=at)
    assert [p.version for p in client.published[at:] if p.uri == uri(main_tf)] == [3]
    assert "TFX711" in _ids(diags)
    at = editor.save(main_tf)
    assert "TFX711" in _ids(await diagnostics(client, main_tf, version=3, after=at))


@pytest.mark.asyncio
async def test_hover_shows_summary_safety_and_impact(client: LanguageClient, module: Path) -> None:
    await initialize(client, [module])
    main_tf = module / "db" / "main.tf"
    at = Editor(client).open(main_tf)
    await diagnostics(client, main_tf, version=1, after=at)
    hover = await client.text_document_hover_async(types.HoverParams(
        text_document=types.TextDocumentIdentifier(uri=uri(main_tf)), position=types.Position(0, 3)))
    assert hover is not None and isinstance(hover.contents, types.MarkupContent)
    text = hover.contents.value
    assert "**TFX101** storage-encrypted: Databases must set storage_encrypted = true" in text
    assert "- Fix safety: unsafe" in text and "- Deployment impact: forces replacement" in text
    assert "**TFX711**" in text and "- Fix safety: safe" in text
    assert "- Fix: none, report only" in text  # TFX713
    nothing = await client.text_document_hover_async(types.HoverParams(
        text_document=types.TextDocumentIdentifier(uri=uri(main_tf)), position=types.Position(3, 2)))
    assert nothing is None


@pytest.mark.asyncio
async def test_formatting_is_tffix_fmt(client: LanguageClient, module: Path) -> None:
    await initialize(client, [module])
    path = module / "db" / "vars.tfvars"
    ugly = 'region="eu-west-1"\ntags = {\nName="x"\n    team = "db"\n}\n'
    path.write_text(ugly, encoding="utf-8")
    editor = Editor(client)
    editor.open(path)
    edits = await client.text_document_formatting_async(types.DocumentFormattingParams(
        text_document=types.TextDocumentIdentifier(uri=uri(path)),
        options=types.FormattingOptions(tab_size=2, insert_spaces=True)))
    from tests.lspkit import apply_text_edits
    formatted = apply_text_edits(ugly, edits or [])
    runner = CliRunner()
    expected = runner.invoke(main, ["fmt", "--stdin-filename", "vars.tfvars", "-"], input=ugly).stdout
    assert formatted == expected == 'region = "eu-west-1"\ntags = {\n  Name = "x"\n  team = "db"\n}\n'
    # formatted text: nothing to do
    again = await client.text_document_formatting_async(types.DocumentFormattingParams(
        text_document=types.TextDocumentIdentifier(uri=uri(path)),
        options=types.FormattingOptions(tab_size=2, insert_spaces=True)))
    assert again == edits  # the buffer was not changed: the same edits again
    editor.change(path, formatted)
    done = await client.text_document_formatting_async(types.DocumentFormattingParams(
        text_document=types.TextDocumentIdentifier(uri=uri(path)),
        options=types.FormattingOptions(tab_size=2, insert_spaces=True)))
    assert done is not None and list(done) == []


BROKEN = [
    "resource {",
    'resource "aws_s3_bucket" {\n}\n',  # a missing label: Terraform rejects it, so does tffix
    "x = \"\\U00110000\"\n",
    "\x00\x01\x02 binary \ufffd",
    "{" * 5000,
    "a = " + "[" * 3000 + "]" * 3000 + "\n",
    "😀 = 1\n",
    "",
]


@pytest.mark.asyncio
async def test_broken_files_are_diagnostics_and_the_server_survives(client: LanguageClient, module: Path) -> None:
    await initialize(client, [module])
    main_tf = module / "db" / "main.tf"
    editor = Editor(client)
    at = editor.open(main_tf, BROKEN[0])
    diags = await diagnostics(client, main_tf, version=1, after=at)
    assert [(d.code, d.severity) for d in diags] == [("parse-error", types.DiagnosticSeverity.Error)]
    assert diags[0].range.start == types.Position(0, 10)
    for text in BROKEN[1:]:
        at = editor.change(main_tf, text)
        diags = await diagnostics(client, main_tf, version=editor.version(main_tf), after=at)
        assert all(d.source == "tffix" for d in diags)
        for method in ("hover", "actions", "format"):  # every request still gets an answer
            if method == "hover":
                await client.text_document_hover_async(types.HoverParams(
                    text_document=types.TextDocumentIdentifier(uri=uri(main_tf)), position=types.Position(0, 1)))
            elif method == "actions":
                await _actions(client, main_tf, 0)
            else:
                await client.text_document_formatting_async(types.DocumentFormattingParams(
                    text_document=types.TextDocumentIdentifier(uri=uri(main_tf)),
                    options=types.FormattingOptions(tab_size=2, insert_spaces=True)))
    # a broken file beside: its error shows, the open file still gets findings but no fixes
    (module / "db" / "other.tf").write_text("locals {\n", encoding="utf-8")
    at = editor.change(main_tf, MAIN)
    diags = await diagnostics(client, main_tf, version=editor.version(main_tf), after=at)
    assert _ids(diags) == ["TFX101", "TFX501", "TFX711", "TFX713", "module-has-errors"]
    assert "other.tf does not parse" in next(d.message for d in diags if d.code == "module-has-errors")
    other = await diagnostics(client, module / "db" / "other.tf", after=at)
    assert [d.code for d in other] == ["parse-error"]
    assert [a.kind for a in await _actions(client, main_tf, 0)] == ["quickfix.tffix.ignore"] * 4
    # fixed: its diagnostics are cleared
    (module / "db" / "other.tf").write_text("locals {}\n", encoding="utf-8")
    at = editor.save(main_tf)
    assert await diagnostics(client, module / "db" / "other.tf", after=at) == []
    # an unknown URI scheme and a file that is not Terraform are left alone
    client.text_document_did_open(types.DidOpenTextDocumentParams(text_document=types.TextDocumentItem(
        uri="untitled:Untitled-1", language_id="terraform", version=1, text="resource {")))
    assert await _actions(client, module / "db" / "x.json", 0) == []
    assert await client.text_document_hover_async(types.HoverParams(
        text_document=types.TextDocumentIdentifier(uri="untitled:Untitled-1"), position=types.Position(0, 0))) is None


@pytest.mark.asyncio
async def test_a_bad_config_is_a_diagnostic(client: LanguageClient, module: Path) -> None:
    await initialize(client, [module])
    (module / ".tffix.toml").write_text('select = ["TFX9999"]\n', encoding="utf-8")
    main_tf = module / "db" / "main.tf"
    at = Editor(client).open(main_tf)
    diags = await diagnostics(client, main_tf, version=1, after=at)
    assert len(diags) == 1 and diags[0].severity == types.DiagnosticSeverity.Error
    assert "unknown rule id or prefix: TFX9999" in diags[0].message
    # fixed config, reported by the file watcher: checked again
    (module / ".tffix.toml").write_text(SELECT, encoding="utf-8")
    at = len(client.published)
    client.workspace_did_change_watched_files(types.DidChangeWatchedFilesParams(changes=[types.FileEvent(
        uri=uri(module / ".tffix.toml"), type=types.FileChangeType.Changed)]))
    assert _ids(await diagnostics(client, main_tf, after=at)) == ["TFX101", "TFX501", "TFX711", "TFX713"]


@pytest.mark.asyncio
async def test_multi_root_workspace_each_root_has_its_config(client: LanguageClient, tmp_path: Path) -> None:
    roots = []
    for name, select in (("a", '["TFX101"]'), ("b", '["TFX711"]')):
        root = tmp_path / name
        root.mkdir()
        (root / "pyproject.toml").write_text(f"[tool.tffix]\nselect = {select}\n", encoding="utf-8")
        (root / "main.tf").write_text(MAIN, encoding="utf-8")
        roots.append(root)
    await initialize(client, roots)
    editor = Editor(client)
    at = editor.open(roots[0] / "main.tf")
    assert _ids(await diagnostics(client, roots[0] / "main.tf", version=1, after=at)) == ["TFX101"]
    at = editor.open(roots[1] / "main.tf")
    assert _ids(await diagnostics(client, roots[1] / "main.tf", version=1, after=at)) == ["TFX711"]


@pytest.mark.asyncio
async def test_a_client_without_lazy_resolve_or_file_creation(client: LanguageClient, module: Path) -> None:
    """Emacs 29's eglot resolves no code action lazily and cannot create files: fix-all
    comes with its edit, and no fix that would create a file is offered to it."""
    await initialize(client, [module], spec="emacs@v29.1")
    main_tf = module / "db" / "main.tf"
    editor = Editor(client)
    at = editor.open(main_tf)
    await diagnostics(client, main_tf, version=1, after=at)
    listed = await _actions(client, main_tf, 0, only=["quickfix"])
    quick = [a.title.split(":")[0] for a in listed if a.kind == "quickfix"]
    assert quick == ["TFX711"]  # TFX501's fix creates versions.tf
    assert all(a.edit is not None and a.data is None for a in listed)  # edits at once, nothing to resolve
    assert await _actions(client, main_tf, 0, only=["source.fixAll.tffix"]) == []  # so does fix-all
    (module / "db" / "versions.tf").write_text('terraform {\n  required_version = ">= 1.0"\n}\n', encoding="utf-8")
    at = editor.save(main_tf)
    await diagnostics(client, main_tf, version=1, after=at)
    fix_all = await _actions(client, main_tf, 0, only=["source.fixAll.tffix"])
    assert len(fix_all) == 1 and fix_all[0].edit is not None
    at = len(client.published)
    editor.apply(fix_all[0].edit)
    assert _ids(await diagnostics(client, main_tf, version=2, after=at)) == ["TFX101", "TFX713"]


@pytest.mark.asyncio
async def test_neovim_gets_the_fix_that_creates_a_file(client: LanguageClient, module: Path) -> None:
    """Neovim declares the create operation but not documentChanges (and applies both)."""
    await initialize(client, [module], spec="neovim@v0.10.0")
    main_tf = module / "db" / "main.tf"
    editor = Editor(client)
    at = editor.open(main_tf)
    await diagnostics(client, main_tf, version=1, after=at)
    fix = next(a for a in await _actions(client, main_tf, 0) if a.title.startswith("TFX501"))
    edit = await _resolved(client, fix)
    assert isinstance(edit.document_changes[0], types.CreateFile)
    at = len(client.published)
    editor.apply(edit)
    assert "TFX501" not in _ids(await diagnostics(client, main_tf, after=at))


@pytest.mark.asyncio
async def test_shutdown_then_exit(client: LanguageClient, module: Path) -> None:
    await initialize(client, [module])
    at = Editor(client).open(module / "db" / "main.tf")
    await diagnostics(client, module / "db" / "main.tf", version=1, after=at)
    await client.shutdown_session()
    assert client._server is not None and client._server.returncode == 0


def test_without_the_extra_the_command_names_it(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(sys.modules, "pygls", None)
    monkeypatch.setitem(sys.modules, "pygls.lsp.server", None)
    result = CliRunner().invoke(main, ["lsp"])
    assert result.exit_code == 2
    assert result.stderr.strip() == ("tffix lsp: the language server needs pygls and lsprotocol, which are not "
                                     "installed: pip install 'tffix[lsp]'")


@pytest.mark.parametrize("encoding, expected", [(UTF16, (0, 8)), (UTF8, (0, 11)), (UTF32, (0, 7))])
def test_positions_count_the_clients_code_units(encoding: str, expected: tuple[int, int]) -> None:
    text = 'a = "😀é"\r\nb = 1\n'
    index = LineIndex(text, encoding)
    offset = text.index("é") + 1
    assert index.position(offset) == expected
    assert index.offset(*expected) == offset
    assert index.position(text.index("b")) == (1, 0)
    assert index.offset_of(2, 1) == text.index("b")
    assert index.line_end(0) == text.index("\r")


# ---- the server's findings are the CLI's, edit after edit ------------------------------------

CROSS_MAIN = """\
resource "aws_db_instance" "app" {
  identifier        = "app-db"
  engine            = "postgres"
  instance_class    = "db.t3.micro"
  allocated_storage = var.storage
  username          = "app"
  password          = var.password
}

resource "aws_ebs_volume" "data" {
  availability_zone = "eu-west-1a"
  size              = var.size
}

resource "aws_cloudwatch_log_group" "app" {
  name = "/app/${var.name}"
}

resource "aws_security_group" "bastion" {
  name = "bastion"

  ingress {
    from_port   = 22
    to_port     = 22
    protocol    = "tcp"
    cidr_blocks = ["0.0.0.0/0"]
  }
}
"""
CROSS_VARIABLES = """\
variable "storage" {
  type = number
}

variable "password" {
  type      = string
  sensitive = true
}

variable "size" {
  type = number
}

variable "name" {
  type = string
}
"""
CROSS_VERSIONS = """\
terraform {
  required_version = ">= 1.5"

  required_providers {
    aws = {
      source  = "hashicorp/aws"
      version = "~> 5.0"
    }
  }
}
"""


def _cli_findings(directory: Path, files: dict[str, str], tmp: Path) -> set[tuple[str, int, int, str, str]]:
    """``tffix --check --format json`` on the same texts, written to disk in a directory of their own."""
    copy = tmp / f"cli-{len(list(tmp.iterdir()))}" / directory.name
    copy.mkdir(parents=True)
    for name, text in files.items():
        (copy / name).write_text(text, encoding="utf-8")
    result = CliRunner().invoke(main, ["--check", "--format", "json", "--no-progress", str(copy)])
    assert result.exit_code in (0, 1), result.output
    return {(Path(f["path"]).name, f["line"], f["column"], f["rule_id"], f["message"])
            for f in json.loads(result.stdout)["findings"]}


def _server_findings(published: dict[str, list[types.Diagnostic]]) -> set[tuple[str, int, int, str, str]]:
    # the texts are ASCII: a UTF-16 column is the character column
    return {(Path(target).name, d.range.start.line + 1, d.range.start.character + 1, str(d.code), d.message)
            for target, diags in published.items() for d in diags}


@pytest.mark.asyncio
async def test_findings_after_edits_are_the_clis(client: LanguageClient, tmp_path: Path) -> None:
    """Edit after edit (in the middle of a file, lines added above other blocks, a break and its
    repair, a change in another open buffer that decides a finding in main.tf), the diagnostics
    of every open file are what ``tffix --check`` finds in the same texts (the server keeps the
    parsed files of its last check and parses again only what changed)."""
    root = tmp_path / "ws"
    module = root / "app"
    module.mkdir(parents=True)
    files = {"main.tf": CROSS_MAIN, "variables.tf": CROSS_VARIABLES, "versions.tf": CROSS_VERSIONS}
    for name, text in files.items():
        (module / name).write_text(text, encoding="utf-8")
    cli_tmp = tmp_path / "cli"
    cli_tmp.mkdir()
    await initialize(client, [root])
    editor = Editor(client)
    for name in files:
        at = editor.open(module / name)
    for name in files:
        await diagnostics(client, module / name, version=1, after=at)

    async def changed(name: str, text: str) -> dict[str, list[types.Diagnostic]]:
        """The diagnostics of every open file after a change: one check publishes them all, one
        after the other; once the changed file's have come, a request's answer (which the server
        writes after them) says the others have come too: the latest of each file are that check's."""
        files[name] = text
        at = editor.change(module / name, text)
        await diagnostics(client, module / name, version=editor.versions[uri(module / name)], after=at)
        await client.text_document_hover_async(types.HoverParams(
            text_document=types.TextDocumentIdentifier(uri=uri(module / name)), position=types.Position(0, 0)))
        return {uri(module / n): list(client.diagnostics[uri(module / n)]) for n in files}

    async def same_as_cli(name: str, text: str) -> set[tuple[str, int, int, str, str]]:
        found = _server_findings(await changed(name, text))
        assert found == _cli_findings(module, files, cli_tmp)
        return found

    main_tf = files["main.tf"]
    first = await same_as_cli("main.tf", main_tf.replace("size              = var.size",
                                                         "size              = var.size\n  encrypted         = true"))
    assert "TFX103" not in {f[3] for f in first}
    # lines added above the later blocks: their findings move
    moved = await same_as_cli("main.tf", files["main.tf"].replace(
        'resource "aws_cloudwatch_log_group"', '# logs\n\n\nresource "aws_cloudwatch_log_group"'))
    assert {f[1] for f in moved if f[3] == "TFX210"} == {f[1] + 3 for f in first if f[3] == "TFX210"}
    # a block broken, then repaired
    broken = files["main.tf"].replace('  name = "bastion"\n', '  name = "bastion\n')
    assert "parse-error" in _ids((await changed("main.tf", broken))[uri(module / "main.tf")])
    repaired = await same_as_cli("main.tf", broken.replace('  name = "bastion\n', '  name = "bastion-host"\n'))
    assert "TFX520" not in {f[3] for f in repaired}
    # another open buffer decides a finding in main.tf: a variable it uses is no longer declared
    undeclared = await same_as_cli("variables.tf", files["variables.tf"].replace(
        'variable "size" {\n  type = number\n}\n\n', ""))
    assert any(f[0] == "main.tf" and f[3] == "TFX520" and "var.size" in f[4] for f in undeclared)
    # and the terraform block's constraint: removed from versions.tf, main.tf's module needs one
    unpinned = await same_as_cli("versions.tf", files["versions.tf"].replace('  required_version = ">= 1.5"\n\n', ""))
    assert "TFX501" in {f[3] for f in unpinned}
    # main.tf edited again, near its end and at its start
    await same_as_cli("main.tf", files["main.tf"].replace('cidr_blocks = ["0.0.0.0/0"]', 'cidr_blocks = ["10.0.0.0/8"]'))
    await same_as_cli("main.tf", "# the application\n" + files["main.tf"])
