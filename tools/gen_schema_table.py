"""Write ``transforms/lib/data/aws_schema.json.gz``: the arguments and blocks of every
hashicorp/aws resource and data source, per provider version, from the real provider
schemas the test oracle extracts (``tests/oracle``; built on first use).

    python3 tools/gen_schema_table.py          # regenerate
    python3 tools/gen_schema_table.py --check  # exit 1 when the shipped table is stale

Only what a fix needs to know is kept: the arguments a configuration may set (computed-only
attributes are dropped) with their type, and each nested block's nesting mode, item limits
and body. The table is deterministic (sorted keys, gzip without a timestamp).
"""

from __future__ import annotations

import argparse
import gzip
import io
import json
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from tests.oracle.cache import PROVIDERS, ensure  # noqa: E402

OUT = ROOT / "transforms" / "lib" / "data" / "aws_schema.json.gz"


def _compact(block: dict) -> dict:
    out: dict = {}
    for name, attr in block.get("attributes", {}).items():
        if attr.get("computed") and not (attr.get("optional") or attr.get("required")):
            continue
        kind = attr.get("type", "nested" if "nested_type" in attr else "dynamic")
        entry: dict = {"type": kind}
        if attr.get("required"):
            entry["required"] = True
        if attr.get("deprecated"):
            entry["deprecated"] = True
        out[name] = entry
    for name, nested in block.get("block_types", {}).items():
        entry = {"block": nested["nesting_mode"], "body": _compact(nested["block"])}
        for key in ("min_items", "max_items"):
            if nested.get(key):
                entry[key] = nested[key]
        out[name] = entry
    return out


def build() -> bytes:
    cache = ensure()
    table: dict = {"provider": "registry.terraform.io/hashicorp/aws",
                   "generated_by": "tools/gen_schema_table.py", "versions": {}}
    for source in PROVIDERS:
        if source.name != "aws":
            continue
        package = source.package.replace("-", "_").replace("==", "-")
        data = json.loads((cache.root / "schemas" / f"{package}.json").read_text())
        package_name = source.package.split("==")[0]
        backing = {cache.backing("aws", v) for v in cache.versions("aws")}
        number = next(b.split()[1] for b in backing if f"({package_name} " in b)  # "aws 5.99.1 (package 19.65.1)"
        table["versions"][number] = {
            "source": source.package,
            "resource": {k: _compact(v) for k, v in data["resource_schemas"].items()},
            "data": {k: _compact(v) for k, v in data["data_source_schemas"].items()},
        }
    text = json.dumps(table, sort_keys=True, separators=(",", ":")).encode()
    buf = io.BytesIO()
    with gzip.GzipFile(fileobj=buf, mode="wb", mtime=0, compresslevel=9) as gz:
        gz.write(text)
    return buf.getvalue()


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true")
    args = parser.parse_args()
    data = build()
    if args.check:
        current = OUT.read_bytes() if OUT.exists() else b""
        if not current or gzip.decompress(current) != gzip.decompress(data):
            print(f"{OUT.relative_to(ROOT)} is stale: run python3 tools/gen_schema_table.py", file=sys.stderr)
            return 1
        return 0
    OUT.write_bytes(data)
    print(f"wrote {OUT.relative_to(ROOT)} ({len(data):,} bytes)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
