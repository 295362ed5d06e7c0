"""TFX723 autoscaling-group-without-policy."""

from __future__ import annotations

from tffix.transforms.compute.autoscaling_group_without_policy import (
    AutoscalingGroupWithoutPolicy as R,
)

from .rulekit import findings, fix

GROUPS = """\
resource "aws_autoscaling_group" "app" {
  min_size            = 2
  max_size            = 4
  desired_capacity    = 2
  vpc_zone_identifier = aws_subnet.private[*].id
}

resource "aws_autoscaling_group" "workers" {
  count    = 2
  name     = "workers-${count.index}"
  min_size = "1"
  max_size = "3"
}

resource "aws_autoscaling_group" "fixed" {
  min_size = 3
  max_size = 3
}

resource "aws_autoscaling_group" "sized_by_caller" {
  min_size = var.min_size
  max_size = 10
}
"""

POLICY = """
resource "aws_autoscaling_policy" "cpu" {
  name                   = "cpu"
  autoscaling_group_name = aws_autoscaling_group.app.name
  policy_type            = "TargetTrackingScaling"
}
"""


def _records(files):
    out, result = fix(R, files)
    assert out == (files if isinstance(files, dict) else {"main.tf": files})
    assert all(not r.fixable for r in result.remaining)
    return [(r.path, r.line, r.column, r.message) for r in result.remaining]


def test_reports_groups_nothing_scales(snapshot) -> None:
    records = _records(GROUPS)
    assert [(line, col) for _, line, col, _ in records] == [(1, 1), (8, 1)]
    assert records == snapshot


def test_policies_and_schedules_cover_their_group() -> None:
    assert findings(R, GROUPS + POLICY) == [("TFX723", 8, False)]
    schedule = ('\nresource "aws_autoscaling_schedule" "night" {\n'
                '  autoscaling_group_name = try(aws_autoscaling_group.workers[0].name, "")\n}\n')
    assert findings(R, GROUPS + POLICY + schedule) == []


def test_literal_group_name_counts_and_unknown_names_silence_the_module() -> None:
    text = ('resource "aws_autoscaling_group" "a" {\n  name     = "web"\n  min_size = 1\n  max_size = 2\n}\n\n'
            'resource "aws_autoscaling_policy" "p" {\n  autoscaling_group_name = "web"\n}\n')
    assert findings(R, text) == []
    other = text.replace('autoscaling_group_name = "web"', "autoscaling_group_name = var.group_name")
    assert findings(R, other) == []
    unrelated = text.replace('autoscaling_group_name = "web"', 'autoscaling_group_name = "api"')
    assert findings(R, unrelated) == []


def test_groups_scaled_outside_the_module_are_left_alone() -> None:
    text = """\
resource "aws_autoscaling_group" "ecs" {
  min_size = 0
  max_size = 10
}

resource "aws_ecs_capacity_provider" "ecs" {
  auto_scaling_group_provider {
    auto_scaling_group_arn = aws_autoscaling_group.ecs.arn
  }
}

resource "aws_autoscaling_group" "eks" {
  min_size = 1
  max_size = 5

  tag {
    key                 = "k8s.io/cluster-autoscaler/enabled"
    value               = "true"
    propagate_at_launch = false
  }
}

resource "aws_autoscaling_group" "scaled_by_module" {
  min_size = 1
  max_size = 5
}

module "scaling" {
  source     = "./scaling"
  group_name = aws_autoscaling_group.scaled_by_module.name
}
"""
    assert findings(R, text) == []


def test_an_output_is_not_a_policy() -> None:
    text = ('resource "aws_autoscaling_group" "a" {\n  min_size = 1\n  max_size = 2\n}\n\n'
            'output "name" {\n  value = aws_autoscaling_group.a.name\n}\n')
    assert findings(R, text) == [("TFX723", 1, False)]


def test_multi_file_module() -> None:
    files = {"asg.tf": GROUPS, "scaling.tf": POLICY.lstrip()}
    assert [(p, line) for p, line, _, _ in _records(files)] == [("asg.tf", 8)]


def test_suppression_comment() -> None:
    text = '# tffix:ignore[TFX723]\nresource "aws_autoscaling_group" "a" {\n  min_size = 1\n  max_size = 2\n}\n'
    assert findings(R, text) == []


def test_a_kubernetes_tag_in_a_comment_does_not_count() -> None:
    text = ('resource "aws_autoscaling_group" "eks" {\n  min_size = 1\n  max_size = 5\n\n'
            '  # one day: tag k8s.io/cluster-autoscaler/enabled\n  tag {\n    key                 = "team"\n'
            '    value               = "kubernetes.io/cluster/x"\n    propagate_at_launch = false\n  }\n}\n')
    assert findings(R, text) == []  # the value names a cluster: a string, so it counts
    commented = text.replace('"kubernetes.io/cluster/x"', '"eks" # kubernetes.io/cluster/x')
    assert findings(R, commented) == [("TFX723", 1, False)]
