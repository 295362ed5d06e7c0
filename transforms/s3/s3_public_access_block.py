"""TFX131: every S3 bucket has a public access block with all four settings on."""

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
from tffix.syntax.strings import literal_texts
from tffix.transforms.lib.policies import is_public_principal, statements_of
from tffix.transforms.lib.s3 import (
    Satellites,
    bucket_ref,
    insertion_point,
    meta_args,
    satellites,
    unique_name,
)

PAB_TYPE = "aws_s3_bucket_public_access_block"
SETTINGS = ("block_public_acls", "block_public_policy", "ignore_public_acls", "restrict_public_buckets")
PUBLIC_ACLS = ("public-read", "public-read-write", "authenticated-read")
PUBLIC_GROUPS = ("http://acs.amazonaws.com/groups/global/AllUsers",
                 "http://acs.amazonaws.com/groups/global/AuthenticatedUsers")
OBJECT_TYPES = ("aws_s3_object", "aws_s3_bucket_object")


def _dynamic(block: cst.Block, name: str) -> bool:
    return any(d.label_values[:1] == [name] for d in block.find_blocks("dynamic"))


def _acl_exposure(ref: BlockRef) -> str | None:
    """Why this bucket / ACL / object resource makes something public ('' if it may:
    an expression), or None."""
    attr = ref.block.get_attribute("acl")
    if attr is not None:
        known, value = literal(attr.value)
        if not known:
            return f"{ref.address} sets acl from an expression"
        if value in PUBLIC_ACLS:
            return f"{ref.address} grants the {value} ACL"
    for policy in ref.block.find_blocks("access_control_policy"):
        if any(group in text for text in literal_texts(policy) for group in PUBLIC_GROUPS):  # a grantee's uri
            return f"{ref.address} grants access to a global group (AllUsers / AuthenticatedUsers)"
        if _dynamic(policy, "grant"):
            return f"{ref.address} builds its grants dynamically"
    return None


class S3PublicAccessBlock(Rule):
    """
    ## What it does
    For each `aws_s3_bucket` without an `aws_s3_bucket_public_access_block` in the module,
    adds one right after the bucket (after the bucket's other configuration resources that
    follow it), named after the bucket, pointing at `aws_s3_bucket.<name>.id`, with
    `block_public_acls`, `block_public_policy`, `ignore_public_acls` and
    `restrict_public_buckets` all `true`. A bucket with `count` / `for_each` gets a block that
    follows it instance by instance (`count = length(aws_s3_bucket.b)` /
    `for_each = aws_s3_bucket.b`). An existing block counts wherever it is in the module,
    whether it refers to the bucket, uses `each.value.id`, or names it by its literal name.

    Reported **without a fix**, because blocking public access would break what the module
    builds:
    - website hosting: an `aws_s3_bucket_website_configuration` for the bucket, or the legacy
      inline `website` block;
    - a bucket policy (`aws_s3_bucket_policy`, or the bucket's legacy `policy`) with an Allow
      statement for `Principal = "*"` / `AWS = "*"` (jsonencode, JSON heredocs and strings,
      `aws_iam_policy_document`), or a policy tffix cannot read (`templatefile`, variables);
    - public ACLs: `acl = "public-read"`, `"public-read-write"`, `"authenticated-read"` on the
      bucket, an `aws_s3_bucket_acl` or an object (`aws_s3_object`), or grants to the
      AllUsers / AuthenticatedUsers groups.
    Also reported without a fix: a public access block or policy of the module whose `bucket`
    is an expression tffix cannot follow (it may be this bucket's).

    ## Why is this bad?
    Without a public access block, one `acl = "public-read"` or one bucket policy with
    `Principal = "*"` (written by anyone with `s3:PutBucketPolicy`, or by a later change) makes
    the data public. The block is the guard rail that overrides such mistakes (seed 000 §1
    "Incomplete Security Implementation", seed 002 §7.3 "S3 bucket policy validation";
    Checkov CKV2_AWS_6, Trivy AWS-0094). AWS turns Block Public Access on for
    buckets created since April 2023, but buckets created before keep their old settings, and
    an explicit resource lets Terraform correct drift.

    ## Example
    ```hcl
    resource "aws_s3_bucket" "data" {
      bucket = "acme-data"
    }
    ```

    ## Use instead
    ```hcl
    resource "aws_s3_bucket" "data" {
      bucket = "acme-data"
    }

    resource "aws_s3_bucket_public_access_block" "data" {
      bucket                  = aws_s3_bucket.data.id
      block_public_acls       = true
      block_public_policy     = true
      ignore_public_acls      = true
      restrict_public_buckets = true
    }
    ```
    For a public website, keep the bucket private and serve it through CloudFront with origin
    access control, then add the block.

    ## Fix safety
    **Unsafe**: tffix only sees the module. Objects uploaded by applications with a public ACL
    (`--acl public-read`) stop being public (`ignore_public_acls`), and such uploads start
    failing (`block_public_acls`) on buckets that still have ACLs enabled (buckets created
    before April 2023, or with `aws_s3_bucket_ownership_controls` other than
    `BucketOwnerEnforced`). Where the module itself shows public access (website hosting,
    public policies, public ACLs), the rule does not offer a fix at all.

    ## Deployment impact
    In-place: the plan adds one resource (`PutPublicAccessBlock` on the bucket); the bucket is
    not replaced and no object changes.

    ## References
    - Terraform AWS provider docs, `aws_s3_bucket_public_access_block` (the four settings,
      each "Defaults to `false`"), `aws_s3_bucket_website_configuration`, `aws_s3_bucket_policy`,
      `aws_s3_bucket_acl`
    - AWS S3 User Guide, "Blocking public access to your Amazon S3 storage" (what counts as a
      public policy or ACL); the April 2023 change: Block Public Access on and ACLs disabled for
      new buckets
    - Checkov CKV2_AWS_6 (`graph_checks/aws/S3BucketHasPublicAccessBlock.yaml`: a connected
      block with all four settings true); the rule covers buckets without a block, and leaves
      a block whose settings are written `false` to its owner (a public bucket on purpose,
      as in cloudgoat and KaiMonkey), which Checkov keeps failing; Trivy AWS-0094,
      AWS-0086, AWS-0087, AWS-0091, AWS-0093 (trivy-checks `checks/cloud/aws/s3/`
      `specify_public_access_block.rego`, `block_public_acls.rego`, `block_public_policy.rego`,
      `ignore_public_acls.rego`, `no_public_buckets.rego`)
    """

    id = "TFX131"
    name = "s3-public-access-block"
    summary = "S3 buckets have a public access block with all four settings on"
    fix_availability = FIX_SOMETIMES
    safety = UNSAFE
    impact = IMPACT_IN_PLACE
    checkov = ("CKV2_AWS_6",)
    partial = {"CKV2_AWS_6": "buckets without a public access block; one with settings written false is left alone"}
    trivy = ("AWS-0094", "AWS-0086", "AWS-0087", "AWS-0091", "AWS-0093")

    def check(self, module: Module, options: dict[str, Any]) -> Iterator[Finding]:
        if next(module.resources("aws_s3_bucket"), None) is None:
            return  # no bucket to look at (most modules): nothing below is needed
        blocks = satellites(module, PAB_TYPE)
        websites = satellites(module, "aws_s3_bucket_website_configuration")
        policies = satellites(module, "aws_s3_bucket_policy")
        acls = satellites(module, "aws_s3_bucket_acl", *OBJECT_TYPES)
        everywhere = self._module_wide(module, blocks, websites, policies, acls)
        for ref in module.resources("aws_s3_bucket"):
            if len(ref.block.labels) < 2 or blocks.of(ref):
                continue
            message = f"{ref.address} has no public access block"
            reasons = everywhere + self._exposure(module, ref, websites, policies, acls)
            if reasons:
                yield self.finding(ref.file, ref.block, f"{message}; not fixed: {'; '.join(reasons)}",
                                   block=ref.block)
                continue
            yield self.finding(ref.file, ref.block, message, block=ref.block,
                               fix=lambda ref=ref: self._apply(module, ref),
                               scope=(ref.block, insertion_point(module, ref)),
                               description=f"add {PAB_TYPE} with all four settings true")

    def _module_wide(self, module: Module, blocks: Satellites, websites: Satellites, policies: Satellites,
                     acls: Satellites) -> list[str]:
        """Reasons that hold for every bucket: resources whose bucket tffix cannot follow."""
        reasons = [f"{r.address} names its bucket through an expression and may cover it" for r in blocks.unknown]
        reasons += [f"{r.address} (bucket from an expression) hosts a website" for r in websites.unknown]
        for r in policies.unknown:
            why = self._policy_exposure(module, r, r.block.get_attribute("policy"))
            if why:
                reasons.append(f"{why} (its bucket is an expression)")
        for r in acls.unknown:
            why = _acl_exposure(r)
            if why:
                reasons.append(f"{why} (its bucket is an expression)")
        return reasons

    def _exposure(self, module: Module, ref: BlockRef, websites: Satellites, policies: Satellites,
                  acls: Satellites) -> list[str]:
        reasons = []
        block = ref.block
        if block.find_blocks("website") or _dynamic(block, "website"):
            reasons.append(f"{ref.address} hosts a website (inline website block); blocking public access "
                           "would take it down: serve it through CloudFront with origin access control")
        for w in websites.of(ref):
            reasons.append(f"{w.address} hosts a website from it; blocking public access would take it down: "
                           "serve it through CloudFront with origin access control")
        for p in policies.of(ref):
            why = self._policy_exposure(module, p, p.block.get_attribute("policy"))
            if why:
                reasons.append(why)
        inline = block.get_attribute("policy")
        if inline is not None:
            why = self._policy_exposure(module, ref, inline)
            if why:
                reasons.append(why)
        for r in [ref, *acls.of(ref)]:
            why = _acl_exposure(r)
            if why:
                reasons.append(why)
        return reasons

    @staticmethod
    def _policy_exposure(module: Module, ref: BlockRef, attr: cst.Attribute | None) -> str | None:
        if attr is None:
            return None
        stmts = statements_of(module, ref, attr.value)
        if stmts is None:
            return f"tffix cannot read the policy of {ref.address}"
        verdicts = [is_public_principal(s) for s in stmts]
        if any(v is True for v in verdicts):
            return (f"{ref.address} allows Principal \"*\"; a public access block would reject or neutralize "
                    "that policy")
        if any(v is None for v in verdicts):
            return f"tffix cannot tell whether the policy of {ref.address} is public"
        return None

    @staticmethod
    def _apply(module: Module, bucket: BlockRef) -> None:
        body: dict[str, object] = {**meta_args(bucket), "bucket": bucket_ref(bucket)}
        body.update({s: True for s in SETTINGS})
        name = unique_name(module, PAB_TYPE, bucket.block.label_values[1])
        edit.append_block(bucket.file.tree, NewBlock("resource", [PAB_TYPE, name], body),
                                      after=insertion_point(module, bucket))

