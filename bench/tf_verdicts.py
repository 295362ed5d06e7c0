"""Record terraform's verdict on every file of a corpus, for bench/corpus.py
and the formatter comparison.

Usage: python bench/tf_verdicts.py CORPUS_DIR [--jobs N]

Writes CORPUS_DIR/verdicts.tsv (path, rc of ``terraform fmt -check``, first
error summary for rejected files; rc 0 = formatted, 3 = accepted but would be
reformatted, 2 = syntax error) and, for every accepted file, terraform's
formatted text at CORPUS_DIR/fmt/<path>. Needs terraform on PATH; runs it once
per file on stdin, so nothing in the corpus is modified.
"""

from __future__ import annotations

import argparse
import os
import re
import shutil
import subprocess
import sys
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

EXTENSIONS = (".tf", ".tfvars")
ANSI = re.compile(r"\x1b\[[0-9;]*m")


def verdict(terraform: str, path: Path) -> tuple[int, str, str]:
    env = dict(os.environ, TF_CLI_CONFIG_FILE=os.devnull, CHECKPOINT_DISABLE="1")
    data = path.read_bytes()
    check = subprocess.run([terraform, "fmt", "-check", "-no-color", str(path)], capture_output=True, env=env)
    error = ""
    if check.returncode == 2:
        for line in ANSI.sub("", check.stderr.decode(errors="replace")).splitlines():
            m = re.search(r"Error: (.+)", line)
            if m:
                error = m.group(1).strip()
                break
        return 2, error, ""
    formatted = subprocess.run([terraform, "fmt", "-no-color", "-"], input=data, capture_output=True, env=env)
    return check.returncode, error, formatted.stdout.decode("utf-8", errors="surrogateescape")


def main(argv: list[str]) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("corpus", type=Path)
    ap.add_argument("--jobs", type=int, default=os.cpu_count() or 1)
    args = ap.parse_args(argv)
    terraform = shutil.which("terraform")
    if terraform is None:
        print("terraform is not on PATH: nothing to record", file=sys.stderr)
        return 2
    root: Path = args.corpus
    files = sorted(p for p in root.rglob("*") if p.suffix in EXTENSIONS and p.is_file() and "fmt" not in
                   p.relative_to(root).parts[:1])
    with ThreadPoolExecutor(args.jobs) as pool:
        results = list(pool.map(lambda p: verdict(terraform, p), files))
    with (root / "verdicts.tsv").open("w") as out:
        out.write("path\trc\terror\n")
        for path, (rc, error, formatted) in zip(files, results):
            rel = path.relative_to(root)
            out.write(f"{rel}\t{rc}\t{error}\n")
            if rc in (0, 3):
                target = root / "fmt" / rel
                target.parent.mkdir(parents=True, exist_ok=True)
                target.write_bytes(formatted.encode("utf-8", errors="surrogateescape"))
    counts = {rc: sum(1 for r in results if r[0] == rc) for rc in (0, 2, 3)}
    print(f"{len(files)} files: {counts[0]} formatted, {counts[3]} would be reformatted, {counts[2]} rejected")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
