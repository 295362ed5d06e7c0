"""The compiled grammar is cached per user (XDG cache), never in the package."""

from __future__ import annotations

import marshal
import os
import subprocess
import sys
from pathlib import Path

import pytest
import tffix


# The table is needed for what the fast parser does not take: a rejected input
# (its error comes from the table), so the child parses one of those too.
_CHILD = """
import tffix
try:
    tffix.parse('a = = 1\\n')
except tffix.ParseError:
    pass
print(tffix.parse('a = 1\\n').code, end='')
"""


def _parse_in_subprocess(cache_home: Path) -> subprocess.CompletedProcess[str]:
    env = dict(os.environ, XDG_CACHE_HOME=str(cache_home))
    code = _CHILD
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


@pytest.mark.parametrize("content", [b"", b"garbage \x00\xff", b"\xe9\x02\x00\x00\x00"])
def test_a_damaged_cache_is_replaced(tmp_path: Path, content: bytes) -> None:
    assert _parse_in_subprocess(tmp_path).stdout == "a = 1\n"
    cached = tmp_path / "tffix" / "hcl-grammar.table"
    good = cached.read_bytes()
    cached.write_bytes(content)
    assert _parse_in_subprocess(tmp_path).stdout == "a = 1\n"
    key, table = marshal.loads(cached.read_bytes())  # rebuilt: the same grammar key, a whole table
    assert key == marshal.loads(good)[0] and len(table) == 4


def test_a_start_with_the_cache_does_not_import_lark(tmp_path: Path) -> None:
    _parse_in_subprocess(tmp_path)
    env = dict(os.environ, XDG_CACHE_HOME=str(tmp_path))
    code = ("import sys, tffix; tffix.parse('a = [for x in y: x]\\n')\n"
            "try:\n    tffix.parse('a = [for x in y x]\\n')\nexcept tffix.ParseError:\n    pass\n"
            "print('lark' in sys.modules)")
    out = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True, check=True)
    assert out.stdout == "False\n"
