"""TFX820 aurora-serverless-v2-instance-class."""

from __future__ import annotations

import pytest
from tffix.transforms.rds.aurora_serverless_v2_instance_class import (
    AuroraServerlessV2InstanceClass as R,
)

from .rulekit import check_fix, findings, fix, unchanged

CLUSTER = """\
resource "aws_rds_cluster" "main" {
  cluster_identifier = "main"
  engine             = "aurora-postgresql"

  # scale between half an ACU and two
  serverlessv2_scaling_configuration {
    max_capacity = 2.0
    min_capacity = 0.5
  }

  tags = {
    Name = "main"
  }
}
"""

INSTANCE = """\
resource "aws_rds_cluster_instance" "main" {{
  count              = 2
  cluster_identifier = {cluster}
  instance_class     = {cls}
}}
"""


def instance(cls: str = '"db.r6g.large"', cluster: str = "aws_rds_cluster.main.id") -> str:
    return INSTANCE.format(cls=cls, cluster=cluster)


def test_removes_the_scaling_block(snapshot) -> None:
    assert check_fix(R, CLUSTER + "\n" + instance()) == snapshot


def test_is_unsafe_and_explains() -> None:
    out, result = fix(R, CLUSTER + instance(), unsafe=False)
    assert out["main.tf"] == CLUSTER + instance()
    (held,) = result.remaining
    assert held.held_back and held.impact == "in-place update" and held.line == 6
    assert "aws_rds_cluster_instance.main: db.r6g.large" in held.message


@pytest.mark.parametrize("cls", ['"db.serverless"'])
def test_serverless_instances_are_fine(cls: str) -> None:
    text = CLUSTER + instance(cls)
    assert unchanged(R, text) and findings(R, text) == []


def test_mixed_cluster_is_fine() -> None:
    text = CLUSTER + instance() + instance('"db.serverless"').replace('"main"', '"reader"')
    assert unchanged(R, text) and findings(R, text) == []


def test_expression_class_is_reported_without_fix() -> None:
    text = CLUSTER + instance("var.rds_instance_class")
    assert unchanged(R, text) and findings(R, text) == [("TFX820", 6, False)]


def test_unfollowable_member_is_reported_without_fix() -> None:
    text = CLUSTER + instance() + instance(cluster="var.cluster_id").replace('"main"', '"other"')
    assert unchanged(R, text) and findings(R, text) == [("TFX820", 6, False)]


def test_cluster_without_instances_or_scaling_is_left_alone() -> None:
    assert unchanged(R, CLUSTER) and findings(R, CLUSTER) == []
    plain = 'resource "aws_rds_cluster" "main" {\n  engine = "aurora-mysql"\n}\n' + instance()
    assert unchanged(R, plain) and findings(R, plain) == []


def test_serverless_instance_without_scaling_is_reported() -> None:
    text = 'resource "aws_rds_cluster" "main" {\n  engine = "aurora-mysql"\n}\n' + instance('"db.serverless"')
    assert unchanged(R, text) and findings(R, text) == [("TFX820", 7, False)]


def test_serverless_v1_is_left_alone() -> None:
    text = CLUSTER.replace('  engine             = "aurora-postgresql"\n',
                           '  engine             = "aurora-postgresql"\n  engine_mode        = "serverless"\n')
    assert unchanged(R, text + instance())


def test_for_each_instances_and_multi_file(snapshot) -> None:
    files = {
        "db.tf": CLUSTER,
        "instances.tf": 'resource "aws_rds_cluster_instance" "i" {\n  for_each           = toset(["a", "b"])\n'
                        '  cluster_identifier = aws_rds_cluster.main.cluster_identifier\n'
                        '  instance_class     = "db.t4g.medium"\n}\n',
    }
    assert check_fix(R, files) == snapshot


def test_suppression_comment() -> None:
    text = CLUSTER.replace("  serverlessv2_scaling_configuration {",
                           "  serverlessv2_scaling_configuration { # tffix:ignore[TFX820]") + instance()
    assert unchanged(R, text) and findings(R, text) == []
