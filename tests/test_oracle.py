"""The provider-schema oracle (tests/oracle): offline `terraform validate` and
`terraform init` against the real hashicorp/aws schemas.

Each case below is one module with one mistake; terraform, talking to the
stub provider, must report exactly that mistake. The init cases check that
version constraints across a root and its child module resolve (or fail) as
with the real registry.
"""

from __future__ import annotations

import textwrap
from pathlib import Path

import pytest

from .oracle import OracleUnavailable, ensure, init, validate
from .oracle.cache import Cache

OK = textwrap.dedent("""\
    terraform {
      required_providers {
        aws    = { source = "hashicorp/aws", version = "~> 5.0" }
        random = { source = "hashicorp/random", version = ">= 3.0" }
      }
    }

    provider "aws" {
      region = "eu-west-1"
      default_tags {
        tags = { team = "platform" }
      }
    }

    resource "random_password" "master" {
      length  = 24
      special = false
    }

    resource "aws_security_group" "db" {
      name   = "orders-db"
      vpc_id = "vpc-0abc"
      ingress {
        from_port   = 5432
        to_port     = 5432
        protocol    = "tcp"
        cidr_blocks = ["10.1.0.0/16"]
      }
    }

    resource "aws_db_instance" "orders" {
      identifier             = "orders"
      engine                 = "postgres"
      instance_class         = "db.t4g.small"
      allocated_storage      = 50
      username               = "orders"
      password               = random_password.master.result
      storage_encrypted      = true
      vpc_security_group_ids = [aws_security_group.db.id]
      skip_final_snapshot    = true
    }

    resource "aws_instance" "worker" {
      ami           = "ami-0123456789abcdef0"
      instance_type = "t3.small"
      metadata_options {
        http_tokens = "required"
      }
    }

    resource "aws_s3_bucket" "exports" {
      bucket = "orders-exports"
    }

    resource "aws_s3_bucket_server_side_encryption_configuration" "exports" {
      bucket = aws_s3_bucket.exports.id
      rule {
        apply_server_side_encryption_by_default {
          sse_algorithm = "aws:kms"
        }
      }
    }

    output "db_endpoint" {
      value = aws_db_instance.orders.endpoint
    }

    output "bucket_region" {
      value = provider::aws::arn_parse(aws_s3_bucket.exports.arn).region
    }
    """)


def _mutate(old: str, new: str) -> str:
    assert OK.count(old) == 1, old
    return OK.replace(old, new)


def _line(text: str, needle: str) -> int:
    return text[:text.index(needle)].count("\n") + 1


def _case(old: str, new: str, summary: str, detail: str, at: str) -> tuple[str, tuple[str, str, int]]:
    """A mistake: the text with ``old`` replaced by ``new``, and the one
    diagnostic expected (summary, detail, line of ``at``)."""
    text = _mutate(old, new)
    return text, (summary, detail, _line(text, at))


CASES = {
    "misspelled argument": _case(
        "  storage_encrypted      = true\n", "  storage_encrypt        = true\n",
        "Unsupported argument",
        'An argument named "storage_encrypt" is not expected here. Did you mean "storage_encrypted"?',
        "storage_encrypt "),
    "argument in the wrong block": _case(
        '  metadata_options {\n    http_tokens = "required"\n  }\n', '  http_tokens   = "required"\n',
        "Unsupported argument", 'An argument named "http_tokens" is not expected here.', "http_tokens"),
    "wrong type": _case(
        "  allocated_storage      = 50\n", '  allocated_storage      = "fifty"\n',
        "Incorrect attribute value type",
        'Inappropriate value for attribute "allocated_storage": a number is required.', '"fifty"'),
    "missing required argument": _case(
        "  bucket = aws_s3_bucket.exports.id\n", "",
        "Missing required argument", 'The argument "bucket" is required, but no definition was found.',
        'resource "aws_s3_bucket_server_side_encryption_configuration"'),
}


@pytest.fixture(scope="session")
def oracle() -> Cache:
    """The built oracle cache (first use downloads and builds it)."""
    from .oracle import TERRAFORM

    if TERRAFORM is None:
        pytest.skip("terraform is not on PATH: the provider-schema oracle needs it")
    try:
        import grpc  # noqa: F401
        import tf.gen.tfplugin_pb2  # noqa: F401
    except ImportError as e:
        pytest.skip(f"the oracle's stub provider needs the test extra (grpcio, tf; Python 3.11+): {e}")
    try:
        return ensure()
    except OracleUnavailable as e:
        pytest.skip(f"provider-schema oracle unavailable: {e}")


def _module(path: Path, text: str) -> Path:
    path.mkdir(parents=True, exist_ok=True)
    (path / "main.tf").write_text(text)
    return path


def test_the_mirror_offers_every_major_version(oracle: Cache) -> None:
    majors = {v.split(".")[0] for v in oracle.versions("aws")}
    assert {"3", "4", "5", "6"} <= majors
    assert oracle.backing("aws", "6.69.1").startswith("aws 6.69.1 (cdktn-provider-aws")
    assert oracle.backing("aws", "4.67.0").startswith("aws 5.99.1 (cdktf-cdktf-provider-aws")
    for name in ("random", "archive", "null", "tls", "local"):
        assert oracle.versions(name), name


def test_a_correct_module_validates(oracle: Cache, tmp_path: Path) -> None:
    result = validate(_module(tmp_path, OK))
    assert result.ok, [str(d) for d in result.diagnostics]
    assert result.diagnostics == []
    assert result.providers == {"hashicorp/aws": "5.99.1", "hashicorp/random": "3.9.1"}


@pytest.mark.parametrize("case", list(CASES))
def test_each_mistake_gives_exactly_its_diagnostic(oracle: Cache, tmp_path: Path, case: str) -> None:
    text, (summary, detail, line) = CASES[case]
    result = validate(_module(tmp_path, text))
    assert not result.ok and result.step == "validate"
    assert [(d.severity, d.summary, d.detail, d.filename, d.line) for d in result.diagnostics] == [
        ("error", summary, detail, "main.tf", line)]


CHILD = 'terraform {{\n  required_providers {{\n    aws = {{ source = "hashicorp/aws", version = "{}" }}\n  }}\n}}\n'
ROOT = ('terraform {{\n  required_providers {{\n    aws = {{ source = "hashicorp/aws", version = "{}" }}\n  }}\n}}\n\n'
        'module "network" {{\n  source = "./modules/network"\n}}\n')


def test_init_fails_when_a_child_module_needs_a_major_the_root_excludes(oracle: Cache, tmp_path: Path) -> None:
    _module(tmp_path / "modules" / "network", CHILD.format("~> 6.0"))
    result = init(_module(tmp_path, ROOT.format("~> 5.0")))
    assert not result.ok and result.step == "init"
    assert "no available releases match the given constraints" in result.message
    assert "~> 5.0, ~> 6.0" in result.message


def test_init_resolves_compatible_constraints(oracle: Cache, tmp_path: Path) -> None:
    _module(tmp_path / "modules" / "network", CHILD.format(">= 4.0"))
    result = init(_module(tmp_path, ROOT.format("~> 5.0")))
    assert result.ok, result.message
    assert result.providers == {"hashicorp/aws": "5.99.1"}
    older = init(_module(tmp_path / "old", ROOT.format("~> 4.0").replace("./modules", "../modules")))
    assert older.ok and older.providers == {"hashicorp/aws": "4.67.0"}


def test_the_module_tree_is_left_as_it_was(oracle: Cache, tmp_path: Path) -> None:
    lock = 'provider "registry.terraform.io/hashicorp/aws" {\n  version = "5.31.0"\n}\n'
    module = _module(tmp_path, OK)
    (module / ".terraform.lock.hcl").write_text(lock)
    assert validate(module).ok  # the lock file pins a version the mirror does not have: set aside
    assert sorted(p.name for p in module.iterdir()) == [".terraform.lock.hcl", "main.tf"]
    assert (module / ".terraform.lock.hcl").read_text() == lock


def test_ephemeral_resources_and_write_only_arguments(oracle: Cache, tmp_path: Path) -> None:
    text = textwrap.dedent("""\
        terraform {
          required_providers {
            aws    = { source = "hashicorp/aws", version = "~> 6.0" }
            random = { source = "hashicorp/random" }
          }
        }

        ephemeral "random_password" "master" {
          length = 24
        }

        resource "aws_db_instance" "orders" {
          engine              = "postgres"
          instance_class      = "db.t4g.small"
          allocated_storage   = 50
          password_wo         = ephemeral.random_password.master.result
          password_wo_version = 1
        }
        """)
    assert validate(_module(tmp_path / "wo", text)).ok
    persisted = validate(_module(tmp_path / "persisted", text.replace("password_wo         =", "password =")))
    assert [d.summary for d in persisted.errors] == ["Invalid use of ephemeral value"]


def test_unavailable_without_the_package_index(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    from .oracle import cache

    monkeypatch.setenv("TFFIX_ORACLE_CACHE", str(tmp_path / "cache"))
    monkeypatch.setenv("PIP_NO_INDEX", "1")  # pip finds nothing and asks no server
    monkeypatch.setenv("PIP_FIND_LINKS", str(tmp_path))
    with pytest.raises(OracleUnavailable, match="cannot download"):
        cache.ensure()
