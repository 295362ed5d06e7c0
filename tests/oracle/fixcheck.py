"""Validate modules before and after ``tffix --unsafe-fixes``: what a fix broke.

``check(pairs)`` takes (before, after) module directories, the "after" ones
already fixed, and returns the modules that validated before and do not
after, each with the rules whose fixes changed it, the rule(s) that break it
when applied alone, and terraform's first error. Used by the fixture test and
``bench/oracle_corpus.py``.
"""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
import tempfile
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from .batch import validate_many
from .terraform import Result, validate

__all__ = ["Breakage", "changed", "check", "run_tffix", "tffix_command"]


def tffix_command() -> list[str]:
    """The installed ``tffix`` (next to this interpreter, else on PATH)."""
    beside = Path(sys.executable).parent / "tffix"
    found = str(beside) if beside.exists() else shutil.which("tffix")
    if found is None:
        raise RuntimeError("the tffix command is not installed (pip install -e .)")
    return [found]


def run_tffix(paths: list[Path], *extra: str) -> dict:
    """``tffix run --unsafe-fixes --format json PATHS``: the JSON report."""
    proc = subprocess.run([*tffix_command(), "run", "--unsafe-fixes", "--no-progress", "--format", "json", *extra,
                           *map(str, paths)], capture_output=True, text=True, check=False)
    if not proc.stdout.strip():
        raise RuntimeError(f"tffix failed: {proc.stderr[-2000:]}")
    return json.loads(proc.stdout)


def fixed_by(report: dict, directory: Path) -> list[str]:
    """Rules with fixes applied to files directly in ``directory``."""
    rules = {r["rule_id"] for r in report["fixed"] if Path(r["path"]).resolve().parent == directory.resolve()}
    return sorted(rules)


def _files(directory: Path) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in directory.glob("*.tf*") if p.is_file()}


def changed(before: Path, after: Path) -> bool:
    return _files(before) != _files(after)


@dataclass
class Breakage:
    before: Path
    after: Path
    rules: list[str]  # rules whose fixes changed the module
    culprits: list[str] = field(default_factory=list)  # rules that break it when applied alone
    result: Result | None = None

    @property
    def message(self) -> str:
        return self.result.message if self.result else ""


def _culprits(before: Path, rules: list[str], scope: Path | None) -> list[str]:
    """The rules whose fixes alone make ``before`` fail validation. ``scope``:
    the tree to copy for that (default: the module directory alone)."""
    if len(rules) == 1:
        return rules
    scope = scope or before
    found = []
    for rule in rules:
        with tempfile.TemporaryDirectory(prefix="tffix-oracle-culprit-") as tmp:
            copy = Path(tmp) / scope.name
            shutil.copytree(scope, copy, symlinks=True)
            module = copy / before.relative_to(scope)
            run_tffix([module], "--select", rule)
            if not validate(module).ok:
                found.append(rule)
    return found


def check(pairs: list[tuple[Path, Path]], report: dict, *, jobs: int = 2, changed_only: bool = True,
          scope: Callable[[Path], Path] | None = None) -> tuple[dict[Path, Result], dict[Path, Result], list[Breakage]]:
    """Validate the changed modules (all with ``changed_only=False``) before, and
    those valid before also after.
    Returns the before results (of changed modules), the after results (of
    those valid before) and the breakages. ``scope(before_dir)``: the tree to
    copy when looking for the rule that breaks a module."""
    moved = [(b, a) for b, a in pairs if changed(b, a) or not changed_only]
    before = validate_many([b for b, _ in moved], jobs=jobs, confirm_errors=False)
    candidates = [(b, a) for b, a in moved if before[b].ok]
    after = validate_many([a for _, a in candidates], jobs=jobs, confirm_errors=True)
    broken = []
    for b, a in candidates:
        if not after[a].ok:
            rules = fixed_by(report, a)
            broken.append(Breakage(b, a, rules, _culprits(b, rules, scope(b) if scope else None), after[a]))
    return before, after, broken
