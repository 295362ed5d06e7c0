"""The provider-schema table the product ships, and the engine's check of every fix
against it (``tffix.transforms.lib.schema``)."""

from __future__ import annotations

import gzip
import json
import subprocess
import sys
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from tffix import edit
from tffix.engine.engine import Options, fix_texts, parse_module_texts
from tffix.engine.rules import SAFE, Rule
from tffix.syntax.build import HCL, NewBlock
from tffix.transforms.lib import schema

ROOT = Path(__file__).resolve().parent.parent
CHECKS = Options(fix_checks=(schema.check_written,))


def _rule(change: Callable, types: tuple[str, ...] = ("aws_sqs_queue",)) -> type[Rule]:
    """A rule that makes ``change`` once to each block of ``types``, as long as the block
    is as it first saw it."""
    first: dict[str, str] = {}

    class Writes(Rule):
        id = "TFX990"
        name = "writes"
        summary = "test rule"
        safety = SAFE

        def check(self, module, options) -> Iterator:
            for ref in module.resources(*types):
                if first.setdefault(ref.address, ref.block.code) == ref.block.code:
                    yield self.finding(ref.file, ref.block, "change it", block=ref.block,
                                       fix=lambda b=ref.block, f=ref.file: change(b, f))

    return Writes


QUEUE = 'resource "aws_sqs_queue" "q" {\n  name = "q"\n}\n'


def _run(change: Callable, text: str = QUEUE, types: tuple[str, ...] = ("aws_sqs_queue",)):
    return fix_texts({"main.tf": text}, [_rule(change, types)], CHECKS)


def _reverted(result) -> str:
    assert not result.fixed and not result.changes, "the fix should have been reverted"
    (error,) = [e for e in result.errors if "TFX990" in e]
    assert "the fix was reverted" in error
    return error


def test_an_argument_the_resource_has_is_written() -> None:
    out, result = _run(lambda b, f: edit.set_attribute(b, "sqs_managed_sse_enabled", True))
    assert result.fixed and not result.errors
    assert "sqs_managed_sse_enabled = true" in out["main.tf"]


def test_an_argument_the_provider_does_not_have_is_reverted() -> None:
    _, result = _run(lambda b, f: edit.set_attribute(b, "encrypted", True))
    error = _reverted(result)
    assert "writes `encrypted`, which aws_sqs_queue does not have in provider 5.99.1" in error
    assert "6.69.1" in error


def test_only_the_versions_the_module_allows_are_checked() -> None:
    # aws_db_instance.name was removed in 5.0; db_name exists in both
    pinned = 'terraform {\n  required_providers {\n    aws = {\n      source  = "hashicorp/aws"\n' \
             '      version = "~> 6.0"\n    }\n  }\n}\n\nresource "aws_db_instance" "d" {\n  engine = "mysql"\n}\n'
    module = parse_module_texts(".", {"main.tf": pinned})
    assert schema.versions_for(module) == ["6.69.1"]
    assert schema.has_argument(module, "aws_db_instance", "db_name")
    assert not schema.has_argument(module, "aws_db_instance", "name")
    assert schema.has_argument(module, "aws_instance", "metadata_options", "http_tokens")
    assert not schema.has_argument(module, "aws_instance", "metadata_options", "nope")
    _, result = _run(lambda b, f: edit.set_attribute(b, "name", "x"), pinned, ("aws_db_instance",))
    error = _reverted(result)
    assert "6.69.1" in error and "5.99.1" not in error


@pytest.mark.parametrize(("constraint", "versions"), [
    (None, ["5.99.1", "6.69.1"]),
    ("~> 5.0", ["5.99.1"]),
    (">= 4.0", ["5.99.1", "6.69.1"]),
    ("~> 4.0", ["5.99.1"]),  # no 4.x table: the oldest answers
    (">= 6.1, < 7", ["6.69.1"]),
])
def test_versions_for_reads_the_aws_constraint(constraint: str | None, versions: list[str]) -> None:
    text = 'provider "aws" {}\n'
    if constraint is not None:
        text = ('terraform {\n  required_providers {\n    aws = {\n      source  = "hashicorp/aws"\n'
                f'      version = "{constraint}"\n    }}\n  }}\n}}\n')
    assert schema.versions_for(parse_module_texts(".", {"main.tf": text})) == versions


def test_an_argument_written_as_a_block_is_reverted() -> None:
    _, result = _run(lambda b, f: edit.append_block(b, NewBlock("name", body={"x": 1})))
    assert "writes `name` as a block" in _reverted(result)


def test_a_block_written_as_an_argument_is_reverted() -> None:
    _, result = _run(lambda b, f: edit.set_attribute(b, "metadata_options", {"http_tokens": "required"}),
                     'resource "aws_instance" "i" {\n  ami = "ami-1"\n}\n', ("aws_instance",))
    assert "writes `metadata_options` as an argument; in provider 5.99.1 it is a block" in _reverted(result)


def test_a_literal_of_the_wrong_type_is_reverted() -> None:
    _, result = _run(lambda b, f: edit.set_attribute(b, "sqs_managed_sse_enabled", "yes"))
    assert "the string 'yes' where the provider takes a bool" in _reverted(result)
    _, result = _run(lambda b, f: edit.set_attribute(b, "delay_seconds", True))
    assert "a bool where the provider takes a number" in _reverted(result)


def test_a_replaced_value_is_type_checked_too() -> None:
    text = 'resource "aws_sqs_queue" "q" {\n  sqs_managed_sse_enabled = false\n}\n'
    _, result = _run(lambda b, f: edit.set_attribute(b, "sqs_managed_sse_enabled", 3), text)
    assert "a number where the provider takes a bool" in _reverted(result)


def test_a_second_single_block_is_reverted() -> None:
    text = 'resource "aws_instance" "i" {\n  ami = "ami-1"\n  metadata_options {\n    http_tokens = "optional"\n  }\n}\n'
    _, result = _run(lambda b, f: edit.append_block(b, NewBlock("metadata_options", body={"http_tokens": "required"})),
                     text, ("aws_instance",))
    assert "writes a second `metadata_options` block; provider 5.99.1 allows 1" in _reverted(result)


def test_a_new_block_without_its_required_arguments_is_reverted() -> None:
    # versioning_configuration requires status
    def add(b, f):
        edit.append_block(f.tree, NewBlock("resource", ["aws_s3_bucket_versioning", "v"],
                                           body={"bucket": HCL("aws_sqs_queue.q.id")}))
    _, result = _run(add)
    error = _reverted(result)
    assert "creates aws_s3_bucket_versioning.v without its required `versioning_configuration`" in error


def test_a_new_resource_of_an_unknown_type_is_reverted() -> None:
    def add(b, f):
        edit.append_block(f.tree, NewBlock("resource", ["aws_sqs_queue_encryption", "e"], body={"queue": 1}))
    assert "creates aws_sqs_queue_encryption.e, a type provider 5.99.1 does not have" in _reverted(_run(add)[1])


def test_conflicting_arguments_are_reverted(monkeypatch: pytest.MonkeyPatch) -> None:
    text = 'resource "aws_sqs_queue" "q" {\n  kms_master_key_id = "alias/k"\n}\n'
    assert "kms_master_key_id" in schema.CONSTRAINTS["aws_sqs_queue"]["sqs_managed_sse_enabled"].conflicts
    _, result = _run(lambda b, f: edit.set_attribute(b, "sqs_managed_sse_enabled", True), text)
    assert "writes `sqs_managed_sse_enabled` beside `kms_master_key_id`, which conflicts with it" in _reverted(result)


def test_an_argument_that_requires_another_is_reverted_without_it() -> None:
    entries = [(t, a, c) for t, args in schema.CONSTRAINTS.items() for a, c in args.items() if c.requires]
    assert entries, "the constraints table has RequiredWith entries"
    type_, argument, constraint = entries[0]
    text = f'resource "{type_}" "r" {{\n}}\n'
    _, result = _run(lambda b, f: edit.set_attribute(b, argument.split(".")[-1], HCL("var.x")), text, (type_,))
    assert f"without `{constraint.requires[0]}`, which it requires" in _reverted(result)


def test_meta_arguments_and_other_providers_are_not_checked() -> None:
    out, result = _run(lambda b, f: edit.set_attribute(b, "count", 1))
    assert result.fixed and "count = 1" in out["main.tf"]
    out, result = _run(lambda b, f: edit.set_attribute(b, "anything", 1),
                       'resource "google_storage_bucket" "b" {\n}\n', ("google_storage_bucket",))
    assert result.fixed


def test_the_table_holds_both_provider_versions() -> None:
    data = json.loads(gzip.decompress((ROOT / "transforms/lib/data/aws_schema.json.gz").read_bytes()))
    assert set(data["versions"]) == set(schema.VERSIONS)
    for version, body in data["versions"].items():
        assert len(body["resource"]) > 1400 and len(body["data"]) > 500, version
        trail = body["resource"]["aws_cloudtrail"]
        assert trail["s3_bucket_name"] == {"type": "string", "required": True}
        assert trail["event_selector"]["block"] == "list"
        assert "arn" not in trail  # computed only: nothing to write


def test_the_table_is_what_the_generator_writes_from_the_oracle_schemas() -> None:
    oracle = pytest.importorskip("tests.oracle.cache", reason="the oracle needs the test extra")
    try:
        oracle.ensure()
    except oracle.OracleUnavailable as exc:
        pytest.skip(f"provider schemas unavailable: {exc}")
    run = subprocess.run([sys.executable, str(ROOT / "tools/gen_schema_table.py"), "--check"],
                         capture_output=True, text=True, cwd=ROOT)
    assert run.returncode == 0, run.stderr


def test_exactly_one_of_a_group() -> None:
    text = 'resource "aws_lambda_function" "f" {\n  image_uri = "x"\n}\n'
    _, result = _run(lambda b, f: edit.set_attribute(b, "filename", "f.zip"), text, ("aws_lambda_function",))
    assert "writes `filename` beside `image_uri`: exactly one of filename, image_uri, s3_bucket" in _reverted(result)

    def add(b, f):
        edit.append_block(f.tree, NewBlock("resource", ["aws_flow_log", "l"], body={"traffic_type": "ALL"}))
    assert "creates aws_flow_log.l without one of eni_id" in _reverted(_run(add)[1])


def test_every_constraint_names_arguments_the_provider_has() -> None:
    for type_, arguments in schema.CONSTRAINTS.items():
        for version in schema.VERSIONS:
            body = schema.block_schema("resource", type_, version)
            assert body is not None, (type_, version)
            for argument, constraint in arguments.items():
                names = {argument, *constraint.conflicts, *constraint.requires, *constraint.one_of}
                missing = {n for n in names if n not in body}
                # arguments added in 6.x (regional NAT gateways, write-only passwords) are absent from 5.99.1
                assert missing <= {"regional_nat_gateway_id", "master_password_wo"}, (type_, version, missing)
                assert constraint.source.startswith("internal/service/"), (type_, argument)


def test_an_argument_set_to_null_is_not_set() -> None:
    text = 'resource "aws_sqs_queue" "q" {\n  kms_master_key_id = null\n}\n'
    out, result = _run(lambda b, f: edit.set_attribute(b, "sqs_managed_sse_enabled", True), text)
    assert result.fixed and not result.errors and "sqs_managed_sse_enabled = true" in out["main.tf"]
