"""TFX727: Lambda functions have a dead-letter queue for failed asynchronous invocations."""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

from tffix import edit
from tffix.engine.module import BlockRef, Module
from tffix.engine.rules import FIX_SOMETIMES, IMPACT_IN_PLACE, UNSAFE, Finding, Rule
from tffix.syntax import cst
from tffix.syntax.build import HCL, NewBlock
from tffix.transforms.lib.role_access import allows, role_policies
from tffix.transforms.lib.s3 import unique_name
from tffix.transforms.lib.settings import add_nested_block, nested, text

DLQ_NAME = re.compile(r"dlq|dead", re.I)
# target type -> (the action the execution role needs on it, the argument naming a customer managed key)
TARGETS = {"aws_sqs_queue": ("sqs:SendMessage", "kms_master_key_id"), "aws_sns_topic": ("sns:Publish", "kms_master_key_id")}


def _single(ref: BlockRef) -> bool:
    return ref.block.get_attribute("count") is None and ref.block.get_attribute("for_each") is None


def dead_letter_targets(module: Module, function: BlockRef) -> list[BlockRef]:
    """The module's queues and topics clearly meant as dead-letter targets: a label or literal name with
    "dlq" or "dead", no count / for_each, the function's provider, not FIFO (Lambda rejects FIFO queues)."""
    provider = function.block.get_attribute("provider")
    want = provider.value.code.strip() if provider is not None else None
    out = []
    for ref in module.resources(*TARGETS):
        block = ref.block
        got = block.get_attribute("provider")
        if not _single(ref) or (got.value.code.strip() if got is not None else None) != want:
            continue
        fifo = block.get_attribute("fifo_queue") or block.get_attribute("fifo_topic")
        if fifo is not None and fifo.value.code.strip() != "false":
            continue
        name = block.get_attribute("name")
        known, value = text(name.value) if name is not None else (True, None)
        if DLQ_NAME.search(block.label_values[1]) or (known and value and DLQ_NAME.search(value)):
            out.append(ref)
    return out


class LambdaDeadLetterQueue(Rule):
    """
    ## What it does
    Finds `aws_lambda_function` without `dead_letter_config` whose failed asynchronous
    invocations have no destination either (no `aws_lambda_function_event_invoke_config` of the
    module with an `on_failure` destination for it). Where the module has exactly one queue or
    topic clearly meant as a dead-letter target (an `aws_sqs_queue` / `aws_sns_topic` whose
    label or literal name contains "dlq" or "dead", without `count` / `for_each`, with the
    function's provider, not FIFO, not encrypted with a customer managed key) and the function's
    role is an `aws_iam_role` of the module, the fix adds
    `dead_letter_config { target_arn = <target>.arn }` and, unless a readable policy of the role
    already allows it, an `aws_iam_role_policy` that allows exactly `sqs:SendMessage` (or
    `sns:Publish`) on that target. Everything else is reported: tffix does not create queues.

    ## Why is this bad?
    Lambda retries a failed asynchronous invocation (S3, SNS, EventBridge events) twice and
    then drops the event: without a dead-letter queue or an on-failure destination, the event
    and the reason it failed are gone, and nobody can replay it.

    ## Example
    ```hcl
    resource "aws_sqs_queue" "orders_dlq" {
      name                    = "orders-dlq"
      sqs_managed_sse_enabled = true
    }

    resource "aws_iam_role" "orders" {
      name = "orders"
      assume_role_policy = jsonencode({
        Version = "2012-10-17"
        Statement = [{
          Effect    = "Allow"
          Action    = "sts:AssumeRole"
          Principal = { Service = "lambda.amazonaws.com" }
        }]
      })
    }

    resource "aws_lambda_function" "orders" {
      function_name = "orders"
      role          = aws_iam_role.orders.arn
      runtime       = "python3.12"
      handler       = "main.handler"
      filename      = "orders.zip"
    }
    ```

    ## Use instead
    ```hcl
    resource "aws_sqs_queue" "orders_dlq" {
      name                    = "orders-dlq"
      sqs_managed_sse_enabled = true
    }

    resource "aws_iam_role" "orders" {
      name = "orders"
      assume_role_policy = jsonencode({
        Version = "2012-10-17"
        Statement = [{
          Effect    = "Allow"
          Action    = "sts:AssumeRole"
          Principal = { Service = "lambda.amazonaws.com" }
        }]
      })
    }

    resource "aws_iam_role_policy" "orders_dlq" {
      role = aws_iam_role.orders.id
      policy = jsonencode({
        Version = "2012-10-17"
        Statement = [{
          Effect   = "Allow"
          Action   = "sqs:SendMessage"
          Resource = aws_sqs_queue.orders_dlq.arn
        }]
      })
    }

    resource "aws_lambda_function" "orders" {
      function_name = "orders"
      role          = aws_iam_role.orders.arn
      runtime       = "python3.12"
      handler       = "main.handler"
      filename      = "orders.zip"

      dead_letter_config {
        target_arn = aws_sqs_queue.orders_dlq.arn
      }
    }
    ```

    ## Fix safety
    **Unsafe**: it changes access (the execution role may now send to the queue or publish to
    the topic) and what happens to failed events (they are kept in the queue, which costs per
    message and needs someone to look at it). Lambda checks the permission when the
    configuration changes, which is why the fix writes the policy with it.

    ## Deployment impact
    In-place update of the function (`UpdateFunctionConfiguration`); the role policy is a new
    resource (`PutRolePolicy`). No replacement.

    ## References
    - terraform-provider-aws `internal/service/lambda/function.go`, `resourceFunction`:
      `dead_letter_config` (`Optional`, `MaxItems: 1`; `target_arn` `Required`, `verify.ValidARN`),
      sent as `DeadLetterConfig` with `UpdateFunctionConfiguration`
    - AWS Lambda Developer Guide, "Capturing records of Lambda asynchronous invocations"
      (dead-letter queues: SQS standard queues and SNS topics; the execution role needs
      `sqs:SendMessage` / `sns:Publish`; two retries by default; on-failure destinations as the
      alternative)
    - Checkov CKV_AWS_116 (`checks/resource/aws/LambdaDLQConfigured.py`:
      `dead_letter_config.target_arn` must be set; an on-failure destination does not count;
      fails before and passes after the fix, checkov 3.3.30, `bench/checkov_mapping.py`)
    """

    id = "TFX727"
    name = "lambda-dead-letter-queue"
    summary = "Lambda functions keep failed asynchronous events (dead_letter_config)"
    fix_availability = FIX_SOMETIMES
    safety = UNSAFE
    impact = IMPACT_IN_PLACE
    checkov = ("CKV_AWS_116",)

    def check(self, module: Module, options: dict[str, Any]) -> Iterator[Finding]:
        destinations = " ".join(ref.block.code for ref in module.resources("aws_lambda_function_event_invoke_config")
                                if "on_failure" in ref.block.code)
        for ref in module.resources("aws_lambda_function"):
            block = ref.block
            static, dynamic = nested(block, "dead_letter_config")
            if static or dynamic or f"aws_lambda_function.{block.label_values[1]}." in destinations:
                continue
            message = f"{ref.address} has no dead_letter_config: failed asynchronous events are dropped after 2 retries"
            reason, target, role, granted = self._plan(module, ref)
            if reason:
                yield self.finding(ref.file, block, f"{message} (not fixed: {reason})", block=block)
                continue
            assert target is not None and role is not None
            what = f"add dead_letter_config {{ target_arn = {target.address}.arn }}"
            if not granted:
                what += f" and allow {TARGETS[target.block.label_values[0]][0]} on it to {role.address}"
            yield self.finding(ref.file, block, f"{message}; {what}", block=block,
                               fix=lambda b=block, t=target, r=role, g=granted: self._apply(module, b, t, r, g),
                               scope=(block, role.block), description=what)

    @staticmethod
    def _plan(module: Module, function: BlockRef) -> tuple[str, BlockRef | None, BlockRef | None, bool]:
        targets = dead_letter_targets(module, function)
        if len(targets) != 1:
            return ("the module has no queue or topic named as a dead-letter queue" if not targets else
                    "the module has several dead-letter queues: " + ", ".join(t.address for t in targets)), None, None, False
        target = targets[0]
        action, key_arg = TARGETS[target.block.label_values[0]]
        key = target.block.get_attribute(key_arg)
        known, value = text(key.value) if key is not None else (True, None)
        if not (known and (value is None or value in ("alias/aws/sqs", "alias/aws/sns"))):
            return (f"{target.address} is encrypted with a customer managed key; the role also needs "
                    "kms:GenerateDataKey and kms:Decrypt on it"), None, None, False
        attr = function.block.get_attribute("role")
        expr = cst.sole_expression(attr.value) if attr is not None else None
        role = module.resolve(expr) if expr is not None else None
        if (role is None or not isinstance(expr, cst.Traversal) or role.address.split(".")[0] != "aws_iam_role"
                or expr.path[2:] != ["arn"] or not _single(role)):
            return (f"its role is not a single aws_iam_role of this module; allow {action} on "
                    f"{target.address} to it and set dead_letter_config"), None, None, False
        stmts, _, complete = role_policies(module, role)
        address = target.address
        granted = allows(stmts, action, lambda node: node is not None and f"{address}." in node.code)
        if granted is None or (not granted and not complete):
            return (f"a policy of {role.address} cannot be read, so tffix cannot tell whether it allows {action} "
                    f"on {address}"), None, None, False
        return "", target, role, bool(granted)

    @staticmethod
    def _apply(module: Module, function: cst.Block, target: BlockRef, role: BlockRef, granted: bool) -> None:
        add_nested_block(function, NewBlock("dead_letter_config", body={"target_arn": HCL(f"{target.address}.arn")}))
        if granted:
            return
        action = TARGETS[target.block.label_values[0]][0]
        label = role.block.label_values[1]
        body: dict[str, object] = {}
        provider = role.block.get_attribute("provider")
        if provider is not None:
            body["provider"] = HCL(provider.value.code.strip())
        body["role"] = HCL(f"aws_iam_role.{label}.id")
        body["policy"] = HCL(
            'jsonencode({\n  Version = "2012-10-17"\n  Statement = [{\n    Effect   = "Allow"\n'
            f'    Action   = "{action}"\n    Resource = {target.address}.arn\n  }}]\n}})')
        name = unique_name(module, "aws_iam_role_policy", f"{label}_dlq")
        edit.append_block(role.file.tree, NewBlock("resource", ["aws_iam_role_policy", name], body), after=role.block)
