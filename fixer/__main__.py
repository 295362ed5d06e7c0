"""``python -m tffix``: the CLI (as the ``tffix`` command)."""

from tffix.app.cli import main

main()
