"""TFX725: EC2 instances have detailed monitoring (1-minute metrics)."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from tffix.engine.module import Module
from tffix.engine.rules import FIX_SOMETIMES, IMPACT_IN_PLACE, UNSAFE, Finding, Rule
from tffix.transforms.lib.settings import setting_findings

CASE = (UNSAFE, IMPACT_IN_PLACE)


class Ec2DetailedMonitoring(Rule):
    """
    ## What it does
    Sets `monitoring = true` on `aws_instance`: a missing argument (or `null`) is added and a
    literal `false` becomes `true`; an expression is reported without a fix. An instance
    launched from a `launch_template` without its own `monitoring` is reported without a fix:
    the template may already enable it (`monitoring { enabled = true }`).

    ## Why is this bad?
    Without detailed monitoring EC2 sends its metrics (CPU, network, disk, status checks) to
    CloudWatch every 5 minutes. Alarms then need 5 to 15 minutes to see a problem, short spikes
    are averaged away, and Auto Scaling reacts late. Detailed monitoring publishes the same
    metrics every minute.

    ## Example
    ```hcl
    resource "aws_instance" "app" {
      ami           = "ami-0123456789abcdef0"
      instance_type = "t3.micro"
    }
    ```

    ## Use instead
    ```hcl
    resource "aws_instance" "app" {
      ami           = "ami-0123456789abcdef0"
      instance_type = "t3.micro"
      monitoring    = true
    }
    ```

    ## Fix safety
    **Unsafe**: detailed monitoring is billed (CloudWatch charges the instance's metrics at the
    custom-metric rate, about 7 metrics per instance), so the fix adds a monthly cost per
    instance that the owner should accept. Nothing else changes: the instance keeps running.

    ## Deployment impact
    In-place update: the provider calls `MonitorInstances` (or `UnmonitorInstances`) on the
    running instance; no stop, no replacement.

    ## References
    - terraform-provider-aws `internal/service/ec2/ec2_instance.go`, `ResourceInstance`:
      `monitoring` is `Optional`, `Computed`, `TypeBool`, not `ForceNew`; `resourceInstanceUpdate`
      switches it with `MonitorInstances` / `UnmonitorInstances`
    - Amazon EC2 User Guide, "Manage detailed monitoring for your EC2 instances" (basic: 5-minute
      periods, free; detailed: 1-minute periods, charged); Amazon CloudWatch pricing
    - Checkov CKV_AWS_126 (`checks/resource/aws/EC2DetailedMonitoringEnabled.py`: `monitoring`
      must be `true`; fails before and passes after the fix, checkov 3.3.30,
      `bench/checkov_mapping.py`)
    """

    id = "TFX725"
    name = "ec2-detailed-monitoring"
    summary = "EC2 instances set monitoring = true (detailed monitoring)"
    fix_availability = FIX_SOMETIMES
    safety = UNSAFE
    impact = IMPACT_IN_PLACE
    checkov = ("CKV_AWS_126",)

    def check(self, module: Module, options: dict[str, Any]) -> Iterator[Finding]:
        for ref in module.resources("aws_instance"):
            block = ref.block
            templated = bool(block.find_blocks("launch_template")) and block.get_attribute("monitoring") is None
            yield from setting_findings(self, ref, block, "monitoring", True, missing=None if templated else CASE,
                                        wrong=CASE, why="its metrics arrive every 5 minutes"
                                        + (" (unless its launch template enables detailed monitoring)"
                                           if templated else ""))
