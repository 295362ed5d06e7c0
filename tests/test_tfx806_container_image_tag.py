"""TFX806 container-image-tag."""

from __future__ import annotations

import pytest
from tffix.transforms.compute.container_image_tag import HOLE, unpinned
from tffix.transforms.compute.container_image_tag import ContainerImageTag as R

from .rulekit import findings, fix

MODULE = """\
resource "aws_ecs_task_definition" "api" {
  family = "api"
  container_definitions = jsonencode([
    {
      name      = "payment-api"
      image     = "nginx:latest"
      essential = true
    },
    {
      name  = "sidecar"
      image = "public.ecr.aws/aws-observability/aws-otel-collector"
    },
    {
      name  = "pinned"
      image = "public.ecr.aws/docker/library/redis:7.2"
    },
  ])
}

resource "aws_ecs_task_definition" "heredoc" {
  family                = "heredoc"
  container_definitions = <<DEFINITION
[
  {
    "name": "app",
    "image": "${aws_ecr_repository.app.repository_url}:latest",
    "essential": true
  },
  {
    "name": "tagged",
    "image": "${aws_ecr_repository.app.repository_url}:${var.tag}"
  }
]
DEFINITION
}

resource "aws_ecs_task_definition" "literal_json" {
  family                = "literal"
  container_definitions = "[{\\"name\\": \\"web\\", \\"image\\": \\"httpd\\"}]"
}
"""


def _records(files):
    out, result = fix(R, files)
    assert out == (files if isinstance(files, dict) else {"main.tf": files})
    return [(r.path, r.line, r.column, r.fixable, r.message) for r in result.remaining]


def test_reports_unpinned_images(snapshot) -> None:
    records = _records(MODULE)
    assert [line for _, line, *_ in records] == [6, 11, 22, 39]
    assert records == snapshot


@pytest.mark.parametrize(("image", "why"), [
    ("nginx:latest", "the latest tag"),
    ("nginx", "no tag (Docker pulls latest)"),
    ("localhost:5000/app", "no tag (Docker pulls latest)"),
    ("localhost:5000/app:1.2", None),
    ("nginx@sha256:0123abcd", None),
    ("nginx:latest@sha256:0123abcd", None),
    (f"{HOLE}:latest", "the latest tag"),
    (f"{HOLE}:{HOLE}", None),
    (HOLE, None),
    (f"{HOLE}/app", None),
    ("", None),
])
def test_unpinned(image, why) -> None:
    assert unpinned(image) == why


def test_expressions_are_not_reported() -> None:
    text = """\
resource "aws_ecs_task_definition" "t" {
  family = "t"
  container_definitions = jsonencode([
    {
      name  = "a"
      image = var.container_image
    },
    {
      name  = "b"
      image = "${aws_ecr_repository.app.repository_url}:${var.image_tag}"
    },
    {
      name  = "c"
      image = var.use_latest ? "nginx:latest" : "nginx:1.25"
    },
  ])
}

resource "aws_ecs_task_definition" "file" {
  family                = "f"
  container_definitions = templatefile("${path.module}/app.json.tpl", { image = "nginx:latest" })
}

resource "aws_ecs_task_definition" "var" {
  family                = "v"
  container_definitions = var.container_definitions
}
"""
    assert findings(R, text) == []


def test_pinned_is_fine() -> None:
    fixed = MODULE.replace('"nginx:latest"', '"nginx:1.27.2"').replace(
        "aws-otel-collector", "aws-otel-collector:v0.40.0").replace(":latest", ":v1").replace(
        'httpd\\"', 'httpd@sha256:0123\\"')
    assert findings(R, fixed) == []


def test_through_locals_and_for_each() -> None:
    text = """\
locals {
  web = {
    name  = "web"
    image = "nginx"
  }
  containers = [local.web]
}

resource "aws_ecs_task_definition" "t" {
  for_each              = toset(["a", "b"])
  family                = each.key
  container_definitions = jsonencode(local.containers)
}
"""
    assert findings(R, text) == [("TFX806", 4, False)]


def test_suppression_comment() -> None:
    assert [line for _, line, _ in findings(R, "# tffix:ignore[TFX806]\n" + MODULE)] == [23, 40]


def test_heredoc_container_name_is_the_containers_own() -> None:
    text = """\
resource "aws_ecs_task_definition" "wp" {
  family                = "wp"
  container_definitions = <<EOF
[
  {
    "environment": [{"name": "DB_HOST", "value": "${aws_rds_cluster.this.endpoint}"}],
    "image": "wordpress",
    "name": "wordpress"
  }
]
EOF
}
"""
    records = _records(text)
    assert [line for _, line, *_ in records] == [3]
    assert 'container "wordpress" runs image "wordpress"' in records[0][4]
