"""TFX730: a CloudTrail trail waits for the policy of the bucket it writes to."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from tffix import edit
from tffix.engine.module import BlockRef, Module, references
from tffix.engine.rules import FIX_SOMETIMES, IMPACT_NONE, SAFE, Finding, Rule
from tffix.syntax import cst
from tffix.syntax.build import HCL
from tffix.transforms.lib.s3 import bucket_target, satellites


def _listed(expr: cst.Tuple) -> set[str]:
    """Addresses a depends_on list names (``aws_s3_bucket_policy.p``, ``module.m``)."""
    out = set()
    for item in expr.items:
        if isinstance(item, cst.Traversal):
            out.add(".".join(item.path[:2]))
            out.add(".".join(item.path[:3]))
    return out


class CloudtrailBucketPolicyDependency(Rule):
    """
    ## What it does
    For each `aws_cloudtrail` whose `s3_bucket_name` names a bucket of the module (by
    reference, like `aws_s3_bucket.logs.id` / `.bucket`, or by the bucket's literal name) that
    has an `aws_s3_bucket_policy` in the module, adds `depends_on = [aws_s3_bucket_policy.<name>]`
    to the trail, or adds the policy to an existing `depends_on` list. A trail that already
    refers to the policy (for example `s3_bucket_name = aws_s3_bucket_policy.logs.bucket`) is
    left alone. A trail whose bucket has no policy at all in the module is reported without a
    fix: CloudTrail cannot deliver to a bucket that does not grant it access.

    ## Why is this bad?
    CloudTrail checks the bucket policy when the trail is created and fails with
    `InsufficientS3BucketPolicyException` if the policy that lets `cloudtrail.amazonaws.com`
    write is not there yet. The trail refers to the bucket, not to the policy, so Terraform
    creates the trail and the policy in parallel and the first apply fails at random (seed 000
    "Missing Dependencies", seed 003 §11, seed 004 "Resource Dependencies").

    ## Example
    ```hcl
    resource "aws_cloudtrail" "main" {
      name           = "main"
      s3_bucket_name = aws_s3_bucket.logs.bucket
    }
    ```
    with the bucket's policy in another file:
    ```hcl
    # file: logs.tf
    resource "aws_s3_bucket" "logs" {
      bucket = "acme-trail-logs"
    }

    resource "aws_s3_bucket_policy" "logs" {
      bucket = aws_s3_bucket.logs.id
      policy = data.aws_iam_policy_document.trail.json
    }
    ```

    ## Use instead
    ```hcl
    resource "aws_cloudtrail" "main" {
      name           = "main"
      s3_bucket_name = aws_s3_bucket.logs.bucket
      depends_on     = [aws_s3_bucket_policy.logs]
    }
    ```

    ## Fix safety
    **Safe**: `depends_on` only orders operations; the plan shows no change to any resource.

    ## Deployment impact
    None. Later applies create or update the policy before the trail.

    ## References
    - Seed 000 "Common Error Patterns: Missing Dependencies" (`../shared/seeds`)
    - Terraform AWS provider docs, `aws_cloudtrail` (`s3_bucket_name`; the example declares the
      bucket policy the trail needs) and `aws_s3_bucket_policy`
    - AWS CloudTrail User Guide, "Amazon S3 bucket policy for CloudTrail"
    - No Checkov or Trivy check covers the ordering
    """

    id = "TFX730"
    name = "cloudtrail-bucket-policy-dependency"
    summary = "CloudTrail trails depend on the policy of their S3 bucket"
    fix_availability = FIX_SOMETIMES
    safety = SAFE
    impact = IMPACT_NONE

    def check(self, module: Module, options: dict[str, Any]) -> Iterator[Finding]:
        policies = satellites(module, "aws_s3_bucket_policy")
        for trail in module.resources("aws_cloudtrail"):
            attr = trail.block.get_attribute("s3_bucket_name")
            bucket = bucket_target(module, trail, "s3_bucket_name")
            if attr is None or not isinstance(bucket, BlockRef):
                continue
            if bucket.block.get_attribute("policy") is not None:
                continue  # the legacy inline policy is part of the bucket the trail refers to
            mine = policies.of(bucket)
            if not mine:
                if not policies.unknown:
                    yield self.finding(trail.file, attr.value,
                                       f"{trail.address} writes to {bucket.address}, which has no bucket policy in "
                                       f"the module; CloudTrail needs one that lets cloudtrail.amazonaws.com run "
                                       f"s3:GetBucketAcl and s3:PutObject", block=trail.block)
                continue
            referred = {id(r.block) for t in references(trail.block) if (r := module.resolve(t)) is not None}
            if any(id(p.block) in referred for p in mine):
                continue
            depends = trail.block.get_attribute("depends_on")
            listed = _listed(depends.value) if depends is not None and isinstance(depends.value, cst.Tuple) else set()
            missing = [p for p in mine if p.address not in listed]
            if not missing:
                continue
            names = ", ".join(p.address for p in missing)
            message = f"{trail.address} writes to {bucket.address} but does not depend on {names}"
            if depends is not None and not isinstance(depends.value, cst.Tuple):
                yield self.finding(trail.file, depends.value, f"{message}; not fixed: depends_on is not a list",
                                   block=trail.block)
                continue
            yield self.finding(trail.file, attr.value, message, block=trail.block,
                               fix=lambda trail=trail, missing=missing: self._apply(trail, missing),
                               description=f"add {names} to depends_on")

    @staticmethod
    def _apply(trail: BlockRef, missing: list[BlockRef]) -> None:
        depends = trail.block.get_attribute("depends_on")
        if depends is None:
            edit.set_attribute(trail.block, "depends_on", HCL("[" + ", ".join(p.address for p in missing) + "]"))
            return
        for p in missing:
            edit.append_tuple_item(depends.value, HCL(p.address))  # type: ignore[arg-type]
