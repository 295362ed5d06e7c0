"""TFX211 private-subnet-without-nat."""

from __future__ import annotations

from tffix.transforms.network.private_subnet_without_nat import (
    PrivateSubnetWithoutNat as R,
)

from .rulekit import findings, fix

TEXT = """\
resource "aws_subnet" "private" {
  count      = 2
  vpc_id     = aws_vpc.main.id
  cidr_block = "10.0.${count.index + 10}.0/24"
}

resource "aws_subnet" "public" {
  count                   = 2
  vpc_id                  = aws_vpc.main.id
  cidr_block              = "10.0.${count.index}.0/24"
  map_public_ip_on_launch = true
}

resource "aws_route_table" "private" {
  count  = 2
  vpc_id = aws_vpc.main.id

  tags = {
    Name = "private-rt-${count.index + 1}"
  }
}

resource "aws_route_table" "public" {
  vpc_id = aws_vpc.main.id

  route {
    cidr_block = "0.0.0.0/0"
    gateway_id = aws_internet_gateway.main.id
  }
}

resource "aws_route_table_association" "private" {
  count          = 2
  subnet_id      = aws_subnet.private[count.index].id
  route_table_id = aws_route_table.private[count.index].id
}

resource "aws_route_table_association" "public" {
  count          = 2
  subnet_id      = aws_subnet.public[count.index].id
  route_table_id = aws_route_table.public.id
}
"""

NAT_ROUTE = """
resource "aws_route" "private_nat" {
  count                  = 2
  route_table_id         = aws_route_table.private[count.index].id
  destination_cidr_block = "0.0.0.0/0"
  nat_gateway_id         = aws_nat_gateway.main[count.index].id
}
"""


def _records(files):
    out, result = fix(R, files)
    assert out == (files if isinstance(files, dict) else {"main.tf": files})
    return [(r.path, r.line, r.column, r.fixable, r.message) for r in result.remaining]


def test_reports_private_tables_without_default_route(snapshot) -> None:
    assert _records(TEXT) == snapshot


def test_nat_route_resource_or_inline_route_is_fine() -> None:
    assert findings(R, TEXT + NAT_ROUTE) == []
    inline = TEXT.replace('  tags = {\n    Name = "private-rt',
                          '  route {\n    cidr_block     = "0.0.0.0/0"\n    nat_gateway_id = aws_nat_gateway.main.id\n'
                          '  }\n\n  tags = {\n    Name = "private-rt')
    assert findings(R, inline) == []


def test_nat_gateway_is_named_in_the_advice() -> None:
    text = TEXT + '\nresource "aws_nat_gateway" "main" {\n  subnet_id = aws_subnet.public[0].id\n}\n'
    (record,) = _records(text)
    assert "route 0.0.0.0/0 through aws_nat_gateway.main" in record[4]


def test_isolated_subnets_and_unknown_routes_are_not_reported() -> None:
    isolated = TEXT.replace('Name = "private-rt-', 'Name = "database-rt-')
    assert findings(R, isolated) == []
    unknown = TEXT + NAT_ROUTE.replace("aws_route_table.private[count.index].id", "var.route_table_id")
    assert findings(R, unknown) == []
    dynamic = TEXT.replace('  tags = {\n    Name = "private-rt',
                           '  dynamic "route" {\n    for_each = var.routes\n    content {}\n  }\n\n'
                           '  tags = {\n    Name = "private-rt')
    assert findings(R, dynamic) == []


def test_multi_file_module() -> None:
    network, routes = TEXT.split('resource "aws_route_table_association" "private"')
    files = {"network.tf": network, "routes.tf": 'resource "aws_route_table_association" "private"' + routes,
             "nat.tf": NAT_ROUTE.lstrip()}
    assert _records(files) == []
    del files["nat.tf"]
    assert [(p, line) for p, line, *_ in _records(files)] == [("network.tf", 14)]


def test_suppression_comment() -> None:
    text = TEXT.replace('resource "aws_route_table" "private" {',
                        'resource "aws_route_table" "private" { # tffix:ignore[TFX211]')
    assert findings(R, text) == []
