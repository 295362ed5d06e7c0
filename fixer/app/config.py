"""Configuration: ``[tool.tffix]`` in ``pyproject.toml`` or a ``.tffix.toml``,
found by walking up from the first path given. Flags override it.

Keys (all optional)::

    select = ["TFX1", "TFX201"]      # ids or prefixes; default: all but opt-in rules
    ignore = ["TFX401"]
    unsafe-fixes = false
    extend-safe-fixes = ["TFX101"]   # treat these rules' unsafe fixes as safe
    extend-unsafe-fixes = []

    [rules.TFX701]                    # per-rule options (in pyproject: [tool.tffix.rules.TFX701])
    retention-days = 365
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any


__all__ = ["Config", "ConfigError", "find_config", "load_config"]

KNOWN_KEYS = {"select", "ignore", "unsafe-fixes", "extend-safe-fixes", "extend-unsafe-fixes", "rules", "state", "plan"}


class ConfigError(Exception):
    pass


@dataclass
class Config:
    path: Path | None = None
    select: list[str] | None = None
    ignore: list[str] = field(default_factory=list)
    unsafe_fixes: bool = False
    extend_safe_fixes: list[str] = field(default_factory=list)
    extend_unsafe_fixes: list[str] = field(default_factory=list)
    rules: dict[str, dict[str, Any]] = field(default_factory=dict)
    state: list[str] = field(default_factory=list)  # ``[ROOT=]PATH`` specs, relative to the config's directory
    plan: list[str] = field(default_factory=list)


def find_config(start: Path) -> tuple[Path, dict[str, Any]] | None:
    """The nearest config at or above ``start`` and its tffix table."""
    here = Path(os.path.realpath(start))  # not resolve(): it raises on a symlink loop
    if here.is_file() or not here.is_dir():
        here = here.parent
    for directory in [here, *here.parents]:
        dotfile = directory / ".tffix.toml"
        if dotfile.is_file():
            return dotfile, _read(dotfile)
        pyproject = directory / "pyproject.toml"
        if pyproject.is_file():
            table = _read(pyproject).get("tool", {}).get("tffix")
            if table is not None:
                return pyproject, table
    return None


def _read(path: Path) -> dict[str, Any]:
    import tomllib  # here: a run with no config file does not need it

    try:
        with path.open("rb") as f:
            return tomllib.load(f)
    except UnicodeDecodeError as e:
        raise ConfigError(f"{path}: invalid configuration: not valid UTF-8 (byte 0x{e.object[e.start]:02x} "
                          f"at offset {e.start})") from None
    except OSError as e:
        raise ConfigError(f"{path}: cannot read the configuration: {e.strerror or e}") from None
    except tomllib.TOMLDecodeError as e:
        raise ConfigError(f"{path}: invalid configuration: {e}") from None


def _ids(table: dict[str, Any], key: str, path: Path) -> list[str]:
    value = table.get(key, [])
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise ConfigError(f"{path}: '{key}' must be a list of rule ids or prefixes")
    return [v.upper() for v in value]


def _specs(table: dict[str, Any], key: str, path: Path) -> list[str]:
    """``state`` / ``plan``: a ``[ROOT=]PATH`` string or a list of them; relative paths
    are relative to the configuration file's directory."""
    value = table.get(key, [])
    values = [value] if isinstance(value, str) else value
    if not isinstance(values, list) or not all(isinstance(v, str) and v for v in values):
        raise ConfigError(f"{path}: '{key}' must be a path ([ROOT=]PATH) or a list of them")
    out = []
    for spec in values:
        root, sep, file = spec.partition("=")
        parts = [root, file] if sep else [spec]
        parts = [str(p if Path(p).is_absolute() else path.parent / p) for p in parts]
        out.append("=".join(parts))
    return out


def load_config(start: Path) -> Config:
    found = find_config(start)
    if found is None:
        return Config()
    path, table = found
    unknown = set(table) - KNOWN_KEYS
    if unknown:
        raise ConfigError(f"{path}: unknown tffix setting(s): {', '.join(sorted(unknown))}")
    rules = table.get("rules", {})
    if not isinstance(rules, dict) or not all(isinstance(v, dict) for v in rules.values()):
        raise ConfigError(f"{path}: 'rules' must be a table of per-rule tables")
    unsafe = table.get("unsafe-fixes", False)
    if not isinstance(unsafe, bool):
        raise ConfigError(f"{path}: 'unsafe-fixes' must be true or false")
    return Config(
        path=path,
        select=_ids(table, "select", path) if "select" in table else None,
        ignore=_ids(table, "ignore", path),
        unsafe_fixes=unsafe,
        extend_safe_fixes=_ids(table, "extend-safe-fixes", path),
        extend_unsafe_fixes=_ids(table, "extend-unsafe-fixes", path),
        rules={k.upper(): v for k, v in rules.items()},
        state=_specs(table, "state", path),
        plan=_specs(table, "plan", path),
    )
