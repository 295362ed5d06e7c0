"""Do tffix's fixes keep real modules valid? The provider-schema oracle over a corpus.

Usage: python bench/oracle_corpus.py CORPUS_DIR [--jobs N] [--json OUT]

CORPUS_DIR holds one directory per repository. It is copied twice to a
temporary directory (the original is never written); in both copies every
module call to a registry or git source is replaced by a permissive stub
module (tests/oracle/offline.py: nothing can be downloaded). ``tffix run
--unsafe-fixes`` fixes the second copy. Every directory holding ``.tf`` files
is a module; each module tffix changed is validated (``terraform init`` +
``validate`` against the real AWS schema, tests/oracle) before and after, and
so is every module that calls a changed module. Prints:

* modules, modules changed, changed modules valid before, valid after;
* each module that was valid before and is not after: the rules whose fixes
  changed it, the rule that breaks it when applied alone, terraform's error;
* why modules were not valid before (init and validate, by first error kind).

The oracle's cache is built on first use (tests/oracle/README.md).
"""

from __future__ import annotations

import argparse
import json
import shutil
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from tests.oracle import ensure
from tests.oracle.fixcheck import check, run_tffix
from tests.oracle.offline import STUB_DIR, localize


def modules(tree: Path) -> list[Path]:
    found = {p.parent for p in tree.rglob("*.tf")}
    return sorted(d for d in found if not ({".terraform", ".git", STUB_DIR} & set(d.relative_to(tree).parts)))


def callers(tree: Path, targets: set[Path]) -> set[Path]:
    """Modules whose local module calls reach one of ``targets`` (transitively)."""
    import re

    calls: dict[Path, set[Path]] = {}
    for module in modules(tree):
        text = "".join(p.read_text(encoding="utf-8", errors="replace") for p in module.glob("*.tf"))
        calls[module] = {(module / s).resolve() for s in re.findall(r'source\s*=\s*"(\.\.?/[^"]*)"', text)}
    reach = {t.resolve() for t in targets}
    grew = True
    while grew:
        grew = False
        for module, called in calls.items():
            if module.resolve() not in reach and called & reach:
                reach.add(module.resolve())
                grew = True
    return {m for m in calls if m.resolve() in reach}


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("corpus", type=Path)
    parser.add_argument("--jobs", type=int, default=2)
    parser.add_argument("--json", type=Path)
    args = parser.parse_args(argv)
    started = time.monotonic()
    ensure()
    with tempfile.TemporaryDirectory(prefix="tffix-oracle-corpus-") as tmp:
        before_tree, after_tree = Path(tmp) / "before", Path(tmp) / "after"
        shutil.copytree(args.corpus, before_tree, symlinks=True)
        stubbed = len(localize(before_tree))
        shutil.copytree(before_tree, after_tree, symlinks=True)
        report = run_tffix([d for d in sorted(after_tree.iterdir()) if d.is_dir() and d.name != STUB_DIR])
        all_modules = modules(before_tree)
        pairs = [(m, after_tree / m.relative_to(before_tree)) for m in all_modules]
        changed_dirs = {b for b, a in pairs if _changed(b, a)}
        affected = changed_dirs | callers(before_tree, changed_dirs)
        chosen = [(b, a) for b, a in pairs if b in affected]
        before, after, broken = check(chosen, report, jobs=args.jobs, changed_only=False,
                                      scope=lambda m: before_tree / m.relative_to(before_tree).parts[0])
        valid_before = [b for b, r in before.items() if r.ok]
        summary = {
            "corpus": str(args.corpus), "repositories": sum(1 for d in args.corpus.iterdir() if d.is_dir()),
            "modules": len(all_modules), "registry_or_git_calls_stubbed": stubbed,
            "changed_by_tffix": len(changed_dirs), "checked (changed or calling a changed module)": len(chosen),
            "valid_before": len(valid_before), "valid_after": sum(r.ok for r in after.values()),
            "newly_failing": len(broken), "fixes_applied": len(report["fixed"]),
            "seconds": round(time.monotonic() - started),
        }
        print(json.dumps(summary, indent=1))
        rows = []
        for b in broken:
            rel = b.before.relative_to(before_tree).as_posix()
            culprit = ",".join(b.culprits) or "?"
            rows.append({"module": rel, "fixed_by": b.rules, "breaks_alone": b.culprits, "error": b.message})
            print(f"NEWLY FAILING {rel}: {culprit} (fixed by {', '.join(b.rules) or 'none here'}): {b.message}")
        reasons = Counter(f"{r.step}: {r.errors[0].summary}" if r.errors else r.step
                          for r in before.values() if not r.ok)
        print("not valid before, by first error:")
        for reason, count in reasons.most_common(12):
            print(f"  {count:4d}  {reason}")
        if args.json:
            args.json.write_text(json.dumps({"summary": summary, "newly_failing": rows,
                                             "invalid_before": dict(reasons)}, indent=1))
    return 0


def _changed(before: Path, after: Path) -> bool:
    from tests.oracle.fixcheck import changed

    return changed(before, after)


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
