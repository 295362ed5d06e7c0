"""TFX806: ECS task definitions pin their container images."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from typing import Any

from tffix.engine.module import BlockRef, Module
from tffix.engine.rules import DISPLAY_ONLY, FIX_NEVER, IMPACT_NONE, Finding, Rule
from tffix.syntax import cst
from tffix.syntax.strings import HOLE, string_text

_IMAGE = re.compile(r'"image"\s*:\s*"((?:[^"\\]|\\.)*)"')
_NAME = re.compile(r'"name"\s*:\s*"([^"\\' + HOLE + r']*)"')


def unpinned(image: str) -> str | None:
    """Why ``image`` (its text, with ``HOLE`` for interpolations) is not pinned, or None when it
    is pinned or the rule cannot tell. Only the literal text after the last interpolation can
    prove a moving tag: ``${repo}:latest`` is, ``${repo}:${tag}`` and ``${image}`` are unknown."""
    if "@" in image:
        return None  # a digest (name@sha256:...)
    if HOLE in image:
        tail = image.rsplit(HOLE, 1)[1]
        return "the latest tag" if tail == ":latest" else None
    if not image.strip():
        return None
    last = image.rsplit("/", 1)[-1]
    if ":" not in last:
        return "no tag (Docker pulls latest)"
    if last.rsplit(":", 1)[1] == "latest":
        return "the latest tag"
    return None


def _string_text(expr: cst.Node) -> str | None:
    """The text of a quoted string or heredoc with ``HOLE`` for each sequence; None for
    anything else."""
    st = string_text(expr)
    return st.value() if st is not None else None


def _container_name(text: str, pos: int) -> str | None:
    """The ``"name"`` member of the JSON object around ``pos`` (not of the objects nested in it)."""
    depth, start = 0, -1
    for i in range(pos - 1, -1, -1):
        if text[i] in "}]":
            depth += 1
        elif text[i] in "{[":
            if depth == 0:
                start = i
                break
            depth -= 1
    if start < 0 or text[start] != "{":
        return None
    own = []
    depth = 0
    for ch in text[start + 1:]:
        if ch in "{[":
            depth += 1
        elif ch in "}]":
            if depth == 0:
                break
            depth -= 1
        own.append(ch if depth == 0 and ch not in "}]" else " ")
    found = _NAME.search("".join(own))
    return found.group(1) if found else None


def _restore(text: str, codes: list[str]) -> str:
    """``text`` with its holes replaced by the sequences' source, in order."""
    pieces = text.split(HOLE)
    return "".join(p + (codes[i] if i < len(codes) else "") for i, p in enumerate(pieces[:-1])) + pieces[-1]


class ContainerImageTag(Rule):
    """
    ## What it does
    Reports container images in an `aws_ecs_task_definition`'s `container_definitions` that
    are not pinned: an `image` that ends in `:latest`, or has neither a tag nor an
    `@sha256:` digest (`"nginx"`, which Docker pulls as `nginx:latest`). It reads both forms
    the definitions are written in:
    - `jsonencode([...])` with literal objects (also through a `local`), where the finding
      points at the `image` value;
    - a JSON string or heredoc, where the finding points at `container_definitions`.

    An image built from an expression (`var.image`,
    `"${aws_ecr_repository.app.repository_url}:${var.tag}"`) is not reported: its tag is
    decided elsewhere. A literal `:latest` after an interpolation
    (`"${aws_ecr_repository.app.repository_url}:latest"`) is. Definitions read from
    `file()` or `templatefile()` are not opened. Display only.

    ## Why is this bad?
    A moving tag makes the task definition say nothing about what runs. An ECS service
    resolves the tag to a digest when it deploys (container image resolution, for services
    created or updated since mid-2024) and keeps that digest for the tasks of the deployment,
    but the next deployment for any reason (an unrelated change to the task definition, a
    forced deployment) silently picks up whatever was pushed last; rolling back to an earlier
    task definition revision does not roll the code back, because it names the same tag; and
    standalone or scheduled tasks (`RunTask`), or containers with `versionConsistency =
    "disabled"`, pull the tag again every time they start. A public `nginx:latest` is usually
    a placeholder that was never replaced by the real application image (seed 003 §4 "ECS Task
    Definition Missing Container Image").

    ## Example
    ```hcl
    resource "aws_ecs_task_definition" "api" {
      family                   = "api"
      requires_compatibilities = ["FARGATE"]
      network_mode             = "awsvpc"
      cpu                      = 256
      memory                   = 512
      container_definitions = jsonencode([{
        name      = "api"
        image     = "nginx:latest"
        essential = true
      }])
    }
    ```

    ## Use instead
    ```hcl
    resource "aws_ecs_task_definition" "api" {
      family                   = "api"
      requires_compatibilities = ["FARGATE"]
      network_mode             = "awsvpc"
      cpu                      = 256
      memory                   = 512
      container_definitions = jsonencode([{
        name      = "api"
        image     = "${aws_ecr_repository.api.repository_url}:${var.image_tag}"
        essential = true
      }])
    }
    ```
    Pass an immutable tag (a release version or the commit SHA) or a digest from the
    pipeline, and make the repository's tags immutable (TFX803).

    ## Fix safety
    No fix: which version should run is not something tffix can know.

    ## Deployment impact
    None (display only). Changing `container_definitions` yourself creates a new task
    definition revision (the resource is replaced) and the service rolls its tasks onto it.

    ## References
    - Amazon ECS API Reference, `ContainerDefinition.image` (`repository-url/image:tag` or
      `repository-url/image@digest`, `sha256` digests; "When a new task starts, the Amazon ECS
      container agent pulls the latest version of the specified image and tag"),
      `ContainerDefinition.versionConsistency` and `ContainerImage` (a service resolves tags to
      digests so that all its tasks run identical images); Amazon ECS Developer Guide,
      "Container image resolution"
    - Docker: an image reference without a tag means the `latest` tag
    - Terraform AWS provider docs, `aws_ecs_task_definition` (`container_definitions` is a JSON
      string, usually written with `jsonencode`; changes force a new revision)
    - Checkov has no ECS image check; CKV_K8S_14 (`checkov/terraform/checks/resource/kubernetes/
      ImageTagFixed.py`) is the same idea for `kubernetes_pod` / `kubernetes_deployment`, which
      this rule does not read, so it is not mapped. No Trivy check found.
    - Seed 003 §4 (`../shared/seeds`)
    """

    id = "TFX806"
    name = "container-image-tag"
    summary = "ECS container images should be pinned to a version tag or digest, not latest"
    fix_availability = FIX_NEVER
    safety = DISPLAY_ONLY
    impact = IMPACT_NONE

    def check(self, module: Module, options: dict[str, Any]) -> Iterator[Finding]:
        locals_ = module.locals()
        for ref in module.resources("aws_ecs_task_definition"):
            attr = ref.block.get_attribute("container_definitions")
            if attr is None:
                continue
            value = self._local(attr.value, locals_)
            if isinstance(value, cst.FunctionCall) and value.name == "jsonencode" and len(value.arguments) == 1:
                yield from self._encoded(ref, value.arguments[0], locals_)
            else:
                yield from self._json(ref, attr.value, value)

    @staticmethod
    def _local(expr: cst.Node, locals_: dict[str, tuple[Any, cst.Attribute]]) -> cst.Node:
        """Follow ``local.x`` (a few levels) to the local's expression."""
        for _ in range(5):
            if isinstance(expr, cst.Traversal) and len(expr.path) == 2 and expr.path[0] == "local":
                found = locals_.get(expr.path[1])
                if found is None:
                    break
                expr = found[1].value
            else:
                break
        return expr

    def _encoded(self, ref: BlockRef, containers: cst.Node, locals_: dict[str, Any]) -> Iterator[Finding]:
        containers = self._local(containers, locals_)
        if not isinstance(containers, cst.Tuple):
            return
        for item in containers.items:
            container = self._local(item, locals_)
            if not isinstance(container, cst.Object):
                continue
            image = container.get("image")
            if image is None:
                continue
            text = _string_text(image.value)
            why = unpinned(text) if text is not None else None
            if why is None:
                continue
            name = container.get("name")
            label = name.value.literal_value if name is not None and isinstance(name.value, cst.Template) else None
            yield self._report(ref, image.value, image.value.code.strip(), why, label)

    def _json(self, ref: BlockRef, node: cst.Node, value: cst.Node) -> Iterator[Finding]:
        text = _string_text(value)
        if text is None:
            return
        try:  # a literal JSON document: read it properly
            data = json.loads(text) if HOLE not in text else None
        except ValueError:
            data = None
        if isinstance(data, list):
            for container in data:
                if isinstance(container, dict) and isinstance(container.get("image"), str):
                    why = unpinned(container["image"])
                    if why is not None:
                        label = container.get("name") if isinstance(container.get("name"), str) else None
                        yield self._report(ref, node, json.dumps(container["image"]), why, label)
            return
        # JSON with interpolations: find the "image" members in the text
        codes = [hole.node.code.strip() for hole in string_text(value).holes]  # type: ignore[union-attr]
        for match in _IMAGE.finditer(text):
            why = unpinned(match.group(1))
            if why is None:
                continue
            name = _container_name(text, match.start())
            shown = '"' + _restore(match.group(1), codes[text.count(HOLE, 0, match.start(1)):]) + '"'
            yield self._report(ref, node, shown, why, name)

    def _report(self, ref: BlockRef, node: cst.Node, image: str, why: str, container: str | None) -> Finding:
        where = f' container "{container}"' if container else ""
        return self.finding(
            ref.file, node,
            f"{ref.address}{where} runs image {image}, which has {why}: the version that runs is whatever the tag "
            f"points to when the service next deploys or a task starts; pin a version tag or an @sha256: digest "
            f"(for example from a variable the pipeline sets)",
            block=ref.block,
        )
