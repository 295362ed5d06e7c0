"""Finding the modules to work on from the paths the user gave.

A module is the ``.tf`` / ``.tofu`` files of one directory (``.tfvars`` in it
are read for variable values). Walking a directory skips hidden directories
(``.terraform``, ``.git``, ``.terragrunt-cache`` ...) and vendored ones, never
descends through a symlinked directory, leaves out the files terraform
ignores (hidden ``.name.tf``, editor backups), and takes a symlinked file only when
its target lies inside one of the given roots (and a file reached twice
through links is processed once). A file named explicitly (as
pre-commit does) brings its whole directory in as context, but findings are
reported only for the files named; a named symlink whose target is outside
the roots or missing is skipped with a message. Nothing is skipped silently
except what the rules above skip: a directory that cannot be read, a
symlink loop or a name that is not a regular file gets a message.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path

from tffix.app.files import inside
from tffix.engine.module import MODULE_SUFFIXES, VARS_SUFFIXES

__all__ = ["ModuleSpec", "discover", "scan_module", "roots_of", "SKIP_DIRS"]

SKIP_DIRS = {"vendor", "node_modules", "third_party", "__pycache__"}


@dataclass
class ModuleSpec:
    directory: Path
    files: list[Path] = field(default_factory=list)
    tfvars: list[Path] = field(default_factory=list)
    only: set[Path] | None = None  # files named explicitly: report only these


def _is_terraform(name: str) -> bool:
    return name.endswith(MODULE_SUFFIXES)


def ignored_by_terraform(name: str) -> bool:
    """Files terraform leaves out of a module: hidden files, editor backups and autosaves
    (terraform's ``configs.IsIgnoredFile``, internal/configs/parser_config_dir.go)."""
    return name.startswith(".") or name.endswith("~") or (name.startswith("#") and name.endswith("#"))


def _is_vars(name: str) -> bool:
    return name.endswith(VARS_SUFFIXES)


def roots_of(paths: list[Path]) -> list[Path]:
    """The real directories the run may read below and write in: each path
    given, or the directory of a file given."""
    return [Path(os.path.realpath(p if p.is_dir() else p.parent)) for p in paths]


def _scan_dir(directory: Path, roots: list[Path], problems: list[str]) -> tuple[list[Path], list[Path]]:
    tf, tfvars = [], []
    try:
        entries = sorted(os.scandir(directory), key=lambda e: e.name)
    except OSError as e:
        problems.append(f"{directory}: cannot read directory: {e.strerror or e}; skipped")
        return tf, tfvars
    for entry in entries:
        if not (_is_terraform(entry.name) or _is_vars(entry.name)) or ignored_by_terraform(entry.name):
            continue
        path = Path(entry.path)
        try:
            if entry.is_symlink() and not inside(path, roots):
                continue
            if not entry.is_file():
                continue
        except OSError as e:  # a symlink loop (ELOOP), a file gone meanwhile
            problems.append(f"{path}: {e.strerror or e}; skipped")
            continue
        (tf if _is_terraform(entry.name) else tfvars).append(path)
    return tf, tfvars


def _named_problem(path: Path, roots: list[Path]) -> str | None:
    """Why a path named on the command line cannot be used, if it cannot."""
    try:
        os.stat(path)
    except FileNotFoundError:
        if os.path.islink(path):
            return f"{path}: is a dangling symlink (its target does not exist); skipped"
        return f"{path}: no such file or directory"
    except OSError as e:
        return f"{path}: {e.strerror or e}; skipped"
    if path.is_dir():
        return None
    if not path.is_file():
        return f"{path}: not a regular file (a FIFO, socket or device); skipped"
    if not (_is_terraform(path.name) or _is_vars(path.name)):
        return f"{path}: not a Terraform file (.tf, .tofu or .tfvars); skipped"
    if path.is_symlink() and not inside(path, roots):
        return f"{path}: is a symlink to a file outside the paths given; skipped"
    return None


def scan_module(directory: Path) -> tuple[ModuleSpec, list[str]]:
    """The module in one directory (its Terraform files on disk, symlinked files only
    when they point inside it) and messages for entries that cannot be read."""
    problems: list[str] = []
    tf, tfvars = _scan_dir(directory, [Path(os.path.realpath(directory))], problems)
    return ModuleSpec(directory, tf, tfvars), problems


def discover(paths: list[Path]) -> tuple[list[ModuleSpec], list[str]]:
    """Modules under ``paths`` (sorted by directory) and messages for paths
    that do not exist, cannot be read or hold no Terraform files."""
    problems: list[str] = []
    roots = roots_of(paths)
    modules: dict[Path, ModuleSpec] = {}
    for path in paths:
        problem = _named_problem(path, roots)
        if problem:
            problems.append(problem)
            continue
        if path.is_file():
            directory = path.parent
            spec = modules.get(directory)
            if spec is None:
                tf, tfvars = _scan_dir(directory, roots + [Path(os.path.realpath(directory))], problems)
                spec = modules[directory] = ModuleSpec(directory, tf, tfvars, only=set())
            if spec.only is not None:
                spec.only.add(path)
            if path not in spec.files and path not in spec.tfvars:
                (spec.files if _is_terraform(path.name) else spec.tfvars).append(path)
            continue
        found = False
        unreadable: list[OSError] = []
        for dirpath, dirnames, _ in os.walk(path, followlinks=False, onerror=unreadable.append):
            dirnames[:] = sorted(d for d in dirnames if not d.startswith(".") and d not in SKIP_DIRS)
            directory = Path(dirpath)
            tf, tfvars = _scan_dir(directory, roots, problems)
            if not tf and not tfvars:
                continue
            found = True
            spec = modules.get(directory)
            if spec is None or spec.only is not None:
                modules[directory] = ModuleSpec(directory, tf, tfvars)
        for e in unreadable:
            problems.append(f"{e.filename}: cannot read directory: {e.strerror or e}; skipped")
        if not found and not unreadable:
            problems.append(f"{path}: no Terraform files found (.tf, .tofu)")
    # the same file reached twice (through a symlink) is processed once
    seen: set[str] = set()
    out = []
    for directory in sorted(modules):
        spec = modules[directory]
        for paths in (spec.files, spec.tfvars):
            unique = []
            for p in paths:
                real = os.path.realpath(p)
                if real not in seen:
                    seen.add(real)
                    unique.append(p)
            paths[:] = unique
        if spec.files or spec.tfvars:
            out.append(spec)
    return out, problems
