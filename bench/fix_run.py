"""What tffix proposes on real code, and whether what it writes is sound.

Usage: python bench/fix_run.py DIR [DIR ...]

Each DIR is copied to a temporary directory and fixed there with
``tffix --unsafe-fixes`` (the originals are never written). Prints:

* per rule: fixes applied, findings left (reported), and in how many top-level
  directories of DIR (one per repository in a corpus of checked-out repos);
* for the changed ``.tf`` files: how many ``terraform fmt`` cannot parse, how many
  python-hcl2 cannot parse (and how many of those it could not parse before
  either), and how many of the files that were fmt-clean before are fmt-clean after;
* what a second run over the fixed copy would change (idempotence: 0 expected).

terraform and python-hcl2 are optional: a missing one is said and skipped.
"""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
import tempfile
from collections import Counter, defaultdict
from pathlib import Path


def tffix_json(*args: str) -> dict:
    proc = subprocess.run([sys.executable, "-c", "from tffix.app.cli import main; main()", "run", "--unsafe-fixes",
                           "--no-progress", "--format", "json", *args], capture_output=True, text=True)
    return json.loads(proc.stdout)


def fmt_rc(terraform: str | None, path: Path) -> int | None:
    """0 clean, 3 would reformat, 2 cannot parse; None without terraform."""
    if terraform is None:
        return None
    return subprocess.run([terraform, "fmt", "-check", "-no-color", str(path)], capture_output=True).returncode


def hcl2_parses(path: Path) -> bool | None:
    try:
        import hcl2
    except ImportError:
        return None
    try:
        hcl2.loads(path.read_text(encoding="utf-8-sig"))
    except Exception:  # noqa: BLE001 - any failure is a failure to parse
        return False
    return True


def repo_of(path: str, roots: list[Path]) -> str:
    for root in roots:
        try:
            rel = Path(path).relative_to(root)
        except ValueError:
            continue
        return f"{root.name}/{rel.parts[0]}" if len(rel.parts) > 1 else root.name
    return path


def main(argv: list[str]) -> int:
    if not argv:
        print(__doc__)
        return 2
    terraform = shutil.which("terraform")
    with tempfile.TemporaryDirectory() as tmp:
        copies = []
        for i, src in enumerate(map(Path, argv)):
            dest = Path(tmp) / f"{i}-{src.resolve().name}"
            shutil.copytree(src, dest, symlinks=True)
            copies.append((src, dest))
        roots = [dest for _, dest in copies]
        first = tffix_json(*map(str, roots))

        fixed: Counter[str] = Counter()
        reported: Counter[str] = Counter()
        repos: defaultdict[str, set[str]] = defaultdict(set)
        for f in first["fixed"]:
            fixed[f["rule_id"]] += 1
            repos[f["rule_id"]].add(repo_of(f["path"], roots))
        for f in first["findings"]:
            if not f.get("applied"):
                reported[f["rule_id"]] += 1
                repos[f["rule_id"]].add(repo_of(f["path"], roots))
        print(f"run: {first['summary']}, input errors {len(first['errors'])}")
        print("rule\tfixed\treported\tdirectories")
        for rule in sorted(set(fixed) | set(reported)):
            print(f"{rule}\t{fixed[rule]}\t{reported[rule]}\t{len(repos[rule])}")

        changed, created = [], []
        for src, dest in copies:
            for path in sorted(dest.rglob("*.tf")):
                original = src / path.relative_to(dest)
                if not original.exists():
                    created.append((None, path))
                elif original.read_bytes() != path.read_bytes():
                    changed.append((original, path))
        files = changed + created
        print(f"changed .tf files: {len(changed)}, new .tf files: {len(created)}")
        if terraform is None:
            print("terraform not found: parse and fmt-clean checks skipped")
        else:
            unparsable = [str(p) for _, p in files if fmt_rc(terraform, p) == 2]
            clean_before = [(o, p) for o, p in changed if fmt_rc(terraform, o) == 0]
            still = sum(1 for _, p in clean_before if fmt_rc(terraform, p) == 0)
            print(f"terraform cannot parse: {len(unparsable)} {unparsable[:5]}")
            print(f"fmt-clean before: {len(clean_before)}, of those fmt-clean after: {still}")
        verdicts = [(o, hcl2_parses(p)) for o, p in files]
        if any(v is None for _, v in verdicts):
            print("python-hcl2 not installed: its check skipped")
        else:
            failing = [o for o, ok in verdicts if not ok]
            before = sum(1 for o in failing if o is not None and not hcl2_parses(o))
            print(f"python-hcl2 cannot parse: {len(failing)} (it cannot parse the original of {before})")

        second = tffix_json("--dry-run", *map(str, roots))
        print(f"second run changes {second['summary']['changed']} file(s)")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
