"""TFX210: no SSH, RDP or all-ports ingress from the whole internet."""

from __future__ import annotations

from tffix.engine.rules import DISPLAY_ONLY, FIX_NEVER, IMPACT_NONE
from tffix.transforms.lib.security_groups import OpenIngressRule, exposure

ADVICE = ("restrict the source to known CIDR ranges or a security group, or reach the hosts through SSM Session "
          "Manager or a bastion")


class SecurityGroupOpenAdminPorts(OpenIngressRule):
    """
    ## What it does
    Reports ingress rules open to the whole internet (`0.0.0.0/0` or `::/0`) on SSH (22), RDP
    (3389, TCP or UDP) or on every port (`protocol = "-1"` / `"all"`, or TCP 0-65535): `ingress`
    blocks of `aws_security_group` and `aws_default_security_group`, `aws_security_group_rule`
    with `type = "ingress"`, and `aws_vpc_security_group_ingress_rule` (`cidr_ipv4` /
    `cidr_ipv6`, `ip_protocol`). Port ranges that include 22 or 3389 count. The finding points
    at the open CIDR. Display only: tffix cannot know which sources should be allowed.
    Rules built from expressions (a variable CIDR, `dynamic` ingress blocks) are not reported,
    since tffix cannot prove them open.

    ## Why is this bad?
    SSH and RDP open to the internet are brute-forced within minutes of launch, and every port
    open means every service on the host is exposed, including ones that were never meant to
    be (seed 000 "Security Group Misconfigurations", seed 004 "Insecure Security Groups:
    Opening SSH (22) or RDP (3389) to 0.0.0.0/0"; CIS AWS Foundations 5.2/5.3).

    ## Example
    ```hcl
    resource "aws_security_group" "bastion" {
      ingress {
        from_port   = 22
        to_port     = 22
        protocol    = "tcp"
        cidr_blocks = ["0.0.0.0/0"]
      }
    }
    ```

    ## Use instead
    ```hcl
    resource "aws_security_group" "bastion" {
      ingress {
        from_port   = 22
        to_port     = 22
        protocol    = "tcp"
        cidr_blocks = [var.office_cidr]
        description = "SSH from the office VPN"
      }
    }
    ```
    Better: no inbound SSH at all, and SSM Session Manager.

    ## Fix safety
    No fix: the right source range is a decision only the owner can make.

    ## Deployment impact
    None (display only).

    ## References
    - Terraform AWS provider docs, `aws_security_group` (`ingress`: `from_port`, `to_port`,
      `protocol` "-1" for all, `cidr_blocks`, `ipv6_cidr_blocks`), `aws_security_group_rule`,
      `aws_vpc_security_group_ingress_rule` (`ip_protocol` `-1` "translates to all protocols,
      all port ranges")
    - Seed 000 "Security Group Misconfigurations", seed 004 "Insecure Security Groups"
      (`../shared/seeds`)
    - Checkov CKV_AWS_24 (22), CKV_AWS_25 (3389), CKV_AWS_277 (all ports)
      (`checks/resource/aws/SecurityGroupUnrestrictedIngress*.py`; each fails where the rule
      reports, checkov 3.3.30, `bench/checkov_mapping.py`); Trivy AWS-0107
      (`checks/cloud/aws/ec2/no_public_ingress_sgr.rego`)
    """

    id = "TFX210"
    name = "security-group-open-admin-ports"
    summary = "No SSH, RDP or all-ports ingress from 0.0.0.0/0 or ::/0"
    fix_availability = FIX_NEVER
    safety = DISPLAY_ONLY
    impact = IMPACT_NONE
    checkov = ("CKV_AWS_24", "CKV_AWS_25", "CKV_AWS_277")
    trivy = ("AWS-0107",)

    advice = ADVICE

    def exposure(self, protocol: str | None, from_port: int | None, to_port: int | None) -> str | None:
        return exposure(protocol, from_port, to_port)
