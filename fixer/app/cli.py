"""The ``tffix`` command line.

    tffix [OPTIONS] [PATHS]...     fix in place (safe fixes; --unsafe-fixes for more)
    tffix --dry-run [PATHS]...     print unified diffs, write nothing
    tffix --check [PATHS]...       list findings only
    tffix fmt [PATHS]...           format like terraform fmt (rule TFX901)
    tffix rules [--format json]    list the rules
    tffix explain ID               a rule's documentation
    tffix lsp                      the language server (stdio), for editors
    tffix verify [PATHS]...        fix root modules where `terraform plan` agrees
    tffix -                        read stdin, write the fixed text to stdout

Exit codes: 0 nothing left to fix (or all fixed); 1 findings remain or changes
are pending (dry-run / check); 2 usage or input errors.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path
from typing import Any

import click
from tffix import __version__
from tffix.app.files import InputError, remove_temporary_files
from tffix.app.interrupt import Interrupted, handling_signals
from tffix.app.output import Summary, text_finding, text_summary, to_json, to_sarif
from tffix.app.run import (
    CHECK,
    DRY_RUN,
    FIX,
    Report,
    Settings,
    SettingsError,
    configure,
    run,
)

EXIT_OK, EXIT_FINDINGS, EXIT_ERROR = 0, 1, 2
FORMAT_RULE = "TFX901"


class _DefaultGroup(click.Group):
    """``tffix PATHS`` runs the default command; ``tffix rules`` a subcommand.
    Every command runs with output streams that cannot fail to encode, and
    under a last-resort handler: no traceback ever reaches the user."""

    def parse_args(self, ctx: click.Context, args: list[str]) -> list[str]:
        if not args or args[0] not in self.commands and args[0] not in ("--help", "-h", "--version"):
            args = ["run", *args]
        return super().parse_args(ctx, args)

    def invoke(self, ctx: click.Context) -> Any:
        safe_streams()
        try:
            with handling_signals():
                return super().invoke(ctx)
        except (click.exceptions.Exit, click.exceptions.Abort, click.ClickException, BrokenPipeError):
            raise  # click's own handling (BrokenPipeError: the reader went away, as with `| head`)
        except Interrupted as exc:
            remove_temporary_files()
            click.echo(f"tffix: interrupted ({exc})", err=True)
            ctx.exit(exc.exit_code)
        except Exception as exc:  # noqa: BLE001 - the last resort
            click.echo(internal_error(ctx.invoked_subcommand or "tffix", exc), err=True)
            ctx.exit(EXIT_ERROR)


def internal_error(stage: str, exc: BaseException) -> str:
    """The one line a user sees for a bug in tffix."""
    detail = str(exc).splitlines()[0][:300] if str(exc) else ""
    return (f"tffix: internal error while {stage}: {type(exc).__name__}" + (f": {detail}" if detail else "")
            + " (please report it)")


def safe_streams() -> None:
    """Messages must never fail on a stdout or stderr that cannot encode them
    (``PYTHONIOENCODING=ascii``, a C locale): unencodable characters are
    escaped. File contents go out as UTF-8 bytes instead (``write_utf8``)."""
    for stream in (sys.stdout, sys.stderr):
        if callable(getattr(stream, "reconfigure", None)):
            try:
                stream.reconfigure(errors="backslashreplace")
            except (ValueError, OSError):  # pragma: no cover - a stream that cannot be reconfigured
                pass


def write_utf8(text: str) -> None:
    """Terraform text (a fixed file, a diff) as UTF-8 bytes, whatever the locale:
    ``tffix - < a.tf > b.tf`` must give the bytes of the file."""
    buffer = getattr(sys.stdout, "buffer", None)
    if buffer is None:  # pragma: no cover - a text-only stdout
        sys.stdout.write(text)
        return
    sys.stdout.flush()
    buffer.write(text.encode("utf-8"))
    buffer.flush()


@click.group(cls=_DefaultGroup, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="tffix")
def main() -> None:
    """tffix: fix common Terraform mistakes in place.

    Run `tffix [PATHS]` to apply safe fixes, `tffix --dry-run` to preview them
    as diffs, `tffix --check` to list findings. See `tffix run --help`.
    """


def _common(f):  # shared options of `run` and `fmt`
    options = [
        click.argument("paths", nargs=-1, type=click.Path(path_type=Path)),
        click.option("--dry-run", is_flag=True, help="Print unified diffs of the fixes; write nothing."),
        click.option("--check", is_flag=True, help="List findings only; compute no fixes."),
        click.option("--format", "fmt", type=click.Choice(["text", "json", "sarif"]), default="text",
                     show_default=True, help="Output format."),
        click.option("-j", "--jobs", type=click.IntRange(min=1), default=None,
                     help="Modules processed in parallel [default: the number of cores]."),
        click.option("--stdin-filename", default="stdin.tf", show_default=True,
                     help="Name to report for `-` (stdin)."),
        click.option("--exit-non-zero-on-fix", is_flag=True, help="Exit 1 when any fix was applied."),
        click.option("--show-fixes", is_flag=True, help="List the fixes applied (or that would be)."),
        click.option("--no-progress", is_flag=True, help="Never show a progress bar."),
    ]
    for option in reversed(options):
        f = option(f)
    return f


@main.command("run")
@_common
@click.option("--select", multiple=True, help="Rule ids or prefixes to run (repeatable, comma-separated).")
@click.option("--ignore", multiple=True, help="Rule ids or prefixes to skip (repeatable, comma-separated).")
@click.option("--unsafe-fixes/--no-unsafe-fixes", default=None, help="Also apply unsafe fixes.")
@click.option("--state", "state", multiple=True, metavar="[ROOT=]PATH",
              help="What is deployed: `terraform show -json` / `state pull` output or a terraform.tfstate "
                   "(one per root module; ROOT defaults to the one PATH given).")
@click.option("--plan", "plan", multiple=True, metavar="[ROOT=]PATH",
              help="`terraform show -json PLANFILE` output: its prior state is what is deployed.")
def run_cmd(select: tuple[str, ...], ignore: tuple[str, ...], unsafe_fixes: bool | None, **kw: Any) -> None:
    """Find and fix mistakes in the Terraform under PATHS (default: .)."""
    sys.exit(_run(list(select), list(ignore), unsafe_fixes, **kw))


@main.command("fmt")
@_common
def fmt_cmd(**kw: Any) -> None:
    """Format files the way `terraform fmt` does (rule TFX901), in Python."""
    sys.exit(_run([FORMAT_RULE], [], None, **kw))


def _split(values: list[str]) -> list[str]:
    return [v.strip().upper() for item in values for v in item.split(",") if v.strip()]


def _run(select: list[str], ignore: list[str], unsafe_fixes: bool | None, *, paths: tuple[Path, ...],
         dry_run: bool, check: bool, fmt: str, jobs: int | None, stdin_filename: str, exit_non_zero_on_fix: bool,
         show_fixes: bool, no_progress: bool, state: tuple[str, ...] = (), plan: tuple[str, ...] = ()) -> int:
    if dry_run and check:
        click.echo("tffix: --dry-run and --check cannot be combined", err=True)
        return EXIT_ERROR
    settings = Settings(select=_split(select) or None, ignore=_split(ignore), unsafe_fixes=unsafe_fixes,
                        mode=CHECK if check else DRY_RUN if dry_run else FIX, preview_fixes=fmt == "sarif",
                        jobs=jobs or os.cpu_count() or 1, stdin_filename=stdin_filename, state=state, plan=plan)
    bars = []

    def progress(total: int):
        if no_progress or fmt != "text" or total <= 4 or not sys.stderr.isatty():
            return None
        bars.append(click.progressbar(length=total, label="tffix", file=sys.stderr))
        bars[0].__enter__()
        return bars[0].update

    written: list[str] = []
    try:
        report = run(list(paths), settings, progress=progress, written=written)
    except Interrupted as exc:
        remove_temporary_files()
        for bar in bars:
            bar.__exit__(None, None, None)
        bars.clear()
        click.echo(f"tffix: interrupted ({exc}); {len(written)} file(s) already written"
                   + (":" if written else "; nothing was changed"), err=True)
        for path in written:
            click.echo(f"  {path}", err=True)
        return exc.exit_code
    except SettingsError as e:
        click.echo(f"tffix: {e}", err=True)
        return EXIT_ERROR
    except InputError as e:
        click.echo(str(e), err=True)
        return EXIT_ERROR
    except Exception as exc:  # noqa: BLE001 - the last resort: still a summary and valid JSON/SARIF
        report = Report(Summary(errors=[internal_error("finding and fixing files", exc)]), [], False, [])
        return _report(report, fmt=fmt, dry_run=dry_run, check=check, exit_non_zero_on_fix=False,
                       show_fixes=False)
    finally:
        for bar in bars:
            bar.__exit__(None, None, None)
    try:
        return _output(report, settings, fmt=fmt, dry_run=dry_run, check=check,
                       exit_non_zero_on_fix=exit_non_zero_on_fix, show_fixes=show_fixes)
    except BrokenPipeError:
        raise  # nobody reads any more: click exits quietly
    except Exception as exc:  # noqa: BLE001 - the last resort while printing: the counts still go out
        s = report.summary
        summary = Summary(modules=s.modules, files=s.files, changed=list(s.changed),
                          errors=[internal_error("printing the results", exc)])
        return _report(Report(summary, [], report.unsafe_fixes, []), fmt=fmt, dry_run=dry_run, check=check,
                       exit_non_zero_on_fix=False, show_fixes=False)


def _output(report: Report, settings: Settings, *, fmt: str, dry_run: bool, check: bool,
            exit_non_zero_on_fix: bool, show_fixes: bool) -> int:
    summary = report.summary
    if report.output is not None and fmt == "text" and settings.mode == FIX:  # stdin: the fixed text to stdout
        write_utf8(report.output)
        for r in summary.remaining:
            click.echo(text_finding(r), err=True)
        for error in summary.errors:
            click.echo(error, err=True)
        for line in text_summary(summary, dry_run=False, check=False, unsafe_fixes=report.unsafe_fixes,
                                 show_fixes=show_fixes):
            click.echo(line, err=True)
        return _exit_code(summary, dry_run=False, check=False, exit_non_zero_on_fix=exit_non_zero_on_fix)
    return _report(report, fmt=fmt, dry_run=dry_run, check=check, exit_non_zero_on_fix=exit_non_zero_on_fix,
                   show_fixes=show_fixes)


def _report(report: Report, *, fmt: str, dry_run: bool, check: bool, exit_non_zero_on_fix: bool,
            show_fixes: bool) -> int:
    summary = report.summary
    if fmt == "json":
        click.echo(to_json(summary))
    elif fmt == "sarif":
        click.echo(to_sarif(summary.remaining, report.rules))
    else:
        if dry_run:
            write_utf8("".join(diff for _, diff in summary.diffs))
        for r in summary.remaining:
            click.echo(text_finding(r), err=dry_run)
    for error in summary.errors:
        click.echo(error, err=True)
    if fmt == "text":
        for line in text_summary(summary, dry_run=dry_run, check=check, unsafe_fixes=report.unsafe_fixes,
                                 show_fixes=show_fixes):
            click.echo(line, err=True)
    return _exit_code(summary, dry_run=dry_run, check=check, exit_non_zero_on_fix=exit_non_zero_on_fix)


def _exit_code(summary: Summary, *, dry_run: bool, check: bool, exit_non_zero_on_fix: bool) -> int:
    if summary.errors:
        return EXIT_ERROR
    if summary.remaining:
        return EXIT_FINDINGS
    if (dry_run or check) and (summary.changed or summary.fixed):
        return EXIT_FINDINGS
    if exit_non_zero_on_fix and summary.fixed:
        return EXIT_FINDINGS
    return EXIT_OK


@main.command("pr")
@click.argument("paths", nargs=-1, type=click.Path(path_type=Path))
@click.option("--branch", help="Branch to push [default: tffix/<date>-<short HEAD>].")
@click.option("--remote", default="origin", show_default=True, help="Git remote to push to.")
@click.option("--repo", help="GitHub repository owner/name [default: from the remote URL].")
@click.option("--base", help="Base branch of the pull request [default: the repository's default branch].")
@click.option("--api-url", default="https://api.github.com", show_default=True,
              help="GitHub API URL (GitHub Enterprise: https://HOST/api/v3).")
@click.option("--api-timeout", type=click.FloatRange(min=0, min_open=True), default=120.0, show_default=True,
              help="Seconds allowed for all the GitHub API calls together.")
@click.option("--single-commit", is_flag=True, help="One commit for all rules instead of one per rule.")
@click.option("--allow-dirty", is_flag=True, help="Run even if the work tree has uncommitted changes.")
@click.option("--dry-run", is_flag=True, help="Print the branch, commits and PR body; push nothing.")
@click.option("--select", multiple=True, help="Rule ids or prefixes to run.")
@click.option("--ignore", multiple=True, help="Rule ids or prefixes to skip.")
@click.option("--unsafe-fixes", is_flag=True, help="Also apply unsafe fixes.")
@click.option("--state", "state", multiple=True, metavar="[ROOT=]PATH",
              help="What is deployed, as for `tffix --state` (ROOT relative to the repository's top).")
@click.option("--plan", "plan", multiple=True, metavar="[ROOT=]PATH",
              help="`terraform show -json PLANFILE` output, as for `tffix --plan`.")
@click.option("--verify-plan", is_flag=True,
              help="Run terraform plan before and after the fixes (PATHS are root modules, initialized) and "
                   "propose only the fixes the plan agrees with, as `tffix verify` does.")
@click.option("--terraform", "terraform_bin", metavar="PATH", help="With --verify-plan: the terraform binary.")
@click.option("--plan-timeout", type=click.FloatRange(min=0, min_open=True), default=900.0, show_default=True,
              help="With --verify-plan: seconds allowed for each terraform command.")
@click.option("--plan-arg", "plan_args", multiple=True, metavar="ARG",
              help="With --verify-plan: an extra `terraform plan` argument (repeatable).")
def pr_cmd(paths: tuple[Path, ...], branch: str | None, remote: str, repo: str | None, base: str | None,
           api_url: str, api_timeout: float, single_commit: bool, allow_dirty: bool, dry_run: bool,
           select: tuple[str, ...], ignore: tuple[str, ...], unsafe_fixes: bool, state: tuple[str, ...],
           plan: tuple[str, ...], verify_plan: bool, terraform_bin: str | None, plan_timeout: float,
           plan_args: tuple[str, ...]) -> None:
    """Fix PATHS on a new branch and open (or update) a GitHub pull request.

    The token comes from GITHUB_TOKEN or GH_TOKEN and is never printed. Exit 0: done (or
    nothing to fix); 1: --verify-plan left no fix to propose; 2: an error.
    """
    # imported here: the git and HTTP code only this command needs
    from tffix.app.pr import PrBlocked, PrError, PrRequest, run_pr
    from tffix.app.verify import Terraform

    def absolute_file(spec: str) -> str:  # the fixes run in a temporary work tree: the file stays where it is
        root, sep, file = spec.rpartition("=")
        return f"{root}{sep}{Path(file).resolve()}"

    settings = Settings(select=_split(list(select)) or None, ignore=_split(list(ignore)),
                        unsafe_fixes=True if unsafe_fixes else None, config_from=Path.cwd(),
                        state=[absolute_file(s) for s in state], plan=[absolute_file(s) for s in plan])
    try:
        rules, _ = configure(settings)
    except SettingsError as e:
        click.echo(f"tffix: {e}", err=True)
        sys.exit(EXIT_ERROR)
    command = " ".join(["tffix", *(["--unsafe-fixes"] if unsafe_fixes else []),
                        *(f"--select {s}" for s in select), *(f"--ignore {s}" for s in ignore),
                        *(str(p) for p in paths)])
    token = os.environ.get("GITHUB_TOKEN") or os.environ.get("GH_TOKEN")
    request = PrRequest(list(paths), settings, rules, branch=branch, remote=remote, repo=repo, base=base,
                        api_url=api_url, api_timeout=api_timeout, single_commit=single_commit,
                        allow_dirty=allow_dirty, dry_run=dry_run, token=token, command=command,
                        verify_plan=Terraform(terraform_bin, plan_timeout, plan_args) if verify_plan else None)
    try:
        code = run_pr(request, click.echo)
    except PrError as e:
        message = str(e)
        if token:
            message = message.replace(token, "***")
        click.echo(f"tffix pr: {message}", err=True)
        sys.exit(EXIT_FINDINGS if isinstance(e, PrBlocked) else EXIT_ERROR)
    sys.exit(code)


@main.command("verify")
@click.argument("paths", nargs=-1, type=click.Path(path_type=Path))
@click.option("--select", multiple=True, help="Rule ids or prefixes to run (repeatable, comma-separated).")
@click.option("--ignore", multiple=True, help="Rule ids or prefixes to skip (repeatable, comma-separated).")
@click.option("--unsafe-fixes/--no-unsafe-fixes", default=None, help="Also apply (and verify) unsafe fixes.")
@click.option("--terraform", "terraform_bin", metavar="PATH", help="The terraform binary [default: terraform on PATH].")
@click.option("--timeout", type=click.FloatRange(min=0, min_open=True), default=900.0, show_default=True,
              help="Seconds allowed for each terraform command.")
@click.option("--plan-arg", "plan_args", multiple=True, metavar="ARG",
              help="An extra `terraform plan` argument, e.g. --plan-arg=-var-file=prod.tfvars (repeatable).")
@click.option("--dry-run", is_flag=True, help="Print the verified fixes as diffs; write nothing.")
def verify_cmd(paths: tuple[Path, ...], select: tuple[str, ...], ignore: tuple[str, ...], unsafe_fixes: bool | None,
               terraform_bin: str | None, timeout: float, plan_args: tuple[str, ...], dry_run: bool) -> None:
    """Fix the root modules PATHS (default: .) only where `terraform plan` agrees.

    terraform plans each root before and after the fixes, in a scratch copy that uses your
    initialized .terraform, lock file and state read-only; every planned action must match
    the impact the fix declared. Fixes the plan contradicts are dropped, the others written.
    Exit 0: all fixes verified; 1: some dropped; 2: terraform or input failed.
    """
    sys.exit(_verify(list(paths), _split(list(select)), _split(list(ignore)), unsafe_fixes, terraform_bin, timeout,
                     list(plan_args), dry_run))


def _verify(paths: list[Path], select: list[str], ignore: list[str], unsafe_fixes: bool | None,
            terraform_bin: str | None, timeout: float, plan_args: list[str], dry_run: bool) -> int:
    from tffix.app.files import write_atomic
    from tffix.app.runner import unified_diff
    from tffix.app.verify import Terraform, VerifyError, module_tree, render_text, verify

    roots = [Path(os.path.realpath(p)) for p in (paths or [Path(".")])]
    for given, root in zip(paths or [Path(".")], roots):
        if not root.is_dir():
            click.echo(f"tffix verify: {given}: not a directory (give root modules)", err=True)
            return EXIT_ERROR
    top = Path(os.path.commonpath([str(d) for r in roots for d in module_tree(r)]))
    cwd = Path(os.path.realpath(Path.cwd()))

    def show(display: str) -> str:
        path = top / display
        return os.path.relpath(path, cwd) if path == cwd or cwd in path.parents else str(path)

    settings = Settings(select=select or None, ignore=ignore, unsafe_fixes=unsafe_fixes, config_from=roots[0])
    try:
        configure(settings)
        result = verify([r.relative_to(top) for r in roots], settings, Terraform(terraform_bin, timeout, plan_args),
                        source_top=top, label=show,
                        progress=lambda root, m: click.echo(f"tffix verify: {show(root)}: {m}", err=True))
    except (VerifyError, SettingsError) as e:
        click.echo(f"tffix verify: {e}", err=True)
        return EXIT_ERROR
    for line in render_text(result, show):
        click.echo(line)
    errors = []
    for rel, after, expected, created in result.changes:
        target = top / rel
        if dry_run:
            before = "" if created else target.read_text(encoding="utf-8")
            write_utf8(unified_diff(before, after, show(rel), created=created))
            continue
        error = write_atomic(target, after, expected, [Path(os.path.realpath(top / p)) for p in result.paths])
        if error:
            errors.append(error)
    if result.verified:
        click.echo(f"{'Would apply' if dry_run else 'Applied'} {len(result.verified)} verified fix(es):")
    for r in result.verified:
        click.echo(f"  {show(r.path)}:{r.line}: {r.rule_id} {r.fix}")
    verb = "would change" if dry_run else "changed"
    click.echo(f"Verified {len(result.verified)} fix(es) against the plan, dropped {len(result.dropped)}; "
               f"{len(result.changes) - len(errors)} file(s) {verb}.")
    for error in errors:
        click.echo(error, err=True)
    if errors:
        return EXIT_ERROR
    return EXIT_FINDINGS if result.dropped else EXIT_OK


@main.command("lsp")
def lsp_cmd() -> None:
    """Run the language server on stdio (for editors; needs `pip install 'tffix[lsp]'`)."""
    from tffix.app.lsp import missing_extra

    problem = missing_extra()
    if problem:
        click.echo(problem, err=True)
        sys.exit(EXIT_ERROR)
    # imported here: pygls is an optional extra, and only this command needs it
    from tffix.app.lsp.server import serve

    serve()


@main.command("rules")
@click.option("--format", "fmt", type=click.Choice(["text", "json", "markdown"]), default="text", show_default=True)
def rules_cmd(fmt: str) -> None:
    """List every rule: id, name, fix availability, safety, impact, and the mapped
    Checkov/Trivy/KICS ids it fixes and those it only reports."""
    from tffix.app.run import OPT_IN, RULES  # every rule, imported here

    rows = [dict(r.describe(), opt_in=r.id in OPT_IN) for r in RULES]
    labels = {r.id: r.fixed_labels() for r in RULES}  # `CKV_AWS_145 (with sse-algorithm = "aws:kms")`
    reported = {r.id: r.reported_labels() for r in RULES}
    if fmt == "json":
        import json

        click.echo(json.dumps(rows, indent=2))
        return
    if fmt == "markdown":
        click.echo("| id | name | summary | fix | safety | impact | fixes | reports |")
        click.echo("|---|---|---|---|---|---|---|---|")
        for r in rows:
            click.echo(f"| {r['id']} | {r['name']} | {r['summary']} | {r['fix']} | {r['safety']} | {r['impact']} "
                       f"| {', '.join(labels[r['id']]) or '-'} | {', '.join(reported[r['id']]) or '-'} |")
        return
    for r in rows:
        shown = {"fixes": labels[r["id"]], "reports": reported[r["id"]]}
        mapped = "; ".join(f"{kind} {', '.join(ids)}" for kind, ids in shown.items() if ids) or "-"
        flag = " (opt-in)" if r["opt_in"] else ""
        click.echo(f"{r['id']}  {r['name']:<34} fix={r['fix']:<9} {r['safety']:<12} {r['impact']:<18} {mapped}{flag}")


@main.command("explain")
@click.argument("rule_id")
def explain_cmd(rule_id: str) -> None:
    """Show a rule's documentation."""
    from tffix.app.run import RULES  # every rule, imported here

    rule = next((r for r in RULES if r.id == rule_id.upper() or r.name == rule_id), None)
    if rule is None:
        click.echo(f"tffix: no rule {rule_id!r}; see `tffix rules`", err=True)
        sys.exit(EXIT_ERROR)
    click.echo(f"# {rule.id} {rule.name}\n\n{rule.summary}.\n")
    click.echo(f"Fix: {rule.fix_availability}; safety: {rule.safety}; deployment impact: {rule.impact}")
    if rule.fixed_ids():
        click.echo(f"Fixes: {', '.join(rule.fixed_labels())}")
    if rule.reported_ids():
        click.echo(f"Reports: {', '.join(rule.reported_labels())}")
    for cid, covers in rule.partial.items():
        click.echo(f"Partial: {cid} covers {covers}")
    for section, text in rule.docs().items():
        click.echo(f"\n## {section}\n{text}")

