"""`tffix pr` against a hostile GitHub API on 127.0.0.1: redirects to another
origin, plain http, servers that trickle bytes, answers of the wrong shape,
and failures after the push. Every server here is local and stops by itself."""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Callable
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

from .test_pr import TOKEN, FakeGitHub, git, github, repo, tffix_pr  # noqa: F401 - fixtures

Answer = Callable[[BaseHTTPRequestHandler], None]


class Hostile:
    """A server whose every request is answered by ``self.answer(handler)``."""

    def __init__(self, answer: Answer) -> None:
        self.answer = answer
        self.requests: list[dict] = []
        outer = self

        class Handler(BaseHTTPRequestHandler):
            timeout = 10  # a client that stalls cannot keep a thread forever

            def log_message(self, *args: object) -> None:
                pass

            def _any(self) -> None:
                length = int(self.headers.get("Content-Length") or 0)
                self.rfile.read(length)
                outer.requests.append({"method": self.command, "path": self.path,
                                       "auth": self.headers.get("Authorization")})
                outer.answer(self)

            do_GET = do_POST = do_PATCH = _any

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.port = self.server.server_address[1]
        self.url = f"http://127.0.0.1:{self.port}"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def hostile():
    servers: list[Hostile] = []

    def make(answer: Answer) -> Hostile:
        servers.append(Hostile(answer))
        return servers[-1]

    yield make
    for s in servers:
        s.close()


def send(handler: BaseHTTPRequestHandler, status: int, payload: object, headers: dict[str, str] | None = None) -> None:
    data = json.dumps(payload).encode()
    handler.send_response(status)
    for k, v in {"Content-Type": "application/json", "Content-Length": str(len(data)), **(headers or {})}.items():
        handler.send_header(k, v)
    handler.end_headers()
    handler.wfile.write(data)


def pushed(repo: Path, branch: str) -> bool:
    return bool(git("ls-remote", "--heads", "origin", branch, cwd=repo).strip())


# ---- the token ----------------------------------------------------------------------------------


def test_token_is_not_forwarded_to_another_origin(repo: Path, github: FakeGitHub, hostile) -> None:
    other = hostile(lambda h: send(h, 200, {"default_branch": "main"}))
    # "localhost" and "127.0.0.1" are different origins, as different hosts would be
    target = f"http://localhost:{other.port}/repos/acme/infra"

    def answer(h: BaseHTTPRequestHandler) -> None:
        if h.command == "GET" and h.path == "/repos/acme/infra":
            send(h, 302, {}, {"Location": target})
        elif h.command == "GET" and h.path == "/moved":
            send(h, 302, {}, {"Location": "/repos/acme/infra/pulls?state=open"})  # same origin: keeps the token
        else:
            status, payload = github.respond(h.command, h.path, None)
            send(h, status, payload)

    api = hostile(answer)
    r = tffix_pr(repo, "--repo", "acme/infra", "--api-url", api.url, "--branch", "b1")
    assert r.exit_code == 0, r.output
    assert other.requests and all(q["auth"] is None for q in other.requests)
    assert all(q["auth"] == f"Bearer {TOKEN}" for q in api.requests)

    from tffix.app.github import GitHub

    assert isinstance(GitHub(TOKEN, "acme/infra", api.url).request("GET", "/moved"), list)
    assert api.requests[-1]["auth"] == f"Bearer {TOKEN}"


@pytest.mark.parametrize("url", ["http://api.example.com", "http://10.0.0.1/api/v3", "ftp://127.0.0.1/"])
def test_plain_http_is_refused_except_on_loopback(repo: Path, url: str) -> None:
    r = tffix_pr(repo, "--repo", "acme/infra", "--api-url", url, "--branch", "b2")
    assert r.exit_code == 2
    assert "refusing to send the token over plain http" in r.stderr or "must be an https:// URL" in r.stderr
    assert not pushed(repo, "b2")


# ---- hangs --------------------------------------------------------------------------------------


def trickle(in_headers: bool) -> Answer:
    def answer(h: BaseHTTPRequestHandler) -> None:
        end = time.monotonic() + 8  # bounded: the server gives up by itself
        try:
            if in_headers:
                for byte in b"HTTP/1.1 200 OK\r\nX-Slow: " + b"a" * 1000:
                    h.wfile.write(bytes([byte]))
                    h.wfile.flush()
                    time.sleep(0.05)
                    if time.monotonic() > end:
                        return
            else:
                h.send_response(200)
                h.send_header("Content-Length", "100000")
                h.end_headers()
                while time.monotonic() < end:
                    h.wfile.write(b" ")
                    h.wfile.flush()
                    time.sleep(0.05)
        except OSError:
            pass  # the client hung up: good

    return answer


@pytest.mark.parametrize("in_headers", [True, False])
def test_a_trickling_server_meets_the_deadline(repo: Path, hostile, in_headers: bool) -> None:
    api = hostile(trickle(in_headers))
    began = time.monotonic()
    r = tffix_pr(repo, "--repo", "acme/infra", "--api-url", api.url, "--api-timeout", "1", "--branch", "b3")
    assert time.monotonic() - began < 6
    assert r.exit_code == 2 and "did not answer GET /repos/acme/infra in time (1 s for all calls)" in r.stderr
    assert not pushed(repo, "b3")  # the API is asked before anything is pushed


# ---- answers of the wrong shape -----------------------------------------------------------------


REPO_ANSWERS = [{}, [], "main", None, {"default_branch": None}, {"default_branch": 7}]
PULLS_ANSWERS = [{}, "x", [1], [{"number": "7"}], [{"title": "no number"}]]
CREATED_ANSWERS = [[], {}, "ok", {"number": None}, {"number": 7, "html_url": 5}]


def shaped(where: str, bad: object, github: FakeGitHub) -> Answer:
    def answer(h: BaseHTTPRequestHandler) -> None:
        status, payload = github.respond(h.command, h.path, None)
        kind = ("repo" if h.path == "/repos/acme/infra" else "pulls" if h.command == "GET" else "created")
        if kind == where:
            payload = bad
        send(h, status, payload)

    return answer


@pytest.mark.parametrize("where,bad", [*(("repo", a) for a in REPO_ANSWERS), *(("pulls", a) for a in PULLS_ANSWERS),
                                       *(("created", a) for a in CREATED_ANSWERS)])
def test_answers_of_the_wrong_shape_are_github_errors(github: FakeGitHub, hostile, where: str, bad: object) -> None:
    from tffix.app.github import GitHub, GitHubError

    api = GitHub(TOKEN, "acme/infra", hostile(shaped(where, bad, github)).url)
    call = {"repo": api.default_branch, "pulls": lambda: api.find_open_pr("acme", "b"),
            "created": lambda: api.create_pr("t", "b", "main", "body")}[where]
    with pytest.raises(GitHubError, match="GitHub API answered"):
        call()


def test_wrong_shape_end_to_end_is_one_line(repo: Path, github: FakeGitHub, hostile) -> None:
    api = hostile(shaped("repo", {"default_branch": None}, github))
    r = tffix_pr(repo, "--repo", "acme/infra", "--api-url", api.url, "--branch", "b4")
    assert r.exit_code == 2, r.output
    assert "GitHub API answered GET /repos/acme/infra with something else than an object with a default_branch" \
        in r.stderr and len(r.stderr.strip().splitlines()) == 1
    assert "Traceback" not in r.output and TOKEN not in r.output and not pushed(repo, "b4")


# ---- resuming after a failure -------------------------------------------------------------------


def test_nothing_is_pushed_when_the_token_is_refused(repo: Path, github: FakeGitHub) -> None:
    github.fail = 401
    r = tffix_pr(repo, "--repo", "acme/infra", "--api-url", github.url, "--branch", "b5")
    assert r.exit_code == 2 and not pushed(repo, "b5")


def test_rerun_after_a_failure_past_the_push_opens_the_pr(repo: Path, github: FakeGitHub, hostile) -> None:
    def fail_on_create(h: BaseHTTPRequestHandler) -> None:
        if h.command == "POST":
            send(h, 502, {"message": "Bad Gateway"})
        else:
            status, payload = github.respond(h.command, h.path, None)
            send(h, status, payload)

    flaky = hostile(fail_on_create)
    args = ("--repo", "acme/infra", "--branch", "b6", "--unsafe-fixes")
    r = tffix_pr(repo, *args, "--api-url", flaky.url)
    assert r.exit_code == 2 and "502" in r.stderr
    assert pushed(repo, "b6")  # the failure came after the push
    r = tffix_pr(repo, *args, "--api-url", github.url)  # the rerun
    assert r.exit_code == 0, r.output
    assert "opened pull request #7" in r.stdout
    post = next(q for q in github.requests if q["method"] == "POST")
    assert post["body"]["head"] == "b6"
    assert "| TFX201 db-publicly-accessible | `db/main.tf`, `db/public.tf` | 2 | safe, unsafe |" in post["body"]["body"]
    r = tffix_pr(repo, *args, "--api-url", github.url)  # and again: nothing to do
    assert r.exit_code == 0 and "pull request #7 is open" in r.stdout
    assert [q["method"] for q in github.requests].count("POST") == 1
    assert "b6" not in git("branch", "--list", cwd=repo)  # no local branch left behind


def test_sigterm_during_the_api_calls_leaves_nothing_behind(repo: Path, hostile) -> None:
    import os
    import signal
    import subprocess
    import sys

    api = hostile(trickle(in_headers=False))
    env = dict(os.environ, PYTHONPATH=os.pathsep.join(sys.path), GITHUB_TOKEN=TOKEN)
    code = "import sys; from tffix.app.cli import main; sys.argv[0] = 'tffix'; main()"
    proc = subprocess.Popen([sys.executable, "-c", code, "pr", "--select", "TFX201", "--repo", "acme/infra",
                             "--api-url", api.url, "--branch", "b7"], cwd=repo, env=env,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    deadline = time.monotonic() + 30
    while not api.requests:  # the work tree exists and the API is being asked
        assert time.monotonic() < deadline and proc.poll() is None, proc.communicate()
        time.sleep(0.02)
    trees = git("worktree", "list", "--porcelain", cwd=repo)
    temp = [line.split(" ", 1)[1] for line in trees.splitlines() if line.startswith("worktree ") and "tffix-pr-" in line]
    assert temp
    proc.send_signal(signal.SIGTERM)
    _, err = proc.communicate(timeout=30)
    assert proc.returncode == 143 and "tffix: interrupted (SIGTERM)" in err and "Traceback" not in err
    assert "tffix-pr-" not in git("worktree", "list", "--porcelain", cwd=repo)
    assert not any(Path(t).exists() for t in temp)
    assert git("branch", "--list", cwd=repo).split() == ["*", "main"]
    assert not pushed(repo, "b7")
