"""TFX702: CloudTrail trails write digest files to prove their logs were not changed."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from tffix.engine.module import Module
from tffix.engine.rules import FIX_SOMETIMES, IMPACT_IN_PLACE, SAFE, Finding, Rule
from tffix.transforms.lib.settings import setting_findings

CASE = (SAFE, IMPACT_IN_PLACE)


class CloudtrailLogFileValidation(Rule):
    """
    ## What it does
    Sets `enable_log_file_validation = true` on `aws_cloudtrail`: a missing argument,
    `null` or a literal `false` becomes `true`. A value from an expression is reported
    without a fix.

    ## Why is this bad?
    Without log file validation nobody can prove that a delivered log file was not
    modified or deleted: an attacker with write access to the bucket can erase their
    traces unnoticed. With it, CloudTrail delivers signed hourly digest files and `aws
    cloudtrail validate-logs` detects any change. Seed 000 §3 ("Missing CloudTrail
    configuration or inadequate event logging") and seed 004 ("CloudTrail not configured")
    list weak trails among the common failures; it is a CIS AWS Foundations control.

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
      name                       = "main"
      s3_bucket_name             = aws_s3_bucket.trail.id
      enable_log_file_validation = true
    }
    ```

    ## Fix safety
    **Safe.** Log delivery is unchanged; CloudTrail additionally writes digest files under
    `AWSLogs/<account>/CloudTrail-Digest/` in the same bucket and prefix. The usual trail
    bucket policy (`s3:PutObject` on `AWSLogs/<account>/*`) already covers them; a policy
    that allows only `.../CloudTrail/*` makes digest delivery fail without affecting log
    delivery. Digests cost a little S3 storage, no CloudTrail charge.

    ## Deployment impact
    In-place update (`UpdateTrail`); the trail keeps logging.

    ## References
    - Terraform AWS provider source, `internal/service/cloudtrail/trail.go`:
      `enable_log_file_validation` (Optional, Default false, sent with `UpdateTrail`)
    - AWS CloudTrail User Guide, "Validating CloudTrail log file integrity" (digest files,
      location, no extra CloudTrail charge)
    - Checkov CKV_AWS_36 (`checkov/terraform/checks/resource/aws/CloudtrailLogValidation.py`);
      Trivy AWS-0016 (`checks/cloud/aws/cloudtrail/enable_log_validation.rego`)
    """

    id = "TFX702"
    name = "cloudtrail-log-file-validation"
    summary = "CloudTrail trails must set enable_log_file_validation = true"
    fix_availability = FIX_SOMETIMES
    safety = SAFE
    impact = IMPACT_IN_PLACE
    checkov = ("CKV_AWS_36",)
    trivy = ("AWS-0016",)

    def check(self, module: Module, options: dict[str, Any]) -> Iterator[Finding]:
        for ref in module.resources("aws_cloudtrail"):
            yield from setting_findings(self, ref, ref.block, "enable_log_file_validation", True, missing=CASE,
                                        wrong=CASE, why="tampering with delivered log files goes undetected")
