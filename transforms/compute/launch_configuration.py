"""TFX805: Auto Scaling groups launch from launch templates, not launch configurations."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from tffix.engine.module import Module
from tffix.engine.rules import DISPLAY_ONLY, FIX_NEVER, IMPACT_NONE, Finding, Rule


class LaunchConfiguration(Rule):
    """
    ## What it does
    Reports every `aws_launch_configuration`, and names the `aws_autoscaling_group`s of the
    module that refer to it. Display only.

    The finding also says that tffix does not apply its IMDSv2 fix (TFX801, Checkov
    CKV_AWS_79) or its EBS encryption fix (TFX104, Checkov CKV_AWS_8) to launch
    configurations: those rules only edit `aws_instance` and `aws_launch_template`, because a
    launch configuration cannot be updated, so any edit to it replaces it. Moving to a launch
    template is the fix for all three at once.

    ## Why is this bad?
    AWS has deprecated launch configurations in favour of launch templates. The Amazon EC2
    Auto Scaling User Guide ("Auto Scaling launch configurations", verified 2026-12-05) says:
    as of January 1, 2023 new EC2 instance types are no longer supported in launch
    configurations; accounts created on or after June 1, 2023 cannot create them in the
    console; accounts created on or after October 1, 2024 cannot create them by any method
    (console, API, CLI or CloudFormation). Code with a launch configuration therefore fails
    to apply in a new account, and cannot use current instance types anywhere. Launch
    templates also bring versions, mixed instance types and Spot, and the newer EC2 settings.
    Seed 000 §5 lists "Missing launch templates or outdated launch configurations".

    ## Example
    ```hcl
    resource "aws_launch_configuration" "web" {
      name_prefix   = "web-"
      image_id      = data.aws_ami.al2023.id
      instance_type = "t3.micro"

      lifecycle {
        create_before_destroy = true
      }
    }

    resource "aws_autoscaling_group" "web" {
      launch_configuration = aws_launch_configuration.web.name
      min_size             = 1
      max_size             = 3
      vpc_zone_identifier  = aws_subnet.private[*].id
    }
    ```

    ## Use instead
    ```hcl
    resource "aws_launch_template" "web" {
      name_prefix   = "web-"
      image_id      = data.aws_ami.al2023.id
      instance_type = "t3.micro"

      metadata_options {
        http_tokens = "required"
      }

      block_device_mappings {
        device_name = "/dev/xvda"

        ebs {
          encrypted = true
        }
      }
    }

    resource "aws_autoscaling_group" "web" {
      min_size            = 1
      max_size            = 3
      vpc_zone_identifier = aws_subnet.private[*].id

      launch_template {
        id      = aws_launch_template.web.id
        version = "$Latest"
      }
    }
    ```
    `security_groups` becomes `vpc_security_group_ids`, `iam_instance_profile` a block with
    `name` or `arn`, `user_data` must be base64 encoded (`base64encode(...)`), and
    `root_block_device` / `ebs_block_device` become `block_device_mappings` (check the root
    device name of your AMI).

    ## Fix safety
    No fix: the migration rewrites arguments whose names and formats differ (see above) and
    changes which resource the Auto Scaling group depends on; it needs a review and a plan.

    ## Deployment impact
    None (display only). Migrating yourself creates the launch template, updates the Auto
    Scaling group in place (running instances keep running; new instances launch from the
    template, or an instance refresh replaces them) and destroys the old launch configuration.

    ## References
    - Amazon EC2 Auto Scaling User Guide, "Auto Scaling launch configurations" (the limitations
      quoted above) and "Migrate your Auto Scaling groups to launch templates"
    - Terraform AWS provider docs, `aws_launch_configuration`: "The use of launch configurations
      is discouraged in favor of launch templates", and "Launch Configurations cannot be updated
      after creation ... Terraform will destroy the existing resource and create a replacement";
      `aws_autoscaling_group` `launch_template` block (`id` or `name`, `version`)
    - Checkov CKV_AWS_315 "Ensure EC2 Auto Scaling groups use EC2 launch templates"
      (`checkov/terraform/checks/resource/aws/AutoScalingLaunchTemplate.py`) checks the
      `aws_autoscaling_group`, not the launch configuration, so it is not mapped here; CKV_AWS_79
      (`IMDSv1Disabled.py`) and CKV_AWS_8 (`LaunchConfigurationEBSEncryption.py`) do cover
      `aws_launch_configuration`, tffix's TFX801 and TFX104 do not
    - Seed 000 §5 "Auto Scaling and Load Balancing Issues" (`../shared/seeds`)
    """

    id = "TFX805"
    name = "launch-configuration"
    summary = "Auto Scaling groups should use launch templates, not deprecated launch configurations"
    fix_availability = FIX_NEVER
    safety = DISPLAY_ONLY
    impact = IMPACT_NONE

    def check(self, module: Module, options: dict[str, Any]) -> Iterator[Finding]:
        for ref in module.resources("aws_launch_configuration"):
            groups: list[str] = []
            for other, _ in module.referrers(ref):
                if other.block.type == "resource" and other.block.label_values[0] == "aws_autoscaling_group":
                    if other.address not in groups:
                        groups.append(other.address)
            target = " and ".join(groups) if groups else "the Auto Scaling group"
            yield self.finding(
                ref.file, ref.block,
                f"{ref.address} is a launch configuration, which AWS deprecated (no new instance types since "
                f"2023; accounts created on or after 2024-10-01 cannot create one); replace it with an "
                f"aws_launch_template and point {target} at it with launch_template {{ id = ..., version = "
                f"\"$Latest\" }}. The IMDSv2 (TFX801) and EBS encryption (TFX104) fixes are not applied to launch "
                f"configurations, since any change replaces one",
                block=ref.block,
            )
