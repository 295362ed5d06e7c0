"""TFX703 cloudtrail-multi-region."""

from __future__ import annotations

from tffix.transforms.logging.cloudtrail_multi_region import CloudtrailMultiRegion as R

from .rulekit import check_fix, findings, fix, unchanged

TRAIL = """\
resource "aws_cloudtrail" "main" {
  name                       = "main"
  s3_bucket_name             = aws_s3_bucket.logs.bucket
  enable_log_file_validation = true
}
"""

FALSE = """\
resource "aws_cloudtrail" "main" {
  count                 = var.enabled ? 1 : 0
  name                  = "main"
  s3_bucket_name        = "logs"
  is_multi_region_trail = false # TODO
}
"""


def test_missing_is_written_out(snapshot) -> None:
    assert check_fix(R, TRAIL) == snapshot


def test_false_becomes_true_with_count(snapshot) -> None:
    diff = check_fix(R, FALSE)
    assert "+  is_multi_region_trail = true # TODO\n" in diff
    assert diff == snapshot


def test_fix_is_unsafe_in_place() -> None:
    out, result = fix(R, TRAIL, unsafe=False)
    assert out["main.tf"] == TRAIL
    (held,) = result.remaining
    assert held.held_back and held.safety == "unsafe" and held.impact == "in-place update"


def test_second_trail_next_to_a_multi_region_one_is_reported_without_fix() -> None:
    files = {
        "org.tf": ('resource "aws_cloudtrail" "org" {\n  name                  = "org"\n'
                   '  is_multi_region_trail = true\n}\n'),
        "data.tf": 'resource "aws_cloudtrail" "data_events" {\n  name = "data-events"\n}\n',
    }
    assert unchanged(R, files)
    _, result = fix(R, files)
    (record,) = result.remaining
    assert not record.fixable and record.path == "data.tf" and "aws_cloudtrail.org" in record.message


def test_already_multi_region_is_left_alone() -> None:
    text = 'resource "aws_cloudtrail" "t" {\n  is_multi_region_trail = true\n}\n'
    assert unchanged(R, text) and findings(R, text) == []


def test_expression_is_reported_without_fix() -> None:
    text = 'resource "aws_cloudtrail" "t" {\n  is_multi_region_trail = var.all_regions\n}\n'
    assert unchanged(R, text)
    assert findings(R, text) == [("TFX703", 2, False)]


def test_multi_file_module() -> None:
    other = 'resource "aws_s3_bucket" "logs" {\n  bucket = "logs"\n}\n'
    out, result = fix(R, {"trail.tf": TRAIL, "s3.tf": other})
    assert out["s3.tf"] == other and "is_multi_region_trail      = true" in out["trail.tf"]


def test_suppression() -> None:
    assert unchanged(R, "# tffix:ignore[TFX703]\n" + TRAIL)
    assert unchanged(R, "#trivy:ignore:AVD-AWS-0014\n" + TRAIL)


NO_GLOBAL = """\
resource "aws_cloudtrail" "main" {
  name                          = "main"
  s3_bucket_name                = "logs"
  include_global_service_events = false
}
"""


def test_global_service_events_are_turned_on_with_multi_region() -> None:
    # AWS rejects is_multi_region_trail = true with include_global_service_events = false
    out, result = fix(R, NO_GLOBAL)
    assert "  include_global_service_events = true\n" in out["main.tf"]
    assert "  is_multi_region_trail         = true\n" in out["main.tf"]
    assert "include_global_service_events = false" not in out["main.tf"]
    assert "include_global_service_events = true" in result.fixed[0].fix
    assert unchanged(R, out["main.tf"])


def test_global_service_events_from_an_expression_leave_the_trail_unfixed() -> None:
    text = NO_GLOBAL.replace("= false", "= var.global_events")
    assert unchanged(R, text)
    _, result = fix(R, text)
    (record,) = result.remaining
    assert not record.fixable and "include_global_service_events comes from an expression" in record.message


def test_global_service_events_true_or_missing_need_no_second_change() -> None:
    out, _ = fix(R, NO_GLOBAL.replace("= false", "= true"))
    assert out["main.tf"].count("include_global_service_events") == 1
    out, _ = fix(R, TRAIL)
    assert "include_global_service_events" not in out["main.tf"]
