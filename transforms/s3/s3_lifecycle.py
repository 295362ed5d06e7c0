"""TFX808: S3 buckets have a lifecycle configuration."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from tffix import edit
from tffix.engine.module import BlockRef, Module
from tffix.engine.rules import (
    FIX_SOMETIMES,
    IMPACT_IN_PLACE,
    UNSAFE,
    Finding,
    Rule,
    literal,
)
from tffix.syntax.build import NewBlock
from tffix.transforms.lib.s3 import (
    TOKENS,
    VERSIONING_TYPE,
    bucket_ref,
    insertion_point,
    log_targets,
    meta_args,
    module_inputs,
    provider_v4,
    satellites,
    unique_name,
    versioning_status,
)
from tffix.transforms.lib.settings import add_nested_block, nested, truth

LIFECYCLE_TYPE = "aws_s3_bucket_lifecycle_configuration"
RULE_ID = "abort-incomplete-uploads-expire-noncurrent-versions"
# the AWS limits: days_after_initiation and noncurrent_days are positive integers,
# newer_noncurrent_versions 1-100 (S3 API NoncurrentVersionExpiration)
DEFAULTS = {"abort-incomplete-days": 7, "noncurrent-days": 90, "newer-noncurrent-versions": 10,
            "log-expiration-days": 0}


def _option(options: dict[str, Any], name: str, low: int, high: int | None) -> int | None:
    value = options.get(name, DEFAULTS[name])
    if isinstance(value, bool) or not isinstance(value, int) or value < low or (high is not None and value > high):
        return None
    return value


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
    Finds an `aws_s3_bucket` without a lifecycle configuration in the module: no
    `aws_s3_bucket_lifecycle_configuration` (provider v4+) whose `bucket` names it (by
    reference, including `aws_s3_bucket.b[count.index].id` and `each.value.id` under
    `for_each = aws_s3_bucket.b`, or by its literal name) and no inline `lifecycle_rule` block
    (provider v3 style, also as a `dynamic` block), and adds one right after the bucket (and
    the configuration resources that follow it), named after the bucket, with the bucket's
    `count` / `for_each` and `provider`. Its one rule (`filter {}`: every object) only
    removes what nobody can read any more:

    - `abort_incomplete_multipart_upload` after 7 days (option `abort-incomplete-days`):
      the parts of uploads that never completed;
    - `noncurrent_version_expiration` after 90 days, keeping the newest 10 noncurrent
      versions of each object (options `noncurrent-days`, 0 to leave old versions alone, and
      `newer-noncurrent-versions`, 0 for no minimum): old versions of a versioned bucket (the
      rule does nothing while versioning is off, and is in place if it is turned on);
    - current objects are never expired, except, with the option `log-expiration-days`
      (default 0: off), in buckets that receive logs (the targets TFX706 recognizes: logging
      targets, load balancer / CloudFront / flow log / CloudTrail destinations, log-delivery
      ACLs and policies), and never in a bucket whose name says it holds Terraform state.

    The message says what else to consider for the kind of bucket: expiring logs after the
    retention period, transitions for data not needed forever. Left alone: buckets passed to
    a `module` call (the module may manage their lifecycle), and every bucket of a module
    with an `aws_s3_bucket_lifecycle_configuration` whose `bucket` is an expression tffix
    cannot follow (it may cover any of them). Reported without a fix: options out of range.

    In a module that pins the AWS provider below 4.0 (no separate lifecycle resource; a
    constraint such as `~> 4.21.0` counts as 4.x), the fix adds the bucket's own
    `lifecycle_rule` block instead (`enabled = true`, no `prefix`: every object), with
    `abort_incomplete_multipart_upload_days` and the log expiration above; provider 3.x cannot
    keep the newest noncurrent versions, so old versions are expired there only when
    `newer-noncurrent-versions = 0` (no minimum wanted), with `noncurrent_version_expiration`.

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
    resource "aws_s3_bucket" "artifacts" {
      bucket = "acme-build-artifacts"
    }

    resource "aws_s3_bucket_lifecycle_configuration" "artifacts" {
      bucket = aws_s3_bucket.artifacts.id

      rule {
        id     = "abort-incomplete-uploads-expire-noncurrent-versions"
        status = "Enabled"

        filter {}

        abort_incomplete_multipart_upload {
          days_after_initiation = 7
        }

        noncurrent_version_expiration {
          noncurrent_days           = 90
          newer_noncurrent_versions = 10
        }
      }
    }
    ```
    In `pyproject.toml`, logs kept for a year and old versions for 30 days:
    ```toml
    [tool.tffix.rules.TFX808]
    noncurrent-days     = 30
    log-expiration-days = 365
    ```

    ## Fix safety
    **Unsafe**: an expiration deletes data for good, and how long data must be kept is a
    business and compliance decision. The defaults delete only what is already hidden: parts
    of uploads abandoned for a week, and versions that have been noncurrent for 90 days
    beyond the newest 10 of each object; current objects stay (unless you set
    `log-expiration-days`). A bucket whose retention rules require every version (Object
    Lock buckets already protect theirs; legal or audit archives) should set
    `noncurrent-days = 0` or ignore the rule. Only one lifecycle configuration may exist per
    bucket: one managed outside this module would be replaced by this one.

    ## Deployment impact
    In-place: the plan adds one resource (`PutBucketLifecycleConfiguration`); S3 then
    applies the rules asynchronously (within a day or two), and expired versions and parts
    cannot be recovered.

    ## References
    - Terraform AWS provider docs, `aws_s3_bucket_lifecycle_configuration` (`rule.status`,
      `rule.filter`, `expiration`, `noncurrent_version_expiration.noncurrent_days` /
      `newer_noncurrent_versions`, `abort_incomplete_multipart_upload.days_after_initiation`;
      added in 4.0 when the bucket's inline `lifecycle_rule` was deprecated; do not combine
      both on one bucket; `filter {}` applies a rule to every object); provider 3.x docs,
      `aws_s3_bucket` `lifecycle_rule` (`id`, `prefix`, `enabled` required,
      `abort_incomplete_multipart_upload_days`, `expiration.days`,
      `noncurrent_version_expiration.days`; no `newer_noncurrent_versions`)
    - S3 API `NoncurrentVersionExpiration` (`NewerNoncurrentVersions` 1-100),
      `AbortIncompleteMultipartUpload` (`DaysAfterInitiation`); Checkov CKV_AWS_300
      ("Ensure S3 lifecycle configuration sets period for aborting failed uploads"), which
      the added configuration passes
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
    fix_availability = FIX_SOMETIMES
    safety = UNSAFE
    impact = IMPACT_IN_PLACE
    checkov = ("CKV2_AWS_61",)
    options = dict(DEFAULTS)

    def check(self, module: Module, options: dict[str, Any]) -> Iterator[Finding]:
        buckets = [ref for ref in module.resources("aws_s3_bucket") if len(ref.block.labels) > 1]
        if not buckets:
            return
        configs = satellites(module, LIFECYCLE_TYPE)
        if configs.unknown:
            return
        abort = _option(options, "abort-incomplete-days", 1, None)
        noncurrent = _option(options, "noncurrent-days", 0, None)
        keep = _option(options, "newer-noncurrent-versions", 0, 100)
        log_days = _option(options, "log-expiration-days", 0, None)
        problem = ""
        if abort is None or noncurrent is None or keep is None or log_days is None:
            problem = ("the options abort-incomplete-days (>= 1), noncurrent-days (>= 0, 0: keep old versions), "
                       "newer-noncurrent-versions (0-100) and log-expiration-days (>= 0) must be whole numbers "
                       "in range")
        v4 = provider_v4(module)
        targets: set[int] | None = None
        for ref in buckets:
            if any(nested(ref.block, "lifecycle_rule")) or configs.of(ref) or module_inputs(module, ref):
                continue
            if targets is None:
                targets = log_targets(module)
            message = self._message(module, ref, targets)
            if problem:
                yield self.finding(ref.file, ref.block, f"{message} (not fixed: {problem})", block=ref.block)
                continue
            expire = log_days if id(ref.block) in targets and not state_bucket(ref) else 0
            # the inline rule of provider 3.x cannot keep the newest noncurrent versions: it expires
            # them only when the options ask for no minimum
            old_versions = noncurrent if v4 or not keep else 0
            what = [f"aborts incomplete multipart uploads after {abort} days"]
            if old_versions:
                what.append(f"expires noncurrent versions after {noncurrent} days"
                            + (f", keeping the newest {keep}" if keep else ""))
            if expire:
                what.append(f"expires the logs after {expire} days")
            if not v4:
                yield self.finding(
                    ref.file, ref.block, message, block=ref.block,
                    fix=lambda ref=ref, expire=expire: self._inline(ref, abort, old_versions, expire),  # type: ignore
                    description=f"add a lifecycle_rule block (the AWS provider is pinned below 4.0) that "
                                f"{' and '.join(what)}")
                continue
            yield self.finding(
                ref.file, ref.block, message, block=ref.block,
                fix=lambda ref=ref, expire=expire: self._apply(module, ref, abort, noncurrent, keep,  # type: ignore
                                                               expire),
                scope=(ref.block, insertion_point(module, ref)),
                description=f"add {LIFECYCLE_TYPE} that {' and '.join(what)}")

    @staticmethod
    def _apply(module: Module, bucket: BlockRef, abort: int, noncurrent: int, keep: int, expire: int) -> None:
        rule: dict[str, object] = {
            "id": RULE_ID if not expire else "expire-logs-" + RULE_ID,
            "status": "Enabled",
            "filter": NewBlock("filter"),
            "abort_incomplete_multipart_upload": NewBlock("abort_incomplete_multipart_upload",
                                                          body={"days_after_initiation": abort}),
        }
        if expire:
            rule["expiration"] = NewBlock("expiration", body={"days": expire})
        if noncurrent:
            body: dict[str, object] = {"noncurrent_days": noncurrent}
            if keep:
                body["newer_noncurrent_versions"] = keep
            rule["noncurrent_version_expiration"] = NewBlock("noncurrent_version_expiration", body=body)
        body = {**meta_args(bucket), "bucket": bucket_ref(bucket), "rule": NewBlock("rule", body=rule)}
        name = unique_name(module, LIFECYCLE_TYPE, bucket.block.label_values[1])
        edit.append_block(bucket.file.tree, NewBlock("resource", [LIFECYCLE_TYPE, name], body),
                          after=insertion_point(module, bucket))

    @staticmethod
    def _inline(bucket: BlockRef, abort: int, noncurrent: int, expire: int) -> None:
        """Provider 3.x: the bucket's own ``lifecycle_rule`` block (no ``filter``: no prefix is every
        object; no ``newer_noncurrent_versions``)."""
        name = RULE_ID if noncurrent else "abort-incomplete-uploads"
        rule: dict[str, object] = {
            "id": name if not expire else "expire-logs-" + name,
            "enabled": True,
            "abort_incomplete_multipart_upload_days": abort,
        }
        if expire:
            rule["expiration"] = NewBlock("expiration", body={"days": expire})
        if noncurrent:
            rule["noncurrent_version_expiration"] = NewBlock("noncurrent_version_expiration",
                                                             body={"days": noncurrent})
        add_nested_block(bucket.block, NewBlock("lifecycle_rule", body=rule))

    @staticmethod
    def _message(module: Module, ref: BlockRef, targets: set[int]) -> str:
        head = f"{ref.address} has no lifecycle configuration"
        if state_bucket(ref):
            kept = ("old state versions are kept forever" if versioned(module, ref)
                    else "once versioned (as a state bucket should be, TFX132) old state versions are kept forever")
            return (f"{ref.address} looks like a Terraform state bucket and has no lifecycle configuration, so "
                    f"{kept}; add an aws_s3_bucket_lifecycle_configuration that "
                    f"expires noncurrent versions and aborts incomplete multipart uploads, and never expires "
                    f"current objects")
        if versioned(module, ref):
            return (f"{head} and is versioned, so every overwritten or deleted object is kept forever as a "
                    f"noncurrent version; add an aws_s3_bucket_lifecycle_configuration with "
                    f"noncurrent_version_expiration and abort_incomplete_multipart_upload")
        if id(ref.block) in targets:
            return (f"{head} and receives logs, which then grow forever; add an "
                    f"aws_s3_bucket_lifecycle_configuration that expires them after the retention period")
        return (f"{head}; add an aws_s3_bucket_lifecycle_configuration that aborts incomplete multipart "
                f"uploads and expires or transitions objects that are not needed forever")
