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
    Finding,
    Rule,
    literal,
)
from tffix.engine.suppressions import Comments, is_suppressed
from tffix.syntax import cst
from tffix.syntax.build import NewBlock
from tffix.syntax.strings import Position, StringText, string_text
from tffix.transforms.lib.json_text import parse_json
from tffix.transforms.lib.written import written

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


# Where an account id names who may act or under which condition, another account's id is
# the point (a partner assuming a role, a bucket policy for a log-delivery account): never
# rewritten. Policy JSON keys, policy-document blocks, and arguments that are principals or
# conditions by name.
PRINCIPAL_KEYS = {"Principal": "a principal", "NotPrincipal": "a principal", "Condition": "a condition"}
PRINCIPAL_BLOCKS = {"principals": "a principal", "not_principals": "a principal", "condition": "a condition"}
PRINCIPAL_ARGUMENTS = {
    "assume_role_policy": "a trust policy", "principal": "a principal", "source_account": "a condition",
    "source_arn": "a condition", "source_owner": "a condition",
}
TWELVE_DIGITS = re.compile(r"(?<!\d)\d{12}(?!\d)")


@dataclass
class Hit:
    file: SourceFile
    holder: BlockRef
    expr: cst.Template | cst.Heredoc
    account: str
    arn: str
    where: Position
    context: str | None = None  # "a principal", "a condition", "a trust policy": never rewritten


def _foreign(service: str, resource: str, account: str) -> bool:
    """ARNs that name someone else's account by nature."""
    if account in AWS_OWNED:
        return True
    if service == "lambda" and resource.startswith("layer:"):
        return True  # published layers (AWS's own, vendors')
    return service in ("serverlessrepo",)


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


STRINGS = (cst.Template, cst.Heredoc)
DIGITS = re.compile(r"\d{12}")  # what every account id the scan reports is written with


def _may_hold_ids(module: Module, block: cst.Block) -> bool:
    """Could a string of ``block`` hold an account id? Every one ``account_spans`` finds is
    twelve digits in a literal piece of a string (a run of ``StringText``: a part that is
    text, never an interpolation): a block without such a piece has none."""
    return any(isinstance(part, str) and DIGITS.search(part)
               for node in written(module, block, STRINGS) for part in node.parts)  # type: ignore[attr-defined]


# ASCII digits as "0", every other byte as " " (``bytes.translate``)
_ZEROS = bytes(48 if 48 <= i <= 57 else 32 for i in range(256))


def _may_spell_ids(text: str) -> bool:
    """``_may_hold_ids`` for a whole file's text (the literal pieces of its strings are pieces
    of it): ``DIGITS.search(text)``, for an ASCII text (most) by a translation to bytes and one
    substring search (a tenth of the time of the pattern's search)."""
    if text.isascii():
        return b"000000000000" in text.encode("ascii").translate(_ZEROS)
    return DIGITS.search(text) is not None


def _scan(module: Module) -> list[Hit]:
    """The account ids written in the module's strings, from each file's
    (``Module.file_fact``: a file no fix changed is not read again)."""
    return [hit for sf in module.files
            for hit in module.file_fact("TFX311.hits", sf, lambda sf=sf: _scan_file(module, sf))]


def _scan_file(module: Module, sf: SourceFile) -> list[Hit]:
    hits: list[Hit] = []
    if not _may_spell_ids(sf.text):
        return hits
    for ref in module.blocks_of(sf):
        kind = ref.block.type
        if kind in SKIPPED_KINDS or (kind == "data" and ref.block.label_values[:1] == ["aws_caller_identity"]):
            continue
        if not _may_hold_ids(module, ref.block):
            continue
        for node, context in _strings(ref.block, None):
            st = string_text(node)
            assert st is not None
            excluded = _json_contexts(st)
            for run_start, run_end in st.runs:  # an ARN never spans an interpolation or a line
                for start, _, account, arn in account_spans(st.source[run_start:run_end]):
                    offset = run_start + start
                    where = st.position(offset) or Position(node.line, node.column)
                    inner = next((c for s, e, c in excluded if s <= offset < e), None)
                    hits.append(Hit(ref.file, ref, node, account, arn, where, context or inner))
    return hits


def _strings(node: cst.Node, context: str | None) -> Iterator[tuple[cst.Template | cst.Heredoc, str | None]]:
    """Every string under ``node`` with the principal or condition context it sits in."""
    if isinstance(node, cst.Attribute):
        context = context or PRINCIPAL_ARGUMENTS.get(node.name)
    elif isinstance(node, cst.Block):
        context = context or PRINCIPAL_BLOCKS.get(node.type)
    elif isinstance(node, cst.ObjectItem):
        context = context or PRINCIPAL_KEYS.get(node.key_name or "")
    if isinstance(node, (cst.Template, cst.Heredoc)):
        yield node, context
    for child in node.children():
        yield from _strings(child, context)


def _json_contexts(st: StringText) -> list[tuple[int, int, str]]:
    """Spans of a JSON policy string's Principal, NotPrincipal and Condition values."""
    try:
        root = parse_json(st.text)
    except ValueError:
        return []
    out = []
    todo = [root]
    while todo:
        value = todo.pop()
        for key, member, _, _ in value.members:
            if key in PRINCIPAL_KEYS:
                out.append((member.start, member.end, PRINCIPAL_KEYS[key]))
            todo.append(member)
        todo.extend(value.items)
    return out


def _occurrences(module: Module) -> dict[str, int]:
    """How often each 12-digit number appears in the strings of the module's files and
    .tfvars (the provider's own ``allowed_account_ids``, the proof, left out)."""
    counts: dict[str, int] = {}
    for f in [*module.files, *module.tfvars]:
        for item in f.tree.body.items:
            skip = item.get_attribute("allowed_account_ids") if isinstance(item, cst.Block) \
                and item.type == "provider" else None
            for node in item.walk():
                if skip is not None and any(n is node for n in skip.walk()):
                    continue
                st = string_text(node)
                if st is None:
                    continue
                for run_start, run_end in st.runs:
                    for m in TWELVE_DIGITS.finditer(st.source[run_start:run_end]):
                        counts[m.group(0)] = counts.get(m.group(0), 0) + 1
    return counts


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

    tffix cannot know which account a number belongs to, so it fixes only where the module
    proves the id is the deploying account's: the default `provider "aws"` block has
    `allowed_account_ids = ["<that id>"]` (Terraform then refuses to run in any other
    account, so the replacement cannot change any value). Without that proof every id is
    reported without a fix, with the line to add if the id is indeed the module's own.

    Never rewritten, because another account's id is the point there: principals
    (`Principal` / `NotPrincipal` in policy JSON or `jsonencode`, `principals` blocks of
    `aws_iam_policy_document`, `principal` arguments), whole trust policies
    (`assume_role_policy`) and conditions (`Condition`, `condition` blocks,
    `source_account`, `source_arn`, `source_owner`). And all or nothing per id: an id that
    also appears where tffix leaves it (a principal, a condition, a variable default, a
    provider block, a string that is not an ARN, another block's reason to skip) is left
    everywhere, so a run never leaves a module half on the data source and half on the number.

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
    provider "aws" {
      region              = "us-east-1"
      allowed_account_ids = ["123456789012"]
    }

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
    provider "aws" {
      region              = "us-east-1"
      allowed_account_ids = ["123456789012"]
    }

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
    **Safe**: the id is the one `allowed_account_ids` allows, so the data source returns
    exactly that id and the plan shows no change. Ids without that proof, in principals,
    trust policies or conditions, or also written where tffix leaves them are only reported.

    ## Deployment impact
    None: every value stays the same.

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
    safety = SAFE
    impact = IMPACT_NONE

    def check(self, module: Module, options: dict[str, Any]) -> Iterator[Finding]:
        hits = _scan(module)
        if not hits:
            return
        own = _own_accounts(module)
        distinct = sorted({h.account for h in hits})
        data_name = _data_name(module) or "current"
        provider_locals = _provider_locals(module)
        reasons: dict[int, str] = {}
        for i, h in enumerate(hits):
            alias = _provider_alias(h.holder.block)
            local = _local_name(h) if h.holder.block.type == "locals" else None
            if h.context is not None:
                reasons[i] = f"it is in {h.context}, where another account's id is legitimate"
            elif len(own) != 1:
                reasons[i] = ("the provider allows several accounts" if own else
                              f"nothing proves it is the deploying account (the module hard-codes "
                              f"{', '.join(distinct)}); if it is, add allowed_account_ids = [\"{h.account}\"] "
                              f"to the aws provider and tffix can fix it")
            elif h.account not in own:
                reasons[i] = f"it is not the provider's allowed account {next(iter(own))}"
            elif alias is not None:
                reasons[i] = f"the block uses {alias}, which may be another account"
            elif local is not None and local in provider_locals:
                reasons[i] = f"local.{local} configures a provider, which cannot read a data source"
        # all or nothing per id: an id also written where tffix leaves it is left everywhere
        counts = _occurrences(module)
        for account in distinct:
            mine = [i for i, h in enumerate(hits) if h.account == account]
            kept = [i for i in mine if i in reasons]
            elsewhere = counts.get(account, 0) > len(mine)
            if (kept or elsewhere) and len(kept) < len(mine):
                why = (f"the same id is also in {hits[kept[0]].holder.address}, which tffix does not rewrite"
                       if kept else "the same id is also written outside ARNs tffix rewrites")
                for i in mine:
                    reasons.setdefault(i, why + " (a half-changed module would mix accounts)")
        comments: dict[int, Comments] = {}
        for i, h in enumerate(hits):
            where = h.where
            message = f"{h.holder.address} hard-codes account id {h.account} in \"{h.arn}\""
            if i in reasons:
                yield self.finding(h.file, where, f"{message}; not fixed: {reasons[i]}; use "
                                   f"data.aws_caller_identity.<name>.account_id for the deploying account",
                                   block=h.holder.block)
                continue
            tree = h.file.tree
            c = comments.setdefault(id(tree), Comments.of(tree))
            batch = [x for j, x in enumerate(hits) if x.holder.block is h.holder.block and j not in reasons
                     and not is_suppressed(self.id, (*self.checkov, *self.checkov_skips), self.trivy,
                                           x.where.line, x.holder.block, c)]

            def apply(h: Hit = h, batch: list[Hit] = batch) -> None:
                self._apply(module, h, batch, data_name)

            adds_data = _data_name(module) is None  # appended to this file: its scope is the whole file
            yield self.finding(h.file, where, f"{message}; use data.aws_caller_identity.{data_name}.account_id",
                               block=h.holder.block, fix=apply, safety=SAFE,
                               scope=(h.holder.block, *((tree,) if adds_data else ())),
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
        block = first.holder.block
        for expr in exprs:
            st = string_text(expr)
            assert st is not None
            edit.replace_in_string(block, expr, [
                (run + start, run + end, interpolation)
                for run, run_end in st.runs for start, end, account, _ in account_spans(st.source[run:run_end])
                if account in accounts])
        if _data_name(module) is None:
            edit.append_block(first.file.tree, NewBlock("data", ["aws_caller_identity", data_name]))
