"""`tffix pr` with real git (a bare repository as the remote) and a local HTTP
server on loopback standing in for the GitHub API."""

from __future__ import annotations

import datetime as dt
import json
import os
import socket
import subprocess
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest
from click.testing import CliRunner
from tffix.app.cli import main

TOKEN = "ghp_secret_token_value_123"
MISSING = 'resource "aws_db_instance" "a" {\n  engine = "postgres"\n}\n'
PUBLIC = 'resource "aws_db_instance" "b" {\n  publicly_accessible = true\n}\n'


class FakeGitHub:
    """Records every request; answers like the GitHub REST API would."""

    def __init__(self) -> None:
        self.requests: list[dict] = []
        self.open_prs: list[dict] = []
        self.fail: int | None = None
        outer = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args: object) -> None:
                pass

            def _answer(self) -> None:
                length = int(self.headers.get("Content-Length") or 0)
                body = json.loads(self.rfile.read(length)) if length else None
                outer.requests.append({"method": self.command, "path": self.path, "body": body,
                                       "auth": self.headers.get("Authorization")})
                status, payload = outer.respond(self.command, self.path, body)
                data = json.dumps(payload).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            do_GET = do_POST = do_PATCH = _answer

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    def respond(self, method: str, path: str, body: dict | None) -> tuple[int, object]:
        if self.fail is not None:
            messages = {401: "Bad credentials", 404: "Not Found", 422: "Validation Failed"}
            return self.fail, {"message": messages.get(self.fail, "error"),
                               "errors": [{"message": "A pull request already exists"}] if self.fail == 422 else []}
        if method == "GET" and path == "/repos/acme/infra":
            return 200, {"default_branch": "main"}
        if method == "GET" and path.startswith("/repos/acme/infra/pulls"):
            return 200, self.open_prs
        if method == "POST" and path == "/repos/acme/infra/pulls":
            pr = {"number": 7, "html_url": "https://github.example/acme/infra/pull/7", **(body or {})}
            self.open_prs.append(pr)
            return 201, pr
        if method == "PATCH" and path == "/repos/acme/infra/pulls/7":
            return 200, {"number": 7, "html_url": "https://github.example/acme/infra/pull/7"}
        return 404, {"message": "Not Found"}

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def github():
    server = FakeGitHub()
    yield server
    server.close()


def git(*args: str, cwd: Path) -> str:
    env = dict(os.environ, GIT_AUTHOR_NAME="t", GIT_AUTHOR_EMAIL="t@example.com", GIT_COMMITTER_NAME="t",
               GIT_COMMITTER_EMAIL="t@example.com")
    return subprocess.run(["git", *args], cwd=cwd, check=True, capture_output=True, text=True, env=env).stdout


@pytest.fixture
def repo(tmp_path: Path) -> Path:
    remote = tmp_path / "remote.git"
    work = tmp_path / "work"
    subprocess.run(["git", "init", "-q", "--bare", "-b", "main", str(remote)], check=True)
    work.mkdir()
    git("init", "-q", "-b", "main", cwd=work)
    git("config", "user.name", "Dev", cwd=work)
    git("config", "user.email", "dev@example.com", cwd=work)
    (work / "db").mkdir()
    (work / "db" / "main.tf").write_text(MISSING)
    (work / "db" / "public.tf").write_text(PUBLIC)
    git("add", ".", cwd=work)
    git("commit", "-q", "-m", "initial", cwd=work)
    git("remote", "add", "origin", str(remote), cwd=work)
    git("push", "-q", "origin", "main", cwd=work)
    return work


def tffix_pr(repo: Path, *args: str, token: str | None = TOKEN):
    old = os.getcwd()
    os.chdir(repo)
    try:
        env = {"GITHUB_TOKEN": token} if token else {"GITHUB_TOKEN": "", "GH_TOKEN": ""}
        if "--select" not in args and "--ignore" not in args:
            args = ("--select", "TFX201", *args)  # independent of which other rules exist
        return CliRunner().invoke(main, ["pr", *args], env=env, catch_exceptions=False)
    finally:
        os.chdir(old)


def remote_log(repo: Path, branch: str) -> list[str]:
    remote = repo.parent / "remote.git"
    return git("log", "--format=%s", branch, cwd=remote).splitlines()


def default_branch(repo: Path) -> str:
    head = git("rev-parse", "--short", "HEAD", cwd=repo).strip()
    return f"tffix/{dt.date.today():%Y-%m-%d}-{head}"


def test_opens_a_pull_request(repo: Path, github: FakeGitHub) -> None:
    r = tffix_pr(repo, "--repo", "acme/infra", "--api-url", github.url, "--unsafe-fixes")
    assert r.exit_code == 0, r.output
    assert "opened pull request #7" in r.stdout
    branch = default_branch(repo)
    log = remote_log(repo, branch)
    assert log[0].startswith("tffix: TFX201 db-publicly-accessible") and log[-1] == "initial"
    files = git("show", f"{branch}:db/public.tf", cwd=repo.parent / "remote.git")
    assert "publicly_accessible = false" in files
    post = next(q for q in github.requests if q["method"] == "POST")
    assert post["body"]["head"] == branch and post["body"]["base"] == "main"
    body = post["body"]["body"]
    assert "| TFX201 db-publicly-accessible | `db/main.tf`, `db/public.tf` | 2 | safe, unsafe |" in body
    assert "tffix --unsafe-fixes" in body
    assert all(q["auth"] == f"Bearer {TOKEN}" for q in github.requests)
    # the user's checkout is untouched: same branch, same files, clean
    assert git("rev-parse", "--abbrev-ref", "HEAD", cwd=repo).strip() == "main"
    assert (repo / "db" / "main.tf").read_text() == MISSING
    assert git("status", "--porcelain", cwd=repo) == ""
    assert TOKEN not in r.output


def test_rerun_updates_instead_of_duplicating(repo: Path, github: FakeGitHub) -> None:
    args = ("--repo", "acme/infra", "--api-url", github.url, "--branch", "tffix/fixes")
    assert tffix_pr(repo, *args).exit_code == 0
    remote = repo.parent / "remote.git"
    first_tip = git("rev-parse", "tffix/fixes", cwd=remote).strip()
    # new work lands on main; the next run updates the same branch and PR
    (repo / "db" / "more.tf").write_text(MISSING.replace('"a"', '"c"'))
    git("add", ".", cwd=repo)
    git("commit", "-q", "-m", "more", cwd=repo)
    r = tffix_pr(repo, *args)
    assert r.exit_code == 0, r.output
    assert "updated pull request #7" in r.stdout
    methods = [q["method"] for q in github.requests]
    assert methods.count("POST") == 1 and methods.count("PATCH") == 1
    second_tip = git("rev-parse", "tffix/fixes", cwd=remote).strip()
    assert second_tip != first_tip
    git("merge-base", "--is-ancestor", first_tip, second_tip, cwd=remote)  # fast-forward, never forced
    assert "db/more.tf" in git("show", "--stat", "--format=", "tffix/fixes", cwd=remote)
    assert "publicly_accessible = false" in git("show", "tffix/fixes:db/more.tf", cwd=remote)


def test_nothing_to_fix(repo: Path, github: FakeGitHub) -> None:
    r = tffix_pr(repo, "--repo", "acme/infra", "--api-url", github.url, "--ignore", "TFX")
    assert r.exit_code == 0 and "nothing to fix" in r.stdout
    assert github.requests == []


def test_dirty_tree_is_refused_unless_allowed(repo: Path, github: FakeGitHub) -> None:
    (repo / "notes.txt").write_text("wip")
    r = tffix_pr(repo, "--repo", "acme/infra", "--api-url", github.url)
    assert r.exit_code == 2 and "uncommitted changes" in r.stderr
    r = tffix_pr(repo, "--repo", "acme/infra", "--api-url", github.url, "--allow-dirty")
    assert r.exit_code == 0, r.output
    assert (repo / "notes.txt").read_text() == "wip"


def test_dry_run_pushes_nothing(repo: Path, github: FakeGitHub) -> None:
    r = tffix_pr(repo, "--dry-run", token=None)
    assert r.exit_code == 0, r.output
    assert f"branch: {default_branch(repo)}" in r.stdout
    assert "tffix: TFX201 db-publicly-accessible" in r.stdout and "## tffix fixes" in r.stdout
    heads = git("ls-remote", "--heads", "origin", cwd=repo)
    assert "tffix/" not in heads
    assert github.requests == []


def test_single_commit(repo: Path, github: FakeGitHub) -> None:
    r = tffix_pr(repo, "--repo", "acme/infra", "--api-url", github.url, "--single-commit", "--branch", "one")
    assert r.exit_code == 0, r.output
    assert len(remote_log(repo, "one")) == 2


@pytest.mark.parametrize(
    "status,message",
    [(401, "authentication failed (401)"), (404, "acme/infra not found, or the token cannot see it (404)"),
     (422, "(422): Validation Failed (A pull request already exists)")],
)
def test_api_errors_are_one_line(repo: Path, github: FakeGitHub, status: int, message: str) -> None:
    github.fail = status
    r = tffix_pr(repo, "--repo", "acme/infra", "--api-url", github.url, "--branch", f"b{status}")
    assert r.exit_code == 2
    assert message in r.stderr and len(r.stderr.strip().splitlines()) == 1
    assert "Traceback" not in r.output and TOKEN not in r.output


def test_network_error(repo: Path) -> None:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]  # closed again: nothing listens there
    r = tffix_pr(repo, "--repo", "acme/infra", "--api-url", f"http://127.0.0.1:{port}")
    assert r.exit_code == 2 and "cannot reach the GitHub API" in r.stderr
    assert TOKEN not in r.output


def test_missing_token_and_not_a_repo(repo: Path, tmp_path: Path) -> None:
    r = tffix_pr(repo, "--repo", "acme/infra", token=None)
    assert r.exit_code == 2 and "set GITHUB_TOKEN or GH_TOKEN" in r.stderr
    outside = tmp_path / "plain"
    outside.mkdir()
    r = tffix_pr(outside)
    assert r.exit_code == 2 and "not inside a git work tree" in r.stderr


def test_repo_from_remote_url() -> None:
    from tffix.app.github import repo_from_remote

    assert repo_from_remote("git@github.com:acme/infra.git") == "acme/infra"
    assert repo_from_remote("https://github.com/acme/infra") == "acme/infra"
    assert repo_from_remote("ssh://git@ghe.corp/acme/infra.git") == "acme/infra"
    assert repo_from_remote("/srv/git/infra.git") is None


def test_pr_reads_the_state_and_shows_no_secret(repo: Path, tmp_path: Path) -> None:
    state = {"version": 4, "resources": [
        {"mode": "managed", "type": "aws_db_instance", "name": "b", "instances": [{"attributes": {
            "publicly_accessible": True, "password": "SECRET-MARKER-PR"},
            "sensitive_attributes": [[{"type": "get_attr", "value": "password"}]]}]}]}
    (tmp_path / "state.json").write_text(json.dumps(state))  # outside the repository, as states usually are
    r = tffix_pr(repo, "--dry-run", "--select", "TFX101,TFX201", "--unsafe-fixes",
                 "--state", f"db={tmp_path / 'state.json'}", token=None)
    assert r.exit_code == 0, r.output
    assert "### What the state says" in r.stdout
    assert "| TFX101 | `db/main.tf:1` | aws_db_instance.a: not deployed |" in r.stdout
    assert "| TFX201 | `db/public.tf:2` | updates the live aws_db_instance.b in place |" in r.stdout
    assert "SECRET-MARKER" not in r.output
