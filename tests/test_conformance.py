"""The shared conformance suite: accept exactly what terraform accepts, and
print every accepted file back byte for byte (LF and CRLF variants)."""

from __future__ import annotations

import csv

import pytest
import tffix

from .conftest import CASES


def _cases() -> list[tuple[str, int]]:
    table = CASES / "verdicts.tsv"
    if not table.exists():
        return []
    with table.open(newline="") as f:
        return [(row["file"], int(row["terraform_fmt_check_rc"])) for row in csv.DictReader(f, delimiter="\t")]


CASE_LIST = _cases()


def _variants(text: str) -> dict[str, str]:
    crlf = text.replace("\r\n", "\n").replace("\n", "\r\n")
    return {"lf": text, "crlf": crlf}


@pytest.mark.parametrize("variant", ["lf", "crlf"])
@pytest.mark.parametrize("name,rc", CASE_LIST or [pytest.param("none", 0, marks=pytest.mark.skip("no cases"))])
def test_case(name: str, rc: int, variant: str) -> None:
    from .conftest import cases_dir

    text = (cases_dir() / name).read_bytes().decode("utf-8")
    text = _variants(text)[variant]
    terraform_accepts = rc in (0, 3)
    if terraform_accepts:
        tree = tffix.parse(text, name)
        assert tree.code == text
    else:
        with pytest.raises(tffix.ParseError) as info:
            tffix.parse(text, name)
        err = info.value
        assert err.path == name and err.line >= 1 and err.column >= 1
        assert str(err).startswith(f"{name}:{err.line}:{err.column}: ")


def test_suite_is_complete() -> None:
    from .conftest import cases_dir

    cases_dir()
    assert len(CASE_LIST) == 99
    assert sum(rc == 2 for _, rc in CASE_LIST) == 30
