"""TFX823 hardcoded-resource-ids."""

from __future__ import annotations

from tffix.transforms.terraform.hardcoded_resource_ids import HardcodedResourceIds as R

from .rulekit import findings, fix

TEXT = """\
resource "aws_instance" "app" {
  count                  = 2
  ami                    = "ami-0c55b159cbfafe1f0"
  subnet_id              = "subnet-12345"
  vpc_security_group_ids = ["sg-0123456789abcdef0", aws_security_group.app.id]

  tags = {
    Name = "sg-0123456789abcdef0"
  }
}

resource "aws_security_group" "app" {
  name = "sg-abcdef12"
}

module "db" {
  source     = "./db"
  subnet_ids = ["subnet-67890", "subnet-abcdef"]
}

locals {
  nat_ami = "ami-nat-instance"
}
"""


def _records(files):
    out, result = fix(R, files)
    assert out == (files if isinstance(files, dict) else {"main.tf": files})
    return [(r.path, r.line, r.column, r.fixable, r.message) for r in result.remaining]


def test_reports_hardcoded_ids(snapshot) -> None:
    assert _records(TEXT) == snapshot


def test_references_inputs_lookups_and_imports_are_fine() -> None:
    text = """\
variable "ami" {
  default = "ami-0c55b159cbfafe1f0"
}

data "aws_subnet" "a" {
  id = "subnet-0123456789abcdef0"
}

import {
  to = aws_security_group.app
  id = "sg-0123456789abcdef0"
}

resource "aws_instance" "app" {
  ami       = var.ami
  subnet_id = data.aws_subnet.a.id
  user_data = "echo ami-${var.x}"
}
"""
    assert findings(R, text) == []


def test_dynamic_blocks_are_skipped() -> None:
    text = 'resource "aws_launch_template" "t" {\n  dynamic "network_interfaces" {\n    for_each = [1]\n' \
           '    content {\n      subnet_id = "subnet-0123456789abcdef0"\n    }\n  }\n}\n'
    assert findings(R, text) == []


def test_multi_file_module_names_the_modules_subnets() -> None:
    files = {"net.tf": 'resource "aws_subnet" "private_1" {\n  vpc_id = "x"\n}\n',
             "app.tf": 'resource "aws_instance" "app" {\n  subnet_id = "subnet-12345"\n}\n'}
    (record,) = _records(files)
    assert record[:2] == ("app.tf", 2) and "refer to the module's aws_subnet (aws_subnet.private_1.id)" in record[4]


def test_suppression_comment() -> None:
    text = TEXT.replace('  ami                    = "ami-0c55b159cbfafe1f0"',
                        '  ami                    = "ami-0c55b159cbfafe1f0" # tffix:ignore[TFX823]')
    assert [line for _, line, _ in findings(R, text)] == [4, 5, 18, 18, 22]
