"""``terraform init`` and ``terraform validate`` of a module, offline, against
the stub providers of the cache (``cache.py``).

``init(dir)`` installs the module's child modules and resolves every provider
version constraint of the root and its child modules against the mirror's
versions (so conflicting constraints fail as with the real registry: "no
available releases match the given constraints"). ``validate(dir)`` runs
``init`` then ``validate``: terraform core checks the configuration against
the served schemas (unknown arguments, types, nesting, required arguments).

The module tree is not modified: ``.terraform`` goes to a temporary
``TF_DATA_DIR``, and an existing ``.terraform.lock.hcl`` (whose versions and
hashes the mirror cannot match) is set aside during the run and put back;
the lock file init writes is removed. So two runs must not share a
directory at the same time. Registry modules cannot be installed offline:
see ``offline.py``.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

from .cache import Cache, OracleUnavailable, ensure

__all__ = ["TERRAFORM", "Diagnostic", "Result", "init", "validate"]

TERRAFORM = shutil.which("terraform")
LOCK_FILE = ".terraform.lock.hcl"
SET_ASIDE = ".terraform.lock.hcl.tffix-oracle"
# init's warning that the lock file it wrote has checksums for this platform only:
# always true of a filesystem mirror, and the lock file is removed anyway
LOCAL_CHECKSUMS = "Incomplete lock file information for providers"
INSTALLED = re.compile(r"Installed provider version: (\S+) v(\S+)")


@dataclass(frozen=True)
class Diagnostic:
    severity: str  # "error" or "warning"
    summary: str
    detail: str = ""
    filename: str | None = None  # relative to the module directory
    line: int | None = None

    def __str__(self) -> str:
        where = f"{self.filename}:{self.line}: " if self.filename else ""
        detail = " ".join(self.detail.split())
        return f"{where}{self.summary}" + (f": {detail}" if detail else "")


@dataclass
class Result:
    ok: bool
    diagnostics: list[Diagnostic] = field(default_factory=list)
    step: str = "validate"  # the step that decided: "init" or "validate"
    seconds: float = 0.0
    providers: dict[str, str] = field(default_factory=dict)  # what init installed: {"hashicorp/aws": "5.99.1"}

    @property
    def errors(self) -> list[Diagnostic]:
        return [d for d in self.diagnostics if d.severity == "error"]

    @property
    def message(self) -> str:
        """The first error, one line (empty when ok)."""
        return str(self.errors[0]) if self.errors else ""


def _diagnostic(raw: dict) -> Diagnostic:
    rng = raw.get("range") or {}
    return Diagnostic(raw.get("severity", "error"), raw.get("summary", ""), raw.get("detail", ""),
                      rng.get("filename"), (rng.get("start") or {}).get("line"))


def _environment(cache: Cache, data_dir: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("TF_", "CHECKPOINT_"))}
    env.update(TF_CLI_CONFIG_FILE=str(cache.cli_config), TF_DATA_DIR=data_dir, TF_IN_AUTOMATION="1",
               CHECKPOINT_DISABLE="1", TF_REGISTRY_CLIENT_TIMEOUT="3", TF_REGISTRY_DISCOVERY_RETRY="0")
    return env


def _run(args: list[str], env: dict[str, str], timeout: float) -> subprocess.CompletedProcess[str]:
    assert TERRAFORM is not None
    return subprocess.run([TERRAFORM, *args], env=env, capture_output=True, text=True, timeout=timeout,
                          check=False)


def _init(directory: Path, env: dict[str, str], timeout: float) -> Result:
    proc = _run([f"-chdir={directory}", "init", "-backend=false", "-input=false", "-no-color", "-json"],
                env, timeout)
    diagnostics = []
    providers = {}
    for line in proc.stdout.splitlines():
        try:
            message = json.loads(line)
        except ValueError:
            continue
        installed = INSTALLED.match(message.get("@message", ""))
        if installed:
            providers[installed[1]] = installed[2]
        if message.get("type") == "diagnostic" and message["diagnostic"].get("summary") != LOCAL_CHECKSUMS:
            diagnostics.append(_diagnostic(message["diagnostic"]))
    if proc.returncode != 0 and not any(d.severity == "error" for d in diagnostics):
        text = (proc.stderr or proc.stdout).strip()
        diagnostics.append(Diagnostic("error", "terraform init failed", text[-2000:]))
    return Result(proc.returncode == 0, diagnostics, "init", providers=providers)


def _validate(directory: Path, env: dict[str, str], timeout: float) -> Result:
    proc = _run([f"-chdir={directory}", "validate", "-json", "-no-color"], env, timeout)
    try:
        report = json.loads(proc.stdout)
    except ValueError:
        return Result(False, [Diagnostic("error", "terraform validate failed", proc.stderr.strip()[-2000:])])
    return Result(bool(report.get("valid")), [_diagnostic(d) for d in report.get("diagnostics", [])])


def _session(module_dir: Path | str, steps: tuple[str, ...], timeout: float) -> Result:
    if TERRAFORM is None:
        raise OracleUnavailable("terraform is not on PATH")
    cache = ensure()
    directory = Path(module_dir).resolve()
    started = time.monotonic()
    lock, aside = directory / LOCK_FILE, directory / SET_ASIDE
    had_lock = lock.exists()
    if had_lock:
        lock.replace(aside)
    data_dir = tempfile.mkdtemp(prefix="tffix-oracle-tfdata-")
    try:
        env = _environment(cache, data_dir)
        result = _init(directory, env, timeout)
        if result.ok and "validate" in steps:
            checked = _validate(directory, env, timeout)
            checked.diagnostics[:0] = [d for d in result.diagnostics if d.severity != "error"]
            checked.providers = result.providers
            result = checked
    finally:
        shutil.rmtree(data_dir, ignore_errors=True)
        lock.unlink(missing_ok=True)
        if had_lock:
            aside.replace(lock)
    result.seconds = round(time.monotonic() - started, 2)
    return result


def init(module_dir: Path | str, *, timeout: float = 300) -> Result:
    """``terraform init`` of the module: child modules and provider versions."""
    return _session(module_dir, ("init",), timeout)


def validate(module_dir: Path | str, *, timeout: float = 300) -> Result:
    """``terraform init`` then ``terraform validate`` of the module."""
    return _session(module_dir, ("init", "validate"), timeout)
