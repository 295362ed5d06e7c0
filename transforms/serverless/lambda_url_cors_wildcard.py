"""TFX212: function URLs and HTTP APIs do not allow every origin."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from tffix.engine.module import Module
from tffix.engine.rules import (
    DISPLAY_ONLY,
    FIX_NEVER,
    IMPACT_NONE,
    Finding,
    Rule,
    literal,
)
from tffix.syntax import cst

# resource type -> its CORS block
CORS_BLOCKS = {"aws_lambda_function_url": "cors", "aws_apigatewayv2_api": "cors_configuration"}


class LambdaUrlCorsWildcard(Rule):
    """
    ## What it does
    Reports `allow_origins = ["*"]` in the `cors` block of an `aws_lambda_function_url` (and
    in the `cors_configuration` of an `aws_apigatewayv2_api`, which has the same shape). The
    message says when the function URL also has `authorization_type = "NONE"`, which makes
    the endpoint callable by anyone, from any web page. Display only.

    ## Why is this bad?
    `"*"` lets scripts on every web site call the endpoint from their visitors' browsers and
    read the responses; with no authentication (`authorization_type = "NONE"`) the function is
    public to the whole internet and pays for every call, abuse and DoS included (seed 001 §10
    "Lambda Function URL Without Authentication": "CORS wildcard allows any origin").

    ## Example
    ```hcl
    resource "aws_lambda_function_url" "main" {
      function_name      = aws_lambda_function.main.function_name
      authorization_type = "NONE"

      cors {
        allow_origins = ["*"]
      }
    }
    ```

    ## Use instead
    ```hcl
    resource "aws_lambda_function_url" "main" {
      function_name      = aws_lambda_function.main.function_name
      authorization_type = "AWS_IAM"

      cors {
        allow_origins = var.allowed_cors_origins
        allow_methods = ["GET", "POST"]
        max_age       = 300
      }
    }
    ```

    ## Fix safety
    No fix: the allowed origins are the application's front ends, which tffix cannot know.

    ## Deployment impact
    None (display only).

    ## References
    - Terraform AWS provider docs, `aws_lambda_function_url` (`authorization_type` `NONE` /
      `AWS_IAM`, `cors.allow_origins`), `aws_apigatewayv2_api` (`cors_configuration`)
    - Seed 001 §10 (`../shared/seeds`)
    - Checkov CKV2_AWS_75 "Ensure no open CORS policy" (`graph_checks/aws/LambdaOpenCorsPolicy.yaml`),
      only where both origins and methods are `*` on the URL of an `aws_lambda_function` of the
      module (checkov 3.3.30, `bench/checkov_mapping.py`); the rule reports every `"*"` origin
    """

    id = "TFX212"
    name = "lambda-url-cors-wildcard"
    summary = "Function URL and HTTP API CORS do not allow every origin"
    fix_availability = FIX_NEVER
    safety = DISPLAY_ONLY
    impact = IMPACT_NONE
    checkov = ("CKV2_AWS_75",)

    def check(self, module: Module, options: dict[str, Any]) -> Iterator[Finding]:
        for ref in module.resources(*CORS_BLOCKS):
            auth = ref.block.get_attribute("authorization_type")
            public = auth is not None and literal(auth.value) == (True, "NONE")
            for cors in ref.block.find_blocks(CORS_BLOCKS[ref.block.label_values[0]]):
                attr = cors.get_attribute("allow_origins")
                if attr is None or not isinstance(attr.value, cst.Tuple):
                    continue
                star = next((e for e in attr.value.items if literal(e) == (True, "*")), None)
                if star is None:
                    continue
                extra = " and authorization_type = \"NONE\": anyone can call it from any web page" if public else ""
                yield self.finding(ref.file, star,
                                   f"{ref.address} allows CORS requests from every origin (\"*\"){extra}; list the "
                                   f"front-end origins that need it (a variable per environment)", block=ref.block)
