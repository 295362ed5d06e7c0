"""tffix's formatter against ``terraform fmt`` on a tree of real Terraform.

Usage: python bench/fmt_compare.py CORPUS_DIR [--mutate SEED] [--show N] [--terraform PATH]

Takes every file ``terraform fmt -recursive`` would visit under CORPUS_DIR
(``.tf``, ``.tfvars``, ``.tftest.hcl``, ``.tfmock.hcl``; names starting with
``.``, ending with ``~`` or wrapped in ``#`` skipped, like terraform; a ``fmt``
folder at the top, where bench/tf_verdicts.py keeps terraform's output, is
skipped too) and copies them to a temporary tree (terraform rewrites files in
place). Then, in the same run:

* ``terraform fmt -recursive`` on the copy, timed: the files it rewrote and
  the ones it rejects (named in its error output) are what tffix is held to;
* ``tffix.format.format_code`` on every file, timed (one process: read,
  parse, format);
* a byte-for-byte comparison on every file terraform accepts. Each difference
  is put in a category: the documented improvement that explains it (see
  ``tffix.format.IMPROVEMENTS``: with that one turned off through
  ``format_code(text, compat={name})``, tffix writes exactly terraform's
  output), several of them (``compat=True`` matches), or UNEXPLAINED (a
  bug: the exit status is then 1 and the first ones are printed).

``--mutate SEED`` first rewrites the whitespace of every copied file at
random (indentation, spaces and tabs between tokens, trailing spaces, CRLF
line endings for some files; never inside strings, heredocs or comments), so
that the formatter has real work to do on code that is mostly formatted
already.
"""

from __future__ import annotations

import argparse
import os
import random
import re
import shutil
import subprocess
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path

from tffix.syntax.errors import ParseError
from tffix.syntax.format import IMPROVEMENTS, format_code
from tffix.syntax.lexer import LexError, tokenize
from tffix.syntax.parser import parse

EXTENSIONS = (".tf", ".tfvars", ".tftest.hcl", ".tfmock.hcl")
ANSI = re.compile(r"\x1b\[[0-9;]*m")


def ignored(name: str) -> bool:
    """Names terraform skips (configs.IsIgnoredFile)."""
    return name.startswith(".") or name.endswith("~") or (name.startswith("#") and name.endswith("#"))


def collect(root: Path) -> list[Path]:
    out: list[Path] = []
    for folder, dirs, files in os.walk(root):
        here = Path(folder)
        dirs[:] = sorted(d for d in dirs if not ignored(d) and not (here == root and d == "fmt"))
        for name in sorted(files):
            if not ignored(name) and name.endswith(EXTENSIONS):
                out.append((here / name).relative_to(root))
    return out


def read(path: Path) -> str:
    return path.read_bytes().decode("utf-8", errors="surrogateescape")


def write(path: Path, text: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(text.encode("utf-8", errors="surrogateescape"))


# ---- whitespace mutation ----------------------------------------------------

_LITERAL = {"QLIT", "HLIT", "CQUOTE", "CHEREDOC", "TINTERP"}  # their `pre` is string content
_PUNCT = {"LBRACE", "RBRACE", "LBRACK", "RBRACK", "LPAREN", "RPAREN", "COMMA"}
_PIECE = re.compile(r"[ \t]+|\r?\n|(?:#|//)[^\r\n]*|/\*.*?\*/", re.S)


def _spaces(rng: random.Random) -> str:
    return "".join(rng.choice(" \t ") for _ in range(rng.randint(1, 3)))


def mutate(text: str, rng: random.Random) -> str:
    """Same tokens, other whitespace."""
    try:
        tokens = list(tokenize(text))
    except LexError:
        return text
    out: list[str] = ["\ufeff"] if text.startswith("\ufeff") else []
    prev = None
    for tok in tokens:
        if tok.type in _LITERAL or tok.type.startswith("TCTRL_") or tok.type == "EOF" or (tok.type == "NL" and not tok):
            out.append(tok.pre + tok)
            prev = tok
            continue
        pre = tok.pre
        pieces = [m.group() for m in _PIECE.finditer(pre)]
        if "".join(pieces) != pre:  # pragma: no cover - trivia is only these
            pieces = [pre]
        new: list[str] = []
        for p in pieces:
            if p.strip(" \t") == "":
                joinable = prev is not None and (prev.type in _PUNCT or tok.type in _PUNCT) and not new
                new.append("" if joinable and rng.random() < 0.3 else _spaces(rng))
            else:
                if p in ("\n", "\r\n") and rng.random() < 0.2:
                    new.append(_spaces(rng))  # trailing spaces
                new.append(p)
        if not new or new[-1] in ("\n", "\r\n"):
            if rng.random() < 0.5:
                new.append(_spaces(rng))  # indentation, or a space where there was none
        elif not pieces and prev is not None and rng.random() < 0.3:
            new.append(_spaces(rng))
        out.append("".join(new) + tok)
        prev = tok
    result = "".join(out)
    if rng.random() < 0.1:
        result = re.sub(r"(?<!\r)\n", "\r\n", result)
    try:
        parse(result)
    except ParseError:
        return text  # a mutation tffix cannot read back: keep the original
    return result


# ---- categories -------------------------------------------------------------


def first_difference(a: str, b: str) -> tuple[int, str, str]:
    la, lb = a.splitlines(True), b.splitlines(True)
    for i, (x, y) in enumerate(zip(la, lb)):
        if x != y:
            return i + 1, x, y
    n = min(len(la), len(lb))
    return n + 1, la[n] if n < len(la) else "", lb[n] if n < len(lb) else ""


def categorize(text: str, theirs: str) -> str:
    """Which documented improvement explains the difference: with it turned
    off (``compat``), tffix writes exactly terraform's output."""
    for name, what in IMPROVEMENTS.items():
        if format_code(text, compat={name}) == theirs:
            return f"improvement: {what}"
    if format_code(text, compat=True) == theirs:
        changed = [n for n in IMPROVEMENTS if format_code(text, compat={n}) != format_code(text)]
        return "improvements: " + ", ".join(changed)
    return "UNEXPLAINED"


# ---- main -------------------------------------------------------------------


def main(argv: list[str]) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("corpus", type=Path)
    ap.add_argument("--mutate", type=int, metavar="SEED", help="rewrite whitespace at random first")
    ap.add_argument("--show", type=int, default=20, help="unexplained differences to print")
    ap.add_argument("--terraform", default=shutil.which("terraform"))
    args = ap.parse_args(argv)
    if not args.terraform:
        print("terraform is not on PATH", file=sys.stderr)
        return 2
    env = dict(os.environ, TF_CLI_CONFIG_FILE=os.devnull, CHECKPOINT_DISABLE="1")
    root: Path = args.corpus.resolve()
    files = collect(root)
    rng = random.Random(args.mutate)
    parse("a = 1\n")  # load the grammar before timing
    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp) / "tree"
        inputs: dict[Path, str] = {}
        for rel in files:
            text = read(root / rel)
            if args.mutate is not None:
                text = mutate(text, rng)
            inputs[rel] = text
            write(work / rel, text)
            write(Path(tmp) / "src" / rel, text)

        start = time.perf_counter()
        proc = subprocess.run([args.terraform, "fmt", "-recursive", "-no-color", str(work)],
                              capture_output=True, env=env)
        tf_time = time.perf_counter() - start
        rejected = set()
        for m in re.finditer(r"on (.+?) line \d+", ANSI.sub("", proc.stderr.decode(errors="replace"))):
            p = Path(m.group(1))
            p = p if p.is_absolute() else Path(os.path.normpath(Path.cwd() / p))
            try:
                rejected.add(p.relative_to(work))
            except ValueError:
                pass
        expected = {rel: read(work / rel) for rel in files}

        ours: dict[Path, str | None] = {}
        start = time.perf_counter()
        for rel in files:
            try:
                ours[rel] = format_code(read(Path(tmp) / "src" / rel))
            except ParseError:
                ours[rel] = None
        tffix_time = time.perf_counter() - start

    accepted = [rel for rel in files if rel not in rejected]
    identical = [rel for rel in accepted if ours[rel] == expected[rel]]
    changed = sum(1 for rel in accepted if inputs[rel] != expected[rel])
    categories: Counter[str] = Counter()
    unexplained: list[str] = []
    for rel in accepted:
        mine, theirs = ours[rel], expected[rel]
        if mine == theirs:
            continue
        if mine is None:
            cat = "tffix rejects a file terraform accepts"
        else:
            cat = categorize(inputs[rel], theirs)
        categories[cat] += 1
        if not cat.startswith("improvement"):
            line, a, b = first_difference(mine or "", theirs)
            unexplained.append(f"{rel}:{line}: {cat}\n    tffix:     {a!r}\n    terraform: {b!r}")
    tffix_rejects_too = sum(1 for rel in rejected if ours[rel] is None)

    n = len(accepted)
    print(f"files: {len(files)} ({n} accepted by terraform, {changed} of them reformatted by terraform; "
          f"{len(rejected)} rejected, {tffix_rejects_too} of those rejected by tffix too)")
    print(f"identical output: {len(identical)}/{n} = {100 * len(identical) / max(n, 1):.2f}%")
    improvements = sum(v for k, v in categories.items() if k.startswith("improvement"))
    print(f"identical or a documented improvement: {len(identical) + improvements}/{n} = "
          f"{100 * (len(identical) + improvements) / max(n, 1):.2f}%")
    for cat, count in categories.most_common():
        print(f"  {count:5d}  {cat}")
    print(f"speed: terraform fmt -recursive {len(files)} files in {tf_time:.2f}s = {len(files) / tf_time:.0f} files/s; "
          f"tffix {tffix_time:.2f}s = {len(files) / tffix_time:.0f} files/s "
          f"({tffix_time / tf_time:.1f}x terraform's time)")
    for line in unexplained[: args.show]:
        print(line)
    return 0 if not unexplained else 1


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
