"""TFX108 elasticache-at-rest-encryption."""

from __future__ import annotations

import pytest
from tffix.transforms.datastores.elasticache_at_rest_encryption import (
    ElasticacheAtRestEncryption as R,
)

from .rulekit import check_fix, findings, fix, unchanged

MISSING = """\
resource "aws_elasticache_replication_group" "sessions" {
  replication_group_id = "sessions"
  description          = "session store"
  node_type            = "cache.t4g.small"
  num_cache_clusters   = 2
}
"""

FALSE = """\
resource "aws_elasticache_replication_group" "cache" {
  for_each                   = var.caches
  replication_group_id       = each.key
  description                = each.value
  at_rest_encryption_enabled = "false"
}
"""


def test_missing_is_written_out(snapshot) -> None:
    assert check_fix(R, MISSING) == snapshot


def test_false_string_becomes_true_with_for_each(snapshot) -> None:
    assert check_fix(R, FALSE) == snapshot


def test_fix_is_unsafe_and_forces_replacement() -> None:
    out, result = fix(R, MISSING, unsafe=False)
    assert out["main.tf"] == MISSING
    (held,) = result.remaining
    assert held.held_back and held.impact == "forces replacement" and "forces replacement" in held.fix


@pytest.mark.parametrize("value", ["true", '"true"'])
def test_already_encrypted_is_left_alone(value: str) -> None:
    text = f'resource "aws_elasticache_replication_group" "g" {{\n  at_rest_encryption_enabled = {value}\n}}\n'
    assert unchanged(R, text) and findings(R, text) == []


def test_global_datastore_member_is_left_alone() -> None:
    text = ('resource "aws_elasticache_replication_group" "secondary" {\n  replication_group_id        = "s"\n'
            '  global_replication_group_id = aws_elasticache_global_replication_group.g.global_replication_group_id'
            '\n}\n')
    assert unchanged(R, text) and findings(R, text) == []


def test_expression_is_reported_without_fix() -> None:
    text = 'resource "aws_elasticache_replication_group" "g" {\n  at_rest_encryption_enabled = var.enc\n}\n'
    assert unchanged(R, text)
    assert findings(R, text) == [("TFX108", 2, False)]


def test_multi_file_and_other_resources() -> None:
    cluster = 'resource "aws_elasticache_cluster" "c" {\n  cluster_id = "c"\n}\n'
    out, result = fix(R, {"redis.tf": MISSING, "memcached.tf": cluster})
    assert out["memcached.tf"] == cluster and [r.path for r in result.fixed] == ["redis.tf"]


def test_suppression() -> None:
    assert unchanged(R, "# tffix:ignore[TFX108]\n" + MISSING)
    assert unchanged(R, MISSING.replace("  node_type", "  #checkov:skip=CKV_AWS_29:cache only\n  node_type"))
