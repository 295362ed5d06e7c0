"""TFX502 provider-version (and the lock-file / table helpers TFX503/TFX504 share)."""

from __future__ import annotations

from pathlib import Path

from tffix.transforms.lib.providers import (
    PROVIDER_VERSIONS,
    normalize_source,
    pessimistic,
)
from tffix.transforms.terraform.provider_version import ProviderVersion as R
from tffix.transforms.terraform.terraform_required_version import (
    TerraformRequiredVersion,
)

from .rulekit import check_fix, findings, fix, unchanged

SEED = """\
terraform {
  required_providers {
    aws = {
      source = "hashicorp/aws"
    }
  }
}
"""

# seed 000 "Provider Version Issues", the CORRECT half (fmt puts no blank line in a block
# whose first item is a nested block; ours keeps the one set_attribute adds before it)
SEED_FIXED = """\
terraform {
  required_version = ">= 1.0"

  required_providers {
    aws = {
      source  = "hashicorp/aws"
      version = "~> 5.0"
    }
  }
}
"""

TWO = """\
terraform {
  required_providers {
    aws = {
      source = "hashicorp/aws"
    }
    random = {
      source = "hashicorp/random"
    }
  }
}
"""

PROVIDER = 'provider "aws" {\n  region = "eu-west-1"\n}\n'


def root(text: str) -> dict[str, str]:
    """A root module: it configures its provider (the table's versions are only written there)."""
    return {"main.tf": text, "provider.tf": PROVIDER}


LOCK = """\
# This file is maintained automatically by "terraform init".
# Manual edits may be lost in future updates.

provider "registry.terraform.io/hashicorp/aws" {
  version     = "5.31.0"
  constraints = ">= 4.0.0"
  hashes = [
    "h1:ltxyuBWIy9cq0kIKDJH1jeWJy/y7XJLjS4QrsQK4plA=",
  ]
}
"""


def lock(tmp_path: Path, text: str = LOCK) -> str:
    (tmp_path / ".terraform.lock.hcl").write_text(text)
    return str(tmp_path)


def test_table_version_is_unsafe_and_held_back() -> None:
    out, result = fix(R, root(SEED), unsafe=False)
    assert out["main.tf"] == SEED
    (held,) = result.remaining
    assert held.held_back and held.safety == "unsafe" and held.impact == "none"
    assert held.fix == 'add version aws "~> 6.0" (current major version as of 2026-11)'


def test_table_version_with_unsafe_fixes(snapshot) -> None:
    diff = check_fix(R, root(SEED))
    assert '+      version = "~> 6.0"\n' in diff
    assert diff == snapshot


def test_lock_file_version_is_safe(tmp_path, snapshot) -> None:
    d = lock(tmp_path)
    out, result = fix(R, SEED, unsafe=False, directory=d)
    assert 'version = "~> 5.31"' in out["main.tf"]
    assert [(r.safety, r.fix) for r in result.fixed] == [
        ("safe", 'add version aws "~> 5.31" (as locked in .terraform.lock.hcl)')]
    assert check_fix(R, SEED, directory=d) == snapshot


def test_lock_file_absent_falls_back_to_the_table(tmp_path) -> None:
    out, result = fix(R, root(SEED), directory=str(tmp_path))
    assert 'version = "~> 6.0"' in out["main.tf"] and result.fixed[0].safety == "unsafe"


def test_lock_file_that_does_not_parse_is_ignored(tmp_path) -> None:
    out, result = fix(R, root(SEED), directory=lock(tmp_path, 'provider "x" {\n'))
    assert 'version = "~> 6.0"' in out["main.tf"] and result.fixed[0].safety == "unsafe"


def test_lock_and_table_entries_are_two_fixes(tmp_path) -> None:
    out, result = fix(R, TWO, unsafe=False, directory=lock(tmp_path))
    assert 'version = "~> 5.31"' in out["main.tf"] and "~> 3.0" not in out["main.tf"]
    (held,) = result.remaining
    assert held.held_back and held.message == "required_providers entry random has no version constraint"
    out, result = fix(R, TWO, directory=lock(tmp_path))
    assert 'version = "~> 3.0"' in out["main.tf"] and len(result.fixed) == 2


def test_table_entries_of_one_block_are_one_fix() -> None:
    out, result = fix(R, root(TWO))
    (record,) = result.fixed
    assert record.message == "required_providers entries aws, random have no version constraint"
    assert out["main.tf"].count("version = ") == 2


def test_options_override_the_table_and_are_safe() -> None:
    opts = {"TFX502": {"provider-versions": {"aws": "~> 5.0"}}}
    out, result = fix(R, SEED, unsafe=False, rule_options=opts)
    assert 'version = "~> 5.0"' in out["main.tf"] and result.fixed[0].safety == "safe"
    out, _ = fix(R, SEED, rule_options={"TFX502": {"provider-versions": {"hashicorp/aws": ">= 5.2, < 7"}}})
    assert 'version = ">= 5.2, < 7"' in out["main.tf"]


def test_lock_file_wins_over_options(tmp_path) -> None:
    out, _ = fix(R, SEED, directory=lock(tmp_path), rule_options={"TFX502": {"provider-versions": {"aws": "~> 4.0"}}})
    assert 'version = "~> 5.31"' in out["main.tf"]


def test_seed_example_with_required_version() -> None:
    out, _ = fix([TerraformRequiredVersion, R], SEED, unsafe=False,
                 rule_options={"TFX502": {"provider-versions": {"aws": "~> 5.0"}}})
    assert out["main.tf"] == SEED_FIXED


def test_unknown_provider_is_reported_without_fix() -> None:
    text = 'terraform {\n  required_providers {\n    dd = {\n      source = "DataDog/datadog"\n    }\n  }\n}\n'
    assert unchanged(R, text)
    assert findings(R, text) == [("TFX502", 3, False)]


def test_unknown_provider_in_the_lock_file_is_fixed(tmp_path) -> None:
    text = 'terraform {\n  required_providers {\n    dd = {\n      source = "DataDog/datadog"\n    }\n  }\n}\n'
    d = lock(tmp_path, 'provider "registry.terraform.io/datadog/datadog" {\n  version = "3.40.0"\n}\n')
    out, result = fix(R, text, unsafe=False, directory=d)
    assert 'version = "~> 3.40"' in out["main.tf"] and result.fixed[0].safety == "safe"


def test_one_line_object(snapshot) -> None:
    text = 'terraform {\n  required_providers {\n    aws = { source = "hashicorp/aws" }\n  }\n}\n'
    diff = check_fix(R, root(text))
    assert '+    aws = { source = "hashicorp/aws", version = "~> 6.0" }\n' in diff
    assert diff == snapshot


def test_already_versioned_legacy_and_expression_entries_are_left_alone() -> None:
    text = ('terraform {\n  required_providers {\n    aws = {\n      source  = "hashicorp/aws"\n'
            '      version = var.v\n    }\n    random = "~> 3.0"\n  }\n}\n')
    assert unchanged(R, text) and findings(R, text) == []


def test_suppression_comment() -> None:
    text = SEED.replace("    aws = {", "    aws = { # tffix:ignore[TFX502]")
    assert unchanged(R, text) and findings(R, text) == []
    block = "# tffix:ignore[TFX502]\n" + SEED
    assert unchanged(R, block) and findings(R, block) == []


def test_multi_file_module_and_tfvars() -> None:
    files = {"versions.tf": SEED, "main.tf": 'resource "aws_s3_bucket" "b" {\n  count = 2\n}\n',
             "dev.tfvars": 'region = "eu-west-1"\n', "provider.tf": PROVIDER}
    out, _ = fix(R, files)
    assert out["main.tf"] == files["main.tf"] and out["dev.tfvars"] == files["dev.tfvars"]
    assert 'version = "~> 6.0"' in out["versions.tf"]


def test_helpers() -> None:
    assert normalize_source("registry.terraform.io/HashiCorp/AWS") == "hashicorp/aws"
    assert normalize_source("registry.opentofu.org/hashicorp/aws") == "hashicorp/aws"
    assert normalize_source("example.com/acme/thing") == "example.com/acme/thing"
    assert pessimistic("0.13.1") == "~> 0.13" and pessimistic("v6.2.0") == "~> 6.2" and pessimistic("x") is None
    assert all(src.startswith("hashicorp/") and v.startswith("~> ") for src, v in PROVIDER_VERSIONS.items())


def test_a_reusable_module_gets_no_version_from_the_table() -> None:
    # issue 13: "~> 6.0" in a child module breaks `terraform init` under a root that pins "~> 5.0"
    assert unchanged(R, SEED)
    (record,) = fix(R, SEED)[1].remaining
    assert not record.fixable and "reusable module" in record.message and '">= x.y"' in record.message


def test_a_backend_or_a_lock_file_makes_a_root_module(tmp_path) -> None:
    backend = 'terraform {\n  backend "s3" {}\n}\n'
    out, _ = fix(R, {"main.tf": SEED, "backend.tf": backend})
    assert 'version = "~> 6.0"' in out["main.tf"]
    out, _ = fix(R, SEED, directory=lock(tmp_path))
    assert 'version = "~> 5.31"' in out["main.tf"]


def test_options_apply_to_reusable_modules_too() -> None:
    out, result = fix(R, SEED, rule_options={"TFX502": {"provider-versions": {"aws": ">= 5.0"}}})
    assert 'version = ">= 5.0"' in out["main.tf"] and result.fixed[0].safety == "safe"


def test_a_root_over_a_child_that_pins_an_older_major_gets_no_table_version(tmp_path) -> None:
    # terraform init: "no available releases match the given constraints ~> 4.62, ~> 6.0" (found on
    # antonputra/tutorials by the oracle): the table's ~> 6.0 is not written over a child's ~> 4.62
    child = tmp_path / "modules" / "vpc"
    child.mkdir(parents=True)
    (child / "versions.tf").write_text('terraform {\n  required_providers {\n    aws = {\n'
                                       '      source  = "hashicorp/aws"\n      version = "~> 4.62"\n    }\n  }\n}\n')
    (tmp_path / "live").mkdir()
    files = root(SEED + '\nmodule "vpc" {\n  source = "../modules/vpc"\n}\n')
    out, result = fix(R, files, directory=str(tmp_path / "live"))
    assert out["main.tf"] == files["main.tf"] and not result.fixed
    (left,) = result.remaining
    assert "a local child module pins ~> 4.62" in left.message and not left.fixable
    # a child that allows the current major does not stand in the way
    (child / "versions.tf").write_text((child / "versions.tf").read_text().replace("~> 4.62", ">= 4.0"))
    out, result = fix(R, files, directory=str(tmp_path / "live"))
    assert 'version = "~> 6.0"' in out["main.tf"]


def _versions(directory: Path, constraint: str | None) -> None:
    directory.mkdir(parents=True)
    version = f'\n      version = "{constraint}"' if constraint else ""
    (directory / "versions.tf").write_text('terraform {\n  required_providers {\n    aws = {\n'
                                           f'      source  = "hashicorp/aws"{version}\n    }}\n  }}\n}}\n'
                                           .replace("}}", "}"))


def test_children_with_the_same_text_in_two_places_are_read_where_they_are(tmp_path) -> None:
    # two copies of one wrapper module, each calling the module beside it: what the copy in b
    # calls is b's neighbour, not a's (what a directory's texts say is kept per text, its
    # calls are resolved from where it is)
    wrapper = 'module "vpc" {\n  source = "../vpc"\n}\n'
    for place, constraint in (("a", "~> 4.62"), ("b", ">= 4.0")):
        (tmp_path / place / "wrapper").mkdir(parents=True)
        (tmp_path / place / "wrapper" / "main.tf").write_text(wrapper)
        _versions(tmp_path / place / "vpc", constraint)
    for place, fixed in (("a", False), ("b", True), ("a", False)):
        (tmp_path / f"live-{place}").mkdir(exist_ok=True)
        files = root(SEED + f'\nmodule "w" {{\n  source = "../{place}/wrapper"\n}}\n')
        out, _ = fix(R, files, directory=str(tmp_path / f"live-{place}"))
        assert ('version = "~> 6.0"' in out["main.tf"]) is fixed, place


def test_the_children_are_walked_once_per_state_of_the_module(tmp_path, monkeypatch) -> None:
    import tffix.transforms.lib.children as children

    _versions(tmp_path / "modules" / "vpc", ">= 4.0")
    (tmp_path / "live").mkdir()
    reads = []
    original = children._read
    monkeypatch.setattr(children, "_read", lambda d: reads.append(d) or original(d))
    two = SEED.replace("    }\n  }", '    }\n    random = {\n      source = "hashicorp/random"\n    }\n  }')
    files = root(two + '\nmodule "vpc" {\n  source = "../modules/vpc"\n}\n')
    result = fix(R, files, directory=str(tmp_path / "live"), unsafe=False)[1]
    (left,) = result.remaining
    assert "aws, random" in left.message  # two providers, each asking about the children
    assert reads == [(tmp_path / "modules" / "vpc").resolve()]
