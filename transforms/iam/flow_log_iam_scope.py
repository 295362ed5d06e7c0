"""TFX301: the flow-log role may write only to its own log group."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any

from tffix import edit
from tffix.engine.module import BlockRef, Module
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
from tffix.syntax.strings import HOLE, Position, string_text
from tffix.transforms.lib import policies
from tffix.transforms.lib.json_text import JValue, array_text, parse_json
from tffix.transforms.lib.policies import Field, Stmt
from tffix.transforms.lib.trust import assume_principals

WRITE_ACTIONS = ("logs:CreateLogGroup", "logs:CreateLogStream", "logs:PutLogEvents")
_WRITES = {a.lower() for a in WRITE_ACTIONS}
FLOW_LOGS_SERVICE = "vpc-flow-logs.amazonaws.com"
# ARNs that name every log group of an account/region as much as "*" does
_WILDCARD_ARN = re.compile(r"arn:[^:]+:logs:[^:]*:[^:]*:(\*(:\*)*|log-group:\*(:\*|:log-stream:\*)?)", re.I)
# keys a statement may have for the rest of its actions to move to a copy of it
_SPLITTABLE = {"Sid", "Effect", "Action", "Resource", "Condition"}
_DOC_SPLITTABLE = {"sid", "effect", "actions", "resources"}
_RESOURCE_KEY = {"jsonencode": "Resource", "json": "Resource", "document": "resources"}


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
      log group's references, so there it reports neither pass nor fail). Both checks cover
      every IAM policy; this rule covers flow-log delivery roles only (TFX312 reports write
      actions on `"*"` elsewhere), so their other failures are outside it. CKV_AWS_355 /
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
    partial = {
        "CKV_AWS_290": "flow-log delivery roles only; TFX312 reports other write actions on \"*\"",
        "CKV_AWS_111": "flow-log delivery roles only; TFX312 reports other write actions on \"*\"",
    }
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
            form: _Form | str = _document_form(module, src, doc, policy)
        elif policies.jsonencode_object(policy) is not None:
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

    def _judge(self, module: Module, role: _Role, src: _Source, form: _Form, st: Stmt) -> Iterator[Finding]:
        where = form.file, _anchor(st)
        if st.opaque:
            yield self.finding(*where, f"{form.address}: the flow-log role's policy has a statement built from "
                               f"`{_short(st.written)}`; tffix cannot tell whether it lets the role write to every "
                               f"log group", block=form.block)
            return
        action, resource = policies.field(st, "Action"), policies.field(st, "Resource")
        effect = _effect(st)
        negated = policies.field(st, "NotAction") or policies.field(st, "NotResource")
        if negated or (effect is not None and effect != "Allow"):
            return
        actions = action.texts if action else []
        if actions is not None and any(a is None for a in actions):
            actions = None
        resources = resource.texts if resource else []
        writes: list[str] = []
        wild: list[str] = []
        unknown = ""
        if actions is None:
            unknown = "its actions are not literal strings"
        else:
            for a in actions:
                kind = _classify(a)  # type: ignore[arg-type]
                if kind == "write":
                    writes.append(a)  # type: ignore[arg-type]
                elif kind == "wild":
                    wild.append(a)  # type: ignore[arg-type]
                elif kind == "unknown":
                    unknown = "its actions are not literal strings"
            if not writes and not wild and not unknown:
                return  # no CloudWatch Logs write in this statement
        if resources is None:
            unknown = unknown or "its resources are not literal strings"
        else:
            wide = [r for r in resources if r is not None and _wildcard_resource(r)]
            if not wide:
                return  # already scoped
        if effect is None:
            unknown = unknown or "its Effect is an expression"
        subject = f"{form.address} lets the flow-log role run {', '.join(writes + wild) or 'CloudWatch Logs writes'}"
        on = f"({_RESOURCE_KEY[st.kind]} {_shown(st, resource)})"
        if unknown:
            yield self.finding(*where, f"{form.address}: a statement of the flow-log role's policy grants access "
                               f"{on} and {unknown}; tffix cannot tell whether it lets the role write to every "
                               f"log group", block=form.block)
            return
        message = f"{subject} on every log group {on}"
        reasons = list(dict.fromkeys([*role.reasons, *src.reasons, *form.reasons]))
        if wild:
            reasons.insert(0, f"{', '.join(wild)} is a wildcard: list the actions flow logs need "
                              f"({', '.join(WRITE_ACTIONS)}, logs:DescribeLogGroups, logs:DescribeLogStreams)")
        if resources is not None and len([r for r in resources if r is None or not _wildcard_resource(r)]):
            reasons.append("the statement mixes scoped and unscoped resources")
        if not role.targets and not reasons:
            reasons.append("no CloudWatch flow log of the module uses the role")
        moved = [a for a in (actions or []) if a not in writes]
        blocker = _split_blocker(st, action)
        if moved and blocker:
            reasons.append(blocker)
        refs = None
        if not reasons:
            refs = _target_refs(role, [*src.chain, *form.chain])
            if isinstance(refs, str):
                reasons.append(refs)
        no_fix = form.no_fix or ("the statement comes from a dynamic block" if st.dynamic else "")
        if reasons or no_fix or not isinstance(refs, list):
            if no_fix and not reasons:
                reasons.append(no_fix)
            yield self.finding(*where, f"{message}; not fixed: {'; '.join(reasons)}", block=form.block)
            return
        apply = _FIXES[st.kind](src, st, moved, refs)  # type: ignore[arg-type]
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
    principals = assume_principals(module, role, _unwrap(trust.value)) if trust is not None else None
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
class _Form:
    file: Any
    block: cst.Block  # the top-level block the fix edits
    address: str
    statements: list[Stmt] = field(default_factory=list)
    chain: list[tuple[cst.Block, cst.Traversal | None]] = field(default_factory=list)
    reasons: list[str] = field(default_factory=list)
    no_fix: str = ""  # why no statement of it can be fixed (it is read from a file)


def _jsonencode_form(src: _Source, policy: cst.Node) -> _Form | str:
    form = _Form(src.holder.file, src.holder.block, src.holder.address)
    item = policies.jsonencode_object(policy).get("Statement")  # type: ignore[union-attr]
    if item is None:
        return form
    if not isinstance(item.value, (cst.Object, cst.Tuple)):
        return f"has a Statement built from `{_short(item.value)}`"
    form.statements = policies.jsonencode_statements(src.holder.file, src.holder, policy, opaque=True) or []
    return form


def _document_form(module: Module, src: _Source, doc: BlockRef, ref: cst.Traversal) -> _Form:
    form = _Form(doc.file, doc.block, doc.address, chain=[(src.holder.block, ref), (doc.block, None)])
    holders = {id(src.holder.block)}
    for user in _exported(module, doc, form.reasons):
        if id(user.block) not in holders:
            form.reasons.append(f"{doc.address} is also used by {user.address}")
    if any(b.label_values[:1] == ["statement"] for b in doc.block.find_blocks("dynamic")):
        form.reasons.append(f"{doc.address} also builds statements with dynamic blocks")
    form.statements = policies.document_statements(doc, dynamic=True)
    return form


def _heredoc_form(src: _Source, heredoc: cst.Heredoc) -> _Form | str:
    st = string_text(heredoc)
    assert st is not None
    if st.has_directives:
        return "is a heredoc with template directives"
    try:
        root = parse_json(st.text)
    except ValueError:
        return "is a heredoc that is not plain JSON"
    form = _Form(src.holder.file, src.holder.block, src.holder.address)
    form.statements = policies.json_document_statements(src.holder.file, src.holder, root, where=heredoc, text=st,
                                                        source=st.source)
    return form


def _file_form(module: Module, src: _Source, call: cst.FunctionCall) -> _Form | str:
    """templatefile() / file(): read to report, never rewritten."""
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
        root = parse_json(text)
    except ValueError:
        return f"{what} and {path} is not plain JSON"
    form = _Form(src.holder.file, src.holder.block, f"{src.holder.address} ({path})",
                 no_fix=f"the policy comes from {call.name}(), edit {path}")
    form.statements = policies.json_document_statements(src.holder.file, src.holder, root, where=call, source=text)
    return form


def _module_path(expr: cst.Node) -> str | None:
    known, value = literal(expr)
    if known and isinstance(value, str):
        return value
    st = string_text(expr) if isinstance(expr, cst.Template) else None
    if st is not None and len(st.holes) == 1 and st.holes[0].start == 0 and len(st.runs) == 1:
        hole = st.holes[0].node
        inner = hole.expr if isinstance(hole, cst.Interpolation) else None
        if isinstance(inner, cst.Traversal) and inner.path == ["path", "module"]:
            return cst.unescape(st.source[st.holes[0].end:]).lstrip("/")
    return None


# ---- reading a statement as written -------------------------------------------------


def _effect(st: Stmt) -> str | None:
    """Effect as written: "Allow" when absent, None when it is not one literal string."""
    effect = policies.field(st, "Effect")
    if effect is None:
        return "Allow"
    got = effect.texts
    if effect.is_list or got is None or len(got) != 1 or got[0] is None or HOLE in got[0]:
        return None
    return got[0]


def _anchor(st: Stmt) -> cst.Node | Position:
    """Where a finding points: the statement's resource, else the statement."""
    resource = policies.field(st, "Resource")
    if isinstance(st.written, JValue):
        if st.text is None:
            return st.node
        offset = resource.value.start if resource is not None else st.written.start  # type: ignore[union-attr]
        return st.text.position(offset) or st.text.node
    if st.opaque or resource is None:
        return st.written  # type: ignore[return-value]
    return resource.value  # type: ignore[return-value]


def _shown(st: Stmt, resource: Field | None) -> str:
    if resource is None:
        return "(none)"
    if isinstance(resource.value, JValue):
        return st.source[resource.value.start:resource.value.end]
    return _short(resource.value)


def _split_blocker(st: Stmt, action: Field | None) -> str:
    """Why the statement's other actions cannot move to a copy of it ('' when they can)."""
    if isinstance(st.written, cst.Block):
        statement = st.written
        odd = [i.name for i in statement.body.attributes if i.name not in _DOC_SPLITTABLE]
        odd += [b.name if b.type != "dynamic" else f"dynamic {b.label_values[0]}" for b in statement.body.blocks
                if b.type != "condition"]
    else:
        odd = [k or "?" for k in st.keys if k not in _SPLITTABLE]
    if odd:
        return f"the statement has {', '.join(odd)}, tffix does not copy it"
    if action is not None and not action.is_list:
        return f"{action.key} is not a list"
    return ""


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


# ---- the fixes: scope the writes, move the other actions to a copy ---------------------


def _scoped(refs: list[str]) -> list[HCL]:
    out: list[HCL] = []
    for ref in refs:
        out += [HCL(ref), HCL(f'"${{{ref}}}:*"')]
    return out


def _jsonencode_fix(src: _Source, st: Stmt, moved: list[str], refs: list[str]) -> Callable[[], None]:
    obj = st.written
    assert isinstance(obj, cst.Object)
    doc = policies.jsonencode_object(_unwrap(src.policy))

    def apply() -> None:
        action = obj.get("Action").value  # type: ignore[union-attr]
        scoped = edit.list_value(_scoped(refs), like=action)  # lists in the Action list's layout
        new: dict[str, Any] = {}
        if moved:
            assert isinstance(action, cst.Tuple)
            going = [e for e in action.items if literal(e)[1] in moved]
            for it in obj.items:
                key = it.key_name or ""
                if key == "Sid":
                    continue  # statement ids must stay unique
                if key == "Action":
                    new[key] = edit.list_value([edit.snippet(e) for e in going], like=action)
                else:  # a comment on `Resource = "*"` is about the "*" the copy keeps
                    new[key] = HCL(edit.snippet(it.value, within=it) + (edit.take_comment(it) if key == "Resource"
                                                                         else ""))
            edit.remove_tuple_items(action, going)
        edit.set_object_item(obj, "Resource", scoped)
        if moved:  # a single statement object becomes a list of two, hugging it: `[{ ... }, { ... }]`
            statements = st.container or edit.wrap_in_list(doc, "Statement")  # type: ignore[arg-type]
            edit.append_tuple_item(statements, new)  # type: ignore[arg-type]

    return apply


def _document_fix(src: _Source, st: Stmt, moved: list[str], refs: list[str]) -> Callable[[], None]:
    statement = st.written
    assert isinstance(statement, cst.Block)

    def apply() -> None:
        actions = statement.get_attribute("actions").value  # type: ignore[union-attr]
        scoped = edit.list_value(_scoped(refs), like=actions)
        body: dict[str, Any] = {}
        if moved:
            assert isinstance(actions, cst.Tuple)
            going = [e for e in actions.items if literal(e)[1] in moved]
            for item in statement.body.items:
                if isinstance(item, cst.Block):  # a condition
                    body.setdefault("condition", []).append(NewBlock("condition", body={
                        a.name: edit.snippet(a.value, within=a) for a in item.body.attributes}))
                elif item.name == "actions":
                    body["actions"] = edit.list_value([edit.snippet(e) for e in going], like=actions)
                elif item.name != "sid":
                    body[item.name] = HCL(edit.snippet(item.value, within=item)
                                          + (edit.take_comment(item) if item.name == "resources" else ""))
            edit.remove_tuple_items(actions, going)
        edit.set_attribute(statement, "resources", scoped)
        if moved:
            attrs = {k: v for k, v in body.items() if k != "condition"}
            edit.append_block(st.holder.block, NewBlock("statement", body={
                **attrs, **({"condition": body["condition"]} if "condition" in body else {})}), after=statement)

    return apply


def _heredoc_fix(src: _Source, st: Stmt, moved: list[str], refs: list[str]) -> Callable[[], None] | str:
    assert st.text is not None and isinstance(st.written, JValue)
    heredoc = st.text.node
    scoped = [f'"${{{r}}}{suffix}"' for r in refs for suffix in ("", ":*")]
    new = edit.string_with(heredoc, [(st.written.start, st.written.end,
                                      _scoped_json(st.source, st.written, st.container, moved, scoped))])
    try:
        parse_json(string_text(new).text)  # type: ignore[union-attr]
    except ValueError:
        return "tffix could not rewrite the heredoc as valid JSON"

    def apply() -> None:
        edit.replace_expression(src.holder.block, heredoc, new)

    return apply


_FIXES = {"jsonencode": _jsonencode_fix, "document": _document_fix, "json": _heredoc_fix}


def _scoped_json(text: str, stmt: JValue, container: JValue | None, moved: list[str], scoped: list[str]) -> str:
    """The new JSON for ``stmt`` (in ``text``): scoped to ``scoped`` and, when actions move,
    followed by a copy of it holding them with its original resource, in the text's own
    layout (a lone statement becomes a list of the two)."""
    action, resource = stmt.member("Action"), stmt.member("Resource")
    assert resource is not None and action is not None
    avalue, rvalue = action[1], resource[1]
    like = avalue if avalue.kind == "array" else rvalue

    def raw(v: JValue) -> str:
        return text[v.start:v.end]

    def splice(edits: list[tuple[int, int, str]]) -> str:
        out = text[stmt.start:stmt.end]
        for start, end, new in sorted(edits, reverse=True):
            out = out[:start - stmt.start] + new + out[end - stmt.start:]
        return out

    edits = [(rvalue.start, rvalue.end, array_text(text, like, scoped))]
    if moved:
        edits.append((avalue.start, avalue.end, array_text(text, like, [raw(i) for i in avalue.items
                                                                         if i.value not in moved])))
    scoped_text = splice(edits)
    if not moved:
        return scoped_text
    copy_edits = [(avalue.start, avalue.end, array_text(text, like, [raw(i) for i in avalue.items
                                                                      if i.value in moved]))]
    sid = stmt.member("Sid")
    if sid is not None:  # statement ids must stay unique: the copy has none
        index = [m[0] for m in stmt.members].index("Sid")
        if index + 1 < len(stmt.members):
            copy_edits.append((sid[2], stmt.members[index + 1][2], ""))
        else:
            copy_edits.append((stmt.members[index - 1][3], sid[3], ""))
    copy_text = splice(copy_edits)
    if container is None:
        return "[" + scoped_text + ", " + copy_text + "]"
    position = container.items.index(stmt)
    if position + 1 < len(container.items):
        joiner = text[stmt.end:container.items[position + 1].start]
    elif position > 0:
        joiner = text[container.items[position - 1].end:stmt.start]
    else:
        before = text[container.start + 1:stmt.start]
        nl = "\r\n" if "\r\n" in text else "\n"
        joiner = "," + nl + before[before.rfind("\n") + 1:] if "\n" in before else ", "
    return scoped_text + joiner + copy_text


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
    st = string_text(expr) if isinstance(expr, cst.Template) else None
    if st is not None and len(st.holes) == 1 and st.holes[0].start == 0 and st.source[st.holes[0].end:] == ":*" \
            and isinstance(st.holes[0].node, cst.Interpolation):
        expr = _unwrap(st.holes[0].node.expr)
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


def _groups_text(role: _Role) -> str:
    return ", ".join(g.address for g, _ in role.targets) or "the flow log's log group"


def _short(node: cst.Node) -> str:
    text = " ".join(node.code.split())
    return text if len(text) <= 60 else text[:57] + "..."
