"""A minimal GitHub REST client for opening and updating pull requests.

Standard library only (urllib). Every failure becomes ``GitHubError`` with a
one-line message; the token is scrubbed from anything that could be shown.

The token is guarded: it is sent only over https (plain http only to a
loopback address, for tests and local proxies), never forwarded by a redirect
to another origin (urllib copies headers to wherever a redirect points), and
every call shares one deadline, so a server that trickles bytes cannot hold
the run forever (a per-read timeout alone never fires). Answers are checked
for the shape tffix relies on before anything is read from them.
"""

from __future__ import annotations

import http.client
import ipaddress
import json
import re
import socket
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from dataclasses import dataclass, field
from typing import Any

__all__ = ["GitHubError", "GitHub", "repo_from_remote", "check_api_url"]

DEFAULT_API = "https://api.github.com"


class GitHubError(Exception):
    pass


_REMOTE = re.compile(r"(?:[:/])(?P<owner>[^/:]+)/(?P<name>[^/]+?)(?:\.git)?/?$")


def repo_from_remote(url: str) -> str | None:
    """``owner/name`` from a GitHub remote URL (https, ssh or scp-like)."""
    url = url.strip()
    if "://" not in url and "@" not in url:
        return None  # a local path
    m = _REMOTE.search(url)
    return f"{m.group('owner')}/{m.group('name')}" if m else None


def check_api_url(url: str) -> str | None:
    """Why ``url`` must not receive the token, if it must not."""
    parts = urllib.parse.urlsplit(url)
    if parts.scheme not in ("https", "http") or not parts.hostname:
        return f"--api-url must be an https:// URL, not {url!r}"
    if parts.scheme == "http" and not _loopback(parts.hostname):
        return (f"refusing to send the token over plain http to {parts.hostname}; use https "
                "(http is allowed only for a loopback address)")
    return None


def _loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def _origin(url: str) -> tuple[str, str, int | None]:
    parts = urllib.parse.urlsplit(url)
    port = parts.port or {"https": 443, "http": 80}.get(parts.scheme)
    return parts.scheme, (parts.hostname or "").lower(), port


class _Redirects(urllib.request.HTTPRedirectHandler):
    """Follows redirects, but the token only to the origin it was meant for."""

    def redirect_request(self, req, fp, code, msg, headers, newurl):  # type: ignore[no-untyped-def]
        new = super().redirect_request(req, fp, code, msg, headers, newurl)
        if new is not None and _origin(new.full_url) != _origin(req.full_url):
            for name in list(new.headers):
                if name.lower() == "authorization":
                    del new.headers[name]
        return new


class _Connections:
    """The sockets a request opens, so the deadline can cut them (urllib drops
    its own reference to the socket once the headers are in)."""

    def __init__(self) -> None:
        self.sockets: list[socket.socket] = []
        self.expired = False

    def track(self, cls: type[http.client.HTTPConnection]) -> type[http.client.HTTPConnection]:
        conns = self

        class Tracked(cls):  # type: ignore[valid-type, misc]
            def connect(self) -> None:
                super().connect()
                conns.sockets.append(self.sock)
                if conns.expired:
                    conns.cut()

        return Tracked

    def cut(self) -> None:
        self.expired = True
        for sock in self.sockets:
            try:
                sock.shutdown(socket.SHUT_RDWR)  # wakes a blocked recv, unlike close()
            except OSError:
                pass


def _opener(conns: _Connections) -> urllib.request.OpenerDirector:
    class Http(urllib.request.HTTPHandler):
        def http_open(self, req):  # type: ignore[no-untyped-def]
            return self.do_open(conns.track(http.client.HTTPConnection), req)

    class Https(urllib.request.HTTPSHandler):
        def https_open(self, req):  # type: ignore[no-untyped-def]
            return self.do_open(conns.track(http.client.HTTPSConnection), req, context=self._context,
                                check_hostname=self._check_hostname)

    return urllib.request.build_opener(Http, Https, _Redirects)


@dataclass
class GitHub:
    token: str
    repo: str  # owner/name
    api_url: str = DEFAULT_API
    timeout: float = 30.0  # per connect or read
    deadline: float = 120.0  # seconds for all the calls of this client together
    _ends: float = field(default=0.0, init=False, repr=False)

    def __post_init__(self) -> None:
        problem = check_api_url(self.api_url)
        if problem:
            raise GitHubError(problem)
        self._ends = time.monotonic() + self.deadline

    def _scrub(self, text: str) -> str:
        return text.replace(self.token, "***") if self.token else text

    def request(self, method: str, path: str, body: dict[str, Any] | None = None) -> Any:
        url = self.api_url.rstrip("/") + path
        data = json.dumps(body).encode() if body is not None else None
        req = urllib.request.Request(url, data=data, method=method, headers={
            "Authorization": f"Bearer {self.token}",
            "Accept": "application/vnd.github+json",
            "X-GitHub-Api-Version": "2022-11-28",
            "User-Agent": "tffix",
            **({"Content-Type": "application/json"} if data is not None else {}),
        })
        left = self._ends - time.monotonic()
        if left <= 0:
            raise GitHubError(self._late(method, path))
        conns = _Connections()
        timer = threading.Timer(left, conns.cut)
        timer.daemon = True
        timer.start()
        try:
            with _opener(conns).open(req, timeout=min(self.timeout, left)) as resp:
                payload = resp.read(MAX_ANSWER + 1)
        except urllib.error.HTTPError as e:
            if conns.expired:
                raise GitHubError(self._late(method, path)) from None
            raise GitHubError(self._scrub(self._explain(e, method, path))) from None
        except (urllib.error.URLError, OSError, http.client.HTTPException) as e:
            if conns.expired:
                raise GitHubError(self._late(method, path)) from None
            reason = getattr(e, "reason", e)
            raise GitHubError(self._scrub(f"cannot reach the GitHub API at {self.api_url}: {reason}")) from None
        finally:
            timer.cancel()
        if conns.expired:
            raise GitHubError(self._late(method, path))
        if len(payload) > MAX_ANSWER:
            raise GitHubError(f"GitHub API answer to {method} {path} is larger than {MAX_ANSWER} bytes")
        if not payload:
            return None
        try:
            return json.loads(payload)
        except ValueError:
            raise GitHubError(f"GitHub API returned something that is not JSON for {method} {path}") from None

    def _late(self, method: str, path: str) -> str:
        return f"GitHub API did not answer {method} {path} in time ({self.deadline:g} s for all calls)"

    def _explain(self, e: urllib.error.HTTPError, method: str, path: str) -> str:
        detail = ""
        try:
            body = json.loads(e.read(MAX_ANSWER) or b"{}")
        except (ValueError, OSError):
            body = {}
        if isinstance(body, dict):
            detail = body.get("message") if isinstance(body.get("message"), str) else ""
            errors = body.get("errors")
            if isinstance(errors, list):
                extra = "; ".join(str(x.get("message", x)) if isinstance(x, dict) else str(x) for x in errors)
                if extra:
                    detail = f"{detail} ({extra})" if detail else extra
        detail = detail[:300]
        if e.code == 401:
            return "GitHub API: authentication failed (401); check GITHUB_TOKEN / GH_TOKEN"
        if e.code == 403:
            return f"GitHub API: permission denied (403) for {method} {path}: {detail or 'forbidden'}"
        if e.code == 404:
            return f"GitHub API: {self.repo} not found, or the token cannot see it (404)"
        if e.code == 422:
            return f"GitHub API rejected {method} {path} (422): {detail or 'unprocessable request'}"
        return f"GitHub API error {e.code} for {method} {path}: {detail or e.reason}"

    # ---- the calls tffix needs, each checking the shape of the answer ----
    def default_branch(self) -> str:
        path = f"/repos/{self.repo}"
        answer = self.request("GET", path)
        branch = answer.get("default_branch") if isinstance(answer, dict) else None
        if not isinstance(branch, str) or not branch:
            raise GitHubError(_unexpected("GET", path, "an object with a default_branch", answer))
        return branch

    def find_open_pr(self, owner: str, branch: str) -> dict[str, Any] | None:
        query = urllib.parse.urlencode({"head": f"{owner}:{branch}", "state": "open"})
        path = f"/repos/{self.repo}/pulls?{query}"
        pulls = self.request("GET", path)
        if pulls is None:
            return None
        if not isinstance(pulls, list) or not all(_is_pr(p) for p in pulls):
            raise GitHubError(_unexpected("GET", path, "a list of pull requests", pulls))
        return pulls[0] if pulls else None

    def create_pr(self, title: str, head: str, base: str, body: str) -> dict[str, Any]:
        path = f"/repos/{self.repo}/pulls"
        return _pr(self.request("POST", path, {"title": title, "head": head, "base": base, "body": body}),
                   "POST", path)

    def update_pr(self, number: int, title: str, body: str) -> dict[str, Any]:
        path = f"/repos/{self.repo}/pulls/{number}"
        return _pr(self.request("PATCH", path, {"title": title, "body": body}), "PATCH", path)


MAX_ANSWER = 10 * 1024 * 1024  # bytes; GitHub's answers to these calls are a few kB


def _is_pr(value: Any) -> bool:
    return (isinstance(value, dict) and isinstance(value.get("number"), int)
            and not isinstance(value.get("number"), bool)
            and isinstance(value.get("html_url", ""), str))


def _pr(answer: Any, method: str, path: str) -> dict[str, Any]:
    if not _is_pr(answer):
        raise GitHubError(_unexpected(method, path, "a pull request", answer))
    return answer


def _unexpected(method: str, path: str, wanted: str, answer: Any) -> str:
    shown = json.dumps(answer)[:80]
    return f"GitHub API answered {method} {path} with something else than {wanted}: {shown}"
