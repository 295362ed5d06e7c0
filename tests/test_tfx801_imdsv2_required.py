"""TFX801 imdsv2-required."""

from __future__ import annotations

import pytest
from tffix.transforms.compute.imdsv2_required import Imdsv2Required as R

from .rulekit import check_fix, findings, fix, unchanged

INSTANCE = """\
resource "aws_instance" "app" {
  count         = 2
  ami           = "ami-0123456789abcdef0"
  instance_type = "t3.micro"

  tags = {
    Name = "app-${count.index}"
  }

  depends_on = [aws_iam_role_policy.app]
}
"""

TEMPLATE = """\
resource "aws_launch_template" "nodes" {
  for_each = var.pools
  image_id = each.value.ami

  metadata_options {
    http_endpoint               = "enabled"
    http_tokens                 = "optional"
    http_put_response_hop_limit = 2
  }
}
"""


def test_instance_gets_the_block_before_depends_on(snapshot) -> None:
    diff = check_fix(R, INSTANCE)
    assert '+  metadata_options {\n+    http_tokens = "required"\n+  }\n+\n   depends_on' in diff
    assert diff == snapshot


def test_optional_becomes_required_in_launch_template(snapshot) -> None:
    diff = check_fix(R, TEMPLATE)
    assert '+    http_tokens                 = "required"\n' in diff
    assert diff == snapshot


def test_existing_block_without_tokens_gets_them() -> None:
    text = ('resource "aws_instance" "i" {\n  ami = "ami-1"\n\n  metadata_options {\n'
            '    http_endpoint = "enabled"\n  }\n}\n')
    out, _ = fix(R, text)
    assert '    http_endpoint = "enabled"\n    http_tokens   = "required"\n' in out["main.tf"]


def test_fix_is_unsafe_in_place() -> None:
    out, result = fix(R, {"a.tf": INSTANCE, "b.tf": TEMPLATE}, unsafe=False)
    assert out == {"a.tf": INSTANCE, "b.tf": TEMPLATE}
    assert {(r.held_back, r.safety, r.impact) for r in result.remaining} == {(True, "unsafe", "in-place update")}


def test_dynamic_block_counts_as_present() -> None:
    text = ('resource "aws_launch_template" "t" {\n  dynamic "metadata_options" {\n    for_each = [1]\n'
            '    content {\n      http_tokens = var.tokens\n    }\n  }\n}\n')
    assert unchanged(R, text)
    assert findings(R, text) == [("TFX801", 5, False)]
    literal = text.replace("var.tokens", '"optional"')
    out, _ = fix(R, literal)
    assert out["main.tf"] == literal.replace('"optional"', '"required"')


@pytest.mark.parametrize("body", ['http_tokens = "required"', 'http_endpoint = "disabled"'])
def test_required_or_disabled_is_left_alone(body: str) -> None:
    for kind in ("aws_instance", "aws_launch_template"):
        text = f'resource "{kind}" "x" {{\n  metadata_options {{\n    {body}\n  }}\n}}\n'
        assert unchanged(R, text) and findings(R, text) == []


def test_expression_is_reported_without_fix() -> None:
    text = 'resource "aws_instance" "i" {\n  metadata_options {\n    http_tokens = var.imds_tokens\n  }\n}\n'
    assert unchanged(R, text)
    assert findings(R, text) == [("TFX801", 3, False)]


def test_other_resources_are_ignored() -> None:
    assert unchanged(R, 'resource "aws_launch_configuration" "lc" {\n  image_id = "ami-1"\n}\n')


@pytest.mark.parametrize("comment", ["# tffix:ignore[TFX801]", "#trivy:ignore:AVD-AWS-0028"])
def test_suppression(comment: str) -> None:
    assert unchanged(R, f"{comment}\n" + INSTANCE)
    assert unchanged(R, INSTANCE.replace("  count", "  #checkov:skip=CKV_AWS_79:legacy agent\n  count"))


V1_SCRIPT = "#!/bin/bash\nREGION=$(curl -s http://169.254.169.254/latest/meta-data/placement/region)\n"
V2_SCRIPT = ('#!/bin/bash\nT=$(curl -s -X PUT http://169.254.169.254/latest/api/token '
             '-H "X-aws-ec2-metadata-token-ttl-seconds: 60")\n'
             'curl -s -H "X-aws-ec2-metadata-token: $T" http://169.254.169.254/latest/meta-data/instance-id\n')


def _instance(user_data: str, kind: str = "aws_instance", name: str = "user_data") -> str:
    return f'resource "{kind}" "app" {{\n  ami = "ami-123"\n  {name} = {user_data}\n}}\n'


@pytest.mark.parametrize("user_data", [
    "<<-EOF\n    #!/bin/bash\n    curl http://169.254.169.254/latest/meta-data/instance-id\n  EOF",
    '"#!/bin/sh\\nwget -qO- http://instance-data/latest/meta-data/local-ipv4"',
    'file("${path.module}/boot.sh")',
    'templatefile("boot.sh", { name = "x" })',
    "base64encode(local.script)",
    "data.template_file.boot.rendered",
])
def test_user_data_calling_imdsv1_is_reported_without_a_fix(tmp_path, user_data: str) -> None:
    (tmp_path / "boot.sh").write_text(V1_SCRIPT)
    extra = ('locals {\n  script = file("boot.sh")\n}\n'
             'data "template_file" "boot" {\n  template = file("${path.module}/boot.sh")\n}\n')
    text = _instance(user_data) + extra
    out, result = fix(R, text, directory=str(tmp_path))
    assert out["main.tf"] == text
    (record,) = result.remaining
    assert not record.fixable and "calls the metadata service without a session token" in record.message


def test_launch_template_base64_user_data_is_read(tmp_path) -> None:
    (tmp_path / "boot.sh").write_text(V1_SCRIPT)
    text = _instance('filebase64("${path.module}/boot.sh")', "aws_launch_template")
    assert unchanged(R, text, directory=str(tmp_path))


def test_user_data_with_tokens_is_fixed(tmp_path) -> None:
    (tmp_path / "boot.sh").write_text(V2_SCRIPT)
    out, result = fix(R, _instance('file("boot.sh")'), directory=str(tmp_path))
    assert 'http_tokens = "required"' in out["main.tf"]
    assert "could not read" not in result.fixed[0].message


def test_unreadable_user_data_is_fixed_and_named(tmp_path) -> None:
    out, result = fix(R, _instance("var.user_data"), directory=str(tmp_path))
    assert 'http_tokens = "required"' in out["main.tf"]
    assert "could not read the user data (var.user_data)" in result.fixed[0].message
    assert "could not read the user data (var.user_data)" in result.fixed[0].fix
    out, result = fix(R, _instance('file("missing.sh")'), directory=str(tmp_path))
    assert 'could not read the user data ("missing.sh")' in result.fixed[0].message


def test_a_comment_mentioning_the_address_is_not_a_call() -> None:
    text = ('resource "aws_instance" "app" {\n  ami = "ami-123"\n'
            '  # user data used to call 169.254.169.254\n  user_data = "#!/bin/sh\\necho hi"\n}\n')
    out, _ = fix(R, text)
    assert 'http_tokens = "required"' in out["main.tf"]


LAUNCH_CONFIGURATION = """\
resource "aws_launch_configuration" "web" {
  name_prefix   = "web-"
  image_id      = var.ami_id
  instance_type = "t3.micro"

  lifecycle {
    create_before_destroy = true
  }
}
"""


def test_replaceable_launch_configuration_is_fixed_with_replacement_impact(snapshot) -> None:
    diff = check_fix(R, LAUNCH_CONFIGURATION)
    assert '+  metadata_options {\n+    http_tokens = "required"\n+  }\n' in diff
    _, result = fix(R, LAUNCH_CONFIGURATION, unsafe=False)
    assert [(r.held_back, r.impact, r.safety) for r in result.remaining] == [(True, "forces replacement", "unsafe")]
    assert diff == snapshot


@pytest.mark.parametrize("change, why", [
    (("  lifecycle {\n    create_before_destroy = true\n  }\n", ""), "create_before_destroy"),
    (("  lifecycle {\n    create_before_destroy = true\n  }\n",
      "  lifecycle {\n    create_before_destroy = var.cbd\n  }\n"), "create_before_destroy"),
    (('name_prefix   = "web-"', 'name          = "web"'), "fixed name"),
])
def test_launch_configuration_that_cannot_be_replaced_is_reported(change, why) -> None:
    text = LAUNCH_CONFIGURATION.replace(*change)
    out, result = fix(R, text)
    assert out == {"main.tf": text}
    [f] = result.remaining
    assert not f.fixable and why in f.message and "can only be replaced" in f.message
