"""Every rule tffix ships, found by walking this package.

A rule is a ``Rule`` subclass with an ``id``, defined in a module of one of the
service folders (``rds/``, ``s3/``, ...); ``lib/`` holds the helpers they share and
is not searched. Adding a rule is adding its module (and its test), then running
``python3 tools/gen_rule_index.py``: nothing to list here. Rules with
``default_enabled = False`` run only when selected.

``ENTRIES`` is the index of the rules (``rule_index.py``, generated, tested to be
current): a run chooses rules from it and imports a rule's module only where a
module has the blocks it looks at, so a run on a small file does not import every
rule. ``RULES`` (every rule class, imported on first use) is for what needs them
all: ``tffix rules``, ``tffix explain``, the docs, the tests.
"""

from __future__ import annotations

import importlib
import pkgutil
from typing import Any

from tffix.engine.module import Module
from tffix.engine.rules import Rule, RuleEntry
from tffix.syntax import cst
from tffix.transforms.rule_index import ENTRIES as _INDEX

__all__ = ["FIX_CHECKS", "RULES", "OPT_IN", "ENTRIES", "rule_modules"]

LIBRARY = "lib"

ENTRIES: list[RuleEntry] = [RuleEntry(rid, module, cls, enabled, options, seen)
                            for rid, module, cls, enabled, options, seen in _INDEX]


def rule_modules() -> list[str]:
    """Dotted names of every rule module, sorted."""
    from tffix import transforms

    names = []
    for group in pkgutil.iter_modules(transforms.__path__):
        if not group.ispkg or group.name == LIBRARY:
            continue
        package = importlib.import_module(f"{transforms.__name__}.{group.name}")
        names.extend(f"{package.__name__}.{m.name}" for m in pkgutil.iter_modules(package.__path__))
    return sorted(names)


def _discover() -> list[type[Rule]]:
    found = []
    for name in rule_modules():
        module = importlib.import_module(name)
        found.extend(obj for obj in vars(module).values()
                     if isinstance(obj, type) and issubclass(obj, Rule) and obj.__module__ == name and obj.id)
    return sorted(found, key=lambda r: r.id)


def __getattr__(name: str) -> Any:
    """``RULES`` and ``OPT_IN`` import every rule, on first use."""
    if name == "RULES":
        globals()["RULES"] = rules = _discover()
        return rules
    if name == "OPT_IN":
        # Rules that run only when selected explicitly (--select ID or a prefix that names them).
        globals()["OPT_IN"] = off = {r.id for r in __getattr__("RULES") if not r.default_enabled}
        return off
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def _check_written(module: Module, tree: cst.File, scope: tuple[object, ...] = (),
                   changed: dict[int, list[cst.Node]] | None = None) -> list[str]:
    """``schema.check_written``, its provider tables loaded when a fix is first checked."""
    from tffix.transforms.lib.schema import check_written

    return check_written(module, tree, scope, changed)


_check_written.takes_changed = True  # type: ignore[attr-defined]


# What the engine checks after every fix (``Options.fix_checks``): arguments and blocks
# written into AWS resources exist in the provider and satisfy its constraints.
FIX_CHECKS = (_check_written,)
