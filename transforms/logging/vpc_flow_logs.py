"""TFX708: every VPC of a module has a flow log."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from tffix import edit
from tffix.engine.module import BlockRef, Module, references
from tffix.engine.rules import FIX_SOMETIMES, IMPACT_IN_PLACE, UNSAFE, Finding, Rule
from tffix.syntax import cst
from tffix.syntax.build import HCL, NewBlock
from tffix.transforms.lib.settings import attribute
from tffix.transforms.lib.supporting import FlowLogDestination, flow_log_destination, provider_of

# flow log resources and the argument that names what they watch
FLOW_LOGS = {"aws_flow_log": "vpc_id", "awscc_ec2_flow_log": "resource_id"}


class _Unknown(Exception):
    """A flow log watches something the rule cannot name: stay silent."""


def _vpcs(module: Module, expr: cst.Node, owner: cst.Block | None = None) -> set[int]:
    """The ``aws_vpc`` blocks (by ``id()``) that ``expr`` refers to, following ``local.x``
    values and, for ``each.*`` / ``count.*``, the ``for_each`` / ``count`` of ``owner``."""
    found: set[int] = set()
    for trav in module.references_through_locals(expr):
        path = trav.path
        if not path:
            continue
        if path[0] in ("each", "count") and owner is not None:
            meta = owner.get_attribute("for_each" if path[0] == "each" else "count")
            if meta is not None:
                found |= _vpcs(module, meta.value)
            continue
        target = module.resolve(trav)
        if target is not None and target.block.type == "resource" and target.block.label_values[:1] == ["aws_vpc"]:
            found.add(id(target.block))
    return found


def _covered(module: Module) -> set[int]:
    """The VPCs (by ``id()`` of their block) that a flow log or a module call of the module
    refers to. Raises ``_Unknown`` when a flow log's target cannot be resolved."""
    covered: set[int] = set()
    for ref in module.resources(*FLOW_LOGS):
        block = ref.block
        target = attribute(block, FLOW_LOGS[block.label_values[0]])
        if target is None:
            subnet = attribute(block, "subnet_id")
            if subnet is not None:  # a subnet's flow log: count it for the subnet's VPC
                for trav in references(subnet.value):
                    other = module.resolve(trav)
                    if other is not None and other.block.label_values[:1] == ["aws_subnet"]:
                        vpc = other.block.get_attribute("vpc_id")
                        if vpc is not None:
                            covered |= _vpcs(module, vpc.value, other.block)
            continue
        found = _vpcs(module, target.value, block)
        if not found:
            raise _Unknown
        covered |= found
    for ref in module.blocks("module"):
        covered |= _vpcs(module, ref.block)
    return covered


class VpcFlowLogs(Rule):
    """
    ## What it does
    Finds an `aws_vpc` that no `aws_flow_log` of the module watches: no flow log whose
    `vpc_id` refers to it (directly, through a `local`, or through the flow log's
    `for_each` / `count`, as in `vpc_id = each.value` over a map of VPC ids), and no flow log
    on one of its subnets. The finding points at the VPC.

    The fix adds an `aws_flow_log` right after the VPC (named after it, with its `count` /
    `for_each` and `provider`) recording `ALL` traffic to a CloudWatch log group, and, once
    per module and provider, in `security.tf` (`transforms/lib/supporting.py`):

    - `aws_cloudwatch_log_group.vpc_flow_logs`: `name_prefix = "/aws/vpc-flow-logs/"` (two
      deployments of the module do not collide), 365 days of retention (TFX701's default),
      encrypted with the module's CloudWatch Logs key (the one TFX705 uses or creates);
    - `aws_iam_role.vpc_flow_logs`, which only `vpc-flow-logs.amazonaws.com` may assume
      (with an `aws:SourceAccount` condition), and `aws_iam_role_policy.vpc_flow_logs`,
      which lets it create log streams and put events in that group only (the scope TFX301
      asks of flow-log roles) and describe the log groups of its account and region.

    The rule stays silent, to avoid false positives:
    - for every VPC of a module that has a flow log whose target it cannot resolve
      (`vpc_id = var.vpc_id`, a data source, a literal id): it may be any of them;
    - for a VPC that a `module` call receives (`vpc_id = aws_vpc.main.id`): the called
      module may create its flow log;
    - for a VPC that no `aws_subnet` of the module is in: nothing runs in it here (a
      placeholder VPC for a private hosted zone, say), or its subnets, and maybe its flow
      log, are made elsewhere.

    Counted VPCs (`count`, `for_each`) are covered by any flow log that refers to them,
    whatever the index. A VPC whose `provider` is an expression is reported without a fix.

    ## Why is this bad?
    Without flow logs there is no record of which addresses talked to which, on which port,
    and whether the traffic was accepted or rejected: connectivity problems are guesswork,
    and after an incident nobody can tell what a compromised instance reached (seed 002 §4.3
    "No VPC Flow Logs", seed 004 "Inadequate Logging: VPC Flow Logs not enabled"). CIS AWS
    Foundations and most compliance frameworks require them.

    ## Example
    ```hcl
    resource "aws_vpc" "main" {
      cidr_block = "10.0.0.0/16"
    }

    resource "aws_subnet" "private" {
      vpc_id     = aws_vpc.main.id
      cidr_block = "10.0.1.0/24"
    }
    ```

    ## Use instead
    ```hcl
    resource "aws_vpc" "main" {
      cidr_block = "10.0.0.0/16"
    }

    resource "aws_flow_log" "main" {
      vpc_id          = aws_vpc.main.id
      traffic_type    = "ALL"
      log_destination = aws_cloudwatch_log_group.vpc_flow_logs.arn
      iam_role_arn    = aws_iam_role.vpc_flow_logs.arn
    }

    resource "aws_subnet" "private" {
      vpc_id     = aws_vpc.main.id
      cidr_block = "10.0.1.0/24"
    }
    ```
    ```hcl
    # file: security.tf
    data "aws_region" "current" {}

    data "aws_caller_identity" "current" {}

    data "aws_partition" "current" {}

    resource "aws_kms_key" "cloudwatch_logs" {
      description             = "CloudWatch Logs log groups"
      enable_key_rotation     = true
      deletion_window_in_days = 30
      policy = jsonencode({
        Version = "2012-10-17"
        Statement = [
          {
            Sid    = "AccountAdministration"
            Effect = "Allow"
            Principal = {
              AWS = "arn:${data.aws_partition.current.partition}:iam::${data.aws_caller_identity.current.account_id}:root"
            }
            Action   = "kms:*"
            Resource = "*"
          },
          {
            Sid    = "CloudWatchLogs"
            Effect = "Allow"
            Principal = {
              Service = "logs.${data.aws_region.current.name}.${data.aws_partition.current.dns_suffix}"
            }
            Action   = ["kms:Encrypt*", "kms:Decrypt*", "kms:ReEncrypt*", "kms:GenerateDataKey*", "kms:Describe*"]
            Resource = "*"
            Condition = {
              ArnLike = {
                "kms:EncryptionContext:aws:logs:arn" = "arn:${data.aws_partition.current.partition}:logs:${data.aws_region.current.name}:${data.aws_caller_identity.current.account_id}:log-group:*"
              }
            }
          },
        ]
      })
    }

    resource "aws_cloudwatch_log_group" "vpc_flow_logs" {
      name_prefix       = "/aws/vpc-flow-logs/"
      retention_in_days = 365
      kms_key_id        = aws_kms_key.cloudwatch_logs.arn
    }

    resource "aws_iam_role" "vpc_flow_logs" {
      name_prefix = "vpc-flow-logs-"
      assume_role_policy = jsonencode({
        Version = "2012-10-17"
        Statement = [
          {
            Effect = "Allow"
            Principal = {
              Service = "vpc-flow-logs.amazonaws.com"
            }
            Action = "sts:AssumeRole"
            Condition = {
              StringEquals = {
                "aws:SourceAccount" = data.aws_caller_identity.current.account_id
              }
            }
          },
        ]
      })
    }

    resource "aws_iam_role_policy" "vpc_flow_logs" {
      name_prefix = "write-flow-logs-"
      role        = aws_iam_role.vpc_flow_logs.id
      policy = jsonencode({
        Version = "2012-10-17"
        Statement = [
          {
            Sid      = "WriteFlowLogs"
            Effect   = "Allow"
            Action   = ["logs:CreateLogStream", "logs:PutLogEvents", "logs:DescribeLogStreams"]
            Resource = [aws_cloudwatch_log_group.vpc_flow_logs.arn, "${aws_cloudwatch_log_group.vpc_flow_logs.arn}:*"]
          },
          {
            Sid      = "DescribeLogGroups"
            Effect   = "Allow"
            Action   = "logs:DescribeLogGroups"
            Resource = "arn:${data.aws_partition.current.partition}:logs:${data.aws_region.current.name}:${data.aws_caller_identity.current.account_id}:log-group:*"
          },
        ]
      })
    }
    ```
    An S3 bucket destination (`log_destination_type = "s3"`) needs no IAM role and costs
    less for large volumes; write it yourself if you prefer it.

    ## Fix safety
    **Unsafe**: flow logs are charged per GB ingested (plus storage for the year kept), the
    new KMS key monthly, and the fix creates an IAM role (a permission pipelines may lack).
    The records include internal addresses and ports; the log group is encrypted with a
    key whose policy only the account and CloudWatch Logs may use. A destination of your
    own (an existing log group, S3, Firehose), another traffic type or retention are
    choices to make by writing the flow log yourself.

    ## Deployment impact
    In-place: new resources (the flow log, and once per module the log group, role, policy,
    key and data sources); the VPC and its traffic are not touched.

    ## References
    - Terraform AWS provider docs `aws_flow_log` (`vpc_id`, `subnet_id`, `eni_id`,
      `transit_gateway_id`, `transit_gateway_attachment_id`: exactly one; `log_destination`,
      `log_destination_type`, `iam_role_arn`, `traffic_type`)
    - Amazon VPC User Guide, "Logging IP traffic using VPC Flow Logs" (service principal
      `vpc-flow-logs.amazonaws.com`, CloudWatch Logs and S3 destinations; the role's
      actions as in TFX301's scoped policy; "IAM role for publishing flow logs to CloudWatch
      Logs": the trust policy's `aws:SourceAccount` / `aws:SourceArn` conditions)
    - Terraform AWS provider docs `aws_cloudwatch_log_group` (`name_prefix`,
      `retention_in_days`, `kms_key_id`), `aws_iam_role_policy` (`name_prefix`, `role`,
      `policy`); `transforms/lib/supporting.py` for how the destination is created and shared
    - Checkov CKV2_AWS_11 "Ensure VPC flow logging is enabled in all VPCs"
      (`checkov/terraform/checks/graph_checks/aws/VPCHasFlowLog.yaml`: an `aws_vpc` connected
      to an `aws_flow_log`); Trivy AWS-0178
      (`checks/cloud/aws/ec2/require_vpc_flow_logs_for_all_vpcs.rego`)
    - Seed 002 §4.3, seed 004 "Inadequate Logging" (`../shared/seeds`)
    """

    id = "TFX708"
    name = "vpc-flow-logs"
    summary = "Every VPC must have a flow log"
    fix_availability = FIX_SOMETIMES
    safety = UNSAFE
    impact = IMPACT_IN_PLACE
    checkov = ("CKV2_AWS_11",)
    trivy = ("AWS-0178",)

    def check(self, module: Module, options: dict[str, Any]) -> Iterator[Finding]:
        vpcs: list[BlockRef] = list(module.resources("aws_vpc"))
        if not vpcs:
            return
        try:
            covered = _covered(module)
        except _Unknown:
            return
        used: set[int] = set()  # VPCs that subnets of the module are in
        for subnet in module.resources("aws_subnet"):
            vpc = subnet.block.get_attribute("vpc_id")
            if vpc is not None:
                used |= _vpcs(module, vpc.value, subnet.block)
        for ref in vpcs:
            if id(ref.block) in covered or id(ref.block) not in used:
                continue
            message = (f"{ref.address} has no flow log (no aws_flow_log of the module has a vpc_id that refers "
                       "to it), so nothing records the traffic in it; add an aws_flow_log with vpc_id = "
                       f"{ref.address}.id, traffic_type = \"ALL\" and a CloudWatch Logs or S3 destination")
            provider = provider_of(ref.block)
            if provider is None or len(ref.block.labels) != 2:
                yield self.finding(ref.file, ref.block, f"{message} (not fixed: its provider is an expression)",
                                   block=ref.block)
                continue
            dest = flow_log_destination(module, provider)
            yield self.finding(ref.file, ref.block, message, block=ref.block,
                               fix=lambda ref=ref, dest=dest: self._apply(module, ref, dest),
                               scope=(ref.block, *dest.support.scope),
                               description=f"add an aws_flow_log of all traffic to {dest.support.describe()}")

    @staticmethod
    def _apply(module: Module, vpc: BlockRef, dest: FlowLogDestination) -> None:
        dest.support.apply(module)
        name = vpc.block.label_values[1]
        body: dict[str, object] = {}
        if vpc.block.get_attribute("for_each") is not None:
            body["for_each"] = HCL(f"aws_vpc.{name}")
            vpc_id = HCL("each.value.id")
        elif vpc.block.get_attribute("count") is not None:
            body["count"] = HCL(f"length(aws_vpc.{name})")
            vpc_id = HCL(f"aws_vpc.{name}[count.index].id")
        else:
            vpc_id = HCL(f"aws_vpc.{name}.id")
        provider = vpc.block.get_attribute("provider")
        if provider is not None:
            body["provider"] = HCL(provider.value.code.strip())
        body.update({"vpc_id": vpc_id, "traffic_type": "ALL", "log_destination": HCL(dest.support.expression),
                     "iam_role_arn": HCL(dest.role)})
        taken = module.named("resource", "aws_flow_log")
        label, n = name, 2
        while label in taken:
            label, n = f"{name}_{n}", n + 1
        edit.append_block(vpc.file.tree, NewBlock("resource", ["aws_flow_log", label], body), after=vpc.block)
