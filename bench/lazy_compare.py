"""The lazy parse against the eager one, on a tree of real Terraform.

Usage: python bench/lazy_compare.py DIR_OR_FILE ... [--sample N] [--seed S]

For each ``.tf`` / ``.tfvars`` / ``.tofu`` / ``.hcl`` file (a random sample of
N when given), as written and with CRLF line endings, checks that
``parse(text, lazy=True)``:

* rejects exactly what ``parse(text)`` rejects, with the same ``ParseError``
  (message, line, column, printed form);
* prints the text back before any item is built, building none;
* once built, is the same tree: node classes, fields, every token's type,
  text, ``pre``, line and column;

and that ``format_code(text, lazy=True)`` (formatting a run of top-level
items at a time) writes the same bytes as ``format_code(text)``, by default
and with ``compat=True``. Prints the counts; exits 1 on any difference,
naming the first files.
"""

from __future__ import annotations

import argparse
import random
import sys
from pathlib import Path

from tffix.syntax import cst
from tffix.syntax.errors import ParseError
from tffix.syntax.format import format_code
from tffix.syntax.parser import parse

EXTENSIONS = {".tf", ".tfvars", ".tofu", ".hcl"}


def shape(node: cst.Node) -> list[tuple]:
    """The tree as a flat pre-order list: node types with their field counts, and every
    token with its type, text, trivia and position (a loop: some inputs nest deeper than
    the recursion limit). ``tests/test_lazy_parse.py`` uses it too."""
    out: list[tuple] = []
    stack: list = [node]
    while stack:
        item = stack.pop()
        if item is None:
            out.append(("none",))
        elif isinstance(item, cst.Token):
            out.append(("token", item.type, str(item), item.pre, item.line, item.column))
        elif isinstance(item, str):
            out.append(("str", item))
        elif isinstance(item, list):
            out.append(("list", len(item)))
            stack.extend(reversed(item))
        else:
            values = item._values(item)
            kind = "Body" if isinstance(item, cst.LazyBody) else type(item).__name__  # a Body, built on use
            out.append((kind, len(values)))
            stack.extend(reversed(values))
    return out


def outcome(fn, *args, **kw):  # noqa: ANN001, ANN201
    try:
        return "ok", fn(*args, **kw)
    except ParseError as e:
        return "error", (e.message, e.line, e.column, str(e))
    except RecursionError:
        return "recursion", None


def compare(text: str) -> list[str]:
    """What differs between the lazy and the eager paths for ``text``."""
    problems = []
    eager = outcome(parse, text, "f.tf")
    lazy = outcome(parse, text, "f.tf", lazy=True)
    if eager[0] != "ok" or lazy[0] != "ok":
        if eager != lazy:
            problems.append(f"parse: eager {eager[0]} {eager[1]!r:.200}, lazy {lazy[0]} {lazy[1]!r:.200}")
        return problems
    tree = lazy[1]
    pending = tree.body.pending
    if tree.code != text or tree.body.pending != pending:
        problems.append("lazy print differs or built items")
    if shape(tree) != shape(eager[1]):
        problems.append("lazy tree differs once built")
    for compat in (False, True):
        a = outcome(format_code, text, compat=compat)
        b = outcome(format_code, text, compat=compat, lazy=True)
        if a[0] == "recursion":
            continue  # the formatter's own limit, eager as well
        if a != b:
            problems.append(f"format (compat={compat}) differs")
    return problems


def main(argv: list[str]) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("paths", nargs="+", type=Path)
    ap.add_argument("--sample", type=int, default=0)
    ap.add_argument("--seed", type=int, default=1)
    args = ap.parse_args(argv)
    files = []
    for p in args.paths:
        files += [p] if p.is_file() else sorted(f for f in p.rglob("*") if f.suffix in EXTENSIONS and f.is_file())
    if args.sample and len(files) > args.sample:
        files = sorted(random.Random(args.seed).sample(files, args.sample))
    checked = rejected = 0
    bad: list[tuple[str, list[str]]] = []
    for path in files:
        try:
            text = path.read_bytes().decode("utf-8")
        except (OSError, UnicodeDecodeError):
            continue
        for variant, body in (("lf", text), ("crlf", text.replace("\r\n", "\n").replace("\n", "\r\n"))):
            checked += 1
            try:
                parse(body)
            except ParseError:
                rejected += 1
            except RecursionError:
                pass
            problems = compare(body)
            if problems:
                bad.append((f"{path} ({variant})", problems))
    print(f"{checked} texts ({len(files)} files, LF and CRLF), {rejected} rejected by the parser; "
          f"{len(bad)} with a difference between lazy and eager")
    for name, problems in bad[:10]:
        print(f"  {name}: {'; '.join(problems)}")
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
