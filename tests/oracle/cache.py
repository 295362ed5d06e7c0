"""The oracle's on-disk cache, built lazily on first use.

``ensure()`` returns a ready cache, building it once (under a file lock, so
parallel test workers and bench scripts share one build):

1. ``pip download`` the provider packages below (wheels, no dependencies)
   into a temporary directory;
2. extract each provider's schema (``schema.py``) to ``schemas/*.json`` and
   serialize it for the plugin protocol (``protocol.py``) to ``pb/*.pb``;
3. make a self-signed TLS certificate (terraform speaks mutual TLS to
   plugins) and copy ``stub.py`` beside them (the stub reads the schema JSON
   to plan and apply, see ``deploy.py``);
4. lay out a terraform filesystem mirror in which every offered provider
   version is a launcher script running the stub on one schema, and a CLI
   configuration that installs hashicorp/* providers from that mirror only.

The wheels are deleted afterwards. Where: ``$TFFIX_ORACLE_CACHE`` or
``~/.cache/tffix-oracle``, one directory per ``CACHE_KEY`` (which changes
when the packages or the oracle's code change). The mirror embeds the
interpreter that runs the stub, so it is made per interpreter
(``mirror-<hash>/``) next to the shared schemas.

What backs each provider version offered (``PROVIDERS``): the schema of
the package's own provider version; older major versions for which no
package with an extractable schema exists are answered with the schema of
the nearest newer version (a stand-in: version constraints resolve as with
the real registry, but arguments that were added later are accepted and
arguments removed since are rejected).
"""

from __future__ import annotations

import fcntl
import hashlib
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from concurrent.futures import ProcessPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

__all__ = ["CACHE_KEY", "PROVIDERS", "Cache", "OracleUnavailable", "cache_root", "ensure"]

ORACLE_DIR = Path(__file__).resolve().parent


@dataclass(frozen=True)
class ProviderSource:
    """One provider schema and the versions it is offered as."""

    name: str  # hashicorp/<name>
    package: str  # the PyPI requirement carrying the schema
    stand_ins: tuple[str, ...] = ()  # older versions this schema also answers for


PROVIDERS: tuple[ProviderSource, ...] = (
    # hashicorp/aws 6.69.1
    ProviderSource("aws", "cdktn-provider-aws==25.8.1"),
    # hashicorp/aws 5.99.1, also offered as 3.76.1 and 4.67.0: the CDK packages
    # for aws 3.x/4.x are in an older generated format the extractor cannot read
    ProviderSource("aws", "cdktf-cdktf-provider-aws==19.65.1", ("3.76.1", "4.67.0")),
    ProviderSource("random", "cdktn-provider-random==15.0.1", ("2.3.1",)),
    ProviderSource("null", "cdktn-provider-null==15.0.2", ("2.1.2",)),
    ProviderSource("archive", "cdktn-provider-archive==14.0.1", ("1.3.0",)),
    ProviderSource("tls", "cdktn-provider-tls==14.1.1", ("2.2.0", "3.4.0")),
    ProviderSource("local", "cdktn-provider-local==14.0.1", ("1.4.0",)),
    ProviderSource("time", "cdktn-provider-time==14.0.2"),
    ProviderSource("external", "cdktn-provider-external==14.0.2", ("1.2.0",)),
    ProviderSource("http", "cdktn-provider-http==13.0.2", ("2.4.1",)),
    ProviderSource("cloudinit", "cdktn-provider-cloudinit==14.0.1"),
)
# AWS provider-defined functions exist since 5.40 but the 5.x package does not
# carry them: the 5.x schema borrows these from 6.x
AWS5_FUNCTIONS = ("arn_build", "arn_parse", "trim_iam_role_path")

_CODE = b"".join((ORACLE_DIR / f).read_bytes() for f in ("schema.py", "protocol.py", "stub.py", "cache.py"))
CACHE_KEY = "v1-" + hashlib.sha256(repr(PROVIDERS).encode() + _CODE).hexdigest()[:12]
PLATFORM = "linux_amd64"


class OracleUnavailable(RuntimeError):
    """The oracle cannot be built here (no terraform, no package index)."""


def cache_root() -> Path:
    return Path(os.environ.get("TFFIX_ORACLE_CACHE") or Path.home() / ".cache" / "tffix-oracle")


@dataclass(frozen=True)
class Cache:
    """A built cache: the CLI configuration terraform runs with, and what backs what."""

    root: Path
    cli_config: Path
    manifest: dict

    def versions(self, provider: str) -> list[str]:
        return sorted(self.manifest["mirror"].get(provider, {}), key=_version_key)

    def backing(self, provider: str, version: str) -> str:
        """Which schema answers for ``provider`` ``version`` ("aws 5.99.1 (cdktf-cdktf-provider-aws 19.65.1)")."""
        return self.manifest["mirror"][provider][version]


def _version_key(version: str) -> tuple[int, ...]:
    return tuple(int(p) for p in version.split("."))


@contextmanager
def _locked(path: Path) -> Iterator[None]:
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("a") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


def _interpreter_tag() -> str:
    return hashlib.sha256(sys.executable.encode()).hexdigest()[:10]


def ensure() -> Cache:
    """The ready cache, built first if needed. Raises ``OracleUnavailable`` when
    the packages cannot be downloaded."""
    root = cache_root() / CACHE_KEY
    mirror_dir = root / f"mirror-{_interpreter_tag()}"
    cli_config = mirror_dir / "terraformrc"
    if not (root / "manifest.json").is_file() or not cli_config.is_file():
        with _locked(cache_root() / f"{CACHE_KEY}.lock"):
            if not (root / "manifest.json").is_file():
                _build_schemas(root)
            if not cli_config.is_file():
                _build_mirror(root, mirror_dir)
    manifest = json.loads((root / "manifest.json").read_text())
    manifest["mirror"] = json.loads((mirror_dir / "mirror.json").read_text())
    return Cache(root, cli_config, manifest)


# ---- building ---------------------------------------------------------------------


def _download(target: Path) -> list[Path]:
    cmd = [sys.executable, "-m", "pip", "download", "--quiet", "--no-deps", "--only-binary=:all:",
           "--disable-pip-version-check", "-d", str(target), *(p.package for p in PROVIDERS)]
    proc = subprocess.run(cmd, check=False, capture_output=True, text=True, timeout=900)
    if proc.returncode != 0:
        raise OracleUnavailable("cannot download the provider schema packages from the package index: "
                                + (proc.stderr.strip().splitlines() or ["pip failed"])[-1])
    return sorted(target.glob("*.whl"))


def _wheel_for(source: ProviderSource, wheels: list[Path]) -> Path:
    project, version = source.package.split("==")
    stem = f"{project.replace('-', '_')}-{version}-"
    return next(w for w in wheels if w.name.startswith(stem))


def _extract_one(wheel: Path, out: Path) -> dict:
    """In a worker process: schema JSON and protocol bytes of one wheel."""
    from tests.oracle import schema

    data = schema.extract(wheel)
    out.write_text(json.dumps(data, separators=(",", ":"), sort_keys=True))
    return data["source"]


def _build_schemas(root: Path) -> None:
    started = time.monotonic()
    staging = Path(tempfile.mkdtemp(prefix=f"{CACHE_KEY}.", dir=cache_root()))
    try:
        wheels = _download(staging / "wheels")
        downloaded = sum(w.stat().st_size for w in wheels)
        fetched = time.monotonic()
        (staging / "schemas").mkdir()
        names = {}
        with ProcessPoolExecutor(max_workers=min(2, os.cpu_count() or 1)) as pool:
            jobs = {}
            for source in PROVIDERS:
                wheel = _wheel_for(source, wheels)
                stem = wheel.name.split("-py3")[0]
                jobs[stem] = (source, pool.submit(_extract_one, wheel, staging / "schemas" / f"{stem}.json"))
            for stem, (source, job) in jobs.items():
                names[stem] = (source, job.result())
        extracted = time.monotonic()
        sources = _finish_schemas(staging, names)
        (staging / "tls").mkdir()
        _make_certificate(staging / "tls")
        shutil.copy2(ORACLE_DIR / "stub.py", staging / "stub.py")
        shutil.rmtree(staging / "wheels")
        manifest = {
            "cache_key": CACHE_KEY, "sources": sources,
            "build": {"download_bytes": downloaded, "download_seconds": round(fetched - started, 1),
                      "extract_seconds": round(extracted - fetched, 1),
                      "total_seconds": round(time.monotonic() - started, 1)},
        }
        (staging / "manifest.json").write_text(json.dumps(manifest, indent=1))
        if root.exists():
            shutil.rmtree(root)
        staging.rename(root)
    finally:
        if staging.exists():
            shutil.rmtree(staging, ignore_errors=True)


def _finish_schemas(staging: Path, extracted: dict[str, tuple[ProviderSource, dict]]) -> list[dict]:
    """Patch the AWS 5.x functions in, write the protocol bytes; the manifest's sources."""
    from tests.oracle import protocol

    schemas = {stem: json.loads((staging / "schemas" / f"{stem}.json").read_text()) for stem in extracted}
    aws = sorted((stem for stem, (s, _) in extracted.items() if s.name == "aws"),
                 key=lambda stem: _version_key(extracted[stem][1]["provider_version"]))
    newest = schemas[aws[-1]]
    for stem in aws[:-1]:
        if not schemas[stem]["functions"]:
            schemas[stem]["functions"] = {n: newest["functions"][n] for n in AWS5_FUNCTIONS
                                          if n in newest["functions"]}
            schemas[stem]["source"]["functions_from"] = newest["source"]["provider_version"]
            (staging / "schemas" / f"{stem}.json").write_text(
                json.dumps(schemas[stem], separators=(",", ":"), sort_keys=True))
    (staging / "pb").mkdir()
    sources = []
    for stem, (source, info) in extracted.items():
        (staging / "pb" / f"{stem}.pb").write_bytes(protocol.schema_response(schemas[stem]))
        sources.append({"name": source.name, "stem": stem, "package": source.package,
                        "provider_version": info["provider_version"], "stand_ins": list(source.stand_ins),
                        "resources": len(schemas[stem]["resource_schemas"]),
                        "data_sources": len(schemas[stem]["data_source_schemas"])})
    return sources


def _make_certificate(directory: Path) -> None:
    """A self-signed P-256 certificate for localhost that is its own CA
    (go-plugin trusts the certificate the plugin sends in its handshake)."""
    import datetime

    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID

    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "localhost")])
    now = datetime.datetime.now(datetime.timezone.utc)
    cert = (
        x509.CertificateBuilder().subject_name(name).issuer_name(name).public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - datetime.timedelta(days=1)).not_valid_after(now + datetime.timedelta(days=3650))
        .add_extension(x509.SubjectAlternativeName([x509.DNSName("localhost")]), critical=False)
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
        .add_extension(x509.KeyUsage(digital_signature=True, key_encipherment=True, key_cert_sign=True,
                                     content_commitment=False, data_encipherment=False, key_agreement=False,
                                     crl_sign=False, encipher_only=False, decipher_only=False), critical=True)
        .add_extension(x509.ExtendedKeyUsage([ExtendedKeyUsageOID.SERVER_AUTH, ExtendedKeyUsageOID.CLIENT_AUTH]),
                       critical=False)
        .sign(key, hashes.SHA256())
    )
    (directory / "key.pem").write_bytes(key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()))
    (directory / "cert.pem").write_bytes(cert.public_bytes(serialization.Encoding.PEM))


def _build_mirror(root: Path, mirror_dir: Path) -> None:
    """Launchers for every offered version, and the CLI configuration."""
    manifest = json.loads((root / "manifest.json").read_text())
    staging = Path(tempfile.mkdtemp(prefix="mirror.", dir=root))
    offered: dict[str, dict[str, str]] = {}
    for source in manifest["sources"]:
        backing = f"{source['name']} {source['provider_version']} ({source['package'].replace('==', ' ')})"
        for version in [source["provider_version"], *source["stand_ins"]]:
            offered.setdefault(source["name"], {})[version] = backing
            target = staging / "providers" / "registry.terraform.io" / "hashicorp" / source["name"] / version / PLATFORM
            target.mkdir(parents=True)
            launcher = target / f"terraform-provider-{source['name']}_v{version}"
            launcher.write_text(f'#!/bin/sh\nexec "{sys.executable}" -I "{root / "stub.py"}" '
                                f'"{root / "pb" / (source["stem"] + ".pb")}" "{root / "tls"}" '
                                f'"{root / "schemas" / (source["stem"] + ".json")}"\n')
            launcher.chmod(0o755)
    (staging / "mirror.json").write_text(json.dumps(offered, indent=1, sort_keys=True))
    providers = mirror_dir / "providers"
    (staging / "terraformrc").write_text(
        "# tffix schema oracle: hashicorp providers from the stub mirror, nothing from the network\n"
        "provider_installation {\n  filesystem_mirror {\n"
        f'    path    = "{providers}"\n    include = ["registry.terraform.io/hashicorp/*"]\n  }}\n}}\n')
    if mirror_dir.exists():
        shutil.rmtree(mirror_dir)
    staging.rename(mirror_dir)
