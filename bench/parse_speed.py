"""Parse speed of this build against another build of tffix, measured in the same run.

Usage: python bench/parse_speed.py DIR ... --base-python PYTHON [--repeat N] [--lazy] [--check]

Every .tf file below the DIRs (``--ext`` for others) is parsed (``parse(text)``,
text -> CST, no printing) by this build and by the build that PYTHON imports
(e.g. the venv of an older commit), each in a fresh child process; the
children run alternately, ``--repeat`` times (default 3), and the best CPU
time of each side's parse loop (``time.process_time``, the machine may be
shared) is printed with the ratio. Files a build rejects are parsed too (the
error is part of the work). ``--lazy`` times ``parse(text, lazy=True)`` as well.

``--check``: instead of timing, both builds write a digest of what they make
of every file and of some broken variants of it (cut short, a character
dropped or doubled at a few places, for every ``--every``-th file: rejected
inputs exercise the errors):
the tree (node classes, fields, every token's type, text, trivia, line and
column) or the error (message, line, column), in eager and lazy mode (the
stubs' spans, lines and labels, then the items built). Prints how many
digests differ (0 expected) and the first few.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
from pathlib import Path

_CHILD = r"""
import gc, hashlib, json, sys, time
from tffix.syntax.parser import parse
from tffix.syntax.errors import ParseError
from tffix.syntax import cst
mode, files = sys.argv[1], json.load(sys.stdin)
texts = []
for p in files:
    with open(p, "rb") as f:
        data = f.read()
    try:
        texts.append(data.decode("utf-8"))
    except UnicodeDecodeError:
        pass
parse("a = 1\n")  # imports outside the timing
try:
    parse("a = = 1\n")  # and the grammar table (a rejected input)
except ParseError:
    pass

def run(lazy):
    for text in texts:
        try:
            parse(text, lazy=lazy)
        except ParseError:
            pass

def tree_hash(h, tree):
    stack = [tree]
    while stack:
        item = stack.pop()
        if item is None:
            h.update(b"N;")
        elif isinstance(item, cst.Token):
            h.update(f"T{item.type}|{item.pre!r}|{str(item)!r}|{item.line}|{item.column};"
                     .encode("utf-8", "surrogatepass"))
        elif isinstance(item, str):
            h.update(f"S{item!r};".encode("utf-8", "surrogatepass"))
        elif isinstance(item, (list, tuple)):
            h.update(f"L{len(item)}[".encode())
            stack.append("]")
            stack.extend(reversed(item))
        else:
            h.update(f"{type(item).__name__}(".encode())
            stack.append(")")
            stack.extend(getattr(item, f) for f in reversed(item._fields))

def digest(text, lazy):
    h = hashlib.sha1()
    try:
        tree = parse(text, "f.tf", lazy=lazy)
    except ParseError as e:
        return ["error", e.message, e.line, e.column]
    if lazy:
        body = tree.body
        for s in body._entries:
            h.update(repr((s.start, s.end, s.first_line, s.blank_above, s.type, s.labels, s.line,
                           s.column)).encode("utf-8", "surrogatepass"))
        h.update(repr(tree.code == text).encode())  # printed from the stubs' text
    tree_hash(h, tree)
    h.update(repr(tree.code == text).encode())
    return h.hexdigest()

def variants(text):
    yield text
    n = len(text)
    if n == 0:
        return
    for k in (1, 2, 3, 5, 7):
        i = n * k // 8
        yield text[:i]
        yield text[:i] + text[i + 1:]
        yield text[:i] + text[i] + text[i:]

if mode.startswith("check"):
    every = int(mode[5:])
    out = []
    for i, text in enumerate(texts):
        for v in (variants(text) if i % every == 0 else [text]):
            out.append([digest(v, False), digest(v, True)])
    json.dump(out, sys.stdout)
else:
    gc.collect()
    start = time.process_time()
    run(mode == "lazy")
    print(time.process_time() - start)
"""


def child(python: str, mode: str, files: list[str]) -> str:
    out = subprocess.run([python, "-c", _CHILD, mode], input=json.dumps(files), capture_output=True,
                         text=True, check=True, cwd=tempfile.gettempdir())
    return out.stdout


def main(argv: list[str]) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("dirs", nargs="+", type=Path)
    ap.add_argument("--base-python", required=True, help="the python whose tffix is the base build")
    ap.add_argument("--new-python", default=sys.executable, help="the python of this build (default: this one)")
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--lazy", action="store_true", help="also time parse(text, lazy=True)")
    ap.add_argument("--check", action="store_true", help="compare what both builds make of every file")
    ap.add_argument("--every", type=int, default=10, help="--check: broken variants of every Nth file (default 10)")
    ap.add_argument("--ext", action="append", help="file suffixes (default: .tf)")
    args = ap.parse_args(argv)
    exts = set(args.ext or [".tf"])
    files = [str(p) for d in args.dirs for p in sorted(d.rglob("*")) if p.suffix in exts and p.is_file()]
    print(f"{len(files)} files", flush=True)
    if args.check:
        mode = f"check{args.every}"
        new, base = json.loads(child(args.new_python, mode, files)), json.loads(child(args.base_python, mode, files))
        diffs = [i for i, (a, b) in enumerate(zip(new, base)) if a != b]
        if len(new) != len(base):
            print(f"different counts: {len(new)} vs {len(base)}")
            return 1
        print(f"{len(new)} texts (with broken variants), "
              f"{sum(d[0][0] == 'error' for d in new if isinstance(d[0], list))} rejected, "
              f"{len(diffs)} digests differ")
        for i in diffs[:10]:
            print(f"  #{i}: new {new[i]} base {base[i]}")
        return 1 if diffs else 0
    for mode in ["eager", "lazy"] if args.lazy else ["eager"]:
        t_new: list[float] = []
        t_base: list[float] = []
        for _ in range(args.repeat):  # alternately: a change in load hits both
            t_base.append(float(child(args.base_python, mode, files)))
            t_new.append(float(child(args.new_python, mode, files)))
        b, n = min(t_base), min(t_new)
        print(f"{mode}: base {b:.2f} CPU s (runs {', '.join(f'{t:.2f}' for t in t_base)}) | "
              f"new {n:.2f} CPU s (runs {', '.join(f'{t:.2f}' for t in t_new)}) | new is {b / n:.2f}x as fast",
              flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
