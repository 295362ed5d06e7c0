"""TFX706: S3 buckets write server access logs (to a separate log bucket)."""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

from tffix import cst
from tffix.module import BlockRef, Module, references
from tffix.rules import DISPLAY_ONLY, FIX_NEVER, IMPACT_NONE, Finding, Rule, literal

from .resource_settings import nested
from .s3_buckets import bucket_target, satellites

LOGGING_TYPE = "aws_s3_bucket_logging"
LOG_DELIVERY_GROUP = "http://acs.amazonaws.com/groups/s3/LogDelivery"
# service principals (and the data source of the ELB account) that only a log bucket's policy grants
LOG_WRITERS = (
    "logging.s3.amazonaws.com", "delivery.logs.amazonaws.com", "cloudtrail.amazonaws.com",
    "logdelivery.elasticloadbalancing.amazonaws.com", "elasticloadbalancing.amazonaws.com",
    "config.amazonaws.com", "data.aws_elb_service_account", "aws_elb_service_account",
)
# resources whose `s3_bucket_name` is where they deliver logs
LOG_DELIVERY_TYPES = ("aws_cloudtrail", "aws_config_delivery_channel")
TOKENS = re.compile(r"[^a-z0-9]+")


def log_word(name: str) -> bool:
    """True for names that talk about logs: ``access_logs``, ``logging_config``,
    ``log_destination``, ``alb-logs``, ``accesslogs`` (but not ``catalog`` or ``blogs``)."""
    for token in TOKENS.split(name.lower()):
        if token.startswith("log") or (token.endswith("logs") and token != "blogs") or token == "cloudtrail":
            return True
    return False


def _named_paths(body: cst.Body, names: list[str]) -> Iterator[tuple[list[str], cst.Traversal | cst.Node]]:
    """Every traversal and plain string in ``body`` with the argument / block / object key
    names leading to it."""
    for item in body.items:
        if isinstance(item, cst.Attribute):
            keyed: dict[int, list[str]] = {}
            for node in item.value.walk():
                if isinstance(node, cst.ObjectItem) and node.key_name:
                    for inner in node.value.walk():
                        keyed.setdefault(id(inner), []).append(node.key_name)
            for node in item.value.walk():
                if isinstance(node, cst.Traversal) or (isinstance(node, cst.Template) and node.is_literal):
                    yield [*names, item.name, *keyed.get(id(node), [])], node
        elif isinstance(item, cst.Block):
            label = item.label_values[0] if item.type == "dynamic" and item.labels else item.type
            yield from _named_paths(item.body, [*names, label])


def _bucket_of(module: Module, node: cst.Node, names: dict[str, BlockRef]) -> BlockRef | None:
    if isinstance(node, cst.Template):
        known, value = literal(node)
        return names.get(value) if known and isinstance(value, str) else None
    target = module.resolve(node)
    if target is not None and target.block.type == "resource" and target.block.label_values[:1] == ["aws_s3_bucket"]:
        return target
    return None


def _literal_names(module: Module) -> dict[str, BlockRef]:
    out: dict[str, BlockRef] = {}
    for ref in module.resources("aws_s3_bucket"):
        attr = ref.block.get_attribute("bucket")
        known, value = literal(attr.value) if attr is not None else (False, None)
        if known and isinstance(value, str) and value:
            out[value] = ref
    return out


def _self_named_log_bucket(ref: BlockRef) -> bool:
    """The bucket's label or literal name says it holds logs (``aws_s3_bucket.alb_logs``)."""
    if len(ref.block.labels) > 1 and log_word(ref.block.label_values[1]):
        return True
    for name in ("bucket", "bucket_prefix"):
        attr = ref.block.get_attribute(name)
        known, value = literal(attr.value) if attr is not None else (False, None)
        if known and isinstance(value, str) and log_word(value):
            return True
    return False


def _grants_log_delivery(block: cst.Block) -> bool:
    attr = block.get_attribute("acl")
    known, value = literal(attr.value) if attr is not None else (False, None)
    if known and value == "log-delivery-write":
        return True
    return LOG_DELIVERY_GROUP in block.code


def _policy_text(module: Module, block: cst.Block) -> str:
    """A policy's own text plus the text of the policy documents it refers to."""
    parts = [block.code]
    for trav in references(block):
        target = module.resolve(trav)
        if target is not None and target.block.type == "data":
            parts.append(target.block.code)
    return "\n".join(parts)


def log_targets(module: Module) -> set[int]:
    """``id()`` of the module's ``aws_s3_bucket`` blocks that receive logs (or are made to):
    the target of a logging configuration (resource or inline block), a bucket with the
    ``log-delivery-write`` ACL or a grant to the S3 LogDelivery group, a bucket that a
    load balancer's ``access_logs``, a CloudFront ``logging_config``, a flow log's
    ``log_destination`` (any argument, block or object key about logs) or a CloudTrail trail /
    Config delivery channel's ``s3_bucket_name`` names, a bucket whose policy lets a log
    delivery service write, and a bucket whose label or literal name says logs."""
    names = _literal_names(module)
    out: set[int] = set()

    def mark(target: object) -> None:
        if isinstance(target, BlockRef):
            out.add(id(target.block))

    for bucket in module.resources("aws_s3_bucket"):
        if _grants_log_delivery(bucket.block) or _self_named_log_bucket(bucket):
            out.add(id(bucket.block))
        policy = bucket.block.get_attribute("policy")
        if policy is not None and any(w in _policy_text(module, bucket.block) for w in LOG_WRITERS):
            out.add(id(bucket.block))
    for ref in module.resources(LOGGING_TYPE):
        mark(bucket_target(module, ref, "target_bucket"))
    for ref in module.resources("aws_s3_bucket_acl"):
        if _grants_log_delivery(ref.block):
            mark(bucket_target(module, ref))
    for ref in module.resources("aws_s3_bucket_policy"):
        if any(w in _policy_text(module, ref.block) for w in LOG_WRITERS):
            mark(bucket_target(module, ref))
    for ref in module.data_sources("aws_iam_policy_document"):
        if any(w in ref.block.code for w in LOG_WRITERS):
            for trav in references(ref.block):
                mark(_bucket_of(module, trav, names))
    for ref in module.blocks():
        if ref.block.type not in ("resource", "module", "data"):
            continue
        rtype = ref.block.label_values[0] if ref.block.labels else ""
        for path, node in _named_paths(ref.block.body, []):
            if rtype == "aws_s3_bucket" and path[:1] != ["logging"]:
                continue  # a bucket's own name, policy, ... is not a log destination
            cue = any(log_word(n) for n in path) or (rtype in LOG_DELIVERY_TYPES and path == ["s3_bucket_name"])
            if cue:
                mark(_bucket_of(module, node, names))
    return out


def module_inputs(module: Module, bucket: BlockRef) -> list[BlockRef]:
    """The ``module`` calls that receive a reference to the bucket."""
    seen: dict[int, BlockRef] = {}
    for other, _ in module.referrers(bucket):
        if other.block.type == "module":
            seen[id(other.block)] = other
    return list(seen.values())


class S3AccessLogging(Rule):
    """
    ## What it does
    Reports an `aws_s3_bucket` that has no server access logging in the module: no
    `aws_s3_bucket_logging` (provider v4+) whose `bucket` names it (by reference, including
    `aws_s3_bucket.b[count.index].id` and `each.value.id` under `for_each = aws_s3_bucket.b`,
    or by its literal name), and no inline `logging` block (provider v3 style, also as a
    `dynamic` block). Display only.

    Left alone, because logging them would loop or cannot be judged:
    - buckets that receive logs: the `target_bucket` of a logging configuration, a bucket
      with the `log-delivery-write` ACL or a grant to the S3 LogDelivery group, the bucket of
      a load balancer's `access_logs`, a CloudFront `logging_config`, a flow log's
      `log_destination` (any argument, block or object key about logs, also in a `module`
      call), a CloudTrail trail's or Config delivery channel's `s3_bucket_name`, a bucket
      whose policy lets a log delivery service write (`logging.s3.amazonaws.com`,
      `delivery.logs.amazonaws.com`, `cloudtrail.amazonaws.com`, the ELB account), and a
      bucket whose label or literal name says logs (`aws_s3_bucket.alb_logs`);
    - buckets passed to a `module` call (the module may configure their logging);
    - every bucket of a module with an `aws_s3_bucket_logging` whose `bucket` is an
      expression tffix cannot follow (a variable, a local): it may cover any of them.

    ## Why is this bad?
    Without server access logs there is no record of who read, wrote or deleted objects, which
    incident response and most compliance regimes need (CloudTrail data events cover object
    API calls only if you pay for them per trail). Seed 000 §3 lists "No centralized logging
    strategy with S3 bucket configurations" among the common monitoring gaps; Checkov reports
    it as CKV_AWS_18.

    ## Example
    ```hcl
    resource "aws_s3_bucket" "uploads" {
      bucket = "acme-uploads"
    }
    ```

    ## Use instead
    Send the access logs of every bucket to one central log bucket (which itself does not log,
    and which grants `logging.s3.amazonaws.com` `s3:PutObject` in its bucket policy):
    ```hcl
    resource "aws_s3_bucket" "uploads" {
      bucket = "acme-uploads"
    }

    resource "aws_s3_bucket_logging" "uploads" {
      bucket        = aws_s3_bucket.uploads.id
      target_bucket = aws_s3_bucket.access_logs.id
      target_prefix = "s3/acme-uploads/"
    }
    ```

    ## Fix safety
    No fix: tffix cannot know which bucket should receive the logs, and the target bucket needs
    a policy (or ACL) that lets the S3 logging service write to it.

    ## Deployment impact
    None (display only). Adding `aws_s3_bucket_logging` yourself is an in-place change
    (`PutBucketLogging`); the log bucket then grows and should have a lifecycle rule (TFX808).

    ## References
    - Terraform AWS provider docs, `aws_s3_bucket_logging` (`bucket`, `target_bucket`,
      `target_prefix`; added in 4.0 when the bucket's inline `logging` block was deprecated)
      and `aws_s3_bucket` (inline `logging`)
    - Amazon S3 User Guide, "Enabling Amazon S3 server access logging" (the target bucket must
      be in the same Region and account; grant `logging.s3.amazonaws.com` in the bucket policy,
      or the `log-delivery-write` ACL for ACL-based delivery; do not log a bucket into itself)
    - Checkov CKV_AWS_18 (`checkov/terraform/checks/graph_checks/aws/S3BucketLogging.yaml`: an
      inline `logging` block or a connected `aws_s3_bucket_logging`)
    - Seed 000 §3 "No centralized logging strategy with S3 bucket configurations"
      (`../shared/seeds`)
    """

    id = "TFX706"
    name = "s3-access-logging"
    summary = "S3 buckets write server access logs to a log bucket"
    fix_availability = FIX_NEVER
    safety = DISPLAY_ONLY
    impact = IMPACT_NONE
    checkov = ("CKV_AWS_18",)

    def check(self, module: Module, options: dict[str, Any]) -> Iterator[Finding]:
        buckets = [ref for ref in module.resources("aws_s3_bucket") if len(ref.block.labels) > 1]
        if not buckets:
            return
        configs = satellites(module, LOGGING_TYPE)
        if configs.unknown:
            return
        targets = log_targets(module)
        for ref in buckets:
            if any(nested(ref.block, "logging")) or configs.of(ref) or id(ref.block) in targets:
                continue
            if module_inputs(module, ref):
                continue
            yield self.finding(ref.file, ref.block,
                               f"{ref.address} has no server access logging; add an aws_s3_bucket_logging that "
                               f"sends its access logs to a central log bucket",
                               block=ref.block)
