"""TFX703: CloudTrail trails record every region."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from tffix import edit
from tffix.engine.module import BlockRef, Module
from tffix.engine.rules import FIX_SOMETIMES, IMPACT_IN_PLACE, UNSAFE, Finding, Rule
from tffix.transforms.lib.settings import setting_findings, truth

CASE = (UNSAFE, IMPACT_IN_PLACE)
GLOBAL_EVENTS = "include_global_service_events"


class CloudtrailMultiRegion(Rule):
    """
    ## What it does
    Sets `is_multi_region_trail = true` on `aws_cloudtrail`: a missing argument, `null` or a
    literal `false` becomes `true`.

    AWS rejects a multi-region trail that does not include global service events, so a
    literal `include_global_service_events = false` on the trail becomes `true` in the same
    fix (global service events are IAM, STS and CloudFront calls, recorded in us-east-1).

    Reported without a fix: a value from an expression (for either argument), and
    single-region trails in a module that already has a multi-region trail (a second one records every management event
    twice, and the second copy is charged; the single-region trail may well be meant for
    data events of one region).

    ## Why is this bad?
    A single-region trail records nothing that happens in the other regions: an attacker who
    launches instances or creates IAM access keys through another region's endpoint leaves no
    trace. Seed 000 §3 ("Missing CloudTrail configuration or inadequate event logging") and
    seed 004 ("CloudTrail not configured") list weak trails among the common failures; a
    multi-region trail is a CIS AWS Foundations control.

    ## Example
    ```hcl
    resource "aws_cloudtrail" "main" {
      name           = "main"
      s3_bucket_name = aws_s3_bucket.trail.id
    }
    ```

    ## Use instead
    ```hcl
    resource "aws_cloudtrail" "main" {
      name                  = "main"
      s3_bucket_name        = aws_s3_bucket.trail.id
      is_multi_region_trail = true
    }
    ```

    ## Fix safety
    **Unsafe.** The trail starts delivering every region's events to the same bucket (and
    CloudWatch Logs group): more storage and ingestion, and if the account or organization
    already has another multi-region trail, the management events become a paid second
    copy; data events and Insights selected on the trail are charged in every region. Check
    for organization trails and the expected volume before applying.

    ## Deployment impact
    In-place update (`UpdateTrail`, which receives both arguments when both change); the
    trail keeps its name, ARN and home region.

    ## References
    - Terraform AWS provider source, `internal/service/cloudtrail/trail.go`,
      `resourceTrail` and `resourceTrailUpdate`: `is_multi_region_trail` (Optional, Default
      false) and `include_global_service_events` (Optional, Default true), neither ForceNew,
      both sent with `UpdateTrail` when changed
    - AWS CloudTrail API Reference, `UpdateTrail` / `CreateTrail`: `IsMultiRegionTrail`,
      `IncludeGlobalServiceEvents`, and `InvalidParameterCombinationException` ("Multi-Region
      trail must include global service events")
    - AWS CloudTrail User Guide, "Receiving CloudTrail log files from multiple Regions";
      AWS CloudTrail pricing (first copy of management events free, additional copies
      charged)
    - Checkov CKV_AWS_67 (`checkov/terraform/checks/resource/aws/CloudtrailMultiRegion.py`);
      Trivy AWS-0014 (`checks/cloud/aws/cloudtrail/enable_all_regions.rego`)
    """

    id = "TFX703"
    name = "cloudtrail-multi-region"
    summary = "CloudTrail trails must set is_multi_region_trail = true"
    fix_availability = FIX_SOMETIMES
    safety = UNSAFE
    impact = IMPACT_IN_PLACE
    checkov = ("CKV_AWS_67",)
    trivy = ("AWS-0014",)

    def check(self, module: Module, options: dict[str, Any]) -> Iterator[Finding]:
        trails = list(module.resources("aws_cloudtrail"))
        multi = [t for t in trails if (a := t.block.get_attribute("is_multi_region_trail")) is not None
                 and truth(a.value) == (True, True)]
        for ref in trails:
            for f in setting_findings(self, ref, ref.block, "is_multi_region_trail", True, missing=CASE, wrong=CASE,
                                      why="events in other regions are not recorded"):
                if f.fix is not None and multi:
                    f.fix = None
                    f.message += (f"; {multi[0].address} already records every region, so check whether this trail "
                                  "is meant for one region only")
                elif f.fix is not None:
                    _with_global_events(f, ref)
                yield f


def _with_global_events(f: Finding, ref: BlockRef) -> None:
    """AWS rejects a multi-region trail without global service events
    (InvalidParameterCombinationException): a literal ``false`` is turned on by the same
    fix; one the rule cannot read leaves the finding without a fix."""
    assert f.fix is not None
    attr = ref.block.get_attribute(GLOBAL_EVENTS)
    known, value = truth(attr.value) if attr is not None else (True, None)
    if not known:
        f.fix = None
        f.message += (f"; {GLOBAL_EVENTS} comes from an expression, and a multi-region trail must include global "
                      "service events, so set both together")
    elif value is False:
        apply, block = f.fix.apply, ref.block
        f.fix.apply = lambda: (apply(), edit.set_attribute(block, GLOBAL_EVENTS, True))[0]
        f.fix.description += f" and {GLOBAL_EVENTS} = true (a multi-region trail must include global service events)"
