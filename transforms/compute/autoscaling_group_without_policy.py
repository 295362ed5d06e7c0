"""TFX723: an Auto Scaling group that may change size has something that scales it."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from tffix.engine.module import BlockRef, Module, references
from tffix.engine.rules import DISPLAY_ONLY, FIX_NEVER, IMPACT_NONE, Finding, Rule
from tffix.syntax.strings import literal_texts
from tffix.transforms.lib.settings import number, text

GROUP = "aws_autoscaling_group"
# resources that change a group's capacity, naming it in autoscaling_group_name
SCALERS = ("aws_autoscaling_policy", "aws_autoscaling_schedule")
# resources that scale a group they refer to (ECS managed scaling)
CONSUMERS = ("aws_ecs_capacity_provider",)
# tags of Kubernetes worker groups, which the cluster autoscaler (configured outside Terraform) scales
KUBERNETES_TAGS = ("k8s.io/cluster-autoscaler", "kubernetes.io/cluster/")


class AutoscalingGroupWithoutPolicy(Rule):
    """
    ## What it does
    Reports an `aws_autoscaling_group` with literal `min_size` and `max_size` that differ
    when nothing in the module scales it: no `aws_autoscaling_policy` and no
    `aws_autoscaling_schedule` whose `autoscaling_group_name` refers to it (by reference,
    also inside `try(...)`, or by its literal `name`), and no ECS capacity provider built on
    it. The finding points at the group. Left alone:

    * groups with `min_size = max_size` (a fixed size on purpose) or with either size from an
      expression;
    * Kubernetes worker groups (tagged `k8s.io/cluster-autoscaler/...` or
      `kubernetes.io/cluster/...`: the cluster autoscaler, configured outside Terraform,
      scales them) and groups passed to a module call (the module may add the policies);
    * the whole module when any policy or schedule names its group with something tffix
      cannot resolve (a variable, a module output, a literal name no group in the module
      has): that policy may well scale the group.

    `aws_appautoscaling_policy` does not count: it scales other services (ECS services,
    DynamoDB, Aurora replicas), not EC2 Auto Scaling groups. Display only.

    ## Why is this bad?
    Without a scaling policy the group stays at its desired capacity until someone changes it
    by hand: `max_size` is never used, traffic spikes are served by too few instances and quiet hours pay for too
    many (seed 002 §3.3 "No Auto Scaling Policies Defined", seed 004 "Missing Auto Scaling").
    The group still replaces unhealthy instances, which is all a fixed-size group needs.

    ## Example
    ```hcl
    resource "aws_autoscaling_group" "app" {
      min_size            = 2
      max_size            = 4
      desired_capacity    = 2
      vpc_zone_identifier = aws_subnet.private[*].id

      launch_template {
        id      = aws_launch_template.app.id
        version = "$Latest"
      }
    }
    ```

    ## Use instead
    Add a policy that scales the group:
    ```hcl
    # file: scaling.tf
    resource "aws_autoscaling_policy" "cpu" {
      name                   = "cpu-target-tracking"
      autoscaling_group_name = aws_autoscaling_group.app.name
      policy_type            = "TargetTrackingScaling"

      target_tracking_configuration {
        predefined_metric_specification {
          predefined_metric_type = "ASGAverageCPUUtilization"
        }
        target_value = 60
      }
    }
    ```
    Or, when the size should not change, set `min_size = max_size`.

    ## Fix safety
    No fix: which metric and target value fit the application (CPU, request count per target,
    a queue's depth) is a capacity and cost decision.

    ## Deployment impact
    None (display only). Adding an `aws_autoscaling_policy` creates a new resource and leaves
    the group itself unchanged.

    ## References
    - Terraform AWS provider docs `aws_autoscaling_policy` and `aws_autoscaling_schedule`
      (`autoscaling_group_name`, required), `aws_autoscaling_group` (`min_size`, `max_size`,
      `desired_capacity`), `aws_ecs_capacity_provider` (`auto_scaling_group_provider`,
      `managed_scaling`)
    - Seed 002 §3.3, seed 004 "High Availability Failures" (`../shared/seeds`)
    - No Checkov or Trivy check for groups without policies was found (Checkov's
      `checkov/terraform/checks` has only CKV2_AWS_15, ELB health checks for groups)
    """

    id = "TFX723"
    name = "autoscaling-group-without-policy"
    summary = "Auto Scaling groups whose size may vary must have a scaling policy"
    fix_availability = FIX_NEVER
    safety = DISPLAY_ONLY
    impact = IMPACT_NONE

    def check(self, module: Module, options: dict[str, Any]) -> Iterator[Finding]:
        groups = list(module.resources(GROUP))
        if not groups:
            return
        scaled: set[BlockRef] = set()
        names = {value: ref for ref in groups
                 if (attr := ref.block.get_attribute("name")) is not None
                 and (known := text(attr.value))[0] and (value := known[1])}
        for ref in module.resources(*SCALERS):
            attr = ref.block.get_attribute("autoscaling_group_name")
            if attr is None:
                continue
            targets = {t for trav in references(attr.value)
                       if (t := module.resolve(trav)) is not None and t.block.label_values[:1] == [GROUP]}
            known, value = text(attr.value)
            if known and value in names:
                targets.add(names[value])
            if not targets:
                return  # names a group tffix cannot see: it may be one of these
            scaled |= targets
        for ref in groups:
            if ref in scaled or self._managed_elsewhere(module, ref):
                continue
            block = ref.block
            low, high = block.get_attribute("min_size"), block.get_attribute("max_size")
            known_low, minimum = number(low.value) if low is not None else (False, None)
            known_high, maximum = number(high.value) if high is not None else (False, None)
            if not (known_low and known_high) or minimum is None or maximum is None or minimum == maximum:
                continue
            yield self.finding(ref.file, block, f"{ref.address} may run {minimum} to {maximum} instances but no "
                               "aws_autoscaling_policy or schedule scales it, so it stays at its desired capacity; "
                               "add a target tracking policy (ASGAverageCPUUtilization, say) or set min_size = "
                               "max_size", block=block)

    @staticmethod
    def _managed_elsewhere(module: Module, ref: BlockRef) -> bool:
        if any(tag in text for text in literal_texts(ref.block) for tag in KUBERNETES_TAGS):  # tag keys
            return True
        for other, _ in module.referrers(ref):
            if other.block.type == "module" or (other.block.type == "resource"
                                                and other.block.label_values[0] in CONSUMERS):
                return True
        return False
