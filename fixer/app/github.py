"""A minimal GitHub REST client for opening and updating pull requests.

Standard library only (urllib). Every failure becomes ``GitHubError`` with a
one-line message; the token is scrubbed from anything that could be shown.
"""

from __future__ import annotations

import json
import re
import urllib.error
import urllib.parse
import urllib.request
from dataclasses import dataclass
from typing import Any

__all__ = ["GitHubError", "GitHub", "repo_from_remote"]

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


@dataclass
class GitHub:
    token: str
    repo: str  # owner/name
    api_url: str = DEFAULT_API
    timeout: float = 30.0

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
        try:
            with urllib.request.urlopen(req, timeout=self.timeout) as resp:  # noqa: S310 - URL is the API's
                payload = resp.read()
        except urllib.error.HTTPError as e:
            raise GitHubError(self._scrub(self._explain(e, method, path))) from None
        except (urllib.error.URLError, OSError) as e:
            reason = getattr(e, "reason", e)
            raise GitHubError(self._scrub(f"cannot reach the GitHub API at {self.api_url}: {reason}")) from None
        if not payload:
            return None
        try:
            return json.loads(payload)
        except ValueError:
            raise GitHubError(f"GitHub API returned something that is not JSON for {method} {path}") from None

    def _explain(self, e: urllib.error.HTTPError, method: str, path: str) -> str:
        detail = ""
        try:
            body = json.loads(e.read() or b"{}")
            detail = body.get("message", "")
            errors = body.get("errors") or []
            extra = "; ".join(str(x.get("message", x)) if isinstance(x, dict) else str(x) for x in errors)
            if extra:
                detail = f"{detail} ({extra})" if detail else extra
        except (ValueError, AttributeError):
            pass
        if e.code == 401:
            return "GitHub API: authentication failed (401); check GITHUB_TOKEN / GH_TOKEN"
        if e.code == 403:
            return f"GitHub API: permission denied (403) for {method} {path}: {detail or 'forbidden'}"
        if e.code == 404:
            return f"GitHub API: {self.repo} not found, or the token cannot see it (404)"
        if e.code == 422:
            return f"GitHub API rejected {method} {path} (422): {detail or 'unprocessable request'}"
        return f"GitHub API error {e.code} for {method} {path}: {detail or e.reason}"

    # ---- the calls tffix needs ----
    def default_branch(self) -> str:
        return str(self.request("GET", f"/repos/{self.repo}")["default_branch"])

    def find_open_pr(self, owner: str, branch: str) -> dict[str, Any] | None:
        query = urllib.parse.urlencode({"head": f"{owner}:{branch}", "state": "open"})
        pulls = self.request("GET", f"/repos/{self.repo}/pulls?{query}") or []
        return pulls[0] if pulls else None

    def create_pr(self, title: str, head: str, base: str, body: str) -> dict[str, Any]:
        return self.request("POST", f"/repos/{self.repo}/pulls",
                            {"title": title, "head": head, "base": base, "body": body})

    def update_pr(self, number: int, title: str, body: str) -> dict[str, Any]:
        return self.request("PATCH", f"/repos/{self.repo}/pulls/{number}", {"title": title, "body": body})
