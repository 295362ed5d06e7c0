"""TFX801: EC2 instances and launch templates require IMDSv2 session tokens."""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

from tffix.engine.module import BlockRef, Module
from tffix.engine.rules import FIX_ALWAYS, IMPACT_IN_PLACE, UNSAFE, Finding, Rule
from tffix.syntax import cst
from tffix.syntax.build import NewBlock
from tffix.transforms.lib.settings import (
    add_nested_block,
    content_attribute,
    dynamic_findings,
    nested,
    setting_findings,
    text,
)
from tffix.transforms.lib import launch_configurations
from tffix.transforms.lib.user_data import read_user_data

METADATA = "metadata_options"
CASE = (UNSAFE, IMPACT_IN_PLACE)
WHY = "IMDSv1 stays enabled, so one SSRF bug can read the instance role's credentials"


USER_DATA = ("user_data", "user_data_base64")
# the metadata service's addresses (IPv4, the instance-data name, IPv6) and the header of IMDSv2
_IMDS = re.compile(r"169\.254\.169\.254|\binstance-data\b|fd00:ec2::254", re.I)
_TOKEN = re.compile(r"x-aws-ec2-metadata-token", re.I)


def imdsv1_call(texts: list[str]) -> str | None:
    """The first line of user data that calls the metadata service when no line of the
    same script asks for a session token, else None."""
    for script in texts:
        if _TOKEN.search(script):
            continue
        for line in script.splitlines():
            if _IMDS.search(line):
                line = line.strip()
                return line if len(line) <= 80 else line[:77] + "..."
    return None


def _endpoint_disabled(attr: cst.Attribute | None) -> bool:
    return attr is not None and text(attr.value) == (True, "disabled")


class Imdsv2Required(Rule):
    """
    ## What it does
    Requires IMDSv2 (session tokens) on `aws_instance`, `aws_launch_template` and
    `aws_launch_configuration`:
    - a resource without `metadata_options` gets `metadata_options { http_tokens =
      "required" }` (the other metadata settings keep their defaults);
    - an existing block with `http_tokens` missing, `null` or `"optional"` gets `http_tokens
      = "required"`;
    - a `dynamic "metadata_options"` block counts as the block being there; its `content`
      is fixed the same way.

    A launch configuration cannot be changed, only replaced, so it is fixed only where the
    replacement applies: with `lifecycle { create_before_destroy = true }` and without a fixed
    `name` (`name_prefix` or none); other launch configurations are reported, saying which is
    missing (see also TFX805: move to a launch template).

    Left alone: a metadata service that is switched off (`http_endpoint = "disabled"`).
    Reported without a fix: `http_tokens` from an expression, and resources whose user
    data calls the metadata service (`169.254.169.254`, `instance-data`, `fd00:ec2::254`)
    in a script that never asks for a session token (`X-aws-ec2-metadata-token`): requiring
    tokens would break it. The rule reads `user_data` / `user_data_base64` written inline,
    through `file()`, `templatefile()`, `filebase64()` (paths relative to the module or
    `${path.module}`), `base64encode()`, locals, and `template_file` / `cloudinit_config`
    data sources; user data it cannot read (a variable, a file outside the module) is named
    in the message and the fix.

    ## Why is this bad?
    With IMDSv1 any plain HTTP GET to `169.254.169.254` from the instance returns the
    instance role's temporary credentials, so one server-side request forgery bug, open
    reverse proxy or misconfigured firewall leaks them (the Capital One breach). IMDSv2
    needs a session token from a PUT request first, which those bugs cannot send. Seed 000
    §1 ("Incomplete Security Implementation") lists missing hardening among the common
    failures; IMDSv2 is a CIS and AWS Foundational Security Best Practices control.

    ## Example
    ```hcl
    resource "aws_instance" "app" {
      ami           = data.aws_ami.al2023.id
      instance_type = "t3.micro"
    }
    ```

    ## Use instead
    ```hcl
    resource "aws_instance" "app" {
      ami           = data.aws_ami.al2023.id
      instance_type = "t3.micro"

      metadata_options {
        http_tokens = "required"
      }
    }
    ```
    Containers on the instance (Docker bridge networking, EKS/ECS nodes) reach IMDSv2 only
    with `http_put_response_hop_limit = 2`; set it when they need the instance role.

    ## Fix safety
    **Unsafe.** Everything on the instance that still uses IMDSv1 stops getting metadata and
    credentials: AWS SDKs and CLI versions from before late 2019, hand-written `curl
    http://169.254.169.254/...` calls in user data and scripts, some agents, and containers
    one network hop away when the hop limit is 1. Check the `MetadataNoToken` CloudWatch
    metric of the instances first: it counts IMDSv1 calls.

    ## Deployment impact
    In-place update for instances and launch templates: an instance gets
    `ModifyInstanceMetadataOptions` (no reboot, no replacement); a launch template gets a new
    version, used by instances launched from it afterwards (Auto Scaling groups that follow
    `$Latest` or the default version, instance refreshes). **Forces replacement** of a launch
    configuration: Terraform creates the new one, points the Auto Scaling group at it (in
    place) and deletes the old one; instances already running keep IMDSv1 until the group
    replaces them. Accounts created on or after October 1, 2024 cannot create launch
    configurations at all (TFX805), so there the replacement fails like any other change.

    ## References
    - Terraform AWS provider source, `internal/service/ec2/ec2_instance.go`:
      `metadata_options` (Optional, Computed, MaxItems 1), `http_tokens` (Optional, Computed,
      `optional` / `required`, not ForceNew); `ec2_launch_template.go`: `metadata_options`
      with the same arguments (an update writes a new template version);
      `internal/service/autoscaling/launch_configuration.go`: `metadata_options` (Optional,
      Computed, ForceNew, MaxItems 1, `http_tokens` ForceNew), no update function, so every
      change replaces a launch configuration (`transforms/lib/launch_configurations.py`)
    - Amazon EC2 User Guide, "Use the Instance Metadata Service to access instance metadata"
      / "Transition to using IMDSv2" (`MetadataNoToken` metric, hop limit for containers)
    - Checkov CKV_AWS_79 (`checkov/terraform/checks/resource/aws/IMDSv1Disabled.py`, passes
      when `http_endpoint = "disabled"`); Trivy AWS-0028 (instances,
      `checks/cloud/aws/ec2/enforce_http_token_imds.rego`) and AWS-0130 (launch templates and
      configurations, `checks/cloud/aws/ec2/as_enforce_http_token_imds.rego`)
    """

    id = "TFX801"
    name = "imdsv2-required"
    summary = "EC2 instances, launch templates and configurations must require IMDSv2 (http_tokens = \"required\")"
    fix_availability = FIX_ALWAYS
    safety = UNSAFE
    impact = IMPACT_IN_PLACE
    checkov = ("CKV_AWS_79",)
    trivy = ("AWS-0028", "AWS-0130")

    def check(self, module: Module, options: dict[str, Any]) -> Iterator[Finding]:
        for ref in module.resources("aws_instance", "aws_launch_template"):
            yield from self._with_user_data(module, ref, self._check(ref))
        for ref in module.resources("aws_launch_configuration"):
            yield from launch_configurations.replacing(ref, self._with_user_data(module, ref, self._check(ref)))

    @staticmethod
    def _with_user_data(module: Module, ref: BlockRef, found: Iterator[Finding]) -> Iterator[Finding]:
        """Requiring tokens breaks user data that calls IMDSv1: such an instance is
        reported without a fix; user data tffix cannot read is named in the message."""
        texts: list[str] = []
        unreadable: list[str] = []
        for name in USER_DATA:
            attr = ref.block.get_attribute(name)
            if attr is not None:
                data = read_user_data(module, attr.value)
                texts += data.texts
                unreadable += data.unreadable
        call = imdsv1_call(texts)
        for f in found:
            if f.fix is not None and call is not None:
                f.fix = None
                f.message += (f"; its user data calls the metadata service without a session token ({call}): "
                              "switch it to IMDSv2 (a token from PUT /latest/api/token) before requiring tokens")
            elif f.fix is not None and unreadable:
                note = (f"tffix could not read the user data ({', '.join(unreadable)}): check that it does not call "
                        "the metadata service without a token")
                f.message += f"; {note}"
                f.fix.description += f"; {note}"
            yield f

    def _check(self, ref: BlockRef) -> Iterator[Finding]:
        block = ref.block
        static, dynamic = nested(block, METADATA)
        if not static and not dynamic:
            yield self.finding(
                ref.file, block, f"{ref.address} has no {METADATA}: {WHY}", block=block,
                fix=lambda b=block: add_nested_block(b, NewBlock(METADATA, body={"http_tokens": "required"})),
                description=f'add {METADATA} {{ http_tokens = "required" }} (IMDSv1 clients stop working)',
            )
        for options in static:
            if _endpoint_disabled(options.get_attribute("http_endpoint")):
                continue
            yield from self._described(setting_findings(self, ref, options, "http_tokens", "required", read=text,
                                                        missing=CASE, wrong=CASE, where=METADATA, why=WHY))
        for dyn in dynamic:
            if _endpoint_disabled(content_attribute(dyn, "http_endpoint")):
                continue
            yield from self._described(dynamic_findings(self, ref, dyn, "http_tokens", "required", read=text,
                                                        missing=CASE, wrong=CASE, why=WHY))

    @staticmethod
    def _described(found: Iterator[Finding]) -> Iterator[Finding]:
        for f in found:
            if f.fix is not None:
                f.fix.description += " (IMDSv1 clients stop working)"
            yield f
