"""The compiled grammar is cached per user (XDG cache), never in the package."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import tffix


def _parse_in_subprocess(cache_home: Path) -> subprocess.CompletedProcess[str]:
    env = dict(os.environ, XDG_CACHE_HOME=str(cache_home))
    code = "import tffix; print(tffix.parse('a = 1\\n').code, end='')"
    return subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True, check=True)


def test_cache_is_written_to_the_user_cache_dir_and_reused(tmp_path: Path) -> None:
    package_dir = Path(tffix.__file__).parent
    before = set(package_dir.rglob("*"))
    assert _parse_in_subprocess(tmp_path).stdout == "a = 1\n"
    cached = list((tmp_path / "tffix").iterdir())
    assert [p.name for p in cached] == ["hcl-grammar.table"]
    stamp = cached[0].stat().st_mtime_ns
    assert _parse_in_subprocess(tmp_path).stdout == "a = 1\n"
    assert cached[0].stat().st_mtime_ns == stamp  # loaded, not rebuilt
    assert set(package_dir.rglob("*")) == before


def test_unwritable_cache_dir_still_parses(tmp_path: Path) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("not a directory")
    assert _parse_in_subprocess(blocker).stdout == "a = 1\n"
