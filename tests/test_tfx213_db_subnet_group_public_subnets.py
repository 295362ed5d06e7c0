"""TFX213 db-subnet-group-public-subnets."""

from __future__ import annotations

import pytest
from tffix.transforms.rds.db_subnet_group_public_subnets import (
    DbSubnetGroupPublicSubnets as R,
)

from .rulekit import findings, fix
from .test_tfx215_lb_subnet_placement import NETWORK

GROUP = """\
resource "aws_db_subnet_group" "db" {
  name       = "app-db"
  subnet_ids = aws_subnet.public[*].id
}
"""


def _records(files):
    out, result = fix(R, files)
    assert out == files
    return [(r.path, r.line, r.column, r.fixable, r.message) for r in result.remaining]


def test_db_subnet_group_in_public_subnets(snapshot) -> None:
    records = _records({"network.tf": NETWORK, "db.tf": GROUP})
    assert [(p, line, col) for p, line, col, *_ in records] == [("db.tf", 3, 16)]
    assert records == snapshot


@pytest.mark.parametrize("group", [
    GROUP.replace("aws_subnet.public[*].id", "aws_subnet.private[*].id"),
    GROUP.replace("aws_subnet.public[*].id", "[aws_subnet.private[0].id, aws_subnet.loose.id]"),
    GROUP.replace("aws_subnet.public[*].id", "var.subnet_ids"),
    GROUP.replace("aws_subnet.public[*].id", "module.vpc.database_subnets"),
    GROUP.replace("aws_subnet.public[*].id", "data.aws_subnets.private.ids"),
    GROUP.replace("aws_subnet.public[*].id", "concat(aws_subnet.public[*].id, var.more)"),
])
def test_private_and_unprovable_subnets_are_fine(group: str) -> None:
    assert findings(R, {"network.tf": NETWORK, "db.tf": group}) == []


def test_one_public_element_in_a_mixed_list() -> None:
    group = GROUP.replace("aws_subnet.public[*].id", "[var.extra, aws_subnet.private[0].id, aws_subnet.public[1].id]")
    out, result = fix(R, {"network.tf": NETWORK, "db.tf": group})
    (record,) = result.remaining
    assert (record.line, record.column) == (3, 54)
    assert "(aws_subnet.public:" in record.message


@pytest.mark.parametrize("rtype", ["aws_elasticache_subnet_group", "aws_redshift_subnet_group",
                                   "aws_docdb_subnet_group", "aws_neptune_subnet_group"])
def test_other_data_stores(rtype: str) -> None:
    group = GROUP.replace("aws_db_subnet_group", rtype)
    assert findings(R, {"network.tf": NETWORK, "db.tf": group}) == [("TFX213", 3, False)]


def test_public_ip_flag_and_unknown_routes() -> None:
    flagged = NETWORK.replace('  cidr_block = "10.0.99.0/24"\n',
                              '  cidr_block = "10.0.99.0/24"\n  map_public_ip_on_launch = true\n')
    group = GROUP.replace("aws_subnet.public[*].id", "[aws_subnet.loose.id]")
    assert findings(R, {"network.tf": NETWORK, "db.tf": group}) == []
    assert findings(R, {"network.tf": flagged, "db.tf": group}) == [("TFX213", 3, False)]
    unknown = NETWORK.replace("gateway_id = aws_internet_gateway.gw.id", "gateway_id = var.gateway")
    assert findings(R, {"network.tf": unknown, "db.tf": GROUP}) == []


def test_suppression_comment() -> None:
    group = "# tffix:ignore[TFX213]\n" + GROUP
    assert findings(R, {"network.tf": NETWORK, "db.tf": group}) == []
