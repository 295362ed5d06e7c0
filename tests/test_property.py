"""Property tests: generated HCL always round-trips byte for byte, and no
input (mutated real snippets, arbitrary text) raises anything but ParseError."""

from __future__ import annotations

from pathlib import Path

import tffix
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from .conftest import CASES

SETTINGS = settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])

names = st.sampled_from(["a", "b_1", "name-x", "é", "for", "in", "if", "_x", "count", "each"])
space = st.sampled_from(["", " ", "  ", "\t"])
comment = st.sampled_from(["", " # c", " // c", " /* c */"])
newline = st.sampled_from(["\n", "\r\n"])


@st.composite
def expressions(draw, depth: int = 0) -> str:
    leaves = st.one_of(
        st.integers(0, 10_000).map(str),
        st.sampled_from(["1.5", "1e3", "true", "null", "var.x", "a.b[0].c", "x.*.id", "y[*].z", "a.0"]),
        st.text(st.characters(blacklist_characters='"\\\r\n$%', blacklist_categories=("Cs",)), max_size=8)
        .map(lambda s: '"' + s + '"'),
        st.sampled_from(['"${var.a}-x"', '"%{ if c }y%{ endif }"', '"$${literal}"', "provider::aws::f(1)"]),
    )
    if depth >= 3:
        return draw(leaves)
    sub = expressions(depth + 1)
    kind = draw(st.integers(0, 8))
    s = draw(space)
    if kind == 0:
        return f"[{s}{', '.join(draw(st.lists(sub, max_size=3)))}]"
    if kind == 1:
        # `{ for` always starts a for expression (terraform rejects `{for = 1}`)
        keys = names.filter(lambda n: n != "for")
        items = draw(st.lists(st.tuples(keys, sub), max_size=3, unique_by=lambda t: t[0]))
        return "{" + ", ".join(f"{k}{s}={s}{v}" for k, v in items) + "}"
    if kind == 2:
        # a space before the operator: `true-x` is one identifier in HCL (terraform agrees)
        return f"{draw(sub)} {draw(st.sampled_from(['+', '-', '*', '==', '&&', '||', '<=']))}{s}{draw(sub)}"
    if kind == 3:
        return f"{draw(sub)} ? {draw(sub)} : {draw(sub)}"
    if kind == 4:
        return f"f({s}{', '.join(draw(st.lists(sub, max_size=3)))})"
    if kind == 5:
        return f"[for k, v in {draw(sub)} : {draw(sub)} if {draw(sub)}]"
    if kind == 6:
        return f"({draw(sub)})"
    if kind == 7:
        return f"!{draw(sub)}"
    return draw(leaves)


@st.composite
def bodies(draw, depth: int = 0) -> str:
    nl = draw(newline)
    lines = []
    used: set[str] = set()
    for _ in range(draw(st.integers(0, 4))):
        kind = draw(st.integers(0, 3 if depth < 2 else 1))
        indent = "  " * depth
        if kind <= 1:
            name = draw(names)
            if name in used:
                continue
            used.add(name)
            lines.append(f"{indent}{name}{draw(space)}={draw(space)}{draw(expressions())}{draw(comment)}{nl}")
        elif kind == 2:
            lines.append(f"{indent}{draw(st.sampled_from(['# note', '', '/* x */']))}{nl}")
        else:
            inner = draw(bodies(depth + 1))
            lines.append(f'{indent}{draw(names)} "label" {{{draw(comment)}{nl}{inner}{indent}}}{nl}')
    return "".join(lines)


@SETTINGS
@given(bodies())
def test_generated_hcl_round_trips(text: str) -> None:
    assert tffix.parse(text).code == text


def _snippets() -> list[str]:
    if not CASES.is_dir():
        return ['a = 1\n', 'b "x" {\n  c = "${d}"\n}\n']
    return [p.read_text(encoding="utf-8") for p in sorted(Path(CASES).glob("*.tf"))]


SNIPPETS = _snippets()


@st.composite
def mutated(draw) -> str:
    text = draw(st.sampled_from(SNIPPETS))
    for _ in range(draw(st.integers(1, 4))):
        if not text:
            break
        i = draw(st.integers(0, len(text) - 1))
        op = draw(st.integers(0, 2))
        if op == 0:
            text = text[:i] + text[i + 1 :]
        elif op == 1:
            text = text[:i] + draw(st.sampled_from(list('{}[]()"$%~<\n\r#/*=.,:?!\\ \t\ufeffx0'))) + text[i:]
        else:
            j = draw(st.integers(i, min(len(text), i + 20)))
            text = text[:i] + text[j:] + text[i:j]
    return text


@SETTINGS
@given(mutated())
def test_mutated_snippets_parse_or_fail_cleanly(text: str) -> None:
    try:
        tree = tffix.parse(text, "m.tf")
    except tffix.ParseError as err:
        assert err.line >= 1 and err.column >= 1
        assert str(err).startswith(f"m.tf:{err.line}:{err.column}: ")
    else:
        assert tree.code == text


@SETTINGS
@given(st.text(max_size=60))
def test_arbitrary_text_parses_or_fails_cleanly(text: str) -> None:
    try:
        assert tffix.parse(text).code == text
    except tffix.ParseError:
        pass
