"""ParseError: position, message format, and no other exception escapes."""

from __future__ import annotations

import pytest
import tffix


def test_error_format_has_location_line_and_caret() -> None:
    with pytest.raises(tffix.ParseError) as info:
        tffix.parse('a = 1\nb = "x\n', "main.tf")
    err = info.value
    assert (err.path, err.line, err.column) == ("main.tf", 2, 7)
    lines = str(err).splitlines()
    assert lines[0].startswith("main.tf:2:7: Invalid multi-line string")
    assert lines[1] == '  b = "x'
    assert lines[2] == "        ^"


def test_error_without_path() -> None:
    with pytest.raises(tffix.ParseError) as info:
        tffix.parse("a = \n")
    assert str(info.value).startswith("<input>:1:5: ")


@pytest.mark.parametrize(
    "text,message",
    [
        ("a = 1\na = 2\n", "Attribute redefined"),
        ("b {\n  a = 1\n  a = 2\n}\n", "Attribute redefined"),
        ("a = {\n", "Unexpected end of file"),
        ("a = 1 +\n", "Invalid expression"),
        ("x {\n  a = 1 }\n", "Unexpected '}'"),
        ("a = 1\r", "Invalid character"),
        ('a = "\\q"\n', "Invalid escape sequence"),
        ("a = x.*.y.*.z\n", "Nested splat expression not allowed"),
        ("a = x[*].y.*.z.*\n", "Nested splat expression not allowed"),
    ],
)
def test_messages(text: str, message: str) -> None:
    with pytest.raises(tffix.ParseError) as info:
        tffix.parse(text)
    assert message in str(info.value)


def test_duplicate_object_keys_are_allowed() -> None:
    # terraform accepts these at parse time (only body attributes must be unique)
    tffix.parse("x = {\n  a = 1\n  a = 2\n}\n")
