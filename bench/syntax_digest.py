"""A digest of what the syntax layer makes of every file: for comparing two builds.

Usage: python bench/syntax_digest.py OUT.json DIR_OR_FILE ...

For each ``.tf`` / ``.tfvars`` / ``.tofu`` / ``.hcl`` file (and its CRLF
variant) records, in OUT.json: the parse error (message, line, column) or a
hash of the whole tree (node classes, field names, every token's type, text,
``pre``, line and column) plus whether the round trip is exact; and
the hash of ``format_code``'s output (or its error), also with ``compat=True``
and with two of the improvements turned off. Run it with the old and
the new build and compare the two files (``cmp``): any change in the tree,
the printed text or the formatter's output shows up as a different line.
"""

from __future__ import annotations

import hashlib
import json
import sys
from pathlib import Path

from tffix.syntax import cst
from tffix.syntax.errors import ParseError
from tffix.syntax.format import format_code
from tffix.syntax.parser import parse

EXTENSIONS = {".tf", ".tfvars", ".tofu", ".hcl"}


def tree_hash(tree: cst.Node) -> str:
    h = hashlib.sha1()
    stack: list[object] = [("", tree)]
    while stack:
        name, item = stack.pop()
        if item is None:
            h.update(f"{name}:None;".encode())
        elif isinstance(item, cst.Token):
            h.update(f"{name}:T{item.type}|{item.pre!r}|{str(item)!r}|{item.line}|{item.column};"
                     .encode("utf-8", "surrogatepass"))
        elif isinstance(item, str):
            h.update(f"{name}:S{item!r};".encode("utf-8", "surrogatepass"))
        elif isinstance(item, list):
            h.update(f"{name}:L{len(item)}[".encode())
            stack.append(("", "]"))
            stack.extend(("", x) for x in reversed(item))
        else:
            h.update(f"{name}:N{type(item).__name__}(".encode())
            stack.append(("", ")"))
            stack.extend((f, getattr(item, f)) for f in reversed(item._fields))
    return h.hexdigest()


def digest(text: str) -> dict[str, object]:
    out: dict[str, object] = {}
    try:
        tree = parse(text, "f.tf")
    except ParseError as e:
        out["error"] = [e.message, e.line, e.column]
        return out
    out["tree"] = tree_hash(tree)
    out["roundtrip"] = tree.code == text
    for key, compat in (("fmt", False), ("fmt_compat", True), ("fmt_eof", ("eof-spaces", "paren-check"))):
        try:
            formatted = format_code(text, "f.tf", compat=compat)
            out[key] = hashlib.sha1(formatted.encode("utf-8", "surrogatepass")).hexdigest()
        except ParseError as e:
            out[key + "_error"] = [e.message, e.line, e.column]
    return out


def main(argv: list[str]) -> int:
    out_path, *roots = argv
    files: list[Path] = []
    for root in map(Path, roots):
        if root.is_file():
            files.append(root)
        else:
            files.extend(p for p in sorted(root.rglob("*")) if p.suffix in EXTENSIONS and p.is_file())
    result: dict[str, object] = {}
    for p in files:
        try:
            text = p.read_bytes().decode("utf-8")
        except UnicodeDecodeError:
            continue
        result[str(p)] = digest(text)
        crlf = text.replace("\r\n", "\n").replace("\n", "\r\n")
        if crlf != text:
            result[str(p) + " (crlf)"] = digest(crlf)
    Path(out_path).write_text(json.dumps(result, indent=0, sort_keys=True) + "\n")
    bad = [k for k, v in result.items() if v.get("roundtrip") is False]
    print(f"{len(result)} texts, {sum('error' in v for v in result.values())} rejected, "
          f"{len(bad)} round trips not exact")
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
