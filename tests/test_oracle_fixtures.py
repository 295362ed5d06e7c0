"""Every fixture module that validates before `tffix --unsafe-fixes` must
validate after it (the provider-schema oracle, tests/oracle).

The fixtures: examples/, tests/fixtures/, each rule's documented example and
the rule tests' literal modules (tests/oracle/fixtures.py). tffix runs once
over all of them with every default rule; the modules it changed are
validated before and after (several per terraform run, tests/oracle/batch.py).

A module that validated before and fails after is a wrong fix. The known
ones are listed in EXPECTED_FAILURES, each with the rule that breaks it, the
fixture, terraform's error and why; the list is strict both ways: a new
breakage fails the test, and so does an entry that no longer breaks (remove
it once the rule is fixed).
"""

from __future__ import annotations

import shutil
import time
from pathlib import Path

from .oracle import fixcheck, fixtures
from .oracle.cache import Cache
from .test_oracle import oracle  # noqa: F401 - the session fixture

# (rule, fixture) -> (a fragment of terraform's first error, why the fix is wrong)
# (none today: every fixture valid before is valid after)
EXPECTED_FAILURES: dict[tuple[str, str], tuple[str, str]] = {}


def test_fixes_keep_every_fixture_valid(oracle: Cache, tmp_path: Path) -> None:  # noqa: F811
    started = time.monotonic()
    found = fixtures.collect()
    pairs = []
    names = {}
    for i, fixture in enumerate(found):
        before, after = tmp_path / "before" / f"{i:04d}", tmp_path / "after" / f"{i:04d}"
        fixtures.write(fixture, before)
        shutil.copytree(before, after)
        pairs.append((before, after))
        names[after] = fixture.name
    report = fixcheck.run_tffix([tmp_path / "after"])
    fixed = time.monotonic()
    before, after, broken = fixcheck.check(pairs, report)
    checked = sum(r.ok for r in before.values())
    print(f"\n{len(found)} fixture modules, {len(before)} changed by tffix ({fixed - started:.0f} s), "
          f"{checked} of those valid before, {sum(r.ok for r in after.values())} valid after "
          f"({time.monotonic() - fixed:.0f} s)")
    assert checked >= 150, "too few fixtures validate before: is the oracle working?"

    seen = {}
    for b in broken:
        name = names[b.after]
        culprits = b.culprits or b.rules
        print(f"BROKEN {name}: {', '.join(culprits)} (fixed by {', '.join(b.rules)}): {b.message}")
        for rule in culprits:
            seen[(rule, name)] = b.message
    unexpected = {k: m for k, m in seen.items()
                  if k not in EXPECTED_FAILURES or EXPECTED_FAILURES[k][0] not in m}
    stale = sorted(set(EXPECTED_FAILURES) - set(seen))
    assert not unexpected, f"fixes that break a valid fixture: {unexpected}"
    assert not stale, f"expected failures that no longer fail (remove them): {stale}"


def test_expected_failures_are_documented() -> None:
    for (rule, fixture), (fragment, reason) in EXPECTED_FAILURES.items():
        assert rule.startswith("TFX") and fixture and fragment and len(reason) > 20, (rule, fixture)
