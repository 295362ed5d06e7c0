"""terraform apply, plan and show offline against the oracle's stub provider
(tests/oracle/deploy.py), and the state/plan fixtures it made
(tests/fixtures/state/, tests/oracle/make_state_fixtures.py).

terraform itself runs here: the state and plan JSON are terraform's, only the
infrastructure is fake. The checks: a replacement where the real provider
forces one (ForceNew, per argument), an update in place where it does not, a
create for what is not deployed, no change at all when the code is what was
applied, and the committed fixtures equal to a fresh run.
"""

from __future__ import annotations

import json
import shutil
import textwrap
from pathlib import Path
from types import ModuleType

import pytest

from .oracle.cache import Cache
from .test_oracle import oracle  # noqa: F401 - the session fixture

FIXTURES = Path(__file__).resolve().parent / "fixtures" / "state"
SECRETS = ("SECRET-MARKER-1", "SECRET-MARKER-2", "SECRET-MARKER-3")


@pytest.fixture(scope="module")
def deployer(oracle: Cache) -> ModuleType:  # noqa: F811 - the deploy module, once the oracle is there
    pytest.importorskip("msgpack", reason="the stub provider's plan/apply needs msgpack (the test extra)")
    from .oracle import deploy

    return deploy


def _actions(plan: dict) -> dict[str, list[str]]:
    return {rc["address"]: rc["change"]["actions"] for rc in plan["resource_changes"]}


def _replace_paths(plan: dict) -> dict[str, list]:
    return {rc["address"]: rc["change"].get("replace_paths") for rc in plan["resource_changes"]
            if rc["change"].get("replace_paths")}


def _copy(source: Path, target: Path) -> Path:
    for path in source.rglob("*.tf"):
        (target / path.relative_to(source)).parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(path, target / path.relative_to(source))
    return target


@pytest.fixture(scope="module")
def fixture_run(deployer: ModuleType, tmp_path_factory: pytest.TempPathFactory) -> dict:
    """The fixture modules run afresh: apply applied/, plan it again, plan changed/."""
    work = _copy(FIXTURES / "applied", tmp_path_factory.mktemp("deploy") / "root")
    with deployer.session(work) as tf:
        state_file = tf.apply()
        run = {"raw_state": json.loads(state_file.read_text()), "state": tf.show(), "replan": tf.plan("again")}
    for path in work.rglob("*.tf"):
        path.unlink()
    _copy(FIXTURES / "changed", work)
    with deployer.session(work) as tf:
        run["plan"] = tf.plan()
    return run


def test_apply_writes_a_version_4_state_of_every_instance(fixture_run: dict) -> None:
    raw = fixture_run["raw_state"]
    assert raw["version"] == 4
    instances = [(r.get("module", ""), r["mode"], r["type"], r["name"], i.get("index_key"))
                 for r in raw["resources"] for i in r["instances"]]
    assert len(instances) == 8  # 2 data sources, main[0..1], logs["access"/"audit"], the parameter, module.db
    assert ("", "managed", "aws_db_instance", "main", 0) in instances
    assert ("", "managed", "aws_db_instance", "main", 1) in instances
    assert ("", "managed", "aws_s3_bucket", "logs", "access") in instances
    assert ("", "managed", "aws_s3_bucket", "logs", "audit") in instances
    assert ("module.db", "managed", "aws_db_instance", "this", None) in instances
    assert ("", "data", "aws_caller_identity", "current", None) in instances
    db = next(r for r in raw["resources"] if r["type"] == "aws_db_instance" and r["name"] == "main")
    attributes = db["instances"][1]["attributes"]
    # computed attributes filled at apply: a fake id and arn, the region, tags_all from default_tags
    assert attributes["id"].startswith("db-") and attributes["arn"] == "arn:aws:rds:eu-west-1:123456789012:db:orders-1"
    assert attributes["region"] == "eu-west-1" and attributes["tags_all"] == {"team": "orders"}
    assert attributes["storage_encrypted"] is False and attributes["password"] == "SECRET-MARKER-1"
    bucket = next(r for r in raw["resources"] if r["type"] == "aws_s3_bucket")
    assert bucket["instances"][0]["attributes"]["bucket"] == "orders-access-123456789012"  # the data source's account


def test_the_state_holds_the_marked_secrets(fixture_run: dict) -> None:
    raw, shown, plan = (json.dumps(fixture_run[k]) for k in ("raw_state", "state", "plan"))
    for marker in SECRETS:
        assert marker in raw and marker in shown and marker in plan, marker


def test_planning_the_applied_code_changes_nothing(fixture_run: dict) -> None:
    actions = _actions(fixture_run["replan"])
    assert len(actions) == 6
    assert set(map(tuple, actions.values())) == {("no-op",)}


def test_plan_of_the_changed_code(fixture_run: dict) -> None:
    plan = fixture_run["plan"]
    assert _actions(plan) == {
        "aws_db_instance.main[0]": ["delete", "create"],  # storage_encrypted false -> true: ForceNew
        "aws_db_instance.main[1]": ["delete", "create"],
        "aws_ebs_volume.scratch": ["create"],  # not deployed
        'aws_s3_bucket.logs["access"]': ["no-op"],
        'aws_s3_bucket.logs["audit"]': ["no-op"],
        "aws_ssm_parameter.api_token": ["no-op"],
        "module.db.aws_db_instance.this": ["update"],  # publicly_accessible true -> false: in place
    }
    assert _replace_paths(plan) == {"aws_db_instance.main[0]": [["storage_encrypted"]],
                                    "aws_db_instance.main[1]": [["storage_encrypted"]]}
    update = next(rc for rc in plan["resource_changes"] if rc["address"] == "module.db.aws_db_instance.this")
    assert update["change"]["before"]["publicly_accessible"] is True
    assert update["change"]["after"]["publicly_accessible"] is False
    assert update["change"]["after"]["id"] == update["change"]["before"]["id"]


def _comparable_state(state: dict) -> list:
    return sorted(([r.get("module", ""), r["mode"], r["type"], r["name"], i.get("index_key"),
                    json.dumps(i["attributes"], sort_keys=True)]
                   for r in state["resources"] for i in r["instances"]), key=json.dumps)


def _comparable_plan(plan: dict) -> list:
    return [(rc["address"], rc["change"]["actions"], rc["change"].get("replace_paths"),
             json.dumps(rc["change"]["before"], sort_keys=True), json.dumps(rc["change"]["after"], sort_keys=True))
            for rc in plan["resource_changes"]]


def test_the_committed_fixtures_are_what_terraform_makes(fixture_run: dict) -> None:
    """Regenerate with ``python -m tests.oracle.make_state_fixtures`` when this fails."""
    raw = json.loads((FIXTURES / "terraform.tfstate").read_text())
    assert _comparable_state(raw) == _comparable_state(fixture_run["raw_state"])
    assert raw["outputs"] == fixture_run["raw_state"]["outputs"]
    shown = json.loads((FIXTURES / "show-state.json").read_text())
    assert shown["values"] == fixture_run["state"]["values"]
    plan = json.loads((FIXTURES / "show-plan.json").read_text())
    assert _comparable_plan(plan) == _comparable_plan(fixture_run["plan"])
    assert plan["prior_state"]["values"] == fixture_run["plan"]["prior_state"]["values"]


FORCE_NEW_MODULE = textwrap.dedent("""\
    terraform {
      required_providers {
        aws = { source = "hashicorp/aws", version = "~> 6.0" }
      }
    }

    provider "aws" {
      region = "us-east-1"
    }

    variable "changed" {
      type    = bool
      default = false
    }

    resource "aws_instance" "web" {
      ami           = "ami-0123456789abcdef0"
      instance_type = "t3.micro"
      root_block_device {
        encrypted = var.changed
      }
    }

    resource "aws_ebs_volume" "data" {
      availability_zone = "us-east-1a"
      size              = 10
      encrypted         = var.changed
    }

    resource "aws_rds_cluster" "main" {
      cluster_identifier  = "orders"
      engine              = "aurora-postgresql"
      master_username     = "orders"
      master_password     = "SECRET-MARKER-9"
      storage_encrypted   = var.changed
      skip_final_snapshot = true
    }

    resource "aws_db_instance" "kms" {
      identifier     = "kms"
      instance_class = "db.t4g.micro"
      kms_key_id     = "arn:aws:kms:us-east-1:123456789012:key/${var.changed ? "b" : "a"}"
    }

    resource "aws_db_instance" "subnets" {
      identifier           = "subnets"
      instance_class       = "db.t4g.micro"
      db_subnet_group_name = var.changed ? "private" : "public"
    }

    resource "aws_rds_cluster" "subnets" {
      cluster_identifier   = "subnets"
      engine               = "aurora-mysql"
      db_subnet_group_name = var.changed ? "private" : "public"
    }
    """)


def test_each_force_new_argument_replaces_and_the_others_update(deployer: ModuleType, tmp_path: Path) -> None:
    (tmp_path / "main.tf").write_text(FORCE_NEW_MODULE)
    with deployer.session(tmp_path) as tf:
        tf.apply()
        plan = tf.plan("tfplan", "-var=changed=true")
    assert _actions(plan) == {
        "aws_instance.web": ["delete", "create"],
        "aws_ebs_volume.data": ["delete", "create"],
        "aws_rds_cluster.main": ["delete", "create"],
        "aws_db_instance.kms": ["delete", "create"],
        "aws_db_instance.subnets": ["update"],  # ResourceInstance: db_subnet_group_name is not ForceNew
        "aws_rds_cluster.subnets": ["delete", "create"],  # resourceCluster: it is
    }
    assert _replace_paths(plan) == {
        "aws_instance.web": [["root_block_device", 0, "encrypted"]],
        "aws_ebs_volume.data": [["encrypted"]],
        "aws_rds_cluster.main": [["storage_encrypted"]],
        "aws_db_instance.kms": [["kms_key_id"]],
        "aws_rds_cluster.subnets": [["db_subnet_group_name"]],
    }


def test_the_aws_5_schema_gets_ids_and_no_perpetual_diff(deployer: ModuleType, tmp_path: Path) -> None:
    """The 5.x schema does not mark ``id`` computed: the stub answers as the SDK
    does (legacy type system) so ids are still filled and kept."""
    (tmp_path / "main.tf").write_text(textwrap.dedent("""\
        terraform {
          required_providers {
            aws = { source = "hashicorp/aws", version = "~> 5.0" }
          }
        }

        variable "encrypted" {
          type    = bool
          default = false
        }

        resource "aws_db_instance" "main" {
          identifier        = "orders"
          instance_class    = "db.t4g.micro"
          storage_encrypted = var.encrypted
        }

        output "id" {
          value = aws_db_instance.main.id
        }
        """))
    with deployer.session(tmp_path) as tf:
        tf.apply()
        state = tf.show()
        assert state["values"]["outputs"]["id"]["value"].startswith("db-")
        assert _actions(tf.plan("same")) == {"aws_db_instance.main": ["no-op"]}
        changed = tf.plan("changed", "-var=encrypted=true")
    assert _actions(changed) == {"aws_db_instance.main": ["delete", "create"]}


# ---- the stub's value handling, without terraform ----------------------------------------


@pytest.fixture
def stub() -> ModuleType:
    pytest.importorskip("msgpack", reason="the stub provider's plan/apply needs msgpack (the test extra)")
    from .oracle import stub

    return stub


def test_unknown_values_survive_a_round_trip_byte_for_byte(stub: ModuleType) -> None:
    refined = b"\xc7\x03\x0c\x81\x01\xc3"  # extension 12: an unknown with a refinement (not null)
    raw = b"\x82\xa2id\xd4\x00\x00\xa4tags" + refined
    value = stub.unpack(raw)
    assert isinstance(value["id"], stub.Unknown) and isinstance(value["tags"], stub.Unknown)
    assert stub.pack(value) == raw
    assert stub.unpack(stub.pack({"n": 1.5, "s": [1, "x"], "b": b"\x01"})) == {"n": 1.5, "s": [1, "x"], "b": b"\x01"}


def test_replace_paths_follow_list_and_set_blocks(stub: ModuleType) -> None:
    block = {"attributes": {"subnet_id": {"type": "string", "optional": True}},
             "block_types": {
                 "root_block_device": {"nesting_mode": "list", "block": {
                     "attributes": {"encrypted": {"type": "bool", "optional": True}}}},
                 "ebs_block_device": {"nesting_mode": "set", "block": {
                     "attributes": {"encrypted": {"type": "bool", "optional": True},
                                    "device_name": {"type": "string", "required": True}}}}}}
    prior = {"subnet_id": "a", "root_block_device": [{"encrypted": False}],
             "ebs_block_device": [{"encrypted": False, "device_name": "/dev/sdb"}]}
    assert stub.replace_paths("aws_instance", block, prior, prior) == []
    unset = dict(prior, subnet_id=None)  # removed from the code: an SDK provider sees ""
    assert stub.replace_paths("aws_instance", block, dict(prior, subnet_id=""), unset) == []
    planned = {"subnet_id": "a", "root_block_device": [{"encrypted": True}],
               "ebs_block_device": [{"encrypted": True, "device_name": "/dev/sdb"}]}
    assert stub.replace_paths("aws_instance", block, prior, planned) == [
        [("attr", "root_block_device"), ("int", 0), ("attr", "encrypted")], [("attr", "ebs_block_device")]]
    added = dict(prior, root_block_device=[])  # the block added to the code with encrypted = true
    assert stub.replace_paths("aws_instance", block, added, dict(added, root_block_device=[{"encrypted": True}])) == [
        [("attr", "root_block_device"), ("int", 0), ("attr", "encrypted")]]
    assert stub.replace_paths("aws_instance", block, prior, dict(prior, subnet_id=stub.Unknown())) == [
        [("attr", "subnet_id")]]  # unknown may differ: replaced, as the SDK plans it
    assert stub.replace_paths("aws_s3_bucket", block, prior, planned) == []  # no ForceNew facts for it


def test_zero_values_and_unknowns_in_collections(stub: ModuleType) -> None:
    assert [stub.zero_value(t) for t in ("string", "number", "bool", ["list", "string"], ["map", "string"],
                                         ["object", {}], "dynamic")] == ["", 0, False, [], {}, None, None]
    assert stub._known(["a", stub.Unknown()], ["list", "string"]) == ["a", ""]
    assert stub._known({"k": stub.Unknown()}, ["map", "number"]) == {"k": 0}
