"""What kind of module this is: its environment (production or not), words in its names, root or reusable."""

from __future__ import annotations

import re
from dataclasses import dataclass

from tffix.engine.module import BlockRef, Module, SourceFile
from tffix.engine.rules import (
    literal,
)
from tffix.syntax import cst
from tffix.syntax.strings import string_text

# resources that fail in ways only a metric shows, and the metrics to alarm on first
WATCHED = {
    "aws_db_instance": "CPUUtilization, FreeStorageSpace, FreeableMemory",
    "aws_rds_cluster": "CPUUtilization, FreeableMemory, AuroraReplicaLag",
    "aws_lb": "HTTPCode_ELB_5XX_Count, UnHealthyHostCount, TargetResponseTime",
    "aws_alb": "HTTPCode_ELB_5XX_Count, UnHealthyHostCount, TargetResponseTime",
    "aws_ecs_service": "CPUUtilization, MemoryUtilization, RunningTaskCount",
    "aws_lambda_function": "Errors, Throttles, Duration",
    "aws_autoscaling_group": "GroupInServiceInstances, CPUUtilization",
    "aws_elasticache_replication_group": "CPUUtilization, DatabaseMemoryUsagePercentage, Evictions",
}
ALARMS = ("aws_cloudwatch_metric_alarm", "aws_cloudwatch_composite_alarm")


def is_root_module(module: Module) -> bool:
    """A module that configures a backend, a cloud block or a provider is deployed on its
    own (reusable modules receive their providers and leave alarms to the caller)."""
    for ref in module.blocks("terraform"):
        if ref.block.find_blocks("backend") or ref.block.find_blocks("cloud"):
            return True
    return any(True for _ in module.blocks("provider"))



PRODUCTION = frozenset({"prod", "production", "prd", "live"})
NON_PRODUCTION = frozenset({"dev", "develop", "development", "test", "testing", "qa", "uat", "staging", "stage",
                            "stg", "sandbox", "demo", "nonprod", "preprod", "ci", "local", "tmp", "temp"})
ENV_VARIABLES = frozenset({"environment", "env", "stage", "environment_suffix", "environment_name", "env_name",
                           "deployment_environment", "workspace_env"})
NAME_ARGUMENTS = ("identifier", "name", "cluster_identifier", "identifier_prefix", "name_prefix")
ENV_TAGS = ("environment", "env", "stage")
# directories whose children are named after environments
ENV_PARENTS = frozenset({"live", "environments", "environment", "envs", "env", "stages", "deployments"})


def words(text: str) -> set[str]:
    return {w for w in re.split(r"[^a-z0-9]+", text.lower()) if w}


@dataclass
class Environment:
    production: bool | None  # None: no evidence either way
    evidence: str = ""


def _literal_texts(expr: cst.Node) -> list[str]:
    """The literal text of a string (the literal parts of a template too)."""
    known, value = literal(expr)
    if known and isinstance(value, str):
        return [value]
    st = string_text(expr) if isinstance(expr, cst.Template) else None
    if st is not None:
        return [cst.unescape(st.source[start:end]) for start, end in st.runs]
    return []


def _verdict(texts: list[str]) -> bool | None:
    found = set().union(*(words(t) for t in texts)) if texts else set()
    if found & NON_PRODUCTION:
        return False
    if found & PRODUCTION:
        return True
    return None


def _block_texts(block: cst.Block) -> list[tuple[str, str]]:
    out = []
    if len(block.labels) > 1:
        out.append((f"the name {block.label_values[1]!r}", block.label_values[1]))
    for name in NAME_ARGUMENTS:
        attr = block.get_attribute(name)
        if attr is not None:
            out += [(f"{name} = {t!r}", t) for t in _literal_texts(attr.value)]
    tags = block.get_attribute("tags")
    if tags is not None and isinstance(tags.value, cst.Object):
        for item in tags.value.items:
            if (item.key_name or "").lower() in ENV_TAGS:
                out += [(f"tag {item.key_name} = {t!r}", t) for t in _literal_texts(item.value)]
    return out


def variable_values(module: Module, name: str) -> tuple[bool, list[tuple[SourceFile, cst.Attribute]]]:
    """What sets ``var.<name>``: ``(True, assignments)`` when ``.tfvars`` files set it (they win
    over the default), else ``(False, [its default])`` (``[]`` without a default)."""
    assignments = [(f, a) for f in module.tfvars for a in f.tree.body.attributes if a.name == name]
    if assignments:
        return True, assignments
    ref = module.find(f"var.{name}")
    default = ref.block.get_attribute("default") if ref is not None else None
    return False, [(ref.file, default)] if ref is not None and default is not None else []


def _module_values(module: Module) -> list[tuple[str, str]]:
    out = []
    for ref in module.blocks("variable"):
        name = ref.block.label_values[0] if ref.block.labels else ""
        default = ref.block.get_attribute("default")
        if name.lower() in ENV_VARIABLES and default is not None:
            known, value = literal(default.value)
            if known and isinstance(value, str):
                out.append((f"var.{name} defaults to {value!r}", value))
    for f in module.tfvars:
        for attr in f.tree.body.attributes:
            if attr.name.lower() in ENV_VARIABLES:
                known, value = literal(attr.value)
                if known and isinstance(value, str):
                    out.append((f"{f.display} sets {attr.name} = {value!r}", value))
    for name, (_, attr) in module.locals().items():
        if name.lower() in ENV_VARIABLES:
            known, value = literal(attr.value)
            if known and isinstance(value, str):
                out.append((f"local.{name} = {value!r}", value))
    return out


def _directory_text(module: Module) -> tuple[str, str] | None:
    """The environment directory of ``live/<env>/...``-style layouts (the deepest one)."""
    parts = [p for p in module.directory.resolve().parts if p not in ("/", ".")]
    for i in range(len(parts) - 1, 0, -1):
        if parts[i - 1].lower() in ENV_PARENTS:
            return f"the directory {parts[i - 1]}/{parts[i]}", parts[i]
    return None


def environment_of(module: Module, ref: BlockRef) -> Environment:
    own = _block_texts(ref.block)
    verdict = _verdict([t for _, t in own])
    if verdict is not None:
        evidence = next(d for d, t in own if words(t) & (PRODUCTION | NON_PRODUCTION))
        return Environment(verdict, evidence)
    values = _module_values(module)
    prod = [d for d, t in values if words(t) & PRODUCTION]
    if prod:
        return Environment(True, prod[0])
    if values and all(words(t) & NON_PRODUCTION for _, t in values):
        return Environment(False, values[0][0])
    if not values and (directory := _directory_text(module)) is not None:
        verdict = _verdict([directory[1]])
        if verdict is not None:
            return Environment(verdict, directory[0])
    return Environment(None)
