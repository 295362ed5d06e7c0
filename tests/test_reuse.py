"""Reusing a rule's findings in a later round (``engine.Memo``): only when the round's
changes cannot change them (what the check read, ``module.reading``), and then the outcome
is the one running every rule again gives."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator
from pathlib import Path

import pytest

from tffix import edit
from tffix.engine import engine
from tffix.engine.engine import Options, fix_texts
from tffix.engine.module import ALL, Module, SourceFile, affected, item_key, reading
from tffix.engine.rules import DISPLAY_ONLY, SAFE, Rule, rule_examples
from tffix.syntax import cst
from tffix.syntax.parser import parse

TEXT = """variable "first" {}

resource "aws_s3_bucket" "a" {
  bucket = "a"
}

resource "aws_sqs_queue" "q" {
  name = "q"
}

resource "aws_sqs_queue" "r" {
  name = "r"
}

resource "aws_s3_bucket" "b" {
  bucket = "b"
}

variable "last" {}
"""

calls: Counter[str] = Counter()


class TagsBuckets(Rule):
    """Adds a line to each bucket: the rounds change buckets only (and move the queues)."""

    id = "TFX971"
    name = "tags-buckets"
    summary = "test rule"
    safety = SAFE

    def check(self, module, options) -> Iterator:
        calls[self.id] += 1
        for ref in module.resources("aws_s3_bucket"):
            if ref.block.get_attribute("tags") is None:
                yield self.finding(ref.file, ref.block, "tag it", block=ref.block,
                                   fix=lambda b=ref.block: edit.set_attribute(b, "tags", {"a": 1}))
                return  # one per round: three rounds


class Queues(Rule):
    """Reads queues only: the bucket rounds cannot change what it finds."""

    id = "TFX972"
    name = "queues"
    summary = "test rule"
    safety = DISPLAY_ONLY

    def check(self, module, options) -> Iterator:
        calls[self.id] += 1
        for ref in module.resources("aws_sqs_queue"):
            yield self.finding(ref.file, ref.block.get_attribute("name"), f"{ref.address} name", block=ref.block)


class EveryFile(Rule):
    """Reads the files themselves: any change may matter."""

    id = "TFX973"
    name = "every-file"
    summary = "test rule"
    safety = DISPLAY_ONLY

    def check(self, module, options) -> Iterator:
        calls[self.id] += 1
        for sf in module.files:
            yield self.finding(sf, sf.tree, f"{len(sf.tree.body.items)} items")


class QuotesLines(Rule):
    """Puts a line number in its message: stale once lines move."""

    id = "TFX974"
    name = "quotes-lines"
    summary = "test rule"
    safety = DISPLAY_ONLY

    def check(self, module, options) -> Iterator:
        calls[self.id] += 1
        for ref in module.resources("aws_sqs_queue"):
            yield self.finding(ref.file, ref.block, f"queue on line {ref.block.line}", block=ref.block)


class FromFact(Rule):
    """Uses a module-wide fact that reads every file (computed first by ``EveryFact``)."""

    id = "TFX975"
    name = "from-fact"
    summary = "test rule"
    safety = DISPLAY_ONLY

    def check(self, module, options) -> Iterator:
        calls[self.id] += 1
        count = module.fact("items", lambda: sum(len(sf.tree.body.items) for sf in module.files))
        for ref in module.resources("aws_sqs_queue"):
            yield self.finding(ref.file, ref.block, f"one of {count}", block=ref.block)


class EveryFact(FromFact):
    id = "TFX976"
    name = "every-fact"


class FixesQueues(Rule):
    """Changes queue ``r`` in the second round: the queue rules must run again then."""

    id = "TFX977"
    name = "fixes-queues"
    summary = "test rule"
    safety = SAFE

    def check(self, module, options) -> Iterator:
        ref = module.find("aws_sqs_queue.r")
        tagged = sum(1 for b in module.resources("aws_s3_bucket") if b.block.get_attribute("tags") is not None)
        if ref is not None and tagged and ref.block.get_attribute("delay_seconds") is None:
            yield self.finding(ref.file, ref.block, "delay", block=ref.block,
                               fix=lambda b=ref.block: edit.set_attribute(b, "delay_seconds", 0))


def _no_reuse(monkeypatch: pytest.MonkeyPatch) -> None:
    """Every rule runs every round, and per-item and per-file facts are computed afresh."""
    monkeypatch.setattr(engine.Memo, "reuse", lambda self, *a: None)
    monkeypatch.setattr(Module, "item_fact", lambda self, key, item, compute: compute())
    monkeypatch.setattr(Module, "file_fact", lambda self, key, sf, compute: compute())


def _outcome(rules: list[type[Rule]], texts: dict[str, str] | None = None,
             options: Options | None = None) -> tuple[dict[str, str], list[tuple], list[tuple]]:
    out, result = fix_texts(dict(texts or {"main.tf": TEXT}), rules, options)
    remaining = [(r.rule_id, r.path, r.line, r.column, r.message, r.fix) for r in result.remaining]
    fixed = [(r.rule_id, r.path, r.line, r.column, r.message, r.edits) for r in result.fixed]
    return out, remaining, fixed


def test_a_rule_whose_reads_no_round_changes_runs_once_and_its_findings_move_with_the_lines() -> None:
    calls.clear()
    out, remaining, fixed = _outcome([TagsBuckets, Queues])
    assert [f[0] for f in fixed] == ["TFX971", "TFX971"]
    assert calls["TFX971"] == 3 and calls["TFX972"] == 1  # three rounds; the queue rule ran in the first
    # the lines are those of the fixed text (the first bucket grew), not of the first round's
    lines = out["main.tf"].splitlines()
    want = [(lines.index(f'  name = "{n}"') + 1, f"aws_sqs_queue.{n} name") for n in "qr"]
    assert [(r[2], r[4]) for r in remaining] == want and want[0][0] > TEXT.splitlines().index('  name = "q"') + 1


@pytest.mark.parametrize("rule", [EveryFile, QuotesLines])
def test_a_rule_that_reads_files_or_positions_runs_every_round(rule: type[Rule]) -> None:
    calls.clear()
    out, remaining, _ = _outcome([TagsBuckets, rule])
    assert calls[rule.id] == 3
    if rule is QuotesLines:  # the lines of the fixed text, not those of the first round
        lines = out["main.tf"].splitlines()
        heads = ['resource "aws_sqs_queue" "' + n + '" {' for n in "qr"]
        want = [f"queue on line {lines.index(h) + 1}" for h in heads]
        assert [r[4] for r in remaining] == want and want != ["queue on line 8", "queue on line 12"]


def test_reads_of_a_fact_pass_to_every_rule_that_uses_it() -> None:
    calls.clear()
    _outcome([TagsBuckets, EveryFact, FromFact])
    assert calls["TFX976"] == 3 and calls["TFX975"] == 3


def test_a_change_of_what_a_rule_read_runs_it_again() -> None:
    calls.clear()
    _, remaining, fixed = _outcome([TagsBuckets, FixesQueues, Queues])
    assert "TFX977" in [f[0] for f in fixed]
    # round 1 (the first); round 2 only a bucket changed: kept; round 3 after queue r changed: again
    assert calls["TFX971"] == 3 and calls["TFX972"] == 2
    assert [r[4] for r in remaining] == ["aws_sqs_queue.q name", "aws_sqs_queue.r name"]


@pytest.mark.parametrize("rules", [[TagsBuckets, Queues], [TagsBuckets, FixesQueues, Queues, QuotesLines],
                                   [TagsBuckets, EveryFact, FromFact, EveryFile]])
def test_the_outcome_is_that_of_running_every_rule_every_round(rules, monkeypatch) -> None:
    kept = _outcome(rules)
    _no_reuse(monkeypatch)
    assert _outcome(rules) == kept


def _every_rule() -> list[type[Rule]]:
    from tffix.transforms.registry import RULES

    return list(RULES)


def _example_modules() -> list[tuple[str, dict[str, str]]]:
    modules = []
    for rule in _every_rule():
        example, _ = rule_examples(rule)
        texts = {n: t for n, t in example.items() if n.endswith((".tf", ".tfvars")) and "/" not in n}
        if texts:
            modules.append((rule.id, texts))
    root = Path(__file__).resolve().parent.parent / "examples"
    for directory in sorted({p.parent for p in root.rglob("*.tf")}):
        texts = {p.name: p.read_text(encoding="utf-8") for p in sorted(directory.iterdir())
                 if p.suffix in (".tf", ".tfvars")}
        modules.append((str(directory.relative_to(root)), texts))
    return modules


def test_every_rule_on_every_docs_example_and_example_module_gives_the_same_outcome(monkeypatch) -> None:
    """All the rules at once on each rule's docs Example (they trigger one another: rounds
    with real fixes) and on ``examples/``, with and without reusing findings."""
    from tffix.transforms.registry import FIX_CHECKS

    rules = _every_rule()
    options = Options(unsafe_fixes=True, fix_checks=FIX_CHECKS)
    kept = {name: _outcome(rules, texts, options) for name, texts in _example_modules()}
    assert len(kept) > 50
    _no_reuse(monkeypatch)
    for name, texts in _example_modules():
        assert _outcome(rules, texts, options) == kept[name], name


def test_reads_are_recorded_by_kind_type_and_address() -> None:
    sf = SourceFile(Path("main.tf"), TEXT, parse(TEXT, "main.tf"), display="main.tf")
    module = Module(Path("."), files=[sf])
    with reading() as reads:
        list(module.resources("aws_sqs_queue"))
        module.find("var.region")
        module.find("data.aws_caller_identity.me")
    assert reads == {("resource", "aws_sqs_queue"), ("variable", "region"), ("data", "aws_caller_identity")}
    with reading() as reads:
        list(module.blocks("terraform"))
    assert reads == {("terraform", None)}
    with reading() as reads:
        module.files  # noqa: B018 - the read itself is the point
    assert reads == {ALL}
    with reading() as reads:
        ref = next(module.resources("aws_sqs_queue"))
        ref.file.tree  # noqa: B018
    assert ALL in reads
    with reading() as reads:
        ref.block.line  # noqa: B018
    assert reads == {cst.POSITIONS}
    # the index is built without noting the files it reads
    module.invalidate()
    with reading() as reads:
        module.find("aws_s3_bucket.a")
    assert reads == {("resource", "aws_s3_bucket")}


def test_which_changes_affect_which_reads() -> None:
    bucket = parse('resource "aws_s3_bucket" "a" {}\n').body.items[0]
    assert item_key(bucket) == ("resource", "aws_s3_bucket")
    assert affected({("resource", None)}, {item_key(bucket)})
    assert affected({("resource", "aws_s3_bucket")}, {item_key(bucket)})
    assert not affected({("resource", "aws_sqs_queue"), ("variable", None)}, {item_key(bucket)})
    assert affected({ALL}, set()) and affected({cst.POSITIONS}, set())
    attr = parse('region = "x"\n').body.items[0]  # a .tfvars item: anything may read it
    assert affected({("resource", "aws_sqs_queue")}, {item_key(attr)})


def test_an_item_fact_is_kept_for_unchanged_items_only() -> None:
    sf = SourceFile(Path("main.tf"), TEXT, parse(TEXT, "main.tf"), display="main.tf")
    module = Module(Path("."), files=[sf])
    seen: list[str] = []
    items = sf.tree.body.items

    def names() -> list[str]:
        return [module.item_fact("label", i, lambda i=i: seen.append(i.label_values[-1]) or i.label_values[-1])
                for i in sf.tree.body.items]

    every = ["first", "a", "q", "r", "b", "last"]
    assert names() == every and seen == every
    assert names() == every and len(seen) == 6
    walks = module.take_walks()
    names()  # while fixes run: computed, never kept
    assert len(seen) == 12
    fresh = parse('resource "aws_sqs_queue" "z" {}\n').body.items[0]
    sf.tree.body.items = [*items[:2], fresh, *items[3:]]
    module.carry(walks)
    assert names() == ["first", "a", "z", "r", "b", "last"] and seen[12:] == ["z"]


def test_a_file_fact_is_kept_for_files_a_round_left_as_they_were() -> None:
    other_text = 'variable "x" {}\n'
    sf = SourceFile(Path("main.tf"), TEXT, parse(TEXT, "main.tf"), display="main.tf")
    other = SourceFile(Path("other.tf"), other_text, parse(other_text, "other.tf"), display="other.tf")
    module = Module(Path("."), files=[sf, other])
    computed: list[str] = []

    def count(f: SourceFile) -> int:
        def compute() -> int:
            computed.append(f.display)
            return sum(1 for _ in module.blocks_of(f))
        return module.file_fact("blocks", f, compute)

    with reading() as reads:
        assert [count(sf), count(other)] == [6, 1]
    assert computed == ["main.tf", "other.tf"] and ALL in reads
    with reading() as again:
        assert [count(sf), count(other)] == [6, 1] and len(computed) == 2
    assert again == reads  # what the computation read is noted for each use
    walks = module.take_walks()
    assert count(sf) == 6 and len(computed) == 3  # while fixes run: computed, never kept
    items = sf.tree.body.items
    sf.tree.body.items = items[:2]
    sf.text = sf.tree.code
    module.invalidate()
    module.carry(walks)
    assert [count(sf), count(other)] == [2, 1] and computed[3:] == ["main.tf"]  # other.tf kept
    walks = module.take_walks()
    sf.tree.body.items = [*items[:1], parse('resource "aws_sqs_queue" "z" {}\n').body.items[0]]
    sf.text = sf.tree.code
    module.invalidate()
    module.carry(walks)
    assert count(sf) == 2 and computed[4:] == ["main.tf"]  # same count of items, another item


def test_a_file_no_round_touched_keeps_its_baseline_and_its_offsets_are_a_fresh_ones(monkeypatch) -> None:
    """``engine._baseline``: the offsets of a file the last round left as it was are not
    computed again (its items are not printed again), and they equal ``Baseline.of``'s."""
    from tffix.engine.reparse import Baseline

    made: Counter[str] = Counter()
    real_of = Baseline.of.__func__  # type: ignore[attr-defined]

    def counting(cls, sf, text=None):
        made[sf.display] += 1
        return real_of(cls, sf, text)

    monkeypatch.setattr(Baseline, "of", classmethod(counting))
    other = 'variable "x" {}\n\nresource "aws_sqs_queue" "z" {\n  name = "z"\n}\n\nvariable "y" {}\n'
    out, result = fix_texts({"main.tf": TEXT, "other.tf": other}, [TagsBuckets, Queues])
    assert [r.rule_id for r in result.fixed] == ["TFX971", "TFX971"]
    assert made["other.tf"] == 1 and made["main.tf"] == 2  # two rounds with fixes; other.tf never changed
    sf = SourceFile(Path("other.tf"), other, parse(other, "other.tf"), display="other.tf")
    first = real_of(Baseline, sf)
    again = engine._baseline(sf, first)
    assert again is not first and again.starts == real_of(Baseline, sf).starts and again.items == first.items
    sf.tree.body.items = sf.tree.body.items[:2]  # not the same items: offsets computed again
    assert engine._baseline(sf, first).items == sf.tree.body.items
    monkeypatch.undo()
    assert fix_texts({"main.tf": TEXT, "other.tf": other}, [TagsBuckets, Queues])[0] == out


def test_every_rule_gives_the_same_outcome_with_whole_file_comparisons(monkeypatch) -> None:
    """The fast path (fixes read off their items, files no fix edits printed once at the end)
    against whole-file comparisons after every fix (``_run_module(fast=False)``, what a stray
    edit falls back to), all the rules at once on every docs Example and ``examples/``: the
    same texts, findings and fixes. (Not the same edits: where an inserted block sits next to
    a blank line, a window's diff and a whole file's may place the same insertion one line
    apart.)"""
    from tffix.transforms.registry import FIX_CHECKS

    def outcome(texts: dict[str, str]) -> tuple:
        out, remaining, fixed = _outcome(rules, texts, options)
        return out, remaining, [f[:-1] for f in fixed]

    rules = _every_rule()
    options = Options(unsafe_fixes=True, fix_checks=FIX_CHECKS)
    fast = {name: outcome(texts) for name, texts in _example_modules()}
    real = engine._run_module
    monkeypatch.setattr(engine, "_run_module", lambda m, r, o, out, fast: real(m, r, o, out, False))
    for name, texts in _example_modules():
        assert outcome(texts) == fast[name], name
