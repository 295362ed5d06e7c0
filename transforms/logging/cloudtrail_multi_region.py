"""TFX703: CloudTrail trails record every region."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from tffix.engine.module import Module
from tffix.engine.rules import FIX_SOMETIMES, IMPACT_IN_PLACE, UNSAFE, Finding, Rule
from tffix.transforms.lib.settings import setting_findings, truth

CASE = (UNSAFE, IMPACT_IN_PLACE)


class CloudtrailMultiRegion(Rule):
    """
    ## What it does
    Sets `is_multi_region_trail = true` on `aws_cloudtrail`: a missing argument, `null` or a
    literal `false` becomes `true`.

    Reported without a fix: a value from an expression, and single-region trails in a module
    that already has a multi-region trail (a second one records every management event
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
    In-place update (`UpdateTrail`); the trail keeps its name, ARN and home region.

    ## References
    - Terraform AWS provider source, `internal/service/cloudtrail/trail.go`:
      `is_multi_region_trail` (Optional, Default false, sent with `UpdateTrail`)
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
                yield f
