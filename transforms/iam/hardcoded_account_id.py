"""TFX311: ARNs take the account id from the caller identity, not a hard-coded number."""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from tffix import edit
from tffix.engine.module import BlockRef, Module, SourceFile, references
from tffix.engine.rules import (
    FIX_SOMETIMES,
    IMPACT_NONE,
    SAFE,
    UNSAFE,
    Finding,
    Rule,
    literal,
)
from tffix.engine.suppressions import Comments, is_suppressed
from tffix.syntax import cst
from tffix.syntax.build import HCL, NewBlock
from tffix.syntax.lexer import Token
from tffix.transforms.lib.policies import Spot

ARN = re.compile(r"arn:(aws|aws-cn|aws-us-gov|aws-iso[a-z-]*):([a-z0-9-]+):([a-z0-9-]*):(\d{12}):([^\s\"'$,\]}]*)")
# the account segment of the log-delivery prefix in S3 object ARNs: ".../AWSLogs/123456789012/*"
LOG_PREFIX = re.compile(r"AWSLogs/(\d{12})(?=/|\*|\\?\"|$)")
# Accounts AWS owns, from the provider's service-account data sources (see References):
# aws_elb_service_account, aws_cloudtrail_service_account, aws_redshift_service_account.
ELB_ACCOUNTS = {
    "098369216593", "754344448648", "582318560864", "600734575887", "383597477331", "718504428378",
    "114774131450", "783225319266", "589379963580", "985666609251", "638102146993", "037604701340",
    "054676820928", "897822967062", "635631232127", "156460612806", "652711504416", "009996457667",
    "076674570225", "507241528517", "127311923021", "033677994240", "190560391635", "048591011584",
    "027434742980", "797873946194",
}
CLOUDTRAIL_ACCOUNTS = {
    "525921808201", "119688915426", "216624486486", "492519147666", "765225791966", "977081816279",
    "582488909970", "903692715234", "284668455005", "069019280451", "187074758985", "819402241893",
    "193415116832", "681348832753", "035351147821", "453052556044", "829690693026", "669305197877",
    "757211635381", "859597730677", "282025262664", "262312530599", "683224464357", "585772288577",
    "034638983726", "814480443879", "086441151436", "475085895292", "608710470296", "388731089494",
    "113285607260",
}
REDSHIFT_ACCOUNTS = {
    "365689465814", "313564881002", "404641285394", "760740231472", "090321488786", "865932855811",
    "361669875840", "762762565011", "907379612154", "111890595117", "660998842044", "053454850223",
    "729911121831", "945612479654", "210876761215", "307160386991", "915173422425", "013126148197",
    "075028567923", "193672423079", "391106570357", "665727464434", "262260360010", "902366379725",
}
AWS_OWNED = ELB_ACCOUNTS | CLOUDTRAIL_ACCOUNTS | REDSHIFT_ACCOUNTS
# blocks whose strings cannot refer to a data source, or are not this module's resources
SKIPPED_KINDS = ("terraform", "provider", "variable", "import", "moved", "removed")


@dataclass
class Hit:
    file: SourceFile
    holder: BlockRef
    expr: cst.Template | cst.Heredoc
    account: str
    arn: str
    line: int
    column: int


def _foreign(service: str, resource: str, account: str) -> bool:
    """ARNs that name someone else's account by nature."""
    if account in AWS_OWNED:
        return True
    if service == "lambda" and resource.startswith("layer:"):
        return True  # published layers (AWS's own, vendors')
    return service in ("serverlessrepo",)


def _raw(part: object) -> str:
    if isinstance(part, Token):
        return part.pre + part
    return part.code  # type: ignore[attr-defined]


def _position(tok: Token, offset: int) -> tuple[int, int]:
    before = str(tok)[:offset]
    line = (tok.line or 1) + before.count("\n")
    column = offset - before.rfind("\n") if "\n" in before else (tok.column or 1) + offset
    return line, column


def account_spans(text: str) -> list[tuple[int, int, str, str]]:
    """(start, end, account id, the ARN or path it is in) of the account ids in ``text`` that
    are not AWS-owned: the account field of ARNs and the ``AWSLogs/<id>`` log-delivery
    prefix of S3 object ARNs."""
    out = []
    for m in ARN.finditer(text):
        if not _foreign(m.group(2), m.group(5), m.group(4)):
            out.append((m.start(4), m.end(4), m.group(4), m.group(0)))
    for m in LOG_PREFIX.finditer(text):
        if m.group(1) not in AWS_OWNED:
            out.append((m.start(1), m.end(1), m.group(1), m.group(0)))
    return sorted(out)


def _scan(module: Module) -> list[Hit]:
    hits = []
    for ref in module.blocks():
        kind = ref.block.type
        if kind in SKIPPED_KINDS or (kind == "data" and ref.block.label_values[:1] == ["aws_caller_identity"]):
            continue
        for node in ref.block.walk():
            if not isinstance(node, (cst.Template, cst.Heredoc)):
                continue
            for part in node.parts:
                if not isinstance(part, Token):
                    continue
                for start, _, account, arn in account_spans(str(part)):
                    line, column = _position(part, start)
                    hits.append(Hit(ref.file, ref, node, account, arn, line, column))
    return hits


def _own_accounts(module: Module) -> set[str]:
    """allowed_account_ids of the default aws provider configuration(s)."""
    out: set[str] = set()
    for ref in module.blocks("provider"):
        if ref.block.label_values[:1] != ["aws"] or ref.block.get_attribute("alias") is not None:
            continue
        attr = ref.block.get_attribute("allowed_account_ids")
        if attr is not None and isinstance(attr.value, cst.Tuple):
            for item in attr.value.items:
                known, value = literal(item)
                if known and isinstance(value, str):
                    out.add(value)
    return out


def _provider_alias(block: cst.Block) -> str | None:
    attr = block.get_attribute("provider")
    if attr is not None:
        return attr.value.code.strip()
    attr = block.get_attribute("providers")
    return attr.value.code.strip() if attr is not None else None


def _local_name(hit: Hit) -> str | None:
    for attr in hit.holder.block.body.attributes:
        if any(n is hit.expr for n in attr.value.walk()):
            return attr.name
    return None


def _provider_locals(module: Module) -> set[str]:
    """Locals that provider configurations read, directly or through other locals."""
    defs = {name: attr for name, (_, attr) in module.locals().items()}
    todo = [t.path[1] for ref in module.blocks("provider") for t in references(ref.block)
            if t.path[:1] == ["local"] and len(t.path) > 1]
    seen: set[str] = set()
    while todo:
        name = todo.pop()
        if name in seen or name not in defs:
            continue
        seen.add(name)
        todo += [t.path[1] for t in references(defs[name].value) if t.path[:1] == ["local"] and len(t.path) > 1]
    return seen


def _data_name(module: Module) -> str | None:
    for ref in module.data_sources("aws_caller_identity"):
        if ref.block.get_attribute("provider") is None and len(ref.block.labels) == 2:
            return ref.block.label_values[1]
    return None


class HardcodedAccountId(Rule):
    """
    ## What it does
    Finds 12-digit account ids inside ARN strings (`"arn:aws:iam::123456789012:role/app"`, and
    the log-delivery prefix of S3 object ARNs, `".../AWSLogs/123456789012/*"`; in quoted
    strings, templates and heredocs, anywhere in resources, data sources, locals, outputs
    and module calls) and replaces the id with
    `${data.aws_caller_identity.current.account_id}`, adding
    `data "aws_caller_identity" "current" {}` to the file when the module has no caller-identity
    data source (an existing one is reused, whatever its name).

    tffix cannot know which account a number belongs to, so it fixes only when the module
    itself says which id is its own:
    - the default `provider "aws"` block has `allowed_account_ids` with that id (then the
      replacement cannot change any value: **safe**), or
    - every hard-coded account id in the module's ARNs is the same single id (then it is
      probably the module's own account: **unsafe**).
    With several different ids, each is reported without a fix: cross-account ARNs are
    legitimate and tffix cannot tell which one is the deploying account.

    Left alone: account ids AWS owns (the Elastic Load Balancing, CloudTrail and Redshift
    service accounts per region), Lambda layer ARNs (published by AWS or vendors) and
    Serverless Application Repository ARNs, ids in comments and outside ARNs (for example AMI
    `owners`), and strings in `provider`, `terraform`, `variable`, `import`, `moved` and
    `removed` blocks, which cannot refer to a data source. Strings in blocks that use another
    provider configuration (`provider = aws.other`) are reported without a fix: their account
    may be the other one; so are locals that a `provider` block reads (a provider cannot be
    configured from a data source).

    ## Why is this bad?
    A hard-coded account id ties the code to one account: deployed anywhere else (a second
    environment, a test account) the ARNs point at resources that do not exist or belong to
    someone else, and the id leaks into every copy of the code. Seed 000 §4 "Hardcoded values
    instead of using data sources for AMI IDs or account information"; seed 003 §5 shows the
    corrected form `${data.aws_caller_identity.current.account_id}`.

    ## Example
    ```hcl
    resource "aws_iam_role_policy" "app" {
      role = aws_iam_role.app.id
      policy = jsonencode({
        Statement = [{
          Effect   = "Allow"
          Action   = "secretsmanager:GetSecretValue"
          Resource = "arn:aws:secretsmanager:us-east-1:123456789012:secret:app-*"
        }]
      })
    }
    ```

    ## Use instead
    ```hcl
    resource "aws_iam_role_policy" "app" {
      role = aws_iam_role.app.id
      policy = jsonencode({
        Statement = [{
          Effect   = "Allow"
          Action   = "secretsmanager:GetSecretValue"
          Resource = "arn:aws:secretsmanager:us-east-1:${data.aws_caller_identity.current.account_id}:secret:app-*"
        }]
      })
    }

    data "aws_caller_identity" "current" {}
    ```

    ## Fix safety
    **Safe** when the id is the one `allowed_account_ids` allows: Terraform refuses to run in
    any other account, so the data source returns exactly that id and the plan shows no change.
    **Unsafe** otherwise: when the single id in the module is in fact another account's (a
    cross-account trust, a partner's bucket), the ARNs would start pointing at your own
    account.

    ## Deployment impact
    None when the id is the deploying account's: every value stays the same. (If it was not,
    the changed ARNs update policies in place, or replace resources whose ARN argument forces
    replacement.)

    ## References
    - Seed 000 §4 and seed 003 §5 (`../shared/seeds`)
    - Terraform AWS provider docs, data source `aws_caller_identity` (`account_id`); provider
      argument `allowed_account_ids`
    - AWS-owned accounts: provider source `internal/service/elb/service_account_data_source.go`,
      `internal/service/cloudtrail/service_account_data_source.go`,
      `internal/service/redshift/service_account_data_source.go` (per-region maps)
    - No Checkov or Trivy check targets hard-coded account ids
    """

    id = "TFX311"
    name = "hardcoded-account-id"
    summary = "ARNs take the account id from aws_caller_identity"
    fix_availability = FIX_SOMETIMES
    safety = UNSAFE
    impact = IMPACT_NONE

    def check(self, module: Module, options: dict[str, Any]) -> Iterator[Finding]:
        hits = _scan(module)
        if not hits:
            return
        own = _own_accounts(module)
        distinct = sorted({h.account for h in hits})
        if len(own) == 1:
            fixable, safety = own, SAFE
        elif len(distinct) == 1 and not own:
            fixable, safety = set(distinct), UNSAFE
        else:
            fixable, safety = set(), UNSAFE
        data_name = _data_name(module) or "current"
        provider_locals = _provider_locals(module)
        reasons: dict[int, str] = {}
        for i, h in enumerate(hits):
            alias = _provider_alias(h.holder.block)
            local = _local_name(h) if h.holder.block.type == "locals" else None
            if h.account not in fixable:
                if len(own) == 1:
                    reasons[i] = f"it is not the provider's allowed account {next(iter(own))}"
                elif own:
                    reasons[i] = "the provider allows several accounts"
                else:
                    reasons[i] = (f"the module hard-codes {len(distinct)} different account ids "
                                  f"({', '.join(distinct)}), so tffix cannot tell which is its own")
            elif alias is not None:
                reasons[i] = f"the block uses {alias}, which may be another account"
            elif local is not None and local in provider_locals:
                reasons[i] = f"local.{local} configures a provider, which cannot read a data source"
        comments: dict[int, Comments] = {}
        for i, h in enumerate(hits):
            where = Spot(h.line, h.column)
            message = f"{h.holder.address} hard-codes account id {h.account} in \"{h.arn}\""
            if i in reasons:
                yield self.finding(h.file, where, f"{message}; not fixed: {reasons[i]}; use "
                                   f"data.aws_caller_identity.<name>.account_id for the deploying account",
                                   block=h.holder.block)
                continue
            tree = h.file.tree
            c = comments.setdefault(id(tree), Comments.of(tree))
            batch = [x for j, x in enumerate(hits) if x.holder.block is h.holder.block and j not in reasons
                     and not is_suppressed(self.id, (*self.checkov, *self.checkov_skips), self.trivy, x.line,
                                           x.holder.block, c)]

            def apply(h: Hit = h, batch: list[Hit] = batch) -> None:
                self._apply(module, h, batch, data_name)

            yield self.finding(h.file, where, f"{message}; use data.aws_caller_identity.{data_name}.account_id",
                               block=h.holder.block, fix=apply, safety=safety,
                               description=f"use data.aws_caller_identity.{data_name}.account_id")

    @staticmethod
    def _apply(module: Module, first: Hit, batch: list[Hit], data_name: str) -> None:
        accounts = {h.account for h in batch}
        exprs: list[cst.Template | cst.Heredoc] = []
        for h in batch:
            if not any(e is h.expr for e in exprs):
                exprs.append(h.expr)
        # a string inside another one's interpolation is rewritten first, so the outer
        # string is rebuilt from the rewritten inner one
        depth = {id(e): sum(1 for o in exprs if o is not e and any(n is e for n in o.walk())) for e in exprs}
        exprs.sort(key=lambda e: -depth[id(e)])
        interpolation = f"${{data.aws_caller_identity.{data_name}.account_id}}"

        def swap(text: str) -> str:
            for start, end, account, _ in reversed(account_spans(text)):
                if account in accounts:
                    text = text[:start] + interpolation + text[end:]
            return text

        block = first.holder.block
        for expr in exprs:
            body = "".join(swap(_raw(p)) if isinstance(p, Token) else _raw(p) for p in expr.parts)
            if isinstance(expr, cst.Heredoc):
                text = str(expr.open) + body + expr.close.pre + str(expr.close)
            else:
                text = '"' + body + '"'
            edit.replace_expression(block, expr, HCL(text))
        if _data_name(module) is None:
            edit.append_block(first.file.tree, NewBlock("data", ["aws_caller_identity", data_name]))
