"""Does tffix's cost grow linearly with the size of a module?

Usage:
  python bench/scale.py [--sizes 100,1000,10000,50000] [--tffix PATH] [--keep DIR]
  python bench/scale.py --single 12221 [--shape kics|kics-duplicate|units] [--tffix PATH]

Generates, in a temporary directory, one module per size (that many
``resource`` blocks, in files of at most 1,000 resources) and times
``tffix --dry-run --unsafe-fixes --format json`` on each, printing CPU seconds
(of the child processes, as the machine is shared) per 1,000 resources and the
ratio of each size's per-resource time to that of 1,000 (target: 50,000 within
1.5x).

The module is made of repeated units of six resources that reference each other
and the module's locals and variables: an S3 bucket with its versioning, a
security group open to the world on port 22, an instance using it, a CloudWatch
log group without retention, an SQS queue without encryption; several of these
get fixes (so the run goes through rounds of fixes), others only findings, and
rules that look across the module (references, locals, referrers) have work in
every unit.

``--single N`` writes one file of N resources and compares the dry run with
tffix's parse of that file alone (target: dry run <= 3x the parse), both in
child processes, CPU seconds. The parse is timed two ways: as a library caller runs
``parse()`` with Python's cyclic garbage collector on (``parse`` turns it off while it
builds the tree and back on at its end, and the collector's next pass then scans the whole
new tree once), and as the run itself parses (the runner keeps the collector off while it
checks a module, ``runner.process``); the second is the faster one, and the ratio to it is
the one held to the target. The
interpreter's start-up and imports are taken off the parses, not off the dry run.
``--repeat K`` (default 5) runs each command K times, in turns, and keeps the least CPU
of each (the machine is shared: other jobs only ever add time). ``--shape`` says what
the file holds:

- ``kics`` (the default): the file issue 14 names, KICS's
  ``test/fixtures/max_file_size/sample.tf`` (Checkmarx/kics; 3.24 MB, 110k lines): one
  comment line, then the same 7-argument ``aws_elasticache_cluster`` block (memcached)
  12,221 times. There every block is named ``positive1``, which terraform rejects
  ("Duplicate resource"), and so does tffix (12,220 errors, no fix); here block ``i`` is
  named ``positive{i}`` so that the file is valid and the fix run does its work;
- ``kics-duplicate``: as published, every block named ``positive1``;
- ``units``: the scaling benchmark's six-resource units in one file, a much heavier
  case (every unit gets several fixes and new resources).
"""

from __future__ import annotations

import argparse
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HEADER = """terraform {
  required_version = ">= 1.5"
  required_providers {
    aws = {
      source  = "hashicorp/aws"
      version = "~> 5.0"
    }
  }
}

provider "aws" {
  region = var.region
}

variable "region" {
  type    = string
  default = "eu-west-1"
}

variable "vpc_id" {
  type = string
}

variable "ami" {
  type = string
}

locals {
  prefix = "scale-${var.region}"
  tags = {
    Project = "scale"
    Owner   = "bench"
  }
}
"""

UNIT = """
resource "aws_s3_bucket" "b{i}" {{
  bucket = "${{local.prefix}}-b{i}"
  tags   = local.tags
}}

resource "aws_s3_bucket_versioning" "b{i}" {{
  bucket = aws_s3_bucket.b{i}.id

  versioning_configuration {{
    status = "Enabled"
  }}
}}

resource "aws_security_group" "sg{i}" {{
  name   = "sg{i}"
  vpc_id = var.vpc_id

  ingress {{
    from_port   = 22
    to_port     = 22
    protocol    = "tcp"
    cidr_blocks = ["0.0.0.0/0"]
  }}
}}

resource "aws_instance" "i{i}" {{
  ami                    = var.ami
  instance_type          = "t3.micro"
  vpc_security_group_ids = [aws_security_group.sg{i}.id]
  tags                   = merge(local.tags, {{ Name = "i{i}" }})

  root_block_device {{
    volume_size = 20
  }}
}}

resource "aws_cloudwatch_log_group" "lg{i}" {{
  name = "/scale/{i}/${{aws_instance.i{i}.id}}"
}}

resource "aws_sqs_queue" "q{i}" {{
  name = "q{i}"
  tags = local.tags
}}
"""
KICS_BLOCK = """resource "aws_elasticache_cluster" "{name}" {{
  cluster_id           = "cluster-example"
  engine               = "memcached"
  node_type            = "cache.m4.large"
  num_cache_nodes      = 1
  engine_version       = "3.2.10"
  port                 = 6379
}}
"""
PER_UNIT = 6
PER_FILE = 1000  # resources per file in a module


def write_module(directory: Path, resources: int, per_file: int = PER_FILE) -> int:
    """A module of ``resources`` resources (rounded up to whole units); returns its line count."""
    directory.mkdir(parents=True, exist_ok=True)
    (directory / "main.tf").write_text(HEADER)
    lines = HEADER.count("\n")
    units = -(-resources // PER_UNIT)
    per_file_units = max(1, per_file // PER_UNIT)
    for start in range(0, units, per_file_units):
        text = "".join(UNIT.format(i=i) for i in range(start, min(units, start + per_file_units)))
        (directory / f"r{start // per_file_units:04d}.tf").write_text(text)
        lines += text.count("\n")
    return lines


def write_kics(directory: Path, resources: int, unique: bool = True) -> int:
    """KICS's ``max_file_size`` sample (see the docstring); returns its line count."""
    directory.mkdir(parents=True, exist_ok=True)
    head = "#this is a problematic code where the query should report a result(s)\n"
    blocks = (KICS_BLOCK.format(name=f"positive{i + 1}" if unique else "positive1") for i in range(resources))
    text = head + "\n".join(blocks)
    (directory / "sample.tf").write_text(text)
    return text.count("\n")


def timed(cmd: list[str], cwd: Path) -> tuple[float, float, int]:
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    proc = subprocess.run(cmd, cwd=cwd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, check=False)
    wall = time.perf_counter() - start
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    return (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime), wall, proc.returncode


DRY_RUN = ("run", "--dry-run", "--unsafe-fixes", "--format", "json", "--no-progress", ".")

PARSE_ONE = """
import gc, sys, threading
from tffix.syntax.parser import parse
threading.stack_size(256 * 1024 * 1024)
if sys.argv[2] == "off":
    gc.disable()
def main():
    text = open(sys.argv[1], encoding="utf-8").read()
    parse(text)
t = threading.Thread(target=main)
t.start()
t.join()
"""
IMPORT_ONLY = "import tffix.syntax.parser"


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--sizes", default="100,1000,10000,50000")
    ap.add_argument("--tffix", default=str(Path(sys.executable).with_name("tffix")))
    ap.add_argument("--single", type=int, default=None, help="one file of this many resources instead")
    ap.add_argument("--shape", choices=("kics", "kics-duplicate", "units"), default="kics",
                    help="what the --single file holds (see above)")
    ap.add_argument("--keep", type=Path, default=None, help="write the modules here and keep them")
    ap.add_argument("--repeat", type=int, default=5, help="--single: runs of each command (the least CPU is kept)")
    args = ap.parse_args()
    python = str(Path(args.tffix).with_name("python"))
    if not Path(python).exists():
        python = sys.executable
    root = args.keep or Path(tempfile.mkdtemp(prefix="tffix-scale-"))
    try:
        if args.single:
            directory = root / f"single-{args.shape}-{args.single}"
            if args.shape == "units":
                lines = write_module(directory, args.single, per_file=args.single + PER_UNIT)
                (directory / "main.tf").unlink()  # one file: the resources alone
            else:
                lines = write_kics(directory, args.single, unique=args.shape == "kics")
            files = list(directory.glob("*.tf"))
            assert len(files) == 1
            commands = {
                "start": [python, "-c", IMPORT_ONLY],
                "parse, collector on": [python, "-c", PARSE_ONE, str(files[0]), "on"],
                "parse, collector off": [python, "-c", PARSE_ONE, str(files[0]), "off"],
                "dry run": [args.tffix, *DRY_RUN],
            }
            runs: dict[str, list[tuple[float, float, int]]] = {name: [] for name in commands}
            for _ in range(max(1, args.repeat)):
                for name, cmd in commands.items():
                    runs[name].append(timed(cmd, directory))
            best = {name: min(r[0] for r in found) for name, found in runs.items()}
            start = best["start"]
            on, off = best["parse, collector on"] - start, best["parse, collector off"] - start
            cpu = best["dry run"]
            wall = min(r[1] for r in runs["dry run"])
            rc = runs["dry run"][-1][2]
            print(f"one file ({args.shape}), {args.single} resources, {lines} lines; least CPU of "
                  f"{max(1, args.repeat)} runs each")
            print(f"parse (tffix parser, child, less interpreter start-up {start:.2f}): collector on {on:.2f}, "
                  f"off {off:.2f} CPU s")
            print(f"tffix --dry-run --unsafe-fixes: {cpu:.2f} CPU s ({wall:.2f} s wall, exit {rc}); every run: "
                  + ", ".join(f"{r[0]:.2f}" for r in runs["dry run"]))
            print(f"dry run / parse: {cpu / off:.2f} against the parse as the run does it (target <= 3); "
                  f"{cpu / on:.2f} against a library caller's")
            return 0
        sizes = [int(s) for s in args.sizes.split(",")]
        rows = []
        for n in sizes:
            directory = root / f"m{n}"
            lines = write_module(directory, n)
            count = -(-n // PER_UNIT) * PER_UNIT
            cpu, wall, rc = timed([args.tffix, *DRY_RUN], directory)
            rows.append((n, count, lines, cpu, wall, rc))
            print(f"{count:>7} resources {lines:>8} lines: {cpu:8.2f} CPU s {wall:8.2f} wall s (exit {rc}) "
                  f"{1000 * cpu / count:7.3f} CPU s per 1,000 resources", flush=True)
        ref = next((r for r in rows if r[0] == 1000), None)
        if ref:
            per_ref = ref[3] / ref[1]
            for n, count, _, cpu, _, _ in rows:
                print(f"{n:>7}: per-resource time {cpu / count / per_ref:5.2f}x that of 1,000")
        return 0
    finally:
        if args.keep is None:
            shutil.rmtree(root, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
