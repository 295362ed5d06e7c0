"""Subnets: which are public and which private, from their route tables and names."""

from __future__ import annotations

from dataclasses import dataclass, field

from tffix.engine.module import BlockRef, Module
from tffix.engine.rules import literal
from tffix.syntax import cst

PUBLIC, PRIVATE = "public", "private"
DEFAULT_ROUTE = "0.0.0.0/0"


@dataclass
class _Table:
    internet: bool = False  # a default route to an internet gateway
    unknown: bool = False  # a default route tffix cannot follow
    subnets: list[BlockRef] = field(default_factory=list)


def _target_kind(module: Module, route: cst.Block) -> str | None:
    """``"igw"`` for a route to an internet gateway, ``"other"`` for a route elsewhere,
    None when tffix cannot tell."""
    gateway = route.get_attribute("gateway_id")
    if gateway is not None:
        target = module.resolve(gateway.value)
        if target is not None and target.block.label_values[:1] == ["aws_internet_gateway"]:
            return "igw"
        known, value = literal(gateway.value)
        if known and isinstance(value, str) and value.startswith("igw-"):
            return "igw"
        if target is not None and target.block.label_values[:1] == ["aws_vpn_gateway"]:
            return "other"
        return None
    targets = ("nat_gateway_id", "transit_gateway_id", "vpc_peering_connection_id", "network_interface_id",
               "vpc_endpoint_id", "egress_only_gateway_id", "local_gateway_id", "carrier_gateway_id", "core_network_arn")
    return "other" if any(route.get_attribute(t) is not None for t in targets) else None


def _is_default(route: cst.Block, name: str) -> bool | None:
    cidr = route.get_attribute(name)
    if cidr is None:
        return False  # IPv6 or prefix list
    known, value = literal(cidr.value)
    return value == DEFAULT_ROUTE if known else None


def classify(module: Module) -> dict[int, str | None]:
    """``id(subnet block)`` -> ``"public"``, ``"private"`` or None for every ``aws_subnet``."""
    tables: dict[int, _Table] = {}
    for ref in module.resources("aws_route_table"):
        table = tables.setdefault(id(ref.block), _Table())
        if ref.block.get_attribute("route") is not None or any(
                d.label_values[:1] == ["route"] for d in ref.block.find_blocks("dynamic")):
            table.unknown = True
        for route in ref.block.find_blocks("route"):
            default = _is_default(route, "cidr_block")
            if default is False:
                continue
            kind = _target_kind(module, route)
            if default is None or kind is None:
                table.unknown = True
            elif kind == "igw":
                table.internet = True
    for ref in module.resources("aws_route"):
        default = _is_default(ref.block, "destination_cidr_block")
        if default is False:
            continue
        table_attr = ref.block.get_attribute("route_table_id")
        target = module.resolve(table_attr.value) if table_attr is not None else None
        if target is None or id(target.block) not in tables:
            if default is None or _target_kind(module, ref.block) != "other":
                # a default route for a table tffix cannot identify: no table is provably private
                for table in tables.values():
                    table.unknown = True
            continue
        kind = _target_kind(module, ref.block)
        table = tables[id(target.block)]
        if default is None or kind is None:
            table.unknown = True
        elif kind == "igw":
            table.internet = True
    associated: dict[int, list[_Table | None]] = {}
    for ref in module.resources("aws_route_table_association"):
        subnet_attr = ref.block.get_attribute("subnet_id")
        table_attr = ref.block.get_attribute("route_table_id")
        subnet = module.resolve(subnet_attr.value) if subnet_attr is not None else None
        target = module.resolve(table_attr.value) if table_attr is not None else None
        if subnet is None or subnet.block.label_values[:1] != ["aws_subnet"]:
            continue
        associated.setdefault(id(subnet.block), []).append(tables.get(id(target.block)) if target else None)
    out: dict[int, str | None] = {}
    for ref in module.resources("aws_subnet"):
        public_ip = ref.block.get_attribute("map_public_ip_on_launch")
        known, value = literal(public_ip.value) if public_ip is not None else (True, None)
        if known and value in (True, "true"):
            out[id(ref.block)] = PUBLIC
            continue
        found = associated.get(id(ref.block))
        if not found or not known:
            out[id(ref.block)] = None
        elif any(t is not None and t.internet and not t.unknown for t in found):
            out[id(ref.block)] = PUBLIC
        elif all(t is not None and not t.internet and not t.unknown for t in found):
            out[id(ref.block)] = PRIVATE
        else:
            out[id(ref.block)] = None
    return out


def subnets_of(module: Module, expr: cst.Node) -> list[BlockRef] | None:
    """The module's ``aws_subnet``s an expression lists (``[aws_subnet.a.id, ...]``,
    ``aws_subnet.private[*].id``); None when any element is something else."""
    items = expr.items if isinstance(expr, cst.Tuple) else [expr]
    out = []
    for item in items:
        target = module.resolve(item)
        if target is None or target.block.label_values[:1] != ["aws_subnet"]:
            return None
        out.append(target)
    return out or None
