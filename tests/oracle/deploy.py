"""``terraform apply``, ``plan`` and ``show -json`` offline, against the stub
providers of the cache (``stub.py`` fakes the infrastructure).

For tests that need what terraform itself writes about deployed resources:
the state (``terraform.tfstate``, format version 4), ``terraform show -json``
of it, and ``terraform show -json PLANFILE`` of a plan against it.

    with deploy.session(workdir) as tf:   # init once (temporary TF_DATA_DIR)
        state_file = tf.apply()           # workdir/terraform.tfstate
        state = tf.show()                 # `terraform show -json`
        plan = tf.plan()                  # plan -out tfplan, then `show -json tfplan`

``apply(dir)``, ``plan(dir)`` and ``show(dir)`` do one step each (an init
first). Everything runs in ``dir`` with the local backend: terraform writes
``terraform.tfstate``, ``.terraform.lock.hcl`` and the plan file there, so
give it a copy of a module, never a tree that must stay as it was.
"""

from __future__ import annotations

import json
import shutil
import subprocess
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from .cache import OracleUnavailable, ensure
from .terraform import TERRAFORM, _environment

__all__ = ["DeployError", "Session", "apply", "plan", "session", "show"]

STATE_FILE = "terraform.tfstate"
PLAN_FILE = "tfplan"


class DeployError(RuntimeError):
    """A terraform step failed (the message ends with terraform's error output)."""


@dataclass
class Session:
    directory: Path
    env: dict[str, str]
    timeout: float

    def run(self, *args: str) -> str:
        """One terraform command in the directory; its stdout. Raises ``DeployError``."""
        assert TERRAFORM is not None
        proc = subprocess.run([TERRAFORM, f"-chdir={self.directory}", *args], env=self.env, capture_output=True,
                              text=True, timeout=self.timeout, check=False)
        if proc.returncode != 0:
            text = (proc.stderr.strip() or proc.stdout.strip())[-3000:]
            raise DeployError(f"terraform {args[0]} failed in {self.directory}:\n{text}")
        return proc.stdout

    def init(self) -> None:
        self.run("init", "-input=false", "-no-color")

    def apply(self) -> Path:
        """``terraform apply -auto-approve``; the state file it wrote."""
        self.run("apply", "-auto-approve", "-input=false", "-no-color")
        return self.directory / STATE_FILE

    def plan(self, planfile: str = PLAN_FILE, *extra: str) -> dict:
        """``terraform plan -out PLANFILE`` then ``terraform show -json PLANFILE``."""
        self.run("plan", "-input=false", "-no-color", f"-out={planfile}", *extra)
        return self.show(planfile)

    def show(self, planfile: str | None = None) -> dict:
        """``terraform show -json`` of the state, or of ``planfile``."""
        return json.loads(self.run("show", "-json", "-no-color", *([planfile] if planfile else [])))


@contextmanager
def session(directory: Path | str, *, timeout: float = 300) -> Iterator[Session]:
    """An initialized module directory (providers from the oracle's mirror,
    ``.terraform`` in a temporary ``TF_DATA_DIR`` removed afterwards)."""
    if TERRAFORM is None:
        raise OracleUnavailable("terraform is not on PATH")
    cache = ensure()
    data_dir = tempfile.mkdtemp(prefix="tffix-oracle-deploy-")
    try:
        tf = Session(Path(directory).resolve(), _environment(cache, data_dir), timeout)
        tf.init()
        yield tf
    finally:
        shutil.rmtree(data_dir, ignore_errors=True)


def apply(directory: Path | str) -> Path:
    """``terraform apply -auto-approve`` in ``directory``; the path of its state file."""
    with session(directory) as tf:
        return tf.apply()


def plan(directory: Path | str, planfile: str = PLAN_FILE) -> dict:
    """``terraform plan -out PLANFILE`` in ``directory`` (against its state, if any); ``show -json`` of the plan."""
    with session(directory) as tf:
        return tf.plan(planfile)


def show(directory: Path | str, planfile: str | None = None) -> dict:
    """``terraform show -json`` of the directory's state (or of ``planfile``)."""
    with session(directory) as tf:
        return tf.show(planfile)
