"""TFX825 cidr-overlap."""

from __future__ import annotations

import pytest
from tffix.transforms.network.cidr_overlap import CidrOverlap as R

from .rulekit import findings, fix

TEXT = """\
resource "aws_vpc" "us" {
  cidr_block = "10.0.0.0/16"
}

resource "aws_vpc" "eu" {
  provider   = aws.eu
  cidr_block = "10.0.0.0/16"
}

resource "aws_subnet" "a" {
  vpc_id     = aws_vpc.us.id
  cidr_block = "10.0.1.0/24"
}

resource "aws_subnet" "b" {
  vpc_id     = aws_vpc.us.id
  cidr_block = "10.0.1.0/25"
}

resource "aws_subnet" "outside" {
  vpc_id     = aws_vpc.us.id
  cidr_block = "10.1.0.0/24"
}

resource "aws_subnet" "bad" {
  vpc_id     = aws_vpc.eu.id
  cidr_block = "10.0.1.5/24"
}
"""


def _records(files):
    out, result = fix(R, files)
    assert out == (files if isinstance(files, dict) else {"main.tf": files})
    return [(r.path, r.line, r.column, r.fixable, r.message) for r in result.remaining]


def test_reports_overlaps_containment_and_invalid_blocks(snapshot) -> None:
    records = _records(TEXT)
    assert [line for _, line, *_ in records] == [7, 17, 22, 27]
    assert records == snapshot


def test_distinct_ranges_are_fine() -> None:
    text = """\
resource "aws_vpc" "us" {
  cidr_block = "10.1.0.0/16"
}

resource "aws_vpc" "eu" {
  provider   = aws.eu
  cidr_block = "10.2.0.0/16"
}

resource "aws_subnet" "a" {
  vpc_id     = aws_vpc.us.id
  cidr_block = cidrsubnet(aws_vpc.us.cidr_block, 8, 1)
}

resource "aws_subnet" "b" {
  vpc_id     = aws_vpc.us.id
  cidr_block = "10.1.2.0/24"
}

resource "aws_subnet" "c" {
  vpc_id     = aws_vpc.eu.id
  cidr_block = "10.1.1.0/24"
}
"""
    assert findings(R, text) == [("TFX825", 22, False)]  # c is outside aws_vpc.eu
    assert findings(R, text.replace('"10.1.1.0/24"', '"10.2.1.0/24"')) == []


def test_cidrsubnet_is_computed() -> None:
    text = """\
resource "aws_vpc" "main" {
  cidr_block = "10.0.0.0/16"
}

resource "aws_subnet" "a" {
  vpc_id     = aws_vpc.main.id
  cidr_block = cidrsubnet(aws_vpc.main.cidr_block, 8, 1)
}

resource "aws_subnet" "b" {
  vpc_id     = aws_vpc.main.id
  cidr_block = "10.0.1.0/24"
}
"""
    out, result = fix(R, text)
    (record,) = result.remaining
    assert record.line == 12 and "overlaps aws_subnet.a (10.0.1.0/24)" in record.message
    assert findings(R, text.replace("8, 1)", "8, 2)")) == []
    assert findings(R, text.replace("cidrsubnet(aws_vpc.main.cidr_block, 8, 1)", 'cidrsubnet("10.0.0.0/16", 8, 1)')) \
        == [("TFX825", 12, False)]
    assert findings(R, text.replace("8, 1)", "8, count.index)")) == []
    assert findings(R, text.replace("8, 1)", "4, 99)")) == []  # Terraform reports the bad netnum itself


@pytest.mark.parametrize("cidr", ["var.cidr", "local.cidr", "module.ipam.cidr", 'cidrsubnet(var.cidr, 8, 1)'])
def test_expressions_are_not_judged(cidr: str) -> None:
    text = TEXT.replace('cidr_block = "10.0.0.0/16"\n}\n\nresource "aws_subnet" "a"',
                        f'cidr_block = {cidr}\n}}\n\nresource "aws_subnet" "a"')
    text = text.replace('"10.0.1.0/25"', '"10.0.2.0/25"').replace('"10.1.0.0/24"', '"10.0.3.0/24"')
    text = text.replace('"10.0.1.5/24"', '"10.0.1.0/24"')
    assert findings(R, text) == []


def test_count_and_for_each() -> None:
    vpc = 'resource "aws_vpc" "v" {\n  count      = 2\n  cidr_block = "10.0.0.0/16"\n}\n'
    assert findings(R, vpc) == [("TFX825", 3, False)]
    assert findings(R, vpc.replace("count      = 2", "count      = 1")) == []
    assert findings(R, vpc.replace("count      = 2", "count      = var.n")) == []
    vpc2 = vpc.replace("count      = 2\n", "") + vpc.replace('"v"', '"w"').replace("count      = 2", "count      = var.on ? 1 : 0")
    assert findings(R, vpc2) == []  # w may not exist
    subnets = """\
resource "aws_subnet" "s" {
  count      = 2
  vpc_id     = aws_vpc.main.id
  cidr_block = cidrsubnet("10.0.0.0/16", 8, count.index)
}

resource "aws_subnet" "same" {
  for_each   = toset(["a", "b"])
  vpc_id     = aws_vpc.main.id
  cidr_block = "10.0.9.0/24"
}

resource "aws_subnet" "per_vpc" {
  count      = 2
  vpc_id     = aws_vpc.many[count.index].id
  cidr_block = "10.0.8.0/24"
}
"""
    assert findings(R, subnets) == [("TFX825", 10, False)]


def test_secondary_cidr_association() -> None:
    text = """\
resource "aws_vpc" "main" {
  cidr_block = "10.0.0.0/16"
}

resource "aws_vpc_ipv4_cidr_block_association" "extra" {
  vpc_id     = aws_vpc.main.id
  cidr_block = "10.1.0.0/16"
}

resource "aws_subnet" "s" {
  vpc_id     = aws_vpc.main.id
  cidr_block = "10.1.4.0/24"
}
"""
    assert findings(R, text) == []
    assert findings(R, text.replace('"10.1.4.0/24"', '"10.2.4.0/24"')) == [("TFX825", 12, False)]
    assert findings(R, text.replace('"10.1.4.0/24"', '"10.2.4.0/24"').replace('"10.1.0.0/16"', "var.extra")) == []


def test_invalid_blocks_and_sizes() -> None:
    vpc = 'resource "aws_vpc" "v" {\n  cidr_block = "%s"\n}\n'
    for bad in ("10.0.0.0/33", "10.0.0.0", "not-a-cidr", "10.0.0.0/8", "10.0.0.0/29", "10.0.0.1/16"):
        assert findings(R, vpc % bad) == [("TFX825", 2, False)], bad
    assert findings(R, vpc % "10.0.0.0/16") == []
    _, result = fix(R, vpc % "10.0.0.1/16")
    assert "network address is 10.0.0.0/16" in result.remaining[0].message


def test_unresolved_vpc_groups_by_expression() -> None:
    text = """\
resource "aws_subnet" "a" {
  vpc_id     = var.vpc_id
  cidr_block = "10.0.1.0/24"
}

resource "aws_subnet" "b" {
  vpc_id     = var.vpc_id
  cidr_block = "10.0.1.0/24"
}

resource "aws_subnet" "c" {
  vpc_id     = var.other_vpc_id
  cidr_block = "10.0.1.0/24"
}
"""
    assert findings(R, text) == [("TFX825", 8, False)]


def test_suppression_comment() -> None:
    text = 'resource "aws_vpc" "v" {\n  cidr_block = "10.0.0.0/8" # tffix:ignore[TFX825]\n}\n'
    assert findings(R, text) == []
