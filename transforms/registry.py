"""Every rule tffix ships, found by walking this package.

A rule is a ``Rule`` subclass with an ``id``, defined in a module of one of the
service folders (``rds/``, ``s3/``, ...); ``lib/`` holds the helpers they share and
is not searched. Adding a rule is adding its module (and its test): nothing to
list here. Rules with ``default_enabled = False`` run only when selected.
"""

from __future__ import annotations

import importlib
import pkgutil

from tffix.engine.rules import Rule
from tffix.transforms.lib.schema import check_written

__all__ = ["FIX_CHECKS", "RULES", "OPT_IN", "rule_modules"]

LIBRARY = "lib"


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


RULES: list[type[Rule]] = _discover()

# Rules that run only when selected explicitly (--select ID or a prefix that names them).
OPT_IN: set[str] = {r.id for r in RULES if not r.default_enabled}

# What the engine checks after every fix (``Options.fix_checks``): arguments and blocks
# written into AWS resources exist in the provider and satisfy its constraints.
FIX_CHECKS = (check_written,)
