"""Running the engine over many modules: loading, parallelism.

Each module is processed independently (in a worker process when ``jobs`` >
1, the default being one per core); the workers take the modules largest
first, so one giant module does not start last and serialise the end of the
run. Results come back as plain data and are put back in the order of the
modules, so the output of a parallel run is identical to a serial one. Nothing here writes
files: the CLI writes, after the run, so it can check files did not change
under it.

A module with a file that cannot be read or parsed is still checked (its
good files are reported on), but no fix is applied in it: rules that reason
across files could otherwise act on an incomplete picture.
"""

from __future__ import annotations

import difflib
import functools
import gc
import os
import threading
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import TYPE_CHECKING

from tffix.app.discovery import ModuleSpec, discover, roots_of
from tffix.app.files import InputError, read_source, write_atomic
from tffix.app.interrupt import blocked, reset_in_worker
from tffix.app.output import Summary
from tffix.app.stack import call_with_deep_stack
from tffix.engine.edits import TextEdit
from tffix.engine.engine import ModuleResult, Options, preview, run_module
from tffix.engine.module import Module, SourceFile, duplicate_declarations
from tffix.engine.reparse import edited
from tffix.engine.rules import Finding, Rule, RuleEntry
from tffix.syntax import cst
from tffix.syntax.blocks import check_block_labels
from tffix.syntax.errors import ParseError
from tffix.syntax.parser import parse

if TYPE_CHECKING:
    from concurrent.futures import ProcessPoolExecutor

__all__ = ["Job", "ModuleOutcome", "Problem", "Previews", "Trees", "run_all", "run_text", "run_texts", "unified_diff",
           "display_path", "collect_summary",
           "write_changes", "fix_paths"]


@dataclass
class Job:
    """What every worker needs: the rules to run (classes pickle by name; index entries, imported
    where they can apply, are data) and the engine options."""

    rules: list[type[Rule] | RuleEntry]
    options: Options


@dataclass
class ModuleOutcome:
    directory: str
    result: ModuleResult
    errors: list[str] = field(default_factory=list)  # input errors (parse, encoding, I/O)
    digests: dict[str, str] = field(default_factory=dict)  # display path -> sha256 of bytes read
    problems: list[Problem] = field(default_factory=list)  # the input errors as data (editors)
    # display path -> (path, text) of each file the module was read from; kept only by ``run_texts``
    sources: dict[str, tuple[str, str]] = field(default_factory=dict)


@dataclass
class Problem:
    """An input error where it is: a file that does not parse, is not UTF-8, cannot be read."""

    path: str  # display path
    message: str
    line: int | None = None  # 1-based; None: the whole file
    column: int | None = None


def display_path(path: Path) -> str:
    """The path as the user should see it: relative to the cwd when below it,
    also when it is spelled through a symlink (``/tmp/link/mod`` from inside
    ``/tmp/real``); else as given."""
    try:
        rel = os.path.relpath(path)
        if _above(rel):  # the same place through other links? compare real directories
            real = os.path.join(_real(os.path.dirname(os.path.abspath(path))), os.path.basename(path))
            rel = os.path.relpath(real, _real(os.getcwd()))
    except (ValueError, OSError):
        return str(path)
    return str(path) if _above(rel) else rel


@functools.lru_cache(maxsize=1024)
def _real(directory: str) -> str:
    """``os.path.realpath`` of a directory, once per directory in a run (a module's files
    share theirs; each costs a system call per component of the path). ``fix_paths`` and
    ``run_texts`` start with an empty cache."""
    return os.path.realpath(directory)


def _above(rel: str) -> bool:
    return rel == os.pardir or rel.startswith(os.pardir + os.sep)


def _format_parse_error(e: ParseError) -> str:
    lines = str(e).split("\n")
    lines[0] = f"{e.location}: parse error: {e.message}"
    return "\n".join(lines)


@dataclass
class Previews:
    """A check's findings kept alive, bound to its module's trees, so the edits of
    their fixes can be previewed later, a few at a time, without running the rules
    again (an editor asks for the fixes of one line). Indices are those of the
    check's ``result.remaining``. In this process only (nothing here pickles)."""

    module: Module | None = None
    findings: list[Finding] = field(default_factory=list)
    enabled: bool = False  # False when the module has input errors: no fix is offered then
    done: dict[int, list[TextEdit]] = field(default_factory=dict)
    options: Options | None = None  # the check's (its fix checks vet the previews)

    def edits(self, indices: Sequence[int]) -> dict[int, list[TextEdit]]:
        """The edits of the fixes of the findings at ``indices`` (empty: no fix, or one that failed)."""
        if not self.enabled or self.module is None:
            return {i: [] for i in indices}
        todo = [i for i in dict.fromkeys(indices) if i not in self.done and 0 <= i < len(self.findings)]
        if todo:
            call_with_deep_stack(preview, [self.findings[i] for i in todo], self.module, self.options)
            for i in todo:
                fix = self.findings[i].fix
                self.done[i] = list(fix.edits) if fix is not None else []
        return {i: self.done.get(i, []) for i in indices}


@dataclass
class Trees:
    """A module's parsed files kept from one check to the next (an editor's server
    checks the same module after every change): path -> (text, tree). A check
    handed it takes the trees over: a file whose text is the same keeps its tree, a
    changed one is parsed again only where it changed (``reparse.edited``), the
    others in full; afterwards it holds that check's trees. The check that had them
    before must not touch them again: its previews are turned off (``owner``). Only
    checks that apply no fix use it (a fix changes the trees). In this process only."""

    files: dict[Path, tuple[str, cst.File]] = field(default_factory=dict)
    owner: Previews | None = None

    def take(self) -> dict[Path, tuple[str, cst.File]]:
        """The trees, taken from their last owner (whose previews stop)."""
        if self.owner is not None:
            self.owner.enabled, self.owner.module, self.owner.findings = False, None, []
            self.owner = None
        files, self.files = self.files, {}
        return files


# files from this many characters are parsed lazily (``parse(text, lazy=True)``) when every rule
# of the run reads them that way (``Rule.lazy_trees``: ``tffix fmt``): a whole tree takes ~50
# bytes per character of source, a lazy one a few
LAZY_FROM = 1_000_000


def lazy_rules(rules: Sequence[type[Rule] | RuleEntry]) -> bool:
    """Do all these rules work on lazy trees (``Rule.lazy_trees``)?"""
    return bool(rules) and all((r.load() if isinstance(r, RuleEntry) else r).lazy_trees for r in rules)


def _tree(path: Path, text: str, shown: str, kept: dict[Path, tuple[str, cst.File]] | None,
          rules: Sequence[type[Rule] | RuleEntry] = ()) -> cst.File:
    old = kept.pop(path, None) if kept is not None else None
    if old is None:
        return parse(text, shown, lazy=kept is None and len(text) >= LAZY_FROM and lazy_rules(rules))
    before, tree = old
    return tree if before == text else edited(tree, before, text, shown)


def load_module(spec: ModuleSpec, texts: Mapping[Path, str] | None = None,
                problems: list[Problem] | None = None,
                trees: Trees | None = None,
                rules: Sequence[type[Rule] | RuleEntry] = ()) -> tuple[Module, list[str], dict[str, str]]:
    """Read and parse the module's files; ``texts`` holds files already in memory
    (an editor's buffers), read instead of the disk. ``problems`` receives the
    errors as data. ``trees``: the trees of the last check, taken over (``Trees``).
    ``rules``: the run's; if all of them read lazy trees, files from ``LAZY_FROM`` characters
    are parsed lazily (when no trees are kept)."""
    module = Module(spec.directory)
    errors: list[str] = []
    digests: dict[str, str] = {}
    kept = trees.take() if trees is not None else None
    for paths, target in ((spec.files, module.files), (spec.tfvars, module.tfvars)):
        for path in paths:
            shown = display_path(path)
            try:
                if texts is not None and path in texts:
                    text = texts[path]
                else:
                    src = read_source(path, shown)
                    text = src.text
                    digests[shown] = src.digest
                tree = _tree(path, text, shown, kept, rules)
                check_block_labels(tree, text)
            except InputError as e:
                errors.append(str(e))
                if problems is not None:
                    problems.append(Problem(shown, e.message, e.line, e.column))
                continue
            except ParseError as e:
                errors.append(_format_parse_error(e))
                if problems is not None:
                    problems.append(Problem(shown, e.message, e.line, e.column))
                continue
            target.append(SourceFile(path, text, tree, display=shown))
            if trees is not None:
                trees.files[path] = (text, tree)
    return module, errors, digests


def process(spec: ModuleSpec, job: Job) -> ModuleOutcome:
    """One module, on a deep stack (``stack.py``): rules recurse as deep as the code nests.
    Whatever goes wrong stays in this module's outcome: the other modules still run.

    Without the cyclic garbage collector while the module runs: its passes would scan every
    node of the module's trees again and again as the rules allocate (a third of a dry run's
    CPU), and the module makes next to no cycles (``ModuleIndex`` holds no reference to its
    module for that reason): its objects are freed by their reference counts, and what is
    left in cycles is collected after it, as usual."""
    collecting = gc.isenabled()
    gc.disable()
    try:
        return call_with_deep_stack(_process, spec, job)
    except Exception as exc:  # noqa: BLE001 - the last line of defence for one module
        return _failed(spec, exc)
    finally:
        if collecting:
            gc.enable()


def _failed(spec: ModuleSpec, exc: BaseException, what: str = "internal error") -> ModuleOutcome:
    shown = display_path(spec.directory)
    message = f"{shown}: {what} while checking this module ({type(exc).__name__}: {exc}); nothing in it was changed"
    return ModuleOutcome(str(spec.directory), ModuleResult(str(spec.directory)), [message])


def _process(spec: ModuleSpec, job: Job, texts: Mapping[Path, str] | None = None,
             previews: Previews | None = None, trees: Trees | None = None) -> ModuleOutcome:
    problems: list[Problem] = []
    if job.options.apply_fixes:
        trees = None  # fixes change the trees: nothing to keep
    module, errors, digests = load_module(spec, texts, problems, trees, job.rules)
    for sf, node, message in duplicate_declarations(module):
        errors.append(f"{sf.display}:{node.line}:{node.column}: {message}")
        problems.append(Problem(sf.display, message, node.line, node.column))
    sources = {sf.display: (str(sf.path), sf.text) for sf in [*module.files, *module.tfvars]}
    options = job.options
    if spec.only is not None:
        options = replace(options, only_files=frozenset(display_path(p) for p in spec.only))
    if errors:
        options = replace(options, apply_fixes=False, preview_fixes=False)
    # a directory of .tfvars files alone: from memory (an editor) every rule runs, from disk only
    # the rules that need no .tf files (formatting: `tffix fmt envs/` formats envs/prod.tfvars)
    rules = job.rules if module.files or texts is not None else \
        [r for r in job.rules if (r.load() if isinstance(r, RuleEntry) else r).without_configuration]
    findings: list[Finding] | None = None if previews is None else []
    checked = bool(rules) and bool(module.files or module.tfvars)
    result = run_module(module, rules, options, findings) if checked else ModuleResult(str(spec.directory))
    if previews is not None:
        previews.module, previews.findings = module, findings or []
        previews.enabled = not errors and not options.apply_fixes
        previews.options = options
    if trees is not None and previews is not None:
        trees.owner = previews
    if errors and result.remaining:
        result.errors.append(f"{display_path(spec.directory)}: a file in this module has errors; "
                             "findings are listed but no fix was applied")
    return ModuleOutcome(str(spec.directory), result, errors, digests, problems,
                         sources if texts is not None else {})


def run_texts(spec: ModuleSpec, texts: Mapping[Path, str], job: Job,
              previews: Previews | None = None, trees: Trees | None = None) -> ModuleOutcome:
    """One module whose files in ``texts`` are read from memory (an editor's
    buffers) and the others from disk; ``run_module`` even when it has only
    ``.tfvars`` files (formatting them). The outcome keeps the texts it used
    (``sources``) and its input errors as data (``problems``). Nothing is written.
    ``previews`` (a check: fixes not applied) receives the findings, to preview
    their fixes later. ``trees``: the parsed files of the last check of this module
    (``Trees``), taken over and left holding this check's."""
    _real.cache_clear()  # links are read again in each run
    try:
        return call_with_deep_stack(_process, spec, job, texts, previews, trees)
    except Exception as exc:  # noqa: BLE001 - as in ``process``
        return _failed(spec, exc)


def run_all(specs: Sequence[ModuleSpec], job: Job, jobs: int = 1,
            progress: Callable[[int], None] | None = None) -> list[ModuleOutcome]:
    """Process every module; results in the order of ``specs``. In parallel, the
    modules go to the workers largest first (bytes of their files), so the biggest
    one starts at once instead of serialising the end of the run; each worker holds
    one module at a time."""
    if jobs <= 1 or len(specs) <= 1:
        outcomes = []
        for spec in specs:
            outcomes.append(process(spec, job))
            if progress:
                progress(1)
        return outcomes
    # imported here: a run of one module (pre-commit on a file) does not start processes
    from concurrent.futures import ProcessPoolExecutor, as_completed
    from concurrent.futures.process import BrokenProcessPool

    workers = min(jobs, len(specs), os.cpu_count() or 1)  # more processes than cores only cost memory
    order = sorted(range(len(specs)), key=lambda i: -work_size(specs[i]))
    done: list[ModuleOutcome | None] = [None] * len(specs)
    pool = ProcessPoolExecutor(max_workers=workers, initializer=_worker_start,
                               initargs=(os.getpid(),))
    try:
        with blocked():  # submit forks the workers
            futures = {pool.submit(process, specs[i], job): i for i in order}
        try:
            for future in as_completed(futures):
                done[futures[future]] = future.result()
                if progress:
                    progress(1)
        except BrokenProcessPool as exc:  # a worker was killed (out of memory, a signal)
            for i, spec in enumerate(specs):
                if done[i] is None:
                    done[i] = _failed(spec, exc, "a worker process died")
    except BaseException:  # interrupted: the workers must not outlive this process
        _stop(pool)
        raise
    pool.shutdown()
    return [o for o in done if o is not None]


def work_size(spec: ModuleSpec) -> int:
    """How much work a module is: the bytes of its files (0 for one that cannot be read)."""
    total = 0
    for path in [*spec.files, *spec.tfvars]:
        try:
            total += path.stat().st_size
        except OSError:
            pass
    return total


def _worker_start(parent: int) -> None:
    """In each worker: leave signals to the main process, and exit if it
    disappears without ending us (SIGKILL), instead of lingering."""
    reset_in_worker()

    def watch() -> None:
        while os.getppid() == parent:
            time.sleep(0.5)
        os._exit(1)

    threading.Thread(target=watch, name="tffix-parent-watch", daemon=True).start()


def _stop(pool: ProcessPoolExecutor) -> None:
    """End the workers now, without waiting for queued modules."""
    processes = list((getattr(pool, "_processes", None) or {}).values())
    # a signal that arrives while the pool forks a worker stops ``submit`` before the pool
    # records it: multiprocessing still knows it (left running, the interpreter's exit would
    # wait for it to finish its module)
    import multiprocessing  # here: a run without -j never starts (or imports) it

    processes += [p for p in multiprocessing.active_children() if p not in processes]
    manager = getattr(pool, "_executor_manager_thread", None)
    for p in processes:
        p.terminate()
    pool.shutdown(wait=False, cancel_futures=True)
    for p in processes:
        p.join(2)
    # Let the pool's manager thread finish now: left running, it may close its wake-up pipe
    # while the interpreter's exit hook writes to it ("Bad file descriptor" traceback, a race
    # in concurrent.futures before Python 3.12).
    if manager is not None:
        manager.join(5)


def run_text(text: str, name: str, job: Job) -> tuple[ModuleOutcome, str]:
    """One in-memory file (stdin). Returns the outcome and the fixed text
    (the text itself when something went wrong)."""
    try:
        return call_with_deep_stack(_run_text, text, name, job)
    except Exception as exc:  # noqa: BLE001 - as in ``process``
        return _failed(ModuleSpec(Path(name).parent), exc), text


def _run_text(text: str, name: str, job: Job) -> tuple[ModuleOutcome, str]:
    try:
        tree = parse(text, name, lazy=len(text) >= LAZY_FROM and lazy_rules(job.rules))
        check_block_labels(tree, text)
    except ParseError as e:
        return ModuleOutcome(".", ModuleResult("."), [_format_parse_error(e)]), text
    # the module lives where --stdin-filename says, so rules that look next to it (local module
    # sources, directory layouts) see the right directory
    module = Module(Path(name).parent, [SourceFile(Path(name), text, tree, display=name)])
    result = run_module(module, job.rules, job.options)
    return ModuleOutcome(".", result), module.files[0].text


def unified_diff(before: str, after: str, path: str, created: bool = False) -> str:
    """A unified diff with ``a/`` ``b/`` headers that ``patch -p1`` applies,
    marking a missing final newline the way diff does. Names are written the
    way git writes them: C-quoted when they hold a tab, a newline, a quote or
    a backslash, and followed by a tab when they hold a space (GNU patch
    ends an unquoted name at the first space otherwise)."""
    rel = path.lstrip("/")  # an absolute path (outside the cwd) gets one a/ b/ prefix: patch -p1 from /
    old = "/dev/null" if created else _header_name(f"a/{rel}")
    new = _header_name(f"b/{rel}")
    lines = difflib.unified_diff(before.splitlines(True), after.splitlines(True), "OLD", "NEW")
    out = []
    for line in lines:
        if line.startswith("--- OLD"):
            out.append(f"--- {old}\n")
        elif line.startswith("+++ NEW"):
            out.append(f"+++ {new}\n")
        elif not line.endswith("\n"):
            out.append(line + "\n\\ No newline at end of file\n")
        else:
            out.append(line)
    return "".join(out)


_QUOTED = {"\t": "\\t", "\n": "\\n", "\r": "\\r", '"': '\\"', "\\": "\\\\"}


def _header_name(name: str) -> str:
    if any(c in name for c in _QUOTED) or any(ord(c) < 32 or ord(c) == 127 for c in name):
        body = "".join(_QUOTED.get(c) or (f"\\{ord(c):03o}" if ord(c) < 32 or ord(c) == 127 else c) for c in name)
        return f'"{body}"'
    return f"{name}\t" if " " in name else name


def collect_summary(summary: Summary, outcomes: list[ModuleOutcome], modules: int) -> None:
    """Fold module outcomes into ``summary`` (diffs included)."""
    summary.modules = modules
    for o in outcomes:
        summary.files += o.result.files
        summary.errors.extend(o.errors)
        summary.errors.extend(o.result.errors)
        summary.remaining.extend(o.result.remaining)
        summary.fixed.extend(o.result.fixed)
        for change in o.result.changes:
            summary.changed.append(change.display)
            summary.diffs.append((change.display, unified_diff(change.before, change.after, change.display,
                                                               created=change.created)))


def write_changes(outcomes: list[ModuleOutcome], summary: Summary, roots: list[Path] | None = None,
                  written: list[str] | None = None) -> None:
    """Write every changed file atomically, only below ``roots`` (real paths)
    when given; failures become summary errors, and the fixes in a file that
    was not written go back to the findings that remain. ``written`` receives
    each display path once its file is on disk (for a run cut short)."""
    for o in outcomes:
        for change in o.result.changes:
            expected = None if change.created else o.digests.get(change.display)
            on_written = None if written is None else (lambda d=change.display: written.append(d))
            try:
                error = write_atomic(Path(change.path), change.after, expected, roots, on_written)
            except Exception as exc:  # noqa: BLE001 - one file must not stop the others
                error = f"{change.display}: cannot write: {type(exc).__name__}: {exc}"
            if error:
                summary.errors.append(error)
                summary.changed.remove(change.display)
                _unfix(summary, change.display)


def _unfix(summary: Summary, display: str) -> None:
    """The fixes in a file that could not be written are findings again."""
    kept = []
    for r in summary.fixed:
        if r.path == display:
            summary.remaining.append(replace(r, applied=False))
        else:
            kept.append(r)
    summary.fixed = kept


def fix_paths(paths: list[Path], job: Job, jobs: int = 1, write: bool = True,
              progress: Callable[[int], Callable[[int], None] | None] | None = None,
              written: list[str] | None = None) -> tuple[Summary, list[ModuleOutcome]]:
    """Discover, run and (unless ``write`` is False) write: the whole of a
    run. ``progress(total)`` may return a callback advanced once per module;
    ``written`` receives each file's display path as soon as it is written."""
    _real.cache_clear()  # links are read again in each run
    specs, problems = discover(paths)
    summary = Summary(errors=list(problems))
    outcomes = run_all(specs, job, jobs, progress=progress(len(specs)) if progress else None)
    collect_summary(summary, outcomes, len(specs))
    if write:
        write_changes(outcomes, summary, roots_of(paths), written)
    return summary, outcomes
