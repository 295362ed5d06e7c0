"""What the AWS provider accepts: its schema, shipped as a table, and the argument
constraints its code enforces, so that no fix writes what the provider would reject.

The table (``data/aws_schema.json.gz``) holds every argument and nested block of every
``hashicorp/aws`` resource and data source for provider 5.99.1 and 6.69.1, extracted
from the real provider schemas by ``tools/gen_schema_table.py`` (the test oracle's
extractor; a test fails when the table is stale). The schema does not carry the
provider's own checks (``ConflictsWith``, ``RequiredWith``, ``ExactlyOneOf``): those
are in ``CONSTRAINTS`` below, each read in the provider's source and cited.

``check_written`` is the engine's fix check (``Options.fix_checks``): after a fix, every
argument or block the fix wrote into an ``aws_*`` resource or data source must exist,
for every provider version the module's constraint allows, as what it was written as (an
argument or a block of the right nesting), with a literal of the right type, within the
block's item limits, with no conflicting argument beside it and every argument it
requires; a block the fix created must have its required arguments. A fix that fails
is reverted and reported as an internal error of its rule: a rule bug, never a user's.
"""

from __future__ import annotations

import gzip
import json
from collections.abc import Iterator
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources

from tffix.engine.module import Module
from tffix.engine.rules import literal
from tffix.syntax import cst
from tffix.transforms.lib.providers import aws_constraints
from tffix.transforms.lib.versions import allows

__all__ = ["CONSTRAINTS", "VERSIONS", "check_written", "has_argument", "versions_for"]

META_ARGUMENTS = frozenset({"count", "for_each", "provider", "depends_on", "lifecycle", "provisioner",
                            "connection"})

# The provider versions the table holds, oldest first. A constraint that allows neither
# (``~> 4.0``, ``~> 3.27``) is checked against the oldest: an argument added in 5.x is not
# caught for such a module, one that exists in no version is.
VERSIONS = ("5.99.1", "6.69.1")


@lru_cache(maxsize=1)
def _table() -> dict:
    data = resources.files("tffix.transforms.lib").joinpath("data/aws_schema.json.gz").read_bytes()
    return json.loads(gzip.decompress(data))


def provider_version() -> dict[str, str]:
    """The provider version each table entry comes from, and its source package."""
    return {v: body["source"] for v, body in _table()["versions"].items()}


def block_schema(kind: str, type_: str, version: str) -> dict | None:
    """The body of a ``resource`` or ``data`` type in ``version``; None if it has none."""
    return _table()["versions"][version]["resource" if kind == "resource" else "data"].get(type_)


def versions_for(module: Module) -> list[str]:
    """The table's versions that the module's ``hashicorp/aws`` constraints allow (all
    when it has none or one that does not parse; the oldest when they allow none)."""
    allowed = list(VERSIONS)
    for clauses in aws_constraints(module):
        allowed = [v for v in allowed if allows(clauses, tuple(int(p) for p in v.split(".")))]
    return allowed or [VERSIONS[0]]


def has_argument(module: Module, type_: str, *path: str, kind: str = "resource") -> bool:
    """Does ``type_`` have the argument or block ``path`` in every provider version the
    module allows?"""
    for version in versions_for(module):
        body = block_schema(kind, type_, version)
        for i, name in enumerate(path):
            entry = body.get(name) if body is not None else None
            if entry is None:
                return False
            body = entry.get("body") if i < len(path) - 1 else body
        if body is None:
            return False
    return True


@dataclass(frozen=True)
class Constraint:
    """What the provider's code requires of one argument, beyond the schema."""

    conflicts: tuple[str, ...] = ()  # ConflictsWith: may not be set beside these
    requires: tuple[str, ...] = ()  # RequiredWith: these must be set too
    one_of: tuple[str, ...] = ()  # ExactlyOneOf: the group it belongs to; exactly one is set
    source: str = ""  # file and function in hashicorp/terraform-provider-aws


# type -> argument path ("a" or "block.a") -> constraint, for the arguments fixes write
# and those they sit beside. Read in hashicorp/terraform-provider-aws in 2026-12 (the
# file and function are cited; where a commit is given, that is the one read). The
# research notes per argument (ForceNew, defaults, CustomizeDiff checks, and the
# arguments that have no such constraint) are in docs/provider-constraints.md.
_RDS_INSTANCE = "internal/service/rds/instance.go, ResourceInstance"
_RDS_CLUSTER = "internal/service/rds/cluster.go, resourceCluster"
_ELASTICACHE = "internal/service/elasticache/replication_group.go, resourceReplicationGroup"
_SQS = "internal/service/sqs/queue.go, queueSchema (commit 00a35305)"
_LAMBDA = "internal/service/lambda/function.go, resourceFunction"
_LAYER = "internal/service/lambda/layer_version.go, resourceLayerVersion"
_FLOW_LOG = "internal/service/ec2/vpc_flow_log.go, resourceFlowLog (commit 00a35305)"
_KMS = "internal/service/kms/key.go, resourceKey (commit 00a35305)"
_LAMBDA_CODE = ("filename", "image_uri", "s3_bucket")
_FLOW_LOG_TARGET = ("eni_id", "regional_nat_gateway_id", "subnet_id", "vpc_id", "transit_gateway_id",
                    "transit_gateway_attachment_id")

CONSTRAINTS: dict[str, dict[str, Constraint]] = {
    "aws_db_instance": {
        "manage_master_user_password": Constraint(conflicts=("password",), source=_RDS_INSTANCE),
        "password": Constraint(conflicts=("manage_master_user_password",), source=_RDS_INSTANCE),
    },
    "aws_rds_cluster": {
        "manage_master_user_password": Constraint(conflicts=("master_password", "master_password_wo"),
                                                  source=_RDS_CLUSTER),
        "master_password": Constraint(conflicts=("manage_master_user_password",), source=_RDS_CLUSTER),
    },
    "aws_elasticache_replication_group": {
        "at_rest_encryption_enabled": Constraint(conflicts=("global_replication_group_id",), source=_ELASTICACHE),
        "transit_encryption_enabled": Constraint(conflicts=("global_replication_group_id",), source=_ELASTICACHE),
        "auth_token": Constraint(conflicts=("user_group_ids",), source=_ELASTICACHE),
    },
    "aws_sqs_queue": {
        "sqs_managed_sse_enabled": Constraint(conflicts=("kms_master_key_id",), source=_SQS),
        "kms_master_key_id": Constraint(conflicts=("sqs_managed_sse_enabled",), source=_SQS),
    },
    "aws_lambda_function": {
        "filename": Constraint(conflicts=("s3_object_version",), one_of=_LAMBDA_CODE, source=_LAMBDA),
        "image_uri": Constraint(conflicts=("s3_object_version",), one_of=_LAMBDA_CODE, source=_LAMBDA),
        "s3_bucket": Constraint(requires=("s3_key",), one_of=_LAMBDA_CODE, source=_LAMBDA),
    },
    "aws_lambda_layer_version": {
        "filename": Constraint(conflicts=("s3_bucket", "s3_key", "s3_object_version"), source=_LAYER),
    },
    "aws_flow_log": {name: Constraint(one_of=_FLOW_LOG_TARGET, source=_FLOW_LOG) for name in _FLOW_LOG_TARGET},
    "aws_kms_key": {
        "rotation_period_in_days": Constraint(requires=("enable_key_rotation",), source=_KMS),
    },
}


def _new(node: cst.Node) -> bool:
    """Did the fix write ``node``? Nodes a fix builds have no source position."""
    try:
        return node.line == 0
    except ValueError:  # a node with no tokens (an empty body)
        return False


def _present(body: cst.Body) -> set[str]:
    """The arguments and blocks set in ``body`` (``x = null`` is not set: Terraform
    treats it as omitted, and so do ConflictsWith and RequiredWith)."""
    out = set()
    for item in body.items:
        if isinstance(item, cst.Attribute):
            known, value = literal(item.value)
            if not (known and value is None):
                out.add(item.name)
        else:
            out.add(item.label_values[0] if item.type == "dynamic" and item.label_values else item.type)
    return out


def _kind_of(value: object) -> str | None:
    if isinstance(value, bool):
        return "bool"
    if isinstance(value, (int, float)):
        return "number"
    if isinstance(value, str):
        return "string"
    return None


def _type_problem(schema_type: object, value: cst.Expr) -> str | None:
    """A literal that the argument's type cannot take (terraform converts "true" to a
    bool and "1" to a number, so only impossible conversions count)."""
    known, lit = literal(value)
    if not known or lit is None:
        if isinstance(value, (cst.Tuple, cst.Object)) and schema_type in ("string", "bool", "number"):
            return f"a {type(value).__name__.lower()} where the provider takes a {schema_type}"
        return None
    kind = _kind_of(lit)
    if schema_type == "bool" and kind == "number":
        return "a number where the provider takes a bool"
    if schema_type == "bool" and kind == "string" and lit not in ("true", "false"):
        return f"the string {lit!r} where the provider takes a bool"
    if schema_type == "number" and kind == "bool":
        return "a bool where the provider takes a number"
    if schema_type == "number" and kind == "string":
        try:
            float(lit)
        except ValueError:
            return f"the string {lit!r} where the provider takes a number"
    if isinstance(schema_type, list) and kind is not None and schema_type[0] in ("list", "set", "map", "object"):
        return f"a {kind} where the provider takes a {schema_type[0]}"
    return None


def _walk(body: cst.Body, schema: dict, path: tuple[str, ...]) -> Iterator[tuple[cst.Node, str, dict | None, cst.Body,
                                                                                dict, tuple[str, ...]]]:
    """Every item under ``body`` with its name, schema entry, the body holding it and
    that body's schema."""
    for item in body.items:
        if isinstance(item, cst.Attribute):
            yield item, item.name, schema.get(item.name), body, schema, path
            continue
        name = item.type
        if name == "dynamic" and item.label_values:
            name = item.label_values[0]
        entry = schema.get(name)
        yield item, name, entry, body, schema, path
        if entry is not None and "block" in entry:
            inner = item.body
            if item.type == "dynamic":
                content = item.find_blocks("content")
                if not content:
                    continue
                inner = content[0].body
            yield from _walk(inner, entry["body"], (*path, name))


def _problems(block: cst.Block, schema: dict, version: str, address: str) -> Iterator[str]:
    type_ = block.label_values[0]
    whole = _new(block)
    for node, name, entry, holder, holder_schema, path in _walk(block.body, schema, ()):
        if not (whole or _new(node)):
            if entry is not None and isinstance(node, cst.Attribute) and "block" not in entry \
                    and _new(node.value):
                problem = _type_problem(entry["type"], node.value)
                if problem is not None:
                    yield f"writes `{'.'.join((*path, name))}` = {problem} (provider {version})"
            continue
        where = ".".join((*path, name))
        if not path and name in META_ARGUMENTS:
            continue
        if entry is None:
            yield f"writes `{where}`, which {type_} does not have in provider {version}"
            continue
        is_block = isinstance(node, cst.Block)
        if is_block and "block" not in entry:
            yield f"writes `{where}` as a block; in provider {version} it is an argument"
            continue
        if not is_block and "block" in entry:
            yield f"writes `{where}` as an argument; in provider {version} it is a block"
            continue
        if is_block:
            count = sum(1 for b in holder.blocks if b.type == node.type and
                        (b.type != "dynamic" or b.label_values[:1] == node.label_values[:1]))
            if entry.get("max_items") and count > entry["max_items"] and node.type != "dynamic":
                yield f"writes a second `{where}` block; provider {version} allows {entry['max_items']}"
            if node.type != "dynamic":
                present = _present(node.body)
                for child, spec in entry["body"].items():
                    if (spec.get("required") or spec.get("min_items")) and child not in present:
                        yield f"writes `{where}` without its required `{child}` (provider {version})"
        else:
            problem = _type_problem(entry["type"], node.value)
            if problem is not None:
                yield f"writes `{where}` = {problem} (provider {version})"
        rule = CONSTRAINTS.get(type_, {}).get(where)
        if rule is not None:
            present = _present(holder)
            for other in rule.conflicts:
                if other.rsplit(".", 1)[-1] in present:
                    yield f"writes `{where}` beside `{other}`, which conflicts with it ({rule.source})"
            for other in rule.requires:
                if other.rsplit(".", 1)[-1] not in present:
                    yield f"writes `{where}` without `{other}`, which it requires ({rule.source})"
            others = [o for o in rule.one_of if o != name and o in present]
            if others:
                yield f"writes `{where}` beside `{others[0]}`: exactly one of {', '.join(rule.one_of)} ({rule.source})"
    if whole:
        present = _present(block.body)
        for child, spec in schema.items():
            if (spec.get("required") or spec.get("min_items")) and child not in present:
                yield f"creates {address} without its required `{child}` (provider {version})"
        groups = {c.one_of for c in CONSTRAINTS.get(type_, {}).values() if c.one_of}
        for group in groups:
            if not present.intersection(group):
                yield f"creates {address} without one of {', '.join(group)} (provider {version})"


def check_written(module: Module, tree: cst.File, scope: tuple[object, ...] = (),
                  changed: dict[int, list[cst.Node]] | None = None) -> list[str]:
    """Problems with what a fix wrote into ``tree`` (the nodes without a source
    position): in the top-level blocks of its ``scope``, and in blocks it created.

    ``changed`` (from the engine, ``FixCheck``): the top-level items this fix changed,
    by ``id`` of their file's tree (key 0: the items they replaced); every other item is
    as it was after the fix before, which was checked. Only those are read then, unless
    one is a ``terraform`` block (the provider versions the others were checked against
    may have changed)."""
    versions = versions_for(module)
    problems: list[str] = []
    whole_file = any(s is tree or isinstance(s, Module) for s in scope) or not scope
    in_scope = {id(s) for s in scope}
    blocks = tree.body.blocks
    if changed is not None and not whole_file and not any(
            isinstance(i, cst.Block) and i.type == "terraform" for items in changed.values() for i in items):
        blocks = [i for i in changed.get(id(tree), ()) if isinstance(i, cst.Block)]
    for block in blocks:
        if not (whole_file or id(block) in in_scope or _new(block)):
            continue
        if block.type not in ("resource", "data") or len(block.label_values) != 2:
            continue
        type_ = block.label_values[0]
        if not type_.startswith("aws_"):
            continue
        address = f"{'data.' if block.type == 'data' else ''}{type_}.{block.label_values[1]}"
        if not _new(block) and not any(_new(n) for n in block.body.walk()):
            continue
        for version in versions:
            schema = block_schema(block.type, type_, version)
            if schema is None:
                if _new(block):
                    problems.append(f"creates {address}, a type provider {version} does not have")
                continue
            for problem in _problems(block, schema, version, address):
                if problem not in problems:
                    problems.append(problem)
    return problems
