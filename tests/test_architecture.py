"""The package layout holds: rules never import rules, the library never imports a rule,
rules change code only through the edit API, and every folder with code is in the wheel. These are import-graph facts, read with ast
from the source, so a lazy import inside a function counts too."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest
import tomllib
from tffix.transforms.registry import RULES, rule_modules

ROOT = Path(__file__).parent.parent
TRANSFORMS = ROOT / "transforms"


def _imports(path: Path) -> set[str]:
    """Every module a file imports (absolute names; ``from x import y`` gives x and x.y)."""
    return _imports_of(path.read_text(encoding="utf-8"), str(path))


def _imports_of(source: str, name: str = "<source>") -> set[str]:
    out: set[str] = set()
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Import):
            out.update(a.name for a in node.names)
        elif isinstance(node, ast.ImportFrom):
            assert node.level == 0, f"{name}: use absolute imports ({node.module})"
            out.add(node.module or "")
            out.update(f"{node.module}.{a.name}" for a in node.names)
    return out


# the modules that cut code into tokens and lay them out: the edit API's business
LAYOUT_MODULES = ("tffix.syntax.lexer", "tffix.syntax.layout")


def _layout_uses(source: str) -> list[str]:
    """What a module uses that only the edit API should: the lexer or layout modules
    (imported in any form), or a ``Token`` class (imported, or as ``cst.Token``)."""
    found = {m for m in _imports_of(source) if m in LAYOUT_MODULES or m.startswith(tuple(f"{x}." for x in
                                                                                      LAYOUT_MODULES))
             or m.endswith(".Token")}
    found |= {f"{ast.unparse(n.value)}.Token" for n in ast.walk(ast.parse(source))
              if isinstance(n, ast.Attribute) and n.attr == "Token"}
    return sorted(found)


def _file_of(dotted: str) -> Path:
    parts = dotted.split(".")
    assert parts[:2] == ["tffix", "transforms"]
    return TRANSFORMS.joinpath(*parts[2:]).with_suffix(".py")


def test_rules_never_import_rules() -> None:
    rules = set(rule_modules())
    offenders = {name: sorted(_imports(_file_of(name)) & rules) for name in rules}
    assert {k: v for k, v in offenders.items() if v} == {}


def test_the_library_never_imports_a_rule() -> None:
    rules = set(rule_modules())
    offenders = {p.name: sorted(_imports(p) & rules) for p in (TRANSFORMS / "lib").glob("*.py")}
    assert {k: v for k, v in offenders.items() if v} == {}


def test_rules_and_the_library_never_touch_tokens_or_layout() -> None:
    """Rules (and their library) read strings with ``tffix.syntax.strings`` and change
    layout only through ``tffix.edit``; the formatting rule may call ``tffix.syntax.format``."""
    offenders = {str(p.relative_to(TRANSFORMS)): _layout_uses(p.read_text(encoding="utf-8"))
                 for p in TRANSFORMS.rglob("*.py")}
    assert {k: v for k, v in offenders.items() if v} == {}


@pytest.mark.parametrize("source", [
    "from tffix.syntax.lexer import Token\n",
    "import tffix.syntax.layout\n",
    "from tffix.syntax.layout import indent_of\n",
    "from tffix.syntax.cst import Token\n",
    "from tffix.syntax import cst\nok = isinstance(x, cst.Token)\n",
])
def test_the_token_and_layout_check_catches(source: str) -> None:
    assert _layout_uses(source)


def test_one_rule_per_rule_module() -> None:
    per_module: dict[str, list[str]] = {}
    for rule in RULES:
        per_module.setdefault(rule.__module__, []).append(rule.id)
    assert {m: ids for m, ids in per_module.items() if len(ids) != 1} == {}
    assert sorted(per_module) == rule_modules()


def test_rule_modules_live_in_service_folders() -> None:
    stray = [p.name for p in TRANSFORMS.glob("*.py") if p.name not in ("__init__.py", "registry.py", "rule_index.py")]
    assert stray == []


def test_every_package_is_in_the_wheel() -> None:
    config = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["tool"]["setuptools"]
    declared = set(config["packages"])
    found = set()
    for top, name in (("fixer", "tffix"), ("transforms", "tffix.transforms"), ("grammar", "tffix.grammar")):
        for init in (ROOT / top).rglob("__init__.py"):
            rel = init.parent.relative_to(ROOT / top).parts
            found.add(".".join((name, *rel)))
    assert declared == found


FIXER = ROOT / "fixer"


def _imports_under(folder: str) -> dict[str, set[str]]:
    return {str(p.relative_to(FIXER)): _imports(p) for p in sorted((FIXER / folder).rglob("*.py"))}


def _reaching(imports: dict[str, set[str]], *packages: str) -> dict[str, list[str]]:
    """Per file, the imports that are one of ``packages`` or inside one."""
    found = {f: sorted(m for m in names if any(m == p or m.startswith(p + ".") for p in packages))
             for f, names in imports.items()}
    return {f: ms for f, ms in found.items() if ms}


def test_the_lower_layers_never_import_the_app_or_the_rules() -> None:
    for layer in ("syntax", "edit", "engine"):
        assert _reaching(_imports_under(layer), "tffix.transforms", "tffix.app") == {}, layer


def test_syntax_imports_nothing_above_it() -> None:
    assert _reaching(_imports_under("syntax"), "tffix.edit", "tffix.engine", "tffix.app") == {}


def test_only_the_run_api_imports_the_rules() -> None:
    everything = {str(p.relative_to(FIXER)): _imports(p) for p in sorted(FIXER.rglob("*.py"))}
    assert list(_reaching(everything, "tffix.transforms")) == ["app/run.py"]


def test_only_the_language_server_imports_pygls() -> None:
    """pygls and lsprotocol are an optional extra (``tffix[lsp]``): one module imports
    them, and everything else imports without them."""
    everything = {str(p.relative_to(FIXER)): _imports(p) for p in sorted(FIXER.rglob("*.py"))}
    users = _reaching(everything, "pygls", "lsprotocol")
    assert sorted(users) == ["app/lsp/__init__.py", "app/lsp/server.py"]
    # __init__ only probes for them, inside a function (``missing_extra``)
    tree = ast.parse((FIXER / "app" / "lsp" / "__init__.py").read_text(encoding="utf-8"))
    top_level = [ast.unparse(n) for n in tree.body if isinstance(n, (ast.Import, ast.ImportFrom))]
    assert not [m for m in top_level if "pygls" in m or "lsprotocol" in m]


def test_the_language_server_sits_on_top() -> None:
    """Nothing imports the language server but the CLI's ``lsp`` command."""
    everything = {str(p.relative_to(FIXER)): _imports(p) for p in sorted(FIXER.rglob("*.py"))
                  if "lsp" not in p.relative_to(FIXER).parts}
    assert list(_reaching(everything, "tffix.app.lsp")) == ["app/cli.py"]
