"""TFX107: SNS topics encrypt their messages at rest."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from tffix.engine.module import BlockRef, Module
from tffix.engine.rules import FIX_SOMETIMES, IMPACT_IN_PLACE, UNSAFE, Finding, Rule
from tffix.syntax import cst
from tffix.syntax.strings import literal_texts
from tffix.transforms.lib.settings import resource_reference, setting_findings, text

AWS_MANAGED_KEY = "alias/aws/sns"
# resources through which an AWS service (not an IAM principal of yours) publishes to a topic
PUBLISHERS = frozenset({
    "aws_autoscaling_group", "aws_autoscaling_lifecycle_hook", "aws_autoscaling_notification",
    "aws_backup_vault_notifications", "aws_budgets_budget", "aws_budgets_budget_action", "aws_cloudformation_stack",
    "aws_cloudtrail", "aws_cloudwatch_composite_alarm", "aws_cloudwatch_event_target", "aws_cloudwatch_metric_alarm",
    "aws_codecommit_trigger", "aws_codestarnotifications_notification_rule", "aws_config_delivery_channel",
    "aws_db_event_subscription", "aws_dms_event_subscription", "aws_docdb_event_subscription",
    "aws_elasticache_cluster", "aws_elasticache_replication_group", "aws_glacier_vault",
    "aws_inspector_assessment_template", "aws_iot_topic_rule", "aws_lambda_function_event_invoke_config",
    "aws_neptune_event_subscription", "aws_redshift_event_subscription", "aws_s3_bucket_notification",
    "aws_ses_event_destination", "aws_ses_identity_notification_topic", "aws_ssm_maintenance_window_task",
})
SERVICE_PRINCIPAL = ".amazonaws.com"


def service_publishers(module: Module, ref: BlockRef) -> list[str]:
    """Addresses of what makes AWS services publish to the topic: publisher resources that
    refer to it, and topic policies (its own ``policy``, an ``aws_sns_topic_policy``, a
    policy document that names it) granting a ``*.amazonaws.com`` service principal."""
    found: list[str] = []
    own = ref.block.get_attribute("policy")
    if own is not None and _grants_service(module, own.value):
        found.append(f"{ref.address} policy")
    for other, _ in module.referrers(ref):
        if other.block is ref.block or other.address in found:
            continue
        kind = other.block.label_values[0] if other.block.labels else ""
        if other.block.type == "resource" and kind in PUBLISHERS:
            found.append(other.address)
        elif other.block.type == "resource" and kind == "aws_sns_topic_policy":
            policy = other.block.get_attribute("policy")
            if policy is not None and _grants_service(module, policy.value):
                found.append(other.address)
        elif other.block.type == "data" and kind == "aws_iam_policy_document":
            if _names_service(other.block):
                found.append(other.address)
    return found


def _grants_service(module: Module, expr: cst.Node) -> bool:
    target = module.resolve(expr)
    if target is not None and target.block.type == "data":
        return _names_service(target.block)
    return _names_service(expr)


def _names_service(node: cst.Node) -> bool:
    """A string in ``node`` names a service principal (``"events.amazonaws.com"``; a comment
    that mentions one does not count)."""
    return any(SERVICE_PRINCIPAL in text for text in literal_texts(node))


class SnsTopicEncrypted(Rule):
    """
    ## What it does
    Sets `kms_master_key_id = "alias/aws/sns"` (the AWS managed key for SNS) on an
    `aws_sns_topic` that has no key: a missing argument, `null` or an empty string.

    Reported without a fix: topics that AWS services publish to. A CloudWatch alarm, an
    EventBridge rule, an S3 event notification, RDS event subscriptions, Auto Scaling
    notifications, CloudTrail, AWS Config, Budgets and other services can only publish to
    an encrypted topic when its key policy lets their service principal use the key, and
    the policy of the AWS managed key `aws/sns` cannot be changed: encrypting such a topic
    with it silently stops those notifications. The rule recognizes them by the module's
    resources that refer to the topic (`alarm_actions = [aws_sns_topic.alerts.arn]`, ...)
    and by topic policies (the topic's `policy`, an `aws_sns_topic_policy`, a policy
    document naming the topic) that grant a `*.amazonaws.com` service principal. Use a
    customer managed key whose policy allows those services instead.

    A key that refers to a resource or data source (`aws_kms_key.sns.arn`) counts as set;
    one from a variable, a local or a conditional, which may be null, is reported without a
    fix.

    ## Why is this bad?
    Without server-side encryption, messages wait in SNS unencrypted until every
    subscriber received them. Seed 000 §1 ("Missing KMS encryption on resources that
    support it") and seed 004 ("Missing Encryption") list it among the common failures.

    ## Example
    ```hcl
    resource "aws_sns_topic" "orders" {
      name = "orders"
    }
    ```

    ## Use instead
    ```hcl
    resource "aws_sns_topic" "orders" {
      name              = "orders"
      kms_master_key_id = "alias/aws/sns"
    }
    ```
    For topics that alarms or other AWS services publish to, create an `aws_kms_key` whose
    policy grants the service principal (`cloudwatch.amazonaws.com`, `events.amazonaws.com`,
    ...) `kms:GenerateDataKey*` and `kms:Decrypt`, and use its ARN.

    ## Fix safety
    **Unsafe.** Publishers outside the module may be AWS services the rule cannot see
    (an alarm in another stack, a console-made EventBridge rule); once the topic uses
    `aws/sns` their messages are dropped. IAM principals that publish need
    `kms:GenerateDataKey*` and `kms:Decrypt` on the key (the AWS managed key allows any
    principal of the account that may use SNS, but not other accounts: cross-account
    publishers break).

    ## Deployment impact
    In-place update (`SetTopicAttributes`); the topic, its ARN and subscriptions stay.

    ## References
    - Terraform AWS provider: `aws_sns_topic` argument reference (`kms_master_key_id`:
      "The ID of an AWS-managed customer master key (CMK) for Amazon SNS or a custom CMK";
      topic attributes updated in place)
    - Amazon SNS Developer Guide, "Key management" / "Configuring AWS KMS permissions for
      AWS services": event sources such as CloudWatch alarms need a customer managed key,
      the AWS managed key's policy cannot be modified
    - Checkov CKV_AWS_26 (`checkov/terraform/checks/resource/aws/SNSTopicEncryption.py`);
      Trivy AWS-0095 (`checks/cloud/aws/sns/enable_topic_encryption.rego`)
    """

    id = "TFX107"
    name = "sns-topic-encrypted"
    summary = "SNS topics must set kms_master_key_id"
    fix_availability = FIX_SOMETIMES
    safety = UNSAFE
    impact = IMPACT_IN_PLACE
    checkov = ("CKV_AWS_26",)
    trivy = ("AWS-0095",)

    def check(self, module: Module, options: dict[str, Any]) -> Iterator[Finding]:
        for ref in module.resources("aws_sns_topic"):
            if resource_reference(attr.value if (attr := ref.block.get_attribute("kms_master_key_id")) else None):
                continue
            found = list(setting_findings(
                self, ref, ref.block, "kms_master_key_id", AWS_MANAGED_KEY, read=text, ok=bool,
                missing=(UNSAFE, IMPACT_IN_PLACE), wrong=(UNSAFE, IMPACT_IN_PLACE),
                why="its messages are not encrypted at rest",
            ))
            if any(f.fix is not None for f in found):
                publishers = service_publishers(module, ref)
                if publishers:
                    for f in found:
                        f.fix = None
                        f.message += (f"; AWS services publish to it ({', '.join(publishers)}), which cannot use "
                                      f"the AWS managed key {AWS_MANAGED_KEY}: encrypt it with a customer managed key "
                                      "whose policy allows them")
            yield from found
