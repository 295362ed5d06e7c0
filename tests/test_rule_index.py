"""The rule index (transforms/rule_index.py) is generated from the rules and current; what it
says a rule looks at holds on the rules' examples; a run imports only the rules that can
apply, and its results are those of every rule imported up front."""

from __future__ import annotations

import importlib.util
import json
import subprocess
import sys
from pathlib import Path

import pytest
from tffix.engine.engine import Options, fix_texts, parse_module_texts
from tffix import NewBlock, edit
from tffix.engine.rules import SAFE, Rule, RuleEntry, rule_examples
from tffix.syntax import cst
from tffix.transforms.registry import ENTRIES, FIX_CHECKS, RULES

ROOT = Path(__file__).resolve().parent.parent
BY_ID = {r.id: r for r in RULES}
GATED = [e for e in ENTRIES if e.looks_at is not None]


def _generator():
    spec = importlib.util.spec_from_file_location("gen_rule_index", ROOT / "tools" / "gen_rule_index.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_the_index_is_up_to_date() -> None:
    expected = _generator().render()
    current = (ROOT / "transforms" / "rule_index.py").read_text(encoding="utf-8")
    assert current == expected, "transforms/rule_index.py is out of date: run python3 tools/gen_rule_index.py"


def test_the_index_names_every_rule_and_its_class() -> None:
    assert [e.id for e in ENTRIES] == [r.id for r in RULES]
    for entry in ENTRIES:
        rule = BY_ID[entry.id]
        assert entry.load() is rule
        assert entry.default_enabled == rule.default_enabled
        assert set(entry.options) == set(rule.options)


def test_the_generator_reads_only_loops_over_the_modules_blocks() -> None:
    gen = _generator()

    class Looping:
        def check(self, module, options):
            for ref in module.resources("aws_a", "aws_b"):
                yield ref
            for ref in module.blocks("module"):
                if ref:
                    yield ref

    class YieldsOutside:
        def check(self, module, options):
            for ref in module.resources("aws_a"):
                yield ref
            yield None

    class LoopsOverSomethingElse:
        def check(self, module, options):
            for ref in module.index().all:
                yield ref

    class NotAGenerator:
        def check(self, module, options):
            return [ref for ref in module.resources("aws_a")]

    class Guarded:
        def check(self, module, options):
            found = [ref for ref in module.resources("aws_a") if ref]
            if not found:
                return
            yield found

    class GuardOfAnotherList:
        def check(self, module, options):
            found = [ref for ref in module.resources("aws_a")]
            found = list(module.index().all)
            if not found:
                return
            yield found

    class GrownBeforeItsGuard:
        def check(self, module, options):
            found = list(module.resources("aws_a"))
            found.extend(module.index().all)
            if not found:
                return
            yield found

    class RejectsAnOptionFirst:
        def check(self, module, options):
            if options.get("size") is None:
                raise ValueError("size")
            for ref in module.resources("aws_a"):
                yield ref

    class ReadsTheModuleFirst:
        def check(self, module, options):
            facts = self._facts(module)
            for ref in module.resources("aws_a"):
                yield ref, facts

    assert gen.looks_at(RejectsAnOptionFirst) is None
    assert gen.looks_at(ReadsTheModuleFirst) is None
    assert gen.looks_at(Looping) == (("module", ""), ("resource", "aws_a"), ("resource", "aws_b"))
    assert gen.looks_at(Guarded) == (("resource", "aws_a"),)
    assert gen.looks_at(GuardOfAnotherList) is None
    assert gen.looks_at(GrownBeforeItsGuard) is None
    assert gen.looks_at(YieldsOutside) is None
    assert gen.looks_at(LoopsOverSomethingElse) is None
    assert gen.looks_at(NotAGenerator) is None


def _without(texts: dict[str, str], looks_at: tuple[tuple[str, str], ...]):
    module = parse_module_texts(".", texts)
    for sf in module.files:
        sf.tree.body.items = [i for i in sf.tree.body.items if not (
            isinstance(i, cst.Block) and any(i.type == kind and (not first or i.label_values[:1] == [first])
                                             for kind, first in looks_at))]
    module.invalidate()
    return module


@pytest.mark.parametrize("entry", GATED, ids=[e.id for e in GATED])
def test_without_the_blocks_it_looks_at_a_rule_finds_nothing(entry: RuleEntry) -> None:
    """On the rule's documented example (which it has findings in), with the blocks the index
    says it looks at removed, the rule finds nothing, and the index says it does not apply."""
    rule = BY_ID[entry.id]
    example, _ = rule_examples(rule)
    texts = {name: text for name, text in example.items() if "/" not in name}
    module = parse_module_texts(".", texts)
    assert entry.applies(module)
    assert list(rule().check(module, dict(rule.options)))
    stripped = _without(texts, entry.looks_at or ())
    assert not entry.applies(stripped)
    assert list(rule().check(stripped, dict(rule.options))) == []


VPC = """\
resource "aws_vpc" "main" {
  cidr_block = "10.0.0.0/16"
}

resource "aws_db_instance" "app" {
  identifier        = "app"
  engine            = "postgres"
  instance_class    = "db.t3.micro"
  allocated_storage = 20
  username          = "app"
  password          = var.password
}

variable "password" {
  type      = string
  sensitive = true
}
"""


def test_rules_imported_when_a_fix_creates_their_blocks_give_the_same_results() -> None:
    """Fixes create blocks other rules look at (a KMS key, a monitoring role): those rules join in the round where the blocks appear, and the run's
    fixes and findings are those of every rule from the start."""
    options = Options(unsafe_fixes=True, fix_checks=FIX_CHECKS)
    chosen = [e for e in ENTRIES if e.default_enabled]
    lazily, lazy_result = fix_texts({"main.tf": VPC}, chosen, options)
    eagerly, eager_result = fix_texts({"main.tf": VPC}, [BY_ID[e.id] for e in chosen], options)
    assert lazily == eagerly
    assert "security.tf" in lazily  # the round that created blocks
    assert lazy_result == eager_result
    # a key for Performance Insights was created: the key rules, which main.tf gave nothing to
    # look at, ran from the next round
    assert 'resource "aws_kms_key"' in lazily["security.tf"] and 'resource "aws_kms_key"' not in VPC
    assert [e.id for e in chosen if e.looks_at == (("resource", "aws_kms_key"),)]


def test_a_run_on_a_small_file_imports_only_what_it_needs(tmp_path: Path) -> None:
    """pre-commit's case: one file with a bucket. The S3 rules are imported, the database
    rules are not; nor are the parser generator, the language server, the process pool,
    the schema table (no fix is checked in --check) or the JSON and TOML readers."""
    (tmp_path / "main.tf").write_text('resource "aws_s3_bucket" "b" {\n  bucket = "x"\n}\n', encoding="utf-8")
    code = ("import sys\nfrom tffix.app.cli import main\nsys.argv = ['tffix', '--check', '--no-progress', 'main.tf']\n"
            "try:\n    main()\nexcept SystemExit:\n    pass\n"
            "import json\nprint(json.dumps(sorted(sys.modules)), file=sys.stderr)\n")
    done = subprocess.run([sys.executable, "-c", code], cwd=tmp_path, capture_output=True, text=True, check=False)
    modules = set(json.loads(done.stderr.strip().splitlines()[-1]))
    assert "TFX130" in done.stdout
    assert "tffix.transforms.s3.s3_bucket_encryption" in modules
    assert "tffix.transforms.rds.db_enhanced_monitoring" not in modules
    gated_out = [e.module for e in GATED if not any(first == "aws_s3_bucket" for _, first in e.looks_at or ())]
    assert not [m for m in gated_out if m in modules]
    # what the interpreter loads before tffix (site's .pth files may import certifi, tempfile...)
    bare = subprocess.run([sys.executable, "-c", "import sys, json; print(json.dumps(sorted(sys.modules)))"],
                          capture_output=True, text=True, check=True)
    preloaded = set(json.loads(bare.stdout))
    for heavy in ("lark", "pygls", "lsprotocol", "multiprocessing", "concurrent.futures.process",
                  "tffix.transforms.lib.schema", "tomllib", "tempfile", "importlib.resources"):
        assert heavy not in modules or heavy in preloaded, heavy


class _CreatesThing(Rule):
    """A test rule whose fix creates a block another rule looks at."""

    id = "TST901"
    safety = SAFE

    def check(self, module, options):
        if not list(module.resources("aws_thing")):
            sf = module.files[0]
            yield self.finding(sf, sf.tree.body.items[0], "no thing", fix=lambda: edit.append_block(
                sf.tree, NewBlock("resource", ["aws_thing", "made"])), scope=(sf.tree,))


class _ReportsThings(Rule):
    id = "TST902"

    def check(self, module, options):
        for ref in module.resources("aws_thing"):
            yield self.finding(ref.file, ref.block, f"{ref.address} is a thing", block=ref.block)


def test_an_entry_joins_in_the_round_its_blocks_appear() -> None:
    entries = [RuleEntry("TST901", __name__, "_CreatesThing"),
               RuleEntry("TST902", __name__, "_ReportsThings", looks_at=(("resource", "aws_thing"),))]
    texts = {"main.tf": 'resource "other" "o" {}\n'}
    lazily, result = fix_texts(texts, entries, Options())
    assert (lazily, result) == fix_texts(texts, [_CreatesThing, _ReportsThings], Options())
    assert [(r.rule_id, r.message) for r in result.remaining] == [("TST902", "aws_thing.made is a thing")]
