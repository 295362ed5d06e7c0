"""``tffix pr``: the fixes as a reviewable pull request.

The work happens in a temporary ``git worktree`` started from HEAD (or from
the remote branch when a previous run already pushed one), detached, so the
user's checkout, index and branches are never touched. One commit per rule by
default; the API is checked (token, repository, open pull requests) before the
branch is pushed, without force (an existing branch only ever moves forward),
then the pull request is opened through the GitHub REST API, or updated when
one is already open for the branch.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import shutil
import subprocess
import tempfile
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field, replace
from pathlib import Path

from tffix.app.github import DEFAULT_API, GitHub, GitHubError, check_api_url, repo_from_remote
from tffix.app.run import FIX, Settings, run
from tffix.app.verify import Terraform, Verification, VerifyError, cwd, markdown, render_text, verify
from tffix.engine.engine import Record
from tffix.engine.rules import Rule

__all__ = ["PrBlocked", "PrError", "PrRequest", "run_pr"]


class PrError(Exception):
    """A one-line reason the pull request could not be made."""


class PrBlocked(PrError):
    """The plan verification left no fix to propose (exit 1)."""


@dataclass
class PrRequest:
    paths: list[Path]
    settings: Settings  # with config_from set: the config is the user's, not the temporary work tree's
    rules: list[type[Rule]]  # chosen from the settings (``run.configure``)
    branch: str | None = None
    remote: str = "origin"
    repo: str | None = None
    base: str | None = None
    api_url: str = DEFAULT_API
    api_timeout: float = 120.0  # seconds for all the API calls together
    single_commit: bool = False
    allow_dirty: bool = False
    dry_run: bool = False
    token: str | None = None
    command: str = "tffix"  # the command line that reproduces the change
    verify_plan: Terraform | None = None  # --verify-plan: the fixes checked against terraform plan first


@dataclass
class RuleCommit:
    rule_id: str
    name: str
    files: list[str]
    fixed: list[Record]
    message: str = ""


@dataclass
class PrPlan:
    branch: str
    commits: list[RuleCommit] = field(default_factory=list)
    remaining: list[Record] = field(default_factory=list)
    title: str = ""
    body: str = ""
    verification: list[str] = field(default_factory=list)  # the body's section on the plan (markdown lines)


def _git(args: list[str], cwd: Path, check: bool = True) -> subprocess.CompletedProcess[str]:
    env = dict(os.environ, GIT_TERMINAL_PROMPT="0", LC_ALL="C")
    proc = subprocess.run(["git", *args], cwd=cwd, capture_output=True, text=True, env=env)
    if check and proc.returncode != 0:
        message = (proc.stderr or proc.stdout).strip().splitlines()
        raise PrError(f"git {args[0]} failed: {message[-1] if message else proc.returncode}")
    return proc


def _commit(worktree: Path, files: list[str], message: str) -> None:
    _git(["add", "--", *files], worktree)
    identity = []
    if not _git(["config", "user.email"], worktree, check=False).stdout.strip():
        identity = ["-c", "user.name=tffix", "-c", "user.email=tffix@users.noreply.github.com"]
    _git([*identity, "commit", "-q", "-m", message], worktree)


def _message(rule_ids: list[str], names: dict[str, str], files: list[str], fixed: list[Record], command: str) -> str:
    head = ", ".join(f"{rid} {names.get(rid, '')}".strip() for rid in rule_ids)
    lines = [f"tffix: {head}", "", f"Fixed {len(fixed)} finding(s) in:"]
    lines += [f"- {f}" for f in files]
    lines += ["", f"Reproduce: {command}"]
    return "\n".join(lines)


def plan_and_commit(req: PrRequest, worktree: Path, branch: str) -> PrPlan:
    """Apply the fixes in ``worktree`` and commit them; returns what was done."""
    names = {r.id: r.name for r in req.rules}
    plan = PrPlan(branch)
    paths = [worktree / p for p in req.paths]
    every = [r.id for r in req.rules]
    groups = [every] if req.single_commit else [[rid] for rid in sorted(every)]
    with cwd(worktree):
        rel = [p.relative_to(worktree) for p in paths]
        for ids in [*groups, every]:  # a last pass catches fixes one rule enabled for another
            summary = run(rel, replace(req.settings, select=ids, mode=FIX)).summary
            if summary.errors:
                raise PrError("; ".join(e.splitlines()[0] for e in summary.errors[:3]))
            plan.remaining = summary.remaining  # the last pass, over every rule, leaves these
            if not summary.changed:
                continue
            files = sorted(set(summary.changed))
            done = sorted({r.rule_id for r in summary.fixed})
            message = _message(done, names, files, summary.fixed, req.command)
            _commit(worktree, files, message)
            for rid in done:
                fixed = [r for r in summary.fixed if r.rule_id == rid]
                existing = next((c for c in plan.commits if c.rule_id == rid), None)
                if existing is None:
                    plan.commits.append(RuleCommit(rid, names.get(rid, ""), sorted({r.path for r in fixed}), fixed,
                                                   message))
                else:
                    existing.fixed += fixed
                    existing.files = sorted(set(existing.files) | {r.path for r in fixed})
    return plan


def pr_body(plan: PrPlan, command: str, rules: list[type[Rule]]) -> tuple[str, str]:
    meta = {r.id: r for r in rules}
    total = sum(len(c.fixed) for c in plan.commits)
    files = sorted({f for c in plan.commits for f in c.files})
    title = f"tffix: fix {total} finding(s) ({', '.join(c.rule_id for c in plan.commits)})"
    lines = ["## tffix fixes", "", f"tffix fixed **{total}** finding(s) in {len(files)} file(s).", ""]
    live = [(c.rule_id, r) for c in plan.commits for r in c.fixed if r.deployment]
    replacing = sorted({c.rule_id for c in plan.commits for r in c.fixed
                        if r.impact == "forces replacement" and not r.deployment.endswith("not deployed")})
    if replacing:
        lines += [
            "> [!WARNING]",
            f"> Fixes from {', '.join(replacing)} **force replacement** of resources: Terraform will destroy and "
            "re-create them. Review `terraform plan` before applying, and back up data first.",
            "",
        ]
    lines += ["| Rule | Files | Findings fixed | Safety | Deployment impact |", "|---|---|---|---|---|"]
    for c in plan.commits:
        safety = ", ".join(sorted({r.safety for r in c.fixed}))
        impact = ", ".join(sorted({r.impact for r in c.fixed}))
        name = f"{c.rule_id} {c.name}".strip()
        lines.append(f"| {name} | {', '.join(f'`{f}`' for f in c.files)} | {len(c.fixed)} | {safety} | {impact} |")
    lines.append("")
    if live:
        lines += ["### What the state says", "", "| Rule | File | Resource |", "|---|---|---|"]
        for rule_id, r in live:
            lines.append(f"| {rule_id} | `{r.path}:{r.line}` | {r.deployment} |")
        lines.append("")
    for c in plan.commits:
        rule = meta.get(c.rule_id)
        if rule is not None:
            lines.append(f"- **{c.rule_id}**: {rule.summary}. Run `tffix explain {c.rule_id}` for details.")
    lines.append("")
    if plan.remaining:
        lines += ["### Findings left without a fix", ""]
        for r in plan.remaining:
            why = " (unsafe fix held back)" if r.held_back else ""
            lines.append(f"- `{r.path}:{r.line}` {r.rule_id}: {r.message}{why}")
        lines.append("")
    lines += plan.verification
    lines += ["### Reproduce", "", "```sh", command, "```", ""]
    return title, "\n".join(lines)


def run_pr(req: PrRequest, echo: Callable[[str], None]) -> int:
    """The whole workflow; returns the exit code. Raises PrError for a
    one-line failure.

    Resumable: the API is asked everything it must answer (the token works,
    the repository and its default branch, an open pull request) before
    anything is pushed, and a rerun after a failure at any step pushes what is
    missing and opens (or updates) the pull request, also when the branch was
    already pushed by the failed run."""
    top_proc = _git(["rev-parse", "--show-toplevel"], Path.cwd(), check=False)
    if top_proc.returncode != 0:
        raise PrError("not inside a git work tree")
    top = Path(top_proc.stdout.strip())
    req.paths = [_relative(p, top) for p in (req.paths or [Path(".")])]
    if not req.allow_dirty and _git(["status", "--porcelain"], top).stdout.strip():
        raise PrError("the work tree has uncommitted changes; commit or stash them, or pass --allow-dirty "
                      "(fixes are made from HEAD either way)")
    head = _git(["rev-parse", "--short", "HEAD"], top).stdout.strip()
    branch = req.branch or f"tffix/{dt.date.today():%Y-%m-%d}-{head}"
    remote_url = _git(["remote", "get-url", req.remote], top, check=False).stdout.strip()
    if not remote_url and not req.dry_run:
        raise PrError(f"no git remote named {req.remote!r}")
    repo = req.repo or repo_from_remote(remote_url)
    token = req.token
    if not req.dry_run:
        if not repo:
            raise PrError(f"cannot tell the GitHub repository from the remote URL of {req.remote!r}; "
                          "pass --repo owner/name")
        if not token:
            raise PrError("no token: set GITHUB_TOKEN or GH_TOKEN")
        problem = check_api_url(req.api_url)
        if problem:
            raise PrError(problem)
    start = "HEAD"
    remote_has_branch = False
    if remote_url:
        heads = _git(["ls-remote", "--heads", req.remote, branch], top, check=False)
        if heads.returncode == 0 and heads.stdout.strip():
            remote_has_branch = True
            _git(["fetch", "-q", req.remote, f"refs/heads/{branch}"], top)
            start = _git(["rev-parse", "FETCH_HEAD"], top).stdout.strip()
    with tempfile.TemporaryDirectory(prefix="tffix-pr-plans-") as plans:
        verification = _verify(req, top, Path(plans), echo) if req.verify_plan is not None else None
        return _fix_and_publish(req, top, start, branch, remote_has_branch, repo, token, verification, echo)


def _verify(req: PrRequest, top: Path, plans: Path, echo: Callable[[str], None]) -> Verification:
    """--verify-plan: the fixes from HEAD planned with terraform first; the settings then
    withhold what the plan contradicts and classify with the plan before the fixes."""
    assert req.verify_plan is not None
    if req.settings.state or req.settings.plan:
        raise PrError("--verify-plan reads what is deployed from its own terraform plan; leave out --state/--plan")
    with _worktree(top, "HEAD") as head:
        try:
            v = verify(req.paths, req.settings, req.verify_plan, source_top=head, env_top=top)
        except VerifyError as e:
            raise PrError(str(e)) from None
    for line in render_text(v):
        echo(line)
    if v.attempted and not v.verified:
        raise PrBlocked(f"blocked by the plan verification: none of the {v.attempted} fix(es) matches its declared "
                        "impact in terraform plan (the reasons are above); nothing was pushed")
    specs = []
    for i, (root, data) in enumerate(v.before_plans.items()):
        path = plans / f"plan-{i}.json"
        path.write_text(json.dumps(data))
        specs.append(f"{root}={path}")
    req.settings = replace(req.settings, plan=specs, withheld=frozenset(v.withheld))
    req.paths = [Path(p) for p in v.paths]  # the roots and the local modules outside them, as verified
    return v


def _check_verified(worktree: Path, plan: PrPlan, v: Verification) -> None:
    """The branch must hold exactly what was verified."""
    verified = {rel: after for rel, after, _, _ in v.changes}
    committed = {f for c in plan.commits for f in c.files}
    differ = sorted(rel for rel, after in verified.items()
                    if not (worktree / rel).is_file() or (worktree / rel).read_bytes() != after.encode("utf-8"))
    differ += sorted(set(committed) - set(verified))
    if differ:
        raise PrError(f"the fixes made for the pull request differ from the ones verified against the plan in "
                      f"{', '.join(differ[:3])}; nothing was pushed")


def _fix_and_publish(req: PrRequest, top: Path, start: str, branch: str, remote_has_branch: bool, repo: str | None,
                     token: str | None, verification: Verification | None, echo: Callable[[str], None]) -> int:
    with _worktree(top, start) as worktree:
        if remote_has_branch:
            _catch_up(worktree, _git(["rev-parse", "HEAD"], top).stdout.strip(), start)
        plan = plan_and_commit(req, worktree, branch)
        if verification is not None:
            if not remote_has_branch:
                _check_verified(worktree, plan, verification)
            plan.verification = markdown(verification)
        if req.dry_run:
            return _show(plan, branch, remote_has_branch, req, echo)
        if not plan.commits and not remote_has_branch:
            echo("tffix pr: nothing to fix")
            return 0
        assert repo is not None and token is not None
        try:
            api = GitHub(token, repo, req.api_url, deadline=req.api_timeout)
            return _publish(req, plan, branch, remote_has_branch, top, worktree, api, echo)
        except GitHubError as e:
            raise PrError(str(e)) from None


def _show(plan: PrPlan, branch: str, remote_has_branch: bool, req: PrRequest, echo: Callable[[str], None]) -> int:
    """--dry-run: what would be pushed and opened."""
    if not plan.commits:
        echo("tffix pr: nothing to fix" + (f"; branch {branch} is up to date" if remote_has_branch else ""))
        return 0
    plan.title, plan.body = pr_body(plan, req.command, req.rules)
    echo(f"branch: {branch}" + (" (exists on the remote: would be updated)" if remote_has_branch else ""))
    echo("commits:")
    for c in plan.commits:
        echo(f"  {c.message.splitlines()[0]} ({len(c.fixed)} fix(es): {', '.join(c.files)})")
    echo(f"title: {plan.title}")
    echo("body:\n" + plan.body)
    return 0


def _publish(req: PrRequest, plan: PrPlan, branch: str, remote_has_branch: bool, top: Path, worktree: Path,
             api: GitHub, echo: Callable[[str], None]) -> int:
    """Ask the API first, then push, then open or update the pull request."""
    base = req.base or api.default_branch()
    existing = api.find_open_pr(api.repo.split("/")[0], branch)
    if not plan.commits and existing is not None:
        echo(f"tffix pr: nothing new to fix; branch {branch} is up to date and pull request "
             f"#{existing['number']} is open: {existing.get('html_url', '')}")
        return 0
    # the pull request describes the whole branch: what tffix fixes starting from HEAD
    described = _plan_from_head(req, top, branch) if remote_has_branch else plan
    described.verification = plan.verification
    if not described.commits:
        echo(f"tffix pr: nothing to fix from HEAD; branch {branch} was left as it is")
        return 0
    title, body = pr_body(described, req.command, req.rules)
    if plan.commits:
        push = _git(["push", "-q", req.remote, f"HEAD:refs/heads/{branch}"], worktree, check=False)
        if push.returncode != 0:
            detail = (push.stderr or push.stdout).strip().splitlines()
            raise PrError(f"git push to {req.remote} failed (tffix never force-pushes): "
                          f"{detail[-1] if detail else push.returncode}")
    if existing is not None:
        pr = api.update_pr(int(existing["number"]), title, body)
        echo(f"tffix pr: updated pull request #{pr['number']}: {pr.get('html_url', '')}")
    else:
        pr = api.create_pr(title, branch, base, body)
        echo(f"tffix pr: opened pull request #{pr['number']}: {pr.get('html_url', '')}")
    return 0


def _plan_from_head(req: PrRequest, top: Path, branch: str) -> PrPlan:
    """The fixes tffix makes from HEAD, in a scratch work tree: the description
    of a branch that earlier runs already pushed part (or all) of."""
    with _worktree(top, "HEAD") as scratch:
        return plan_and_commit(req, scratch, branch)


@contextmanager
def _worktree(top: Path, start: str) -> Iterator[Path]:
    """A detached temporary work tree at ``start``, removed afterwards whatever
    happens (an error, a signal). Detached: no local branch is left behind."""
    worktree = Path(tempfile.mkdtemp(prefix="tffix-pr-"))
    try:
        shutil.rmtree(worktree)
        _git(["worktree", "add", "-q", "--detach", str(worktree), start], top)
        yield worktree
    finally:
        _git(["worktree", "remove", "--force", str(worktree)], top, check=False)
        if worktree.exists():
            shutil.rmtree(worktree, ignore_errors=True)
        _git(["worktree", "prune"], top, check=False)


def _catch_up(worktree: Path, head: str, tip: str) -> None:
    """Bring new work from HEAD into an existing tffix branch with a merge
    (never a rebase: the pushed branch only moves forward)."""
    if _git(["merge-base", "--is-ancestor", head, tip], worktree, check=False).returncode == 0:
        return
    identity = []
    if not _git(["config", "user.email"], worktree, check=False).stdout.strip():
        identity = ["-c", "user.name=tffix", "-c", "user.email=tffix@users.noreply.github.com"]
    merge = _git([*identity, "merge", "-q", "--no-edit", head], worktree, check=False)
    if merge.returncode != 0:
        raise PrError("the existing tffix branch conflicts with HEAD; delete it or pass another --branch")


def _relative(path: Path, top: Path) -> Path:
    absolute = Path(os.path.realpath(path))
    real_top = Path(os.path.realpath(top))
    if absolute != real_top and real_top not in absolute.parents:
        raise PrError(f"{path}: not inside the git work tree {top}")
    return absolute.relative_to(real_top)
