"""tffix: a lossless HCL parser and a codemod that fixes common Terraform mistakes.

Public API::

    tree = tffix.parse(text, path=None)   # lossless CST; tree.code == text
    tffix.ParseError                     # path, line, column, message
    tffix.HCL, tffix.NewBlock            # values for the edit API (tffix.edit)
    report = tffix.run(paths, tffix.Settings(...))   # what the CLI does, as data
    report = tffix.run_module_texts(directory, {path: text}, tffix.Settings(mode="check"))
                                         # one module, some files from memory (editors)
"""

from __future__ import annotations

__version__ = "0.1.0"

from tffix.syntax.build import HCL, NewBlock  # noqa: E402
from tffix.syntax.errors import ParseError  # noqa: E402
from tffix.syntax.parser import parse, parse_expression  # noqa: E402

__all__ = ["parse", "parse_expression", "ParseError", "HCL", "NewBlock", "run", "run_module_texts", "Settings",
           "Report", "SettingsError", "__version__"]

_RUN_API = ("run", "run_module_texts", "Settings", "Report", "SettingsError")


def __getattr__(name: str) -> object:
    """``tffix.run`` and its types load on first use: they bring in every rule,
    which parsing and editing (and every layer below the app) never need."""
    if name in _RUN_API:
        from tffix.app import run as app

        return getattr(app, name)
    raise AttributeError(f"module 'tffix' has no attribute {name!r}")
