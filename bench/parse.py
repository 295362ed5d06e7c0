"""Parse+print speed of tffix against python-hcl2, measured in the same run.

Usage: python bench/parse.py [DIR ...]

For each DIR, every .tf / .tfvars / .tofu file below it is parsed and printed
back by tffix, and loaded by ``hcl2.loads`` (python-hcl2, the peer); then the
same for a generated 5,000-line file. Prints lines/s for both and the ratio.
Files either parser rejects are left out of both sides, so both do the same
work. Each measurement is the best of ``--repeat`` runs (default 3).
"""

from __future__ import annotations

import argparse
import sys
import time
from collections.abc import Callable
from pathlib import Path

import tffix

EXTENSIONS = {".tf", ".tfvars", ".tofu"}


def generated(lines: int = 5000) -> str:
    """A synthetic module of about ``lines`` lines mixing the common shapes."""
    out: list[str] = []
    i = 0
    while len(out) < lines:
        out += [
            f'resource "aws_s3_bucket" "b{i}" {{',
            f'  bucket = "bucket-{i}-${{var.env}}"',
            f"  count  = var.enabled ? {i % 3} : 0",
            "  tags = merge(var.tags, {",
            f'    Name = "b{i}" # name',
            "  })",
            "  lifecycle_rule {",
            "    enabled = true",
            '    prefix  = "logs/"',
            "  }",
            "}",
            "",
            f'output "o{i}" {{',
            f"  value = [for k, v in aws_s3_bucket.b{i} : v.arn if k != \"x\"]",
            "}",
            "",
        ]
        i += 1
    return "\n".join(out) + "\n"


def best_of(repeat: int, fn: Callable[[], None]) -> float:
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return min(times)


def measure(label: str, texts: list[str], repeat: int) -> None:
    import hcl2

    usable = []
    for text in texts:
        try:
            tffix.parse(text)
            hcl2.loads(text)
        except Exception:  # noqa: BLE001 - either side's rejection drops the file from both
            continue
        usable.append(text)
    lines = sum(t.count("\n") + 1 for t in usable)
    if not usable:
        print(f"{label}: no files both parsers accept")
        return

    def ours() -> None:
        for text in usable:
            assert tffix.parse(text).code == text

    def peer() -> None:
        for text in usable:
            hcl2.loads(text)

    t_ours = best_of(repeat, ours)
    t_peer = best_of(repeat, peer)
    print(
        f"{label}: {len(usable)} files, {lines} lines | tffix parse+print {lines / t_ours:,.0f} lines/s"
        f" | hcl2.loads {lines / t_peer:,.0f} lines/s | ratio {t_peer / t_ours:.2f}x"
    )


def main(argv: list[str]) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("dirs", nargs="*", type=Path)
    ap.add_argument("--repeat", type=int, default=3)
    args = ap.parse_args(argv)
    try:
        import hcl2  # noqa: F401
    except ImportError:
        print("python-hcl2 is not installed: pip install python-hcl2", file=sys.stderr)
        return 2
    tffix.parse("a = 1\n")  # load the grammar outside the timings
    for d in args.dirs:
        texts = []
        for p in sorted(d.rglob("*")):
            if p.suffix in EXTENSIONS and p.is_file():
                try:
                    texts.append(p.read_text(encoding="utf-8"))
                except (UnicodeDecodeError, OSError):
                    continue
        measure(str(d), texts, args.repeat)
    measure("generated 5,000-line file", [generated()], args.repeat)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
