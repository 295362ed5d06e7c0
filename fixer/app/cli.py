"""The ``tffix`` command line.

    tffix [OPTIONS] [PATHS]...     fix in place (safe fixes; --unsafe-fixes for more)
    tffix --dry-run [PATHS]...     print unified diffs, write nothing
    tffix --check [PATHS]...       list findings only
    tffix fmt [PATHS]...           format like terraform fmt (rule TFX901)
    tffix rules [--format json]    list the rules
    tffix explain ID               a rule's documentation
    tffix -                        read stdin, write the fixed text to stdout

Exit codes: 0 nothing left to fix (or all fixed); 1 findings remain or changes
are pending (dry-run / check); 2 usage or input errors.
"""

from __future__ import annotations

import json
import os
import sys
from pathlib import Path
from typing import Any

import click
from tffix import __version__
from tffix.app.config import ConfigError, load_config
from tffix.app.output import Summary, text_finding, text_summary, to_json, to_sarif
from tffix.app.runner import Job, ModuleOutcome, collect_summary, fix_paths, run_text
from tffix.engine.engine import Options, select_rules

EXIT_OK, EXIT_FINDINGS, EXIT_ERROR = 0, 1, 2
FORMAT_RULE = "TFX901"


def _registry() -> tuple[list, set[str]]:
    from tffix.transforms.registry import OPT_IN, RULES

    return RULES, OPT_IN


class _DefaultGroup(click.Group):
    """``tffix PATHS`` runs the default command; ``tffix rules`` a subcommand."""

    def parse_args(self, ctx: click.Context, args: list[str]) -> list[str]:
        if not args or args[0] not in self.commands and args[0] not in ("--help", "-h", "--version"):
            args = ["run", *args]
        return super().parse_args(ctx, args)


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
def run_cmd(select: tuple[str, ...], ignore: tuple[str, ...], unsafe_fixes: bool | None, **kw: Any) -> None:
    """Find and fix mistakes in the Terraform under PATHS (default: .)."""
    sys.exit(_run(list(select), list(ignore), unsafe_fixes, **kw))


@main.command("fmt")
@_common
def fmt_cmd(**kw: Any) -> None:
    """Format files the way `terraform fmt` does (rule TFX901), in Python."""
    sys.exit(_run([FORMAT_RULE], [], None, only_rules=[FORMAT_RULE], **kw))


def _split(values: list[str]) -> list[str]:
    return [v.strip().upper() for item in values for v in item.split(",") if v.strip()]


def _run(select: list[str], ignore: list[str], unsafe_fixes: bool | None, *, paths: tuple[Path, ...],
         dry_run: bool, check: bool, fmt: str, jobs: int | None, stdin_filename: str, exit_non_zero_on_fix: bool,
         show_fixes: bool, no_progress: bool, only_rules: list[str] | None = None) -> int:
    if dry_run and check:
        click.echo("tffix: --dry-run and --check cannot be combined", err=True)
        return EXIT_ERROR
    rules, opt_in = _registry()
    targets = list(paths) or [Path(".")]
    use_stdin = targets == [Path("-")]
    if Path("-") in targets and not use_stdin:
        click.echo("tffix: `-` (stdin) cannot be combined with other paths", err=True)
        return EXIT_ERROR
    try:
        config = load_config(Path.cwd() if use_stdin else targets[0])
    except ConfigError as e:
        click.echo(f"tffix: {e}", err=True)
        return EXIT_ERROR
    chosen_select = _split(select) or config.select
    known = {r.id for r in rules}
    for pattern in [*(chosen_select or []), *_split(ignore)]:
        if pattern != "ALL" and not any(rid.startswith(pattern) for rid in known):
            click.echo(f"tffix: unknown rule id or prefix: {pattern}", err=True)
            return EXIT_ERROR
    chosen = select_rules(rules, chosen_select, [*config.ignore, *_split(ignore)], opt_in=opt_in)
    options = Options(
        unsafe_fixes=config.unsafe_fixes if unsafe_fixes is None else unsafe_fixes,
        extend_safe_fixes=config.extend_safe_fixes,
        extend_unsafe_fixes=config.extend_unsafe_fixes,
        rule_options=config.rules,
        apply_fixes=not check,
        preview_fixes=fmt == "sarif",
    )
    job = Job([r.id for r in chosen], options)
    if use_stdin:
        return _run_stdin(job, rules, stdin_filename, dry_run=dry_run, check=check, fmt=fmt,
                          exit_non_zero_on_fix=exit_non_zero_on_fix, show_fixes=show_fixes)
    bars = []

    def progress(total: int):
        if no_progress or fmt != "text" or total <= 4 or not sys.stderr.isatty():
            return None
        bars.append(click.progressbar(length=total, label="tffix", file=sys.stderr))
        bars[0].__enter__()
        return bars[0].update

    try:
        summary, outcomes = fix_paths(targets, job, jobs or os.cpu_count() or 1, write=not check and not dry_run,
                                      progress=progress)
    finally:
        for bar in bars:
            bar.__exit__(None, None, None)
    return _report(summary, outcomes, rules, chosen, fmt=fmt, dry_run=dry_run, check=check,
                   unsafe=options.unsafe_fixes, exit_non_zero_on_fix=exit_non_zero_on_fix, show_fixes=show_fixes)


def _report(summary: Summary, outcomes: list[ModuleOutcome], rules: list, chosen: list, *, fmt: str,
            dry_run: bool, check: bool, unsafe: bool, exit_non_zero_on_fix: bool, show_fixes: bool) -> int:
    if fmt == "json":
        click.echo(to_json(summary))
    elif fmt == "sarif":
        click.echo(to_sarif(summary.remaining, chosen))
    else:
        if dry_run:
            for _, diff in summary.diffs:
                click.echo(diff, nl=False)
        for r in summary.remaining:
            click.echo(text_finding(r), err=dry_run)
    for error in summary.errors:
        click.echo(error, err=True)
    if fmt == "text":
        for line in text_summary(summary, dry_run=dry_run, check=check, unsafe_fixes=unsafe, show_fixes=show_fixes):
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


def _run_stdin(job: Job, rules: list, name: str, *, dry_run: bool, check: bool, fmt: str,
               exit_non_zero_on_fix: bool, show_fixes: bool) -> int:
    data = sys.stdin.buffer.read()
    from tffix.app.files import InputError, decode

    try:
        text = decode(data, name)
    except InputError as e:
        click.echo(str(e), err=True)
        return EXIT_ERROR
    outcome, fixed = run_text(text, name, job)
    summary = Summary(modules=1, files=1)
    collect_summary(summary, [outcome], 1)
    if fmt == "text" and not check and not dry_run:
        sys.stdout.write(fixed if not outcome.errors else text)
        sys.stdout.flush()
        for r in summary.remaining:
            click.echo(text_finding(r), err=True)
        for error in summary.errors:
            click.echo(error, err=True)
        for line in text_summary(summary, dry_run=False, check=False, unsafe_fixes=job.options.unsafe_fixes,
                                 show_fixes=show_fixes):
            click.echo(line, err=True)
        return _exit_code(summary, dry_run=False, check=False, exit_non_zero_on_fix=exit_non_zero_on_fix)
    chosen = [r for r in rules if r.id in set(job.rule_ids)]
    return _report(summary, [outcome], rules, chosen, fmt=fmt, dry_run=dry_run, check=check,
                   unsafe=job.options.unsafe_fixes, exit_non_zero_on_fix=exit_non_zero_on_fix, show_fixes=show_fixes)


@main.command("pr")
@click.argument("paths", nargs=-1, type=click.Path(path_type=Path))
@click.option("--branch", help="Branch to push [default: tffix/<date>-<short HEAD>].")
@click.option("--remote", default="origin", show_default=True, help="Git remote to push to.")
@click.option("--repo", help="GitHub repository owner/name [default: from the remote URL].")
@click.option("--base", help="Base branch of the pull request [default: the repository's default branch].")
@click.option("--api-url", default="https://api.github.com", show_default=True,
              help="GitHub API URL (GitHub Enterprise: https://HOST/api/v3).")
@click.option("--single-commit", is_flag=True, help="One commit for all rules instead of one per rule.")
@click.option("--allow-dirty", is_flag=True, help="Run even if the work tree has uncommitted changes.")
@click.option("--dry-run", is_flag=True, help="Print the branch, commits and PR body; push nothing.")
@click.option("--select", multiple=True, help="Rule ids or prefixes to run.")
@click.option("--ignore", multiple=True, help="Rule ids or prefixes to skip.")
@click.option("--unsafe-fixes", is_flag=True, help="Also apply unsafe fixes.")
def pr_cmd(paths: tuple[Path, ...], branch: str | None, remote: str, repo: str | None, base: str | None,
           api_url: str, single_commit: bool, allow_dirty: bool, dry_run: bool, select: tuple[str, ...],
           ignore: tuple[str, ...], unsafe_fixes: bool) -> None:
    """Fix PATHS on a new branch and open (or update) a GitHub pull request.

    The token comes from GITHUB_TOKEN or GH_TOKEN and is never printed.
    """
    from tffix.app.pr import PrError, PrRequest, run_pr

    rules, opt_in = _registry()
    try:
        config = load_config(Path.cwd())
    except ConfigError as e:
        click.echo(f"tffix: {e}", err=True)
        sys.exit(EXIT_ERROR)
    chosen = select_rules(rules, _split(list(select)) or config.select, [*config.ignore, *_split(list(ignore))],
                          opt_in=opt_in)
    options = Options(unsafe_fixes=unsafe_fixes or config.unsafe_fixes, extend_safe_fixes=config.extend_safe_fixes,
                      extend_unsafe_fixes=config.extend_unsafe_fixes, rule_options=config.rules)
    command = " ".join(["tffix", *(["--unsafe-fixes"] if unsafe_fixes else []),
                        *(f"--select {s}" for s in select), *(f"--ignore {s}" for s in ignore),
                        *(str(p) for p in paths)])
    token = os.environ.get("GITHUB_TOKEN") or os.environ.get("GH_TOKEN")
    request = PrRequest(list(paths), Job([r.id for r in chosen], options), branch=branch, remote=remote, repo=repo,
                        base=base, api_url=api_url, single_commit=single_commit, allow_dirty=allow_dirty,
                        dry_run=dry_run, token=token, command=command)
    try:
        code = run_pr(request, click.echo)
    except PrError as e:
        message = str(e)
        if token:
            message = message.replace(token, "***")
        click.echo(f"tffix pr: {message}", err=True)
        sys.exit(EXIT_ERROR)
    sys.exit(code)


@main.command("rules")
@click.option("--format", "fmt", type=click.Choice(["text", "json", "markdown"]), default="text", show_default=True)
def rules_cmd(fmt: str) -> None:
    """List every rule: id, name, fix availability, safety, impact, mapped ids."""
    rules, opt_in = _registry()
    rows = [dict(r.describe(), opt_in=r.id in opt_in) for r in rules]
    if fmt == "json":
        click.echo(json.dumps(rows, indent=2))
        return
    if fmt == "markdown":
        click.echo("| id | name | summary | fix | safety | impact | Checkov | Trivy |")
        click.echo("|---|---|---|---|---|---|---|---|")
        for r in rows:
            click.echo(f"| {r['id']} | {r['name']} | {r['summary']} | {r['fix']} | {r['safety']} | {r['impact']} "
                       f"| {', '.join(r['checkov']) or '-'} | {', '.join(r['trivy']) or '-'} |")
        return
    for r in rows:
        mapped = ", ".join([*r["checkov"], *r["trivy"], *r["kics"]]) or "-"
        flag = " (opt-in)" if r["opt_in"] else ""
        click.echo(f"{r['id']}  {r['name']:<34} fix={r['fix']:<9} {r['safety']:<12} {r['impact']:<18} {mapped}{flag}")


@main.command("explain")
@click.argument("rule_id")
def explain_cmd(rule_id: str) -> None:
    """Show a rule's documentation."""
    rules, _ = _registry()
    rule = next((r for r in rules if r.id == rule_id.upper() or r.name == rule_id), None)
    if rule is None:
        click.echo(f"tffix: no rule {rule_id!r}; see `tffix rules`", err=True)
        sys.exit(EXIT_ERROR)
    click.echo(f"# {rule.id} {rule.name}\n\n{rule.summary}.\n")
    click.echo(f"Fix: {rule.fix_availability}; safety: {rule.safety}; deployment impact: {rule.impact}")
    mapped = rule.mapped_ids()
    if mapped:
        click.echo(f"Maps to: {', '.join(mapped)}")
    for section, text in rule.docs().items():
        click.echo(f"\n## {section}\n{text}")

