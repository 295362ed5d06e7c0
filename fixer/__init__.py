"""tffix: a lossless HCL parser and a codemod that fixes common Terraform mistakes.

Public API::

    tree = tffix.parse(text, path=None)   # lossless CST; tree.code == text
    tffix.ParseError                     # path, line, column, message
"""

from __future__ import annotations

from .errors import ParseError
from .parser import parse, parse_expression

__all__ = ["parse", "parse_expression", "ParseError", "__version__"]
__version__ = "0.1.0"
