"""tffix: a lossless HCL parser and a codemod that fixes common Terraform mistakes.

Public API::

    tree = tffix.parse(text, path=None)   # lossless CST; tree.code == text
    tffix.ParseError                     # path, line, column, message
    tffix.HCL, tffix.NewBlock            # values for the edit API (tffix.edit)
"""

from __future__ import annotations

__version__ = "0.1.0"

from tffix.syntax.build import HCL, NewBlock  # noqa: E402
from tffix.syntax.errors import ParseError  # noqa: E402
from tffix.syntax.parser import parse, parse_expression  # noqa: E402

__all__ = ["parse", "parse_expression", "ParseError", "HCL", "NewBlock", "__version__"]
