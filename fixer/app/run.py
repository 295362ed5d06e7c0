"""One run of tffix, below any front end: ``run(paths, settings) -> Report``.

The CLI (``tffix``, ``tffix fmt``), ``tffix pr`` and any other caller go through
here, so the config file is merged with the settings and the rules are chosen
and checked in one place. This is the composition root: the only module that
imports the rule registry (``tffix.transforms``); everything below it is handed
rule classes.
"""

from __future__ import annotations

import sys
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

from tffix.app.config import Config, ConfigError, load_config
from tffix.app.files import decode
from tffix.app.output import Summary
from tffix.app.discovery import ModuleSpec, scan_module
from tffix.app.runner import Job, ModuleOutcome, Previews, Trees, collect_summary, fix_paths, run_text, run_texts
from tffix.app.state import StateError, load_deployment
from tffix.engine.deployment import Deployment
from tffix.engine.engine import Options, select_rules
from tffix.engine.rules import Rule
from tffix.engine.rules import RuleEntry
from tffix.transforms.registry import ENTRIES, FIX_CHECKS

__all__ = ["run", "run_module_texts", "Previews", "Trees", "configure", "Settings", "Report", "SettingsError", "FIX", "DRY_RUN",
           "CHECK", "RULES", "OPT_IN"]

FIX, DRY_RUN, CHECK = "fix", "dry-run", "check"
STDIN = Path("-")

Progress = Callable[[int], Callable[[int], None] | None]


class SettingsError(Exception):
    """Settings a run cannot start with: a bad config file, an unknown rule id."""


@dataclass
class Settings:
    """What to run and how. ``None`` means: as the config file says."""

    select: Sequence[str] | None = None  # rule ids or prefixes; None: the config's, else the default set
    ignore: Sequence[str] = ()  # added to the config's
    unsafe_fixes: bool | None = None
    mode: str = FIX  # FIX writes the fixes; DRY_RUN computes them and writes nothing; CHECK only finds
    preview_fixes: bool = False  # record the edits of the fixes left unapplied (SARIF, editors)
    jobs: int = 1  # modules in parallel
    stdin: bytes | None = None  # the input for the path ``-`` (None: read standard input)
    stdin_filename: str = "stdin.tf"
    config_from: Path | None = None  # where the config search starts; None: the first path (stdin: the cwd)
    state: Sequence[str] = ()  # ``[ROOT=]PATH``: what is deployed (tffix.app.state); replaces the config's
    plan: Sequence[str] = ()
    withheld: Iterable[tuple[str, str, str, str]] = ()  # fixes not to apply (``Record.key``; ``tffix verify``)


def __getattr__(name: str) -> object:
    """``RULES`` (every rule class) and ``OPT_IN`` from the registry, imported on first use:
    a run needs only the index (``ENTRIES``)."""
    if name in ("RULES", "OPT_IN"):
        from tffix.transforms import registry

        return getattr(registry, name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


@dataclass
class Report:
    summary: Summary  # findings left and fixed (their edits on the records), diffs, errors
    entries: list[RuleEntry | type[Rule]]  # the rules chosen (``rules``: their classes)
    unsafe_fixes: bool  # as the config and settings decided
    outcomes: list[ModuleOutcome]
    output: str | None = None  # stdin: the text to write out (the input itself when it has errors)

    @property
    def rules(self) -> list[type[Rule]]:
        """The rules that ran (the chosen ones), as classes (imported now)."""
        return [r.load() if isinstance(r, RuleEntry) else r for r in self.entries]


def configure(settings: Settings, paths: Sequence[Path] = ()) -> tuple[list[type[Rule]], Options]:
    """The settings merged with the config file: the rules to run and the engine options."""
    entries, options = _configure(settings, paths)
    return [e.load() for e in entries], options


def _configure(settings: Settings, paths: Sequence[Path] = ()) -> tuple[list[RuleEntry], Options]:
    """``configure``, with the rules as index entries (nothing imported)."""
    start = settings.config_from or (Path.cwd() if not paths or list(paths) == [STDIN] else paths[0])
    try:
        config = load_config(start)
    except ConfigError as e:
        raise SettingsError(str(e)) from None
    select = config.select if settings.select is None else [p.upper() for p in settings.select]
    ignore = [p.upper() for p in settings.ignore]
    known = {r.id for r in ENTRIES}
    for pattern in [*(select or []), *ignore]:
        if pattern != "ALL" and not any(rid.startswith(pattern) for rid in known):
            raise SettingsError(f"unknown rule id or prefix: {pattern}")
    _check_config_ids(config)
    rules = select_rules(ENTRIES, select, [*config.ignore, *ignore], opt_in={r.id for r in ENTRIES if not r.default_enabled})
    options = Options(
        unsafe_fixes=config.unsafe_fixes if settings.unsafe_fixes is None else settings.unsafe_fixes,
        extend_safe_fixes=config.extend_safe_fixes,
        extend_unsafe_fixes=config.extend_unsafe_fixes,
        rule_options=config.rules,
        apply_fixes=settings.mode != CHECK,
        preview_fixes=settings.preview_fixes,
        fix_checks=FIX_CHECKS,
        deployment=_deployment(settings, config, paths),
        withheld=frozenset(settings.withheld),
    )
    return rules, options


def _deployment(settings: Settings, config: Config, paths: Sequence[Path]) -> Deployment | None:
    """What the state or plan says is deployed; a bare ``PATH`` applies to the one
    directory given (or the current directory)."""
    states = list(settings.state) if settings.state or settings.plan else config.state
    plans = list(settings.plan) if settings.state or settings.plan else config.plan
    dirs = [p for p in paths if p != STDIN]
    default_root = dirs[0] if len(dirs) == 1 and dirs[0].is_dir() else Path.cwd()
    if (states or plans) and len(dirs) > 1 and any("=" not in s for s in [*states, *plans]):
        raise SettingsError("with several paths, name the root module of each state or plan: --state ROOT=PATH")
    try:
        return load_deployment(states, plans, default_root)
    except StateError as e:
        raise SettingsError(str(e)) from None


def _check_config_ids(config: Config) -> None:
    """A typo in the config must not silently turn a setting off: every id,
    prefix and per-rule option name in it must exist."""
    known = {r.id: r for r in ENTRIES}
    for key, patterns in (("select", config.select or []), ("ignore", config.ignore),
                          ("extend-safe-fixes", config.extend_safe_fixes),
                          ("extend-unsafe-fixes", config.extend_unsafe_fixes)):
        for pattern in patterns:
            if pattern != "ALL" and not any(rid.startswith(pattern) for rid in known):
                raise SettingsError(f"{config.path}: '{key}': unknown rule id or prefix: {pattern}")
    for rid, options in config.rules.items():
        rule = known.get(rid)
        if rule is None:
            raise SettingsError(f"{config.path}: [rules.{rid}]: unknown rule id")
        unknown = sorted(set(options) - set(rule.options))
        if unknown:
            allowed = ", ".join(sorted(rule.options)) or "none"
            raise SettingsError(f"{config.path}: [rules.{rid}]: unknown option(s) {', '.join(unknown)} "
                                f"(options of {rid}: {allowed})")


def run(paths: Sequence[Path], settings: Settings, progress: Progress | None = None,
        written: list[str] | None = None) -> Report:
    """Find and fix under ``paths`` (``[Path("-")]``: stdin). Raises SettingsError,
    and InputError for stdin that is not UTF-8; every other problem is reported
    in ``report.summary.errors``. ``progress(total)`` may return a callback
    advanced once per module; ``written`` receives the display path of each
    file as soon as it is written (what a run cut short by a signal has done)."""
    if settings.mode not in (FIX, DRY_RUN, CHECK):
        raise SettingsError(f"unknown mode {settings.mode!r}: {FIX!r}, {DRY_RUN!r} or {CHECK!r}")
    paths = list(paths) or [Path(".")]
    if STDIN in paths and paths != [STDIN]:
        raise SettingsError("`-` (stdin) cannot be combined with other paths")
    rules, options = _configure(settings, paths)
    job = Job(list(rules), options)
    if paths == [STDIN]:
        name = settings.stdin_filename
        text = decode(sys.stdin.buffer.read() if settings.stdin is None else settings.stdin, name)
        outcome, fixed = run_text(text, name, job)
        summary = Summary()
        collect_summary(summary, [outcome], 1)
        summary.files = 1  # one input, whether or not it parsed
        return Report(summary, rules, options.unsafe_fixes, [outcome], text if outcome.errors else fixed)
    summary, outcomes = fix_paths(paths, job, settings.jobs, write=settings.mode == FIX, progress=progress,
                                  written=written)
    return Report(summary, rules, options.unsafe_fixes, outcomes)


def run_module_texts(directory: Path, texts: Mapping[Path, str], settings: Settings,
                     only: Iterable[Path] | None = None, previews: Previews | None = None,
                     trees: Trees | None = None) -> Report:
    """Find (and, in DRY_RUN mode, fix in memory) one module: the Terraform files of
    ``directory`` on disk, with ``texts`` (path -> text: an editor's open buffers)
    read instead of the disk, or added when the file is not on disk yet. ``only``:
    report findings in these files alone (their fixes may still edit or create
    others). Nothing is written, so the mode FIX is refused. The config is found
    from ``directory`` unless ``settings.config_from`` says otherwise. The
    outcome (``report.outcomes[0]``) keeps the texts the run read (``sources``)
    and its input errors as data (``problems``); the summary's diffs and changes
    are what the fixes would do. ``previews`` (mode CHECK) keeps the findings to
    preview their fixes later, a few at a time (``Previews.edits``), instead of all
    of them now (``settings.preview_fixes``). ``trees`` (mode CHECK): the parsed files
    of the last check of this module, kept to parse again only what changed
    (``Trees``); the findings are the same as without."""
    if settings.mode == FIX:
        raise SettingsError("run_module_texts writes nothing: use the mode DRY_RUN or CHECK")
    if settings.mode not in (DRY_RUN, CHECK):
        raise SettingsError(f"unknown mode {settings.mode!r}: {DRY_RUN!r} or {CHECK!r}")
    directory = Path(directory)
    rules, options = _configure(settings, [directory])
    # a directory gone from disk (an editor's buffer of a deleted file): the texts alone
    spec, problems = scan_module(directory) if directory.is_dir() else (ModuleSpec(directory), [])
    on_disk = {*spec.files, *spec.tfvars}
    for path in texts:
        if Path(path).parent == directory and path not in on_disk and path.name.endswith((".tf", ".tofu", ".tfvars")):
            (spec.tfvars if path.name.endswith(".tfvars") else spec.files).append(path)
    if only is not None:
        spec.only = set(only)
    outcome = run_texts(spec, texts, Job(list(rules), options), previews, trees)
    summary = Summary(errors=list(problems))
    collect_summary(summary, [outcome], 1)
    return Report(summary, rules, options.unsafe_fixes, [outcome])
