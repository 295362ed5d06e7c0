"""The engine's guarantees, exercised with small test-only rules."""

from __future__ import annotations

from collections.abc import Iterator

import tffix
from tffix import edit
from tffix.engine.engine import MAX_ROUNDS, Options, fix_texts
from tffix.engine.rules import SAFE, Rule
from tffix.syntax.build import NewBlock
from tffix.syntax.lexer import Token
from tffix.transforms.terraform import terraform_required_version

TEXT = 'resource "x" "a" {\n  v = 0\n}\n\nresource "x" "b" {\n  v = 0\n}\n'


def _setter(rule_id: str, value: int) -> type[Rule]:
    class SetV(Rule):
        id = rule_id
        name = f"set-v-{value}"
        summary = "test rule"
        safety = SAFE

        def check(self, module, options) -> Iterator:
            for ref in module.resources("x"):
                attr = ref.block.get_attribute("v")
                if attr is not None and attr.value.code.strip() != str(value):
                    yield self.finding(ref.file, attr, f"v should be {value}", block=ref.block,
                                       fix=lambda b=ref.block: edit.set_attribute(b, "v", value))

    return SetV


def test_conflicting_rules_do_not_converge_and_nothing_changes() -> None:
    out, result = fix_texts({"main.tf": TEXT}, [_setter("TFX991", 1), _setter("TFX992", 2)])
    assert out["main.tf"] == TEXT
    assert not result.converged and not result.changes and not result.fixed
    assert any("did not converge" in e and "TFX991" in e and "TFX992" in e for e in result.errors)


def test_one_rule_converges_in_one_round_and_a_second_run_finds_nothing() -> None:
    rule = _setter("TFX991", 1)
    out, result = fix_texts({"main.tf": TEXT}, [rule])
    assert result.converged and len(result.fixed) == 2 and out["main.tf"].count("v = 1") == 2
    again, second = fix_texts(out, [rule])
    assert again == out and not second.fixed and not second.remaining


def _adding(rule_id: str, names: tuple[str, ...]) -> type[Rule]:
    """A rule with one fix per missing name on each block: fixes on one block overlap."""

    class Adds(Rule):
        id = rule_id
        name = "add"
        summary = "test rule"
        safety = SAFE

        def check(self, module, options) -> Iterator:
            for ref in module.resources("x"):
                for name in names:
                    if ref.block.get_attribute(name) is None:
                        yield self.finding(ref.file, ref.block, f"missing {name}", block=ref.block,
                                           fix=lambda b=ref.block, n=name: edit.set_attribute(b, n, True))

    return Adds


Overlapping = _adding("TFX993", ("p", "q"))  # two fixes on the same block in one round: the second waits


def test_overlapping_fixes_are_applied_in_separate_rounds() -> None:
    out, result = fix_texts({"main.tf": TEXT}, [Overlapping])
    assert result.converged and len(result.fixed) == 4
    assert out["main.tf"].count("p = true") == 2 and out["main.tf"].count("q = true") == 2


class Breaks(Rule):
    id = "TFX994"
    name = "breaks"
    summary = "test rule"
    safety = SAFE

    def check(self, module, options) -> Iterator:
        for ref in module.resources("x"):
            if ref.block.label_values[1] == "a":
                attr = ref.block.get_attribute("v")

                def apply(attr=attr) -> None:
                    attr.name_token = Token.make("IDENT", "not valid", attr.name_token.pre)

                yield self.finding(ref.file, attr, "break it", block=ref.block, fix=apply)


class Raises(Rule):
    id = "TFX995"
    name = "raises"
    summary = "test rule"
    safety = SAFE

    def check(self, module, options) -> Iterator:
        for ref in module.resources("x"):
            if ref.block.label_values[1] == "b":
                def apply() -> None:
                    raise RuntimeError("boom")

                yield self.finding(ref.file, ref.block, "raise", block=ref.block, fix=apply)


def test_a_fix_that_breaks_syntax_or_raises_is_reverted_and_reported() -> None:
    out, result = fix_texts({"main.tf": TEXT}, [Breaks, Raises, _setter("TFX991", 1)],
                            Options())
    errors = "\n".join(result.errors)
    assert "internal error: fix for TFX994 produced invalid syntax" in errors
    assert "internal error: fix for TFX995 raised RuntimeError: boom" in errors
    assert "not valid" not in out["main.tf"]
    # the good rule still fixes both blocks (in a later round for the reverted file)
    assert out["main.tf"].count("v = 1") == 2


class Crashes(Rule):
    id = "TFX996"
    name = "crashes"
    summary = "test rule"

    def check(self, module, options) -> Iterator:
        raise KeyError("oops")


def test_a_crashing_rule_is_reported_and_others_run() -> None:
    out, result = fix_texts({"main.tf": TEXT}, [Crashes, _setter("TFX991", 1)])
    assert any("internal error in rule TFX996" in e for e in result.errors)
    assert out["main.tf"].count("v = 1") == 2


def test_a_block_with_more_fixes_than_ten_rounds_converges() -> None:
    many = _adding("TFX997", tuple(f"p{i}" for i in range(15)))  # more than the old cap of ten rounds
    out, result = fix_texts({"main.tf": TEXT}, [many])
    assert result.converged and len(result.fixed) == 30 and out["main.tf"].count("= true") == 30


class Runaway(Rule):
    """Always finds something new: only the round cap stops it."""

    id = "TFX998"
    name = "runaway"
    summary = "test rule"
    safety = SAFE

    def check(self, module, options) -> Iterator:
        ref = next(module.resources("x"))
        attr = ref.block.get_attribute("v")
        n = int(attr.value.code.strip())
        yield self.finding(ref.file, attr, "more", block=ref.block,
                           fix=lambda b=ref.block: edit.set_attribute(b, "v", n + 1))


def test_a_run_that_keeps_making_new_states_stops_at_the_cap_and_changes_nothing() -> None:
    out, result = fix_texts({"main.tf": TEXT}, [Runaway])
    assert out["main.tf"] == TEXT and not result.converged and not result.fixed
    assert any(f"did not converge after {MAX_ROUNDS} rounds" in e for e in result.errors)


def test_references_through_locals_follows_locals_once_and_keeps_unknown_ones() -> None:
    from pathlib import Path

    from tffix.engine.module import Module, SourceFile

    text = ('locals {\n  a = aws_vpc.main.id\n  b = [local.a, local.b, aws_vpc.other.id]\n}\n'
            'output "o" {\n  value = [local.b, local.missing, var.x]\n}\n')
    tree = tffix.parse(text, "main.tf")
    module = Module(Path("."), [SourceFile(Path("main.tf"), text, tree)])
    output = next(module.blocks("output")).block.get_attribute("value").value
    found = [".".join(t.path) for t in module.references_through_locals(output)]
    assert found == ["aws_vpc.main.id", "aws_vpc.other.id", "local.missing", "var.x"]


# ---- fixes as edit data ---------------------------------------------------------------


def _apply_edits(text: str, edits: list) -> str:
    for e in sorted(edits, key=lambda e: e.start, reverse=True):
        text = text[:e.start] + e.replacement + text[e.end:]
    return text


def test_applied_fixes_record_their_text_edits() -> None:
    out, result = fix_texts({"main.tf": TEXT}, [_setter("TFX991", 1)])
    first, second = result.fixed
    assert [(e.display, e.start, e.end, e.replacement) for e in first.edits] == [("main.tf", TEXT.index("0"), TEXT.index("0") + 1, "1")]
    # offsets are into the text just before each fix: the fixes of one round apply in turn
    assert _apply_edits(_apply_edits(TEXT, first.edits), second.edits) == out["main.tf"]


class OutOfScope(Rule):
    """Declares block a as its scope but edits block b: a contract breach."""

    id = "TFX997"
    name = "out-of-scope"
    summary = "test rule"
    safety = SAFE

    def check(self, module, options) -> Iterator:
        a, b = (ref.block for ref in module.resources("x"))
        if b.get_attribute("w") is None:
            yield self.finding(next(module.resources("x")).file, a, "edit b", block=a,
                               fix=lambda: edit.set_attribute(b, "w", 1))


def test_a_fix_that_edits_outside_its_scope_is_reverted_and_reported() -> None:
    out, result = fix_texts({"main.tf": TEXT}, [OutOfScope, _setter("TFX991", 1)])
    assert "main.tf:1:1: internal error: fix for TFX997 edited main.tf outside its scope; the fix was reverted" \
        in result.errors
    assert "w = 1" not in out["main.tf"] and out["main.tf"].count("v = 1") == 2
    assert [r.rule_id for r in result.fixed] == ["TFX991", "TFX991"]


class AddsNeighbour(Rule):
    """Adds a block right after its scoped block: the blank line above the next
    block could be read as either's, and must not count as leaving the scope."""

    id = "TFX998"
    name = "adds-neighbour"
    summary = "test rule"
    safety = SAFE

    def check(self, module, options) -> Iterator:
        ref = next(module.resources("x"))
        if not module.find("y.n"):
            yield self.finding(ref.file, ref.block, "add y.n", block=ref.block,
                               fix=lambda: edit.append_block(ref.file.tree, NewBlock("resource", ["y", "n"]),
                                                             after=ref.block))


def test_a_new_block_next_to_the_scoped_one_is_in_scope() -> None:
    out, result = fix_texts({"main.tf": TEXT}, [AddsNeighbour])
    assert not result.errors and 'resource "y" "n"' in out["main.tf"]
    (edit_,) = result.fixed[0].edits
    assert _apply_edits(TEXT, [edit_]) == out["main.tf"]


def test_a_created_file_is_an_edit_of_an_empty_file() -> None:
    rule = terraform_required_version.TerraformRequiredVersion
    out, result = fix_texts({"main.tf": 'resource "aws_s3_bucket" "b" {}\n'}, [rule])
    (e,) = result.fixed[0].edits
    assert (e.display, e.start, e.end, e.created) == ("versions.tf", 0, 0, True)
    assert e.replacement == out["versions.tf"]


def test_previews_record_the_edits_of_unapplied_fixes_without_changing_anything() -> None:
    options = Options(apply_fixes=False, preview_fixes=True)
    out, result = fix_texts({"main.tf": TEXT}, [_setter("TFX991", 1), Overlapping], options)
    assert out["main.tf"] == TEXT and not result.changes and not result.fixed
    assert len(result.remaining) == 6 and all(r.edits for r in result.remaining)
    for r in result.remaining:  # each fix alone, against the same text
        fixed = _apply_edits(TEXT, r.edits)
        assert fixed != TEXT and tffix.parse(fixed).code == fixed
    assert not fix_texts({"main.tf": TEXT}, [_setter("TFX991", 1)], Options(apply_fixes=False))[1].remaining[0].edits
