"""A stub terraform provider (plugin protocol 6) serving a real provider's
schema, for offline ``terraform validate``, ``plan``, ``apply`` and ``show``.

terraform starts it through a launcher in the oracle's filesystem mirror
(``python stub.py SCHEMA.pb TLS_DIR [SCHEMA.json]``). It serves the
pre-serialized ``GetProviderSchema`` response and answers every validation
call with "no diagnostics", so terraform core itself checks argument names,
types, required arguments and block nesting against the real provider's
schema. Provider-defined functions return an unknown value.

Deployment (``deploy.py``) is served too, with fake infrastructure and no
network: ``PlanResourceChange`` plans the configuration, computed
attributes unknown on create and kept from the prior state on update, and
lists in ``requires_replace`` the changed arguments the real provider marks
``ForceNew`` (``FORCE_NEW`` below, each checked in the provider's source);
``ApplyResourceChange`` fills the unknowns (a deterministic fake ``id`` and
``arn``, the provider's region, ``tags_all`` from ``tags`` and the provider's
``default_tags``, the zero value of its type for anything else);
``ReadResource`` returns the prior state (no drift), ``UpgradeResourceState``
passes the stored JSON through, ``ReadDataSource`` answers fake values
(``DATA_SOURCES``: account 123456789012, the provider's region). Values are
cty's msgpack encoding (unknown = extension type 0; ``msgpack`` package),
typed by the schema JSON beside the protocol bytes. Import and moves are not
served. These handlers import ``tf`` (protocol messages) and ``msgpack`` on
first use only: validation needs grpcio alone.

The handshake is go-plugin's: the magic cookie in the environment, then one
line ``1|6|unix|SOCKET|grpc|CERT`` on stdout. terraform asks for mutual TLS
(``PLUGIN_CLIENT_CERT``), so the server presents the self-signed certificate
in TLS_DIR and sends it (base64 DER) in the handshake; client certificates
are not checked. The cache copies this file next to the mirror, so it
imports nothing from the checkout.
"""

from __future__ import annotations

import atexit
import base64
import hashlib
import json
import os
import signal
import sys
import tempfile
import threading
from collections.abc import Callable, Iterator
from concurrent import futures
from pathlib import Path
from typing import Any

MAGIC_COOKIE = ("TF_PLUGIN_MAGIC_COOKIE", "d602bf8f470bc67ca7faa0386276bbdd4330efaf76d1a219cb4d6991ca9872b2")
CORE_PROTOCOL, APP_PROTOCOL = 1, 6
MAX_MESSAGE = 256 << 20
# CallFunction.Response{result: DynamicValue{msgpack: <cty unknown value>}}:
# field 1 (message) holding field 1 (bytes) = msgpack extension type 0, 1 byte of 0
UNKNOWN_FUNCTION_RESULT = b"\x0a\x05\x0a\x03\xd4\x00\x00"
NO_DIAGNOSTICS = b""  # an empty response message

Handler = Callable[[bytes, object], bytes]
Json = Any

ACCOUNT_ID = "123456789012"
DEFAULT_REGION = "us-east-1"

# Arguments the real provider marks ForceNew (hashicorp/terraform-provider-aws,
# the resource's schema function): a change to one of these plans a replacement.
# Dotted paths go through nested blocks. Only what was checked in the source.
FORCE_NEW: dict[str, tuple[str, ...]] = {
    # internal/service/rds/instance.go, ResourceInstance (v5/v6): not ForceNew there,
    # so updated in place: db_subnet_group_name, identifier, publicly_accessible
    "aws_db_instance": ("storage_encrypted", "kms_key_id", "availability_zone", "engine", "username", "db_name",
                        "character_set_name", "nchar_character_set_name", "timezone", "snapshot_identifier",
                        "custom_iam_instance_profile", "backup_target"),
    # internal/service/rds/cluster.go, resourceCluster (unlike the instance, db_subnet_group_name is ForceNew)
    "aws_rds_cluster": ("storage_encrypted", "kms_key_id", "db_subnet_group_name", "engine", "engine_mode",
                        "master_username", "database_name", "cluster_identifier", "cluster_identifier_prefix",
                        "availability_zones", "snapshot_identifier", "source_region", "db_system_id",
                        "cluster_scalability_type"),
    # internal/service/ec2/ebs_volume.go, resourceEBSVolume
    "aws_ebs_volume": ("encrypted", "kms_key_id", "availability_zone", "snapshot_id", "multi_attach_enabled",
                       "outpost_arn"),
    # internal/service/ec2/ec2_instance.go, ResourceInstance
    "aws_instance": ("root_block_device.encrypted", "root_block_device.kms_key_id", "ebs_block_device.encrypted",
                     "subnet_id", "private_ip", "security_groups", "tenancy", "placement_group"),
}

# resources whose id is one of their arguments (the real provider's d.SetId)
ID_FROM = {"aws_s3_bucket": "bucket", "aws_rds_cluster": "cluster_identifier", "aws_ssm_parameter": "name",
           "aws_iam_role": "name", "aws_db_subnet_group": "name", "aws_cloudwatch_log_group": "name"}
ID_PREFIX = {"aws_instance": "i-", "aws_ebs_volume": "vol-", "aws_security_group": "sg-", "aws_vpc": "vpc-",
             "aws_subnet": "subnet-", "aws_db_instance": "db-", "aws_internet_gateway": "igw-",
             "aws_nat_gateway": "nat-", "aws_route_table": "rtb-", "aws_eip": "eipalloc-"}
# name-like arguments the provider generates when left unset
GENERATED_NAMES = {"aws_s3_bucket": "bucket", "aws_db_instance": "identifier", "aws_rds_cluster": "cluster_identifier"}


def _arn(type_name: str, state: dict, region: str) -> str:
    def get(name: str) -> str:
        value = state.get(name)
        return value if isinstance(value, str) else ""

    ident = get("id")
    special = {
        "aws_s3_bucket": f"arn:aws:s3:::{get('bucket')}",
        "aws_db_instance": f"arn:aws:rds:{region}:{ACCOUNT_ID}:db:{get('identifier')}",
        "aws_rds_cluster": f"arn:aws:rds:{region}:{ACCOUNT_ID}:cluster:{get('cluster_identifier')}",
        "aws_instance": f"arn:aws:ec2:{region}:{ACCOUNT_ID}:instance/{ident}",
        "aws_ebs_volume": f"arn:aws:ec2:{region}:{ACCOUNT_ID}:volume/{ident}",
        "aws_iam_role": f"arn:aws:iam::{ACCOUNT_ID}:role/{get('name')}",
        "aws_ssm_parameter": f"arn:aws:ssm:{region}:{ACCOUNT_ID}:parameter/{get('name').lstrip('/')}",
    }
    if type_name in special:
        return special[type_name]
    service = type_name.split("_")[1] if type_name.count("_") >= 1 else "tffix"
    return f"arn:aws:{service}:{region}:{ACCOUNT_ID}:{type_name.removeprefix('aws_')}/{ident}"


def _endpoints(type_name: str, state: dict, region: str) -> dict[str, Json]:
    """Addresses of the database resources (unknown ones are filled from these)."""
    if type_name not in ("aws_db_instance", "aws_rds_cluster"):
        return {}
    name = state.get("identifier") or state.get("cluster_identifier") or ""
    engine = state.get("engine") if isinstance(state.get("engine"), str) else ""
    port = state.get("port") if isinstance(state.get("port"), int) else (5432 if "postgres" in engine else 3306)
    address = f"{name}.c0tffixoracle.{region}.rds.amazonaws.com"
    if type_name == "aws_rds_cluster":
        return {"port": port, "endpoint": address, "reader_endpoint": address.replace(".c0", ".cluster-ro-c0")}
    return {"port": port, "address": address, "endpoint": f"{address}:{port}", "resource_id": state.get("id")}


def _data_source_values(type_name: str, region: str) -> dict[str, Json]:
    """Fake answers of a few data sources (computed attributes not in the configuration)."""
    zones = [f"{region}{z}" for z in "abc"]
    return {
        "aws_caller_identity": {"account_id": ACCOUNT_ID, "arn": f"arn:aws:iam::{ACCOUNT_ID}:user/tffix-oracle",
                                "user_id": "AIDATFFIXORACLE0000001", "id": ACCOUNT_ID},
        "aws_region": {"name": region, "region": region, "id": region, "endpoint": f"ec2.{region}.amazonaws.com",
                       "description": f"{region} (tffix oracle)"},
        "aws_partition": {"partition": "aws", "dns_suffix": "amazonaws.com", "reverse_dns_prefix": "com.amazonaws",
                          "id": "aws"},
        "aws_availability_zones": {"names": zones, "zone_ids": [f"use1-az{i}" for i in (1, 2, 3)], "id": region,
                                   "group_names": [region]},
        "aws_iam_policy_document": {"json": '{"Version":"2012-10-17","Statement":[]}',
                                    "minified_json": '{"Version":"2012-10-17","Statement":[]}'},
    }.get(type_name, {})


class Unknown:
    """A cty unknown value as msgpack carries it (extension 0, or 12 with refinements);
    kept byte for byte so a value sent back is the one received."""

    __slots__ = ("code", "data")

    def __init__(self, code: int = 0, data: bytes = b"\x00") -> None:
        self.code, self.data = code, data

    def __repr__(self) -> str:
        return "Unknown()"


def unpack(raw: bytes) -> Json:
    """A msgpack DynamicValue (cty's encoding) as Python values, unknowns as ``Unknown``."""
    import msgpack

    if not raw:
        return None
    return msgpack.unpackb(raw, raw=False, strict_map_key=False, ext_hook=Unknown)


def pack(value: Json) -> bytes:
    import msgpack

    def ext(obj: object) -> object:
        if isinstance(obj, Unknown):
            return msgpack.ExtType(obj.code, obj.data)
        raise TypeError(f"cannot encode {type(obj).__name__}")

    return msgpack.packb(value, use_bin_type=True, default=ext)


def zero_value(cty_type: Json) -> Json:
    """What an SDK provider stores for a computed value it was not given."""
    if cty_type == "string":
        return ""
    if cty_type == "number":
        return 0
    if cty_type == "bool":
        return False
    if isinstance(cty_type, list) and cty_type[0] in ("list", "set", "tuple"):
        return []
    if isinstance(cty_type, list) and cty_type[0] == "map":
        return {}
    return None  # objects and dynamic values


def _known(value: Json, cty_type: Json) -> Json:
    """``value`` with unknowns nested in collections replaced by zero values."""
    if isinstance(value, Unknown):
        return zero_value(cty_type)
    if isinstance(cty_type, list) and isinstance(value, list) and cty_type[0] in ("list", "set"):
        return [_known(v, cty_type[1]) for v in value]
    if isinstance(cty_type, list) and isinstance(value, dict) and cty_type[0] == "map":
        return {k: _known(v, cty_type[1]) for k, v in value.items()}
    if isinstance(cty_type, list) and isinstance(value, dict) and cty_type[0] == "object":
        return {k: _known(v, cty_type[1].get(k, "dynamic")) for k, v in value.items()}
    return value


AttrFn = Callable[[str, dict, Json, int], Json]


def walk(block: Json, value: Json, attr: AttrFn, depth: int = 0) -> Json:
    """A copy of the object ``value`` of ``block`` with each attribute replaced by
    ``attr(name, spec, value, depth)``, through every nested block."""
    if not isinstance(value, dict):
        return value
    out = dict(value)
    for name, spec in block.get("attributes", {}).items():
        out[name] = attr(name, spec, value.get(name), depth)
    for name, spec in block.get("block_types", {}).items():
        nested, inner, mode = value.get(name), spec["block"], spec["nesting_mode"]
        if mode in ("single", "group"):
            out[name] = walk(inner, nested, attr, depth + 1)
        elif mode in ("list", "set") and isinstance(nested, list):
            out[name] = [walk(inner, v, attr, depth + 1) for v in nested]
        elif mode == "map" and isinstance(nested, dict):
            out[name] = {k: walk(inner, v, attr, depth + 1) for k, v in nested.items()}
    return out


def _same(a: Json, b: Json) -> bool:
    """Equal as an SDK provider compares them: unset is the zero value; unknown may be anything."""
    if isinstance(a, Unknown) or isinstance(b, Unknown):
        return False
    zeros = (None, "", 0, False, [], {})
    if a in zeros and b in zeros and (a is None or b is None or type(a) is type(b)):
        return True
    return a == b


def replace_paths(type_name: str, block: Json, prior: Json, planned: Json) -> list[list[tuple[str, Json]]]:
    """The attribute paths whose change forces a replacement (``FORCE_NEW``), as
    (kind, key) steps: ("attr", name), ("int", index), ("str", key)."""
    found: list[list[tuple[str, Json]]] = []

    def visit(block: Json, parts: list[str], a: Json, b: Json, prefix: list[tuple[str, Json]]) -> None:
        name, rest = parts[0], parts[1:]
        av = a.get(name) if isinstance(a, dict) else None
        bv = b.get(name) if isinstance(b, dict) else None
        here = [*prefix, ("attr", name)]
        if not rest:
            if not _same(av, bv):
                found.append(here)
            return
        spec = block.get("block_types", {}).get(name)
        if spec is None:
            return
        inner, mode = spec["block"], spec["nesting_mode"]
        if mode in ("single", "group"):
            visit(inner, rest, av, bv, here)
        elif mode == "list":
            al, bl = av if isinstance(av, list) else [], bv if isinstance(bv, list) else []
            for i in range(max(len(al), len(bl))):
                visit(inner, rest, al[i] if i < len(al) else None, bl[i] if i < len(bl) else None, [*here, ("int", i)])
        elif mode == "set":  # set elements have no path: the set as a whole (as the SDK reports it)
            def project(items: Json) -> list[str]:
                out = []
                for item in items if isinstance(items, list) else []:
                    value = item
                    for part in rest:
                        value = value.get(part) if isinstance(value, dict) else None
                    out.append(repr(value))
                return sorted(out)
            if project(av) != project(bv):
                found.append(here)
        elif mode == "map":
            am, bm = av if isinstance(av, dict) else {}, bv if isinstance(bv, dict) else {}
            for key in sorted(set(am) | set(bm)):
                visit(inner, rest, am.get(key), bm.get(key), [*here, ("str", key)])

    if isinstance(prior, dict) and isinstance(planned, dict):
        for dotted in FORCE_NEW.get(type_name, ()):
            visit(block, dotted.split("."), prior, planned, [])
    return found


class Provider:
    """The deployment calls: fake infrastructure planned and applied from the schema."""

    def __init__(self, schema_json: Path | None) -> None:
        self.schema_json = schema_json
        self._schema: Json = None
        self.region = DEFAULT_REGION
        self.default_tags: dict[str, str] = {}
        self._ids: dict[str, int] = {}
        self._lock = threading.Lock()

    # ---- plumbing ------------------------------------------------------------------

    @property
    def schema(self) -> Json:
        with self._lock:
            if self._schema is None:
                if self.schema_json is None or not self.schema_json.is_file():
                    raise RuntimeError(f"the schema JSON is missing ({self.schema_json}): rebuild the oracle cache")
                self._schema = json.loads(self.schema_json.read_text())
            return self._schema

    def _block(self, kind: str, type_name: str) -> Json:
        block = self.schema.get(kind, {}).get(type_name)
        if block is None:
            raise RuntimeError(f"no schema for {type_name}")
        return block

    @staticmethod
    def _pb() -> Any:
        from tf.gen import tfplugin_pb2

        return tfplugin_pb2

    def guarded(self, method: str, call: Callable[[Any, bytes], Any]) -> Handler:
        """A raw handler: errors become an error diagnostic terraform shows."""
        def handler(request: bytes, context: object) -> bytes:
            pb = self._pb()
            try:
                return call(pb, request).SerializeToString()
            except Exception as e:  # reported to terraform, which stops there
                response = getattr(pb, method).Response()
                response.diagnostics.add(severity=pb.Diagnostic.ERROR, summary=f"tffix oracle stub: {method} failed",
                                         detail=f"{type(e).__name__}: {e}")
                return response.SerializeToString()
        return handler

    # ---- the calls -----------------------------------------------------------------

    def configure(self, pb: Any, request: bytes) -> Any:
        config = unpack(pb.ConfigureProvider.Request.FromString(request).config.msgpack)
        if isinstance(config, dict):
            if isinstance(config.get("region"), str):
                self.region = config["region"]
            tags = config.get("default_tags")
            tags = tags[0] if isinstance(tags, list) and tags else tags
            if isinstance(tags, dict) and isinstance(tags.get("tags"), dict):
                self.default_tags = {k: v for k, v in tags["tags"].items() if isinstance(v, str)}
        return pb.ConfigureProvider.Response()

    def _tags_all(self, state: dict) -> Json:
        tags = state.get("tags")
        if isinstance(tags, Unknown) or (isinstance(tags, dict) and any(isinstance(v, Unknown) for v in tags.values())):
            return Unknown()
        return {**self.default_tags, **(tags or {})}

    def plan(self, pb: Any, request: bytes) -> Any:
        req = pb.PlanResourceChange.Request.FromString(request)
        response = pb.PlanResourceChange.Response()
        proposed = unpack(req.proposed_new_state.msgpack)
        if proposed is None:  # destroy
            response.planned_state.msgpack = pack(None)
            return response
        block = self._block("resource_schemas", req.type_name)
        prior = unpack(req.prior_state.msgpack)
        creating = prior is None
        legacy = _legacy(block)

        def attr(name: str, spec: dict, value: Json, depth: int) -> Json:
            if spec.get("write_only"):
                return None
            if value is None and legacy and depth == 0 and name in LEGACY_COMPUTED:
                return Unknown() if creating else prior.get(name)
            if creating and value is None and spec.get("computed"):
                return Unknown()
            return value

        planned = walk(block, proposed, attr)
        if isinstance(planned.get("region"), Unknown):  # aws 6.x: the provider's region, known when planned
            planned["region"] = self.region
        tags_all = block.get("attributes", {}).get("tags_all", {})
        if (tags_all.get("computed") or (legacy and tags_all)) and not _is_set(unpack(req.config.msgpack), "tags_all"):
            planned["tags_all"] = self._tags_all(planned)
        response.planned_state.msgpack = pack(planned)
        response.legacy_type_system = legacy
        for path in [] if creating else replace_paths(req.type_name, block, prior, planned):
            target = response.requires_replace.add()
            for kind, key in path:
                step = target.steps.add()
                if kind == "attr":
                    step.attribute_name = key
                elif kind == "int":
                    step.element_key_int = key
                else:
                    step.element_key_string = key
        response.planned_private = req.prior_private
        return response

    def _fake_id(self, type_name: str, state: dict) -> str:
        known = pack({k: v for k, v in state.items() if not isinstance(v, Unknown)})
        digest = hashlib.sha256(type_name.encode() + b"\0" + known).hexdigest()
        with self._lock:
            seen = self._ids[digest] = self._ids.get(digest, 0) + 1
        if seen > 1:  # same configuration twice: still one id each
            digest = hashlib.sha256(f"{digest}/{seen}".encode()).hexdigest()
        source = ID_FROM.get(type_name)
        if source and isinstance(state.get(source), str) and state[source]:
            return state[source]
        if type_name == "aws_db_instance":
            return "db-" + digest[:26].upper()
        if type_name in ID_PREFIX:
            return ID_PREFIX[type_name] + digest[:17]
        return "tffix-" + digest[:16]

    def apply(self, pb: Any, request: bytes) -> Any:
        req = pb.ApplyResourceChange.Request.FromString(request)
        response = pb.ApplyResourceChange.Response()
        planned = unpack(req.planned_state.msgpack)
        if planned is None:  # destroyed
            response.new_state.msgpack = pack(None)
            return response
        block = self._block("resource_schemas", req.type_name)
        attributes = block.get("attributes", {})
        state = dict(planned)
        name_attr = GENERATED_NAMES.get(req.type_name)
        if name_attr and isinstance(state.get(name_attr), Unknown):
            known = {k: v for k, v in planned.items() if not isinstance(v, Unknown)}
            state[name_attr] = "tf-" + hashlib.sha256(req.type_name.encode() + pack(known)).hexdigest()[:20]
        if isinstance(state.get("id"), Unknown):
            state["id"] = self._fake_id(req.type_name, state)
        if isinstance(state.get("region"), Unknown) and attributes.get("region", {}).get("type") == "string":
            state["region"] = self.region
        if isinstance(state.get("tags_all"), Unknown):
            state["tags_all"] = self._tags_all(state)
        if isinstance(state.get("arn"), Unknown) and attributes.get("arn", {}).get("type") == "string":
            state["arn"] = _arn(req.type_name, state, self.region)
        for name, value in _endpoints(req.type_name, state, self.region).items():
            if isinstance(state.get(name), Unknown):
                state[name] = value

        def attr(name: str, spec: dict, value: Json, depth: int) -> Json:
            return None if spec.get("write_only") else _known(value, spec["type"])

        response.new_state.msgpack = pack(walk(block, state, attr))
        response.private = req.planned_private
        response.legacy_type_system = _legacy(block)
        return response

    def read(self, pb: Any, request: bytes) -> Any:
        req = pb.ReadResource.Request.FromString(request)
        return pb.ReadResource.Response(new_state=req.current_state, private=req.private)

    def upgrade(self, pb: Any, request: bytes) -> Any:
        req = pb.UpgradeResourceState.Request.FromString(request)
        if not req.raw_state.json:
            raise RuntimeError("only JSON state is supported (no flatmap)")
        return pb.UpgradeResourceState.Response(upgraded_state=pb.DynamicValue(json=req.raw_state.json))

    def read_data(self, pb: Any, request: bytes) -> Any:
        req = pb.ReadDataSource.Request.FromString(request)
        block = self._block("data_source_schemas", req.type_name)
        config = unpack(req.config.msgpack)
        fake = _data_source_values(req.type_name, self.region)
        legacy = _legacy(block)  # aws 5.x here: optional+computed look optional; fill the fake answers anyway

        def attr(name: str, spec: dict, value: Json, depth: int) -> Json:
            if spec.get("write_only"):
                return None
            answered = depth == 0 and (name in fake or name == "id")
            if (spec.get("computed") or (legacy and answered)) and (value is None or isinstance(value, Unknown)):
                if depth == 0 and name in fake:
                    return fake[name]
                if depth == 0 and name == "id":
                    return "tffix-" + hashlib.sha256(req.type_name.encode() + pack(_known(config, "dynamic"))
                                                     ).hexdigest()[:16]
                return zero_value(spec["type"])
            return _known(value, spec["type"])

        state = walk(block, config, attr)
        return pb.ReadDataSource.Response(state=pb.DynamicValue(msgpack=pack(state)))


# The aws 5.x schema here (an older CDK package) does not say which optional
# arguments are also computed. These two are in every SDK resource; where the
# schema has them optional only, the stub plans them unknown anyway and answers
# as the SDK does (legacy type system: terraform tolerates the difference).
LEGACY_COMPUTED = ("id", "tags_all")


def _legacy(block: Json) -> bool:
    spec = block.get("attributes", {}).get("id")
    return bool(spec) and spec.get("optional", False) and not spec.get("computed", False)


def _is_set(config: Json, name: str) -> bool:
    return isinstance(config, dict) and config.get(name) is not None


def _handlers(schema: bytes, schema_json: Path | None = None) -> dict[str, Handler]:
    def reply(data: bytes) -> Handler:
        return lambda request, context: data

    provider = Provider(schema_json)
    return {
        "GetProviderSchema": reply(schema),
        "ValidateProviderConfig": reply(NO_DIAGNOSTICS),
        "ValidateResourceConfig": reply(NO_DIAGNOSTICS),
        "ValidateDataResourceConfig": reply(NO_DIAGNOSTICS),
        "ValidateEphemeralResourceConfig": reply(NO_DIAGNOSTICS),
        "ConfigureProvider": provider.guarded("ConfigureProvider", provider.configure),
        "StopProvider": reply(NO_DIAGNOSTICS),
        "CallFunction": reply(UNKNOWN_FUNCTION_RESULT),
        "PlanResourceChange": provider.guarded("PlanResourceChange", provider.plan),
        "ApplyResourceChange": provider.guarded("ApplyResourceChange", provider.apply),
        "ReadResource": provider.guarded("ReadResource", provider.read),
        "UpgradeResourceState": provider.guarded("UpgradeResourceState", provider.upgrade),
        "ReadDataSource": provider.guarded("ReadDataSource", provider.read_data),
    }


def serve(schema_path: Path, tls_dir: Path, schema_json: Path | None = None) -> None:
    import grpc

    stop = threading.Event()
    sockdir = Path(tempfile.mkdtemp(prefix="tffix-stub-"))
    socket = sockdir / "plugin.sock"

    def cleanup() -> None:
        socket.unlink(missing_ok=True)
        try:
            sockdir.rmdir()
        except OSError:
            pass

    def shutdown(request: bytes, context: object) -> bytes:
        cleanup()  # terraform may kill the process right after this reply
        stop.set()
        return b""

    def no_stdio(request: bytes, context: object) -> Iterator[bytes]:
        return iter(())

    def raw(handler: Handler) -> grpc.RpcMethodHandler:
        return grpc.unary_unary_rpc_method_handler(handler, request_deserializer=None, response_serializer=None)

    server = grpc.server(futures.ThreadPoolExecutor(max_workers=4),
                         options=[("grpc.max_send_message_length", MAX_MESSAGE),
                                  ("grpc.max_receive_message_length", MAX_MESSAGE)])
    provider = {name: raw(h) for name, h in _handlers(schema_path.read_bytes(), schema_json).items()}
    server.add_generic_rpc_handlers((
        grpc.method_handlers_generic_handler("tfplugin6.Provider", provider),
        grpc.method_handlers_generic_handler("plugin.GRPCController", {"Shutdown": raw(shutdown)}),
        grpc.method_handlers_generic_handler("plugin.GRPCStdio", {
            "StreamStdio": grpc.unary_stream_rpc_method_handler(no_stdio)}),
    ))
    cert = (tls_dir / "cert.pem").read_bytes()
    address = f"unix:{socket}"
    if os.environ.get("PLUGIN_CLIENT_CERT"):
        credentials = grpc.ssl_server_credentials([((tls_dir / "key.pem").read_bytes(), cert)])
        server.add_secure_port(address, credentials)
        der = base64.b64decode(b"".join(line for line in cert.splitlines() if not line.startswith(b"-----")))
        cert_field = base64.b64encode(der).decode().rstrip("=")
    else:
        server.add_insecure_port(address)
        cert_field = ""
    server.start()
    atexit.register(cleanup)
    sys.stdout.write(f"{CORE_PROTOCOL}|{APP_PROTOCOL}|unix|{socket}|grpc|{cert_field}\n")
    sys.stdout.flush()
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # terraform forwards ^C; it ends us with Shutdown
    signal.signal(signal.SIGTERM, lambda *_: stop.set())
    stop.wait()
    cleanup()
    server.stop(grace=0.2)
    os._exit(0)


def main(argv: list[str]) -> int:
    if os.environ.get(MAGIC_COOKIE[0]) != MAGIC_COOKIE[1]:
        sys.stderr.write("This is a terraform provider plugin (tffix's schema oracle stub); terraform starts it.\n")
        return 1
    serve(Path(argv[0]), Path(argv[1]), Path(argv[2]) if len(argv) > 2 else None)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
