"""TFX508 module-source-pinned."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from tffix.transforms.terraform.module_source_pinned import ModuleSourcePinned as R

from .rulekit import check_fix, findings, fix, unchanged

REGISTRY = """\
module "vpc" {
  source = "terraform-aws-modules/vpc/aws"

  name = "main"
}
"""

GIT_TAG = """\
module "labels" {
  source = "git::https://github.com/example/terraform-labels.git?ref=v1.2.0"

  name = "app"
}
"""

SHA = "0123456789abcdef0123456789abcdef01234567"


def _manifest(tmp_path: Path, *entries: dict) -> None:
    (tmp_path / ".terraform" / "modules").mkdir(parents=True, exist_ok=True)
    modules = [{"Key": "", "Source": "", "Dir": "."}, *entries]
    (tmp_path / ".terraform" / "modules" / "modules.json").write_text(json.dumps({"Modules": modules}))


def test_registry_version_from_the_manifest(tmp_path: Path, snapshot) -> None:
    _manifest(tmp_path, {"Key": "vpc", "Source": "registry.terraform.io/terraform-aws-modules/vpc/aws",
                         "Version": "5.8.1", "Dir": ".terraform/modules/vpc"})
    assert check_fix(R, REGISTRY, directory=str(tmp_path)) == snapshot


def test_git_tag_becomes_the_installed_commit(tmp_path: Path, snapshot) -> None:
    source = "git::https://github.com/example/terraform-labels.git?ref=v1.2.0"
    _manifest(tmp_path, {"Key": "labels", "Source": source, "Dir": ".terraform/modules/labels"})
    git = tmp_path / ".terraform" / "modules" / "labels" / ".git"
    git.mkdir(parents=True)
    (git / "HEAD").write_text(SHA + "\n")
    assert check_fix(R, GIT_TAG, directory=str(tmp_path)) == snapshot


def test_branch_ref_resolved_through_packed_refs(tmp_path: Path) -> None:
    source = "git::https://github.com/example/terraform-labels.git?ref=main"
    _manifest(tmp_path, {"Key": "labels", "Source": source, "Dir": ".terraform/modules/labels"})
    git = tmp_path / ".terraform" / "modules" / "labels" / ".git"
    git.mkdir(parents=True)
    (git / "HEAD").write_text("ref: refs/heads/main\n")
    (git / "packed-refs").write_text(f"# pack-refs\n{SHA} refs/heads/main\n")
    out, _ = fix(R, GIT_TAG.replace("v1.2.0", "main"), directory=str(tmp_path))
    assert f"?ref={SHA}" in out["main.tf"]


def test_fix_is_unsafe(tmp_path: Path) -> None:
    _manifest(tmp_path, {"Key": "vpc", "Source": "registry.terraform.io/terraform-aws-modules/vpc/aws",
                         "Version": "5.8.1", "Dir": ".terraform/modules/vpc"})
    out, result = fix(R, REGISTRY, unsafe=False, directory=str(tmp_path))
    assert out["main.tf"] == REGISTRY
    assert [(r.safety, r.impact, r.held_back) for r in result.remaining] == [("unsafe", "none", True)]


def test_manifest_for_another_source_is_not_used(tmp_path: Path) -> None:
    _manifest(tmp_path, {"Key": "vpc", "Source": "registry.terraform.io/cloudposse/vpc/aws",
                         "Version": "2.0.0", "Dir": ".terraform/modules/vpc"})
    assert unchanged(R, REGISTRY, directory=str(tmp_path))
    assert findings(R, REGISTRY, directory=str(tmp_path)) == [("TFX508", 2, False)]


@pytest.mark.parametrize("text", [
    REGISTRY,  # no manifest
    GIT_TAG,  # no installed copy
    'module "m" {\n  source = "github.com/example/mod"\n}\n',  # no ref at all
    'module "m" {\n  source = "git@github.com:example/mod.git?ref=main"\n}\n',
])
def test_reported_without_fix(text: str) -> None:
    assert unchanged(R, text)
    assert [(rule, fixable) for rule, _, fixable in findings(R, text)] == [("TFX508", False)]


@pytest.mark.parametrize("text", [
    'module "m" {\n  source = "./modules/m"\n}\n',
    'module "m" {\n  source  = "terraform-aws-modules/vpc/aws"\n  version = "~> 5.0"\n}\n',
    f'module "m" {{\n  source = "git::https://example.com/mod.git?ref={SHA}"\n}}\n',
    'module "m" {\n  source = "s3::https://s3.amazonaws.com/bucket/mod.zip"\n}\n',
    'module "m" {\n  source = var.source\n}\n',
])
def test_pinned_local_and_other_sources_are_unchanged(text: str) -> None:
    assert unchanged(R, text) and findings(R, text) == []


def test_suppression_comment() -> None:
    assert findings(R, "# tffix:ignore[TFX508]\n" + REGISTRY) == []
