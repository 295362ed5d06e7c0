"""S3 buckets and their satellite resources (versioning, encryption, logging ...), log targets."""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass, field

from tffix.engine.module import BlockRef, Module, references
from tffix.engine.rules import (
    literal,
)
from tffix.syntax import cst
from tffix.syntax.build import HCL
from tffix.syntax.strings import literal_texts
from tffix.transforms.lib.providers import aws_constraints
from tffix.transforms.lib.versions import allows

LOGGING_TYPE = "aws_s3_bucket_logging"
LOG_DELIVERY_GROUP = "http://acs.amazonaws.com/groups/s3/LogDelivery"
# service principals (and the data source of the ELB account) that only a log bucket's policy grants
LOG_WRITERS = (
    "logging.s3.amazonaws.com", "delivery.logs.amazonaws.com", "cloudtrail.amazonaws.com",
    "logdelivery.elasticloadbalancing.amazonaws.com", "elasticloadbalancing.amazonaws.com",
    "config.amazonaws.com", "data.aws_elb_service_account", "aws_elb_service_account",
)
# resources whose `s3_bucket_name` is where they deliver logs
LOG_DELIVERY_TYPES = ("aws_cloudtrail", "aws_config_delivery_channel")
TOKENS = re.compile(r"[^a-z0-9]+")


def log_word(name: str) -> bool:
    """True for names that talk about logs: ``access_logs``, ``logging_config``,
    ``log_destination``, ``alb-logs``, ``accesslogs`` (but not ``catalog`` or ``blogs``)."""
    found = _LOG_WORDS.get(name)
    if found is None:
        if len(_LOG_WORDS) >= 100_000:
            _LOG_WORDS.clear()
        found = _LOG_WORDS[name] = _log_word(name)
    return found


_LOG_WORDS: dict[str, bool] = {}  # name -> log_word(name): argument and key names recur everywhere


def _log_word(name: str) -> bool:
    for token in TOKENS.split(name.lower()):
        if token.startswith("log") or (token.endswith("logs") and token != "blogs") or token == "cloudtrail":
            return True
    return False


def _named_paths(body: cst.Body, names: list[str]) -> Iterator[tuple[list[str], cst.Traversal | cst.Node]]:
    """Every traversal and plain string in ``body`` with the argument / block / object key
    names leading to it."""
    for item in body.items:
        if isinstance(item, cst.Attribute):
            keyed: dict[int, list[str]] = {}
            walked = list(item.value.walk())
            for node in walked:
                if isinstance(node, cst.ObjectItem) and node.key_name:
                    for inner in node.value.walk():
                        keyed.setdefault(id(inner), []).append(node.key_name)
            for node in walked:
                if isinstance(node, cst.Traversal) or (isinstance(node, cst.Template) and node.is_literal):
                    yield [*names, item.name, *keyed.get(id(node), [])], node
        elif isinstance(item, cst.Block):
            label = item.label_values[0] if item.type == "dynamic" and item.labels else item.type
            yield from _named_paths(item.body, [*names, label])


def _may_name_logs(module: Module, block: cst.Block, rtype: str) -> bool:
    """Could ``_named_paths`` of ``block`` give a path that is a cue in ``_log_targets``? Only
    when a name on it is a log word (every name a path can hold, and more, is looked at: the
    argument names and block types and labels at any depth, the keys of its objects), or it
    delivers logs to ``s3_bucket_name``. Most blocks name no logs: no path is built for them."""
    if rtype in LOG_DELIVERY_TYPES and block.get_attribute("s3_bucket_name") is not None:
        return True
    todo = [block]
    while todo:
        for item in todo.pop().body.items:
            if isinstance(item, cst.Block):
                if log_word(item.type) or any(log_word(label) for label in item.label_values):
                    return True
                todo.append(item)
            elif log_word(item.name):
                return True
    return any(log_word(key) for node in module.nodes(block, cst.ObjectItem)
               if (key := node.key_name))  # type: ignore[attr-defined]


def _bucket_of(module: Module, node: cst.Node, names: dict[str, BlockRef]) -> BlockRef | None:
    if isinstance(node, cst.Template):
        known, value = literal(node)
        return names.get(value) if known and isinstance(value, str) else None
    target = module.resolve(node)
    if target is not None and target.block.type == "resource" and target.block.label_values[:1] == ["aws_s3_bucket"]:
        return target
    return None


def _literal_names(module: Module) -> dict[str, BlockRef]:
    out: dict[str, BlockRef] = {}
    for ref in module.resources("aws_s3_bucket"):
        attr = ref.block.get_attribute("bucket")
        known, value = literal(attr.value) if attr is not None else (False, None)
        if known and isinstance(value, str) and value:
            out[value] = ref
    return out


def _self_named_log_bucket(ref: BlockRef) -> bool:
    """The bucket's label or literal name says it holds logs (``aws_s3_bucket.alb_logs``)."""
    if len(ref.block.labels) > 1 and log_word(ref.block.label_values[1]):
        return True
    for name in ("bucket", "bucket_prefix"):
        attr = ref.block.get_attribute(name)
        known, value = literal(attr.value) if attr is not None else (False, None)
        if known and isinstance(value, str) and log_word(value):
            return True
    return False


def _grants_log_delivery(block: cst.Block) -> bool:
    attr = block.get_attribute("acl")
    known, value = literal(attr.value) if attr is not None else (False, None)
    if known and value == "log-delivery-write":
        return True
    return any(LOG_DELIVERY_GROUP in text for text in literal_texts(block))  # a grant's uri, not a comment


def _policy_text(module: Module, block: cst.Block) -> str:
    """A policy's own text plus the text of the policy documents it refers to."""
    parts = [block.code]
    for trav in references(block):
        target = module.resolve(trav)
        if target is not None and target.block.type == "data":
            parts.append(target.block.code)
    return "\n".join(parts)


def log_targets(module: Module) -> set[int]:
    """``id()`` of the module's ``aws_s3_bucket`` blocks that receive logs (or are made to):
    the target of a logging configuration (resource or inline block), a bucket with the
    ``log-delivery-write`` ACL or a grant to the S3 LogDelivery group, a bucket that a
    load balancer's ``access_logs``, a CloudFront ``logging_config``, a flow log's
    ``log_destination`` (any argument, block or object key about logs) or a CloudTrail trail /
    Config delivery channel's ``s3_bucket_name`` names, a bucket whose policy lets a log
    delivery service write, and a bucket whose label or literal name says logs. Computed
    once per state of the module (several rules ask, some per bucket)."""
    return set(module.fact("s3.log_targets", lambda: _log_targets(module)))


def _log_targets(module: Module) -> set[int]:
    names = _literal_names(module)
    out: set[int] = set()

    def mark(target: object) -> None:
        if isinstance(target, BlockRef):
            out.add(id(target.block))

    for bucket in module.resources("aws_s3_bucket"):
        if _grants_log_delivery(bucket.block) or _self_named_log_bucket(bucket):
            out.add(id(bucket.block))
        policy = bucket.block.get_attribute("policy")
        if policy is not None and any(w in _policy_text(module, bucket.block) for w in LOG_WRITERS):
            out.add(id(bucket.block))
    for ref in module.resources(LOGGING_TYPE):
        mark(bucket_target(module, ref, "target_bucket"))
    for ref in module.resources("aws_s3_bucket_acl"):
        if _grants_log_delivery(ref.block):
            mark(bucket_target(module, ref))
    for ref in module.resources("aws_s3_bucket_policy"):
        if any(w in _policy_text(module, ref.block) for w in LOG_WRITERS):
            mark(bucket_target(module, ref))
    for ref in module.data_sources("aws_iam_policy_document"):
        if any(w in ref.block.code for w in LOG_WRITERS):
            for trav in references(ref.block):
                mark(_bucket_of(module, trav, names))
    for ref in module.blocks():
        if ref.block.type not in ("resource", "module", "data"):
            continue
        rtype = ref.block.label_values[0] if ref.block.labels else ""
        if not _may_name_logs(module, ref.block, rtype):
            continue
        for path, node in _named_paths(ref.block.body, []):
            if rtype == "aws_s3_bucket" and path[:1] != ["logging"]:
                continue  # a bucket's own name, policy, ... is not a log destination
            cue = any(log_word(n) for n in path) or (rtype in LOG_DELIVERY_TYPES and path == ["s3_bucket_name"])
            if cue:
                mark(_bucket_of(module, node, names))
    return out


def module_inputs(module: Module, bucket: BlockRef) -> list[BlockRef]:
    """The ``module`` calls that receive a reference to the bucket."""
    seen: dict[int, BlockRef] = {}
    for other, _ in module.referrers(bucket):
        if other.block.type == "module":
            seen[id(other.block)] = other
    return list(seen.values())



VERSIONING_TYPE = "aws_s3_bucket_versioning"


class _Unknown:
    def __repr__(self) -> str:
        return "UNKNOWN"


UNKNOWN = _Unknown()  # an expression tffix cannot follow (variable, local, module output...)


def _literal_buckets(module: Module) -> dict[str, BlockRef]:
    """Buckets by their literal ``bucket`` name (computed once per state of the module;
    callers only read it)."""
    return module.fact("s3.literal_buckets", lambda: _find_literal_buckets(module))


def _find_literal_buckets(module: Module) -> dict[str, BlockRef]:
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


def bucket_named(module: Module, ref: BlockRef, expr: cst.Node) -> BlockRef | None | _Unknown:
    """``bucket_target`` for an expression of ``ref`` (an argument of a nested block)."""
    return _target(module, ref, expr, 0)


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
    """The resources of ``types`` by the bucket their ``name`` argument names (computed
    once per state of the module for the same arguments; callers only read it)."""
    return module.fact(("s3.satellites", types, name), lambda: _satellites(module, types, name))


def _satellites(module: Module, types: tuple[str, ...], name: str) -> Satellites:
    out = Satellites()
    by_type = module.index().by_kind_type
    if not any(by_type.get(("resource", t)) for t in types):
        return out  # none of the types here (most modules): no scan of every resource
    for ref in module.resources(*types):
        target = bucket_target(module, ref, name)
        if target is UNKNOWN:
            out.unknown.append(ref)
        elif isinstance(target, BlockRef):
            out.by_bucket.setdefault(id(target.block), []).append(ref)
    return out


def provider_v4(module: Module) -> bool:
    """False when the module's AWS provider constraint excludes every version from 4.0
    on (the split S3 resources were added in 4.0); True otherwise. Once per state of the
    module (several rules ask)."""
    found: bool = module.fact("s3.provider_v4", lambda: _provider_v4(module))
    return found


def _provider_v4(module: Module) -> bool:
    grid = [(major, minor, 0) for major in range(4, 10) for minor in (0, 99)]

    def candidates(clauses: list) -> list[tuple[int, int, int]]:
        # the lowest version an interval of the constraint allows is 4.0.0, a version a clause names,
        # or the next patch after one (`~> 4.21.0` allows only 4.21.x, which no grid point hits)
        named = [c.version for c in clauses] + [(c.version[0], c.version[1], c.version[2] + 1) for c in clauses]
        return grid + [v for v in named if v >= (4, 0, 0)]

    return all(any(allows(clauses, v) for v in candidates(clauses)) for clauses in aws_constraints(module))


def meta_args(bucket: BlockRef) -> dict[str, object]:
    """``count`` / ``for_each`` for a resource that follows ``bucket`` instance by instance, and
    the bucket's ``provider`` (a configuration resource must reach the bucket's region and
    account: through the default provider it would look for the bucket elsewhere)."""
    name = bucket.block.label_values[1]
    out: dict[str, object] = {}
    if bucket.block.get_attribute("for_each") is not None:
        out["for_each"] = HCL(f"aws_s3_bucket.{name}")
    elif bucket.block.get_attribute("count") is not None:
        out["count"] = HCL(f"length(aws_s3_bucket.{name})")
    provider = bucket.block.get_attribute("provider")
    if provider is not None:
        out["provider"] = HCL(provider.value.code.strip())
    return out


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
    try:
        index = items.index(bucket.block)  # by identity (nodes have no ``__eq__``), in C
    except ValueError:
        raise StopIteration from None
    last = bucket.block
    for i in range(index + 1, len(items)):
        item = items[i]
        if not (isinstance(item, cst.Block) and item.type == "resource" and item.labels
                and item.label_values[0].startswith("aws_s3_bucket_")):
            break
        if bucket_target(module, BlockRef(bucket.file, item)) != bucket:
            break
        last = item
    return last


def unique_name(module: Module, rtype: str, base: str) -> str:
    taken = module.named("resource", rtype)
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


def s3_log_delivery_unrestricted(module: Module, bucket: BlockRef) -> bool:
    """S3 server access logging may write into ``bucket`` from any source bucket of the
    account, as far as the module shows: the bucket has the ``log-delivery-write`` ACL or a
    grant to the LogDelivery group (on itself or an ``aws_s3_bucket_acl``), or a policy (its
    own or an ``aws_s3_bucket_policy`` naming it, with the policy documents they refer to)
    that grants ``logging.s3.amazonaws.com`` and has no ``aws:SourceArn`` condition (which
    may list the source buckets allowed)."""
    if _grants_log_delivery(bucket.block):
        return True
    for ref in module.resources("aws_s3_bucket_acl"):
        if _grants_log_delivery(ref.block) and bucket_target(module, ref) == bucket:
            return True
    texts = []
    if bucket.block.get_attribute("policy") is not None:
        texts.append(_policy_text(module, bucket.block))
    for ref in module.resources("aws_s3_bucket_policy"):
        if bucket_target(module, ref) == bucket:
            texts.append(_policy_text(module, ref.block))
    return bool(texts) and any("logging.s3.amazonaws.com" in t for t in texts) \
        and not any("sourcearn" in t.lower() for t in texts)


def sse_s3_only(module: Module, bucket: BlockRef) -> bool:
    """The bucket's default encryption is SSE-S3 as far as the module shows: no encryption
    configuration (S3 then applies SSE-S3), or only ones whose ``sse_algorithm`` is the literal
    ``AES256`` (inline ``server_side_encryption_configuration`` blocks and
    ``aws_s3_bucket_server_side_encryption_configuration`` resources naming it). Log delivery
    (S3 server access logs, load balancer logs) writes only to such buckets."""
    blocks = list(bucket.block.find_blocks("server_side_encryption_configuration"))
    if any(d.label_values[:1] == ["server_side_encryption_configuration"] for d in bucket.block.find_blocks("dynamic")):
        return False
    configs = satellites(module, "aws_s3_bucket_server_side_encryption_configuration")
    if configs.unknown:
        return False
    blocks += [ref.block for ref in configs.of(bucket)]
    for block in blocks:
        for node in block.walk():
            if isinstance(node, cst.Block) and node.type == "dynamic":
                return False
            if isinstance(node, cst.Attribute) and node.name == "sse_algorithm":
                known, value = literal(node.value)
                if not (known and value == "AES256"):
                    return False
    return True
