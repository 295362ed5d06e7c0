"""TFX721: SNS subscriptions to machine endpoints keep undeliverable messages in a dead-letter queue."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from tffix.engine.module import Module
from tffix.engine.rules import DISPLAY_ONLY, FIX_NEVER, IMPACT_NONE, Finding, Rule
from tffix.transforms.lib.settings import attribute, text

PROTOCOLS = ("sqs", "lambda", "http", "https", "firehose")


class SnsSubscriptionDlq(Rule):
    """
    ## What it does
    Reports an `aws_sns_topic_subscription` whose literal `protocol` is `sqs`, `lambda`,
    `http`, `https` or `firehose` and that has no `redrive_policy` (missing, `null` or a
    literal empty string). Subscriptions that deliver to people (`email`, `email-json`, `sms`)
    or to mobile apps (`application`) are left alone, and so is a `protocol` from an
    expression. The finding points at the resource. Display only.

    ## Why is this bad?
    When SNS cannot deliver a message to the endpoint (a deleted queue or function, a KMS key
    policy that denies SNS, a throttled Lambda, an HTTP endpoint that keeps failing) it retries
    according to the delivery policy and then drops the message. Without a dead-letter queue
    the message is gone and nothing shows what was lost (seed 003 §8 "SNS Topic Missing Dead
    Letter Queue": "Failed alerts lost silently").

    ## Example
    ```hcl
    resource "aws_sns_topic_subscription" "orders" {
      topic_arn = aws_sns_topic.orders.arn
      protocol  = "sqs"
      endpoint  = aws_sqs_queue.orders.arn
    }
    ```

    ## Use instead
    ```hcl
    resource "aws_sqs_queue" "orders_dlq" {
      name                      = "orders-sns-dlq"
      message_retention_seconds = 1209600
    }

    resource "aws_sns_topic_subscription" "orders" {
      topic_arn = aws_sns_topic.orders.arn
      protocol  = "sqs"
      endpoint  = aws_sqs_queue.orders.arn
      redrive_policy = jsonencode({
        deadLetterTargetArn = aws_sqs_queue.orders_dlq.arn
      })
    }
    ```
    The dead-letter queue also needs a queue policy that lets `sns.amazonaws.com` send to it
    (`aws:SourceArn` = the topic), and a KMS key SNS may use if it is encrypted.

    ## Fix safety
    No fix: a dead-letter queue is a new SQS queue with its own access policy (and encryption
    key, retention and alarm on its depth), which tffix cannot create safely on its own.

    ## Deployment impact
    None (display only). Adding `redrive_policy` yourself is an in-place update of the
    subscription (`SetSubscriptionAttributes`).

    ## References
    - Terraform AWS provider docs `aws_sns_topic_subscription`: `protocol` (`sqs`, `sms`,
      `lambda`, `firehose`, `application`; `email`, `email-json`, `http`, `https` partially
      supported), `redrive_policy` ("JSON String with the redrive policy ... used in the
      subscription", links the SNS dead-letter queue guide)
    - Amazon SNS Developer Guide "Amazon SNS dead-letter queues (DLQs)" (a DLQ is attached to a
      subscription; undeliverable messages are kept instead of dropped after the retries)
    - Seed 003 §8 (`../shared/seeds`)
    - No Checkov or Trivy check for subscription dead-letter queues was found (Checkov's
      `checkov/terraform/checks` has no `aws_sns_topic_subscription` check)
    """

    id = "TFX721"
    name = "sns-subscription-dlq"
    summary = "SNS subscriptions to queues, functions and HTTP endpoints must set a redrive_policy"
    fix_availability = FIX_NEVER
    safety = DISPLAY_ONLY
    impact = IMPACT_NONE

    def check(self, module: Module, options: dict[str, Any]) -> Iterator[Finding]:
        for ref in module.resources("aws_sns_topic_subscription"):
            block = ref.block
            protocol = block.get_attribute("protocol")
            known, value = text(protocol.value) if protocol is not None else (False, None)
            if not known or value is None or value.lower() not in PROTOCOLS:
                continue
            policy = attribute(block, "redrive_policy")
            if policy is not None:
                known, redrive = text(policy.value)
                if not known or redrive:
                    continue
            node = policy.value if policy is not None else block
            what = "an empty redrive_policy" if policy is not None else "no redrive_policy"
            yield self.finding(ref.file, node, f"{ref.address} ({value}) has {what}, so messages SNS cannot "
                               "deliver are dropped after the retries; set redrive_policy to "
                               "jsonencode({ deadLetterTargetArn = <SQS queue ARN> }) with a queue SNS may send to",
                               block=block)
