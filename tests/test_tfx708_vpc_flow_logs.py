"""TFX708 vpc-flow-logs."""

from __future__ import annotations

import tffix
from tffix.engine.rules import rule_examples
from tffix.transforms.logging.vpc_flow_logs import VpcFlowLogs as R
from tffix.transforms.logging.cloudwatch_log_group_kms import CloudwatchLogGroupKms
from tffix.transforms.iam.flow_log_iam_scope import FlowLogIamScope
from tffix.transforms.logging.cloudwatch_log_retention import CloudwatchLogRetention

from .rulekit import check_fix, findings, fix

MODULE = """\
resource "aws_vpc" "main" {
  cidr_block = "10.0.0.0/16"
}

resource "aws_subnet" "main" {
  vpc_id     = aws_vpc.main.id
  cidr_block = "10.0.1.0/24"
}

resource "aws_vpc" "logged" {
  cidr_block = "10.1.0.0/16"
}

resource "aws_subnet" "logged" {
  vpc_id     = aws_vpc.logged.id
  cidr_block = "10.1.1.0/24"
}

resource "aws_flow_log" "logged" {
  vpc_id          = aws_vpc.logged.id
  traffic_type    = "ALL"
  log_destination = aws_cloudwatch_log_group.flow_logs.arn
  iam_role_arn    = aws_iam_role.flow_logs.arn
}
"""

VPC = ('resource "aws_vpc" "main" {\n  cidr_block = "10.0.0.0/16"\n}\n\n'
       'resource "aws_subnet" "a" {\n  vpc_id     = aws_vpc.main.id\n  cidr_block = "10.0.1.0/24"\n}\n')


def _records(files):
    out, result = fix(R, files, unsafe=False)
    assert out == (files if isinstance(files, dict) else {"main.tf": files})
    assert all(r.fixable and r.held_back and r.safety == "unsafe" for r in result.remaining)
    return [(r.path, r.line, r.column, r.message) for r in result.remaining]


def test_reports_vpc_without_flow_log(snapshot) -> None:
    records = _records(MODULE)
    assert [(line, col) for _, line, col, _ in records] == [(1, 1)]
    assert records == snapshot


def test_flow_log_through_local_and_template() -> None:
    text = VPC + '\nlocals {\n  vpc_id = try(aws_vpc.main.id, "")\n}\n\n' \
        'resource "aws_flow_log" "f" {\n  vpc_id = "${local.vpc_id}"\n}\n'
    assert findings(R, text) == []


def test_unresolvable_flow_log_silences_the_module() -> None:
    for target in ("var.vpc_id", "data.aws_vpc.selected.id", '"vpc-0123456789abcdef0"', "each.value"):
        text = VPC + f'\nresource "aws_flow_log" "f" {{\n  for_each = var.vpcs\n  vpc_id   = {target}\n}}\n'
        assert findings(R, text) == [], target


def test_flow_log_of_another_kind_does_not_count() -> None:
    text = VPC + '\nresource "aws_flow_log" "f" {\n  eni_id = aws_network_interface.n.id\n}\n'
    assert findings(R, text, unsafe=False) == [("TFX708", 1, True)]
    text = VPC + '\nresource "aws_flow_log" "f" {\n  vpc_id = null\n  subnet_id = var.subnet_id\n}\n'
    assert findings(R, text, unsafe=False) == [("TFX708", 1, True)]


def test_subnet_flow_log_counts_for_its_vpc() -> None:
    text = VPC + '\nresource "aws_flow_log" "f" {\n  subnet_id = aws_subnet.a.id\n}\n'
    assert findings(R, text) == []


def test_module_call_receiving_the_vpc_is_trusted() -> None:
    text = VPC + '\nmodule "flow_logs" {\n  source = "./flow-logs"\n  vpc_id = aws_vpc.main.id\n}\n'
    assert findings(R, text) == []
    other = VPC + '\nmodule "app" {\n  source = "./app"\n  name   = "app"\n}\n'
    assert findings(R, other, unsafe=False) == [("TFX708", 1, True)]


def test_count_and_for_each() -> None:
    counted = ('resource "aws_vpc" "main" {\n  count      = 2\n  cidr_block = "10.${count.index}.0.0/16"\n}\n\n'
               'resource "aws_subnet" "a" {\n  count  = 2\n  vpc_id = aws_vpc.main[count.index].id\n}\n\n'
               'resource "aws_flow_log" "f" {\n  count  = 2\n  vpc_id = aws_vpc.main[count.index].id\n}\n')
    assert findings(R, counted) == []
    assert findings(R, "\n\n".join(counted.split("\n\n")[:2]) + "\n", unsafe=False) == [("TFX708", 1, True)]
    each = ('resource "aws_vpc" "main" {\n  for_each   = var.vpcs\n  cidr_block = each.value\n}\n\n'
            'resource "aws_subnet" "a" {\n  for_each = aws_vpc.main\n  vpc_id   = each.value.id\n}\n\n'
            'resource "aws_flow_log" "f" {\n  for_each = aws_vpc.main\n  vpc_id   = each.value.id\n}\n')
    assert findings(R, each) == []
    assert findings(R, "\n\n".join(each.split("\n\n")[:2]) + "\n", unsafe=False) == [("TFX708", 1, True)]


def test_vpc_without_subnets_in_the_module_is_not_reported() -> None:
    assert findings(R, 'resource "aws_vpc" "zone_only" {\n  cidr_block = "10.0.0.0/16"\n}\n') == []


def test_multi_file_module() -> None:
    first, subnet, second, subnet2, third = MODULE.split("\n\n")
    files = {"vpc.tf": first + "\n\n" + second + "\n", "subnets.tf": subnet + "\n\n" + subnet2 + "\n",
             "logs.tf": third}
    assert [(p, line) for p, line, _, _ in _records(files)] == [("vpc.tf", 1)]


def test_suppression_comment() -> None:
    assert findings(R, "# tffix:ignore[TFX708]\n" + VPC) == []


def test_fix_adds_a_flow_log_and_one_destination(snapshot) -> None:
    assert check_fix(R, MODULE) == snapshot
    out, result = fix(R, MODULE)
    assert not result.remaining
    sec = tffix.parse(out["security.tf"], "security.tf")
    groups = sec.find_blocks("resource", "aws_cloudwatch_log_group")
    assert len(groups) == 1 and groups[0].get_attribute("retention_in_days").value.code.strip() == "365"
    assert groups[0].get_attribute("kms_key_id").value.code.strip() == "aws_kms_key.cloudwatch_logs.arn"
    (policy,) = sec.find_blocks("resource", "aws_iam_role_policy")
    assert '"*"' not in policy.code  # every statement names the group or the account's log groups


def test_the_example_becomes_use_instead() -> None:
    example, instead = rule_examples(R)
    out, _ = fix(R, example)
    assert out == instead


def test_generated_resources_pass_the_other_rules() -> None:
    example, _ = rule_examples(R)
    out, _ = fix(R, example)
    rules = [CloudwatchLogGroupKms, FlowLogIamScope, CloudwatchLogRetention]
    assert fix(rules, out)[0] == out and not fix(rules, out)[1].remaining


def test_count_for_each_and_provider_follow_the_vpc() -> None:
    text = ('resource "aws_vpc" "v" {\n  provider   = aws.net\n  for_each   = var.vpcs\n'
            '  cidr_block = each.value\n}\n\nresource "aws_subnet" "s" {\n  for_each   = aws_vpc.v\n'
            '  vpc_id     = each.value.id\n  cidr_block = "10.0.0.0/24"\n}\n')
    out, _ = fix(R, text)
    assert ('resource "aws_flow_log" "v" {\n  for_each        = aws_vpc.v\n  provider        = aws.net\n'
            '  vpc_id          = each.value.id\n') in out["main.tf"]
    assert "aws_cloudwatch_log_group.vpc_flow_logs_net.arn" in out["main.tf"]
    assert 'provider = aws.net' in out["security.tf"]


def test_flow_logs_and_log_group_keys_share_one_key_across_rounds() -> None:
    # TFX708 creates the key in round 1, where TFX701's retention fix holds the log group (same
    # scope); TFX705 must find that key for the group in round 2, not create a second one
    text = MODULE + '\nresource "aws_cloudwatch_log_group" "app" {\n  name = "app"\n}\n'
    rules = [R, CloudwatchLogGroupKms, CloudwatchLogRetention]
    out, result = fix(rules, text)
    assert out["security.tf"].count('resource "aws_kms_key"') == 1
    assert "kms_key_id        = aws_kms_key.cloudwatch_logs.arn" in out["main.tf"]
    again, second = fix(rules, out)
    assert again == out and not second.fixed
