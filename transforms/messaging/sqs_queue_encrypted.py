"""TFX106: SQS queues encrypt their messages at rest."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from tffix.engine.module import Module
from tffix.engine.rules import (
    FIX_SOMETIMES,
    IMPACT_IN_PLACE,
    SAFE,
    UNSAFE,
    Finding,
    Rule,
)
from tffix.transforms.lib.settings import attribute, setting_findings


class SqsQueueEncrypted(Rule):
    """
    ## What it does
    Sets `sqs_managed_sse_enabled = true` (SSE-SQS, encryption with keys SQS owns) on an
    `aws_sqs_queue` that does not use a KMS key: a missing argument, `null` or a literal
    `false` becomes `true`.

    Left alone: queues that set `kms_master_key_id` (SSE-KMS; the provider does not allow
    both, whatever the value is). Reported without a fix: `sqs_managed_sse_enabled` set from
    an expression.

    ## Why is this bad?
    Queues carry order events, password-reset links, personal data; without server-side
    encryption the message bodies sit on SQS storage unencrypted. Seed 000 §1 ("Missing KMS
    encryption", "Unencrypted data at rest") and seed 004 ("Missing Encryption") list it
    among the common failures. SSE-SQS costs nothing and needs no key policy.

    ## Example
    ```hcl
    resource "aws_sqs_queue" "orders" {
      name                    = "orders"
      sqs_managed_sse_enabled = false
    }
    ```

    ## Use instead
    ```hcl
    resource "aws_sqs_queue" "orders" {
      name                    = "orders"
      sqs_managed_sse_enabled = true
    }
    ```
    Use `kms_master_key_id` with a customer managed key instead when you need to control
    who can decrypt (cross-account consumers, key policies, CloudTrail records of key use).

    ## Fix safety
    A missing argument is **safe**: since October 2022 SQS encrypts every queue created over
    HTTPS with Signature Version 4 (which is how Terraform creates them) with SSE-SQS unless
    told otherwise, so for those queues the state already says `true` and the plan shows no
    change. For an older unencrypted queue the update turns SSE-SQS on; clients keep working
    as long as they use HTTPS and SigV4 (every current AWS SDK does).

    A literal `false` is **unsafe**: it is an explicit opt-out, and an encrypted queue
    rejects requests over plain HTTP or Signature Version 2, and some service integrations
    that deliver through `AssumeRole` work with encrypted queues only when they are standard
    (not FIFO) queues. Check the queue's producers before applying.

    ## Deployment impact
    In-place update (`SetQueueAttributes`); none for queues that SQS already encrypts. The
    queue keeps its URL, ARN and messages.

    ## References
    - Terraform AWS provider source, `internal/service/sqs/queue.go`: `sqs_managed_sse_enabled`
      (Optional, Computed, ConflictsWith `kms_master_key_id`), queue attributes updated with
      `SetQueueAttributes`
    - AWS Compute Blog, "Announcing server-side encryption with Amazon SQS-managed encryption
      keys (SSE-SQS) by default" (new queues over HTTPS/SigV4 encrypted by default; existing
      queues unchanged); Amazon SQS Developer Guide, "Encryption at rest" (SSE requires HTTPS
      and SigV4; AssumeRole-based integrations only with standard queues)
    - Checkov CKV_AWS_27 (`checkov/terraform/checks/resource/aws/SQSQueueEncryption.py`);
      Trivy AWS-0096 (`checks/cloud/aws/sqs/enable_queue_encryption.rego`)
    """

    id = "TFX106"
    name = "sqs-queue-encrypted"
    summary = "SQS queues without a KMS key must set sqs_managed_sse_enabled = true"
    fix_availability = FIX_SOMETIMES
    safety = SAFE
    impact = IMPACT_IN_PLACE
    checkov = ("CKV_AWS_27",)
    trivy = ("AWS-0096",)

    def check(self, module: Module, options: dict[str, Any]) -> Iterator[Finding]:
        for ref in module.resources("aws_sqs_queue"):
            if attribute(ref.block, "kms_master_key_id") is not None:
                continue
            yield from setting_findings(
                self, ref, ref.block, "sqs_managed_sse_enabled", True, missing=(SAFE, IMPACT_IN_PLACE),
                wrong=(UNSAFE, IMPACT_IN_PLACE), why="its messages are not encrypted at rest",
            )
