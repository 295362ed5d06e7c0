"""Incremental rounds: only the items fixes changed are parsed again, fixes are read
off the items they touch, and the outcome is what whole-file parses and comparisons
give (``engine.py``, ``apply.py``, ``reparse.py``)."""

from __future__ import annotations

import random
from collections.abc import Iterator
from pathlib import Path

from tffix import edit
from tffix.engine.engine import Options, fix_texts
from tffix.engine.module import SourceFile
from tffix.engine.reparse import Baseline, edited, refresh
from tffix.engine.rules import DISPLAY_ONLY, SAFE, Rule
from tffix.syntax import cst
from tffix.syntax.errors import ParseError
from tffix.syntax.parser import parse

BLOCKS = "".join(
    f'# block {i}\nresource "x" "b{i}" {{\n  v = 0\n  tags = {{ n = "{i}" }}\n}}\n\n' for i in range(6)
)


def _shape(tree) -> tuple[list[str], list[tuple]]:
    kinds = [type(n).__name__ for n in tree.walk()]
    toks = [(t.type, t.pre, str(t), t.line, t.column) for t in tree.tokens()]
    return kinds, toks


def test_refresh_parses_the_changed_items_and_moves_the_others_like_a_whole_parse() -> None:
    for grow in ("  extra = [\n    1,\n    2,\n  ]\n", ""):
        sf = SourceFile(Path("main.tf"), BLOCKS, parse(BLOCKS, "main.tf"), display="main.tf")
        base = Baseline.of(sf)
        middle = sf.tree.body.items[2]
        edit.set_attribute(middle, "v", 7)
        if grow:
            edit.set_attribute(middle, "extra", [1, 2])
        else:
            edit.remove_attribute(middle, "tags")
        sf.text = sf.tree.code
        fresh = refresh(sf, base, {id(middle)})
        assert fresh is sf.tree  # spliced, not parsed whole
        assert fresh.code == sf.text
        assert _shape(fresh) == _shape(parse(sf.text, "main.tf"))
        assert fresh.body.items[0] is base.items[0] and fresh.body.items[5] is base.items[5]


def test_refresh_falls_back_to_a_whole_parse_at_the_file_edges() -> None:
    sf = SourceFile(Path("main.tf"), BLOCKS, parse(BLOCKS, "main.tf"), display="main.tf")
    base = Baseline.of(sf)
    first = sf.tree.body.items[0]
    edit.set_attribute(first, "v", 7)
    sf.text = sf.tree.code
    fresh = refresh(sf, base, {id(first)})
    assert fresh is not base.tree and _shape(fresh) == _shape(parse(sf.text, "main.tf"))


class GrowsOne(Rule):
    """Gives block b2 three more lines: every later item moves down."""

    id = "TFX981"
    name = "grows-one"
    summary = "test rule"
    safety = SAFE

    def check(self, module, options) -> Iterator:
        ref = module.find("x.b2")
        if ref is not None and ref.block.get_attribute("extra") is None:
            yield self.finding(ref.file, ref.block, "grow", block=ref.block,
                               fix=lambda b=ref.block: edit.set_attribute(b, "extra", [1, 2, 3]))


class Where(Rule):
    """Reports where every attribute is (display only): positions after rounds of fixes."""

    id = "TFX982"
    name = "where"
    summary = "test rule"
    safety = DISPLAY_ONLY

    def check(self, module, options) -> Iterator:
        for ref in module.resources("x"):
            for attr in ref.block.body.attributes:
                yield self.finding(ref.file, attr, f"{ref.address}.{attr.name}", block=ref.block)


def test_positions_after_a_round_of_fixes_are_those_of_the_fixed_text() -> None:
    out, result = fix_texts({"main.tf": BLOCKS}, [GrowsOne, Where])
    assert [r.rule_id for r in result.fixed] == ["TFX981"]
    _, fresh = fix_texts(out, [Where], Options(apply_fixes=False))
    after = [(r.line, r.column, r.message) for r in result.remaining]
    assert after == [(r.line, r.column, r.message) for r in fresh.remaining]
    assert ("x.b5.v" in after[-2][2]) and after[-2][0] > BLOCKS.count("\n", 0, BLOCKS.index('"b5"'))


def _edits_elsewhere(rule_id: str, target: str, opened: bool = False) -> type[Rule]:
    """A rule whose fix is declared on block x.b0 but sets ``w = 1`` on ``target`` in place:
    a stray edit, or (``opened``: its scope is the module, every file) an allowed one that
    only a print of the target's file shows."""

    class EditsElsewhere(Rule):
        id = rule_id
        name = f"edits-elsewhere-{rule_id[3:]}"
        summary = "test rule"
        safety = SAFE

        def check(self, module, options) -> Iterator:
            a, b = module.find("x.b0"), module.find(target)
            if a is not None and b is not None and b.block.get_attribute("w") is None:
                yield self.finding(a.file, a.block, f"edit {target}", block=a.block,
                                   scope=(module,) if opened else (),
                                   fix=lambda: edit.set_attribute(b.block, "w", 1))

    return EditsElsewhere


# declares b0 but edits b4 of the same file, which nothing else touches: only the check at the
# end of the round can see it
StrayEdit = _edits_elsewhere("TFX983", "x.b4")


def test_a_stray_edit_seen_only_at_the_end_of_the_round_is_still_reverted() -> None:
    out, result = fix_texts({"main.tf": BLOCKS}, [StrayEdit, GrowsOne])
    assert "main.tf:2:1: internal error: fix for TFX983 edited main.tf outside its scope; the fix was reverted" \
        in result.errors
    assert "w = 1" not in out["main.tf"] and "extra" in out["main.tf"]
    assert [r.rule_id for r in result.fixed] == ["TFX981"]


def test_an_edited_text_parses_like_a_whole_parse_keeping_the_items_it_does_not_reach() -> None:
    """``edited`` (an editor's buffer after a change): random edits of every size, at item
    boundaries and inside items, some breaking the syntax; the tree is the whole parse's
    (node kinds, tokens and positions), or the same ParseError, and an edit inside one
    item keeps the other items' nodes."""
    rnd = random.Random(14)
    text = BLOCKS
    tree = parse(text, "main.tf")
    spliced = 0
    for _ in range(400):
        start = rnd.randrange(len(text) + 1)
        end = min(len(text), start + rnd.choice([0, 0, 1, 3, 30]))
        insert = rnd.choice(["", "1", "\n", "x", '"', "}\n", '\nvariable "q" {}\n', "# note\n", " = "])
        after = text[:start] + insert + text[end:]
        try:
            want = parse(after, "main.tf")
        except ParseError as e:
            try:
                edited(tree, text, after, "main.tf")
            except ParseError as got:
                assert str(got) == str(e)
                continue
            raise AssertionError(f"no error for {after!r}")
        before_items = list(tree.body.items)
        got = edited(tree, text, after, "main.tf")
        assert got.code == after
        assert _shape(got) == _shape(want)
        if got is tree and any(a is b for a, b in zip(before_items, got.body.items)):
            spliced += 1
        tree, text = got, after
    assert spliced > 20  # most valid edits kept the untouched items


def test_an_edit_inside_one_block_parses_that_block_alone() -> None:
    tree = parse(BLOCKS, "main.tf")
    items = list(tree.body.items)
    after = BLOCKS.replace('n = "3"', 'n = "33"\n    m = 1')
    got = edited(tree, BLOCKS, after, "main.tf")
    assert got is tree
    assert [a is b for a, b in zip(items, got.body.items)] == [True, True, True, False, True, True]
    assert _shape(got) == _shape(parse(after, "main.tf"))


class Walks(Rule):
    """Reports every literal of every block, found with ``module.nodes``, and keeps the
    lists it was given, round by round."""

    id = "TFX984"
    name = "walks"
    summary = "test rule"
    safety = DISPLAY_ONLY
    seen: list[dict[str, list]] = []

    def check(self, module, options) -> Iterator:
        lists = {ref.address: module.nodes(ref.block, cst.Literal) for ref in module.resources("x")}
        Walks.seen.append(lists)
        for ref in module.resources("x"):
            for lit in lists[ref.address]:
                yield self.finding(ref.file, lit, f"{ref.address} {lit.code.strip()}", block=ref.block)


def test_the_walks_of_blocks_no_fix_touched_are_carried_to_the_next_round() -> None:
    Walks.seen.clear()
    out, result = fix_texts({"main.tf": BLOCKS}, [GrowsOne, Walks])
    assert [r.rule_id for r in result.fixed] == ["TFX981"]
    first, second = Walks.seen
    assert all(second[a] is first[a] for a in first if a != "x.b2")  # carried, not walked again
    assert second["x.b2"] is not first["x.b2"] and len(second["x.b2"]) == len(first["x.b2"]) + 3
    # what they find is where a check of the fixed text finds it (carried nodes moved down)
    _, fresh = fix_texts(out, [Walks], Options(apply_fixes=False))
    assert [(r.line, r.column, r.message) for r in result.remaining] == \
        [(r.line, r.column, r.message) for r in fresh.remaining]


def test_a_round_started_again_after_a_stray_edit_carries_nothing_stale() -> None:
    Walks.seen.clear()
    out, result = fix_texts({"main.tf": BLOCKS}, [StrayEdit, GrowsOne, Walks])
    assert "w = 1" not in out["main.tf"] and [r.rule_id for r in result.fixed] == ["TFX981"]
    _, fresh = fix_texts(out, [Walks], Options(apply_fixes=False))
    assert [(r.line, r.column, r.message) for r in result.remaining if r.rule_id == Walks.id] == \
        [(r.line, r.column, r.message) for r in fresh.remaining]


def test_suppression_comments_follow_the_rounds_and_are_read_again_only_in_changed_files(monkeypatch) -> None:
    from tffix.engine import engine as engine_module

    reads = []
    original = engine_module.Comments.of
    monkeypatch.setattr(engine_module.Comments, "of", staticmethod(lambda tree: reads.append(tree) or original(tree)))
    main = BLOCKS.replace("# block 5\n", "# block 5\n# tffix:ignore[TFX982]\n")
    other = '# tffix:ignore[TFX982]\nresource "x" "o" {\n  v = 1\n}\n\nresource "x" "p" {\n  v = 2\n}\n'
    out, result = fix_texts({"main.tf": main, "other.tf": other}, [GrowsOne, Where])
    assert [r.rule_id for r in result.fixed] == ["TFX981"]
    # b5 moved down three lines and its comment with it: still suppressed; x.p never was
    shown = {r.message for r in result.remaining}
    assert not any(m.startswith(("x.b5.", "x.o.")) for m in shown) and "x.p.v" in shown
    # two rounds: main.tf read in each (it changed), other.tf once
    assert len(reads) == 3
    _, fresh = fix_texts(out, [Where], Options(apply_fixes=False))
    assert [(r.path, r.line, r.message) for r in result.remaining] == \
        [(r.path, r.line, r.message) for r in fresh.remaining]


# ---- the index follows a fix's items (ModuleIndex.patch) ----------------------------

REFS = (
    'locals {\n  p = "x"\n}\n\n'
    + "".join(f'resource "aws_s3_bucket" "b{i}" {{\n  bucket = "${{local.p}}-{i}"\n}}\n\n' for i in range(4))
    + 'resource "aws_s3_bucket_versioning" "v" {\n  bucket = aws_s3_bucket.b1.id\n}\n'
)


def _index_shape(module) -> tuple:
    from tffix.engine.module import ModuleIndex

    idx = module.index()
    fresh = ModuleIndex(module)

    def ids(refs) -> list[int]:
        return [id(r.block) for r in refs]

    shape = []
    for index in (idx, fresh):
        shape.append((
            ids(index.all),
            {k: ids(v) for k, v in index.by_kind.items()},
            {k: ids(v) for k, v in index.by_kind_type.items()},
            {k: id(v.block) for k, v in index.by_address.items()},
            sorted(index.locals),
            {k: ids(v) for k, v in index.named("resource", "aws_s3_bucket_logging").items()},
            [[(id(r.block), ".".join(t.path)) for r, t in index.referrers(ref)] for ref in fresh.all],
        ))
    return shape[0], shape[1]


def test_a_patched_index_is_the_index_built_again() -> None:
    from tffix.engine.engine import parse_module_texts
    from tffix.syntax.build import HCL, NewBlock

    module = parse_module_texts(".", {"main.tf": REFS})
    patched, fresh = _index_shape(module)
    assert patched == fresh
    tree = module.files[0].tree
    items = tree.body.items
    before = module.index()
    # the fix edits b1 in place and adds a block after it, as the fast path sees it:
    # one item kept before the window (locals, b0), the rest after it
    b1 = items[2]
    edit.set_attribute(b1, "bucket", HCL("aws_s3_bucket.b3.id"))
    edit.append_block(tree, NewBlock("resource", ["aws_s3_bucket_logging", "b1"],
                                     {"bucket": HCL("aws_s3_bucket.b1.id"), "target_bucket": HCL("aws_s3_bucket.b0.id")}),
                      after=b1)
    module.invalidate({id(module.files[0]): (2, 3)})
    patched, fresh = _index_shape(module)
    assert module.index() is before  # patched, not built again
    assert patched == fresh
    # a claim the trees do not bear out (the window said to keep more than it did) rebuilds it
    del items[0]
    module.invalidate({id(module.files[0]): (2, 3)})
    assert module.index() is not before
    patched, fresh = _index_shape(module)
    assert patched == fresh


class Supports(Rule):
    """A fix per bucket whose scope holds a private marker (as supporting resources do): the
    first creates ``extra.tf``, every fix refers to what it holds."""

    id = "TFX9994"
    name = "test-supports"
    summary = "test"
    safety = SAFE
    module_scope = False

    def check(self, module, options) -> Iterator:
        for ref in module.resources("aws_s3_bucket"):
            if ref.block.get_attribute("tags") is not None:
                continue

            def fix(ref=ref) -> None:
                from tffix.syntax.build import HCL, NewBlock

                if module.find("aws_kms_key.extra") is None:
                    sf = module.new_file("extra.tf")
                    edit.append_block(sf.tree, NewBlock("resource", ["aws_kms_key", "extra"], {}))
                edit.set_attribute(ref.block, "tags", HCL("{ key = aws_kms_key.extra.arn }"))

            extra = module if self.module_scope else object()
            yield self.finding(ref.file, ref.block, "no tags", fix=fix, scope=(ref.block, extra),
                               description="set tags")


class SupportsModule(Supports):
    """``Supports`` with the module itself in each fix's scope (as fixes that create files do)."""

    module_scope = True


def test_fixes_with_a_marker_in_their_scope_give_what_whole_file_comparisons_give() -> None:
    for rule in (Supports, SupportsModule):
        _fast_is_whole(rule)


def _fast_is_whole(rule) -> None:
    import tffix.engine.engine as engine_module

    texts = {"main.tf": REFS}
    calls = []
    real = engine_module.apply_fix

    def slow(*args, **kwargs):
        calls.append(1)
        return real(*args, **kwargs)

    engine_module.apply_fix = slow
    old_plan = engine_module.plan_fast
    try:
        fast, fast_result = fix_texts(texts, [rule], Options())
        assert not calls  # read off the items: the fast path
        engine_module.plan_fast = lambda *a, **k: None  # every fix compared whole, as before the fast path
        whole, whole_result = fix_texts(texts, [rule], Options())
    finally:
        engine_module.apply_fix = real
        engine_module.plan_fast = old_plan
    assert calls  # the reference run did compare whole files
    assert fast == whole and "extra.tf" in fast
    assert [(r.rule_id, r.line, r.edits) for r in fast_result.fixed] == \
        [(r.rule_id, r.line, r.edits) for r in whole_result.fixed]
    assert fast_result.errors == whole_result.errors == []
    assert len(fast_result.fixed) == 4


# ---- where items start, read off positions (reparse._placed) --------------------


def _printed_starts(base: Baseline) -> list[int]:
    tree = base.tree
    tail = sum(len(t.pre) + len(t) for t in tree.body.trailing) + len(tree.eof.pre) + len(tree.eof)
    starts = [len(base.text) - tail]
    for item in reversed(base.items):
        starts.append(starts[-1] - len(item.code))
    return starts[::-1]


def test_item_offsets_read_off_positions_are_those_printing_gives(monkeypatch) -> None:
    """``Baseline.of`` reads where items start off their last tokens' positions; on every
    baseline of every round of all the rules on their docs Examples and ``examples/``
    (trees spliced by ``refresh`` included) they are the offsets printing gives, and the
    positions are what was read (not the fallback)."""
    from tffix.engine import reparse
    from tffix.transforms.registry import FIX_CHECKS

    from tests.test_reuse import _every_rule, _example_modules

    real_of = Baseline.of.__func__  # type: ignore[attr-defined]
    real_placed = reparse._placed
    seen = {"bases": 0, "placed": 0}

    def placed(*args):
        got = real_placed(*args)
        seen["placed"] += got is not None
        return got

    def checked(cls, sf, text=None):
        base = real_of(cls, sf, text)
        seen["bases"] += 1
        assert base.starts == _printed_starts(base), sf.display
        return base

    monkeypatch.setattr(reparse, "_placed", placed)
    monkeypatch.setattr(Baseline, "of", classmethod(checked))
    options = Options(unsafe_fixes=True, fix_checks=FIX_CHECKS)
    rules = _every_rule()
    for _, texts in _example_modules():
        fix_texts(texts, rules, options)
    assert seen["bases"] > 200 and seen["placed"] > 0.9 * seen["bases"]


def test_item_offsets_fall_back_to_printing_where_positions_do_not_add_up() -> None:
    from tffix.engine.reparse import _placed
    from tffix.syntax.build import copy_node

    text = BLOCKS.replace("\n", "\r\n", 3)  # a file with some CRLF lines
    tree = parse(text, "main.tf")
    sf = SourceFile(Path("main.tf"), text, tree, display="main.tf")
    assert Baseline.of(sf).starts == _printed_starts(Baseline.of(sf))
    end = Baseline.of(sf).starts[-1]
    assert _placed(text, tree, list(tree.body.items), end) == Baseline.of(sf).starts
    tree.body.items[5] = cst.unplaced(copy_node(tree.body.items[5]))  # new code: no positions
    sf.text = tree.code
    base = Baseline.of(sf)
    assert _placed(sf.text, tree, list(tree.body.items), base.starts[-1]) is None
    assert base.starts == _printed_starts(base)
    bom = "\ufeff" + BLOCKS
    tree = parse(bom, "main.tf")
    want = _printed_starts(Baseline.of(SourceFile(Path("main.tf"), bom, tree, display="main.tf")))
    assert _placed(bom, tree, list(tree.body.items), want[-1]) == want and want[0] == 1


# ---- files no fix edits are printed once, at the end (engine: ``pending``, ``LateStray``) ----

OTHER = 'resource "y" "o" {\n  v = 1\n}\n\nresource "y" "p" {\n  v = 2\n}\n'


# declares b0 of main.tf but edits y.o of other.tf, a file no other fix names: only the last
# print of other.tf can see it
StrayElsewhere = _edits_elsewhere("TFX985", "y.o")


class GrowsAll(Rule):
    """Gives one x block per round an ``extra`` argument: one round of fixes per block."""

    id = "TFX986"
    name = "grows-all"
    summary = "test rule"
    safety = SAFE

    def check(self, module, options) -> Iterator:
        for ref in module.resources("x"):
            if ref.block.get_attribute("extra") is None:
                yield self.finding(ref.file, ref.block, "grow", block=ref.block,
                                   fix=lambda b=ref.block: edit.set_attribute(b, "extra", 1))
                return


def _prints_of(monkeypatch, display: str) -> list[int]:
    """Counts the whole prints of the tree of the file ``display`` (a list of one count)."""
    real = cst.File.code
    count = [0]

    def code(tree):
        if tree.path == display:
            count[0] += 1
        return real.fget(tree)

    monkeypatch.setattr(cst.File, "code", property(code))
    return count


def test_a_file_no_fix_edits_is_printed_once_however_many_rounds(monkeypatch) -> None:
    prints = _prints_of(monkeypatch, "other.tf")
    out, result = fix_texts({"main.tf": BLOCKS, "other.tf": OTHER}, [GrowsAll])
    assert [r.rule_id for r in result.fixed] == ["TFX986"] * 6  # six rounds of fixes
    assert out["other.tf"] == OTHER and out["main.tf"].count("extra = 1") == 6
    assert prints == [1]  # at the end, not at the end of each round


def _runs(monkeypatch) -> list[bool]:
    """The ``fast`` argument of each ``engine._run_module`` call (a list that fills)."""
    from tffix.engine import engine as engine_module

    runs: list[bool] = []
    real = engine_module._run_module

    def recording(module, rules, options, findings_out, fast):
        runs.append(fast)
        return real(module, rules, options, findings_out, fast)

    monkeypatch.setattr(engine_module, "_run_module", recording)
    return runs


def test_a_stray_edit_in_a_file_no_fix_names_is_found_late_and_the_module_runs_again(monkeypatch) -> None:
    runs = _runs(monkeypatch)
    out, result = fix_texts({"main.tf": BLOCKS, "other.tf": OTHER}, [StrayElsewhere, GrowsAll])
    assert runs == [True, False]  # found at the end of the fast run: run again, comparing whole files
    assert "main.tf:2:1: internal error: fix for TFX985 edited other.tf outside its scope; the fix was reverted" \
        in result.errors
    assert out["other.tf"] == OTHER and out["main.tf"].count("extra = 1") == 6
    assert [r.rule_id for r in result.fixed] == ["TFX986"] * 6
    monkeypatch.undo()
    assert fix_texts({"main.tf": BLOCKS, "other.tf": OTHER}, [StrayElsewhere, GrowsAll]) == (out, result)


def test_the_index_followed_across_rounds_is_the_index_built_again(monkeypatch) -> None:
    """``Module.follow`` after every round of all the rules on their docs Examples and
    ``examples/`` (files created, items replaced, trees parsed again): the index it keeps
    is the one a fresh build gives, and most rounds keep it instead of building it."""
    from tffix.engine.module import Module
    from tffix.transforms.registry import FIX_CHECKS

    from tests.test_reuse import _every_rule, _example_modules

    real = Module.follow
    kept = [0, 0]

    def follow(module) -> None:
        before = module._index
        real(module)
        if module._index is not None:
            kept[0] += module._index is before
            patched, fresh = _index_shape(module)
            assert patched == fresh
        kept[1] += 1

    monkeypatch.setattr(Module, "follow", follow)
    options = Options(unsafe_fixes=True, fix_checks=FIX_CHECKS)
    rules = _every_rule()
    for _, texts in _example_modules():
        fix_texts(texts, rules, options)
    assert kept[1] > 100 and kept[0] > kept[1] // 2


def test_an_index_follows_a_created_file_and_a_tree_parsed_again() -> None:
    from tffix.engine.engine import parse_module_texts

    module = parse_module_texts(".", {"main.tf": REFS})
    before = module.index()
    extra = 'resource "aws_s3_bucket" "x" {\n  bucket = aws_s3_bucket.b0.id\n}\n'
    module.files.append(SourceFile(Path("extra.tf"), extra, parse(extra, "extra.tf"), display="extra.tf"))
    sf = module.files[0]
    sf.tree = parse(sf.text, "main.tf")  # every item a new object
    module.follow()
    assert module.index() is before
    patched, fresh = _index_shape(module)
    assert patched == fresh
    module.files.reverse()  # reordered: built again
    module.follow()
    assert module.index() is not before


# its scope opens every file (the module), and it edits y.o of other.tf in place: allowed
OpensAndEditsInPlace = _edits_elsewhere("TFX987", "y.o", opened=True)


def test_an_opened_scope_that_edits_a_file_in_place_is_applied(monkeypatch) -> None:
    """Found at the end (the file was taken as unchanged), the module runs again comparing
    whole files, where the edit is within the fix's scope: applied, as before."""
    runs = _runs(monkeypatch)
    out, result = fix_texts({"main.tf": BLOCKS, "other.tf": OTHER}, [OpensAndEditsInPlace, GrowsAll])
    assert runs == [True, False] and not result.errors
    assert "w = 1" in out["other.tf"] and out["main.tf"].count("extra = 1") == 6
    assert sorted(r.rule_id for r in result.fixed) == ["TFX986"] * 6 + ["TFX987"]
