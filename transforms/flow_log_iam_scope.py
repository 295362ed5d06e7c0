"""TFX301: the flow-log role may write only to its own log group."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

from tffix import cst, edit
from tffix.build import HCL, NewBlock, quote
from tffix.module import BlockRef, Module, SourceFile
from tffix.rules import FIX_SOMETIMES, IMPACT_IN_PLACE, SAFE, Finding, Rule, literal

WRITE_ACTIONS = ("logs:CreateLogGroup", "logs:CreateLogStream", "logs:PutLogEvents")
DESCRIBE_ACTIONS = ("logs:DescribeLogGroups", "logs:DescribeLogStreams")
KNOWN = set(WRITE_ACTIONS) | set(DESCRIBE_ACTIONS)
FLOW_LOGS_SERVICE = "vpc-flow-logs.amazonaws.com"


@dataclass
class _Role:
    ref: BlockRef
    log_groups: list[BlockRef] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)


def _strings(node: cst.Node) -> set[str]:
    out = set()
    for n in node.walk():
        if isinstance(n, cst.Template) and n.is_literal:
            out.add(n.literal_value or "")
    return out


def _str_list(expr: cst.Node | None) -> list[str] | None:
    """A literal string or tuple of literal strings, else None."""
    if isinstance(expr, cst.Tuple):
        values = [literal(e) for e in expr.items]
        if all(k and isinstance(v, str) for k, v in values):
            return [v for _, v in values]
        return None
    known, value = literal(expr)
    return [value] if known and isinstance(value, str) else None


class FlowLogIamScope(Rule):
    """
    ## What it does
    For each `aws_flow_log` that writes to a CloudWatch log group of the module through an
    IAM role of the module, finds the policies of that role (`aws_iam_role_policy`,
    `aws_iam_policy` attached with `aws_iam_role_policy_attachment`, `inline_policy` blocks)
    written as `jsonencode({...})` or as a `data "aws_iam_policy_document"`. A statement that
    grants `logs:CreateLogGroup`, `logs:CreateLogStream` or `logs:PutLogEvents` on `"*"` is
    scoped to `[<log group>.arn, "${<log group>.arn}:*"]`; the `Describe*` actions, which
    need `"*"`, move to a statement of their own that keeps it (seed 001 §9).

    ## Why is this bad?
    With `Resource = "*"` the flow-log role may create log groups and write events into
    every log group of the account: anything that can assume it, or a misconfigured flow
    log, can flood or pollute other teams' logs. Least privilege scopes it to the one log
    group the flow log writes to.

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
    **Safe** under the conditions the rule checks before it offers a fix: the role is
    trusted only by `vpc-flow-logs.amazonaws.com`, every flow log using it writes to a log
    group declared in the module (all of them are in the scoped list), the policy is not
    attached to another role, and the statement holds only the five CloudWatch Logs actions
    flow logs use. The flow logs then keep every permission they exercise. Anything else
    (a role shared with other services, policies from `templatefile()`, heredoc JSON, `for`
    expressions, variables, log groups with `count` / `for_each`) is reported without a fix.

    ## Deployment impact
    In-place update of the IAM policy; nothing is replaced and the flow log keeps running.

    ## References
    - Seed 001 §9 "VPC Flow Logs IAM Policy Too Permissive" (`../shared/seeds`)
    - AWS VPC User Guide, "IAM role for publishing flow logs to CloudWatch Logs": the actions
      CreateLogGroup, CreateLogStream, PutLogEvents, DescribeLogGroups, DescribeLogStreams
    - Terraform AWS provider docs, `aws_flow_log` (log_destination, iam_role_arn) and
      `aws_cloudwatch_log_group` (`arn` attribute)
    - No Checkov or Trivy check targets flow-log roles specifically; Trivy AWS-0057
      ("IAM policy should avoid use of wildcards") reports the same wildcard
    """

    id = "TFX301"
    name = "flow-log-iam-scope"
    summary = "Scope the flow-log role's CloudWatch Logs permissions to its log group"
    fix_availability = FIX_SOMETIMES
    safety = SAFE
    impact = IMPACT_IN_PLACE
    trivy = ("AWS-0057",)

    def check(self, module: Module, options: dict[str, Any]) -> Iterator[Finding]:
        roles = self._roles(module)
        for role in roles.values():
            for file, holder, policy, shared in self._policies(module, role):
                yield from self._check_policy(module, role, file, holder, policy, shared)

    # ---- which roles, which log groups ----
    def _roles(self, module: Module) -> dict[int, _Role]:
        roles: dict[int, _Role] = {}
        for flow in module.resources("aws_flow_log"):
            block = flow.block
            dest_type = block.get_attribute("log_destination_type")
            if dest_type is not None and literal(dest_type.value) != (True, "cloud-watch-logs"):
                continue
            role_attr = block.get_attribute("iam_role_arn")
            role = module.resolve(role_attr.value) if role_attr else None
            if role is None or role.address.split(".")[0] != "aws_iam_role":
                continue
            entry = roles.setdefault(id(role.block), _Role(role))
            dest = block.get_attribute("log_destination") or block.get_attribute("log_group_name")
            group = module.resolve(dest.value) if dest else None
            if group is None or group.address.split(".")[0] != "aws_cloudwatch_log_group":
                entry.problems.append(f"{flow.address} writes to a log group outside the module")
            elif group.block.get_attribute("count") or group.block.get_attribute("for_each"):
                entry.problems.append(f"{group.address} uses count/for_each")
            elif group not in entry.log_groups:
                entry.log_groups.append(group)
        for entry in roles.values():
            trust = entry.ref.block.get_attribute("assume_role_policy")
            services = {s for s in _strings(trust.value) if s.endswith(".amazonaws.com")} if trust else set()
            doc = module.resolve(trust.value) if trust else None
            if doc is not None:
                services |= {s for s in _strings(doc.block) if s.endswith(".amazonaws.com")}
            if services != {FLOW_LOGS_SERVICE}:
                entry.problems.append(f"{entry.ref.address} is not trusted by {FLOW_LOGS_SERVICE} alone")
        return roles

    def _policies(self, module: Module, role: _Role) -> Iterator[tuple[SourceFile, BlockRef, cst.Node, list[str]]]:
        """(file, block holding the policy, the policy expression, reasons not to fix it)."""
        for ref in module.resources("aws_iam_role_policy"):
            attr = ref.block.get_attribute("role")
            if attr is not None and module.resolve(attr.value) == role.ref:
                policy = ref.block.get_attribute("policy")
                if policy is not None:
                    yield ref.file, ref, policy.value, []
        attached: dict[int, list[BlockRef]] = {}
        for ref in module.resources("aws_iam_role_policy_attachment"):
            pol = ref.block.get_attribute("policy_arn")
            target = module.resolve(pol.value) if pol else None
            role_attr = ref.block.get_attribute("role")
            if target is not None:
                attached.setdefault(id(target.block), []).append(
                    module.resolve(role_attr.value) if role_attr else None)  # type: ignore[arg-type]
        for ref in module.resources("aws_iam_policy"):
            users = attached.get(id(ref.block), [])
            if role.ref in users:
                policy = ref.block.get_attribute("policy")
                if policy is not None:
                    shared = any(u != role.ref for u in users)
                    yield ref.file, ref, policy.value, ["the policy is attached to other roles too"] if shared else []
        for inline in role.ref.block.find_blocks("inline_policy"):
            policy = inline.get_attribute("policy")
            if policy is not None:
                yield role.ref.file, role.ref, policy.value, []

    # ---- one policy ----
    def _check_policy(self, module: Module, role: _Role, file: SourceFile, holder: BlockRef,
                      policy: cst.Node, shared: list[str]) -> Iterator[Finding]:
        doc = module.resolve(policy)
        if doc is not None and doc.address.startswith("data.aws_iam_policy_document."):
            yield from self._check_document(module, role, doc)
            return
        statements = self._jsonencode_statements(policy)
        if statements is None:
            if self._mentions_wildcard_writes(policy):
                yield self.finding(file, policy, f"{holder.address} grants CloudWatch Logs writes on \"*\" to the "
                                   f"flow-log role in a form tffix cannot rewrite (heredoc JSON, templatefile, "
                                   f"variables); scope it to the flow log's log group", block=holder.block)
            return
        for stmt in statements:
            actions = _str_list(stmt.get("Action").value) if stmt.get("Action") else None
            resource = stmt.get("Resource")
            if actions is None or resource is None or _str_list(resource.value) != ["*"]:
                continue
            writes = [a for a in actions if a in WRITE_ACTIONS]
            if not writes:
                continue
            message = (f"{holder.address} lets the flow-log role run {', '.join(writes)} on every log group "
                       f"(Resource \"*\")")
            reasons = role.problems + shared + ([] if set(actions) <= KNOWN else ["the statement holds other actions"])
            if not role.log_groups:
                reasons.append("no log group of the module")
            if reasons:
                yield self.finding(file, resource.value, f"{message}; not fixed: {'; '.join(reasons)}",
                                   block=holder.block)
                continue
            describes = [a for a in actions if a not in WRITE_ACTIONS]
            groups = list(role.log_groups)
            statements_tuple = self._statement_tuple(policy)
            if describes and not isinstance(stmt.get("Action").value, cst.Tuple):  # type: ignore[union-attr]
                describes = []  # a single action string holds no Describe action to move

            def apply(stmt: cst.Object = stmt, describes: list[str] = describes,
                      groups: list[BlockRef] = groups, tup: cst.Tuple | None = statements_tuple) -> None:
                action = stmt.get("Action").value  # type: ignore[union-attr]
                multiline = "\n" in action.code
                if describes:  # the Describe actions leave this statement, the rest keep their layout
                    edit.remove_tuple_items(action, [e for e in action.items if literal(e)[1] in describes])
                edit.set_object_item(stmt, "Resource", _list(_resources(groups), multiline))
                if describes and tup is not None:
                    new = {"Effect": "Allow"} if stmt.get("Effect") is not None else {}
                    edit.append_tuple_item(tup, {**new, "Action": _list([quote(a) for a in describes], multiline),
                                                 "Resource": "*"})

            if describes and statements_tuple is None:
                yield self.finding(file, resource.value, f"{message}; not fixed: the Statement is not a list",
                                   block=holder.block)
                continue
            yield self.finding(file, resource.value, message, block=holder.block, fix=apply,
                               description=f"scope to {', '.join(g.address for g in groups)}")

    def _check_document(self, module: Module, role: _Role, doc: BlockRef) -> Iterator[Finding]:
        users = [r for r, _ in module.referrers(doc)]
        for statement in doc.block.find_blocks("statement"):
            actions_attr = statement.get_attribute("actions")
            resources_attr = statement.get_attribute("resources")
            actions = _str_list(actions_attr.value) if actions_attr else None
            if actions is None or resources_attr is None or _str_list(resources_attr.value) != ["*"]:
                continue
            writes = [a for a in actions if a in WRITE_ACTIONS]
            if not writes:
                continue
            message = (f"{doc.address} lets the flow-log role run {', '.join(writes)} on every log group "
                       f"(resources [\"*\"])")
            reasons = list(role.problems)
            if not set(actions) <= KNOWN:
                reasons.append("the statement holds other actions")
            if not role.log_groups:
                reasons.append("no log group of the module")
            if len({id(u.block) for u in users}) > 1:
                reasons.append("the policy document is used by more than one policy")
            if reasons:
                yield self.finding(doc.file, resources_attr.value, f"{message}; not fixed: {'; '.join(reasons)}",
                                   block=doc.block)
                continue
            describes = [a for a in actions if a not in WRITE_ACTIONS]
            groups = list(role.log_groups)

            def apply(statement: cst.Block = statement, writes: list[str] = writes, describes: list[str] = describes,
                      groups: list[BlockRef] = groups) -> None:
                actions = statement.get_attribute("actions").value  # type: ignore[union-attr]
                multiline = "\n" in actions.code
                if isinstance(actions, cst.Tuple):
                    edit.remove_tuple_items(actions, [e for e in actions.items if literal(e)[1] in describes])
                else:
                    statement.set_attribute("actions", writes)
                statement.set_attribute("resources", _list(_resources(groups), multiline))
                if describes:
                    doc.block.append_block(NewBlock("statement", body={"actions": describes, "resources": ["*"]}),
                                           after=statement)

            yield self.finding(doc.file, resources_attr.value, message, block=doc.block, fix=apply,
                               description=f"scope to {', '.join(g.address for g in groups)}")

    # ---- jsonencode shapes ----
    @staticmethod
    def _jsonencode_object(policy: cst.Node) -> cst.Object | None:
        if isinstance(policy, cst.FunctionCall) and policy.name == "jsonencode" and len(policy.arguments) == 1:
            arg = policy.arguments[0]
            return arg if isinstance(arg, cst.Object) else None
        return None

    def _statement_tuple(self, policy: cst.Node) -> cst.Tuple | None:
        obj = self._jsonencode_object(policy)
        item = obj.get("Statement") if obj else None
        return item.value if item is not None and isinstance(item.value, cst.Tuple) else None

    def _jsonencode_statements(self, policy: cst.Node) -> list[cst.Object] | None:
        obj = self._jsonencode_object(policy)
        item = obj.get("Statement") if obj else None
        if item is None:
            return None
        if isinstance(item.value, cst.Object):
            return [item.value]
        if isinstance(item.value, cst.Tuple) and all(isinstance(s, cst.Object) for s in item.value.items):
            return list(item.value.items)  # type: ignore[arg-type]
        return None

    @staticmethod
    def _mentions_wildcard_writes(policy: cst.Node) -> bool:
        text = policy.code
        return any(a in text for a in WRITE_ACTIONS) and '"*"' in text.replace('\\"', '"')


def _resources(groups: list[BlockRef]) -> list[str]:
    out: list[str] = []
    for g in groups:
        arn = f"{g.address}.arn"
        out += [arn, f'"${{{arn}}}:*"']
    return out


def _list(items: list[str], multiline: bool) -> HCL:
    """A list of HCL expressions, one per line like the list it sits next to."""
    if multiline:
        return HCL("[\n" + ",\n".join(f"  {i}" for i in items) + "\n]")
    return HCL("[" + ", ".join(items) + "]")
