"""Regenerate the state and plan fixtures in ``tests/fixtures/state/`` with
terraform itself, offline (the oracle's stub provider, ``deploy.py``).

    python -m tests.oracle.make_state_fixtures          # writes the fixtures
    python -m tests.oracle.make_state_fixtures --check  # compares, writes nothing

1. ``applied/`` (a root module and its child module ``modules/db``) is
   copied to a temporary directory and applied: ``terraform.tfstate`` (the
   raw state, format version 4) and ``show-state.json`` (``terraform show
   -json``) are the result;
2. the files of ``changed/`` replace it (same state) and are planned:
   ``show-plan.json`` is ``terraform show -json tfplan``.

The JSON terraform prints on one line is written indented (2 spaces, key
order kept); the state file is copied as terraform wrote it. Between runs only
the state's ``lineage``, the plan's ``timestamp`` and terraform's version can
differ: the stub's ids and values are deterministic. ``--check`` regenerates
in a temporary directory and compares everything else (``test_oracle_deploy``
does the same).
"""

from __future__ import annotations

import argparse
import json
import shutil
import sys
import tempfile
from pathlib import Path

from . import deploy

__all__ = ["FIXTURES", "generate", "normalized"]

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "state"
OUTPUTS = ("terraform.tfstate", "show-state.json", "show-plan.json")


def _copy_module(source: Path, target: Path) -> None:
    for path in source.rglob("*.tf"):
        dest = target / path.relative_to(source)
        dest.parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(path, dest)


def _replace_module(source: Path, target: Path) -> None:
    for path in target.rglob("*.tf"):
        path.unlink()
    _copy_module(source, target)


def _dump(data: dict) -> str:
    return json.dumps(data, indent=2, ensure_ascii=False) + "\n"


def generate(out: Path, fixtures: Path = FIXTURES) -> dict[str, Path]:
    """Apply ``applied/``, plan ``changed/`` against that state; write the three outputs to ``out``."""
    out.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix="tffix-state-fixtures-") as tmp:
        work = Path(tmp) / "root"
        _copy_module(fixtures / "applied", work)
        with deploy.session(work) as tf:
            state_file = tf.apply()
            shutil.copy2(state_file, out / "terraform.tfstate")
            (out / "show-state.json").write_text(_dump(tf.show()))
        _replace_module(fixtures / "changed", work)
        with deploy.session(work) as tf:
            (out / "show-plan.json").write_text(_dump(tf.plan()))
    return {name: out / name for name in OUTPUTS}


def normalized(path: Path) -> dict:
    """A fixture's JSON without what changes between runs (lineage, timestamp, versions)."""
    data = json.loads(path.read_text())

    def scrub(node: object) -> object:
        if isinstance(node, dict):
            return {k: scrub(v) for k, v in node.items()
                    if k not in ("lineage", "timestamp", "terraform_version", "serial")}
        if isinstance(node, list):
            return [scrub(v) for v in node]
        return node

    return scrub(data)  # type: ignore[return-value]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--check", action="store_true", help="regenerate in a temporary directory and compare")
    args = parser.parse_args(argv)
    if not args.check:
        written = generate(FIXTURES)
        for path in written.values():
            print(f"wrote {path.relative_to(FIXTURES.parents[2])} ({path.stat().st_size} bytes)")
        return 0
    with tempfile.TemporaryDirectory() as tmp:
        fresh = generate(Path(tmp))
        differ = [name for name, path in fresh.items() if normalized(path) != normalized(FIXTURES / name)]
    for name in differ:
        print(f"differs from a fresh run: tests/fixtures/state/{name}")
    return 1 if differ else 0


if __name__ == "__main__":
    sys.exit(main())
