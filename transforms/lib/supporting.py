"""Supporting resources a fix needs and the module may lack: a customer managed KMS key a
service may use, an IAM role a service may assume, and the data sources their policies read.

A fix asks for one (``logs_key``, ``rds_key``, ``s3_key``, ``rds_monitoring_role``) and gets a
``Support``: the expression to write (``aws_kms_key.cloudwatch_logs.arn``), the module's
resource it reuses, or the blocks to create. The rules every answer follows:

* **Reuse first.** A resource of the module that provably fits is used: a key whose policy
  lets the service's principal use it, a role trusted by the service, a key the resource's
  own storage already uses (the rule decides that one). Nothing is reused that tffix cannot
  read (a policy from a variable, a key with ``count``).
* **One per module, provider and purpose.** A created resource has a deterministic address
  from its purpose and the provider it is for (``aws_kms_key.cloudwatch_logs``, with the
  alias as a suffix: ``aws_kms_key.cloudwatch_logs_west``), so every fix of one run that
  needs it computes the same address. ``Support.apply`` creates each block only when no
  block of that address exists *at the moment the fix is applied*: within a round the
  engine applies fixes one after the other on the same trees, so the second fix finds the
  first one's block and only refers to it; in later rounds the re-parsed module has it and
  the fix reuses it (it fits by construction). A label taken by a resource that does not
  fit gets a numbered one (``cloudwatch_logs_2``), the same for every fix of the round.
* **The provider is respected.** A resource with ``provider = aws.west`` gets supporting
  resources and data sources with ``provider = aws.west``; a provider tffix cannot read
  (``provider = aws[each.key]``) gets no fix.
* **Where they go**: appended to ``security.tf`` in the module (created when missing,
  reused when the module has one). One file holds what the fixes add for the whole module,
  so a reviewer sees the new keys and roles together, a later fix appends beside them, and
  the user's files change only where the resource being fixed is. The scope of such a fix
  is its own block plus a private marker (an object no other fix shares), which the engine
  reads as "may also edit other files of the module": it may append to ``security.tf`` even
  when another fix of the same round created it, without serialising the round.
* **Facts not known statically** (region, account, partition) come from the data sources
  ``aws_region``, ``aws_caller_identity`` and ``aws_partition``: an existing one of the
  module with the same provider and no ``count`` / ``for_each`` is reused, else one named
  ``current`` (or after the provider alias) is added.
* **What is created passes the rules itself**: keys rotate (``enable_key_rotation``), have a
  key policy with the account's root statement (so the key stays manageable through IAM)
  and a statement for the service only, scoped by encryption context or ``kms:ViaService``
  and the calling account; roles trust only the service, with an ``aws:SourceAccount``
  condition, and get only the AWS managed policy made for the purpose.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field

from tffix import edit
from tffix.engine.module import BlockRef, Module
from tffix.syntax import cst
from tffix.syntax.build import HCL, NewBlock, render
from tffix.syntax.strings import HOLE
from tffix.transforms.lib.policies import Stmt, statements_of, texts
from tffix.transforms.lib.s3 import bucket_named, s3_log_delivery_unrestricted, sse_s3_only

__all__ = [
    "SUPPORT_FILE", "Provider", "Support", "provider_of", "logs_key", "rds_key", "s3_key", "rds_monitoring_role",
    "key_arn", "data_source", "LogBucket", "s3_access_log_bucket", "lb_access_log_bucket", "reused_s3_log_target",
]

SUPPORT_FILE = "security.tf"

# data source type -> the attribute every generated expression reads
_REGION = "aws_region"
_ACCOUNT = "aws_caller_identity"
_PARTITION = "aws_partition"


@dataclass(frozen=True)
class Provider:
    """The AWS provider configuration a resource uses: ``None`` for the default one, else
    the alias (``provider = aws.west`` -> ``"west"``)."""

    alias: str | None = None

    @property
    def meta(self) -> dict[str, object]:
        return {"provider": HCL(f"aws.{self.alias}")} if self.alias else {}

    def label(self, base: str) -> str:
        return f"{base}_{self.alias}" if self.alias else base


def provider_of(block: cst.Block) -> Provider | None:
    """The provider of a resource; None when its ``provider`` is not ``aws`` or ``aws.NAME``."""
    attr = block.get_attribute("provider")
    if attr is None:
        return Provider()
    expr = attr.value
    if isinstance(expr, cst.Traversal) and len(expr.steps) == len(expr.path) - 1:
        path = expr.path
        if path == ["aws"]:
            return Provider()
        if len(path) == 2 and path[0] == "aws":
            return Provider(path[1])
    return None


def _same_provider(block: cst.Block, provider: Provider) -> bool:
    return provider_of(block) == provider


def _plain(block: cst.Block) -> bool:
    """One instance: no ``count`` / ``for_each`` (a reference to it needs no index)."""
    return block.get_attribute("count") is None and block.get_attribute("for_each") is None


@dataclass
class Support:
    """What a fix refers to and what it must create for that."""

    expression: str  # what the fix writes (``aws_kms_key.cloudwatch_logs.arn``)
    reused: str | None = None  # the address of the module's resource it reuses
    blocks: list[tuple[str, NewBlock]] = field(default_factory=list)  # (address, block) to create when missing
    marker: object = field(default_factory=object)

    @property
    def creates(self) -> list[str]:
        return [a for a, _ in self.blocks if not a.startswith("data.")]

    @property
    def scope(self) -> tuple[object, ...]:
        """Extra scope for the fix: a private marker when it may append to ``security.tf``."""
        return (self.marker,) if self.blocks else ()

    def describe(self) -> str:
        if self.reused:
            return f"{self.expression} (the module's {self.reused})"
        if self.creates:
            return f"{self.expression} (new {', '.join(self.creates)} in {SUPPORT_FILE})"
        return self.expression

    def apply(self, module: Module) -> None:
        """Create the blocks no block of the module has the address of yet."""
        if not self.blocks:
            return
        missing = [(a, b) for a, b in self.blocks if module.find(a) is None]
        if not missing:
            return
        sf = module.new_file(SUPPORT_FILE)
        for _, block in missing:
            edit.append_block(sf.tree, block)


def _then(first: Callable[[], None], support: Support, module: Module) -> Callable[[], None]:
    def run() -> None:
        support.apply(module)
        first()
    return run


def with_support(fix: Callable[[], None], support: Support, module: Module) -> Callable[[], None]:
    """A fix that first creates what ``support`` needs."""
    return _then(fix, support, module)


# ---- names -------------------------------------------------------------------------------


def _label(module: Module, rtype: str, base: str, fits: Callable[[BlockRef], bool]) -> str:
    """``base``, or ``base_2`` ... when a resource of that address exists and does not fit."""
    taken = module.named("resource", rtype)
    name, n = base, 1
    while name in taken and not fits(taken[name][-1]):  # the last of that name
        n += 1
        name = f"{base}_{n}"
    return name


def data_source(module: Module, dtype: str, provider: Provider) -> tuple[str, list[tuple[str, NewBlock]]]:
    """``data.<dtype>.<name>`` for ``provider``: an existing one of the module, or one to create."""
    for ref in module.data_sources(dtype):
        others = [i for i in ref.block.body.items if not (isinstance(i, cst.Attribute) and i.name == "provider")]
        if len(ref.block.labels) == 2 and not others and _same_provider(ref.block, provider):
            return ref.address, []
    name = provider.alias or "current"
    address = f"data.{dtype}.{name}"
    if module.find(address) is not None:  # taken by one with another provider or arguments
        name = f"{name}_{provider.alias or 'default'}_tffix"
        address = f"data.{dtype}.{name}"
    return address, [(address, NewBlock("data", [dtype, name], dict(provider.meta)))]


@dataclass
class _Facts:
    """Expressions for the region, account id and partition of a provider, and the data
    sources to create for them."""

    region: str
    account: str
    partition: str
    dns_suffix: str
    blocks: list[tuple[str, NewBlock]]


def _facts(module: Module, provider: Provider) -> _Facts:
    region, b1 = data_source(module, _REGION, provider)
    account, b2 = data_source(module, _ACCOUNT, provider)
    partition, b3 = data_source(module, _PARTITION, provider)
    # aws_region.name: the attribute every provider version from 2.x to 6.x has (6.x adds
    # `region` and deprecates `name`, still accepted)
    return _Facts(f"{region}.name", f"{account}.account_id", f"{partition}.partition", f"{partition}.dns_suffix",
                  [*b1, *b2, *b3])


def _jsonencode(doc: dict[str, object]) -> HCL:
    return HCL(f"jsonencode({render(doc)})")


def _root(f: _Facts) -> HCL:
    return HCL(f'"arn:${{{f.partition}}}:iam::${{{f.account}}}:root"')


def _root_statement(f: _Facts) -> dict[str, object]:
    """The statement of AWS's default key policy ("Enable IAM User Permissions"): the account
    may administer and use the key as its principals' IAM policies allow, so the key stays
    manageable (KMS's lockout safety check wants the creator able to call PutKeyPolicy)."""
    return {
        "Sid": "AccountAdministration",
        "Effect": "Allow",
        "Principal": {"AWS": _root(f)},
        "Action": "kms:*",
        "Resource": "*",
    }


# ---- KMS keys ----------------------------------------------------------------------------


def key_arn(module: Module, expr: cst.Node | None) -> str | None:
    """``expr`` as the ARN of an ``aws_kms_key`` of the module with one instance
    (``aws_kms_key.x.arn``; ``.key_id`` / ``.id`` become ``.arn``), else None."""
    if expr is None:
        return None
    expr = cst.sole_expression(expr)
    if not isinstance(expr, cst.Traversal) or len(expr.steps) != len(expr.path) - 1:
        return None
    target = module.resolve(expr)
    path = expr.path
    if target is None or target.block.type != "resource" or target.block.label_values[:1] != ["aws_kms_key"]:
        return None
    if len(path) != 3 or not _plain(target.block):
        return None
    if path[-1] in ("id", "key_id"):
        path = [*path[:-1], "arn"]
    return ".".join(path) if path[-1] == "arn" else None


def _symmetric(block: cst.Block) -> bool:
    for name, wanted in (("customer_master_key_spec", "SYMMETRIC_DEFAULT"), ("key_usage", "ENCRYPT_DECRYPT")):
        attr = block.get_attribute(name)
        if attr is not None:
            if not (isinstance(attr.value, cst.Template) and attr.value.is_literal
                    and attr.value.literal_value == wanted):
                return False
    return True


def _allows_service(module: Module, ref: BlockRef, prefix: str) -> bool:
    """The key's policy has an Allow statement for a service principal ``<prefix>.<...>amazonaws.com``
    (``logs.${region}.amazonaws.com``, ``logs.amazonaws.com``)."""
    attr = ref.block.get_attribute("policy")
    if attr is None:
        return False
    statements = statements_of(module, ref, attr.value)
    if not statements:
        return False
    for stmt in statements:
        if stmt.effect != "Allow" or not stmt.principals:
            continue
        if any(v and _service_principal(prefix).fullmatch(v) for v in _principals(stmt, "Service")):
            return True
    return False


def _principals(stmt: Stmt, kind: str) -> list[str | None]:
    """The ``kind`` (``Service``, ``AWS``) principals of a statement as written,
    interpolations as ``HOLE`` (``Stmt.principals`` has only literal values)."""
    w = stmt.written
    if isinstance(w, cst.Object):
        principal = w.get("Principal")
        if principal is not None and isinstance(principal.value, cst.Object):
            item = principal.value.get(kind)
            return (texts(item.value) or []) if item is not None else []
        return []
    if isinstance(w, cst.Block):
        out: list[str | None] = []
        for p in w.find_blocks("principals"):
            kind_, ids = p.get_attribute("type"), p.get_attribute("identifiers")
            if kind_ is not None and ids is not None and (texts(kind_.value) or [None])[0] == kind:
                out.extend(texts(ids.value) or [])
        return out
    return [v for v, _ in stmt.principals or []]


def _service_principal(prefix: str) -> re.Pattern[str]:
    """``logs.amazonaws.com``, ``logs.eu-west-1.amazonaws.com``, and the same with the
    region or DNS suffix interpolated (``logs.${data.aws_region.current.name}.${...dns_suffix}``)."""
    part = f"(?:[a-z0-9-]+|{HOLE})"
    return re.compile(rf"{re.escape(prefix)}\.(?:{part}\.)?(?:amazonaws\.com(?:\.cn)?|{HOLE})")


def _fitting_key(module: Module, provider: Provider, fits: Callable[[BlockRef], bool],
                 hints: tuple[str, ...] = ()) -> BlockRef | None:
    """The first key that fits, preferring one whose label names the purpose (``hints``)."""
    found = [ref for ref in module.resources("aws_kms_key")
             if len(ref.block.labels) == 2 and _plain(ref.block) and _same_provider(ref.block, provider)
             and _symmetric(ref.block) and fits(ref)]
    named = [ref for ref in found if any(h in ref.block.label_values[1].lower() for h in hints)]
    return (named or found or [None])[0]


def _key(module: Module, provider: Provider, base: str, description: str,
         fits: Callable[[BlockRef], bool], statement: Callable[[_Facts], dict[str, object]] | None,
         hints: tuple[str, ...] = ()) -> Support:
    found = _fitting_key(module, provider, fits, (base, *hints))
    if found is not None:
        return Support(f"{found.address}.arn", reused=found.address)
    label = _label(module, "aws_kms_key", provider.label(base), fits)
    f = _facts(module, provider)
    statements = [_root_statement(f), *([statement(f)] if statement is not None else [])]
    policy = {"Version": "2012-10-17", "Statement": statements}
    body: dict[str, object] = {
        **provider.meta,
        "description": description,
        "enable_key_rotation": True,
        "deletion_window_in_days": 30,
        "policy": _jsonencode(policy),
    }
    address = f"aws_kms_key.{label}"
    return Support(f"{address}.arn", blocks=[*f.blocks, (address, NewBlock("resource", ["aws_kms_key", label], body))])


def _once(name: str, compute: Callable[[Module, Provider], Support]) -> Callable[[Module, Provider], Support]:
    """``compute`` once per module state and provider (``Module.fact``: forgotten whenever
    the trees change), since every finding of a check asks for the same key or role. Each
    call gets its own ``Support`` (its own scope marker, so fixes of one round that need it
    are still applied together, as when each computed it)."""

    def get(module: Module, provider: Provider) -> Support:
        found = module.fact(("supporting", name, provider), lambda: compute(module, provider))
        return Support(found.expression, found.reused, list(found.blocks))

    get.__name__ = get.__qualname__ = name
    get.__doc__ = compute.__doc__
    return get


def _logs_key(module: Module, provider: Provider) -> Support:
    """A key CloudWatch Logs may use for the log groups of the account and region: its
    policy allows ``logs.<region>.<dns suffix>`` with a
    ``kms:EncryptionContext:aws:logs:arn`` condition on the account's log groups."""

    def fits(ref: BlockRef) -> bool:
        return _allows_service(module, ref, "logs")

    def statement(f: _Facts) -> dict[str, object]:
        return {
            "Sid": "CloudWatchLogs",
            "Effect": "Allow",
            "Principal": {"Service": HCL(f'"logs.${{{f.region}}}.${{{f.dns_suffix}}}"')},
            "Action": ["kms:Encrypt*", "kms:Decrypt*", "kms:ReEncrypt*", "kms:GenerateDataKey*", "kms:Describe*"],
            "Resource": "*",
            "Condition": {"ArnLike": {"kms:EncryptionContext:aws:logs:arn": HCL(
                f'"arn:${{{f.partition}}}:logs:${{{f.region}}}:${{{f.account}}}:log-group:*"')}},
        }

    return _key(module, provider, "cloudwatch_logs", "CloudWatch Logs log groups", fits, statement, ("log",))


logs_key = _once("logs_key", _logs_key)


def _default_policy(module: Module, ref: BlockRef) -> bool:
    """The key's policy lets the account's IAM policies decide: no ``policy`` (AWS's default
    key policy), or one with an Allow of ``kms:*`` to the account root."""
    attr = ref.block.get_attribute("policy")
    if attr is None:
        return True
    for stmt in statements_of(module, ref, attr.value) or []:
        if (stmt.effect == "Allow" and not stmt.has_condition and stmt.actions
                and any(a == "kms:*" for a, _ in stmt.actions)
                and any(v and v.endswith(":root") for v in _principals(stmt, "AWS"))):
            return True
    return False


def _account_key(base: str, description: str, hints: tuple[str, ...]) -> Callable[[Module, Provider], Support]:
    """A key for a service that uses it with the caller's own permissions (RDS storage and
    Performance Insights, S3 default encryption: the service calls KMS through grants or
    ``kms:ViaService`` on the caller's behalf, not as a service principal). Its policy is
    AWS's default key policy, written out: the account's IAM policies decide who may use
    it, as for the AWS managed ``aws/rds`` and ``aws/s3`` keys it replaces. Reused: a key of
    the module with such a policy (preferring one whose label names the purpose)."""

    def make(module: Module, provider: Provider) -> Support:
        return _key(module, provider, base, description, lambda ref: _default_policy(module, ref), None, hints)

    return _once(f"{base}_key", make)


rds_key = _account_key("rds", "RDS Performance Insights and storage", ("db", "database", "rds", "aurora"))
s3_key = _account_key("s3", "S3 default encryption", ("s3", "bucket"))


# ---- IAM roles ---------------------------------------------------------------------------

RDS_MONITORING_SERVICE = "monitoring.rds.amazonaws.com"
RDS_MONITORING_POLICY = "service-role/AmazonRDSEnhancedMonitoringRole"


def _trusts(module: Module, ref: BlockRef, service: str) -> bool:
    attr = ref.block.get_attribute("assume_role_policy")
    if attr is None:
        return False
    statements = statements_of(module, ref, attr.value)
    if not statements:
        return False
    return any(stmt.effect == "Allow" and any(v == service for v, _ in stmt.principals or [])
               for stmt in statements)


def _rds_monitoring_role(module: Module, provider: Provider) -> Support:
    """A role Enhanced Monitoring may assume: an ``aws_iam_role`` of the module trusted by
    ``monitoring.rds.amazonaws.com``, or a new one with ``AmazonRDSEnhancedMonitoringRole``
    (which only writes the ``RDSOSMetrics`` log group) and an ``aws:SourceAccount``
    condition against the confused deputy problem. IAM is global: the role needs no
    provider alias, but gets the resource's so that one provider configuration deploys
    everything the fix adds."""
    for ref in module.resources("aws_iam_role"):
        if (len(ref.block.labels) == 2 and _plain(ref.block) and _same_provider(ref.block, provider)
                and _trusts(module, ref, RDS_MONITORING_SERVICE)):
            return Support(f"{ref.address}.arn", reused=ref.address)
    label = _label(module, "aws_iam_role", provider.label("rds_enhanced_monitoring"),
                   lambda ref: _trusts(module, ref, RDS_MONITORING_SERVICE))
    f = _facts(module, provider)
    blocks = [b for b in f.blocks if not b[0].startswith(f"data.{_REGION}.")]
    role = NewBlock("resource", ["aws_iam_role", label], {
        **provider.meta,
        "name_prefix": "rds-enhanced-monitoring-",
        "assume_role_policy": _jsonencode(_service_trust(RDS_MONITORING_SERVICE, f.account)),
    })
    attachment = NewBlock("resource", ["aws_iam_role_policy_attachment", label], {
        **provider.meta,
        "role": HCL(f"aws_iam_role.{label}.name"),
        "policy_arn": HCL(f'"arn:${{{f.partition}}}:iam::aws:policy/{RDS_MONITORING_POLICY}"'),
    })
    return Support(f"aws_iam_role.{label}.arn", blocks=[
        *blocks, (f"aws_iam_role.{label}", role), (f"aws_iam_role_policy_attachment.{label}", attachment)])


rds_monitoring_role = _once("rds_monitoring_role", _rds_monitoring_role)


def _service_trust(service: str, account: str) -> dict:
    """A trust policy only ``service`` may use, and only on behalf of this account."""
    return {"Version": "2012-10-17", "Statement": [{
        "Effect": "Allow",
        "Principal": {"Service": service},
        "Action": "sts:AssumeRole",
        "Condition": {"StringEquals": {"aws:SourceAccount": HCL(account)}},
    }]}


# ---- VPC flow logs -----------------------------------------------------------------------

FLOW_LOGS_SERVICE = "vpc-flow-logs.amazonaws.com"
FLOW_LOG_RETENTION = 365  # days: what TFX701 writes by default, and Checkov CKV_AWS_338's minimum


@dataclass
class FlowLogDestination:
    """Where a new ``aws_flow_log`` sends its records: a log group and the role that writes
    to it (``Support.expression`` is the group's ARN; ``role`` the role's)."""

    support: Support
    role: str


def flow_log_destination(module: Module, provider: Provider) -> FlowLogDestination:
    """A CloudWatch log group for the module's VPC flow logs (``name_prefix``
    ``/aws/vpc-flow-logs/``, 365 days, encrypted with the module's logs key) and a role
    only ``vpc-flow-logs.amazonaws.com`` may assume (``aws:SourceAccount`` condition),
    allowed to write log streams and events to that group only (the scope TFX301 asks
    of flow-log roles) and to describe the account's log groups in the region. Created
    together, once per module and provider, in ``security.tf``; a group and role created
    by an earlier fix are found by their addresses. A log group of the module is not
    reused: which of them may receive the traffic records is not the fix's choice."""
    group_label = provider.label("vpc_flow_logs")
    group = f"aws_cloudwatch_log_group.{group_label}"
    role = f"aws_iam_role.{group_label}"
    if module.find(group) is not None and module.find(role) is not None:
        return FlowLogDestination(Support(f"{group}.arn", reused=group), f"{role}.arn")
    if any(module.find(a) is not None for a in (group, role, f"aws_iam_role_policy.{group_label}")):
        # one of the labels is the user's: number them all alike
        n = 2
        while any(module.find(f"{t}.{group_label}_{n}") is not None
                  for t in ("aws_cloudwatch_log_group", "aws_iam_role", "aws_iam_role_policy")):
            n += 1
        group_label = f"{group_label}_{n}"
        group, role = f"aws_cloudwatch_log_group.{group_label}", f"aws_iam_role.{group_label}"
    key = logs_key(module, provider)
    f = _facts(module, provider)
    log_group = NewBlock("resource", ["aws_cloudwatch_log_group", group_label], {
        **provider.meta,
        "name_prefix": "/aws/vpc-flow-logs/",
        "retention_in_days": FLOW_LOG_RETENTION,
        "kms_key_id": HCL(key.expression),
    })
    iam_role = NewBlock("resource", ["aws_iam_role", group_label], {
        **provider.meta,
        "name_prefix": "vpc-flow-logs-",
        "assume_role_policy": _jsonencode(_service_trust(FLOW_LOGS_SERVICE, f.account)),
    })
    policy = {"Version": "2012-10-17", "Statement": [
        {
            "Sid": "WriteFlowLogs",
            "Effect": "Allow",
            "Action": ["logs:CreateLogStream", "logs:PutLogEvents", "logs:DescribeLogStreams"],
            "Resource": [HCL(f"{group}.arn"), HCL(f'"${{{group}.arn}}:*"')],
        },
        {
            "Sid": "DescribeLogGroups",
            "Effect": "Allow",
            "Action": "logs:DescribeLogGroups",
            "Resource": HCL(f'"arn:${{{f.partition}}}:logs:${{{f.region}}}:${{{f.account}}}:log-group:*"'),
        },
    ]}
    role_policy = NewBlock("resource", ["aws_iam_role_policy", group_label], {
        **provider.meta,
        "name_prefix": "write-flow-logs-",
        "role": HCL(f"{role}.id"),
        "policy": _jsonencode(policy),
    })
    blocks = [*key.blocks, *[b for b in f.blocks if b[0] not in {a for a, _ in key.blocks}],
              (group, log_group), (role, iam_role), (f"aws_iam_role_policy.{group_label}", role_policy)]
    return FlowLogDestination(Support(f"{group}.arn", blocks=blocks), f"{role}.arn")


# ---- access log buckets --------------------------------------------------------------------

S3_LOGGING_SERVICE = "logging.s3.amazonaws.com"
ELB_LOGGING_SERVICE = "logdelivery.elasticloadbalancing.amazonaws.com"
LOG_BUCKET_EXPIRATION = 365  # days the generated log buckets keep logs (TFX701's log-group retention)
LOG_BUCKET_NONCURRENT = 30  # days a replaced or deleted log object is kept as a noncurrent version
ABORT_INCOMPLETE_DAYS = 7  # TFX808's default
# Regions where Elastic Load Balancing writes access logs as the Region's ELB account (Regions
# available before August 2022): the keys of the provider's table behind aws_elb_service_account
# (internal/service/elb/service_account_data_source.go, accountIDPerRegionMap), whose read fails
# ("unsupported AWS Region") in any other Region. Newer Regions use the service principal
# ELB_LOGGING_SERVICE. The set is closed: Regions launched from August 2022 on use the principal.
ELB_ACCOUNT_REGIONS = (
    "af-south-1", "ap-east-1", "ap-northeast-1", "ap-northeast-2", "ap-northeast-3", "ap-south-1",
    "ap-southeast-1", "ap-southeast-2", "ap-southeast-3", "ca-central-1", "cn-north-1", "cn-northwest-1",
    "eu-central-1", "eu-north-1", "eu-south-1", "eu-west-1", "eu-west-2", "eu-west-3", "me-south-1",
    "sa-east-1", "us-east-1", "us-east-2", "us-gov-east-1", "us-gov-west-1", "us-west-1", "us-west-2",
)
# the Checkov checks a log bucket cannot pass, by AWS's constraints: the inline suppressions
# written into a generated log bucket (Checkov reports them as skipped, with the reason)
S3_LOG_SSE_ONLY = ("checkov:skip=CKV_AWS_145: access log delivery (S3 server access logs, load balancer "
                   "access logs) supports only SSE-S3 (AES256) target buckets, not SSE-KMS")
NO_SELF_LOGGING = "checkov:skip=CKV_AWS_18: the access log bucket must not log to itself (AWS)"
# not an AWS constraint but a choice tffix cannot make: replication needs a Region, a bucket and a
# provider there; said in the code, so that a Checkov gate stays green and the owner sees it
NOT_REPLICATED = ("checkov:skip=CKV_AWS_144: tffix does not replicate these logs to another Region (that needs a "
                  "bucket and a provider there); remove this line and add replication if your retention policy asks")


@dataclass
class LogBucket:
    """Where a fix sends access logs: ``support.expression`` is what the fix writes as the
    bucket (``aws_s3_bucket.s3_access_logs.id``), ``prefix`` the prefix to use when the
    bucket is the module's own (None: the fix names one)."""

    support: Support
    prefix: str | None = None


def _log_bucket_blocks(label: str, provider: Provider, policy: HCL, purpose: str) -> list[tuple[str, NewBlock]]:
    """A log bucket and its configuration: SSE-S3 (the only encryption log delivery
    accepts), public access blocked, ACLs disabled (BucketOwnerEnforced: deliveries are
    authorised by the bucket policy), versioning, a lifecycle that expires logs after a year,
    noncurrent versions after 30 days and abandoned multipart uploads after 7, the bucket
    policy that lets the delivery service write, and notifications of new log files to
    EventBridge (free for AWS service events on the default bus; rules there can react to
    deliveries, which the ELB guide suggests for log processing)."""
    meta = dict(provider.meta)
    bucket = f"aws_s3_bucket.{label}"
    ref = HCL(f"{bucket}.id")
    blocks = [
        (bucket, NewBlock("resource", ["aws_s3_bucket", label], {
            **meta, "bucket_prefix": f"{purpose}-"}, comments=[S3_LOG_SSE_ONLY, NO_SELF_LOGGING, NOT_REPLICATED])),
        (f"aws_s3_bucket_server_side_encryption_configuration.{label}", NewBlock(
            "resource", ["aws_s3_bucket_server_side_encryption_configuration", label], {
                **meta, "bucket": ref, "rule": NewBlock("rule", body={
                    "apply_server_side_encryption_by_default": NewBlock(
                        "apply_server_side_encryption_by_default", body={"sse_algorithm": "AES256"})})})),
        (f"aws_s3_bucket_public_access_block.{label}", NewBlock(
            "resource", ["aws_s3_bucket_public_access_block", label], {
                **meta, "bucket": ref, "block_public_acls": True, "block_public_policy": True,
                "ignore_public_acls": True, "restrict_public_buckets": True})),
        (f"aws_s3_bucket_ownership_controls.{label}", NewBlock(
            "resource", ["aws_s3_bucket_ownership_controls", label], {
                **meta, "bucket": ref, "rule": NewBlock("rule", body={"object_ownership": "BucketOwnerEnforced"})})),
        (f"aws_s3_bucket_versioning.{label}", NewBlock("resource", ["aws_s3_bucket_versioning", label], {
            **meta, "bucket": ref,
            "versioning_configuration": NewBlock("versioning_configuration", body={"status": "Enabled"})})),
        (f"aws_s3_bucket_lifecycle_configuration.{label}", NewBlock(
            "resource", ["aws_s3_bucket_lifecycle_configuration", label], {
                **meta, "bucket": ref, "rule": NewBlock("rule", body={
                    "id": "expire-logs",
                    "status": "Enabled",
                    "filter": NewBlock("filter"),
                    "expiration": NewBlock("expiration", body={"days": LOG_BUCKET_EXPIRATION}),
                    "noncurrent_version_expiration": NewBlock(
                        "noncurrent_version_expiration", body={"noncurrent_days": LOG_BUCKET_NONCURRENT}),
                    "abort_incomplete_multipart_upload": NewBlock(
                        "abort_incomplete_multipart_upload", body={"days_after_initiation": ABORT_INCOMPLETE_DAYS}),
                })})),
        (f"aws_s3_bucket_policy.{label}", NewBlock("resource", ["aws_s3_bucket_policy", label], {
            **meta, "bucket": ref, "policy": policy})),
        (f"aws_s3_bucket_notification.{label}", NewBlock("resource", ["aws_s3_bucket_notification", label], {
            **meta, "bucket": ref, "eventbridge": True})),
    ]
    return blocks


_LOG_BUCKET_TYPES = ("aws_s3_bucket", "aws_s3_bucket_server_side_encryption_configuration",
                     "aws_s3_bucket_public_access_block", "aws_s3_bucket_ownership_controls",
                     "aws_s3_bucket_versioning", "aws_s3_bucket_lifecycle_configuration", "aws_s3_bucket_policy",
                     "aws_s3_bucket_notification")


def _generated_label(module: Module, base: str) -> tuple[str, bool]:
    """The label of the generated log bucket: ``base`` when free or when the bucket and its
    whole configuration exist (made by an earlier fix: True), else ``base_2`` ..."""
    label, n = base, 2
    while True:
        found = [module.find(f"{t}.{label}") is not None for t in _LOG_BUCKET_TYPES]
        if all(found):
            return label, True
        if not any(found):
            return label, False
        label, n = f"{base}_{n}", n + 1


def _data_blocks(f: _Facts, *types: str) -> list[tuple[str, NewBlock]]:
    return [b for b in f.blocks if any(b[0].startswith(f"data.{t}.") for t in types)]


def s3_access_log_bucket(module: Module, provider: Provider) -> LogBucket:
    """A bucket for S3 server access logs: the module's generated one, or a new
    ``aws_s3_bucket.s3_access_logs`` (with the provider alias as a suffix) in ``security.tf``
    with its configuration (``_log_bucket_blocks``) and a bucket policy that lets
    ``logging.s3.amazonaws.com`` put objects, only for source buckets of this account
    (``aws:SourceAccount``) and only from S3 buckets (``aws:SourceArn`` ``arn:<partition>:s3:::*``:
    the source buckets change as fixes add them, so the condition names the service, not a list).
    (The rule reuses a target the module already logs to itself: ``reused_s3_log_target``.)"""
    label, exists = _generated_label(module, provider.label("s3_access_logs"))
    address = f"aws_s3_bucket.{label}"
    if exists:
        return LogBucket(Support(f"{address}.id", reused=address))
    f = _facts(module, provider)
    policy = {"Version": "2012-10-17", "Statement": [{
        "Sid": "S3ServerAccessLogs",
        "Effect": "Allow",
        "Principal": {"Service": S3_LOGGING_SERVICE},
        "Action": "s3:PutObject",
        "Resource": HCL(f'"${{{address}.arn}}/*"'),
        "Condition": {
            "ArnLike": {"aws:SourceArn": HCL(f'"arn:${{{f.partition}}}:s3:::*"')},
            "StringEquals": {"aws:SourceAccount": HCL(f.account)},
        },
    }]}
    blocks = [*_data_blocks(f, _ACCOUNT, _PARTITION),
              *_log_bucket_blocks(label, provider, _jsonencode(policy), "s3-access-logs")]
    return LogBucket(Support(f"{address}.id", blocks=blocks))


def lb_access_log_bucket(module: Module, provider: Provider) -> LogBucket:
    """A bucket for Application Load Balancer access logs: the module's generated one, or a
    new ``aws_s3_bucket.lb_access_logs`` in ``security.tf`` with its configuration and a bucket
    policy correct in every Region whatever the provider's Region is (often a variable):
    Elastic Load Balancing writes as the service principal
    ``logdelivery.elasticloadbalancing.amazonaws.com`` in Regions available from August 2022
    on, and as the Region's ELB account in older Regions. The policy allows the principal,
    and the ELB account through ``data.aws_elb_service_account`` with ``count`` = 1 only in the
    Regions that data source knows (``ELB_ACCOUNT_REGIONS``; it fails elsewhere). Both write
    only under ``<prefix>/AWSLogs/<this account>/``. ``Support.expression`` is the policy's
    ``bucket`` attribute, so a load balancer that names it waits for the policy: Elastic
    Load Balancing tests the bucket when access logs are enabled and fails with "Access
    Denied for bucket" before the policy exists."""
    label, exists = _generated_label(module, provider.label("lb_access_logs"))
    address = f"aws_s3_bucket.{label}"
    expression = f"aws_s3_bucket_policy.{label}.bucket"
    if exists:
        return LogBucket(Support(expression, reused=address))
    f = _facts(module, provider)
    elb, elb_blocks = _elb_account(module, provider, f)
    resource = HCL(f'"${{{address}.arn}}/*/AWSLogs/${{{f.account}}}/*"')
    service = {
        "Sid": "ElbLogDelivery",
        "Effect": "Allow",
        "Principal": {"Service": ELB_LOGGING_SERVICE},
        "Action": "s3:PutObject",
        "Resource": resource,
    }
    account = {
        "Sid": "ElbAccountLogDelivery",
        "Effect": "Allow",
        "Principal": {"AWS": HCL("account.arn")},
        "Action": "s3:PutObject",
        "Resource": resource,
    }
    statements = HCL("concat(\n  [\n    " + _indented(render(service), "    ") + ",\n  ],\n  [\n    for account in "
                     + elb + " : " + _indented(render(account), "    ") + "\n  ]\n)")
    policy = _jsonencode({"Version": "2012-10-17", "Statement": statements})
    blocks = [*_data_blocks(f, _REGION, _ACCOUNT, _PARTITION), *elb_blocks,
              *_log_bucket_blocks(label, provider, policy, "lb-access-logs")]
    return LogBucket(Support(expression, reused=None, blocks=blocks))


def _indented(text: str, indent: str) -> str:
    """``text`` (written at column 0) with its continuation lines indented by ``indent``."""
    return text.replace("\n", "\n" + indent)


def _elb_account(module: Module, provider: Provider, f: _Facts) -> tuple[str, list[tuple[str, NewBlock]]]:
    """``data.aws_elb_service_account.<name>``, counted: one instance in the Regions that have
    an ELB account for access logs, none elsewhere."""
    name = provider.label("lb_access_logs")
    address = f"data.aws_elb_service_account.{name}"
    n = 2
    while module.find(address) is not None:
        address = f"data.aws_elb_service_account.{name}_{n}"
        n += 1
    regions = render(list(ELB_ACCOUNT_REGIONS))
    block = NewBlock("data", ["aws_elb_service_account", address.split(".")[-1]], {
        **provider.meta, "count": HCL(f"contains({regions}, {f.region}) ? 1 : 0")})
    return address, [(address, block)]


def reused_s3_log_target(module: Module, provider: Provider, source: BlockRef) -> LogBucket | None:
    """A bucket the module already sends S3 server access logs to and that takes them from
    any bucket of the account (``s3_log_delivery_unrestricted``) with SSE-S3 default
    encryption (``sse_s3_only``: S3 does not deliver logs to an SSE-KMS bucket): the
    ``target_bucket`` of an ``aws_s3_bucket_logging`` (or of a bucket's inline ``logging``
    block) of the module with one instance and ``provider``, whose ``target_prefix`` is a
    literal (or absent). The new configuration uses the same prefix, which the bucket's
    permissions provably cover (S3 log records name their source bucket). The candidates are
    the same for every source bucket (computed once per state of the module): the first
    that is not ``source`` itself."""
    for target, prefix in module.fact(("s3.reused_log_targets", provider), lambda: _reusable_log_targets(module, provider)):
        if target != source:
            return LogBucket(Support(f"{target.address}.id", reused=target.address), prefix)
    return None


def _reusable_log_targets(module: Module, provider: Provider) -> list[tuple[BlockRef, str]]:
    """``reused_s3_log_target``'s candidates, in the module's order: (target bucket, prefix)."""
    out: list[tuple[BlockRef, str]] = []
    configs = [(ref, ref.block) for ref in module.resources("aws_s3_bucket_logging")]
    configs += [(ref, block) for ref in module.resources("aws_s3_bucket") for block in ref.block.find_blocks("logging")]
    for ref, config in configs:
        if not _plain(ref.block) or not _same_provider(ref.block, provider):
            continue
        attr = config.get_attribute("target_bucket")
        target = bucket_named(module, ref, attr.value) if attr is not None else None
        if not isinstance(target, BlockRef) or len(target.block.labels) != 2:
            continue
        if not _plain(target.block) or not _same_provider(target.block, provider) or not sse_s3_only(module, target):
            continue
        attr = config.get_attribute("target_prefix")
        prefix = ""
        if attr is not None:
            value = cst.sole_expression(attr.value)
            if not (isinstance(value, cst.Template) and value.is_literal):
                continue
            prefix = value.literal_value
        if not s3_log_delivery_unrestricted(module, target):
            continue
        out.append((target, prefix))
    return out
