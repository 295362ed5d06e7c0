"""S3 buckets and the resources that point at them (shared by TFX130, TFX131, TFX132, TFX706,
TFX730, TFX808)."""

from __future__ import annotations

from dataclasses import dataclass, field

from tffix import cst
from tffix.build import HCL
from tffix.module import BlockRef, Module
from tffix.rules import literal

from .provider_version import entries
from .terraform_required_version import allows, parse_constraint

__all__ = ["UNKNOWN", "bucket_target", "Satellites", "satellites", "provider_v4", "bucket_ref",
           "meta_args", "insertion_point", "unique_name", "VERSIONING_TYPE", "versioning_status"]

VERSIONING_TYPE = "aws_s3_bucket_versioning"


class _Unknown:
    def __repr__(self) -> str:
        return "UNKNOWN"


UNKNOWN = _Unknown()  # an expression tffix cannot follow (variable, local, module output...)


def _literal_buckets(module: Module) -> dict[str, BlockRef]:
    out: dict[str, BlockRef] = {}
    for ref in module.resources("aws_s3_bucket"):
        attr = ref.block.get_attribute("bucket")
        known, value = literal(attr.value) if attr is not None else (False, None)
        if known and isinstance(value, str):
            out[value] = ref
    return out


def bucket_target(module: Module, ref: BlockRef, name: str = "bucket", _depth: int = 0) -> BlockRef | None | _Unknown:
    """The ``aws_s3_bucket`` of this module that ``ref``'s argument ``name`` names:
    a reference (``aws_s3_bucket.b.id``, ``aws_s3_bucket.b[count.index].bucket``, another
    bucket resource's ``bucket``), ``each.value.id`` under a ``for_each`` over buckets, the
    bucket's literal name, or a conditional whose branches name one bucket of the module
    (and otherwise something outside it). None when it names a bucket that is not in the
    module, ``UNKNOWN`` when tffix cannot tell."""
    attr = ref.block.get_attribute(name)
    if attr is None:
        return None
    return _target(module, ref, attr.value, _depth)


def _target(module: Module, ref: BlockRef, expr: cst.Node, _depth: int) -> BlockRef | None | _Unknown:
    expr = cst.sole_expression(expr)
    if isinstance(expr, cst.Parens):
        return _target(module, ref, expr.expr, _depth)
    if isinstance(expr, cst.Conditional):
        # `var.directory ? aws_s3_directory_bucket.b.bucket : aws_s3_bucket.b[0].id`: the one
        # bucket of this module it can name
        sides = [_target(module, ref, side, _depth) for side in (expr.true, expr.false)]
        buckets = {id(s.block): s for s in sides if isinstance(s, BlockRef)}
        if any(s is UNKNOWN for s in sides) or len(buckets) != 1:
            return UNKNOWN if any(s is UNKNOWN for s in sides) or buckets else None
        return next(iter(buckets.values()))
    known, value = literal(expr)
    if known:
        return _literal_buckets(module).get(value) if isinstance(value, str) else None
    if not isinstance(expr, cst.Traversal):
        return UNKNOWN
    path = expr.path
    if path[:1] == ["each"]:
        each = ref.block.get_attribute("for_each")
        target = module.resolve(each.value) if each is not None else None
        if target is not None and target.block.label_values[:1] == ["aws_s3_bucket"] and len(path) >= 2:
            return target
        return UNKNOWN
    target = module.resolve(expr)
    if target is None:
        return UNKNOWN if path[:1] in (["var"], ["local"], ["module"], ["each"]) or not path else None
    kind = target.block.type
    if kind in ("variable", "module") or kind == "locals":
        return UNKNOWN
    rtype = target.block.label_values[0] if target.block.labels else ""
    if kind == "resource" and rtype == "aws_s3_bucket":
        return target
    if kind == "resource" and rtype.startswith("aws_s3_bucket_") and _depth < 3:
        return bucket_target(module, target, "bucket", _depth + 1)
    return None


@dataclass
class Satellites:
    """Resources of one type, by the bucket they configure."""

    by_bucket: dict[int, list[BlockRef]] = field(default_factory=dict)
    unknown: list[BlockRef] = field(default_factory=list)

    def of(self, bucket: BlockRef) -> list[BlockRef]:
        return self.by_bucket.get(id(bucket.block), [])


def satellites(module: Module, *types: str, name: str = "bucket") -> Satellites:
    out = Satellites()
    for ref in module.resources(*types):
        target = bucket_target(module, ref, name)
        if target is UNKNOWN:
            out.unknown.append(ref)
        elif isinstance(target, BlockRef):
            out.by_bucket.setdefault(id(target.block), []).append(ref)
    return out


def provider_v4(module: Module) -> bool:
    """False when the module's AWS provider constraint excludes every version from 4.0
    on (the split S3 resources were added in 4.0); True otherwise."""
    for entry in entries(module):
        if entry.name != "aws" or entry.source not in (None, "hashicorp/aws"):
            continue
        item = entry.item("version")
        value = item.value if item is not None else entry.legacy
        known, text = literal(value) if value is not None else (False, None)
        if not known or not isinstance(text, str):
            continue
        clauses = parse_constraint(text)
        if clauses is None:
            continue
        candidates = [(major, minor, 0) for major in range(4, 10) for minor in (0, 99)]
        if not any(allows(clauses, v) for v in candidates):
            return False
    return True


def meta_args(bucket: BlockRef) -> dict[str, object]:
    """``count`` / ``for_each`` for a resource that follows ``bucket`` instance by instance."""
    name = bucket.block.label_values[1]
    if bucket.block.get_attribute("for_each") is not None:
        return {"for_each": HCL(f"aws_s3_bucket.{name}")}
    if bucket.block.get_attribute("count") is not None:
        return {"count": HCL(f"length(aws_s3_bucket.{name})")}
    return {}


def bucket_ref(bucket: BlockRef) -> HCL:
    """The bucket's name as the new resource refers to it."""
    name = bucket.block.label_values[1]
    if bucket.block.get_attribute("for_each") is not None:
        return HCL("each.value.id")
    if bucket.block.get_attribute("count") is not None:
        return HCL(f"aws_s3_bucket.{name}[count.index].id")
    return HCL(f"aws_s3_bucket.{name}.id")


def insertion_point(module: Module, bucket: BlockRef) -> cst.Block:
    """The block to add a new bucket resource after: the bucket, or the run of blocks
    right after it in its file that configure it."""
    items = bucket.file.tree.body.items
    index = next(i for i, it in enumerate(items) if it is bucket.block)
    last = bucket.block
    for item in items[index + 1:]:
        if not (isinstance(item, cst.Block) and item.type == "resource" and item.labels
                and item.label_values[0].startswith("aws_s3_bucket_")):
            break
        if bucket_target(module, BlockRef(bucket.file, item)) != bucket:
            break
        last = item
    return last


def unique_name(module: Module, rtype: str, base: str) -> str:
    taken = {r.block.label_values[1] for r in module.resources(rtype) if len(r.block.labels) > 1}
    if base not in taken:
        return base
    n = 2
    while f"{base}_{n}" in taken:
        n += 1
    return f"{base}_{n}"


def versioning_status(config: BlockRef) -> str | None:
    """An ``aws_s3_bucket_versioning``'s literal ``versioning_configuration.status``
    ("Enabled", "Suspended", "Disabled"); None when it is an expression, or the block is
    dynamic or missing."""
    blocks = config.block.find_blocks("versioning_configuration")
    if len(blocks) != 1:
        return None
    attr = blocks[0].get_attribute("status")
    known, value = literal(attr.value) if attr is not None else (False, None)
    return value if known and isinstance(value, str) else None
