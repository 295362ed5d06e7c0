"""TFX802 ecr-scan-on-push."""

from __future__ import annotations

from tffix.transforms.compute.ecr_scan_on_push import EcrScanOnPush as R

from .rulekit import check_fix, findings, fix, unchanged

MISSING = """\
resource "aws_ecr_repository" "app" {
  name                 = "app"
  image_tag_mutability = "IMMUTABLE"

  encryption_configuration {
    encryption_type = "KMS"
  }
}
"""

FALSE = """\
resource "aws_ecr_repository" "svc" {
  for_each = toset(["api", "worker"])
  name     = each.key

  image_scanning_configuration {
    scan_on_push = false
  }
}
"""


def test_block_is_added(snapshot) -> None:
    diff = check_fix(R, MISSING)
    assert "+  image_scanning_configuration {\n+    scan_on_push = true\n+  }\n" in diff
    assert diff == snapshot
    _, result = fix(R, MISSING, unsafe=False)
    assert [(r.safety, r.impact) for r in result.fixed] == [("safe", "in-place update")]


def test_false_becomes_true_with_for_each(snapshot) -> None:
    assert check_fix(R, FALSE) == snapshot


def test_dynamic_block_counts_as_present() -> None:
    text = ('resource "aws_ecr_repository" "r" {\n  name = "r"\n\n  dynamic "image_scanning_configuration" {\n'
            '    for_each = [1]\n    content {\n      scan_on_push = var.scan\n    }\n  }\n}\n')
    assert unchanged(R, text)
    assert findings(R, text) == [("TFX802", 7, False)]


def test_registry_level_scanning_leaves_repositories_alone() -> None:
    files = {"ecr.tf": MISSING, "registry.tf": 'resource "aws_ecr_registry_scanning_configuration" "r" {\n'
                                               '  scan_type = "ENHANCED"\n}\n'}
    assert unchanged(R, files) and findings(R, files) == []


def test_already_scanning_is_left_alone() -> None:
    text = FALSE.replace("false", "true")
    assert unchanged(R, text) and findings(R, text) == []


def test_expression_is_reported_without_fix() -> None:
    text = FALSE.replace("false", "var.scan")
    assert unchanged(R, text)
    assert findings(R, text) == [("TFX802", 6, False)]


def test_multi_file_module() -> None:
    out, result = fix(R, {"a.tf": MISSING, "b.tf": FALSE})
    assert "scan_on_push = true" in out["a.tf"] and "scan_on_push = true" in out["b.tf"] and len(result.fixed) == 2


def test_suppression() -> None:
    assert unchanged(R, "# tffix:ignore[TFX802]\n" + MISSING)
    assert unchanged(R, MISSING.replace("  name ", "  #checkov:skip=CKV_AWS_163:scanned in CI\n  name ", 1))
