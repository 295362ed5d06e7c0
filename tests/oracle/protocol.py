"""A provider schema (``schema.py``'s JSON) as a serialized tfplugin6
``GetProviderSchema.Response``: what the stub provider answers terraform.

The protocol messages come from the ``tf`` package on PyPI (a Python provider
framework that ships tfplugin6 modules compiled from terraform's published
protocol definition, ``tf.gen.tfplugin_pb2``). Its definition predates two
fields this oracle needs, so they are written as raw protocol-buffer fields
with their numbers from protocol 6.8, and kept by protobuf as unknown fields:

* ``Schema.Attribute.write_only`` (field 11, bool): AWS 6.x ``*_wo`` arguments;
* ``GetProviderSchema.Response.ephemeral_resource_schemas`` (field 8,
  ``map<string, Schema>``): ``ephemeral "aws_..."`` blocks.
"""

from __future__ import annotations

import json
from typing import Any

__all__ = ["length_delimited", "schema_response", "varint"]

Json = Any

_ATTRIBUTE_WRITE_ONLY = 11
_RESPONSE_EPHEMERAL_RESOURCE_SCHEMAS = 8
_VARINT, _LENGTH_DELIMITED = 0, 2


def varint(value: int) -> bytes:
    """Protocol-buffer base-128 varint of a non-negative integer."""
    out = bytearray()
    while True:
        low, value = value & 0x7F, value >> 7
        out.append(low | (0x80 if value else 0))
        if not value:
            return bytes(out)


def _key(number: int, wire_type: int) -> bytes:
    return varint(number << 3 | wire_type)


def length_delimited(number: int, payload: bytes) -> bytes:
    """A length-delimited field (strings, messages, map entries)."""
    return _key(number, _LENGTH_DELIMITED) + varint(len(payload)) + payload


def _type_bytes(t: Any) -> bytes:
    return json.dumps(t, separators=(",", ":")).encode()


def _fill_block(pb: Any, target: Any, block: Json) -> None:
    for name in sorted(block.get("attributes", {})):
        spec = block["attributes"][name]
        attribute = target.attributes.add(
            name=name, type=_type_bytes(spec["type"]), required=bool(spec.get("required")),
            optional=bool(spec.get("optional")), computed=bool(spec.get("computed")),
            sensitive=bool(spec.get("sensitive")))
        if spec.get("write_only"):
            attribute.MergeFromString(_key(_ATTRIBUTE_WRITE_ONLY, _VARINT) + varint(1))
    for name in sorted(block.get("block_types", {})):
        spec = block["block_types"][name]
        nested = target.block_types.add(
            type_name=name, nesting=pb.Schema.NestedBlock.NestingMode.Value(spec["nesting_mode"].upper()),
            min_items=spec.get("min_items", 0), max_items=spec.get("max_items", 0))
        nested.block.SetInParent()  # an empty block (wafv2 `allow {}`) must still be sent
        _fill_block(pb, nested.block, spec["block"])


def _schema(pb: Any, block: Json | None) -> Any:
    message = pb.Schema(version=0)
    message.block.SetInParent()
    _fill_block(pb, message.block, block or {})
    return message


def _parameter(target: Any, spec: Json) -> None:
    target.name = spec["name"]
    target.type = _type_bytes(spec["type"])
    target.allow_null_value = True
    target.allow_unknown_values = True


def schema_response(schema: Json) -> bytes:
    """The serialized ``GetProviderSchema.Response`` for ``schema``."""
    from tf.gen import tfplugin_pb2 as pb  # the `tf` package: see the module docstring

    response = pb.GetProviderSchema.Response()
    response.provider.CopyFrom(_schema(pb, schema.get("provider")))
    if schema.get("provider_meta"):
        response.provider_meta.CopyFrom(_schema(pb, schema["provider_meta"]))
    for name, block in schema.get("resource_schemas", {}).items():
        response.resource_schemas[name].CopyFrom(_schema(pb, block))
    for name, block in schema.get("data_source_schemas", {}).items():
        response.data_source_schemas[name].CopyFrom(_schema(pb, block))
    for name, spec in schema.get("functions", {}).items():
        function = response.functions[name]
        for parameter in spec["parameters"]:
            _parameter(function.parameters.add(), parameter)
        if spec.get("variadic_parameter"):
            _parameter(function.variadic_parameter, spec["variadic_parameter"])
        getattr(function, "return").type = _type_bytes(spec["return_type"])
        function.summary = name
    response.server_capabilities.plan_destroy = True
    data = response.SerializeToString(deterministic=True)
    for name, block in sorted(schema.get("ephemeral_resource_schemas", {}).items()):
        entry = length_delimited(1, name.encode()) + length_delimited(2, _schema(pb, block).SerializeToString())
        data += length_delimited(_RESPONSE_EPHEMERAL_RESOURCE_SCHEMAS, entry)
    return data
