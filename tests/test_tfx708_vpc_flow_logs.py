"""TFX708 vpc-flow-logs."""

from __future__ import annotations

from tffix.transforms.logging.vpc_flow_logs import VpcFlowLogs as R

from .rulekit import findings, fix

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
    out, result = fix(R, files)
    assert out == (files if isinstance(files, dict) else {"main.tf": files})
    assert all(not r.fixable for r in result.remaining)
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
    assert findings(R, text) == [("TFX708", 1, False)]
    text = VPC + '\nresource "aws_flow_log" "f" {\n  vpc_id = null\n  subnet_id = var.subnet_id\n}\n'
    assert findings(R, text) == [("TFX708", 1, False)]


def test_subnet_flow_log_counts_for_its_vpc() -> None:
    text = VPC + '\nresource "aws_flow_log" "f" {\n  subnet_id = aws_subnet.a.id\n}\n'
    assert findings(R, text) == []


def test_module_call_receiving_the_vpc_is_trusted() -> None:
    text = VPC + '\nmodule "flow_logs" {\n  source = "./flow-logs"\n  vpc_id = aws_vpc.main.id\n}\n'
    assert findings(R, text) == []
    other = VPC + '\nmodule "app" {\n  source = "./app"\n  name   = "app"\n}\n'
    assert findings(R, other) == [("TFX708", 1, False)]


def test_count_and_for_each() -> None:
    counted = ('resource "aws_vpc" "main" {\n  count      = 2\n  cidr_block = "10.${count.index}.0.0/16"\n}\n\n'
               'resource "aws_subnet" "a" {\n  count  = 2\n  vpc_id = aws_vpc.main[count.index].id\n}\n\n'
               'resource "aws_flow_log" "f" {\n  count  = 2\n  vpc_id = aws_vpc.main[count.index].id\n}\n')
    assert findings(R, counted) == []
    assert findings(R, "\n\n".join(counted.split("\n\n")[:2]) + "\n") == [("TFX708", 1, False)]
    each = ('resource "aws_vpc" "main" {\n  for_each   = var.vpcs\n  cidr_block = each.value\n}\n\n'
            'resource "aws_subnet" "a" {\n  for_each = aws_vpc.main\n  vpc_id   = each.value.id\n}\n\n'
            'resource "aws_flow_log" "f" {\n  for_each = aws_vpc.main\n  vpc_id   = each.value.id\n}\n')
    assert findings(R, each) == []
    assert findings(R, "\n\n".join(each.split("\n\n")[:2]) + "\n") == [("TFX708", 1, False)]


def test_vpc_without_subnets_in_the_module_is_not_reported() -> None:
    assert findings(R, 'resource "aws_vpc" "zone_only" {\n  cidr_block = "10.0.0.0/16"\n}\n') == []


def test_multi_file_module() -> None:
    first, subnet, second, subnet2, third = MODULE.split("\n\n")
    files = {"vpc.tf": first + "\n\n" + second + "\n", "subnets.tf": subnet + "\n\n" + subnet2 + "\n",
             "logs.tf": third}
    assert [(p, line) for p, line, _, _ in _records(files)] == [("vpc.tf", 1)]


def test_suppression_comment() -> None:
    assert findings(R, "# tffix:ignore[TFX708]\n" + VPC) == []
