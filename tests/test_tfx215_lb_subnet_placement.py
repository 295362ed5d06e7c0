"""TFX215 lb-subnet-placement (and transforms/subnets.py)."""

from __future__ import annotations

import pytest
from tffix.engine.engine import parse_module_texts
from tffix.transforms.lib.subnets import classify
from tffix.transforms.network.lb_subnet_placement import LbSubnetPlacement as R

from .rulekit import findings, fix

NETWORK = """\
resource "aws_internet_gateway" "gw" {
  vpc_id = aws_vpc.main.id
}

resource "aws_subnet" "public" {
  count      = 2
  vpc_id     = aws_vpc.main.id
  cidr_block = cidrsubnet("10.0.0.0/16", 8, count.index)
}

resource "aws_subnet" "private" {
  count      = 2
  vpc_id     = aws_vpc.main.id
  cidr_block = cidrsubnet("10.0.0.0/16", 8, count.index + 10)
}

resource "aws_subnet" "loose" {
  vpc_id     = aws_vpc.main.id
  cidr_block = "10.0.99.0/24"
}

resource "aws_route_table" "public" {
  vpc_id = aws_vpc.main.id

  route {
    cidr_block = "0.0.0.0/0"
    gateway_id = aws_internet_gateway.gw.id
  }
}

resource "aws_route_table" "private" {
  vpc_id = aws_vpc.main.id
}

resource "aws_route" "private_nat" {
  route_table_id         = aws_route_table.private.id
  destination_cidr_block = "0.0.0.0/0"
  nat_gateway_id         = aws_nat_gateway.nat.id
}

resource "aws_route_table_association" "public" {
  count          = 2
  subnet_id      = aws_subnet.public[count.index].id
  route_table_id = aws_route_table.public.id
}

resource "aws_route_table_association" "private" {
  count          = 2
  subnet_id      = aws_subnet.private[count.index].id
  route_table_id = aws_route_table.private.id
}
"""

LB = """\
resource "aws_lb" "web" {
  name               = "web"
  load_balancer_type = "application"
  subnets            = aws_subnet.private[*].id
}
"""


def _records(files):
    out, result = fix(R, files)
    assert out == files
    return [(r.path, r.line, r.column, r.fixable, r.message) for r in result.remaining]


def test_internet_facing_lb_in_private_subnets(snapshot) -> None:
    records = _records({"network.tf": NETWORK, "lb.tf": LB})
    assert [(p, line, col) for p, line, col, *_ in records] == [("lb.tf", 4, 24)]
    assert records == snapshot


def test_classification() -> None:
    module = parse_module_texts(".", {"main.tf": NETWORK})
    verdicts = {ref.address: verdict for ref in module.resources("aws_subnet")
                for verdict in [classify(module)[id(ref.block)]]}
    assert verdicts == {"aws_subnet.public": "public", "aws_subnet.private": "private", "aws_subnet.loose": None}


@pytest.mark.parametrize("lb", [
    LB.replace("aws_subnet.private[*].id", "aws_subnet.public[*].id"),
    LB.replace('  name               = "web"\n', '  name               = "web"\n  internal           = true\n'),
    LB.replace('  name               = "web"\n', '  name               = "web"\n  internal           = var.internal\n'),
    LB.replace('"application"', '"gateway"'),
    LB.replace("aws_subnet.private[*].id", "[aws_subnet.private[0].id, aws_subnet.loose.id]"),
    LB.replace("aws_subnet.private[*].id", "var.subnet_ids"),
    LB.replace("aws_subnet.private[*].id", "module.vpc.private_subnets"),
])
def test_public_internal_and_unprovable_placements_are_fine(lb: str) -> None:
    assert findings(R, {"network.tf": NETWORK, "lb.tf": lb}) == []


def test_subnet_mapping_and_public_ip_flag() -> None:
    mapped = ('resource "aws_lb" "nlb" {\n  load_balancer_type = "network"\n\n  subnet_mapping {\n'
              '    subnet_id = aws_subnet.private[0].id\n  }\n}\n')
    assert findings(R, {"network.tf": NETWORK, "lb.tf": mapped}) == [("TFX215", 4, False)]
    flagged = NETWORK.replace('  cidr_block = cidrsubnet("10.0.0.0/16", 8, count.index + 10)\n',
                              '  cidr_block = cidrsubnet("10.0.0.0/16", 8, count.index + 10)\n'
                              '  map_public_ip_on_launch = true\n')
    assert findings(R, {"network.tf": flagged, "lb.tf": LB}) == []


def test_unknown_default_routes_prove_nothing() -> None:
    unknown = NETWORK.replace("nat_gateway_id         = aws_nat_gateway.nat.id", "gateway_id             = var.gw")
    assert findings(R, {"network.tf": unknown, "lb.tf": LB}) == []
    igw_route = NETWORK.replace("nat_gateway_id         = aws_nat_gateway.nat.id",
                                "gateway_id             = aws_internet_gateway.gw.id")
    assert findings(R, {"network.tf": igw_route, "lb.tf": LB}) == []


def test_suppression_comment() -> None:
    lb = LB.replace("  subnets            = aws_subnet.private[*].id",
                    "  subnets            = aws_subnet.private[*].id # tffix:ignore[TFX215]")
    assert findings(R, {"network.tf": NETWORK, "lb.tf": lb}) == []
