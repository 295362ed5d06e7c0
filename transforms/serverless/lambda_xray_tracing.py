"""TFX726: Lambda functions have X-Ray tracing, with the permission it needs."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from tffix import edit
from tffix.engine.module import BlockRef, Module
from tffix.engine.rules import FIX_SOMETIMES, IMPACT_IN_PLACE, UNSAFE, Finding, Rule
from tffix.syntax import cst
from tffix.syntax.build import HCL, NewBlock
from tffix.transforms.lib.role_access import allows, role_policies
from tffix.transforms.lib.s3 import unique_name
from tffix.transforms.lib.settings import add_nested_block, nested

ATTACHMENT = "aws_iam_role_policy_attachment"
MANAGED = "AWSXRayDaemonWriteAccess"



class LambdaXrayTracing(Rule):
    """
    ## What it does
    Finds `aws_lambda_function` without `tracing_config` and adds
    `tracing_config { mode = "Active" }`. The function's execution role needs
    `xray:PutTraceSegments` and `xray:PutTelemetryRecords`: where the role is an
    `aws_iam_role` of the module (`role = aws_iam_role.NAME.arn`) that does not grant them
    yet, the fix also attaches the AWS managed policy `AWSXRayDaemonWriteAccess` with an
    `aws_iam_role_policy_attachment` written after the role. The function is reported without
    a fix when the role comes from elsewhere (a variable, a data source, another module), when
    the role has `count` / `for_each` or manages its policies exclusively
    (`managed_policy_arns`), when a policy on the role cannot be read (so tffix cannot tell
    whether it already grants X-Ray), and for Lambda@Edge functions (a CloudFront
    `lambda_function_association` refers to them; Lambda@Edge does not support X-Ray).
    `mode = "PassThrough"` is an explicit choice and is left alone.

    The policy ARN uses the module's `data.aws_partition` when it has one, else the `aws`
    partition (write `aws-cn` / `aws-us-gov` for those partitions).

    ## Why is this bad?
    Without tracing a slow or failing request through API Gateway, Lambda and the services it
    calls shows up only as a log line per function: there is no trace that says where the time
    went or which downstream call failed. With active tracing Lambda samples requests and
    sends the segments to X-Ray.

    ## Example
    ```hcl
    resource "aws_iam_role" "api" {
      name = "api"
      assume_role_policy = jsonencode({
        Version = "2012-10-17"
        Statement = [{
          Effect    = "Allow"
          Action    = "sts:AssumeRole"
          Principal = { Service = "lambda.amazonaws.com" }
        }]
      })
    }

    resource "aws_lambda_function" "api" {
      function_name = "api"
      role          = aws_iam_role.api.arn
      runtime       = "python3.12"
      handler       = "main.handler"
      filename      = "api.zip"
    }
    ```

    ## Use instead
    ```hcl
    resource "aws_iam_role" "api" {
      name = "api"
      assume_role_policy = jsonencode({
        Version = "2012-10-17"
        Statement = [{
          Effect    = "Allow"
          Action    = "sts:AssumeRole"
          Principal = { Service = "lambda.amazonaws.com" }
        }]
      })
    }

    resource "aws_iam_role_policy_attachment" "api_xray" {
      role       = aws_iam_role.api.name
      policy_arn = "arn:aws:iam::aws:policy/AWSXRayDaemonWriteAccess"
    }

    resource "aws_lambda_function" "api" {
      function_name = "api"
      role          = aws_iam_role.api.arn
      runtime       = "python3.12"
      handler       = "main.handler"
      filename      = "api.zip"

      tracing_config {
        mode = "Active"
      }
    }
    ```

    ## Fix safety
    **Unsafe**: it changes access (the role gains the X-Ray write actions of
    `AWSXRayDaemonWriteAccess`, on `*`, as X-Ray requires) and it costs money (X-Ray bills traces
    recorded and retrieved beyond the free tier). The function's behaviour does not change:
    the X-Ray SDK is not needed for Lambda's own segments.

    ## Deployment impact
    In-place update of the function (`UpdateFunctionConfiguration`); the attachment is a new
    resource (`AttachRolePolicy`). No replacement.

    ## References
    - terraform-provider-aws `internal/service/lambda/function.go`, `resourceFunction`:
      `tracing_config` (`Optional`, `Computed`, `MaxItems: 1`; `mode` `Required`, `Active` or
      `PassThrough`), updated in place with `UpdateFunctionConfiguration`
    - AWS Lambda Developer Guide, "Visualize Lambda function invocations using AWS X-Ray":
      the execution role needs `xray:PutTraceSegments` and `xray:PutTelemetryRecords`, e.g.
      through the `AWSXRayDaemonWriteAccess` managed policy (the console adds them, the API
      does not); CloudFront developer guide, "Restrictions on Lambda@Edge" (no X-Ray support in
      the edge functions' configuration)
    - Checkov CKV_AWS_50 (`checks/resource/aws/LambdaXrayEnabled.py`: `tracing_config` mode
      `Active` or `PassThrough`; fails before and passes after the fix, checkov 3.3.30,
      `bench/checkov_mapping.py`)
    """

    id = "TFX726"
    name = "lambda-xray-tracing"
    summary = "Lambda functions have X-Ray tracing (with the role permission it needs)"
    fix_availability = FIX_SOMETIMES
    safety = UNSAFE
    impact = IMPACT_IN_PLACE
    checkov = ("CKV_AWS_50",)

    def check(self, module: Module, options: dict[str, Any]) -> Iterator[Finding]:
        edge = " ".join(ref.block.code for ref in module.resources("aws_cloudfront_distribution"))
        for ref in module.resources("aws_lambda_function"):
            block = ref.block
            static, dynamic = nested(block, "tracing_config")
            if static or dynamic:
                continue
            message = f"{ref.address} has no tracing_config: requests through it leave no X-Ray trace"
            if f"aws_lambda_function.{block.label_values[1]}." in edge:
                yield self.finding(ref.file, block, f"{message}; not fixed: it is a Lambda@Edge function, which "
                                   "does not support X-Ray", block=block)
                continue
            role, why = self._role(module, block)
            if role is None:
                yield self.finding(ref.file, block, f"{message}; not fixed: {why}", block=block)
                continue
            granted = self._granted(module, role)
            if granted is None:
                yield self.finding(ref.file, block, f"{message}; not fixed: a policy of {role.address} cannot be "
                                   "read, so tffix cannot tell whether it grants xray:PutTraceSegments", block=block)
                continue
            what = 'add tracing_config { mode = "Active" }'
            if not granted:
                what += f" and attach {MANAGED} to {role.address}"
            yield self.finding(
                ref.file, block, f"{message}; {what}", block=block,
                fix=lambda b=block, r=role, g=granted: self._apply(module, b, r, g),
                scope=(block, role.block), description=what)

    @staticmethod
    def _role(module: Module, function: cst.Block) -> tuple[BlockRef | None, str]:
        attr = function.get_attribute("role")
        if attr is None:
            return None, "it has no role"
        expr = cst.sole_expression(attr.value)
        target = module.resolve(expr)
        if (target is None or not isinstance(expr, cst.Traversal) or expr.path[:1] == ["data"]
                or target.address.split(".")[0] != "aws_iam_role" or expr.path[2:] != ["arn"]):
            return None, "its role is not an aws_iam_role of this module; attach AWSXRayDaemonWriteAccess to it"
        if target.block.get_attribute("count") is not None or target.block.get_attribute("for_each") is not None:
            return None, f"{target.address} has count / for_each"
        if target.block.get_attribute("managed_policy_arns") is not None:
            managed = target.block.get_attribute("managed_policy_arns")
            if "xray" in managed.value.code.lower():
                return target, ""
            return None, f"{target.address} manages its policies exclusively (managed_policy_arns); add {MANAGED}"
        return target, ""

    @staticmethod
    def _granted(module: Module, role: BlockRef) -> bool | None:
        """Whether the role already grants the X-Ray write actions (None: cannot tell)."""
        stmts, managed, complete = role_policies(module, role)
        if any("xray" in code.lower() for code in managed):
            return True
        granted = allows(stmts, "xray:PutTraceSegments", lambda node: False)
        if granted:
            return True
        return None if granted is None or not complete else False

    @staticmethod
    def _apply(module: Module, function: cst.Block, role: BlockRef, granted: bool) -> None:
        add_nested_block(function, NewBlock("tracing_config", body={"mode": "Active"}))
        if granted:
            return
        partition = next((p.block.label_values[1] for p in module.data_sources("aws_partition")), None)
        prefix = f"arn:${{data.aws_partition.{partition}.partition}}" if partition else "arn:aws"
        label = role.block.label_values[1]
        body: dict[str, object] = {}
        provider = role.block.get_attribute("provider")
        if provider is not None:
            body["provider"] = HCL(provider.value.code.strip())
        body["role"] = HCL(f"aws_iam_role.{label}.name")
        body["policy_arn"] = HCL(f'"{prefix}:iam::aws:policy/{MANAGED}"')
        name = unique_name(module, ATTACHMENT, f"{label}_xray")
        edit.append_block(role.file.tree, NewBlock("resource", [ATTACHMENT, name], body), after=role.block)
