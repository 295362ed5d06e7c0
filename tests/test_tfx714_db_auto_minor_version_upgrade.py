"""TFX714 db-auto-minor-version-upgrade."""

from __future__ import annotations

import pytest
from tffix.transforms.rds.db_auto_minor_version_upgrade import (
    DbAutoMinorVersionUpgrade as R,
)
from tffix.syntax.parser import parse
from tffix.transforms.lib.rds_engines import engine_version, major_line

from .rulekit import check_fix, findings, fix, unchanged

FALSE = """\
resource "aws_db_instance" "db" {
  count                      = 2
  engine                     = "mysql"
  engine_version             = "8.0"
  instance_class             = "db.m7g.large"
  auto_minor_version_upgrade = false

  lifecycle {
    prevent_destroy = true
  }
}

resource "aws_rds_cluster_instance" "member" {
  for_each                   = toset(["a", "b"])
  cluster_identifier         = aws_rds_cluster.main.id
  engine                     = aws_rds_cluster.main.engine
  instance_class             = "db.r7g.large"
  auto_minor_version_upgrade = "false"
}
"""


def test_false_becomes_true(snapshot) -> None:
    assert check_fix(R, FALSE, unsafe=True) == snapshot


def test_exact_output_and_message() -> None:
    text = ('resource "aws_db_instance" "db" {\n  engine                     = "postgres"\n'
            '  engine_version             = "16.4"\n  auto_minor_version_upgrade = false\n}\n')
    _, result = fix(R, text, unsafe=False)
    (held,) = result.remaining
    assert held.held_back and held.safety == "unsafe" and held.impact == "in-place update"
    assert held.message == (
        "aws_db_instance.db sets auto_minor_version_upgrade = false: minor versions with the engine's security "
        "fixes are not applied; also change engine_version = \"16.4\" to \"16\", or the plan after an automatic "
        "upgrade tries to downgrade")
    out, _ = fix(R, text, unsafe=True)
    assert out["main.tf"] == text.replace("= false", "= true")


@pytest.mark.parametrize("engine, version, prefix", [
    ("mysql", "8.0.35", "8.0"),
    ("mariadb", "10.11.6", "10.11"),
    ("postgres", "16.4", "16"),
    ("postgres", "9.6.24", "9.6"),
    ("aurora-postgresql", "15.4", "15"),
    ("mysql", "8.0", None),
    ("postgres", "16", None),
    ("oracle-ee", "19.0.0.0.ru-2024-01.rur-2024-01.r1", None),
    ("sqlserver-se", "15.00.4316.3.v1", None),
    ("postgres", "latest", None),
    (None, None, None),
])
def test_major_line(engine, version, prefix) -> None:
    code = f'engine_version = "{version}"\n' if version is not None else ""
    block = parse(f'resource "aws_db_instance" "d" {{\n{code}}}\n').body.blocks[0]
    assert major_line(engine, engine_version(block)) == prefix


@pytest.mark.parametrize("text", [
    'resource "aws_db_instance" "db" {\n  engine = "mysql"\n}\n',
    'resource "aws_db_instance" "db" {\n  auto_minor_version_upgrade = null\n}\n',
    'resource "aws_db_instance" "db" {\n  auto_minor_version_upgrade = true\n}\n',
    'resource "aws_rds_cluster_instance" "i" {\n  auto_minor_version_upgrade = "true"\n}\n',
    'resource "aws_elasticache_cluster" "c" {\n  auto_minor_version_upgrade = false\n}\n',
])
def test_default_already_fixed_and_other_resources_are_unchanged(text: str) -> None:
    assert unchanged(R, text, unsafe=True) and findings(R, text) == []


def test_expression_is_reported_without_fix() -> None:
    text = 'resource "aws_db_instance" "db" {\n  auto_minor_version_upgrade = var.auto_minor\n}\n'
    assert unchanged(R, text, unsafe=True) and findings(R, text) == [("TFX714", 2, False)]


def test_multi_file_module() -> None:
    files = {"db.tf": FALSE, "other.tf": 'resource "aws_db_instance" "ok" {\n  engine = "mysql"\n}\n'}
    out, result = fix(R, files, unsafe=True)
    assert out["other.tf"] == files["other.tf"] and out["db.tf"].count("auto_minor_version_upgrade = true") == 2
    assert result.remaining == []


def test_suppression_comment() -> None:
    text = "# tffix:ignore[TFX714]\n" + FALSE
    out, result = fix(R, text, unsafe=True)
    assert result.remaining == []
    assert out["main.tf"].count("auto_minor_version_upgrade = false") == 1
    assert out["main.tf"].count("auto_minor_version_upgrade = true") == 1
