"""TFX808: S3 buckets have a lifecycle configuration."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from tffix.engine.module import BlockRef, Module
from tffix.engine.rules import (
    DISPLAY_ONLY,
    FIX_NEVER,
    IMPACT_NONE,
    Finding,
    Rule,
    literal,
)
from tffix.transforms.lib.s3 import (
    TOKENS,
    VERSIONING_TYPE,
    log_targets,
    module_inputs,
    satellites,
    versioning_status,
)
from tffix.transforms.lib.settings import nested, truth

LIFECYCLE_TYPE = "aws_s3_bucket_lifecycle_configuration"


def _names(bucket: BlockRef) -> list[str]:
    out = [bucket.block.label_values[1]] if len(bucket.block.labels) > 1 else []
    for name in ("bucket", "bucket_prefix"):
        attr = bucket.block.get_attribute(name)
        known, value = literal(attr.value) if attr is not None else (False, None)
        if known and isinstance(value, str):
            out.append(value)
    return out


def state_bucket(bucket: BlockRef) -> bool:
    """The bucket's label or literal name says it holds Terraform state
    (``terraform_state``, ``acme-tfstate``, ``backend-state``)."""
    for name in _names(bucket):
        tokens = TOKENS.split(name.lower())
        if any(t in ("state", "tfstate", "tfstates", "terraformstate") for t in tokens):
            return True
    return False


def versioned(module: Module, bucket: BlockRef) -> bool:
    """Versioning is on: an ``aws_s3_bucket_versioning`` with a literal ``status = "Enabled"``
    or an inline ``versioning { enabled = true }``."""
    for block in bucket.block.find_blocks("versioning"):
        enabled = block.get_attribute("enabled")
        if enabled is not None and truth(enabled.value) == (True, True):
            return True
    return any(versioning_status(ref) == "Enabled" for ref in satellites(module, VERSIONING_TYPE).of(bucket))


class S3Lifecycle(Rule):
    """
    ## What it does
    Reports an `aws_s3_bucket` without a lifecycle configuration in the module: no
    `aws_s3_bucket_lifecycle_configuration` (provider v4+) whose `bucket` names it (by
    reference, including `aws_s3_bucket.b[count.index].id` and `each.value.id` under
    `for_each = aws_s3_bucket.b`, or by its literal name) and no inline `lifecycle_rule` block
    (provider v3 style, also as a `dynamic` block). Display only. The message says what the
    rule should do for the kind of bucket it sees:

    - a bucket whose label or literal name says it holds Terraform state (`terraform_state`,
      `acme-tfstate`): expire **noncurrent versions only** and abort incomplete multipart
      uploads; never expire current objects (that deletes the state);
    - a versioned bucket (`aws_s3_bucket_versioning` with `status = "Enabled"`, or inline
      `versioning { enabled = true }`): expire noncurrent versions;
    - a bucket that receives logs (the targets TFX706 recognizes: logging targets, load
      balancer / CloudFront / flow log / CloudTrail destinations, log-delivery ACLs and
      policies): expire the logs after the retention period;
    - any other bucket: abort incomplete multipart uploads and expire or transition what is
      not needed forever.

    Left alone: buckets passed to a `module` call (the module may manage their lifecycle),
    and every bucket of a module with an `aws_s3_bucket_lifecycle_configuration` whose
    `bucket` is an expression tffix cannot follow (it may cover any of them).

    ## Why is this bad?
    Without a lifecycle configuration S3 keeps every object, every noncurrent version of a
    versioned bucket and every part of an abandoned multipart upload forever, and bills for
    all of it. Logs and build artifacts grow without bound; in a versioned bucket a delete
    only adds a delete marker. Seeds 000 §9 ("Missing lifecycle policies for S3 storage cost
    optimization") and 004 ("No lifecycle policies for S3 storage classes") list it among
    the common cost failures; Checkov reports it as CKV2_AWS_61.

    ## Example
    ```hcl
    resource "aws_s3_bucket" "artifacts" {
      bucket = "acme-build-artifacts"
    }
    ```

    ## Use instead
    ```hcl
    # file: lifecycle.tf
    resource "aws_s3_bucket_lifecycle_configuration" "artifacts" {
      bucket = aws_s3_bucket.artifacts.id

      rule {
        id     = "expire-artifacts"
        status = "Enabled"
        filter {}

        expiration {
          days = 90
        }

        abort_incomplete_multipart_upload {
          days_after_initiation = 7
        }
      }
    }
    ```
    For a Terraform state bucket (versioned), keep every current object and only clean up
    old versions:
    ```hcl
    # file: lifecycle.tf
    resource "aws_s3_bucket_lifecycle_configuration" "terraform_state" {
      bucket = aws_s3_bucket.terraform_state.id

      rule {
        id     = "expire-old-state-versions"
        status = "Enabled"
        filter {}

        noncurrent_version_expiration {
          noncurrent_days           = 90
          newer_noncurrent_versions = 10
        }

        abort_incomplete_multipart_upload {
          days_after_initiation = 7
        }
      }
    }
    ```

    ## Fix safety
    No fix: how long data must be kept is a business and compliance decision tffix cannot
    make, and an expiration rule deletes data for good.

    ## Deployment impact
    None (display only). Adding a lifecycle configuration yourself is an in-place change
    (`PutBucketLifecycleConfiguration`); S3 then applies the rules asynchronously, and
    expired objects cannot be recovered.

    ## References
    - Terraform AWS provider docs, `aws_s3_bucket_lifecycle_configuration` (`rule.status`,
      `rule.filter`, `expiration`, `noncurrent_version_expiration.noncurrent_days` /
      `newer_noncurrent_versions`, `abort_incomplete_multipart_upload.days_after_initiation`;
      added in 4.0 when the bucket's inline `lifecycle_rule` was deprecated; do not combine
      both on one bucket)
    - Amazon S3 User Guide, "Managing your storage lifecycle" (incomplete multipart uploads
      and noncurrent versions are billed until removed)
    - Checkov CKV2_AWS_61 (`checkov/terraform/checks/graph_checks/aws/S3BucketLifecycle.yaml`:
      an inline `lifecycle_rule` or a connected `aws_s3_bucket_lifecycle_configuration`)
    - Seed 000 §9 "Missing lifecycle policies for S3 storage cost optimization", seed 004
      "Cost Optimization Failures: No lifecycle policies for S3 storage classes"
      (`../shared/seeds`)
    """

    id = "TFX808"
    name = "s3-lifecycle"
    summary = "S3 buckets have a lifecycle configuration"
    fix_availability = FIX_NEVER
    safety = DISPLAY_ONLY
    impact = IMPACT_NONE
    checkov = ("CKV2_AWS_61",)

    def check(self, module: Module, options: dict[str, Any]) -> Iterator[Finding]:
        buckets = [ref for ref in module.resources("aws_s3_bucket") if len(ref.block.labels) > 1]
        if not buckets:
            return
        configs = satellites(module, LIFECYCLE_TYPE)
        if configs.unknown:
            return
        targets: set[int] | None = None
        for ref in buckets:
            if any(nested(ref.block, "lifecycle_rule")) or configs.of(ref) or module_inputs(module, ref):
                continue
            if targets is None:
                targets = log_targets(module)
            head = f"{ref.address} has no lifecycle configuration"
            if state_bucket(ref):
                kept = ("old state versions are kept forever" if versioned(module, ref)
                        else "once versioned (as a state bucket should be, TFX132) old state versions are kept forever")
                message = (f"{ref.address} looks like a Terraform state bucket and has no lifecycle configuration, so "
                           f"{kept}; add an aws_s3_bucket_lifecycle_configuration that "
                           f"expires noncurrent versions and aborts incomplete multipart uploads, and never expires "
                           f"current objects")
            elif versioned(module, ref):
                message = (f"{head} and is versioned, so every overwritten or deleted object is kept forever as a "
                           f"noncurrent version; add an aws_s3_bucket_lifecycle_configuration with "
                           f"noncurrent_version_expiration and abort_incomplete_multipart_upload")
            elif id(ref.block) in targets:
                message = (f"{head} and receives logs, which then grow forever; add an "
                           f"aws_s3_bucket_lifecycle_configuration that expires them after the retention period")
            else:
                message = (f"{head}; add an aws_s3_bucket_lifecycle_configuration that aborts incomplete multipart "
                           f"uploads and expires or transitions objects that are not needed forever")
            yield self.finding(ref.file, ref.block, message, block=ref.block)
