"""The next round's trees reuse the parses of the round's syntax checks (``reparse.refresh``
from ``Baseline.final`` / ``Baseline.fresh``): every tree is checked against a whole parse
of its text (node kinds, tokens, positions), and each shortcut and each of its fallbacks
is made to run."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator

import pytest

import tffix.engine.engine as engine_module
import tffix.engine.reparse as reparse
from tffix import edit
from tffix.engine.engine import Options, fix_texts
from tffix.engine.rules import SAFE, Rule
from tffix.syntax import cst
from tffix.syntax.build import HCL, NewBlock, block_node, copy_node
from tffix.syntax.lexer import Token
from tffix.syntax.parser import parse

from tests.test_incremental import BLOCKS, _shape  # the same six blocks, and what "the same tree" means


class _Set(Rule):
    """Sets ``extra`` on the blocks named in ``names`` (one fix, all of them its scope)."""

    id = "TFX990"
    name = "set"
    summary = "test rule"
    safety = SAFE
    names: tuple[str, ...] = ()
    lines = 1

    def check(self, module, options) -> Iterator:
        refs = [module.find(f"x.{n}") for n in self.names]
        if all(r is not None for r in refs) and refs[0].block.get_attribute("extra") is None:
            value = list(range(self.lines)) if self.lines > 1 else 1
            blocks = [r.block for r in refs]

            def fix() -> None:
                for b in blocks:
                    edit.set_attribute(b, "extra", value)

            yield self.finding(refs[0].file, refs[0].block, "extra", block=refs[0].block, fix=fix,
                               scope=blocks)


def _rule(rule_id: str, names: tuple[str, ...], lines: int = 1) -> type[Rule]:
    return type(f"Set{rule_id}", (_Set,), {"id": rule_id, "names": names, "lines": lines,
                                           "__doc__": _Set.__doc__})


class Adds(Rule):
    """Adds a block after b4, and creates a file with a block."""

    id = "TFX995"
    name = "adds"
    summary = "test rule"
    safety = SAFE

    def check(self, module, options) -> Iterator:
        ref = module.find("x.b4")
        if ref is not None and module.find("x.added") is None:
            def fix(block=ref.block, sf=ref.file) -> None:
                edit.append_block(sf.tree, NewBlock("resource", ["x", "added"], {"v": 1}), after=block)
                new = module.new_file("new.tf")
                edit.append_block(new.tree, NewBlock("resource", ["x", "created"], {"v": HCL("x.added.v")}))

            yield self.finding(ref.file, ref.block, "add", block=ref.block, fix=fix, scope=(ref.block, module))


def _checked(monkeypatch) -> Counter:
    """Every tree ``refresh`` gives is compared with a whole parse; counts what ran."""
    seen: Counter = Counter()
    real_refresh, real_reuse, real_alone = reparse.refresh, reparse._reuse, reparse._alone

    def reuse(sf, base, touched):
        got = real_reuse(sf, base, touched)
        seen["reused" if got is not None else "not reused"] += 1
        return got

    def alone(chunk, display):
        seen["parsed now"] += 1
        return real_alone(chunk, display)

    def refresh(sf, base, touched):
        seen["fresh" if base.fresh is not None else "refresh"] += 1
        tree = real_refresh(sf, base, touched)
        whole = parse(sf.text, sf.display)
        assert tree.code == sf.text
        assert _shape(tree) == _shape(whole) and [str(t) for t in tree.header] == [str(t) for t in whole.header]
        return tree

    monkeypatch.setattr(reparse, "_reuse", reuse)
    monkeypatch.setattr(reparse, "_alone", alone)
    monkeypatch.setattr(engine_module, "refresh", refresh)
    return seen


def _same_as_without_reuse(monkeypatch, texts: dict[str, str], rules: list) -> tuple[dict[str, str], Counter]:
    seen = _checked(monkeypatch)
    out, result = fix_texts(texts, rules)
    assert result.errors == []
    # the same run with every tree parsed whole: the same texts and positions
    with monkeypatch.context() as m:
        m.setattr(engine_module, "refresh", lambda sf, base, touched: parse(sf.text, sf.display))
        out2, result2 = fix_texts(texts, rules)
    assert out == out2
    assert [(r.rule_id, r.line, r.column, r.message) for r in result.remaining] == \
        [(r.rule_id, r.line, r.column, r.message) for r in result2.remaining]
    return out, seen


@pytest.mark.parametrize("lines", [1, 4])
def test_windows_parsed_by_their_checks_give_the_next_rounds_tree(monkeypatch, lines) -> None:
    """The first item, the last, a middle one, a window of two with an item between:
    the window parses are reused (no parse at the end of the round) and the trees are
    the whole parse's."""
    rules = [_rule("TFX991", ("b0",), lines), _rule("TFX992", ("b5",), lines),
             _rule("TFX993", ("b1", "b3"), lines)]
    out, seen = _same_as_without_reuse(monkeypatch, {"main.tf": BLOCKS}, rules)
    assert out["main.tf"].count("extra") == 4
    assert seen["reused"] >= 1 and seen["not reused"] == 0 and seen["parsed now"] == 0


def test_a_window_a_later_fix_changed_inside_is_parsed_again(monkeypatch) -> None:
    """b2 lies in the window of the fix of b1 and b3, and a later fix changes it: that
    window's parse no longer holds, those items are parsed again (the fallback)."""
    rules = [_rule("TFX993", ("b1", "b3"), 3), _rule("TFX994", ("b2",), 2)]
    out, seen = _same_as_without_reuse(monkeypatch, {"main.tf": BLOCKS}, rules)
    assert out["main.tf"].count("extra") == 3
    assert seen["reused"] >= 1 and seen["parsed now"] >= 1


def test_added_blocks_and_a_created_file(monkeypatch) -> None:
    out, seen = _same_as_without_reuse(monkeypatch, {"main.tf": BLOCKS}, [Adds, _rule("TFX991", ("b0",))])
    assert '"added"' in out["main.tf"] and '"created"' in out["new.tf"]
    assert seen["fresh"] == 1 and seen["reused"] >= 1


def test_a_file_edge_that_a_window_parse_cannot_decide_falls_back(monkeypatch) -> None:
    """A first item given a blank line above it (the file's header would take it), a last
    item without a final newline, a byte order mark: no reuse where it would differ, and
    the trees are the whole parse's."""

    class Blank(Rule):
        id = "TFX996"
        name = "blank"
        summary = "test rule"
        safety = SAFE

        def check(self, module, options) -> Iterator:
            ref = module.find("x.b0")
            if ref is not None and ref.block.get_attribute("extra") is None:
                def fix(b=ref.block) -> None:
                    edit.set_attribute(b, "extra", 1)
                    b.leading.insert(0, Token.make("NL", "\n"))

                yield self.finding(ref.file, ref.block, "x", block=ref.block, fix=fix)

    for text in (BLOCKS.rstrip("\n"), "\ufeff" + BLOCKS, BLOCKS.replace("# block 0\n", "")):
        _same_as_without_reuse(monkeypatch, {"main.tf": text},
                               [_rule("TFX991", ("b0",)), _rule("TFX992", ("b5",), 3)])
    seen = _checked(monkeypatch)
    out, result = fix_texts({"main.tf": BLOCKS.replace("# block 0\n", "")}, [Blank])
    assert out["main.tf"].startswith("\nresource") and not result.errors
    assert seen["not reused"] == 1  # the header takes the blank line: parsed whole


def test_a_syntax_error_in_the_last_item_is_the_whole_files() -> None:
    """The last item's window is parsed alone now; a fix that breaks it is reverted with
    the error of the whole file (its line and column)."""

    class Breaks(Rule):
        id = "TFX997"
        name = "breaks"
        summary = "test rule"
        safety = SAFE

        def check(self, module, options) -> Iterator:
            ref = module.find("x.b5")
            if ref is not None:
                def fix(b=ref.block) -> None:
                    b.rbrace.pre = "w = "  # (no edit function writes that: text the parser rejects)

                yield self.finding(ref.file, ref.block, "x", block=ref.block, fix=fix)

    out, result = fix_texts({"main.tf": BLOCKS}, [Breaks])
    assert out["main.tf"] == BLOCKS
    cut = BLOCKS.rindex("}")
    text = BLOCKS[:cut] + "w = " + BLOCKS[cut:]
    with pytest.raises(Exception) as whole:
        parse(text, "main.tf")
    line, column = whole.value.line, whole.value.column
    assert any(f"produced invalid syntax ({whole.value.message} at {line}:{column})" in e for e in result.errors)
    assert line > BLOCKS.count("\n", 0, BLOCKS.index('"b5"'))


def test_new_blocks_are_copies_of_one_parse() -> None:
    """``block_node`` copies a parse kept per text: the copy is the parse of the text
    (kinds, tokens, no positions), shares no node or token with another copy."""
    spec = NewBlock("resource", ["aws_s3_bucket", "b"], {"bucket": "x", "tags": {"a": "1", "bb": HCL("var.t")},
                                                        "rule": NewBlock("rule", body={"n": [1, 2]})})
    first, second = block_node(spec, "  "), block_node(spec, "  ")
    want = cst.unplaced(parse(first.code).body.items[0])
    assert _shape(first) == _shape(want) == _shape(second)
    assert all(t.line is None for t in first.tokens())
    assert not {id(n) for n in first.walk()} & {id(n) for n in second.walk()}
    assert not {id(t) for t in first.tokens()} & {id(t) for t in second.tokens()}
    edit.set_attribute(first, "bucket", "changed")
    assert '"changed"' not in block_node(spec, "  ").code
    # every real block copies to its parse
    tree = parse(BLOCKS + 'locals {\n  a = [for k, v in var.m : "${k}=${v}" if v != null]\n  h = <<EOT\nx\nEOT\n}\n')
    for item in tree.body.items:
        copy = copy_node(item)
        assert _shape(copy) == _shape(item) and copy.code == item.code


def test_new_values_are_copies_of_one_parse() -> None:
    """``value_node`` copies a parse kept per text, as ``block_node`` does."""
    from tffix.edit.body import value_node

    value = {"a": [1, 2], "b": HCL("var.x")}
    first, second = value_node(value, "  ", "\n"), value_node(value, "  ", "\n")
    assert first.code == second.code and _shape(first) == _shape(second)
    assert all(t.line is None for t in first.tokens())
    assert not {id(t) for t in first.tokens()} & {id(t) for t in second.tokens()}
    tree = parse("r {\n  x =" + first.code + "\n}\n")
    assert tree.body.items[0].body.items[0].value.code == first.code


def test_a_text_parsed_again_is_a_copy_of_its_first_parse() -> None:
    """``apply._parsed`` keeps a short text's tree from its second parse on and hands out
    copies: each is the whole parse of the text (kinds, tokens, positions, path), and
    none shares a node or token with another; a text that does not parse is an error
    every time; a long text is parsed every time."""
    from tffix.engine import apply

    text = BLOCKS.replace("b", "recent_b")
    got = [apply._parsed(text, f"m{i}/main.tf") for i in range(4)]
    assert text in apply._RECENT and apply._RECENT[text] is not None
    for i, (exc, tree) in enumerate(got):
        want = parse(text, f"m{i}/main.tf")
        assert exc is None and _shape(tree) == _shape(want) and tree.path == want.path
        assert [str(t) for t in tree.header] == [str(t) for t in want.header]
    for (_, a), (_, b) in zip(got, got[1:]):
        assert not {id(t) for t in a.tokens()} & {id(t) for t in b.tokens()}
    broken = text + "oops {\n"
    assert all(apply._parsed(broken, "x.tf")[0] is not None for _ in range(3))
    long = BLOCKS * 40
    assert len(long) > apply._RECENT_TEXT
    assert all(_shape(apply._parsed(long, "l.tf")[1]) == _shape(parse(long)) for _ in range(3))
    assert long not in apply._RECENT
