"""A module's run leaves its objects to reference counting (``runner.process`` turns the
cyclic garbage collector off while a module runs): its trees, files and index are freed
when it is done, not kept in cycles for a collector that runs later (or, with it off,
never)."""

from __future__ import annotations

import gc
import shutil
from collections import Counter
from pathlib import Path

from tffix.app import runner
from tffix.app.discovery import discover
from tffix.app.run import DRY_RUN, Settings, configure

EXAMPLES = Path(__file__).resolve().parent.parent / "examples"
# what a module's work is made of: none of it may be left in cycles
HEAVY = {"SourceFile", "File", "Block", "Body", "Token", "Module", "ModuleIndex", "BlockRef", "Finding"}


def test_a_module_run_leaves_no_tree_or_index_in_cycles(tmp_path: Path) -> None:
    shutil.copytree(EXAMPLES, tmp_path / "examples")
    rules, options = configure(Settings(unsafe_fixes=True, mode=DRY_RUN), [tmp_path / "examples"])
    job = runner.Job(rules=rules, options=options)
    specs, _ = discover([tmp_path / "examples"])
    assert specs
    gc.collect()
    was = gc.isenabled()
    gc.disable()
    gc.set_debug(gc.DEBUG_SAVEALL)
    try:
        outcomes = [runner.process(spec, job) for spec in specs]
        gc.disable()  # ``process`` turned it back on
        del outcomes
        gc.collect()
        left = Counter(type(o).__name__ for o in gc.garbage)
    finally:
        gc.set_debug(0)
        gc.garbage.clear()
        if was:
            gc.enable()
    assert not HEAVY & set(left), left
    assert sum(left.values()) < 500, left.most_common(10)
