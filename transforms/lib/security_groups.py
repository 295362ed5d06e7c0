"""Security group ingress rules: which are open to the internet, on which ports.

``OpenIngressRule`` walks every kind of ingress rule (inline ``ingress`` blocks,
``aws_security_group_rule``, ``aws_vpc_security_group_ingress_rule``); a rule
subclasses it and says what an open rule exposes (``exposure``) and what to do.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from tffix.engine.module import BlockRef, Module
from tffix.engine.rules import Finding, Rule, literal
from tffix.syntax import cst

OPEN = ("0.0.0.0/0", "::/0")
ALL = ("-1", "all")
TCP = ("tcp", "6")
UDP = ("udp", "17")
ADMIN = {22: "SSH (22)", 3389: "RDP (3389)"}


def _text(expr: cst.Node | None) -> str | None:
    if expr is None:
        return None
    if isinstance(expr, cst.UnaryOp) and str(expr.op) == "-":
        inner = _text(expr.operand)
        return "-" + inner if inner is not None and inner.isdigit() else None
    known, value = literal(expr)
    if not known or value is None or isinstance(value, bool):
        return None
    return str(value).lower()


def _port(expr: cst.Node | None) -> int | None:
    text = _text(expr)
    return int(text) if text is not None and text.lstrip("-").isdigit() else None


def exposure(protocol: str | None, from_port: int | None, to_port: int | None) -> str | None:
    """What an internet-wide rule with these settings exposes (None: nothing this rule is about,
    or not provable)."""
    if protocol in ALL:
        return "every port and protocol"
    if protocol not in TCP + UDP or from_port is None or to_port is None:
        return None
    if protocol in TCP and from_port <= 0 and to_port >= 65535:
        return "every TCP port"
    hits = [label for port, label in ADMIN.items() if from_port <= port <= to_port
            and (protocol in TCP or port == 3389)]
    if not hits:
        return None
    where = " and ".join(hits)
    return where if (from_port, to_port) in ((22, 22), (3389, 3389)) else f"{where} (ports {from_port}-{to_port})"


def _open_cidrs(owner: cst.Block, *names: str) -> list[tuple[str, cst.Node]]:
    out = []
    for name in names:
        attr = owner.get_attribute(name)
        if attr is None:
            continue
        items = attr.value.items if isinstance(attr.value, cst.Tuple) else [attr.value]
        for item in items:
            known, value = literal(item)
            if known and value in OPEN:
                out.append((value, item))
    return out



class OpenIngressRule(Rule):
    """Base of the rules that report ingress open to the whole internet."""

    advice: str = ""

    def check(self, module: Module, options: dict[str, Any]) -> Iterator[Finding]:
        for ref in module.resources("aws_security_group", "aws_default_security_group"):
            for n, ingress in enumerate(ref.block.find_blocks("ingress"), 1):
                yield from self._rule(ref, ingress, f"{ref.address} ingress block {n}", "protocol",
                                      ("cidr_blocks", "ipv6_cidr_blocks"))
        for ref in module.resources("aws_security_group_rule"):
            if _text(ref.block.get_attribute("type").value if ref.block.get_attribute("type") else None) != "ingress":
                continue
            yield from self._rule(ref, ref.block, ref.address, "protocol", ("cidr_blocks", "ipv6_cidr_blocks"))
        for ref in module.resources("aws_vpc_security_group_ingress_rule"):
            yield from self._rule(ref, ref.block, ref.address, "ip_protocol", ("cidr_ipv4", "cidr_ipv6"))

    def _rule(self, ref: BlockRef, owner: cst.Block, where: str, protocol_name: str,
              cidr_names: tuple[str, ...]) -> Iterator[Finding]:
        cidrs = _open_cidrs(owner, *cidr_names)
        if not cidrs:
            return
        get = owner.get_attribute
        protocol = _text(get(protocol_name).value) if get(protocol_name) else None
        from_port = _port(get("from_port").value) if get("from_port") else None
        to_port = _port(get("to_port").value) if get("to_port") else None
        what = self.exposure(protocol, from_port, to_port)
        if what is None:
            return
        for cidr, node in cidrs:
            yield self.finding(ref.file, node, f"{where} allows {what} from {cidr} (the whole internet); "
                               f"{self.advice}", block=ref.block)

    def exposure(self, protocol: str | None, from_port: int | None, to_port: int | None) -> str | None:
        """What a rule open to the internet with these settings exposes; None: nothing to report."""
        raise NotImplementedError


def open_destinations(owner: cst.Block, *names: str) -> list[tuple[str, cst.Node]]:
    """The literal ``0.0.0.0/0`` / ``::/0`` items of the CIDR arguments ``names`` of a rule."""
    return _open_cidrs(owner, *names)


def protocol_text(expr: cst.Node | None) -> str | None:
    """A rule's literal protocol (or port) as lower-case text; None for an expression."""
    return _text(expr)
