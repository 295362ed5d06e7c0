"""``tffix lsp``: a language server (stdio) with tffix's findings as diagnostics and
its fixes as code actions. Needs the ``lsp`` extra (pygls, lsprotocol); only
``tffix.app.lsp.server`` imports them, so this package imports without them."""

from __future__ import annotations

__all__ = ["MISSING_EXTRA", "missing_extra"]

MISSING_EXTRA = ("tffix lsp: the language server needs pygls and lsprotocol, "
                 "which are not installed: pip install 'tffix[lsp]'")


def missing_extra() -> str | None:
    """The message for a missing ``lsp`` extra, or None when it is installed."""
    try:
        import lsprotocol.types  # noqa: F401
        import pygls.lsp.server  # noqa: F401
    except ImportError:
        return MISSING_EXTRA
    return None
