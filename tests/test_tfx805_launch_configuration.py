"""TFX805 launch-configuration."""

from __future__ import annotations

from tffix.transforms.compute.launch_configuration import LaunchConfiguration as R

from .rulekit import findings, fix

MODULE = """\
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
}

output "launch_configuration" {
  value = aws_launch_configuration.web.name
}
"""

TEMPLATE = """\
resource "aws_launch_template" "web" {
  name_prefix   = "web-"
  image_id      = data.aws_ami.al2023.id
  instance_type = "t3.micro"
}

resource "aws_autoscaling_group" "web" {
  min_size = 1
  max_size = 3

  launch_template {
    id      = aws_launch_template.web.id
    version = "$Latest"
  }
}
"""


def _records(files):
    out, result = fix(R, files)
    assert out == (files if isinstance(files, dict) else {"main.tf": files})
    return [(r.path, r.line, r.column, r.fixable, r.message) for r in result.remaining]


def test_reports_launch_configuration(snapshot) -> None:
    records = _records(MODULE)
    assert [(line, fixable) for _, line, _, fixable, _ in records] == [(1, False)]
    assert "aws_autoscaling_group.web" in records[0][4]
    assert "output" not in records[0][4]
    assert records == snapshot


def test_launch_template_is_fine() -> None:
    assert findings(R, TEMPLATE) == []


def test_without_group_and_with_count() -> None:
    alone = 'resource "aws_launch_configuration" "lc" {\n  count         = var.create ? 1 : 0\n' \
            '  image_id      = var.ami\n  instance_type = var.instance_type\n}\n'
    records = _records(alone)
    assert [(line, fixable) for _, line, _, fixable, _ in records] == [(1, False)]
    assert "point the Auto Scaling group at it" in records[0][4]


def test_group_in_another_file() -> None:
    lc, asg = MODULE.split('resource "aws_autoscaling_group"')
    records = _records({"lc.tf": lc, "asg.tf": 'resource "aws_autoscaling_group"' + asg})
    assert [(path, line) for path, line, *_ in records] == [("lc.tf", 1)]
    assert "aws_autoscaling_group.web" in records[0][4]


def test_suppression_comment() -> None:
    assert findings(R, "# tffix:ignore[TFX805]\n" + MODULE) == []
