"""Deployment-aware runs: ``--state`` / ``--plan`` decide what a replacement fix is."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from tffix.app.cli import main
from tffix.app.state import _module_path

MAIN = '''resource "aws_db_instance" "main" {
  count               = 2
  engine              = "postgres"
  instance_class      = "db.t3.micro"
  publicly_accessible = true
}

resource "aws_db_instance" "new" {
  engine         = "postgres"
  instance_class = "db.t3.micro"
}

module "db" {
  source = "./mods/db"
}
'''
VOLUME = 'resource "aws_ebs_volume" "v" {\n  availability_zone = "us-east-1a"\n  size              = 10\n}\n'
SENSITIVE = [[{"type": "get_attr", "value": "password"}]]


def _raw_state() -> dict:
    """A terraform.tfstate (format version 4): main deployed twice, new not at all, the
    volume in module.db; secrets in places a careless reader would print."""
    return {"version": 4, "terraform_version": "1.11.0", "serial": 3, "lineage": "l", "outputs": {
        "pw": {"value": "SECRET-MARKER-OUTPUT", "type": "string", "sensitive": True}},
        "resources": [
            {"mode": "managed", "type": "aws_db_instance", "name": "main", "provider": "p", "instances": [
                {"index_key": 0, "schema_version": 2, "sensitive_attributes": SENSITIVE, "attributes": {
                    "id": "db-1", "publicly_accessible": True, "storage_encrypted": False, "engine": "postgres",
                    "password": "SECRET-MARKER-PASSWORD", "username": "SECRET-MARKER-USER",
                    "tags": {"k": "SECRET-MARKER-TAG"}}},
                {"index_key": 1, "schema_version": 2, "attributes": {"id": "db-2", "publicly_accessible": True}}]},
            {"module": "module.db", "mode": "managed", "type": "aws_ebs_volume", "name": "v", "provider": "p",
             "instances": [{"schema_version": 0, "attributes": {"id": "vol-1", "encrypted": False,
                                                                "kms_key_id": "SECRET-MARKER-KEY"}}]},
        ]}


def _show_state() -> dict:
    """The same as ``terraform show -json`` gives it."""
    return {"format_version": "1.0", "terraform_version": "1.11.0", "values": {"root_module": {
        "resources": [
            {"address": f"aws_db_instance.main[{i}]", "mode": "managed", "type": "aws_db_instance", "name": "main",
             "index": i, "provider_name": "registry.terraform.io/hashicorp/aws", "schema_version": 2,
             "values": {"publicly_accessible": True, "storage_encrypted": False,
                        "password": "SECRET-MARKER-PASSWORD"},
             "sensitive_values": {"password": True}} for i in (0, 1)],
        "child_modules": [{"address": "module.db", "resources": [
            {"address": "module.db.aws_ebs_volume.v", "mode": "managed", "type": "aws_ebs_volume", "name": "v",
             "provider_name": "registry.terraform.io/hashicorp/aws", "schema_version": 0,
             "values": {"encrypted": False, "kms_key_id": "SECRET-MARKER-KEY"}, "sensitive_values": {}}]}],
    }}}


def _plan() -> dict:
    return {"format_version": "1.2", "terraform_version": "1.11.0", "prior_state": _show_state(),
            "planned_values": {}, "resource_changes": [
                {"address": "aws_db_instance.new", "mode": "managed", "type": "aws_db_instance", "name": "new",
                 "change": {"actions": ["create"], "before": None, "after": {"password": "SECRET-MARKER-PLAN"}}}]}


@pytest.fixture
def project(tmp_path: Path) -> Path:
    (tmp_path / "mods" / "db").mkdir(parents=True)
    (tmp_path / "main.tf").write_text(MAIN)
    (tmp_path / "mods" / "db" / "main.tf").write_text(VOLUME)
    return tmp_path


def _tffix(*args: str):
    return CliRunner().invoke(main, list(args), catch_exceptions=False)


@pytest.mark.parametrize("kind", ["raw", "show", "plan"])
def test_replacement_of_what_is_not_deployed_is_safe(project: Path, kind: str) -> None:
    data = {"raw": _raw_state, "show": _show_state, "plan": _plan}[kind]()
    (project / "state.json").write_text(json.dumps(data))
    option = "--plan" if kind == "plan" else "--state"
    result = _tffix("--select", "TFX101,TFX103", option, str(project / "state.json"), str(project))
    # plain tffix (safe fixes only) encrypts the database that does not exist yet, nothing else
    text = (project / "main.tf").read_text()
    new = text[text.index('"new"'):]
    assert "storage_encrypted = true" in new and "storage_encrypted" not in text[:text.index('"new"')]
    assert "encrypted" not in (project / "mods/db/main.tf").read_text().replace("availability_zone", "")
    out = result.output
    assert "would replace the live aws_db_instance.main, 2 instances" in out
    assert "would replace the live module.db.aws_ebs_volume.v, 1 instance" in out
    assert "(encrypted is false in the state)" in out


def test_without_a_state_the_replacement_fix_stays_unsafe(project: Path) -> None:
    _tffix("--select", "TFX101", str(project))
    assert "storage_encrypted" not in (project / "main.tf").read_text()


def test_in_place_findings_say_the_live_value(project: Path) -> None:
    (project / "state.json").write_text(json.dumps(_raw_state()))
    out = _tffix("--check", "--select", "TFX201", "--state", str(project / "state.json"), str(project)).output
    assert "aws_db_instance.main is publicly accessible (publicly_accessible is true in the state)" in out


@pytest.mark.parametrize("fmt", ["text", "json", "sarif"])
@pytest.mark.parametrize("mode", ["--check", "--dry-run", "--show-fixes"])
@pytest.mark.parametrize("kind", ["raw", "show", "plan"])
def test_no_state_value_but_booleans_and_enums_reaches_any_output(project: Path, fmt: str, mode: str,
                                                                   kind: str) -> None:
    data = {"raw": _raw_state, "show": _show_state, "plan": _plan}[kind]()
    (project / "s.json").write_text(json.dumps(data))
    option = "--plan" if kind == "plan" else "--state"
    result = CliRunner().invoke(main, ["--unsafe-fixes", "--format", fmt, mode, option, str(project / "s.json"),
                                       str(project)], catch_exceptions=False)
    if mode == "--check" or fmt == "json":  # diffs and SARIF after fixing list only what remains
        assert "would replace the live" in result.output  # the state was read
    assert "SECRET-MARKER" not in result.output
    assert "db-1" not in result.output and "vol-1" not in result.output


def test_the_config_file_names_the_state(project: Path) -> None:
    (project / "state.json").write_text(json.dumps(_raw_state()))
    (project / ".tffix.toml").write_text('state = "state.json"\n')
    out = _tffix("--check", "--select", "TFX101", str(project)).output
    assert "would replace the live aws_db_instance.main, 2 instances" in out
    assert "not deployed" in out


def test_one_state_per_root_module(tmp_path: Path) -> None:
    for name in ("prod", "dev"):
        (tmp_path / name).mkdir()
        (tmp_path / name / "main.tf").write_text('resource "aws_ebs_volume" "v" {\n  size = 1\n}\n')
    deployed = {"version": 4, "resources": [{"mode": "managed", "type": "aws_ebs_volume", "name": "v",
                                             "instances": [{"attributes": {"encrypted": False}}]}]}
    (tmp_path / "prod.json").write_text(json.dumps(deployed))
    (tmp_path / "dev.json").write_text(json.dumps({"version": 4, "resources": []}))
    out = _tffix("--check", "--select", "TFX103", "--state", f"{tmp_path / 'prod'}={tmp_path / 'prod.json'}",
                 "--state", f"{tmp_path / 'dev'}={tmp_path / 'dev.json'}", str(tmp_path / "prod"),
                 str(tmp_path / "dev")).output
    assert "prod/main.tf:1:1: TFX103" in out and "would replace the live aws_ebs_volume.v, 1 instance" in out
    assert "dev/main.tf:1:1: TFX103 [*]" in out and "not deployed" in out
    bare = _tffix("--check", "--state", str(tmp_path / "prod.json"), str(tmp_path / "prod"), str(tmp_path / "dev"))
    assert bare.exit_code == 2 and "name the root module of each state" in bare.output


@pytest.mark.parametrize(("content", "message"), [
    (None, "cannot read the state or plan"),
    ("{not json", "not a Terraform state or plan (not JSON"),
    ("[1, 2]", "not a Terraform state or plan (JSON list)"),
    ('{"version": 3, "modules": []}', "state format version 3 is not supported"),
    ('{"version": 4, "resources": [{"mode": "managed", "type": "aws_s3_bucket", "name": "other", "instances": []}]}',
     "names resources the code under"),
    ('{"version": 4, "resources": [{"mode": "managed"}]}', "unexpected content"),
    ('{"hello": 1}', "expected `terraform show -json` output"),
])
def test_a_state_that_cannot_be_used_is_a_clear_error(project: Path, content: str | None, message: str) -> None:
    path = project / "state.json"
    if content is not None:
        path.write_text(content)
    result = CliRunner().invoke(main, ["--check", "--state", str(path), str(project)])
    assert result.exit_code == 2, result.output
    assert message in result.output and "Traceback" not in result.output
    assert result.exception is None or isinstance(result.exception, SystemExit)


def test_module_paths_drop_instance_keys() -> None:
    assert _module_path('module.a["k.]x"].module.b[0].aws_s3_bucket.c') == ("a", "b")
    assert _module_path("module.db") == ("db",)
    assert _module_path("aws_s3_bucket.c[0]") == ()


# States and a plan written by terraform itself (tests/oracle/make_state_fixtures.py): the
# code in applied/ was applied; changed/ is that code after three edits, planned against it.
REAL = Path(__file__).parent / "fixtures" / "state"
NEW_VOLUME = '\nresource "aws_ebs_volume" "new" {\n  availability_zone = "eu-west-1a"\n  size              = 1\n}\n'


def _copy(tmp_path: Path, name: str) -> Path:
    import shutil

    root = tmp_path / name
    shutil.copytree(REAL / name, root)
    with (root / "main.tf").open("a") as f:
        f.write(NEW_VOLUME)  # a resource the state does not have
    return root


def _same_secrets(root: Path, option: str, path: Path) -> None:
    """The markers are in the code too (a literal password, a variable's default), so
    an output may show them as code; the state or plan must add none."""
    assert all(f"SECRET-MARKER-{i}" in path.read_text() for i in (1, 2, 3))  # the file holds them all
    for fmt in ("text", "json", "sarif"):
        for mode in ("--check", "--dry-run"):
            base = _tffix(mode, "--unsafe-fixes", "--format", fmt, str(root)).output
            seen = _tffix(mode, "--unsafe-fixes", "--format", fmt, option, str(path), str(root)).output
            for marker in ("SECRET-MARKER-1", "SECRET-MARKER-2", "SECRET-MARKER-3"):
                assert seen.count(marker) == base.count(marker), (fmt, mode, marker)
            assert "would replace the live" in seen or fmt != "json" or mode != "--check" or option == "--plan"


@pytest.mark.parametrize("state", ["show-state.json", "terraform.tfstate"])
def test_a_real_state(tmp_path: Path, state: str) -> None:
    root = _copy(tmp_path, "applied")
    out = _tffix("--check", "--select", "TFX101,TFX103", "--state", str(REAL / state), str(root)).output
    assert "TFX101 [unsafe fix] aws_db_instance.main does not set storage_encrypted" not in out  # it sets false
    assert "would replace the live aws_db_instance.main, 2 instances" in out
    assert "TFX103 [*] aws_ebs_volume.new does not set encrypted" in out and "not deployed" in out
    _same_secrets(root, "--state", REAL / state)


def test_a_real_plan(tmp_path: Path) -> None:
    root = _copy(tmp_path, "changed")
    _tffix("--select", "TFX103", "--plan", str(REAL / "show-plan.json"), str(root))
    assert "encrypted         = true" in (root / "main.tf").read_text().split('"new"')[1]  # safe: not deployed
    _same_secrets(root, "--plan", REAL / "show-plan.json")


def test_a_plan_of_other_code_is_refused(tmp_path: Path) -> None:
    root = _copy(tmp_path, "applied")  # the plan adds aws_ebs_volume.scratch, which this code does not have
    result = CliRunner().invoke(main, ["--check", "--plan", str(REAL / "show-plan.json"), str(root)])
    assert result.exit_code == 2 and "aws_ebs_volume.scratch" in result.output


# An expression a rule cannot read: the state may decide how it is reported, never what is written.
EXPRESSION = '''variable "public" {
  type = bool
}

resource "aws_db_instance" "main" {
  count                   = 2
  engine                  = "postgres"
  instance_class          = "db.t3.micro"
  publicly_accessible     = var.public
  storage_encrypted       = true
  backup_retention_period = var.days
}
'''


def _expression_state(public: list[bool], days: list[int] | None = None) -> dict:
    days = days or [7] * len(public)
    return {"version": 4, "resources": [{"mode": "managed", "type": "aws_db_instance", "name": "main", "instances": [
        {"index_key": i, "attributes": {"publicly_accessible": p, "backup_retention_period": d,
                                        "password": "SECRET-MARKER-EXPR"}}
        for i, (p, d) in enumerate(zip(public, days))]}]}


def _expression_run(tmp_path: Path, state: dict | None, *extra: str):
    (tmp_path / "main.tf").write_text(EXPRESSION)
    args = ["--check", "--select", "TFX201,TFX710", *extra]
    if state is not None:
        (tmp_path / "state.json").write_text(json.dumps(state))
        args += ["--state", str(tmp_path / "state.json")]
    return _tffix(*args, str(tmp_path))


def test_an_expression_the_state_shows_harmless_is_a_note(tmp_path: Path) -> None:
    out = _expression_run(tmp_path, _expression_state([False, False])).output
    assert ("sets publicly_accessible from an expression; make sure it is false (var.public is false in every "
            "deployed instance of aws_db_instance.main in this state: a note, since other deployments of this code "
            "may differ)") in out
    sarif = json.loads(_expression_run(tmp_path, _expression_state([False, False]), "--format", "sarif").output)
    levels = {r["message"]["text"].split(" sets ")[1].split(" ")[0]: r["level"] for r in sarif["runs"][0]["results"]}
    assert levels == {"publicly_accessible": "note", "backup_retention_period": "note"}  # 7 days: enough
    records = json.loads(_expression_run(tmp_path, _expression_state([False, False]), "--format", "json").output)
    assert {r.get("severity") for r in records["findings"]} == {"note"}
    assert (tmp_path / "main.tf").read_text() == EXPRESSION  # never a literal from the state


def test_an_expression_the_state_shows_unsafe_says_so(tmp_path: Path) -> None:
    out = _expression_run(tmp_path, _expression_state([True, True], [1, 1])).output
    assert "(var.public is true in every deployed instance of aws_db_instance.main: unsafe in this deployment " \
           "today)" in out
    assert "(var.days is 1 in every deployed instance of aws_db_instance.main: unsafe" in out
    sarif = json.loads(_expression_run(tmp_path, _expression_state([True, True]), "--format", "sarif").output)
    assert {r["level"] for r in sarif["runs"][0]["results"]
            if "publicly_accessible" in r["message"]["text"]} == {"warning"}
    assert "SECRET-MARKER" not in out


def test_instances_that_differ_decide_nothing(tmp_path: Path) -> None:
    out = _expression_run(tmp_path, _expression_state([False, True])).output
    assert "(var.public differs between the 2 deployed instances of aws_db_instance.main)" in out
    sarif = json.loads(_expression_run(tmp_path, _expression_state([False, True]), "--format", "sarif").output)
    assert {r["level"] for r in sarif["runs"][0]["results"]
            if "publicly_accessible" in r["message"]["text"]} == {"warning"}


def test_without_a_state_an_expression_is_reported_as_before(tmp_path: Path) -> None:
    out = _expression_run(tmp_path, None).output
    line = next(ln for ln in out.splitlines() if "publicly_accessible" in ln)
    assert line.endswith("sets publicly_accessible from an expression; make sure it is false")
    sarif = json.loads(_expression_run(tmp_path, None, "--format", "sarif").output)
    assert {r["level"] for r in sarif["runs"][0]["results"]} == {"warning"}
    records = json.loads(_expression_run(tmp_path, None, "--format", "json").output)
    assert all("severity" not in r for r in records["findings"])


def test_not_deployed_an_expression_is_reported_as_before(tmp_path: Path) -> None:
    out = _expression_run(tmp_path, {"version": 4, "resources": []}).output
    line = next(ln for ln in out.splitlines() if "publicly_accessible" in ln)
    assert line.endswith("make sure it is false")


@pytest.mark.parametrize(("rule", "code", "values", "note"), [
    ("TFX202", 'resource "aws_lambda_function_url" "u" {\n  function_name      = "f"\n'
               '  authorization_type = var.auth\n}\n', {"authorization_type": "AWS_IAM"}, True),
    ("TFX202", 'resource "aws_lambda_function_url" "u" {\n  function_name      = "f"\n'
               '  authorization_type = var.auth\n}\n', {"authorization_type": "NONE"}, False),
    ("TFX712", 'resource "aws_db_instance" "u" {\n  engine         = var.engine\n  instance_class = "db.t3.micro"\n}\n',
     {"engine": "sqlserver-ex"}, True),
    ("TFX712", 'resource "aws_db_instance" "u" {\n  engine         = var.engine\n  instance_class = "db.t3.micro"\n}\n',
     {"engine": "postgres"}, False),
])
def test_every_rule_reporting_an_expression_reads_the_state(tmp_path: Path, rule: str, code: str, values: dict,
                                                            note: bool) -> None:
    (tmp_path / "main.tf").write_text(code)
    type_, name = code.split('"')[1], code.split('"')[3]
    state = {"version": 4, "resources": [{"mode": "managed", "type": type_, "name": name,
                                          "instances": [{"attributes": values}]}]}
    (tmp_path / "s.json").write_text(json.dumps(state))
    sarif = json.loads(_tffix("--check", "--select", rule, "--format", "sarif", "--state", str(tmp_path / "s.json"),
                              str(tmp_path)).output)
    (result,) = sarif["runs"][0]["results"]
    assert result["level"] == ("note" if note else "warning")
    assert ("a note, since other deployments" in result["message"]["text"]) is note
    assert ("unsafe in this deployment today" in result["message"]["text"]) is not note
    assert (tmp_path / "main.tf").read_text() == code
