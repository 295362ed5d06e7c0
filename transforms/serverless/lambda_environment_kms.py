"""TFX110: Lambda environment variables are encrypted with a customer managed key."""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

from tffix import edit
from tffix.engine.module import BlockRef, Module
from tffix.engine.rules import FIX_SOMETIMES, IMPACT_IN_PLACE, UNSAFE, Finding, Rule
from tffix.syntax.build import HCL
from tffix.transforms.lib.settings import attribute, nested, text

MEANT_FOR_LAMBDA = re.compile(r"lambda|function", re.I)


def _symmetric(key: BlockRef) -> bool:
    """A symmetric encryption key (the only kind Lambda accepts for environment variables)."""
    for name, wanted in (("key_usage", "ENCRYPT_DECRYPT"), ("customer_master_key_spec", "SYMMETRIC_DEFAULT")):
        attr = key.block.get_attribute(name)
        if attr is not None and text(attr.value) != (True, wanted):
            return False
    return True


def lambda_keys(module: Module, function: BlockRef) -> list[BlockRef]:
    """The module's single-instance symmetric aws_kms_key resources meant for Lambda (their label or literal
    description says "lambda" or "function"), with the function's provider."""
    provider = function.block.get_attribute("provider")
    want = provider.value.code.strip() if provider is not None else None
    keys = []
    for key in module.resources("aws_kms_key"):
        block = key.block
        if block.get_attribute("count") is not None or block.get_attribute("for_each") is not None:
            continue
        got = block.get_attribute("provider")
        if (got.value.code.strip() if got is not None else None) != want or not _symmetric(key):
            continue
        description = block.get_attribute("description")
        known, value = text(description.value) if description is not None else (True, None)
        if MEANT_FOR_LAMBDA.search(block.label_values[1]) or (known and value and MEANT_FOR_LAMBDA.search(value)):
            keys.append(key)
    return keys


class LambdaEnvironmentKms(Rule):
    """
    ## What it does
    Finds `aws_lambda_function` with an `environment` block and no `kms_key_arn` (or `null`,
    or `""`). Where the module has exactly one customer managed key meant for Lambda (an
    `aws_kms_key` without `count` / `for_each`, symmetric, with the function's provider, whose
    label or description says "lambda" or "function"), the fix sets
    `kms_key_arn = aws_kms_key.NAME.arn`. Otherwise it reports: tffix does not create keys
    (a key policy is an access decision), and it does not borrow a key made for something
    else.

    ## Why is this bad?
    Without `kms_key_arn` Lambda encrypts environment variables with the AWS managed key
    `aws/lambda`: anyone allowed `lambda:GetFunctionConfiguration` reads them in clear text, and
    the key's use cannot be limited or audited per function. With a customer managed key,
    reading the variables also needs `kms:Decrypt` on that key, and its key policy, rotation
    and CloudTrail records are yours.

    ## Example
    ```hcl
    resource "aws_kms_key" "lambda" {
      description         = "Lambda environment variables"
      enable_key_rotation = true
    }

    resource "aws_lambda_function" "api" {
      function_name = "api"
      role          = aws_iam_role.api.arn
      runtime       = "python3.12"
      handler       = "main.handler"
      filename      = "api.zip"

      environment {
        variables = {
          TABLE = "orders"
        }
      }
    }
    ```

    ## Use instead
    ```hcl
    resource "aws_lambda_function" "api" {
      function_name = "api"
      role          = aws_iam_role.api.arn
      runtime       = "python3.12"
      handler       = "main.handler"
      filename      = "api.zip"
      kms_key_arn   = aws_kms_key.lambda.arn

      environment {
        variables = {
          TABLE = "orders"
        }
      }
    }
    ```

    ## Fix safety
    **Unsafe**: it changes who can read the configuration and who can deploy the function.
    Whoever creates or updates the function needs `kms:Encrypt` (and `kms:CreateGrant`) on
    the key, and the function's invocations fail if the key is disabled, deleted or its
    policy denies Lambda; check the key policy before applying.

    ## Deployment impact
    In-place update (`UpdateFunctionConfiguration`): the variables are re-encrypted with the
    key; no replacement, no new version unless the function publishes one.

    ## References
    - terraform-provider-aws `internal/service/lambda/function.go`, `resourceFunction`:
      `kms_key_arn` (`Optional`, `verify.ValidARN`), sent as `KMSKeyArn` with
      `UpdateFunctionConfiguration`; `environment` (`MaxItems: 1`, `variables` map)
    - AWS Lambda Developer Guide, "Securing Lambda environment variables": the default
      `aws/lambda` key, customer managed keys and the permissions they need (`kms:Encrypt`,
      `kms:CreateGrant`, `kms:Decrypt`); only symmetric encryption keys are supported
    - Checkov CKV_AWS_173 (`checks/resource/aws/LambdaEnvironmentEncryptionSettings.py`: a
      function with `environment` needs a non-empty `kms_key_arn`; fails before and passes after
      the fix, checkov 3.3.30, `bench/checkov_mapping.py`)
    """

    id = "TFX110"
    name = "lambda-environment-kms"
    summary = "Lambda functions with environment variables set kms_key_arn to a customer managed key"
    fix_availability = FIX_SOMETIMES
    safety = UNSAFE
    impact = IMPACT_IN_PLACE
    checkov = ("CKV_AWS_173",)

    def check(self, module: Module, options: dict[str, Any]) -> Iterator[Finding]:
        for ref in module.resources("aws_lambda_function"):
            block = ref.block
            static, dynamic = nested(block, "environment")
            if not static and not dynamic:
                continue
            attr = attribute(block, "kms_key_arn")
            if attr is not None and text(attr.value) != (True, ""):
                continue
            message = (f"{ref.address} has environment variables encrypted only with the AWS managed key "
                       "aws/lambda; set kms_key_arn to a customer managed key")
            keys = lambda_keys(module, ref)
            if len(keys) != 1:
                why = ("the module has no customer managed key meant for Lambda" if not keys else
                       f"the module has several keys meant for Lambda ({', '.join(k.address for k in keys)})")
                yield self.finding(ref.file, attr.value if attr is not None else block, f"{message} ({why})",
                                   block=block)
                continue
            key = keys[0]
            yield self.finding(
                ref.file, attr.value if attr is not None else block, message, block=block,
                fix=lambda b=block, k=key: edit.set_attribute(
                    b, "kms_key_arn", HCL(f"aws_kms_key.{k.block.label_values[1]}.arn"),
                    after=("filename", "s3_key", "image_uri", "handler", "runtime", "role")),
                description=f"set kms_key_arn = {key.address}.arn")
