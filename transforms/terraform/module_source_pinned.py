"""TFX508: remote module sources are pinned: registry modules to a version, git sources to a commit."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from tffix import edit
from tffix.engine.module import Module
from tffix.engine.rules import FIX_SOMETIMES, IMPACT_NONE, UNSAFE, Finding, Rule
from tffix.transforms.lib.settings import text

REGISTRY = re.compile(r"^(?:(?P<host>[a-z0-9.-]+\.[a-z]{2,})/)?[A-Za-z0-9][A-Za-z0-9_-]*/[A-Za-z0-9][A-Za-z0-9_-]*/"
                      r"[a-z0-9]+(?://.*)?$")
GIT = re.compile(r"^(git::|github\.com/|bitbucket\.org/|git@)|\.git(//|\?|$)")
REF = re.compile(r"([?&]ref=)([^&]+)")
SHA = re.compile(r"^[0-9a-f]{40}$")
HASH_LIKE = re.compile(r"^[0-9a-f]{5,40}$")  # what Checkov CKV_TF_1 accepts as a commit id
DEFAULT_REGISTRY = "registry.terraform.io/"


def _manifest(directory: Path) -> dict[str, dict] | None:
    """``.terraform/modules/modules.json`` beside the module: module key -> entry."""
    path = directory / ".terraform" / "modules" / "modules.json"
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    return {m.get("Key"): m for m in data.get("Modules", []) if isinstance(m, dict)}


def _checked_out(directory: Path, entry: dict) -> str | None:
    """The commit an installed git module is checked out at (its ``.git/HEAD``)."""
    where = directory / entry.get("Dir", "")
    try:
        head = (where / ".git" / "HEAD").read_text(encoding="utf-8").strip()
        if head.startswith("ref: "):
            ref = head[5:]
            loose = where / ".git" / ref
            if loose.is_file():
                head = loose.read_text(encoding="utf-8").strip()
            else:
                packed = (where / ".git" / "packed-refs").read_text(encoding="utf-8")
                head = next((line.split()[0] for line in packed.splitlines() if line.endswith(" " + ref)), "")
    except OSError:
        return None
    return head if SHA.match(head) else None


def _registry_key(source: str) -> str:
    return source[len(DEFAULT_REGISTRY):] if source.startswith(DEFAULT_REGISTRY) else source


class ModuleSourcePinned(Rule):
    """
    ## What it does
    Finds calls to remote modules that are not pinned:

    - a registry module (`terraform-aws-modules/vpc/aws`) without `version`: every
      `terraform init -upgrade` (and every fresh CI checkout) takes the newest release. Where
      `.terraform/modules/modules.json` beside the module records the version installed for
      this call (same source), the fix writes `version = "<that version>"`;
    - a git source without `?ref=`: reported (tffix cannot know which commit is meant);
    - a git source with `?ref=<tag or branch>`: a tag can be moved and a branch moves. Where
      the installed copy (`.terraform/modules/<key>/.git`, recorded in `modules.json` for the
      same source) is checked out at a commit, the fix replaces the ref with that commit.

    Local paths are left alone, and so are other sources (S3, GCS, HTTP archives). A version
    range on a registry module (`~> 5.0`) is accepted: the lock file does not cover modules,
    but a range is a choice.

    ## Why is this bad?
    An unpinned module is code that changes under you: the next `init` pulls whatever was
    published or pushed last, which can change resources (or, for a compromised source, run
    anything with your credentials). A commit pins git sources for good; a tag can be re-pointed.

    ## Example
    ```hcl
    module "labels" {
      source = "git::https://github.com/example/terraform-labels.git?ref=v1.2.0"

      name = "app"
    }
    ```
    What `terraform init` left beside it:
    ```json
    # file: .terraform/modules/modules.json
    {"Modules": [{"Key": "", "Source": "", "Dir": "."},
                 {"Key": "labels", "Source": "git::https://github.com/example/terraform-labels.git?ref=v1.2.0",
                  "Dir": ".terraform/modules/labels"}]}
    ```
    ```text
    # file: .terraform/modules/labels/.git/HEAD
    0123456789abcdef0123456789abcdef01234567
    ```

    ## Use instead
    ```hcl
    module "labels" {
      source = "git::https://github.com/example/terraform-labels.git?ref=0123456789abcdef0123456789abcdef01234567"

      name = "app"
    }
    ```
    For a registry module: `version = "5.8.1"` (the fix takes it from `modules.json`).

    ## Fix safety
    **Unsafe**: the fix pins what `.terraform` says was installed; if that directory is older
    than what CI installs (CI runs a fresh `terraform init`), the pin moves CI back to the
    older release. Check the version (or commit) before applying.

    ## Deployment impact
    None by itself: no resource changes until the pinned module differs from the one used so
    far; `terraform init` may need to run again.

    ## References
    - Terraform docs, "Module Sources" (registry addresses `<HOSTNAME>/<NAMESPACE>/<NAME>/<PROVIDER>`,
      generic git `?ref=` with a branch, tag or SHA-1 commit) and "Module Blocks" (`version`
      applies to registry modules only); `.terraform/modules/modules.json` is the module
      manifest `terraform init` writes (`Key`, `Source`, `Version`, `Dir`)
    - Checkov CKV_TF_1 (`checks/module/generic/RevisionHash.py`: a remote source must carry
      `?ref=<commit id>`; it fails registry modules even with a `version`, which the rule does
      not report) and CKV_TF_2 (`RevisionVersionTag.py`: a git `?ref=` with a version number, or a
      registry module with `version`); checkov 3.3.30, `bench/checkov_mapping.py`
    """

    id = "TFX508"
    name = "module-source-pinned"
    summary = "Remote modules are pinned: registry modules to a version, git sources to a commit"
    fix_availability = FIX_SOMETIMES
    safety = UNSAFE
    impact = IMPACT_NONE
    checkov = ("CKV_TF_1", "CKV_TF_2")
    partial = {"CKV_TF_1": "unpinned sources; Checkov also fails registry modules pinned by version"}

    def check(self, module: Module, options: dict[str, Any]) -> Iterator[Finding]:
        manifest: dict[str, dict] | None | bool = False
        for ref in module.blocks("module"):
            block = ref.block
            attr = block.get_attribute("source")
            known, source = text(attr.value) if attr is not None else (False, None)
            if not known or not source or source.startswith(("./", "../")):
                continue
            assert attr is not None
            key = block.label_values[0] if block.labels else ""
            if manifest is False:
                manifest = _manifest(module.directory) if module.directory.is_dir() else None
            entry = manifest.get(key) if isinstance(manifest, dict) else None
            if GIT.search(source):
                yield from self._git(ref, attr, source, module.directory, entry)
            elif REGISTRY.match(source):
                if block.get_attribute("version") is not None:
                    continue
                message = (f"{ref.address} takes the newest release of {source}: it has no version, so every "
                           "init can bring a different module")
                installed = entry.get("Version") if entry else None
                if not installed or _registry_key(entry.get("Source", "")) != _registry_key(source):
                    yield self.finding(ref.file, attr.value, f"{message}; pin the version you tested", block=block)
                    continue
                yield self.finding(ref.file, attr.value, f"{message}; pin the installed {installed}", block=block,
                                   fix=lambda b=block, v=installed: edit.set_attribute(b, "version", v, after="source"),
                                   description=f'set version = "{installed}" (from .terraform/modules/modules.json)')

    def _git(self, ref: Any, attr: Any, source: str, directory: Path, entry: dict | None) -> Iterator[Finding]:
        block = ref.block
        found = REF.search(source)
        if found is None:
            yield self.finding(ref.file, attr.value, f"{ref.address} takes whatever the default branch of {source} "
                               "holds at the next init; add ?ref=<commit>", block=block)
            return
        pinned = found.group(2)
        if HASH_LIKE.match(pinned):
            return
        message = (f"{ref.address} pins {source} to the ref {pinned!r}, which can move (a branch, or a tag "
                   "that is re-pointed); pin a commit")
        commit = _checked_out(directory, entry) if entry and entry.get("Source") == source else None
        if commit is None:
            yield self.finding(ref.file, attr.value, message, block=block)
            return
        new = source[:found.start(2)] + commit + source[found.end(2):]
        yield self.finding(ref.file, attr.value, f"{message} ({commit[:12]} is installed)", block=block,
                           fix=lambda b=block, s=new: edit.set_attribute(b, "source", s),
                           description=f"replace ref={pinned} with the installed commit {commit}")
