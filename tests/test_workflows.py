"""The pre-commit hooks (run by pre-commit itself) and the GitHub Action."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from pathlib import Path

import pytest
import yaml

from .conftest import ROOT

MISSING = 'resource "aws_db_instance" "a" {\n  engine = "postgres"\n}\n'
FIXED = 'resource "aws_db_instance" "a" {\n  engine              = "postgres"\n  publicly_accessible = false\n}\n'


def _git(*args: str, cwd: Path) -> None:
    env = dict(os.environ, GIT_AUTHOR_NAME="t", GIT_AUTHOR_EMAIL="t@e", GIT_COMMITTER_NAME="t",
               GIT_COMMITTER_EMAIL="t@e")
    subprocess.run(["git", *args], cwd=cwd, check=True, capture_output=True, env=env)


@pytest.fixture(scope="module")
def pre_commit_home(tmp_path_factory: pytest.TempPathFactory) -> Path:
    if shutil.which("pre-commit") is None:
        pytest.skip("pre-commit is not installed")
    return tmp_path_factory.mktemp("pre-commit-home")


def _project(tmp_path: Path) -> Path:
    proj = tmp_path / "proj"
    proj.mkdir()
    _git("init", "-q", cwd=proj)
    (proj / "main.tf").write_text(MISSING)
    (proj / ".tffix.toml").write_text('select = ["TFX201"]\n')  # only the rule these tests are about
    _git("add", ".", cwd=proj)
    return proj


def _try_repo(proj: Path, hook: str, home: Path) -> subprocess.CompletedProcess[str]:
    env = dict(os.environ, PRE_COMMIT_HOME=str(home))
    return subprocess.run(["pre-commit", "try-repo", str(ROOT), hook, "--all-files"], cwd=proj, env=env,
                          capture_output=True, text=True, timeout=900)


def test_hooks_file_lists_both_hooks() -> None:
    hooks = {h["id"]: h for h in yaml.safe_load((ROOT / ".pre-commit-hooks.yaml").read_text())}
    assert set(hooks) == {"tffix", "tffix-check"}
    assert hooks["tffix-check"]["entry"] == "tffix --dry-run"


def test_pre_commit_fix_hook(tmp_path: Path, pre_commit_home: Path) -> None:
    proj = _project(tmp_path)
    first = _try_repo(proj, "tffix", pre_commit_home)
    assert first.returncode == 1, first.stdout + first.stderr  # files were modified
    assert (proj / "main.tf").read_text() == FIXED
    _git("add", ".", cwd=proj)
    second = _try_repo(proj, "tffix", pre_commit_home)
    assert second.returncode == 0, second.stdout + second.stderr


def test_pre_commit_check_hook(tmp_path: Path, pre_commit_home: Path) -> None:
    proj = _project(tmp_path)
    result = _try_repo(proj, "tffix-check", pre_commit_home)
    assert result.returncode == 1
    assert "+++ b/main.tf" in result.stdout and "+  publicly_accessible = false" in result.stdout
    assert (proj / "main.tf").read_text() == MISSING


# ---- the GitHub Action -------------------------------------------------------------


def _action() -> dict:
    return yaml.safe_load((ROOT / "action.yml").read_text())


def _step(name: str) -> dict:
    return next(s for s in _action()["runs"]["steps"] if s.get("name") == name)


def test_action_is_a_composite_with_documented_inputs() -> None:
    action = _action()
    assert action["runs"]["using"] == "composite"
    text = (ROOT / "action.yml").read_text()
    for ref in set(__import__("re").findall(r"inputs\.([a-z-]+)", text)):
        assert ref in action["inputs"], ref
    for step in action["runs"]["steps"]:
        if "run" in step:
            assert step["shell"] == "bash"


def _run_step(name: str, workdir: Path, inputs: dict[str, str]) -> tuple[int, str, str]:
    step = _step(name)
    env = dict(os.environ)
    for key, value in step.get("env", {}).items():
        expr = value.strip()
        env[key] = inputs[expr[len("${{ inputs."):-len(" }}")]] if expr.startswith("${{ inputs.") else expr
    output = workdir / "github_output"
    env["GITHUB_OUTPUT"] = str(output)
    proc = subprocess.run(["bash", "-e", "-c", step["run"]], cwd=workdir, env=env, capture_output=True, text=True)
    return proc.returncode, proc.stdout, output.read_text() if output.exists() else ""


@pytest.mark.parametrize("mode,code,changed", [("dry-run", 1, False), ("check", 1, False), ("fix", 0, True)])
def test_action_run_step(tmp_path: Path, mode: str, code: int, changed: bool) -> None:
    (tmp_path / "main.tf").write_text(MISSING)
    (tmp_path / ".tffix.toml").write_text('select = ["TFX201"]\n')
    rc, out, gh_output = _run_step("Run tffix", tmp_path, {"path": ".", "mode": mode, "unsafe-fixes": "false"})
    assert rc == code and f"exit-code={code}" in gh_output
    assert ((tmp_path / "main.tf").read_text() == FIXED) is changed


def test_action_sarif_step_writes_valid_sarif(tmp_path: Path) -> None:
    (tmp_path / "main.tf").write_text(MISSING)
    (tmp_path / ".tffix.toml").write_text('select = ["TFX201"]\n')
    rc, _, _ = _run_step("SARIF report", tmp_path, {"path": ".", "sarif-file": "out.sarif"})
    assert rc == 0
    log = json.loads((tmp_path / "out.sarif").read_text())
    assert log["version"] == "2.1.0" and log["runs"][0]["results"][0]["ruleId"] == "TFX201"
