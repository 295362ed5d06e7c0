"""TFX701: CloudWatch log groups say how long they keep their logs."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from tffix.engine.module import BlockRef, Module
from tffix.engine.rules import (
    FIX_SOMETIMES,
    IMPACT_IN_PLACE,
    UNSAFE,
    Finding,
    Rule,
    literal,
)
from tffix.syntax import cst
from tffix.transforms.lib.settings import attribute, setting_findings, text

# every value CloudWatch Logs accepts (PutRetentionPolicy); 0 in Terraform means "never expire"
VALID_DAYS = (1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288,
              3653)


def _number(expr: cst.Node | None) -> tuple[bool, Any]:
    known, value = literal(expr)
    if known and isinstance(value, str) and value.strip().isdigit():
        return True, int(value)  # Terraform converts "30" to a number
    if known and (value is None or (isinstance(value, int) and not isinstance(value, bool))):
        return True, value
    return False, None


def _managed_elsewhere(module: Module, ref: BlockRef) -> bool:
    """True when an ``aws_cloudwatch_log_group_retention`` of the module sets this group's
    retention (by reference or by the group's literal name)."""
    name_attr = ref.block.get_attribute("name")
    known, name = text(name_attr.value) if name_attr is not None else (False, None)
    for other in module.resources("aws_cloudwatch_log_group_retention"):
        target = other.block.get_attribute("log_group_name")
        if target is None:
            continue
        if module.resolve(target.value) == ref:
            return True
        other_known, other_name = text(target.value)
        if known and other_known and name and other_name == name:
            return True
    return False


class CloudwatchLogRetention(Rule):
    """
    ## What it does
    Sets `retention_in_days` on an `aws_cloudwatch_log_group` that does not set it (or sets
    `null`): 365 days, or the value of the rule's `retention-days` option.

    Left alone:
    - any literal number, including `0`: `retention_in_days = 0` is how Terraform says
      "never expire", an explicit choice the rule respects (Checkov CKV_AWS_338, "at least
      1 year", is the check to use when you want short retentions reported);
    - groups of class `DELIVERY` (`log_group_class = "DELIVERY"`), whose retention AWS fixes
      at 2 days;
    - groups whose retention an `aws_cloudwatch_log_group_retention` of the module manages.

    Reported without a fix: a retention from an expression (`var.retention_days` may be 0 or
    null), and every group when the `retention-days` option is not a value CloudWatch Logs
    accepts.

    ## Why is this bad?
    Without a retention policy CloudWatch Logs keeps every event forever: storage cost grows
    without bound, and logs holding personal data outlive any data-retention policy. Seed 004
    ("Inadequate Logging ... Prevention: enable comprehensive logging with proper
    retention") and seed 002 §2.4 / §4 (`retention_in_days` on every log group of the
    corrected code) make it part of the expected baseline.

    ## Example
    ```hcl
    resource "aws_cloudwatch_log_group" "app" {
      name = "/ecs/app"
    }
    ```

    ## Use instead
    ```hcl
    resource "aws_cloudwatch_log_group" "app" {
      name              = "/ecs/app"
      retention_in_days = 365
    }
    ```
    Options (`[tool.tffix.rules.TFX701]` in `pyproject.toml`, or `.tffix.toml`):
    `retention-days = 365` (one of 1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545,
    731, 1096, 1827, 2192, 2557, 2922, 3288, 3653).

    ## Fix safety
    **Unsafe.** On a log group that already exists, the new policy makes CloudWatch Logs
    delete every event older than the retention (within about three days): logs kept for
    audits or investigations disappear. Export what must be kept (S3 export, a subscription
    filter) first, or pick a longer `retention-days`. For a new log group the fix only
    bounds future storage: mark it safe with `extend-safe-fixes = ["TFX701"]`.

    ## Deployment impact
    In-place update (`PutRetentionPolicy`); the log group, its streams and subscriptions
    stay.

    ## References
    - Terraform AWS provider source, `internal/service/logs/group.go`: `retention_in_days`
      (Optional, Default 0 = never expire, updated with `PutRetentionPolicy` /
      `DeleteRetentionPolicy`); `internal/service/logs/group_retention.go`
      (`aws_cloudwatch_log_group_retention`, accepted values); `aws_cloudwatch_log_group`
      docs: with `log_group_class = "DELIVERY"` retention is forced to 2 days
    - Amazon CloudWatch Logs API `PutRetentionPolicy` (accepted values; expired events are
      deleted)
    - Checkov CKV_AWS_66 ("Ensure that CloudWatch Log Group specifies retention days",
      `checkov/terraform/checks/resource/aws/CloudWatchLogGroupRetention.py`) and CKV_AWS_338
      ("at least 1 year", `CloudWatchLogGroupRetentionYear.py`): both fail a group without a
      retention and pass after the fix (checkov 3.3.30, `bench/checkov_mapping.py`).
      CKV_AWS_338 only for the groups the rule fixes and with `retention-days` of 365 or more
      (the default): explicit shorter retentions are left alone and keep failing it. No Trivy
      check covers retention.
    """

    id = "TFX701"
    name = "cloudwatch-log-retention"
    summary = "CloudWatch log groups must set retention_in_days"
    fix_availability = FIX_SOMETIMES
    safety = UNSAFE
    impact = IMPACT_IN_PLACE
    checkov = ("CKV_AWS_66", "CKV_AWS_338")
    partial = {"CKV_AWS_338": "groups without a retention; shorter explicit retentions are left alone"}
    options = {"retention-days": 365}

    def check(self, module: Module, options: dict[str, Any]) -> Iterator[Finding]:
        days = options.get("retention-days", 365)
        valid = isinstance(days, int) and not isinstance(days, bool) and days in VALID_DAYS
        for ref in module.resources("aws_cloudwatch_log_group"):
            block = ref.block
            klass = attribute(block, "log_group_class")
            if klass is not None and text(klass.value) == (True, "DELIVERY"):
                continue
            if _managed_elsewhere(module, ref):
                continue
            for f in setting_findings(self, ref, block, "retention_in_days", days if valid else 365, read=_number,
                                      ok=lambda value: True, missing=(UNSAFE, IMPACT_IN_PLACE), wrong=None,
                                      after=("name_prefix", "name"), why="its logs are kept forever"):
                if f.fix is not None and not valid:
                    f.fix = None
                    f.message += f" (the retention-days option {days!r} is not a value CloudWatch Logs accepts)"
                elif f.fix is not None:
                    f.fix.description += f" (deletes existing events older than {days} days)"
                yield f
