"""``tffix verify`` and ``tffix pr --verify-plan``: the fixes checked against terraform plan.

End to end: terraform (from PATH) plans a root module that was initialized and applied
offline with the oracle's stub provider (tests/oracle/deploy.py): some resources are
deployed, one is not, and the fixes have all three impacts. The failures (terraform
missing, a plan that fails, a timeout) use no provider.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import textwrap
from pathlib import Path

import pytest
from click.testing import CliRunner

from tffix.app.cli import main
from tffix.engine import engine as engine_module
from tffix.engine.rules import IMPACT_IN_PLACE, IMPACT_REPLACE

from .test_oracle import oracle  # noqa: F401 - the session fixture

SECRET = "SECRET-MARKER-VERIFY"
PROVIDERS = '''terraform {
  required_providers {
    aws = {
      source  = "hashicorp/aws"
      version = "~> 6.0"
    }
  }
}

provider "aws" {
  region              = "eu-west-1"
  allowed_account_ids = ["123456789012"]
}

variable "db_password" {
  type      = string
  sensitive = true
}
'''
# deployed: the database (unencrypted, public), the role policy, the parameter
DEPLOYED = '''
resource "aws_db_instance" "main" {
  identifier          = "orders"
  engine              = "postgres"
  instance_class      = "db.t4g.micro"
  allocated_storage   = 20
  username            = "orders"
  password            = var.db_password
  storage_encrypted   = false
  publicly_accessible = true
  skip_final_snapshot = true
}

resource "aws_iam_role_policy" "app" {
  role = "app"
  policy = jsonencode({
    Statement = [{
      Effect   = "Allow"
      Action   = "sns:Publish"
      Resource = "arn:aws:sns:eu-west-1:123456789012:alerts"
    }]
  })
}

resource "aws_ssm_parameter" "mode" {
  name  = "/orders/mode"
  type  = "String"
  value = "%s"
}
'''
# not deployed: a volume (its encryption forces replacement of nothing)
NEW = '''
resource "aws_ebs_volume" "scratch" {
  availability_zone = "eu-west-1a"
  size              = 1
}
'''
# one fix of each impact: TFX101 forces replacement (deployed), TFX103 forces replacement
# (not deployed), TFX201 in place, TFX311 none
RULES = "TFX101,TFX103,TFX201,TFX311"


def _tffix(*args: str):
    return CliRunner().invoke(main, list(args))


@pytest.fixture(scope="module")
def deployed(oracle, tmp_path_factory: pytest.TempPathFactory) -> Path:  # noqa: F811
    """A root module, initialized (.terraform in it) and applied with the stub provider;
    then changed: a pending update of the parameter, and a volume that is not deployed."""
    pytest.importorskip("msgpack", reason="the stub provider's plan/apply needs msgpack (the test extra)")
    from .oracle.terraform import TERRAFORM, _environment

    root = tmp_path_factory.mktemp("verify") / "root"
    root.mkdir()
    (root / "main.tf").write_text(PROVIDERS + DEPLOYED % "blue")
    (root / "terraform.tfvars").write_text(f'db_password = "{SECRET}"\n')
    env = _environment(oracle, str(root / ".terraform"))
    for args in (["init", "-input=false", "-no-color"], ["apply", "-auto-approve", "-input=false", "-no-color"]):
        proc = subprocess.run([TERRAFORM, f"-chdir={root}", *args], env=env, capture_output=True, text=True,
                              timeout=300, check=False)
        assert proc.returncode == 0, proc.stderr[-2000:]
    # the code moves on: the parameter's value changes (a pending update no fix makes), a new volume
    (root / "main.tf").write_text(PROVIDERS + DEPLOYED % "green" + NEW)
    return root


@pytest.fixture
def root(deployed: Path, tmp_path: Path) -> Path:
    """A fresh copy of the deployed root (its own files; the same .terraform, state and tfvars)."""
    copy = tmp_path / "root"
    shutil.copytree(deployed, copy, symlinks=True)
    return copy


def _files(root: Path) -> dict[str, bytes]:
    return {str(p.relative_to(root)): p.read_bytes() for p in sorted(root.rglob("*")) if p.is_file()
            and ".terraform/" not in str(p.relative_to(root)) + "/"}


def test_honest_fixes_are_verified_and_written(root: Path) -> None:
    state = (root / "terraform.tfstate").read_bytes()
    result = _tffix("verify", "--unsafe-fixes", "--select", RULES, str(root))
    out = result.output
    assert result.exit_code == 0, out
    # before: the volume to add, the parameter to change; after: the database replaced too
    assert "plan before the fixes: 1 to add, 1 to change, 0 to destroy; " \
           "after the verified fixes: 2 to add, 1 to change, 1 to destroy" in out
    rows = {line.split("|")[1].strip(" `"): line for line in out.splitlines() if line.startswith("| `")}
    assert "replace (storage_encrypted)" in rows["aws_db_instance.main"]
    assert "TFX101 (forces replacement)" in rows["aws_db_instance.main"]
    assert "TFX201 (in-place update)" in rows["aws_db_instance.main"]
    assert rows["aws_db_instance.main"].rstrip().endswith("| ok: replacement declared |")
    assert "ok: not deployed" in rows["aws_ebs_volume.scratch"]
    assert "TFX311 (none)" in rows["aws_iam_role_policy.app"] and "ok: no new change" in rows["aws_iam_role_policy.app"]
    assert "aws_ssm_parameter.mode" not in rows  # its pending update is not tffix's doing
    assert "Verified 4 fix(es) against the plan, dropped 0; 1 file(s) changed." in out
    text = (root / "main.tf").read_text()
    assert "storage_encrypted   = true" in text and "publicly_accessible = false" in text
    assert "encrypted         = true" in text and "data.aws_caller_identity.current.account_id" in text
    assert (root / "terraform.tfstate").read_bytes() == state  # the state was only read


def test_a_fix_that_lies_about_its_impact_is_dropped(root: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """TFX101's fix declares in-place here: the plan replaces the database, so verify drops
    it, says why, and writes the others."""
    classify = engine_module.classify

    def lying(findings, directory, deployment):
        classify(findings, directory, deployment)
        for f in findings:
            if f.rule_id == "TFX101" and f.fix is not None and f.fix.impact == IMPACT_REPLACE:
                f.fix.impact = IMPACT_IN_PLACE

    monkeypatch.setattr(engine_module, "classify", lying)
    before = (root / "main.tf").read_text()
    result = _tffix("verify", "--unsafe-fixes", "--select", RULES, str(root))
    out = result.output
    assert result.exit_code == 1, out
    assert "Dropped 1 fix(es) the plan contradicts:" in out
    assert ("TFX101 set storage_encrypted = true" in out and "declared in-place update, but the plan replaces "
            "aws_db_instance.main (forced by storage_encrypted)") in out
    assert "round 2" in out  # the others were planned again without it
    assert "after the verified fixes: 1 to add, 2 to change, 0 to destroy" in out
    text = (root / "main.tf").read_text()
    assert "storage_encrypted   = false" in text and "publicly_accessible = false" in text
    assert "Verified 3 fix(es) against the plan, dropped 1" in out
    assert text != before


def test_dry_run_writes_nothing(root: Path) -> None:
    files = _files(root)
    result = _tffix("verify", "--dry-run", "--select", "TFX103", str(root))
    assert result.exit_code == 0, result.output
    assert "+  encrypted         = true" in result.output
    assert _files(root) == files


def test_no_plan_or_state_value_reaches_the_output(root: Path) -> None:
    """The state and plans hold the password (from terraform.tfvars) and the stub's ids and
    ARNs: none of them is printed, only addresses, actions and argument names."""
    state = json.loads((root / "terraform.tfstate").read_text())
    code = (root / "main.tf").read_text()
    ids = [i["attributes"]["id"] for r in state["resources"] for i in r["instances"]]
    ids = [i for i in ids if i and i not in code]  # what only the state knows (a diff may show the code)
    assert SECRET in (root / "terraform.tfstate").read_text() and ids
    for args, shown in ((["--unsafe-fixes", "--dry-run"], "aws_db_instance.main"), (["--dry-run"], "scratch")):
        out = _tffix("verify", "--select", RULES, *args, str(root)).output
        assert shown in out
        assert SECRET not in out and "arn:aws:rds" not in out
        assert not [i for i in ids if i in out]


def _git(root: Path, *args: str) -> None:
    subprocess.run(["git", "-c", "user.name=t", "-c", "user.email=t@example.com", *args], cwd=root, check=True,
                   capture_output=True)


def test_pr_verify_plan_dry_run_shows_the_plan_in_the_body(root: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    (root / ".gitignore").write_text(".terraform/\n*.tfstate\n*.tfvars\n")
    _git(root, "init", "-q")
    _git(root, "add", "-A")
    _git(root, "commit", "-qm", "init")
    monkeypatch.chdir(root)
    result = _tffix("pr", "--verify-plan", "--dry-run", "--unsafe-fixes", "--select", RULES, ".")
    out = result.output
    assert result.exit_code == 0, out
    body = out[out.index("body:"):]
    assert "### Verified against `terraform plan`" in body
    assert "plan before the fixes: 1 to add, 1 to change, 0 to destroy; after the verified fixes: " \
           "2 to add, 1 to change, 1 to destroy" in body
    assert "| `aws_db_instance.main` | no-op | replace (storage_encrypted) |" in body
    assert "tffix: TFX101 db-storage-encrypted" in out or "tffix: TFX101" in out
    assert SECRET not in out


def test_pr_verify_plan_blocks_when_nothing_is_salvaged(root: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    classify = engine_module.classify

    def lying(findings, directory, deployment):
        classify(findings, directory, deployment)
        for f in findings:
            if f.fix is not None:
                f.fix.impact = "none"

    monkeypatch.setattr(engine_module, "classify", lying)
    (root / ".gitignore").write_text(".terraform/\n*.tfstate\n*.tfvars\n")
    _git(root, "init", "-q")
    _git(root, "add", "-A")
    _git(root, "commit", "-qm", "init")
    monkeypatch.chdir(root)
    result = _tffix("pr", "--verify-plan", "--dry-run", "--unsafe-fixes", "--select", "TFX101,TFX201", ".")
    assert result.exit_code == 1, result.output
    assert "blocked by the plan verification: none of the 2 fix(es)" in result.output
    assert "declared none, but the plan replaces aws_db_instance.main" in result.output
    assert "Traceback" not in result.output


# ---- terraform failures: one line, exit 2 ----

def _module(tmp_path: Path, code: str = 'resource "aws_ebs_volume" "v" {\n  size = 1\n}\n') -> Path:
    root = tmp_path / "m"
    (root / ".terraform").mkdir(parents=True)
    (root / "main.tf").write_text(code)
    return root


def _fake_terraform(tmp_path: Path, script: str) -> Path:
    path = tmp_path / "bin" / "terraform"
    path.parent.mkdir()
    path.write_text("#!/bin/sh\n" + textwrap.dedent(script))
    path.chmod(0o755)
    return path


def _one_line_error(result, message: str) -> None:
    assert result.exit_code == 2, result.output
    assert "Traceback" not in result.output and result.exception is None or isinstance(result.exception, SystemExit)
    lines = [ln for ln in result.output.splitlines() if ln.startswith("tffix verify: ") and "plan before" not in ln]
    assert len(lines) == 1 and message in lines[0], result.output


def test_terraform_not_on_path(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PATH", str(tmp_path))
    _one_line_error(_tffix("verify", str(_module(tmp_path))), "terraform not found on PATH")


def test_terraform_given_does_not_exist(tmp_path: Path) -> None:
    _one_line_error(_tffix("verify", "--terraform", str(tmp_path / "nope"), str(_module(tmp_path))),
                    "terraform not found")


def test_not_initialized(tmp_path: Path) -> None:
    root = _module(tmp_path)
    (root / ".terraform").rmdir()
    fake = _fake_terraform(tmp_path, "exit 0\n")
    _one_line_error(_tffix("verify", "--terraform", str(fake), str(root)), "not initialized (no .terraform")


def test_plan_fails(tmp_path: Path) -> None:
    diagnostic = json.dumps({"type": "diagnostic", "diagnostic": {
        "severity": "error", "summary": "Module not installed", "detail": "SECRET-MARKER-DETAIL",
        "range": {"filename": "main.tf", "start": {"line": 3}}}})
    fake = _fake_terraform(tmp_path, f"echo '{diagnostic}'\nexit 1\n")
    result = _tffix("verify", "--terraform", str(fake), str(_module(tmp_path)))
    _one_line_error(result, "before the fixes failed: Module not installed (main.tf:3) (run `terraform init`")
    assert "SECRET-MARKER-DETAIL" not in result.output  # the detail may quote values: never shown


def test_plan_times_out(tmp_path: Path) -> None:
    fake = _fake_terraform(tmp_path, "sleep 30\n")
    _one_line_error(_tffix("verify", "--timeout", "1", "--terraform", str(fake), str(_module(tmp_path))),
                    "timed out after 1 s")


@pytest.mark.skipif(shutil.which("terraform") is None, reason="terraform is not on PATH")
def test_a_real_plan_error(tmp_path: Path) -> None:
    """terraform itself: a reference to a variable that is not declared (no provider needed)."""
    root = _module(tmp_path, 'output "x" {\n  value = var.missing\n}\n')
    result = _tffix("verify", str(root))
    _one_line_error(result, "Reference to undeclared input variable (main.tf:2)")


def test_not_a_directory(tmp_path: Path) -> None:
    result = _tffix("verify", str(tmp_path / "missing"))
    assert result.exit_code == 2 and "not a directory" in result.output


def test_the_user_files_are_untouched_when_terraform_fails(tmp_path: Path) -> None:
    root = _module(tmp_path, 'resource "aws_ebs_volume" "v" {\n  availability_zone = "a"\n  size = 1\n}\n')
    before = (root / "main.tf").read_bytes()
    fake = _fake_terraform(tmp_path, "exit 1\n")
    result = _tffix("verify", "--terraform", str(fake), str(root))
    assert result.exit_code == 2 and (root / "main.tf").read_bytes() == before
    assert not os.listdir(root / ".terraform")


# ---- test-only rules whose fixes do more than they declare ----

def _test_rules(monkeypatch: pytest.MonkeyPatch, *rules: type) -> None:
    from tffix.app import run as run_module

    monkeypatch.setattr(run_module, "RULES", [*run_module.RULES, *rules])
    # runs choose from the rule index: an entry that hands out the test's class
    from tffix.engine.rules import RuleEntry

    class Loaded(RuleEntry):
        def load(self):
            return next(r for r in rules if r.id == self.id)

    entries = [Loaded(r.id, r.__module__, r.__name__, r.default_enabled, tuple(r.options)) for r in rules]
    monkeypatch.setattr(run_module, "ENTRIES", [*run_module.ENTRIES, *entries])


def test_a_change_on_a_resource_no_fix_touched_drops_the_fix(root: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A fix on the provider block (declared: no change) adds default tags: every tagged
    resource gets an update of tags_all although no fix touched it."""
    from tffix import edit
    from tffix.engine.rules import FIX_ALWAYS, IMPACT_NONE, SAFE, Rule
    from tffix.syntax.build import NewBlock

    class DefaultTags(Rule):
        id, name, summary = "TFX998", "test-default-tags", "test only"
        fix_availability, safety, impact = FIX_ALWAYS, SAFE, IMPACT_NONE

        def check(self, module, options):
            for sf in module.files:
                for block in sf.tree.find_blocks("provider", "aws"):
                    if not block.find_blocks("default_tags"):
                        yield self.finding(sf, block, "no default tags", block=block, description="add default_tags",
                                           fix=lambda b=block: edit.append_block(
                                               b, NewBlock("default_tags", body={"tags": {"team": "orders"}})))

    _test_rules(monkeypatch, DefaultTags)
    result = _tffix("verify", "--select", "TFX998,TFX103", str(root))
    out = result.output
    assert result.exit_code == 1, out
    assert "TFX998 add default_tags: the plan now has aws_db_instance.main: update (tags_all), a resource no fix " \
           "touched" in out
    assert "default_tags" not in (root / "main.tf").read_text()
    assert "encrypted         = true" in (root / "main.tf").read_text()  # the honest fix is kept
    assert "Verified 1 fix(es) against the plan, dropped 1" in out


def test_a_fix_that_breaks_the_plan_is_dropped(root: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The plan fails after a fix (a reference to a variable that does not exist): the
    fix of the block the error points at is dropped, the others are kept."""
    from tffix import edit
    from tffix.engine.rules import FIX_ALWAYS, IMPACT_IN_PLACE, SAFE, Rule
    from tffix.syntax.build import HCL

    class Broken(Rule):
        id, name, summary = "TFX997", "test-broken", "test only"
        fix_availability, safety, impact = FIX_ALWAYS, SAFE, IMPACT_IN_PLACE

        def check(self, module, options):
            for sf in module.files:
                for block in sf.tree.find_blocks("resource", "aws_ssm_parameter"):
                    if block.get_attribute("description") is None:
                        yield self.finding(sf, block, "no description", block=block, description="add description",
                                           fix=lambda b=block: edit.set_attribute(b, "description", HCL("var.nope")))

    _test_rules(monkeypatch, Broken)
    result = _tffix("verify", "--unsafe-fixes", "--select", "TFX997,TFX201", str(root))
    out = result.output
    assert result.exit_code == 1, out
    assert "TFX997 add description: terraform plan fails with it: Reference to undeclared input variable " \
           "(main.tf:" in out
    text = (root / "main.tf").read_text()
    assert "var.nope" not in text and "publicly_accessible = false" in text


def test_a_local_module_outside_the_root_is_fixed_and_verified_with_it(oracle, tmp_path: Path) -> None:  # noqa: F811
    """envs/prod calls ../../modules/db: the module is part of prod's configuration, so its
    fixes are made, planned with prod and written; the address is the module's."""
    pytest.importorskip("msgpack", reason="the stub provider's plan/apply needs msgpack (the test extra)")
    from .oracle.terraform import TERRAFORM, _environment

    root, module = tmp_path / "envs" / "prod", tmp_path / "modules" / "db"
    root.mkdir(parents=True)
    module.mkdir(parents=True)
    (module / "main.tf").write_text('variable "name" {\n  type = string\n}\n' + DEPLOYED.split(
        'resource "aws_iam_role_policy"')[0].replace('"orders"\n  engine', 'var.name\n  engine').replace(
        "var.db_password", '"not-in-the-state-only"'))
    (root / "main.tf").write_text(PROVIDERS.split('variable "db_password"')[0]
                                  + 'module "db" {\n  source = "../../modules/db"\n  name   = "billing"\n}\n')
    env = _environment(oracle, str(root / ".terraform"))
    for args in (["init", "-input=false", "-no-color"], ["apply", "-auto-approve", "-input=false", "-no-color"]):
        proc = subprocess.run([TERRAFORM, f"-chdir={root}", *args], env=env, capture_output=True, text=True,
                              timeout=300, check=False)
        assert proc.returncode == 0, proc.stderr[-2000:]
    result = _tffix("verify", "--select", "TFX201", "--unsafe-fixes", str(root))
    out = result.output
    assert result.exit_code == 0, out
    assert "| `module.db.aws_db_instance.main` | no-op | update (publicly_accessible) | TFX201 (in-place update) " \
           "| ok: in-place update declared |" in out
    assert "publicly_accessible = false" in (module / "main.tf").read_text()


# ---- the decision table, on plan entries as terraform writes them (no terraform needed) ----

def _change(actions: list[str], before: dict, after: dict, unknown: dict | None = None,
            replace_paths: list | None = None):
    from tffix.app.verify import plan_changes

    rc = {"address": "aws_db_instance.main", "mode": "managed", "type": "aws_db_instance", "name": "main",
          "change": {"actions": actions, "before": before, "after": after, "after_unknown": unknown or {},
                     "replace_paths": replace_paths or []}}
    return plan_changes({"resource_changes": [rc]})["aws_db_instance.main"]


def _fix(rule: str, impact: str, args: set[str]):
    from tffix.app.verify import Fix, Touch
    from tffix.engine.engine import Record

    return Fix(Record(rule, "main.tf", 1, 1, "m", impact=impact), "/d",
               [Touch("/d", ("resource", "aws_db_instance", "main"), args)])


LIVE = {"id": "db-1", "publicly_accessible": True, "storage_encrypted": False, "tags": {}, "tags_all": {}}


@pytest.mark.parametrize(("after", "fixes", "blamed"), [
    # in place, as declared
    (_change(["update"], LIVE, {**LIVE, "publicly_accessible": False}), [("TFX201", "in-place update",
                                                                          {"publicly_accessible"})], []),
    # declared none, but an update of the argument it changed
    (_change(["update"], LIVE, {**LIVE, "publicly_accessible": False}), [("X", "none", {"publicly_accessible"})],
     ["X"]),
    # an update of an argument no fix changed
    (_change(["update"], LIVE, {**LIVE, "storage_encrypted": True}), [("TFX201", "in-place update",
                                                                       {"publicly_accessible"})], ["TFX201"]),
    # tags cover tags_all; a value only known after apply is the provider's
    (_change(["update"], LIVE, {**LIVE, "tags": {"a": "b"}, "tags_all": {"a": "b"}, "arn": None}, {"arn": True}),
     [("T", "in-place update", {"tags"})], []),
    # a replacement: declared by the fix whose argument forced it; the in-place fix beside it is innocent
    (_change(["delete", "create"], LIVE, {**LIVE, "storage_encrypted": True, "publicly_accessible": False},
             replace_paths=[["storage_encrypted"]]),
     [("TFX101", "forces replacement", {"storage_encrypted"}), ("TFX201", "in-place update",
                                                                 {"publicly_accessible"})], []),
    # ... and blamed on the fix that declared in place for the argument that forced it
    (_change(["delete", "create"], LIVE, {**LIVE, "storage_encrypted": True}, replace_paths=[["storage_encrypted"]]),
     [("L", "in-place update", {"storage_encrypted"}), ("TFX201", "in-place update", {"publicly_accessible"})],
     ["L"]),
    # a deletion needs a declared replacement
    (_change(["delete"], LIVE, {}), [("X", "in-place update", set())], ["X"]),
])
def test_judging_one_resource(after, fixes: list, blamed: list[str], monkeypatch: pytest.MonkeyPatch) -> None:
    import tffix.app.verify as v

    monkeypatch.setattr(v._Tree, "directory", lambda self, module: "/d")  # the fixes' module directory
    before = {"aws_db_instance.main": _change(["no-op"], LIVE, LIVE)}
    rows: list = []
    found = v._compare("root", Path("/d"), before, {after.address: after}, [_fix(*f) for f in fixes], rows)
    assert sorted(f.record.rule_id for f, _ in found) == sorted(blamed)
    assert rows and (rows[0].verdict.startswith("MISMATCH") == bool(blamed))


def test_a_change_the_plan_already_had_is_not_blamed() -> None:
    from tffix.app.verify import _effect

    pending = _change(["update"], LIVE, {**LIVE, "publicly_accessible": False})
    assert _effect(pending, _change(["update"], LIVE, {**LIVE, "publicly_accessible": False})) is None
    effect = _effect(pending, _change(["update"], LIVE, {**LIVE, "publicly_accessible": False, "tags": {"a": "b"}}))
    assert effect is not None and effect.known == {"tags"}  # only what the fixes added
