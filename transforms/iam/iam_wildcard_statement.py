"""TFX310: no IAM statement allows every action of a service on every resource."""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

from tffix.engine.module import Module
from tffix.engine.rules import DISPLAY_ONLY, FIX_NEVER, IMPACT_NONE, Finding, Rule
from tffix.transforms.lib.policies import module_statements

SERVICE_WILDCARD = re.compile(r"[A-Za-z0-9-]+:\*")


def wildcard(action: str) -> bool:
    return action == "*" or bool(SERVICE_WILDCARD.fullmatch(action))


class IamWildcardStatement(Rule):
    """
    ## What it does
    Reports IAM policy statements that `Allow` `Action` `"*"` (everything) or `"<service>:*"`
    (everything a service can do, like `"s3:*"`) on `Resource` `"*"`. It reads statements
    wherever they are written: `jsonencode({...})` objects, JSON in heredocs and strings, and
    `data "aws_iam_policy_document"` statement blocks (once, where the statement is written),
    in identity policies (`aws_iam_policy`, `aws_iam_role_policy`, inline policies, ...).
    Statements with a `Principal` (resource policies and trust policies, such as the usual
    KMS key policy `kms:*` for the account root) are left out, as are `Deny` statements,
    `NotAction` / `NotResource`, and values tffix cannot read. The finding points at the
    wildcard action. Display only: tffix cannot know which actions the workload needs.

    ## Why is this bad?
    `"*"` on `"*"` is administrator access; `"s3:*"` on `"*"` lets the role read, overwrite,
    delete and re-policy every bucket of the account, not just its own. A leaked credential or
    a compromised workload then reaches everything (seed 000 §1 "Inadequate IAM policies with
    overly permissive access", seed 003 §5, seed 004 "Overly Permissive IAM Policies:
    `\"Action\": [\"*\"]`, `\"Resource\": [\"*\"]`").

    ## Example
    ```hcl
    resource "aws_iam_role_policy" "app" {
      role = aws_iam_role.app.id
      policy = jsonencode({
        Statement = [{
          Effect   = "Allow"
          Action   = "s3:*"
          Resource = "*"
        }]
      })
    }
    ```

    ## Use instead
    ```hcl
    resource "aws_iam_role_policy" "app" {
      role = aws_iam_role.app.id
      policy = jsonencode({
        Statement = [{
          Effect   = "Allow"
          Action   = ["s3:GetObject", "s3:PutObject"]
          Resource = "${aws_s3_bucket.uploads.arn}/*"
        }]
      })
    }
    ```
    IAM Access Analyzer can generate a least-privilege policy from the role's CloudTrail
    activity.

    ## Fix safety
    No fix: only the owner knows which actions and resources the workload uses.

    ## Deployment impact
    None (display only).

    ## References
    - AWS IAM User Guide, "Security best practices in IAM: Apply least-privilege permissions"
    - Seed 000 §1, seed 003 §5, seed 004 "Overly Permissive IAM Policies" (`../shared/seeds`)
    - Checkov CKV_AWS_1, CKV_AWS_49 (`checks/data/aws/AdminPolicyDocument.py`,
      `StarActionPolicyDocument.py`), CKV_AWS_62, CKV_AWS_63
      (`checks/resource/aws/IAMAdminPolicyDocument.py`, `IAMStarActionPolicyDocument.py`):
      they fail on `"*"` on `"*"`, which the rule reports (checkov 3.3.30,
      `bench/checkov_mapping.py`); none of them flags `"<service>:*"`, and CKV_AWS_49 /
      CKV_AWS_63 also flag `"*"` on scoped resources, which the rule does not;
      Trivy AWS-0057 (`checks/cloud/aws/iam/no_policy_wildcards.rego`)
    """

    id = "TFX310"
    name = "iam-wildcard-statement"
    summary = "IAM statements do not allow * or service:* on Resource *"
    fix_availability = FIX_NEVER
    safety = DISPLAY_ONLY
    impact = IMPACT_NONE
    checkov = ("CKV_AWS_1", "CKV_AWS_49", "CKV_AWS_62", "CKV_AWS_63")
    trivy = ("AWS-0057",)

    def check(self, module: Module, options: dict[str, Any]) -> Iterator[Finding]:
        for stmt in module_statements(module):
            if stmt.effect != "Allow" or stmt.has_principal or stmt.not_action or stmt.not_resource:
                continue
            if stmt.actions is None or stmt.resources is None:
                continue
            if not any(r == "*" for r, _ in stmt.resources):
                continue
            wild = [(a, node) for a, node in stmt.actions if a is not None and wildcard(a)]
            if not wild:
                continue
            names = ", ".join(f'"{a}"' for a, _ in wild)
            scope = "full administrator access" if any(a == "*" for a, _ in wild) else \
                "every action of the service on every resource of the account"
            yield self.finding(stmt.file, wild[0][1],
                               f"{stmt.holder.address} allows {names} on Resource \"*\" ({scope}); list the actions "
                               f"the workload uses and scope Resource to the ARNs it needs", block=stmt.holder.block)
