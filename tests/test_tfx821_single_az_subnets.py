"""TFX821 single-az-subnets."""

from __future__ import annotations

from tffix.transforms.network.single_az_subnets import SingleAzSubnets as R

from .rulekit import findings, fix

TEXT = """\
resource "aws_subnet" "private_a" {
  vpc_id            = aws_vpc.main.id
  cidr_block        = "10.0.1.0/24"
  availability_zone = "us-east-1a"
}

resource "aws_subnet" "private_b" {
  vpc_id            = aws_vpc.main.id
  cidr_block        = "10.0.2.0/24"
  availability_zone = "us-east-1a"
}

resource "aws_subnet" "other_vpc" {
  vpc_id            = aws_vpc.other.id
  cidr_block        = "10.1.1.0/24"
  availability_zone = "us-east-1a"
}
"""


def _records(files):
    out, result = fix(R, files)
    assert out == (files if isinstance(files, dict) else {"main.tf": files})
    return [(r.path, r.line, r.column, r.fixable, r.message) for r in result.remaining]


def test_reports_single_az_vpc(snapshot) -> None:
    assert _records(TEXT) == snapshot


def test_count_and_for_each() -> None:
    counted = 'resource "aws_subnet" "s" {\n  count             = 2\n  vpc_id            = "vpc-1"\n' \
              '  availability_zone = "eu-west-1b"\n}\n'
    assert findings(R, counted) == [("TFX821", 4, False)]
    assert findings(R, counted.replace("count             = 2", "count             = var.n")) == [("TFX821", 4, False)]
    assert findings(R, counted.replace("count             = 2", "count             = 1")) == []
    each = counted.replace("count             = 2", 'for_each          = toset(["a", "b"])')
    assert findings(R, each) == [("TFX821", 4, False)]


def test_spread_expression_and_unset_zones_are_fine() -> None:
    spread = TEXT.replace('"us-east-1a"\n}\n\nresource "aws_subnet" "other_vpc"',
                          '"us-east-1b"\n}\n\nresource "aws_subnet" "other_vpc"')
    assert findings(R, spread) == []
    expression = TEXT.replace('  availability_zone = "us-east-1a"\n}\n\nresource "aws_subnet" "private_b"',
                              '  availability_zone = data.aws_availability_zones.available.names[0]\n}\n\n'
                              'resource "aws_subnet" "private_b"')
    assert findings(R, expression) == []
    unset = TEXT.replace('  availability_zone = "us-east-1a"\n}\n\nresource "aws_subnet" "private_b"',
                         '}\n\nresource "aws_subnet" "private_b"')
    assert findings(R, unset) == []


def test_multi_file_module() -> None:
    first, second, _ = TEXT.split("\n\n")
    files = {"a.tf": first + "\n", "b.tf": second + "\n"}
    assert [(p, line) for p, line, *_ in _records(files)] == [("a.tf", 4)]


def test_suppression_comment() -> None:
    text = "# tffix:ignore[TFX821]\n" + TEXT
    assert findings(R, text) == []
