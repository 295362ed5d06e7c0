"""TFX109 elasticache-transit-encryption."""

from __future__ import annotations

import pytest
from tffix.transforms.datastores.elasticache_transit_encryption import (
    ElasticacheTransitEncryption as R,
)

from .rulekit import check_fix, findings, fix, unchanged

OLD = """\
resource "aws_elasticache_replication_group" "sessions" {
  replication_group_id = "sessions"
  description          = "session store"
  engine_version       = "6.2"
}
"""

NEW = """\
resource "aws_elasticache_replication_group" "cache" {
  count                      = 2
  replication_group_id       = "cache-${count.index}"
  description                = "cache"
  engine_version             = "7.1"
  transit_encryption_enabled = false
}
"""


def test_missing_is_written_out_and_forces_replacement_on_redis_6(snapshot) -> None:
    assert check_fix(R, OLD) == snapshot
    out, result = fix(R, OLD, unsafe=False)
    assert out["main.tf"] == OLD
    (held,) = result.remaining
    assert held.held_back and held.impact == "forces replacement" and "clients must use TLS" in held.fix


def test_false_becomes_true_in_place_on_redis_7(snapshot) -> None:
    assert check_fix(R, NEW) == snapshot
    _, result = fix(R, NEW, unsafe=False)
    (held,) = result.remaining
    assert held.held_back and held.impact == "in-place update"


@pytest.mark.parametrize(("extra", "impact"), [
    ('engine = "valkey"', "in-place update"),
    ('engine_version = "7.0.5"', "in-place update"),
    ('engine_version = "8.0"', "in-place update"),
    ('engine_version = "7.0"', "forces replacement"),
    ('engine_version = "7.0.4"', "forces replacement"),
    ('engine_version = "6.x"', "forces replacement"),
    ('engine_version = var.version', "forces replacement"),
    ('engine = "redis"', "forces replacement"),
])
def test_impact_follows_the_engine_version(extra: str, impact: str) -> None:
    text = f'resource "aws_elasticache_replication_group" "g" {{\n  {extra}\n}}\n'
    _, result = fix(R, text, unsafe=False)
    assert [r.impact for r in result.remaining] == [impact]


def test_already_encrypted_or_global_member_is_left_alone() -> None:
    for text in ('resource "aws_elasticache_replication_group" "g" {\n  transit_encryption_enabled = true\n}\n',
                 'resource "aws_elasticache_replication_group" "g" {\n  global_replication_group_id = "x"\n}\n'):
        assert unchanged(R, text) and findings(R, text) == []


def test_expression_is_reported_without_fix() -> None:
    text = 'resource "aws_elasticache_replication_group" "g" {\n  transit_encryption_enabled = var.tls\n}\n'
    assert unchanged(R, text)
    assert findings(R, text) == [("TFX109", 2, False)]


def test_multi_file() -> None:
    out, result = fix(R, {"a.tf": OLD, "b.tf": NEW})
    assert "transit_encryption_enabled = true" in out["a.tf"] and "transit_encryption_enabled = true" in out["b.tf"]
    assert len(result.fixed) == 2


def test_suppression() -> None:
    assert unchanged(R, "# tffix:ignore[TFX109]\n" + OLD)
    assert unchanged(R, "#trivy:ignore:AVD-AWS-0051\n" + OLD)
