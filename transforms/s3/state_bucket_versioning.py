"""TFX132: S3 buckets that hold Terraform state have versioning enabled."""

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
from tffix.syntax import cst
from tffix.syntax.build import NewBlock
from tffix.syntax.strings import string_text
from tffix.transforms.lib.backends import s3_backends
from tffix.transforms.lib.s3 import (
    VERSIONING_TYPE,
    bucket_ref,
    insertion_point,
    meta_args,
    provider_v4,
    satellites,
    unique_name,
    versioning_status,
)
from tffix.transforms.lib.settings import nested, truth

# a bucket whose name or label contains one of these holds Terraform state
STATE_MARKERS = ("tfstate", "terraform-state", "terraform_state", "tf-state", "tf_state")


def _literal_text(expr: cst.Node) -> str:
    """The literal characters of a string (for a template, its literal parts only)."""
    known, value = literal(expr)
    if known:
        return value if isinstance(value, str) else ""
    st = string_text(expr) if isinstance(expr, cst.Template) else None
    if st is not None:
        return "".join(st.source[start:end] for start, end in st.runs)
    return ""


def state_bucket_reason(module: Module, ref: BlockRef, backend_buckets: set[str]) -> str | None:
    """Why ``ref`` holds Terraform state (None when nothing says so)."""
    name_attr = ref.block.get_attribute("bucket")
    if name_attr is not None:
        known, value = literal(name_attr.value)
        if known and isinstance(value, str) and value in backend_buckets:
            return f'the backend "s3" of this module stores its state in "{value}"'
    names = [ref.block.label_values[1]]
    for attr_name in ("bucket", "bucket_prefix"):
        attr = ref.block.get_attribute(attr_name)
        if attr is not None:
            names.append(_literal_text(attr.value))
    for name in names:
        lowered = name.lower()
        for marker in STATE_MARKERS:
            if marker in lowered:
                return f'its name says it holds Terraform state ("{marker}")'
    return None


class StateBucketVersioning(Rule):
    """
    ## What it does
    Finds the `aws_s3_bucket`s of the module that hold Terraform state: its literal `bucket`
    is the `bucket` of a `backend "s3"` block of the same module, or its name (`bucket`,
    `bucket_prefix`, literal parts of a template included) or its label contains `tfstate`,
    `terraform-state`, `terraform_state`, `tf-state` or `tf_state`. When such a bucket has no
    versioning (no `aws_s3_bucket_versioning` of the module points at it, and no inline
    `versioning { enabled = true }`), it adds an `aws_s3_bucket_versioning` right after the
    bucket (after the bucket's configuration resources that follow it), named after the
    bucket, with `versioning_configuration { status = "Enabled" }`. A bucket with `count` or
    `for_each` gets a resource that follows it instance by instance (`count =
    length(aws_s3_bucket.b)`, or `for_each = aws_s3_bucket.b` with `each.value.id`).

    Reported without a fix: versioning that is switched off on purpose (inline `versioning`
    without `enabled = true`, `status = "Suspended"` or `"Disabled"`), an
    `aws_s3_bucket_versioning` that names its bucket through an expression tffix cannot follow
    (it may cover this bucket), and a module that pins the AWS provider below 4.0 (no
    `aws_s3_bucket_versioning` there: use the inline block). A `status` or `enabled` set from
    an expression counts as configured.

    ## Why is this bad?
    The state is the only record of which real resources Terraform manages. Without
    versioning, one bad write (a botched `terraform state rm`, a corrupted or truncated
    upload, a concurrent apply without locking, an accidental `aws s3 rm`) replaces it for
    good, and recovering means re-importing every resource by hand. With versioning every
    write keeps the previous state as a noncurrent version that can be restored in a minute.
    Terraform's S3 backend documentation "highly recommends" it for exactly this reason
    (seed 002 §6.2 "No Terraform State Backup").

    Checkov CKV_AWS_21 and Trivy AWS-0090 ask for versioning on every bucket; tffix asks only
    for state buckets, where it is always right: for other buckets (logs, caches, build
    artifacts, data that is rewritten constantly) versioning multiplies storage costs and the
    right answer depends on the data.

    ## Example
    ```hcl
    resource "aws_s3_bucket" "terraform_state" {
      bucket = "acme-terraform-state"
    }
    ```

    ## Use instead
    ```hcl
    resource "aws_s3_bucket" "terraform_state" {
      bucket = "acme-terraform-state"
    }

    resource "aws_s3_bucket_versioning" "terraform_state" {
      bucket = aws_s3_bucket.terraform_state.id

      versioning_configuration {
        status = "Enabled"
      }
    }
    ```

    ## Fix safety
    **Unsafe**: enabling versioning cannot be undone in AWS. A bucket that was versioned can
    only be suspended, never returned to unversioned, and removing the new resource from the
    configuration later suspends versioning rather than undoing it. It also changes what
    deletes and lifecycle expiration do (they leave noncurrent versions and delete markers
    instead of removing data), and every state write keeps a noncurrent version that is
    billed until it expires. For a state bucket all of that is wanted and the added storage
    is small, but the bucket is sometimes recognised only by its name, so tffix asks for
    `--unsafe-fixes`. Add a lifecycle rule that expires noncurrent versions after a while
    (`noncurrent_version_expiration`, see TFX808) to bound the cost.

    ## Deployment impact
    In-place: the plan adds one resource (an S3 `PutBucketVersioning` call); the bucket and
    its objects are not replaced. AWS recommends waiting about 15 minutes after versioning
    is first enabled before writing to the bucket, so apply this before the next state write
    rather than together with a large change that uses the same bucket as its backend.

    ## References
    - Terraform AWS provider docs, `aws_s3_bucket_versioning` (`bucket`,
      `versioning_configuration.status` `Enabled` / `Suspended` / `Disabled`, where
      `Disabled` only describes a bucket that was never versioned; deleting the resource
      suspends versioning; the 15-minute note; added in provider 4.0 when the inline
      `versioning` block was split out)
    - Terraform docs, "Backend Type: s3": "It is highly recommended that you enable Bucket
      Versioning on the S3 bucket to allow for state recovery"
    - Amazon S3 API Reference, `PutBucketVersioning` (states `Enabled` and `Suspended`; a
      versioned bucket can be suspended but not returned to unversioned)
    - Seed 002 §6.2 "No Terraform State Backup" (`../shared/seeds`)
    - Checkov CKV_AWS_21 (`checkov/terraform/checks/graph_checks/aws/S3BucketVersioning.yaml`:
      inline `versioning.enabled = true` or a connected `aws_s3_bucket_versioning` with
      status `Enabled`), for state buckets only: it fails on every bucket without versioning,
      and the fix resolves it on the state buckets it finds (checkov 3.3.30,
      `bench/checkov_mapping.py`); Trivy AWS-0090 (trivy-checks
      `checks/cloud/aws/s3/enable_versioning.rego`), likewise
    """

    id = "TFX132"
    name = "state-bucket-versioning"
    summary = "S3 buckets that hold Terraform state have versioning enabled"
    fix_availability = FIX_SOMETIMES
    safety = UNSAFE
    impact = IMPACT_IN_PLACE
    checkov = ("CKV_AWS_21",)
    partial = {"CKV_AWS_21": "state buckets only; Checkov asks every bucket to be versioned"}
    trivy = ("AWS-0090",)

    def check(self, module: Module, options: dict[str, Any]) -> Iterator[Finding]:
        backend_buckets = set()
        for _, backend in s3_backends(module):
            attr = backend.get_attribute("bucket")
            known, value = literal(attr.value) if attr is not None else (False, None)
            if known and isinstance(value, str):
                backend_buckets.add(value)
        existing = satellites(module, VERSIONING_TYPE)
        v4: bool | None = None
        for ref in module.resources("aws_s3_bucket"):
            if len(ref.block.labels) < 2:
                continue
            reason = state_bucket_reason(module, ref, backend_buckets)
            if reason is None:
                continue
            off = self._inline(ref.block)
            if off is None:
                continue  # inline versioning enabled, or decided by an expression
            configs = existing.of(ref)
            statuses = [versioning_status(c) for c in configs]
            if any(s is None or s == "Enabled" for s in statuses):
                continue
            address = f"{ref.address} holds Terraform state ({reason})"
            if off is not False:
                yield self.finding(ref.file, off, f"{address} but its inline versioning is not enabled; set "
                                   "versioning { enabled = true } (or move it to aws_s3_bucket_versioning)",
                                   block=ref.block)
                continue
            if configs:
                shown = ", ".join(f'{c.address} (status "{s}")' for c, s in zip(configs, statuses))
                node = _status_node(configs[0])
                yield self.finding(configs[0].file, node, f"{address} but versioning is switched off in {shown}; "
                                   'set status = "Enabled" so an overwritten state can be restored',
                                   block=configs[0].block)
                continue
            message = f"{address} but has no versioning; a bad write loses the state for good"
            reasons = []
            if existing.unknown:
                names = ", ".join(r.address for r in existing.unknown)
                reasons.append(f"{names} names its bucket through an expression and may cover it")
            if v4 is None:
                v4 = provider_v4(module)
            if not v4:
                reasons.append(f"the AWS provider is pinned below 4.0, which has no {VERSIONING_TYPE}; "
                               "use the bucket's versioning block")
            if reasons:
                yield self.finding(ref.file, ref.block, f"{message}; not fixed: {'; '.join(reasons)}",
                                   block=ref.block)
                continue
            yield self.finding(
                ref.file, ref.block, f"{message}; enable versioning", block=ref.block,
                fix=lambda ref=ref: self._apply(module, ref), scope=(ref.block, insertion_point(module, ref)),
                description=f"add {VERSIONING_TYPE} with status Enabled", safety=UNSAFE, impact=IMPACT_IN_PLACE,
            )

    @staticmethod
    def _inline(block: cst.Block) -> cst.Node | None | bool:
        """False without inline versioning; None when it is enabled or set from an
        expression (a dynamic block included); else the node that switches it off."""
        blocks, dynamic = nested(block, "versioning")
        if dynamic:
            return None
        if not blocks:
            return False
        for inline in blocks:
            enabled = inline.get_attribute("enabled")
            if enabled is None:
                return inline
            known, value = truth(enabled.value)
            if not known or value is True:
                return None
            return enabled.value
        return False

    @staticmethod
    def _apply(module: Module, bucket: BlockRef) -> None:
        body = {**meta_args(bucket), "bucket": bucket_ref(bucket),
                "versioning_configuration": NewBlock("versioning_configuration", body={"status": "Enabled"})}
        name = unique_name(module, VERSIONING_TYPE, bucket.block.label_values[1])
        edit.append_block(bucket.file.tree, NewBlock("resource", [VERSIONING_TYPE, name], body),
                                      after=insertion_point(module, bucket))


def _status_node(config: BlockRef) -> cst.Node:
    for inline in config.block.find_blocks("versioning_configuration"):
        attr = inline.get_attribute("status")
        if attr is not None:
            return attr.value
    return config.block
