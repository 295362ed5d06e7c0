"""TFX202: Lambda function URLs must require IAM authentication."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from tffix import edit
from tffix.engine.module import Module
from tffix.engine.rules import (
    FIX_SOMETIMES,
    IMPACT_IN_PLACE,
    UNSAFE,
    Finding,
    Rule,
    literal,
)
from tffix.syntax import cst


def _may_be_none(expr: cst.Node) -> bool:
    """An expression that contains a literal "NONE" somewhere (``var.env == "dev" ? "NONE" : "AWS_IAM"``)."""
    return any(literal(n) == (True, "NONE") for n in expr.walk() if isinstance(n, cst.Expr))


class LambdaUrlAuth(Rule):
    """
    ## What it does
    Changes `authorization_type = "NONE"` on `aws_lambda_function_url` to `"AWS_IAM"`.
    When `authorization_type` comes from an expression, the rule reports it without a fix
    (the message says whether the expression can be `"NONE"`, as in
    `var.env == "dev" ? "NONE" : "AWS_IAM"`).

    ## Why is this bad?
    With `NONE` the URL is a public HTTPS endpoint: anyone who finds it can invoke the
    function, pay-per-request included, and the function code is the only defence (seed 001
    §10 "Lambda Function URL Without Authentication": "Function publicly accessible without
    authentication; potential for abuse, unauthorized access, DoS attacks; cost impact").
    With `AWS_IAM`, callers must sign requests with SigV4 and be allowed
    `lambda:InvokeFunctionUrl`.

    ## Example
    ```hcl
    resource "aws_lambda_function_url" "api" {
      function_name      = aws_lambda_function.api.function_name
      authorization_type = "NONE"
    }
    ```

    ## Use instead
    ```hcl
    resource "aws_lambda_function_url" "api" {
      function_name      = aws_lambda_function.api.function_name
      authorization_type = "AWS_IAM"
    }
    ```
    Grant callers `lambda:InvokeFunctionUrl` (an IAM policy, or `aws_lambda_permission` with
    `function_url_auth_type = "AWS_IAM"`), or put API Gateway / CloudFront with origin access
    control in front of the function for public traffic.

    ## Fix safety
    **Unsafe**: every unsigned caller (browsers, webhooks, `curl`) gets `403 Forbidden` after
    the change. Only apply it when the URL is not meant to be public, and give the real
    callers IAM permissions first. An `aws_lambda_permission` with
    `function_url_auth_type = "NONE"` (and the `FunctionURLAllowPublicAccess` statement the
    provider adds when it creates a `NONE` URL) no longer applies once the URL uses
    `AWS_IAM`; remove it as clean-up.

    ## Deployment impact
    In-place update: `authorization_type` is not ForceNew; the provider calls
    `UpdateFunctionUrlConfig` and the URL itself stays the same.

    ## References
    - Terraform AWS provider source `internal/service/lambda/function_url.go`:
      `authorization_type` Required, validated against `FunctionUrlAuthType` values
      (`AWS_IAM`, `NONE`), not ForceNew, updated with `UpdateFunctionUrlConfig`; a `NONE` URL
      gets a `lambda:InvokeFunctionUrl` permission for `Principal = "*"` on create
    - Checkov CKV_AWS_258 ("Lambda function URLs AuthType is not None"; id from the
      assignment, not re-checked against the Checkov source)
    """

    id = "TFX202"
    name = "lambda-url-auth"
    summary = "Lambda function URLs must use authorization_type = \"AWS_IAM\""
    fix_availability = FIX_SOMETIMES
    safety = UNSAFE
    impact = IMPACT_IN_PLACE
    checkov = ("CKV_AWS_258",)

    def check(self, module: Module, options: dict[str, Any]) -> Iterator[Finding]:
        for ref in module.resources("aws_lambda_function_url"):
            block = ref.block
            attr = block.get_attribute("authorization_type")
            if attr is None:
                continue  # required argument: terraform validate reports it
            known, value = literal(attr.value)
            if known and value == "NONE":
                yield self.finding(
                    ref.file, attr.value, f"{ref.address} is public: authorization_type = \"NONE\"",
                    block=block, fix=lambda b=block: edit.set_attribute(b, "authorization_type", "AWS_IAM"),
                    description='set authorization_type = "AWS_IAM"',
                )
            elif not known:
                how = "can be \"NONE\"" if _may_be_none(attr.value) else "comes from an expression"
                yield self.finding(ref.file, attr.value, f"{ref.address} authorization_type {how}; "
                                   "make sure it is \"AWS_IAM\" wherever the URL must not be public", block=block,
                                   argument="authorization_type", live_ok=lambda live: live == "AWS_IAM")
