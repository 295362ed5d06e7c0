"""The project's Terraform fixtures as modules the oracle can validate.

* ``examples/<dir>``: each directory holding ``.tf`` files, copied whole;
* ``tests/fixtures/**.tf``: each file alone (they are single-file cases);
* each rule's documented ``## Example`` (its ``hcl`` code block);
* the rule tests' fixtures: every string literal in ``tests/test_tfx*.py``
  that holds a top-level Terraform block, and every dict literal of file
  name to text (a multi-file module).

Many rule-test fixtures are fragments (they refer to resources they do not
declare): those fail validation before any fix and so check nothing.
"""

from __future__ import annotations

import ast
import inspect
import re
import shutil
from dataclasses import dataclass
from pathlib import Path

__all__ = ["Fixture", "collect", "write"]

ROOT = Path(__file__).resolve().parents[2]
_TOP_BLOCK = re.compile(r'^(resource|data|module|terraform|provider|variable|output|locals)\b[^\n]*\{', re.MULTILINE)
_HCL_FENCE = re.compile(r"```(?:hcl|terraform)\n(.*?)```", re.DOTALL)


@dataclass(frozen=True)
class Fixture:
    name: str  # where it comes from: "examples/rds", "tests/test_tfx101_...py:12", "TFX101 example"
    files: tuple[tuple[str, str], ...] = ()  # (file name, text) of an in-memory module
    directory: Path | None = None  # a module on disk (copied whole)


def _from_directory(directory: Path) -> Fixture:
    return Fixture(directory.relative_to(ROOT).as_posix(), directory=directory)


def _rule_examples() -> list[Fixture]:
    from tffix.transforms.registry import RULES

    found = []
    for rule in RULES:
        example = rule.docs().get("Example", "")
        blocks = _HCL_FENCE.findall(example)
        if blocks:
            text = inspect.cleandoc("\n".join(blocks)) + "\n"
            found.append(Fixture(f"{rule.id} docs example", (("main.tf", text),)))
    return found


def _literal_files(node: ast.Dict) -> dict[str, str] | None:
    if not node.keys:
        return None
    files = {}
    for key, value in zip(node.keys, node.values, strict=True):
        if not (isinstance(key, ast.Constant) and isinstance(key.value, str) and key.value.endswith((".tf", ".tfvars"))):
            return None
        if not (isinstance(value, ast.Constant) and isinstance(value.value, str)):
            return None
        files[key.value] = value.value
    return files


def _rule_test_fixtures(path: Path) -> list[Fixture]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    rel = path.relative_to(ROOT).as_posix()
    found, used = [], set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Dict) and (files := _literal_files(node)) is not None:
            if any(_TOP_BLOCK.search(t) for t in files.values()):
                found.append(Fixture(f"{rel}:{node.lineno}", tuple(sorted(files.items()))))
            used.update(id(v) for v in node.values)
    for node in ast.walk(tree):
        if (isinstance(node, ast.Constant) and isinstance(node.value, str) and id(node) not in used
                and _TOP_BLOCK.search(node.value)):
            found.append(Fixture(f"{rel}:{node.lineno}", (("main.tf", node.value),)))
    return found


def collect() -> list[Fixture]:
    """Every fixture module, each text once (the first place it appears)."""
    fixtures = [_from_directory(d) for d in sorted({p.parent for p in (ROOT / "examples").rglob("*.tf")})]
    fixtures += [Fixture(p.relative_to(ROOT).as_posix(), (("main.tf", p.read_text(encoding="utf-8-sig")),))
                 for p in sorted((ROOT / "tests" / "fixtures").rglob("*.tf"))]
    fixtures += _rule_examples()
    for path in sorted((ROOT / "tests").glob("test_tfx*.py")):
        fixtures += _rule_test_fixtures(path)
    seen: set[tuple[tuple[str, str], ...]] = set()
    unique = []
    for fixture in fixtures:
        if fixture.directory is None:
            if fixture.files in seen:
                continue
            seen.add(fixture.files)
        unique.append(fixture)
    return unique


def write(fixture: Fixture, target: Path) -> None:
    """Lay the fixture out as a module directory at ``target``."""
    if fixture.directory is not None:
        shutil.copytree(fixture.directory, target)
        return
    target.mkdir(parents=True)
    for name, text in fixture.files:
        (target / name).write_text(text, encoding="utf-8")
