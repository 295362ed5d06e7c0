"""Differential fuzzing of the formatter against ``terraform fmt``.

Usage: python bench/fmt_fuzz.py [--seed N] [--count N] [--keep DIR]

Generates random Terraform files that stress the layout rules (odd spacing,
tabs, newlines and comments inside brackets, heredocs in calls, templates
with directives, interpolations to unwrap, labels, one-line blocks, legacy
types, CRLF, missing final newlines), runs ``terraform fmt`` on all of them in
one run (file mode: exact bytes), and checks for every file:

* tffix accepts exactly the files terraform accepts;
* ``format_code(text, compat=True)`` is terraform's output byte for byte;
* ``format_code(text)`` parses and is idempotent.

Prints the failures (and writes the inputs to ``--keep``); exit status 1 if
there is any.
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
from pathlib import Path

from tffix.syntax.errors import ParseError
from tffix.syntax.format import format_code
from tffix.syntax.parser import parse


class Generator:
    def __init__(self, seed: int) -> None:
        self.r = random.Random(seed)

    def ws(self) -> str:
        return self.r.choice(["", " ", "  ", "\t", " \t "])

    def nlws(self) -> str:
        """Trivia where newlines are allowed (inside brackets)."""
        c = self.r.random()
        if c < 0.05:
            return "\n\n" + self.ws()
        if c < 0.08:
            return self.ws() + "/* multi\n  line */" + self.ws()
        if c < 0.5:
            return self.ws()
        if c < 0.7:
            return self.ws() + "\n" + self.ws()
        if c < 0.8:
            return self.ws() + "# c" + self.r.choice(["", "  "]) + "\n" + self.ws()
        if c < 0.9:
            return self.ws() + "/* b */" + self.ws()
        return self.ws() + "// s\n" + self.ws() + "\n"

    def ident(self) -> str:
        return self.r.choice(["a", "bb", "ccc_d", "in", "for", "if", "x-y", "é", "e\u0301", "日本", "count", "var"])

    def leaf(self) -> str:
        return self.r.choice([
            "1", "-1", "1.5", "true", "null", "var.x", "a.b[0].c", "x.*.id", "y[*].z", "a.0", "var.m[true]",
            '"s"', '"a ${var.b} c"', '"${ x }"', '"%{ if c }y%{ else }n%{ endif }"', '"$${lit}"',
            "provider::aws::f(1)", '"${~ x ~}"', '"${-1}"', '""', '"a\\"b"',
        ])

    def expr(self, d: int = 0, multi: bool = True) -> str:
        r = self.r
        if d > 3:
            return self.leaf()
        k = r.randrange(15)
        n = self.nlws if multi else self.ws
        ws = self.ws

        def sub() -> str:
            return self.expr(d + 1, multi)

        if k == 0:
            items = [sub() for _ in range(r.randrange(4))]
            return "[" + n() + ("," + n()).join(items) + (r.choice(["", ","]) if items else "") + n() + "]"
        if k == 1:
            items, keys = [], set()
            for _ in range(r.randrange(4)):
                key = r.choice([self.ident(), '"k"', "(var.k)", '"${x}"'])
                if key in keys or key == "for":
                    continue
                keys.add(key)
                items.append(key + ws() + r.choice(["=", ":"]) + ws() + sub())
            if not items:
                return "{" + ws() + "}"
            if multi and r.random() < 0.5:
                lines = "".join(ws() + it + r.choice(["", ","]) + r.choice(["", " # t"]) + "\n" for it in items)
                return "{\n" + lines + ws() + "}"
            return "{" + ws() + ("," + ws()).join(items) + ws() + "}"
        if k == 2:
            op = r.choice(["+", "-", "*", "/", "%", "==", "!=", "<", ">", "<=", ">=", "&&", "||"])
            return sub() + " " + op + n() + sub()
        if k == 3:
            return sub() + ws() + "?" + n() + sub() + n() + ":" + n() + sub()
        if k == 4:
            args = [sub() for _ in range(r.randrange(4))]
            end = r.choice(["", "...", ","]) if args else ""
            return r.choice(["f", "merge", "provider::p::g"]) + "(" + n() + ("," + n()).join(args) + end + n() + ")"
        if k == 5:
            cond = r.choice(["", " if " + sub()])
            intro = "for " + r.choice(["v", "k, v"]) + " in " + sub()
            return "[" + n() + intro + n() + ":" + n() + sub() + cond + n() + "]"
        if k == 6:
            tail = r.choice(["", "..."]) + r.choice(["", " if " + sub()])
            intro = "for k, v in " + sub() + n() + ":" + n()
            return "{" + n() + intro + sub() + n() + "=>" + n() + sub() + tail + n() + "}"
        if k == 7:
            return "(" + n() + sub() + n() + ")"
        if k == 8:
            return r.choice(["!", "-"]) + ws() + sub()
        if k == 9 and multi:
            marker, dash = r.choice(["EOT", "EOF"]), r.choice(["", "-"])
            body = "".join(r.choice(["  text  ", "\tx ${ var.a } y", "%{ for x in xs }${x}%{ endfor }", "", "   "])
                           + "\n" for _ in range(r.randrange(3)))
            return f"<<{dash}{marker}\n{body}{r.choice(['', '  ']) if dash else ''}{marker}\n"
        if k == 10:
            return '"' + r.choice(["", "a", " "]) + "${" + ws() + sub() + ws() + "}" + r.choice(["", "b"]) + '"'
        if k == 11:
            return sub() + "[" + ws() + sub() + ws() + "]"
        if k == 12 and multi and d < 2:
            more = r.choice(["", ", " + sub(), ",\n<<X\nz\nX\n"])
            return "f(" + n() + f"<<EOT\n${{ {sub()} }}\n%{{ if x }}\n  y\n%{{ endif }}\nEOT\n" + more + n() + ")"
        if k == 13 and multi:
            return '"a ${' + ws() + "f(\n" + sub() + ",\n" + ws() + sub() + ")" + ws() + '} b"'
        if k == 12:
            return '"${' + n() + sub() + n() + '}"'
        return self.leaf()

    def body(self, d: int = 0) -> str:
        r, ws = self.r, self.ws
        out, used = [], set()
        for _ in range(r.randrange(6)):
            k = r.randrange(6)
            ind = r.choice(["", "  " * d, "   ", "\t"])
            if k <= 2:
                name = self.ident()
                if name in used:
                    continue
                used.add(name)
                e = self.expr()
                end = "" if e.endswith("\n") else r.choice(["", " # c", " // d", " /* e */", "   "]) + "\n"
                out.append(f"{ind}{name}{ws()}={ws()}{e}{end}")
            elif k == 3:
                out.append(ind + r.choice(["# note", "", "/* x */", "// y", "/* multi\nline */"]) + "\n")
            elif k == 4 and d < 3:
                labels = " ".join(r.choice(['"l"', "l", '"a b"', '"x\\u0041"', '/* c */ "m"', '"a$b"', '"%"', '"é"'])
                                  for _ in range(r.randrange(3)))
                inner = self.body(d + 1)
                out.append(f"{ind}{self.ident()} {labels}{ws()}{{{r.choice(['', ' # hdr'])}\n{inner}{ind}}}\n")
            else:
                name = self.ident()
                if name in used:
                    continue
                used.add(name)
                e = self.expr(multi=False)
                if "<<" in e:
                    continue
                one = f"{ind}blk{ws()}{{{ws()}{name}{ws()}={ws()}{e}{ws()}}}\n"
                out.append(one if r.random() < 0.7 else f"{ind}blk {{{ws()}}}\n")
        return "".join(out)

    def file(self) -> str:
        r = self.r
        text = self.body()
        if r.random() < 0.1:
            text = text.replace("\n", "\r\n")
        if r.random() < 0.1:
            text = text.rstrip("\r\n")
        if r.random() < 0.1:
            kind = r.choice(['"string"', '"list"', '"map"', "list", "set", "map", '"set"'])
            text = f'variable "v" {{\n type = {kind}\n}}\n' + text
        return text


def generate(seed: int, count: int) -> dict[str, str]:
    gen = Generator(seed)
    return {f"g{i:05d}.tf": gen.file() for i in range(count)}


def terraform_fmt(terraform: str, texts: dict[str, str]) -> dict[str, str | None]:
    env = dict(os.environ, TF_CLI_CONFIG_FILE=os.devnull, CHECKPOINT_DISABLE="1")
    with tempfile.TemporaryDirectory() as tmp:
        for name, text in texts.items():
            Path(tmp, name).write_bytes(text.encode())
        proc = subprocess.run([terraform, "fmt", "-no-color", "-recursive", tmp], capture_output=True, env=env)
        rejected = set(re.findall(r"(g\d{5}\.tf) line \d+", proc.stderr.decode(errors="replace")))
        return {name: None if name in rejected else Path(tmp, name).read_bytes().decode() for name in texts}


def check(texts: dict[str, str], theirs: dict[str, str | None]) -> list[str]:
    """Every disagreement, as a one-paragraph message."""
    failures = []
    for name, text in texts.items():
        expected = theirs[name]
        try:
            compat = format_code(text, compat=True)
        except ParseError as e:
            if expected is not None:
                failures.append(f"{name}: tffix rejects a file terraform accepts: {e.message}")
            continue
        if expected is None:
            failures.append(f"{name}: terraform rejects a file tffix accepts")
            continue
        if compat != expected:
            a, b = compat.splitlines(True), expected.splitlines(True)
            line = next((i for i, (x, y) in enumerate(zip(a, b)) if x != y), min(len(a), len(b)))
            mine = a[line] if line < len(a) else ""
            tf = b[line] if line < len(b) else ""
            failures.append(f"{name}:{line + 1}: compat output differs\n  tffix:     {mine!r}\n  terraform: {tf!r}")
        ours = format_code(text)
        try:
            parse(ours)
        except ParseError as e:
            failures.append(f"{name}: tffix's output does not parse: {e.message}")
            continue
        if format_code(ours) != ours:
            failures.append(f"{name}: tffix's output is not idempotent")
    return failures


def main(argv: list[str]) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--count", type=int, default=1000)
    ap.add_argument("--keep", type=Path, help="write the failing inputs here")
    ap.add_argument("--terraform", default=shutil.which("terraform"))
    args = ap.parse_args(argv)
    if not args.terraform:
        print("terraform is not on PATH", file=sys.stderr)
        return 2
    texts = generate(args.seed, args.count)
    theirs = terraform_fmt(args.terraform, texts)
    failures = check(texts, theirs)
    accepted = sum(1 for v in theirs.values() if v is not None)
    print(f"seed {args.seed}: {len(texts)} files, {accepted} accepted by terraform, {len(failures)} failures")
    for f in failures[:20]:
        print(f)
    if args.keep and failures:
        args.keep.mkdir(parents=True, exist_ok=True)
        for f in failures:
            name = f.split(":")[0]
            (args.keep / name).write_bytes(texts[name].encode())
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
