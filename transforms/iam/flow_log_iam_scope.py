"""TFX301: the flow-log role may write only to its own log group."""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any

from tffix import edit
from tffix.engine.module import BUILT_IN_ROOTS, BlockRef, Module
from tffix.engine.rules import (
    FIX_SOMETIMES,
    IMPACT_IN_PLACE,
    SAFE,
    UNSAFE,
    Finding,
    Rule,
    literal,
)
from tffix.syntax import cst
from tffix.syntax.build import HCL, NewBlock
from tffix.syntax.lexer import Token
from tffix.syntax.parser import parse_expression

WRITE_ACTIONS = ("logs:CreateLogGroup", "logs:CreateLogStream", "logs:PutLogEvents")
_WRITES = {a.lower() for a in WRITE_ACTIONS}
FLOW_LOGS_SERVICE = "vpc-flow-logs.amazonaws.com"
HOLE = "\ue000"  # stands for an interpolation inside a string: never a wildcard, never a colon
# ARNs that name every log group of an account/region as much as "*" does
_WILDCARD_ARN = re.compile(r"arn:[^:]+:logs:[^:]*:[^:]*:(\*(:\*)*|log-group:\*(:\*|:log-stream:\*)?)", re.I)
# keys a statement may have for the rest of its actions to move to a copy of it
_SPLITTABLE = {"Sid", "Effect", "Action", "Resource", "Condition"}
_DOC_SPLITTABLE = {"sid", "effect", "actions", "resources"}


class FlowLogIamScope(Rule):
    """
    ## What it does
    For each `aws_flow_log` that writes to a CloudWatch log group of the module
    (`log_destination = aws_cloudwatch_log_group.x.arn`, the older `"${...arn}:*"` form, or
    the legacy `log_group_name = aws_cloudwatch_log_group.x.name`; `log_destination_type`
    absent or `"cloud-watch-logs"`) through an IAM role of the module
    (`iam_role_arn = aws_iam_role.r.arn`), finds the policies of that role:
    `aws_iam_role_policy` (`role = aws_iam_role.r.id` / `.name`), `aws_iam_policy` attached
    with `aws_iam_role_policy_attachment`, and `inline_policy` blocks, written as
    `jsonencode({...})`, heredoc JSON (`<<EOF`, `<<-EOF`) or a
    `data "aws_iam_policy_document"`. An `Allow` statement that grants `logs:CreateLogGroup`,
    `logs:CreateLogStream` or `logs:PutLogEvents` (any letter case) on `"*"` (or on an ARN
    that names every log group, such as `arn:aws:logs:*:*:*`) is scoped to
    `[<log group>.arn, "${<log group>.arn}:*"]`. The statement's other actions (the
    `Describe*` actions, which need `"*"`) move to a copy of the statement that keeps the
    original resource, `Effect` and `Condition` and drops the `Sid` (statement ids must stay
    unique), so they keep exactly the access they had (seed 001 §9). A same-line comment on
    `Resource = "*"` goes with the `"*"` to the copy.

    The policy keeps its style: HCL objects and blocks are edited in place (a lone
    `Statement = {...}` becomes `[{...}, {...}]`), heredoc JSON keeps its indentation, key
    spacing, list layout and line endings and its references become `${...}`
    interpolations, policy documents get a second `statement` block. When several flow logs
    share the role, the statement is scoped to all of their log groups: each of them needs
    the same writes on its own group, and nothing else uses the role (see Fix safety).
    `count` / `for_each` log groups are written per instance
    (`aws_cloudwatch_log_group.x[0].arn`, `[count.index]`, `[each.key]`) when the flow log,
    role, log group and policy share the same `count` / `for_each` and index.

    Reported without a fix:
    - wildcard actions that cover the writes (`logs:*`, `logs:Put*`, `*`): narrowing the
      actions is a different change from scoping the resource, and tffix does not pick
      actions for you (the message lists the five flow logs need);
    - policies tffix cannot rewrite: `templatefile()` and `file()` (the file is read when its
      path is known, to report its statements), variables, locals, string concatenation,
      `for` expressions, statements that are expressions, heredocs with template directives
      or that are not plain JSON, `dynamic "statement"` blocks;
    - a role that something other than `vpc-flow-logs.amazonaws.com` may assume, a managed
      policy attached to other roles too, a policy document used by another policy:
      scoping would break the other user;
    - a flow log whose log group is not a resource of the module, is chosen by an expression
      or lives in another account (`deliver_cross_account_role`), and `count` / `for_each`
      log groups whose instances cannot be paired with the policy's.

    ## Why is this bad?
    With `Resource = "*"` the flow-log role may create log groups and write events into
    every log group of the account: a misconfigured flow log, or anything that obtains the
    role's credentials, can flood or pollute other teams' logs and forge entries in audit
    log groups. Least privilege scopes the writes to the log group the flow log uses.

    ## Example
    ```hcl
    resource "aws_iam_role_policy" "flow_logs" {
      role = aws_iam_role.flow_logs.id
      policy = jsonencode({
        Statement = [{
          Effect   = "Allow"
          Action   = ["logs:CreateLogStream", "logs:PutLogEvents", "logs:DescribeLogStreams"]
          Resource = "*"
        }]
      })
    }
    ```
    for the role of a flow log that writes to a log group of the module:
    ```hcl
    # file: flow_logs.tf
    resource "aws_cloudwatch_log_group" "flow_logs" {
      name = "/aws/vpc/flow-logs"
    }

    resource "aws_iam_role" "flow_logs" {
      name_prefix = "flow-logs-"
      assume_role_policy = jsonencode({
        Version = "2012-10-17"
        Statement = [{
          Effect    = "Allow"
          Principal = { Service = "vpc-flow-logs.amazonaws.com" }
          Action    = "sts:AssumeRole"
        }]
      })
    }

    resource "aws_flow_log" "main" {
      vpc_id          = aws_vpc.main.id
      traffic_type    = "ALL"
      log_destination = aws_cloudwatch_log_group.flow_logs.arn
      iam_role_arn    = aws_iam_role.flow_logs.arn
    }
    ```

    ## Use instead
    ```hcl
    resource "aws_iam_role_policy" "flow_logs" {
      role = aws_iam_role.flow_logs.id
      policy = jsonencode({
        Statement = [{
          Effect   = "Allow"
          Action   = ["logs:CreateLogStream", "logs:PutLogEvents"]
          Resource = [aws_cloudwatch_log_group.flow_logs.arn, "${aws_cloudwatch_log_group.flow_logs.arn}:*"]
          }, {
          Effect   = "Allow"
          Action   = ["logs:DescribeLogStreams"]
          Resource = "*"
        }]
      })
    }
    ```

    ## Fix safety
    A fix is offered only when the rule can see every user of the permissions it narrows:
    the role's trust policy lets only `vpc-flow-logs.amazonaws.com` assume it (so nothing
    but the flow-logs service can ever use the role), every CloudWatch flow log of the module
    that uses the role writes to a log group of the module (all of them end up in the scoped
    list), the policy (or policy document) is used by this role alone, and the statement's
    other actions keep the resource they had. The flow logs then keep every permission they
    exercise: the writes are allowed on the log group ARN (tagging APIs use that form) and on
    `<arn>:*` (the form CloudWatch Logs authorizes log streams and events against), and the
    `Describe*` calls keep `"*"`.

    This also holds with older provider versions whose `arn` still ends in the `:*` the API
    adds: that form covers every stream of the group, and the group exists, so
    `CreateLogGroup` is not needed on it.

    The fix is **safe** when, in addition, nothing outside the module can be using the role:
    it has no fixed `name` (Terraform generates one, or `name_prefix` is used) and no
    output, module call or local passes it on; for a managed policy, the same holds for the
    `aws_iam_policy`. It is **unsafe** (held back unless unsafe fixes are enabled) when the
    role or managed policy has a fixed name or is exported: flow logs or roles in other
    stacks may refer to it by name or ARN and write to log groups this module does not know,
    and scoping would silently stop their delivery (flow logs report the error only in their
    delivery status). Most hand-written modules name their roles, so most fixes are unsafe.

    ## Deployment impact
    In-place update of the policy (`PutRolePolicy` for `aws_iam_role_policy` and inline
    policies, a new default policy version for `aws_iam_policy`); nothing is replaced, the
    flow log is untouched and keeps delivering.

    ## References
    - Seed 001 §9 "VPC Flow Logs IAM Policy Too Permissive" (`../shared/seeds`): the wrong and
      the corrected policy this rule turns one into the other
    - AWS VPC User Guide, "IAM role for publishing flow logs to CloudWatch Logs": the five
      actions (CreateLogGroup, CreateLogStream, PutLogEvents, DescribeLogGroups,
      DescribeLogStreams) and the trust policy for `vpc-flow-logs.amazonaws.com`
    - CloudWatch Logs API reference (`LogGroup.arn` vs `logGroupArn`): IAM policies use the
      log group ARN with the trailing `:*` for most actions, without it for tagging
    - Terraform AWS provider: `aws_flow_log` docs (`iam_role_arn`, `log_destination`,
      `log_destination_type` default `cloud-watch-logs`, `deliver_cross_account_role`);
      `aws_cloudwatch_log_group` docs (`arn` has the `:*` suffix removed);
      `internal/service/iam/role_policy.go` (`policy` is updated in place with
      `PutRolePolicy`, only `name` / `role` force replacement) and `policy.go` (an update
      creates a new default policy version)
    - Checkov CKV_AWS_290 (resources) and CKV_AWS_111 (`data "aws_iam_policy_document"`),
      "Ensure IAM policies does not allow write access without constraints": both fail on these
      statements and pass after the fix (checkov 3.3.30, `bench/checkov_mapping.py`, on heredoc
      JSON and a policy document; Checkov cannot read a `jsonencode` policy once it holds the
      log group's references, so there it reports neither pass nor fail). CKV_AWS_355 /
      CKV_AWS_356 ("no IAM policies documents allow "*" as a statement's resource for
      restrictable actions") fail on them too but are not mapped: they also flag the
      `Describe*` actions on `"*"`, which the seed's corrected policy (and so the fix) keeps
    - Trivy AWS-0057 ("IAM policy should avoid use of wildcards", trivy-checks
      `checks/cloud/aws/iam/no_policy_wildcards.go`): flags sensitive actions on a wildcard
      resource and explicitly accepts `arn:aws:logs:...:log-group:<name>:*`, the form the fix writes
    """

    id = "TFX301"
    name = "flow-log-iam-scope"
    summary = "Scope the flow-log role's CloudWatch Logs writes to its log group"
    fix_availability = FIX_SOMETIMES
    safety = UNSAFE
    impact = IMPACT_IN_PLACE
    checkov = ("CKV_AWS_290", "CKV_AWS_111")
    trivy = ("AWS-0057",)

    def check(self, module: Module, options: dict[str, Any]) -> Iterator[Finding]:
        seen: set[int] = set()
        for role in _roles(module):
            for source in _sources(module, role):
                policy = _unwrap(source.policy)
                doc = module.resolve(policy) if isinstance(policy, cst.Traversal) else None
                key = id(doc.block) if doc is not None else id(source.policy)
                if key not in seen:
                    seen.add(key)
                    yield from self._check_source(module, role, source)

    def _check_source(self, module: Module, role: _Role, src: _Source) -> Iterator[Finding]:
        policy = _unwrap(src.policy)
        doc = module.resolve(policy) if isinstance(policy, cst.Traversal) else None
        if doc is not None and doc.address.startswith("data.aws_iam_policy_document."):
            form: _Form | str = _document_form(module, role, src, doc, policy)
        elif _jsonencode_object(policy) is not None:
            form = _jsonencode_form(src, policy)
        elif isinstance(policy, cst.Heredoc):
            form = _heredoc_form(src, policy)
        elif isinstance(policy, cst.FunctionCall) and policy.name in ("templatefile", "file"):
            form = _file_form(module, src, policy)
        else:
            form = f"is built from `{_short(policy)}`"
        if isinstance(form, str):
            yield self.finding(src.holder.file, src.policy,
                               f"{src.holder.address}: the policy of flow-log role {role.ref.address} {form}; "
                               f"tffix cannot check or rewrite it: make sure it grants CloudWatch Logs writes only "
                               f"on {_groups_text(role)}", block=src.holder.block)
            return
        for stmt in form.statements:
            yield from self._judge(module, role, src, form, stmt)

    def _judge(self, module: Module, role: _Role, src: _Source, form: _Form, st: _Stmt) -> Iterator[Finding]:
        if st.negated or (st.effect is not None and st.effect != "Allow"):
            return
        writes: list[str] = []
        wild: list[str] = []
        unknown = ""
        if st.actions is None:
            unknown = "its actions are not literal strings"
        else:
            for a in st.actions:
                kind = _classify(a)
                if kind == "write":
                    writes.append(a)
                elif kind == "wild":
                    wild.append(a)
                elif kind == "unknown":
                    unknown = "its actions are not literal strings"
            if not writes and not wild and not unknown:
                return  # no CloudWatch Logs write in this statement
        if st.resources is None:
            unknown = unknown or "its resources are not literal strings"
        else:
            wide = [r for r in st.resources if r is not None and _wildcard_resource(r)]
            if not wide:
                return  # already scoped
        if st.effect is None:
            unknown = unknown or "its Effect is an expression"
        where = form.file, st.anchor
        subject = f"{form.address} lets the flow-log role run {', '.join(writes + wild) or 'CloudWatch Logs writes'}"
        on = f"({st.resource_key} {st.resource_text})"
        if st.opaque:
            yield self.finding(*where, f"{form.address}: the flow-log role's policy has a statement built from "
                               f"`{st.resource_text}`; tffix cannot tell whether it lets the role write to every "
                               f"log group", block=form.block)
            return
        if unknown:
            yield self.finding(*where, f"{form.address}: a statement of the flow-log role's policy grants access "
                               f"{on} and {unknown}; tffix cannot tell whether it lets the role write to every "
                               f"log group", block=form.block)
            return
        message = f"{subject} on every log group {on}"
        reasons = list(dict.fromkeys([*role.reasons, *src.reasons, *form.reasons, *st.reasons]))
        if wild:
            reasons.insert(0, f"{', '.join(wild)} is a wildcard: list the actions flow logs need "
                              f"({', '.join(WRITE_ACTIONS)}, logs:DescribeLogGroups, logs:DescribeLogStreams)")
        if st.resources is not None and len([r for r in st.resources if r is None or not _wildcard_resource(r)]):
            reasons.append("the statement mixes scoped and unscoped resources")
        if not role.targets and not reasons:
            reasons.append("no CloudWatch flow log of the module uses the role")
        moved = [a for a in (st.actions or []) if a not in writes]
        if moved and st.split_blocker:
            reasons.append(st.split_blocker)
        refs = None
        if not reasons:
            refs = _target_refs(role, [*src.chain, *form.chain])
            if isinstance(refs, str):
                reasons.append(refs)
        if reasons or st.build is None or not isinstance(refs, list):
            if st.build is None and not reasons:
                reasons.append(st.no_fix)
            yield self.finding(*where, f"{message}; not fixed: {'; '.join(reasons)}", block=form.block)
            return
        apply = st.build(writes, moved, refs)
        if isinstance(apply, str):
            yield self.finding(*where, f"{message}; not fixed: {apply}", block=form.block)
            return
        unsafe = [*role.unsafe, *src.unsafe]
        groups = ", ".join(g.address for g, _ in role.targets)
        description = f"scope to {groups}" + (f" (unsafe: {'; '.join(unsafe)})" if unsafe else "")
        yield self.finding(*where, message, block=form.block, fix=apply, description=description,
                           safety=UNSAFE if unsafe else SAFE, impact=IMPACT_IN_PLACE, scope=(form.block,))


# ---- the role, its flow logs and log groups ------------------------------------


@dataclass
class _Role:
    ref: BlockRef
    targets: list[tuple[BlockRef, str | None]] = field(default_factory=list)  # log group, instance key
    reasons: list[str] = field(default_factory=list)  # why no fix can be offered
    unsafe: list[str] = field(default_factory=list)  # why a fix is unsafe


def _roles(module: Module) -> list[_Role]:
    roles: dict[BlockRef, _Role] = {}
    for flow in module.resources("aws_flow_log"):
        block = flow.block
        role_attr = block.get_attribute("iam_role_arn")
        role_ref = _reference(role_attr.value) if role_attr else None
        role = module.resolve(role_ref) if role_ref is not None else None
        if role is None or not role.address.startswith("aws_iam_role."):
            continue
        entry = roles.setdefault(role, _Role(role))
        dest_type = block.get_attribute("log_destination_type")
        if dest_type is not None:
            known, value = literal(dest_type.value)
            if not known:
                entry.reasons.append(f"{flow.address} sets log_destination_type from an expression")
                continue
            if value != "cloud-watch-logs":
                continue  # S3 and Firehose destinations do not write with this role
        if block.get_attribute("deliver_cross_account_role") is not None:
            entry.reasons.append(f"{flow.address} delivers to another account")
            continue
        dest = block.get_attribute("log_destination") or block.get_attribute("log_group_name")
        dest_ref = _destination_reference(dest.value) if dest else None
        group = module.resolve(dest_ref) if dest_ref is not None else None
        if group is None or not group.address.startswith("aws_cloudwatch_log_group."):
            entry.reasons.append(f"{flow.address} writes to a log group that is not a resource of this module")
            continue
        key = None
        meta = _meta(group.block)
        if meta is not None:
            key = _instance_key(dest_ref)
            if key is None or key != _instance_key(role_ref) or _meta(block) != meta or _meta(role.block) != meta:
                entry.reasons.append(f"{group.address} uses {meta[0]} and tffix cannot pair its instances with "
                                     f"the role's")
                continue
        if (group, key) not in entry.targets:
            entry.targets.append((group, key))
    for entry in roles.values():
        _check_role(module, entry)
    return list(roles.values())


def _check_role(module: Module, entry: _Role) -> None:
    role = entry.ref
    trust = role.block.get_attribute("assume_role_policy")
    principals = _principals(module, trust.value) if trust is not None else None
    if principals is None:
        entry.reasons.append(f"tffix cannot read the trust policy of {role.address}")
    elif not principals:
        entry.reasons.append(f"the trust policy of {role.address} names no principal")
    elif principals != {("Service", FLOW_LOGS_SERVICE)}:
        others = sorted(f"{t} {p}" for t, p in principals if (t, p) != ("Service", FLOW_LOGS_SERVICE))
        entry.reasons.append(f"{role.address} may also be assumed by {', '.join(others)}: "
                             f"scoping would break its other users")
    _exported(module, role, entry.unsafe)
    name = role.block.get_attribute("name")
    if name is not None:
        entry.unsafe.append(f"{role.address} has a fixed name, flow logs outside this module may use it")


def _exported(module: Module, ref: BlockRef, out: list[str]) -> list[BlockRef]:
    """Record outputs, module calls and locals that pass ``ref`` on; return
    the other blocks that refer to it (not counting depends_on)."""
    others = []
    for user, trav in module.referrers(ref):
        if user == ref or _in_depends_on(user.block, trav):
            continue
        if user.block.type in ("output", "module", "locals"):
            what = f"{user.address} passes {ref.address} on"
            if what not in out:
                out.append(what)
        elif user not in others:
            others.append(user)
    return others


def _in_depends_on(block: cst.Block, trav: cst.Traversal) -> bool:
    for node in block.walk():
        if isinstance(node, cst.Attribute) and node.name == "depends_on":
            if any(n is trav for n in node.walk()):
                return True
    return False


# ---- the role's policies ------------------------------------------------------


@dataclass
class _Source:
    holder: BlockRef  # the block whose `policy` argument holds the policy
    policy: cst.Expr
    chain: list[tuple[cst.Block, cst.Traversal | None]] = field(default_factory=list)  # for count/for_each pairing
    reasons: list[str] = field(default_factory=list)
    unsafe: list[str] = field(default_factory=list)


def _sources(module: Module, role: _Role) -> Iterator[_Source]:
    for ref in module.resources("aws_iam_role_policy"):
        attr = ref.block.get_attribute("role")
        trav = _reference(attr.value) if attr else None
        policy = ref.block.get_attribute("policy")
        if trav is not None and module.resolve(trav) == role.ref and policy is not None:
            yield _Source(ref, policy.value, [(ref.block, trav)])
    managed: dict[BlockRef, _Source] = {}
    for ref in module.resources("aws_iam_role_policy_attachment"):
        attr = ref.block.get_attribute("role")
        trav = _reference(attr.value) if attr else None
        pol_attr = ref.block.get_attribute("policy_arn")
        pol_trav = _reference(pol_attr.value) if pol_attr else None
        target = module.resolve(pol_trav) if pol_trav is not None else None
        if trav is None or module.resolve(trav) != role.ref or target is None:
            continue
        if not target.address.startswith("aws_iam_policy.") or target in managed:
            continue
        policy = target.block.get_attribute("policy")
        if policy is None:
            continue
        src = _Source(target, policy.value, [(ref.block, trav), (ref.block, pol_trav), (target.block, None)])
        for user in _exported(module, target, src.unsafe):
            if user.block.label_values[:1] == ["aws_iam_role_policy_attachment"]:
                other = user.block.get_attribute("role")
                other_ref = _reference(other.value) if other else None
                if other_ref is not None and module.resolve(other_ref) == role.ref:
                    continue
            src.reasons.append(f"{target.address} is also used by {user.address}")
        if target.block.get_attribute("name") is not None:
            src.unsafe.append(f"{target.address} has a fixed name, roles outside this module may have it attached")
        managed[target] = src
    yield from managed.values()
    for inline in role.ref.block.find_blocks("inline_policy"):
        policy = inline.get_attribute("policy")
        if policy is not None:
            yield _Source(role.ref, policy.value, [(role.ref.block, None)])


# ---- the statements of a policy, whatever its form ------------------------------


@dataclass
class _Stmt:
    anchor: cst.Node
    effect: str | None  # "Allow" when absent; None when an expression
    actions: list[str] | None  # None: not all literal strings
    resources: list[str | None] | None  # None: an expression; None items: references to resources
    resource_key: str
    resource_text: str
    negated: bool = False  # NotAction / NotResource: not this rule's business
    opaque: bool = False  # the statement itself is an expression
    reasons: list[str] = field(default_factory=list)
    split_blocker: str = ""  # why the other actions cannot move to a statement of their own
    # (writes, moved, log group refs) -> the edit, or why there is none
    build: Callable[[list[str], list[str], list[str]], Callable[[], None] | str] | None = None
    no_fix: str = ""  # why build is None


@dataclass
class _Form:
    file: Any
    block: cst.Block  # the top-level block the fix edits
    address: str
    statements: list[_Stmt] = field(default_factory=list)
    chain: list[tuple[cst.Block, cst.Traversal | None]] = field(default_factory=list)
    reasons: list[str] = field(default_factory=list)


def _classify(action: str) -> str:
    if HOLE in action:
        return "unknown"
    low = action.lower()
    if low in _WRITES:
        return "write"
    if "*" in low or "?" in low:
        rx = "".join(".*" if c == "*" else "." if c == "?" else re.escape(c) for c in low)
        if any(re.fullmatch(rx, w) for w in _WRITES):
            return "wild"
    return "other"


def _wildcard_resource(resource: str) -> bool:
    return resource == "*" or _WILDCARD_ARN.fullmatch(resource) is not None


# -- jsonencode({...})


def _jsonencode_object(policy: cst.Node) -> cst.Object | None:
    if isinstance(policy, cst.FunctionCall) and policy.name == "jsonencode" and len(policy.arguments) == 1:
        arg = policy.arguments[0]
        return arg if isinstance(arg, cst.Object) else None
    return None


def _jsonencode_form(src: _Source, policy: cst.FunctionCall) -> _Form | str:
    doc = _jsonencode_object(policy)
    assert doc is not None
    form = _Form(src.holder.file, src.holder.block, src.holder.address)
    item = doc.get("Statement")
    if item is None:
        return form
    value = item.value
    objects: list[cst.Expr]
    if isinstance(value, cst.Object):
        objects, tup = [value], None
    elif isinstance(value, cst.Tuple):
        objects, tup = value.items, value
    else:
        return f"has a Statement built from `{_short(value)}`"
    for obj in objects:
        if not isinstance(obj, cst.Object):
            form.statements.append(_Stmt(obj, None, None, None, "Statement", _short(obj), opaque=True))
            continue
        form.statements.append(_hcl_statement(doc, obj, tup))
    return form


def _hcl_statement(doc: cst.Object, obj: cst.Object, tup: cst.Tuple | None) -> _Stmt:
    keys = [it.key_name for it in obj.items]
    effect_item, action_item, resource_item = obj.get("Effect"), obj.get("Action"), obj.get("Resource")
    effect: str | None = "Allow"
    if effect_item is not None:
        known, value = literal(effect_item.value)
        effect = value if known and isinstance(value, str) else None
    actions = _hcl_strings(action_item.value) if action_item else []
    if actions is not None and any(a is None for a in actions):
        actions = None
    resources = _hcl_strings(resource_item.value) if resource_item else []
    anchor = resource_item.value if resource_item else obj
    st = _Stmt(anchor, effect, actions, resources, "Resource",  # type: ignore[arg-type]
               _short(resource_item.value) if resource_item else "(none)",
               negated=obj.get("NotAction") is not None or obj.get("NotResource") is not None)
    odd = [k or "?" for k in keys if k not in _SPLITTABLE]
    if odd:
        st.split_blocker = f"the statement has {', '.join(odd)}, tffix does not copy it"
    elif action_item is not None and not isinstance(action_item.value, cst.Tuple):
        st.split_blocker = "Action is not a list"

    def build(writes: list[str], moved: list[str], refs: list[str]) -> Callable[[], None] | str:
        def apply() -> None:
            action = obj.get("Action").value  # type: ignore[union-attr]
            multiline = isinstance(action, cst.Tuple) and "\n" in action.code
            comma = multiline and isinstance(action.elements[-1], Token)  # type: ignore[union-attr]
            new: dict[str, Any] = {}
            if moved:
                assert isinstance(action, cst.Tuple)
                going = [e for e in action.items if literal(e)[1] in moved]
                for it in obj.items:
                    key = it.key_name or ""
                    if key == "Sid":
                        continue  # statement ids must stay unique
                    if key == "Action":
                        new[key] = _list([_column0(e, "") for e in going], multiline, comma)
                    else:
                        new[key] = HCL(_column0(it.value, _indent(it.key.first_token()))
                                       + (_take_comment(it) if key == "Resource" else ""))
                edit.remove_tuple_items(action, going)
            edit.set_object_item(obj, "Resource", _list(_scoped_hcl(refs), multiline, comma))
            if not moved:
                return
            if tup is not None:
                edit.append_tuple_item(tup, new)
            else:  # a single statement object becomes a list of two, hugging it: `[{ ... }, { ... }]`
                stmt = doc.get("Statement")
                assert stmt is not None
                text = _column0(obj, _indent(stmt.key.first_token()))
                wrapped = edit.set_object_item(doc, "Statement", HCL(f"[{text}]")).value
                assert isinstance(wrapped, cst.Tuple)
                edit.append_tuple_item(wrapped, new)

        return apply

    st.build = build
    return st


def _hcl_strings(expr: cst.Node) -> list[str | None] | None:
    """The strings of a literal string or list: interpolations become HOLE;
    a reference to another resource is None (it names a resource); any other
    expression makes the whole thing unknown (None)."""
    items = expr.items if isinstance(expr, cst.Tuple) else [expr]
    out: list[str | None] = []
    for item in items:
        if isinstance(item, cst.Template):
            text = _template_text(item)
            if text is None:
                return None
            out.append(text)
        elif isinstance(item, cst.Traversal) and _is_resource_reference(item):
            out.append(None)
        else:
            return None
    return out


def _template_text(t: cst.Template) -> str | None:
    parts = []
    for p in t.parts:
        if isinstance(p, Token):
            parts.append(cst.unescape(str(p)))
        elif isinstance(p, cst.Interpolation):
            parts.append(HOLE)
        else:
            return None
    return "".join(parts)


def _is_resource_reference(trav: cst.Traversal) -> bool:
    path = trav.path
    return len(path) >= 2 and path[0] not in ("var", "local", "module", *BUILT_IN_ROOTS)


# -- data "aws_iam_policy_document"


def _document_form(module: Module, role: _Role, src: _Source, doc: BlockRef, ref: cst.Traversal) -> _Form:
    form = _Form(doc.file, doc.block, doc.address, chain=[(src.holder.block, ref), (doc.block, None)])
    holders = {id(src.holder.block)}
    for user in _exported(module, doc, form.reasons):
        if id(user.block) not in holders:
            form.reasons.append(f"{doc.address} is also used by {user.address}")
    dynamic = [b for b in doc.block.find_blocks("dynamic") if b.label_values[:1] == ["statement"]]
    if dynamic:
        form.reasons.append(f"{doc.address} also builds statements with dynamic blocks")
    for statement in doc.block.find_blocks("statement"):
        form.statements.append(_doc_statement(doc, statement))
    for dyn in dynamic:
        for content in dyn.find_blocks("content"):
            st = _doc_statement(doc, content)
            st.build, st.no_fix = None, "the statement comes from a dynamic block"
            form.statements.append(st)
    return form


def _doc_statement(doc: BlockRef, statement: cst.Block) -> _Stmt:
    effect_attr = statement.get_attribute("effect")
    actions_attr = statement.get_attribute("actions")
    resources_attr = statement.get_attribute("resources")
    effect: str | None = "Allow"
    if effect_attr is not None:
        known, value = literal(effect_attr.value)
        effect = value if known and isinstance(value, str) else None
    actions = _hcl_strings(actions_attr.value) if actions_attr else []
    if actions is not None and any(a is None for a in actions):
        actions = None
    resources = _hcl_strings(resources_attr.value) if resources_attr else []
    st = _Stmt(resources_attr.value if resources_attr else statement, effect, actions,  # type: ignore[arg-type]
               resources, "resources", _short(resources_attr.value) if resources_attr else "(none)",
               negated=any(statement.get_attribute(n) is not None for n in ("not_actions", "not_resources")))
    odd = [i.name for i in statement.body.attributes if i.name not in _DOC_SPLITTABLE]
    odd += [b.name if b.type != "dynamic" else f"dynamic {b.label_values[0]}" for b in statement.body.blocks
            if b.type != "condition"]
    if odd:
        st.split_blocker = f"the statement has {', '.join(odd)}, tffix does not copy it"
    elif actions_attr is not None and not isinstance(actions_attr.value, cst.Tuple):
        st.split_blocker = "actions is not a list"

    def build(writes: list[str], moved: list[str], refs: list[str]) -> Callable[[], None] | str:
        def apply() -> None:
            actions_node = statement.get_attribute("actions").value  # type: ignore[union-attr]
            multiline = "\n" in actions_node.code
            comma = isinstance(actions_node, cst.Tuple) and multiline and isinstance(actions_node.elements[-1], Token)
            body: dict[str, Any] = {}
            if moved:
                assert isinstance(actions_node, cst.Tuple)
                going = [e for e in actions_node.items if literal(e)[1] in moved]
                for item in statement.body.items:
                    if isinstance(item, cst.Block):  # a condition
                        body.setdefault("condition", []).append(NewBlock("condition", body={
                            a.name: HCL(_column0(a.value, _indent(a.name_token))) for a in item.body.attributes}))
                    elif item.name == "actions":
                        body["actions"] = _list([_column0(e, "") for e in going], multiline, comma)
                    elif item.name != "sid":
                        body[item.name] = HCL(_column0(item.value, _indent(item.name_token))
                                              + (_take_comment(item) if item.name == "resources" else ""))
                edit.remove_tuple_items(actions_node, going)
            edit.set_attribute(statement, "resources", _list(_scoped_hcl(refs), multiline, comma))
            if moved:
                attrs = {k: v for k, v in body.items() if k != "condition"}
                edit.append_block(doc.block, NewBlock("statement", body={**attrs, **({"condition": body["condition"]}
                                                                                if "condition" in body else {})}),
                                       after=statement)

        return apply

    st.build = build
    return st


# -- heredoc JSON


def _heredoc_form(src: _Source, heredoc: cst.Heredoc) -> _Form | str:
    if any(isinstance(p, (cst.TemplateIf, cst.TemplateFor)) for p in heredoc.parts):
        return "is a heredoc with template directives"
    content, shadow = _heredoc_text(heredoc)
    try:
        root = _parse_json(shadow)
    except ValueError:
        return "is a heredoc that is not plain JSON"
    form = _Form(src.holder.file, src.holder.block, src.holder.address)
    for stmt, container in _json_statements(root):
        st = _json_statement(stmt, content, _heredoc_anchor(heredoc, stmt, content))
        st.build = _heredoc_builder(src, heredoc, content, root, stmt, container)
        form.statements.append(st)
    return form


def _heredoc_text(heredoc: cst.Heredoc) -> tuple[str, str]:
    """The heredoc's raw text, and the same with each interpolation blanked
    out by HOLE characters (same offsets)."""
    raw, shadow = [], []
    for p in heredoc.parts:
        text = p.pre + str(p) if isinstance(p, Token) else p.code
        raw.append(text)
        shadow.append(text if isinstance(p, Token) else HOLE * len(text))
    return "".join(raw), "".join(shadow)


def _heredoc_anchor(heredoc: cst.Heredoc, stmt: _JValue, content: str) -> cst.Node:
    """A position node on the heredoc line that holds the statement's Resource."""
    resource = stmt.member("Resource")
    offset = resource[1].start if resource else stmt.start
    line = heredoc.open.line or 0
    if not line:
        return heredoc
    tok = Token.make("HLIT", "")
    tok.line = line + 1 + content.count("\n", 0, offset)
    tok.column = offset - (content.rfind("\n", 0, offset) + 1) + 1
    return _Position(tok)


class _Position(cst.Node):
    """Where a finding points inside a heredoc (no source of its own)."""

    __slots__ = ("token",)

    def __init__(self, token: Token) -> None:
        self.token = token


def _json_statements(root: _JValue) -> Iterator[tuple[_JValue, _JValue | None]]:
    """(statement object, the list holding it or None) for each statement."""
    if root.kind != "object":
        return
    member = root.member("Statement")
    if member is None:
        return
    value = member[1]
    if value.kind == "object":
        yield value, None
    elif value.kind == "array":
        for item in value.items:
            if item.kind == "object":
                yield item, value


def _json_statement(stmt: _JValue, content: str, anchor: cst.Node) -> _Stmt:
    def strings(key: str) -> list[str | None] | None:
        m = stmt.member(key)
        if m is None:
            return []
        v = m[1]
        items = v.items if v.kind == "array" else [v]
        if all(i.kind == "string" for i in items):
            return [i.value for i in items]
        return None

    effect: str | None = "Allow"
    effect_member = stmt.member("Effect")
    if effect_member is not None:
        effect = effect_member[1].value if effect_member[1].kind == "string" else None
        if effect is not None and HOLE in effect:
            effect = None
    resource = stmt.member("Resource")
    st = _Stmt(anchor, effect, strings("Action"), strings("Resource"), "Resource",  # type: ignore[arg-type]
               content[resource[1].start:resource[1].end] if resource else "(none)",
               negated=stmt.member("NotAction") is not None or stmt.member("NotResource") is not None)
    odd = [k for k, _v, _s, _e in stmt.members if k not in _SPLITTABLE]
    if odd:
        st.split_blocker = f"the statement has {', '.join(odd)}, tffix does not copy it"
    elif stmt.member("Action") is not None and stmt.member("Action")[1].kind != "array":  # type: ignore[index]
        st.split_blocker = "Action is not a list"
    return st


def _heredoc_builder(src: _Source, heredoc: cst.Heredoc, content: str, root: _JValue, stmt: _JValue,
                     container: _JValue | None) -> Callable[[list[str], list[str], list[str]], Callable[[], None] | str]:
    def build(writes: list[str], moved: list[str], refs: list[str]) -> Callable[[], None] | str:
        text = _rewrite_json(content, stmt, container, moved, _interleave(refs))
        new = parse_expression(str(heredoc.open) + text + str(heredoc.close))
        assert isinstance(new, cst.Heredoc)
        try:
            _parse_json(_heredoc_text(new)[1])
        except ValueError:
            return "tffix could not rewrite the heredoc as valid JSON"

        def apply() -> None:
            edit.replace_expression(src.holder.block, heredoc, new)

        return apply

    return build


def _interleave(refs: list[str]) -> list[str]:
    out = []
    for r in refs:
        out += [f'"${{{r}}}"', f'"${{{r}}}:*"']
    return out


def _rewrite_json(content: str, stmt: _JValue, container: _JValue | None, moved: list[str],
                  scoped: list[str]) -> str:
    """The heredoc text with ``stmt`` scoped to ``scoped`` and, when actions
    move, a copy of it holding them with its original resource, in the
    text's own layout."""
    nl = "\r\n" if "\r\n" in content else "\n"
    action = stmt.member("Action")
    resource = stmt.member("Resource")
    assert resource is not None and action is not None
    avalue, rvalue = action[1], resource[1]
    style = _array_style(content, avalue if avalue.kind == "array" else rvalue, nl)

    def raw(v: _JValue) -> str:
        return content[v.start:v.end]

    def render(items: list[str]) -> str:
        multiline, item_indent, close_indent, sep, pad_l, pad_r = style
        if multiline:
            return "[" + nl + ("," + nl).join(item_indent + i for i in items) + nl + close_indent + "]"
        return "[" + pad_l + sep.join(items) + pad_r + "]"

    def splice(edits: list[tuple[int, int, str]]) -> str:
        out = content[stmt.start:stmt.end]
        for start, end, new in sorted(edits, reverse=True):
            out = out[:start - stmt.start] + new + out[end - stmt.start:]
        return out

    edits = [(rvalue.start, rvalue.end, render(scoped))]
    if moved:
        edits.append((avalue.start, avalue.end, render([raw(i) for i in avalue.items if i.value not in moved])))
    scoped_text = splice(edits)
    if not moved:
        return content[:stmt.start] + scoped_text + content[stmt.end:]
    copy_edits = [(avalue.start, avalue.end, render([raw(i) for i in avalue.items if i.value in moved]))]
    sid = stmt.member("Sid")
    if sid is not None:  # statement ids must stay unique: the copy has none
        index = [m[0] for m in stmt.members].index("Sid")
        if index + 1 < len(stmt.members):
            copy_edits.append((sid[2], stmt.members[index + 1][2], ""))
        else:
            copy_edits.append((stmt.members[index - 1][3], sid[3], ""))
    copy_text = splice(copy_edits)
    if container is None:  # a single statement object becomes a list of two
        return content[:stmt.start] + "[" + scoped_text + ", " + copy_text + "]" + content[stmt.end:]
    position = container.items.index(stmt)
    if position + 1 < len(container.items):
        joiner = content[stmt.end:container.items[position + 1].start]
    elif position > 0:
        joiner = content[container.items[position - 1].end:stmt.start]
    else:
        before = content[container.start + 1:stmt.start]
        joiner = "," + nl + before[before.rfind("\n") + 1:] if "\n" in before else ", "
    return content[:stmt.start] + scoped_text + joiner + copy_text + content[stmt.end:]


def _array_style(content: str, value: _JValue, nl: str) -> tuple[bool, str, str, str, str, str]:
    """(multi-line?, item indent, closing bracket indent, separator, padding
    after '[', padding before ']') of a JSON array, or one-line defaults."""
    if value.kind != "array" or not value.items:
        return False, "", "", ", ", "", ""
    text = content[value.start:value.end]
    first, last = value.items[0], value.items[-1]
    if "\n" in text:
        line_start = content.rfind("\n", 0, first.start) + 1
        close_start = content.rfind("\n", 0, value.end - 1) + 1
        item_indent = content[line_start:first.start]
        close_indent = content[close_start:value.end - 1]
        if close_indent.strip():  # `]` hugs the last item: close at the item's line indentation
            close_indent = item_indent
        return True, item_indent, close_indent, "," + nl, "", ""
    sep = content[value.items[0].end:value.items[1].start] if len(value.items) > 1 else ", "
    return False, "", "", sep, content[value.start + 1:first.start], content[last.end:value.end - 1]


# -- templatefile() / file(): read to report, never rewritten


def _file_form(module: Module, src: _Source, call: cst.FunctionCall) -> _Form | str:
    args = call.arguments
    path = _module_path(args[0]) if args else None
    what = f"comes from {call.name}()"
    if path is None:
        return what
    try:
        text = (module.directory / path).read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError):
        return f"{what} and tffix cannot read {path}"
    if call.name == "templatefile":
        if re.search(r"(?<!%)%\{", text):
            return f"{what} with template directives"
        text = re.sub(r"(?<!\$)\$\{[^}]*\}", lambda m: HOLE * len(m.group()), text)
    try:
        root = _parse_json(text)
    except ValueError:
        return f"{what} and {path} is not plain JSON"
    form = _Form(src.holder.file, src.holder.block, f"{src.holder.address} ({path})")
    for stmt, _container in _json_statements(root):
        st = _json_statement(stmt, text, call)
        st.no_fix = f"the policy comes from {call.name}(), edit {path}"
        form.statements.append(st)
    return form


def _module_path(expr: cst.Node) -> str | None:
    known, value = literal(expr)
    if known and isinstance(value, str):
        return value
    if isinstance(expr, cst.Template) and len(expr.parts) == 2 and isinstance(expr.parts[0], cst.Interpolation):
        inner = expr.parts[0].expr
        rest = expr.parts[1]
        if isinstance(inner, cst.Traversal) and inner.path == ["path", "module"] and isinstance(rest, Token):
            return cst.unescape(str(rest)).lstrip("/")
    return None


# ---- who may assume the role -----------------------------------------------------


def _principals(module: Module, expr: cst.Expr) -> set[tuple[str, str]] | None:
    """(type, principal) pairs the trust policy allows, or None if unknown."""
    expr = _unwrap(expr)
    out: set[tuple[str, str]] = set()
    doc = module.resolve(expr) if isinstance(expr, cst.Traversal) else None
    if doc is not None and doc.address.startswith("data.aws_iam_policy_document."):
        if doc.block.find_blocks("dynamic"):
            return None
        for statement in doc.block.find_blocks("statement"):
            effect = statement.get_attribute("effect")
            if effect is not None and literal(effect.value) == (True, "Deny"):
                continue
            if statement.find_blocks("not_principals"):
                return None
            for p in statement.find_blocks("principals"):
                ptype = p.get_attribute("type")
                ids = p.get_attribute("identifiers")
                known, type_value = literal(ptype.value) if ptype else (False, None)
                values = _hcl_strings(ids.value) if ids else None
                if not known or values is None or any(v is None or HOLE in v for v in values):
                    return None
                out |= {(type_value, v) for v in values if v is not None}
        return out
    obj = _jsonencode_object(expr)
    if obj is not None:
        item = obj.get("Statement")
        if item is None:
            return out
        stmts = item.value.items if isinstance(item.value, cst.Tuple) else [item.value]
        for stmt in stmts:
            if not isinstance(stmt, cst.Object):
                return None
            effect = stmt.get("Effect")
            if effect is not None and literal(effect.value) == (True, "Deny"):
                continue
            if stmt.get("NotPrincipal") is not None:
                return None
            principal = stmt.get("Principal")
            if principal is None:
                continue
            if not isinstance(principal.value, cst.Object):
                values = _hcl_strings(principal.value)
                if values is None or any(v is None for v in values):
                    return None
                out |= {("*", v) for v in values if v is not None}
                continue
            for p in principal.value.items:
                values = _hcl_strings(p.value)
                if p.key_name is None or values is None or any(v is None or HOLE in v for v in values):
                    return None
                out |= {(p.key_name, v) for v in values if v is not None}
        return out
    if isinstance(expr, cst.Heredoc) and not any(isinstance(p, (cst.TemplateIf, cst.TemplateFor))
                                                 for p in expr.parts):
        try:
            root = _parse_json(_heredoc_text(expr)[1])
        except ValueError:
            return None
        for stmt, _ in _json_statements(root):
            effect = stmt.member("Effect")
            if effect is not None and effect[1].value == "Deny":
                continue
            if stmt.member("NotPrincipal") is not None:
                return None
            principal = stmt.member("Principal")
            if principal is None:
                continue
            value = principal[1]
            pairs = [("*", value)] if value.kind != "object" else [(k, v) for k, v, _s, _e in value.members]
            for key, v in pairs:
                items = v.items if v.kind == "array" else [v]
                if any(i.kind != "string" or HOLE in i.value for i in items):
                    return None
                out |= {(key, i.value) for i in items}
        return out
    return None


# ---- count / for_each, references --------------------------------------------------


def _meta(block: cst.Block) -> tuple[str, str] | None:
    for name in ("count", "for_each"):
        attr = block.get_attribute(name)
        if attr is not None:
            return name, attr.value.code.strip()
    return None


def _instance_key(trav: cst.Traversal | None) -> str | None:
    """The index after the block address: ``0`` in ``aws_x.y[0].arn``."""
    if trav is None:
        return None
    n = 3 if trav.path[:1] in (["data"], ["ephemeral"]) else 2
    if len(trav.steps) < n:
        return None
    step = trav.steps[n - 1]
    if isinstance(step, cst.Index):
        return step.key.code.strip()
    if isinstance(step, cst.LegacyIndex):
        return str(step.number)
    return None


def _target_refs(role: _Role, chain: list[tuple[cst.Block, cst.Traversal | None]]) -> list[str] | str:
    """The log groups' ARN references as the block the fix edits can write
    them, or why it cannot (count / for_each instances it cannot pair)."""
    refs = []
    for group, key in role.targets:
        if key is None:
            refs.append(f"{group.address}.arn")
            continue
        meta = _meta(group.block)
        for block, trav in chain:
            if _meta(block) != meta or (trav is not None and _instance_key(trav) != key):
                return f"{group.address} uses {meta[0] if meta else 'count'} and the policy is not written per instance"
        refs.append(f"{group.address}[{key}].arn")
    return refs


def _destination_reference(expr: cst.Node) -> cst.Traversal | None:
    """The log group reference of a flow log destination: ``x.arn``, or the
    older ``"${x.arn}:*"`` form."""
    expr = _unwrap(expr)
    if (isinstance(expr, cst.Template) and len(expr.parts) == 2 and isinstance(expr.parts[0], cst.Interpolation)
            and isinstance(expr.parts[1], Token) and str(expr.parts[1]) == ":*"):
        expr = _unwrap(expr.parts[0].expr)
    return expr if isinstance(expr, cst.Traversal) else None


def _reference(expr: cst.Node) -> cst.Traversal | None:
    expr = _unwrap(expr)
    return expr if isinstance(expr, cst.Traversal) else None


def _unwrap(expr: cst.Node) -> cst.Node:
    """``"${x}"`` is ``x``; parentheses are nothing."""
    while True:
        inner = cst.sole_expression(expr)
        if isinstance(inner, cst.Parens):
            inner = inner.expr
        if inner is expr:
            return expr
        expr = inner


# ---- small helpers -------------------------------------------------------------------


def _groups_text(role: _Role) -> str:
    return ", ".join(g.address for g, _ in role.targets) or "the flow log's log group"


def _short(node: cst.Node) -> str:
    text = " ".join(node.code.split())
    return text if len(text) <= 60 else text[:57] + "..."


def _indent(tok: Token) -> str:
    from tffix.syntax.layout import indent_of

    return indent_of(tok)


def _column0(node: cst.Node, indent: str) -> str:
    """The node's source as a snippet at column 0 (its continuation lines
    lose the indentation of the line it starts on)."""
    lines = node.code.lstrip().split("\n")
    rest = [ln[len(indent):] if ln.startswith(indent) else ln.lstrip(" \t") for ln in lines[1:]]
    return "\n".join([lines[0], *rest])


def _take_comment(item: cst.Attribute | cst.ObjectItem) -> str:
    """Remove the same-line comment of ``item`` and return it (with a space
    before it) for the copy of the statement: a note like `# Describe needs
    "*"` or `# too permissive` is about the `"*"` the copy keeps."""
    newline = item.newline
    comment = newline.pre.strip() if newline is not None else ""
    if not comment.startswith(("#", "//")) or "\n" in comment:
        return ""
    newline.pre = ""  # type: ignore[union-attr]
    return " " + comment


def _scoped_hcl(refs: list[str]) -> list[str]:
    out: list[str] = []
    for ref in refs:
        out += [ref, f'"${{{ref}}}:*"']
    return out


def _list(items: list[str], multiline: bool, trailing_comma: bool = False) -> HCL:
    """A list of HCL expressions, one per line (with a trailing comma) like
    the list it sits next to."""
    if multiline:
        return HCL("[\n" + ",\n".join(f"  {i}" for i in items) + ("," if trailing_comma else "") + "\n]")
    return HCL("[" + ", ".join(items) + "]")


# ---- JSON with positions (heredoc policies) -----------------------------------------


class _JValue:
    """A JSON value and where it is in the text: ``kind`` is object, array,
    string or scalar; ``members`` (key, value, start, end) for objects,
    ``items`` for arrays, ``value`` for strings."""

    __slots__ = ("kind", "start", "end", "value", "items", "members")

    def __init__(self, kind: str, start: int) -> None:
        self.kind, self.start, self.end = kind, start, start
        self.value: str = ""
        self.items: list[_JValue] = []
        self.members: list[tuple[str, _JValue, int, int]] = []

    def member(self, key: str) -> tuple[str, _JValue, int, int] | None:
        """(key, value, start, end) of the first member named ``key``."""
        for m in self.members:
            if m[0] == key:
                return m
        return None


_WS = " \t\r\n"
_SCALAR = re.compile(r"-?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][+-]?[0-9]+)?|true|false|null")
_STRING = re.compile(r'"(?:[^"\\\x00-\x1f]|\\["\\/bfnrt]|\\u[0-9a-fA-F]{4})*"')


def _parse_json(text: str) -> _JValue:
    """Strict JSON (no trailing commas, no comments) with positions."""
    value, pos = _json_value(text, _skip(text, 0))
    if _skip(text, pos) != len(text):
        raise ValueError("text after the JSON value")
    return value


def _skip(text: str, pos: int) -> int:
    while pos < len(text) and text[pos] in _WS:
        pos += 1
    return pos


def _json_value(text: str, pos: int) -> tuple[_JValue, int]:
    if pos >= len(text):
        raise ValueError("unexpected end")
    c = text[pos]
    if c == "{":
        node = _JValue("object", pos)
        pos = _skip(text, pos + 1)
        if text[pos:pos + 1] == "}":
            node.end = pos + 1
            return node, pos + 1
        while True:
            key, pos = _json_value(text, pos)
            if key.kind != "string":
                raise ValueError("object key is not a string")
            pos = _skip(text, pos)
            if text[pos:pos + 1] != ":":
                raise ValueError("expected ':'")
            value, end = _json_value(text, _skip(text, pos + 1))
            node.members.append((key.value, value, key.start, value.end))
            pos = _skip(text, end)
            if text[pos:pos + 1] == ",":
                pos = _skip(text, pos + 1)
                continue
            if text[pos:pos + 1] == "}":
                node.end = pos + 1
                return node, pos + 1
            raise ValueError("expected ',' or '}'")
    if c == "[":
        node = _JValue("array", pos)
        pos = _skip(text, pos + 1)
        if text[pos:pos + 1] == "]":
            node.end = pos + 1
            return node, pos + 1
        while True:
            value, end = _json_value(text, pos)
            node.items.append(value)
            pos = _skip(text, end)
            if text[pos:pos + 1] == ",":
                pos = _skip(text, pos + 1)
                continue
            if text[pos:pos + 1] == "]":
                node.end = pos + 1
                return node, pos + 1
            raise ValueError("expected ',' or ']'")
    if c == '"':
        m = _STRING.match(text, pos)
        if m is None:
            raise ValueError("bad string")
        node = _JValue("string", pos)
        node.value = json.loads(m.group())
        node.end = m.end()
        return node, m.end()
    m = _SCALAR.match(text, pos)
    if m is None:
        raise ValueError(f"unexpected {c!r}")
    node = _JValue("scalar", pos)
    node.end = m.end()
    return node, m.end()
