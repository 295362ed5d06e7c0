"""TFX831: non-production instances, databases and caches are not xlarge or larger."""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

from tffix.engine.module import BlockRef, Module, SourceFile
from tffix.engine.rules import (
    DISPLAY_ONLY,
    FIX_NEVER,
    IMPACT_NONE,
    Finding,
    Rule,
    literal,
)
from tffix.syntax import cst
from tffix.transforms.lib.environment import environment_of, variable_values

# resource type -> the arguments that hold an instance size
TARGETS: dict[str, tuple[str, ...]] = {
    "aws_instance": ("instance_type",),
    "aws_spot_instance_request": ("instance_type",),
    "aws_launch_template": ("instance_type",),
    "aws_launch_configuration": ("instance_type",),
    "aws_eks_node_group": ("instance_types",),
    "aws_db_instance": ("instance_class",),
    "aws_rds_cluster_instance": ("instance_class",),
    "aws_rds_cluster": ("db_cluster_instance_class",),
    "aws_elasticache_cluster": ("node_type",),
    "aws_elasticache_replication_group": ("node_type",),
}
SMALL = {"nano": -4, "micro": -3, "small": -2, "medium": -1, "large": 0}


def size_rank(size: str) -> int | None:
    """Orders sizes: nano < ... < large < xlarge (1) < 2xlarge (2) < ... < metal; None for
    anything else (``serverless``, a typo)."""
    size = size.strip().lower()
    if size in SMALL:
        return SMALL[size]
    if (m := re.fullmatch(r"(\d*)xlarge", size)) is not None:
        return int(m[1] or 1)
    if re.fullmatch(r"metal(-\d+xl)?", size):
        return 10**6
    return None


def type_rank(value: str) -> int | None:
    """The size rank of an instance type (``m5.2xlarge``, ``db.r6g.xlarge``,
    ``cache.m6g.large``)."""
    parts = value.strip().split(".")
    if len(parts) < 2 or not all(parts):
        return None
    return size_rank(parts[-1])


def _is_literal(expr: cst.Node) -> bool:
    """Is ``literal(expr)`` known (without decoding the string)?"""
    if isinstance(expr, cst.Literal):
        return True
    return isinstance(expr, cst.Template) and all(isinstance(part, str) for part in expr.parts)


def _may_spell_size(text: str, threshold: int) -> bool:
    """Could a literal string written in a file whose text is ``text`` have a ``type_rank`` of
    ``threshold`` or more? From ``xlarge`` (1) up, a size spells ``xlarge`` or ``metal`` in
    any case (``str.lower`` maps no other character to these letters), and the value of a
    string without a backslash escape is its text as written (``$${`` and ``%%{`` lose a
    ``$`` or ``%`` between, not letters)."""
    if threshold < 1 or "\\" in text:
        return True
    lower = text.lower()
    return "xlarge" in lower or "metal" in lower


def _values(module: Module, expr: cst.Node) -> list[tuple[SourceFile, cst.Node, str, str]]:
    """The literal values an argument takes: ``(file, node, value, origin)``. A literal is
    itself; ``var.x`` is the values ``.tfvars`` files give it, else its literal default.
    Anything else has no known value."""
    known, value = literal(expr)
    if known:
        return []  # filled by the caller, which knows the file
    inner = cst.sole_expression(expr)
    if not isinstance(inner, cst.Traversal) or len(inner.path) != 2 or inner.path[0] != "var":
        return []
    name = inner.path[1]
    from_tfvars, values = variable_values(module, name)
    out = []
    for f, attr in values:
        known, value = literal(attr.value)
        if known and isinstance(value, str):
            origin = f"var.{name} as {f.display} sets it" if from_tfvars else f"the default of var.{name}"
            out.append((f, attr.value, value, f"{value} ({origin})"))
    return out


class NonProductionInstanceSize(Rule):
    """
    ## What it does
    In a module whose environment is known to be non-production (`dev`, `test`, `staging`,
    `qa`, `sandbox`... in the resource's own names and tags, the module's environment
    variables and `.tfvars` files, or an `environments/<env>/` directory: see TFX822),
    reports instance sizes of `xlarge` or larger (`xlarge`, `2xlarge`, ... `48xlarge`,
    `metal`) in:

    - `instance_type` of `aws_instance`, `aws_spot_instance_request`, `aws_launch_template`,
      `aws_launch_configuration`, and each item of `aws_eks_node_group` `instance_types`;
    - `instance_class` of `aws_db_instance` and `aws_rds_cluster_instance`,
      `db_cluster_instance_class` of `aws_rds_cluster`;
    - `node_type` of `aws_elasticache_cluster` and `aws_elasticache_replication_group`.

    A literal value is reported where it is written. `var.x` is reported at the values
    the module's `.tfvars` files give it or, when none does, at the variable's literal
    `default`. Other expressions (`var.env == "prod" ? ... : ...`, a lookup map) are left
    alone, and so are modules whose environment is unknown or production (every reusable
    module). Display only.

    Options (`[tool.tffix.rules.TFX831]` in `pyproject.toml`, or `.tffix.toml`):
    `min-size = "xlarge"`, the smallest size reported (`large`, `2xlarge`, `metal`...). A
    value that is not a size stops the rule with an error.

    ## Why is this bad?
    Seed 000 §9 ("Oversized instance types for development/testing environments") and seed
    002 §5.3 ("Oversized RDS Instance"): development and test copies of a stack carry a
    fraction of the production load, yet within a family each size step roughly doubles
    vCPUs, memory and the hourly price, so an `xlarge` costs about twice a `large`, and the
    cost repeats in every non-production copy, all day.

    ## Example
    ```hcl
    variable "environment" {
      default = "dev"
    }

    resource "aws_db_instance" "app" {
      identifier     = "app-${var.environment}"
      engine         = "postgres"
      instance_class = "db.r6g.2xlarge"
    }
    ```

    ## Use instead
    ```hcl
    resource "aws_db_instance" "app" {
      identifier     = "app-${var.environment}"
      engine         = "postgres"
      instance_class = var.environment == "prod" ? "db.r6g.2xlarge" : "db.t4g.medium"
    }
    ```
    or a per-environment `instance_class` variable set in each environment's `.tfvars`.

    ## Fix safety
    No fix: the right size depends on the workload, and the environment guess comes from
    names.

    ## Deployment impact
    None (display only). Changing the size yourself restarts EC2 instances and modifies
    RDS / ElastiCache instances in place with a short outage (Multi-AZ RDS fails over).

    ## References
    - Amazon EC2 User Guide, "Instance type naming conventions" (`family.size`; sizes from
      `nano` to `48xlarge` and `metal`); Amazon RDS User Guide, "DB instance classes";
      Amazon ElastiCache User Guide, "Supported node types"
    - Terraform AWS provider docs: `aws_instance` / `aws_launch_template` (`instance_type`),
      `aws_eks_node_group` (`instance_types`), `aws_db_instance` / `aws_rds_cluster_instance`
      (`instance_class`), `aws_rds_cluster` (`db_cluster_instance_class`),
      `aws_elasticache_cluster` / `aws_elasticache_replication_group` (`node_type`)
    - Seed 000 §9, seed 002 §5.3 (`../shared/seeds`)
    - No Checkov or Trivy check judges sizes by environment
    """

    id = "TFX831"
    name = "non-production-instance-size"
    summary = "Non-production instances, databases and caches are smaller than xlarge"
    fix_availability = FIX_NEVER
    safety = DISPLAY_ONLY
    impact = IMPACT_NONE
    options = {"min-size": "xlarge"}

    def check(self, module: Module, options: dict[str, Any]) -> Iterator[Finding]:
        minimum = options.get("min-size", "xlarge")
        threshold = size_rank(minimum) if isinstance(minimum, str) else None
        if threshold is None:
            raise ValueError(f"option min-size = {minimum!r} is not an instance size (large, xlarge, 2xlarge, "
                             f"..., metal)")
        seen: set[int] = set()
        sizes: dict[int, bool] = {}  # by file: can a literal written there be of the minimum size or larger?
        for ref in module.resources(*TARGETS):
            for name in TARGETS[ref.block.labels[0].value]:
                attr = ref.block.get_attribute(name)
                if attr is None:
                    continue
                values = attr.value.items if isinstance(attr.value, cst.Tuple) else [attr.value]
                candidates = []
                for value in values:
                    if _is_literal(value):
                        here = sizes.get(id(ref.file))
                        if here is None:
                            here = sizes[id(ref.file)] = _may_spell_size(ref.file.text, threshold)
                        if not here:
                            continue  # a literal that is no such size
                    known, text = literal(value)
                    if known:
                        if isinstance(text, str):
                            candidates.append((ref.file, value, text, ""))
                    else:
                        candidates += _values(module, value)
                big = [c for c in candidates if (rank := type_rank(c[2])) is not None and rank >= threshold]
                if not big:
                    continue
                env = environment_of(module, ref)
                if env.production is not False:
                    continue
                for file, node, text, origin in big:
                    if id(node) in seen:
                        continue
                    seen.add(id(node))
                    yield self._report(ref, name, file, node, text, origin, env.evidence, minimum)

    def _report(self, ref: BlockRef, name: str, file: SourceFile, node: cst.Node, value: str, origin: str,
                evidence: str, minimum: str) -> Finding:
        message = (f"{ref.address} {name} is {origin or value} in a non-production environment ({evidence}): sizes "
                   f"from {minimum} up cost a multiple of a smaller size of the same family in every copy of "
                   f"the environment; use a smaller size outside production, or set it per environment")
        return self.finding(file, node, message, block=_owner(file, node))


def _owner(file: SourceFile, node: cst.Node) -> cst.Block | None:
    """The top-level block of ``file`` that contains ``node`` (None in a ``.tfvars`` file)."""
    for item in file.tree.body.items:
        if isinstance(item, cst.Block) and any(n is node for n in item.walk()):
            return item
    return None
