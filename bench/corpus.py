"""Parser checks on a corpus of real Terraform: agreement with terraform's
verdicts, byte-exact round trips, and speed.

Usage: python bench/corpus.py CORPUS_DIR

CORPUS_DIR holds .tf / .tfvars / .tofu files (any depth) and a ``verdicts.tsv``
written by ``bench/tf_verdicts.py`` (columns: path, rc of ``terraform fmt
-check``, error). For every file with a verdict: does tffix accept exactly
what terraform accepts (rc 0 or 3 = accepted, 2 = rejected), and does every
accepted file print back byte for byte? Prints the counts, lines/s, and every
disagreement with both sides' messages.
"""

from __future__ import annotations

import csv
import sys
import time
from pathlib import Path

import tffix


def main(argv: list[str]) -> int:
    if len(argv) != 1:
        print(__doc__)
        return 2
    root = Path(argv[0])
    table = root / "verdicts.tsv"
    if not table.exists():
        print(f"{table} not found: run bench/tf_verdicts.py {root} first", file=sys.stderr)
        return 2
    with table.open(newline="") as f:
        rows = list(csv.reader(f, delimiter="\t"))
    if rows and rows[0][:2] == ["path", "rc"]:
        rows = rows[1:]
    tffix.parse("a = 1\n")
    files = lines = agree = accepted = exact = 0
    disagreements: list[str] = []
    not_exact: list[str] = []
    parse_time = 0.0
    for row in rows:
        rel, rc = row[0], int(row[1])
        tf_error = row[2] if len(row) > 2 else ""
        try:
            text = (root / rel).read_bytes().decode("utf-8")
        except (OSError, UnicodeDecodeError):
            continue
        files += 1
        lines += text.count("\n") + 1
        start = time.perf_counter()
        try:
            tree = tffix.parse(text, rel)
            ok, err = True, ""
        except tffix.ParseError as e:
            tree, ok, err = None, False, str(e).splitlines()[0]
        parse_time += time.perf_counter() - start
        terraform_ok = rc in (0, 3)
        if ok == terraform_ok:
            agree += 1
        else:
            disagreements.append(f"{rel}: terraform {'accepts' if terraform_ok else 'rejects: ' + tf_error}; "
                                 f"tffix {'accepts' if ok else 'rejects: ' + err}")
        if ok and terraform_ok:
            accepted += 1
            if tree.code == text:
                exact += 1
            else:
                not_exact.append(rel)
    print(f"files: {files}, lines: {lines}")
    print(f"accept/reject agreement with terraform: {agree}/{files} ({100 * agree / max(files, 1):.3f}%)")
    print(f"byte-exact round trip: {exact}/{accepted} files terraform accepts")
    print(f"parse+print speed: {lines / max(parse_time, 1e-9):,.0f} lines/s (single process)")
    for line in disagreements:
        print("  disagree:", line)
    for rel in not_exact:
        print("  not byte-exact:", rel)
    return 0 if not disagreements and not not_exact else 1


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
