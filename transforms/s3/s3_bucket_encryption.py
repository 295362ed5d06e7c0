"""TFX130: every S3 bucket declares its default encryption."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from tffix import edit
from tffix.engine.module import BlockRef, Module
from tffix.engine.rules import (
    FIX_SOMETIMES,
    IMPACT_IN_PLACE,
    SAFE,
    UNSAFE,
    Finding,
    Rule,
)
from tffix.syntax import cst
from tffix.syntax.build import HCL, NewBlock, quote
from tffix.syntax.errors import ParseError
from tffix.syntax.parser import parse_expression
from tffix.transforms.lib.s3 import (
    bucket_ref,
    insertion_point,
    log_targets,
    meta_args,
    provider_v4,
    satellites,
    unique_name,
)
from tffix.transforms.lib.supporting import Support, provider_of, s3_key

SSE_TYPE = "aws_s3_bucket_server_side_encryption_configuration"
ALGORITHMS = ("AES256", "aws:kms")


def _has_inline(block: cst.Block) -> bool:
    if block.find_blocks("server_side_encryption_configuration"):
        return True
    return any(d.label_values[:1] == ["server_side_encryption_configuration"] for d in block.find_blocks("dynamic"))


def kms_key_expression(value: str) -> HCL | None:
    """The ``kms-key-id`` option as HCL: an ARN, key id or alias is quoted, anything else
    must be an expression (``aws_kms_key.s3.arn``, ``var.kms_key_arn``). None if invalid."""
    text = value.strip()
    if not text:
        return None
    if text.startswith(("arn:", "alias/")) or all(c in "0123456789abcdef-" for c in text):
        return HCL(quote(text))
    try:
        parse_expression(text)
    except ParseError:
        return None
    return HCL(text)


class S3BucketEncryption(Rule):
    """
    ## What it does
    For each `aws_s3_bucket` that has no default-encryption configuration in the module,
    adds an `aws_s3_bucket_server_side_encryption_configuration` right after the bucket
    (after the bucket's other configuration resources that follow it), named after the
    bucket and pointing at `aws_s3_bucket.<name>.id`. It uses SSE-S3 (`AES256`) by default;
    with the option `sse-algorithm = "aws:kms"` it writes SSE-KMS with `bucket_key_enabled =
    true` (an S3 Bucket Key: far fewer KMS requests), and `kms-key-id` names the key
    (`aws_kms_key.s3.arn`, a variable, or a key ARN). Without `kms-key-id`, the key is the
    module's (`transforms/lib/supporting.py`): an `aws_kms_key` with the bucket's provider
    whose policy lets the account's IAM policies decide (no `policy`, or an Allow of `kms:*`
    to the account root; preferring a label that says s3 / bucket), or a new
    `aws_kms_key.s3` in `security.tf` (rotation on, AWS's default key policy written out: S3
    uses the key with the caller's permissions, through `kms:ViaService`, so there is no
    service principal to scope it to), shared by every bucket of the module. A bucket that
    receives logs (S3 server access logs, load balancer logs and the other log targets
    TFX706 recognizes) gets SSE-S3 even then, and the message says why: S3 server access
    logging and Elastic Load Balancing deliver logs only to buckets encrypted with SSE-S3.

    The default stays SSE-S3, because SSE-KMS changes who can read the data (every reader
    and writer, including other accounts and delivery services, then needs the key),
    costs money (a key per month, and KMS requests), and cannot be undone for the objects
    written meanwhile; it is the owner's choice, made once in the config.

    A bucket counts as configured when any encryption configuration of the module points at
    it: by reference (`aws_s3_bucket.b.id`, `.bucket`, `aws_s3_bucket.b[count.index].id`,
    `each.value.id` under `for_each = aws_s3_bucket.b`), by the bucket's literal name, or
    through the legacy inline `server_side_encryption_configuration` block (also as a
    `dynamic` block). A bucket with `count` or `for_each` gets a configuration that follows
    it instance by instance: `count = length(aws_s3_bucket.b)` with
    `aws_s3_bucket.b[count.index].id`, or `for_each = aws_s3_bucket.b` with `each.value.id`.

    Reported without a fix: when an encryption configuration of the module names its bucket
    through an expression tffix cannot follow (a variable, a local, a module output), since it
    may already cover the bucket; and when the module pins the AWS provider below 4.0, where
    the separate resource does not exist.

    ## Why is this bad?
    Seed 000 §1 and seed 004 ("S3 buckets without server-side encryption") list unencrypted
    storage among the most common failures. Since January 2023 S3 encrypts every new object
    with SSE-S3 even without a configuration, so for SSE-S3 this fix does not change what is
    stored: it makes the choice explicit and reviewable, makes Terraform correct drift (a
    console change of the default encryption shows up in the plan), satisfies scanners that
    look for it (Trivy AWS-0088), and is the place to switch to SSE-KMS (Checkov CKV_AWS_145,
    Trivy AWS-0132), which is the option that really changes who can read the data.

    ## Example
    ```hcl
    resource "aws_s3_bucket" "logs" {
      bucket = "acme-logs"
    }
    ```

    ## Use instead
    ```hcl
    resource "aws_s3_bucket" "logs" {
      bucket = "acme-logs"
    }

    resource "aws_s3_bucket_server_side_encryption_configuration" "logs" {
      bucket = aws_s3_bucket.logs.id

      rule {
        apply_server_side_encryption_by_default {
          sse_algorithm = "AES256"
        }
      }
    }
    ```
    In `pyproject.toml`:
    ```toml
    [tool.tffix.rules.TFX130]
    sse-algorithm = "aws:kms"
    kms-key-id = "aws_kms_key.s3.arn"
    ```

    ## Fix safety
    **Safe** for SSE-S3: S3 already applies SSE-S3 to new objects of every bucket without a
    configuration, so readers and writers see no difference. One caveat: if someone set
    SSE-KMS on the bucket outside Terraform, applying the fix switches new objects back to
    SSE-S3 (that is the drift correction; nothing loses access).
    **Unsafe** for SSE-KMS: every reader and writer of new objects (roles, other accounts,
    services such as CloudFront or log delivery) then also needs `kms:Decrypt` /
    `kms:GenerateDataKey` on the key, which the fix cannot grant, and a new key is billed.

    ## Deployment impact
    In-place: the plan adds one resource (an S3 `PutBucketEncryption` call), and for SSE-KMS
    without `kms-key-id` possibly the module's new key and data sources; the bucket and its
    objects are not replaced, and existing objects keep the encryption they were written
    with.

    ## References
    - Terraform AWS provider docs, `aws_s3_bucket_server_side_encryption_configuration`
      (`bucket`, `rule.apply_server_side_encryption_by_default.sse_algorithm` `AES256` /
      `aws:kms`, `kms_master_key_id`, `rule.bucket_key_enabled`; added in provider 4.0 when
      the bucket's inline blocks were split out)
    - AWS S3 User Guide, "Setting default server-side encryption behavior": since
      2023-01-05 S3 applies SSE-S3 to all new objects by default; "Reducing the cost of
      SSE-KMS with Amazon S3 Bucket Keys"; "Enabling Amazon S3 server access logging" (the
      destination bucket may use SSE-S3 only); Elastic Load Balancing User Guide, "Access
      logs for your Application Load Balancer" (the bucket must use SSE-S3)
    - Seed 000 §1 "Missing KMS encryption", seed 004 "Missing Encryption" (`../shared/seeds`)
    - Checkov CKV_AWS_145 (`S3KMSEncryptedByDefault.yaml`, SSE-KMS by default): resolved
      only with `sse-algorithm = "aws:kms"` (`bench/mapping_cases/TFX130/kms`, checkov 3.3.30,
      `bench/checkov_mapping.py`); the default SSE-S3 fix leaves it failing. The rule says so
      in its data (`fixed_with_options`): `tffix rules` lists `CKV_AWS_145 (with sse-algorithm
      = "aws:kms")`, and `bench/checkov_compare.py` counts it as fixed only in a run whose
      `--config` sets the option. CKV_AWS_19
      (`graph_checks/aws/S3BucketEncryption.yaml`) passes a bucket without any encryption
      configuration, so it never fails on a bucket this rule fixes; `#checkov:skip=` comments
      for it still silence the rule (`checkov_skips`)
    - Trivy AWS-0088, AWS-0132 (trivy-checks `checks/cloud/aws/s3/enable_bucket_encryption.rego`,
      `encryption_customer_key.rego`; not checked here)
    """

    id = "TFX130"
    name = "s3-bucket-encryption"
    summary = "S3 buckets declare a server-side encryption configuration"
    fix_availability = FIX_SOMETIMES
    safety = SAFE
    impact = IMPACT_IN_PLACE
    checkov = ("CKV_AWS_145",)
    # the default SSE-S3 leaves CKV_AWS_145 (SSE-KMS) failing; bench/mapping_cases/TFX130/kms shows the option
    fixed_with_options = {"CKV_AWS_145": {"sse-algorithm": "aws:kms"}}
    checkov_skips = ("CKV_AWS_19",)
    trivy = ("AWS-0088", "AWS-0132")
    options = {"sse-algorithm": "AES256", "kms-key-id": ""}

    def check(self, module: Module, options: dict[str, Any]) -> Iterator[Finding]:
        algorithm = str(options.get("sse-algorithm") or "AES256")
        key_option = str(options.get("kms-key-id") or "")
        key = kms_key_expression(key_option) if key_option else None
        config_problem = ""
        if algorithm not in ALGORITHMS:
            config_problem = f"the sse-algorithm option {algorithm!r} is not AES256 or aws:kms"
        elif key_option and key is None:
            config_problem = f"the kms-key-id option {key_option!r} is not an ARN, key id, alias or expression"
        if next(module.resources("aws_s3_bucket"), None) is None:
            return  # no bucket to look at (most modules): nothing below is needed
        existing = satellites(module, SSE_TYPE)
        v4 = provider_v4(module)
        logs = log_targets(module) if algorithm == "aws:kms" else set()
        for ref in module.resources("aws_s3_bucket"):
            if len(ref.block.labels) < 2 or _has_inline(ref.block) or existing.of(ref):
                continue
            message = f"{ref.address} has no server-side encryption configuration"
            reasons = []
            if existing.unknown:
                names = ", ".join(r.address for r in existing.unknown)
                reasons.append(f"{names} names its bucket through an expression and may cover it")
            if not v4:
                reasons.append(f"the AWS provider is pinned below 4.0, which has no {SSE_TYPE}; "
                               f"use the bucket's server_side_encryption_configuration block")
            if config_problem:
                reasons.append(config_problem)
            if reasons:
                yield self.finding(ref.file, ref.block, f"{message}; not fixed: {'; '.join(reasons)}",
                                   block=ref.block)
                continue
            kms = algorithm == "aws:kms" and id(ref.block) not in logs
            support: Support | None = None
            note = ""
            if algorithm == "aws:kms" and not kms:
                note = ("; SSE-S3, not SSE-KMS: it receives logs, and S3 server access logs and load balancer "
                        "logs are delivered only to SSE-S3 buckets")
            if kms and key is None:
                provider = provider_of(ref.block)
                if provider is None:
                    yield self.finding(ref.file, ref.block, f"{message}; not fixed: the bucket's provider is an "
                                       "expression, so tffix cannot tell which key to use (set kms-key-id)",
                                       block=ref.block)
                    continue
                support = s3_key(module, provider)
            key_text = key if key is not None else HCL(support.expression) if support is not None else None
            yield self.finding(
                ref.file, ref.block, message + note, block=ref.block,
                fix=lambda ref=ref, kms=kms, k=key_text, support=support: self._apply(module, ref, kms, k, support),
                scope=(ref.block, insertion_point(module, ref), *(support.scope if support is not None else ())),
                description=f"add {SSE_TYPE} ({'SSE-KMS' if kms else 'SSE-S3'}"
                            + (f" with {support.describe()}" if support is not None else "") + ")",
                safety=UNSAFE if kms else SAFE, impact=IMPACT_IN_PLACE,
            )

    @staticmethod
    def _apply(module: Module, bucket: BlockRef, kms: bool, key: HCL | None, support: Support | None) -> None:
        if support is not None:
            support.apply(module)
        default: dict[str, object] = {"sse_algorithm": "aws:kms" if kms else "AES256"}
        if kms and key is not None:
            default["kms_master_key_id"] = key
        rule: dict[str, object] = {"bucket_key_enabled": True} if kms else {}
        rule["apply_server_side_encryption_by_default"] = NewBlock("apply_server_side_encryption_by_default",
                                                                   body=default)
        body = {**meta_args(bucket), "bucket": bucket_ref(bucket), "rule": NewBlock("rule", body=rule)}
        name = unique_name(module, SSE_TYPE, bucket.block.label_values[1])
        edit.append_block(bucket.file.tree, NewBlock("resource", [SSE_TYPE, name], body),
                                      after=insertion_point(module, bucket))
