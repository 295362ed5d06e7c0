"""A schema-only terraform provider (plugin protocol 6) for offline validation.

terraform starts it through a launcher in the oracle's filesystem mirror
(``python stub.py SCHEMA.pb TLS_DIR``). It serves the pre-serialized
``GetProviderSchema`` response and answers every validation call with "no
diagnostics", so terraform core itself checks argument names, types,
required arguments and block nesting against the real provider's schema.
Provider-defined functions return an unknown value. Nothing else is served:
plan, apply, import and reads fail as unimplemented, which ``terraform
validate`` and ``terraform init`` never call.

The handshake is go-plugin's: the magic cookie in the environment, then one
line ``1|6|unix|SOCKET|grpc|CERT`` on stdout. terraform asks for mutual TLS
(``PLUGIN_CLIENT_CERT``), so the server presents the self-signed certificate
in TLS_DIR and sends it (base64 DER) in the handshake; client certificates
are not checked. Messages stay raw bytes: this module needs grpcio only.
The cache copies this file next to the mirror, so it imports nothing from
the checkout.
"""

from __future__ import annotations

import atexit
import base64
import os
import signal
import sys
import tempfile
import threading
from collections.abc import Callable, Iterator
from concurrent import futures
from pathlib import Path

MAGIC_COOKIE = ("TF_PLUGIN_MAGIC_COOKIE", "d602bf8f470bc67ca7faa0386276bbdd4330efaf76d1a219cb4d6991ca9872b2")
CORE_PROTOCOL, APP_PROTOCOL = 1, 6
MAX_MESSAGE = 256 << 20
# CallFunction.Response{result: DynamicValue{msgpack: <cty unknown value>}}:
# field 1 (message) holding field 1 (bytes) = msgpack extension type 0, 1 byte of 0
UNKNOWN_FUNCTION_RESULT = b"\x0a\x05\x0a\x03\xd4\x00\x00"
NO_DIAGNOSTICS = b""  # an empty response message

Handler = Callable[[bytes, object], bytes]


def _handlers(schema: bytes) -> dict[str, Handler]:
    def reply(data: bytes) -> Handler:
        return lambda request, context: data

    return {
        "GetProviderSchema": reply(schema),
        "ValidateProviderConfig": reply(NO_DIAGNOSTICS),
        "ValidateResourceConfig": reply(NO_DIAGNOSTICS),
        "ValidateDataResourceConfig": reply(NO_DIAGNOSTICS),
        "ValidateEphemeralResourceConfig": reply(NO_DIAGNOSTICS),
        "ConfigureProvider": reply(NO_DIAGNOSTICS),
        "StopProvider": reply(NO_DIAGNOSTICS),
        "CallFunction": reply(UNKNOWN_FUNCTION_RESULT),
    }


def serve(schema_path: Path, tls_dir: Path) -> None:
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
    provider = {name: raw(h) for name, h in _handlers(schema_path.read_bytes()).items()}
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
    serve(Path(argv[0]), Path(argv[1]))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
