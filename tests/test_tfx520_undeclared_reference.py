"""TFX520 undeclared-reference."""

from __future__ import annotations

from tffix.transforms.terraform.undeclared_reference import UndeclaredReference as R

from .rulekit import findings, fix

TEXT = """\
variable "domain" {
  type = string
}

locals {
  name = "web"
}

resource "aws_route53_record" "www" {
  zone_id = var.hosted_zone_id
  name    = "www.${var.domain_name}.${local.nmae}"
  type    = "CNAME"
  ttl     = 300
  records = [aws_lb.web.dns_name, module.dns.target, data.aws_route53_zone.main.zone_id]
}

output "fqdn" {
  value = aws_route53_record.www.fqdn
}
"""


def _records(files):
    out, result = fix(R, files)
    assert out == (files if isinstance(files, dict) else {"main.tf": files})
    return [(r.path, r.line, r.column, r.fixable, r.message) for r in result.remaining]


def test_reports_each_kind_of_undeclared_reference(snapshot) -> None:
    records = _records(TEXT)
    assert [(line, column) for _, line, column, _, _ in records] == [(10, 13), (11, 20), (11, 39), (14, 14),
                                                                     (14, 35), (14, 54)]
    assert "did you mean var.domain?" in records[1][4]
    assert "did you mean local.name?" in records[2][4]
    assert not any(fixable for _, _, _, fixable, _ in records)
    assert records == snapshot


def test_declarations_in_other_files_count() -> None:
    files = {"main.tf": 'output "x" {\n  value = "${var.a}-${aws_s3_bucket.b.id}-${local.c}-${module.m.o}"\n}\n',
             "variables.tf": 'variable "a" {}\n',
             "s3.tf": 'resource "aws_s3_bucket" "b" {}\n\nlocals {\n  c = 1\n}\n\nmodule "m" {\n  source = "./m"\n}\n'}
    assert findings(R, files) == []


def test_iterators_and_built_ins_are_not_references() -> None:
    text = """\
variable "rules" {
  type = list(object({ port = number }))
}

resource "aws_security_group" "sg" {
  count = 2
  name  = "sg-${count.index}-${terraform.workspace}-${path.module}"

  dynamic "ingress_rule" {
    for_each = var.rules
    content {
      from_port = ingress_rule.value.port
      to_port   = ingress_rule.value.port
    }
  }

  dynamic "egress" {
    for_each = var.rules
    iterator = egress_rule
    content {
      from_port = egress_rule.value.port
    }
  }

  tags = { for rule_item in var.rules : rule_item.port => "x" }

  lifecycle {
    ignore_changes = [tags_all, egress_rule]
  }
}

output "ports" {
  value = [for an_item in var.rules : an_item.port]
}

output "text" {
  value = "%{for line_item in var.rules}${line_item.port}%{endfor}"
}
"""
    assert findings(R, text) == []


def test_provider_references_moved_import_and_check_blocks_are_left_alone() -> None:
    text = """\
provider "aws" {
  alias  = "west"
  region = "us-west-2"
}

resource "aws_s3_bucket" "new" {
  provider = aws.west
}

module "m" {
  source    = "./m"
  providers = { aws = aws.west }
}

moved {
  from = aws_s3_bucket.old
  to   = aws_s3_bucket.new
}

removed {
  from = aws_s3_bucket.gone
}

import {
  to = aws_s3_bucket.new
  id = "bucket"
}

check "site" {
  data "http" "home" {
    url = "https://example.com"
  }

  assert {
    condition     = data.http.home.status_code == 200
    error_message = "down"
  }
}

terraform {
  required_providers {
    aws = {
      source = "hashicorp/aws"
    }
  }
}
"""
    assert findings(R, text) == []


def test_object_keys_are_not_references_but_values_are() -> None:
    text = 'locals {\n  tags = {\n    cost_center = var.cost_center\n  }\n}\n'
    assert findings(R, text) == [("TFX520", 3, False)]
    declared = 'variable "cost_center" {}\n\n' + text
    assert findings(R, declared) == []


def test_heredoc_interpolations_are_read() -> None:
    text = 'output "x" {\n  value = <<EOT\nhello ${var.who}\nEOT\n}\n'
    assert findings(R, text) == [("TFX520", 3, False)]


def test_module_with_json_files_is_skipped(tmp_path) -> None:
    (tmp_path / "vars.tf.json").write_text('{"variable": {"who": {}}}')
    text = 'output "x" {\n  value = var.who\n}\n'
    assert findings(R, text, directory=str(tmp_path)) == []
    assert findings(R, text) == [("TFX520", 2, False)]


def test_hints_are_difflibs() -> None:
    """The closest name is difflib's, found without comparing names of lengths too far off."""
    import difflib

    from tffix.transforms.terraform.undeclared_reference import _closest

    declared = frozenset({"domain_name", "domain", "zone", "hosted_zone_id", "a", "ab", "bucket_name",
                          "bucket_names", "name_bucket", "x" * 40, ""})
    for name in ("domain_nam", "domian", "zone_id", "b", "buckets_name", "x" * 25, "", "hosted_zone", "q"):
        close = difflib.get_close_matches(name, sorted(declared), n=1, cutoff=0.6)
        assert _closest(name, declared) == (close[0] if close else None)
        assert _closest(name, declared) == (close[0] if close else None)  # asked again: the kept answer


def test_a_later_round_finds_what_a_fresh_check_finds() -> None:
    """After a round of another rule's fixes, the blocks no fix changed keep what they referred
    to (main.tf keeps its tree here); what is found is what a fresh check finds."""
    from tffix.transforms.terraform.terraform_required_version import TerraformRequiredVersion

    files = {"versions.tf": "terraform {\n}\n",
             "main.tf": 'resource "aws_s3_bucket" "b" {\n  bucket = var.name\n  tags   = local.tags\n}\n\n'
                        'output "o" {\n  value = aws_s3_bucket.c.id\n}\n'}
    out, result = fix([R, TerraformRequiredVersion], files)
    assert out["versions.tf"] != files["versions.tf"] and out["main.tf"] == files["main.tf"]  # a second round ran
    _, fresh = fix(R, out)
    again = [(r.path, r.line, r.column, r.message) for r in fresh.remaining]
    assert [(r.path, r.line, r.column, r.message) for r in result.remaining if r.rule_id == "TFX520"] == again
    assert len(again) == 3
