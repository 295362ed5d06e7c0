"""TFX823: AMI, subnet and security group ids come from data sources or references."""

from __future__ import annotations

import re
from collections.abc import Iterator
from functools import partial
from typing import Any

from tffix.engine.module import Module
from tffix.engine.rules import (
    DISPLAY_ONLY,
    FIX_NEVER,
    IMPACT_NONE,
    Finding,
    Rule,
    literal,
)
from tffix.syntax import cst
from tffix.transforms.lib.written import written

ID = re.compile(r"(subnet|sg)-[0-9a-f]{5,17}|(ami)-[0-9a-z][0-9a-z-]*")
SCANNED_KINDS = ("resource", "module", "locals", "output")
NAME_LIKE = ("name", "name_prefix", "description", "tags", "tags_all")
KINDS = {"ami": ("AMI", "aws_ami"), "subnet": ("subnet", "aws_subnet"), "sg": ("security group", "aws_security_group")}


def _strings(node: cst.Node, under: str) -> Iterator[tuple[cst.Template, str]]:
    """Literal strings under ``node`` with the name of the argument / object key they sit in."""
    if isinstance(node, cst.Template):
        yield node, under
        return
    if isinstance(node, cst.Object):
        for item in node.items:
            yield from _strings(item.value, item.key_name or under)
        return
    for child in node._fields:
        value = getattr(node, child)
        for kid in value if isinstance(value, list) else [value]:
            if isinstance(kid, cst.Node):
                yield from _strings(kid, under)


def _may_hold_ids(module: Module, block: cst.Block) -> bool:
    """Could a string of ``block`` be an id ``ID`` matches? Its literal text starts with
    ``ami-``, ``sg-`` or ``subnet-``, so a piece of it as written does, unless an escape
    (a backslash) spells it."""
    return any(isinstance(part, str) and ("ami-" in part or "sg-" in part or "subnet-" in part or "\\" in part)
               for node in written(module, block, cst.Template) for part in node.parts)  # type: ignore[attr-defined]


def _may_spell_ids(text: str) -> bool:
    """``_may_hold_ids`` for a whole file's text: the literal pieces of its strings are pieces
    of it."""
    return "ami-" in text or "sg-" in text or "subnet-" in text or "\\" in text


def _ids_in(module: Module, block: cst.Block) -> list[tuple[cst.Template, str, str, str, str]]:
    """The ids a block hard-codes: (string, argument or key it sits in, top-level argument
    name, the id, its kind)."""
    if not _may_hold_ids(module, block):
        return []
    out = []
    for node, under, top in _walk_block(block):
        known, value = literal(node)
        if not known or not isinstance(value, str):
            continue
        m = ID.fullmatch(value)
        if m is not None:
            out.append((node, under, top, value, m.group(1) or m.group(2)))
    return out


def _walk_block(block: cst.Block) -> Iterator[tuple[cst.Template, str, str]]:
    """(string, argument or key it sits in, top-level argument name)."""
    for item in block.body.items:
        if isinstance(item, cst.Attribute):
            if item.name not in NAME_LIKE:
                for node, under in _strings(item.value, item.name):
                    yield node, under, item.name
        elif item.type != "dynamic":
            yield from _walk_block(item)


class HardcodedResourceIds(Rule):
    """
    ## What it does
    Reports AMI ids (`"ami-0abc..."`, and placeholders such as `"ami-nat-instance"`), subnet
    ids (`"subnet-..."`) and security group ids (`"sg-..."`) written as string literals in
    resources, module calls, locals and outputs, and says what to use instead: for an AMI, `data "aws_ami"` (owner and name filter) or the
    public SSM parameters (`/aws/service/ami-amazon-linux-latest/...`); for subnets and
    security groups, a reference to the module's own `aws_subnet` / `aws_security_group`
    (named in the message when the module declares some), or `data "aws_subnets"` /
    `data "aws_security_group"`. Names, descriptions and tags are not read, nor are variable
    defaults (already inputs), data sources (a lookup by id is a deliberate reference) and
    `import` blocks. Display only.

    ## Why is this bad?
    An AMI id exists in one region and is superseded by every patch release; a subnet or
    security group id exists in one account. Hard-coded, the module fails in any other region
    or account and silently keeps launching outdated images (seed 000 "Resource Reference
    Errors": `subnet_ids = ["subnet-12345", "subnet-67890"]` should be
    `[aws_subnet.private_1.id, aws_subnet.private_2.id]`; seed 000 §4 "Hardcoded values
    instead of using data sources for AMI IDs"; seed 002 §5.1 `ami = "ami-nat-instance"`).

    ## Example
    ```hcl
    resource "aws_instance" "app" {
      ami       = "ami-0c55b159cbfafe1f0"
      subnet_id = "subnet-12345"
    }
    ```

    ## Use instead
    ```hcl
    data "aws_ami" "al2023" {
      most_recent = true
      owners      = ["amazon"]

      filter {
        name   = "name"
        values = ["al2023-ami-*-x86_64"]
      }
    }

    resource "aws_instance" "app" {
      ami       = data.aws_ami.al2023.id
      subnet_id = aws_subnet.private_1.id
    }
    ```

    ## Fix safety
    No fix: which image or subnet was meant is not in the code.

    ## Deployment impact
    None (display only).

    ## References
    - Terraform AWS provider docs, data sources `aws_ami`, `aws_ssm_parameter`, `aws_subnets`,
      `aws_security_group`
    - Seed 000 "Resource Reference Errors" and §4, seed 002 §5.1 (`../shared/seeds`)
    - No Checkov or Trivy check targets hard-coded ids
    """

    id = "TFX823"
    name = "hardcoded-resource-ids"
    summary = "AMI, subnet and security group ids come from data sources or references"
    fix_availability = FIX_NEVER
    safety = DISPLAY_ONLY
    impact = IMPACT_NONE

    def check(self, module: Module, options: dict[str, Any]) -> Iterator[Finding]:
        declared = {kind: [r.address for r in module.resources(rtype)] for kind, (_, rtype) in KINDS.items()}
        may: dict[int, bool] = {}  # by file: does its text spell what ``_may_hold_ids`` looks for?
        for ref in module.blocks():
            if ref.block.type not in SCANNED_KINDS:
                continue
            in_file = may.get(id(ref.file))
            if in_file is None:
                in_file = may[id(ref.file)] = _may_spell_ids(ref.file.text)
            if not in_file:
                continue
            # per block, kept across rounds while it is unchanged (it depends on nothing else)
            for node, under, top, value, kind in module.item_fact("hardcoded_resource_ids", ref.block,
                                                                  partial(_ids_in, module, ref.block)):
                where = f"local.{top}" if ref.block.type == "locals" else ref.address
                yield self.finding(ref.file, node, self._message(where, under, value, kind, declared), block=ref.block)

    @staticmethod
    def _message(where: str, under: str, value: str, kind: str, declared: dict[str, list[str]]) -> str:
        what, rtype = KINDS[kind]
        head = f"{where} hard-codes the {what} id {value} ({under})"
        if kind == "ami":
            return (f"{head}: AMI ids differ per region and go stale; look it up with data \"aws_ami\" (owners and a "
                    f"name filter) or data \"aws_ssm_parameter\" (/aws/service/ami-amazon-linux-latest/...)")
        mine = declared[kind]
        if mine:
            shown = ", ".join(f"{a}.id" for a in mine[:3]) + (", ..." if len(mine) > 3 else "")
            return f"{head}: it exists in one account only; refer to the module's {rtype} ({shown})"
        lookup = "aws_subnets" if kind == "subnet" else "aws_security_group"
        return f"{head}: it exists in one account only; pass it in as a variable or look it up with data \"{lookup}\""
