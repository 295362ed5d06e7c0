"""``tffix verify`` and ``tffix pr --verify-plan``: the fixes checked against a real
``terraform plan``.

What it does, per root module given (a directory that ``terraform init`` was run in):

1. **A scratch copy.** The root module's directory and the directories of its local child
   modules (``source = "./..."`` / ``"../..."``, followed transitively) are copied, with
   their relative layout, into a private temporary directory (mode 0700, removed at the
   end). The user's ``.terraform`` is linked into the copy (``.terraform`` -> the user's),
   so terraform finds the providers, the modules and the backend configuration that
   ``terraform init`` installed; the lock file, local state (``terraform.tfstate``,
   ``terraform.tfstate.d/``) and ``*.tfvars`` files are copied. Nothing of the user's is
   written: ``terraform init`` is never run, every plan runs with ``-lock=false`` (a
   plan does not write the state, so no lock is needed, and a lock held by someone else
   does not stop the check) and ``-input=false``, with ``-detailed-exitcode`` telling a
   failure from a plan with changes, and ``-out`` to a plan file in the scratch
   directory, read back with ``terraform show -json``. terraform is the user's (``PATH``
   or ``--terraform``), with the user's environment (credentials, ``TF_*`` variables): it
   talks to the user's backend and provider APIs, read-only, as any ``terraform plan``.
2. **The plan before the fixes**, of the untouched copy. Its prior state is what is
   deployed, and the fixes are classified with it (as with ``tffix --plan``: a
   replacement of what is not deployed is safe).
3. **The fixes** tffix makes (the same options as ``tffix``), written into the copy, and
   **the plan after**. Every planned action is compared, per resource address, with the
   plan before (what the plan already had is not tffix's doing) and with the impact each
   fix declared for the blocks it changed:

   * a resource no fix touched must show no new change (an update whose every changed
     value is only "known after apply" while a fix replaces or creates something is the
     ripple of that replacement, and is accepted);
   * a fix that declared ``none`` must cause no change; ``in-place update`` allows an
     update, only of the arguments the fixes changed (``tags`` covers ``tags_all``;
     values that become unknown are the provider's computation); only ``forces
     replacement`` allows a replacement or a deletion (``replace_paths`` says which
     argument forced it, and so which fix is to blame); a resource that is not deployed
     may be created whatever the fix;
   * a plan that fails after the fixes is blamed on the fixes of the block its error
     points at (else those of ``terraform``/``provider``/``module``/... blocks, else all).

   A fix that fails is dropped, with the reason, and the rest is planned again, at most
   ``MAX_ROUNDS`` plans per root; a mismatch still there after that drops every fix.
   What is fixed: the roots, walked as ``tffix ROOT`` walks them, and the local child
   modules outside them (their fixes show in the roots' plans); a fix in a directory that
   no root's configuration includes is dropped, since no plan covers it.
4. Only then are the verified fixes written to the user's files (``tffix verify``;
   ``--dry-run`` prints them), or committed (``tffix pr --verify-plan``).

Nothing from a plan or state reaches any output but resource addresses, actions and
argument names: terraform's error messages are shown by their one-line summary and
location, never their detail (which may quote values).
"""

from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import tempfile
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field, replace
from pathlib import Path

from tffix.app.files import digest
from tffix.app.run import CHECK, DRY_RUN, Report, Settings, run
from tffix.app.state import local_module_calls, module_path
from tffix.engine.engine import Record
from tffix.engine.rules import IMPACT_IN_PLACE, IMPACT_NONE, IMPACT_REPLACE
from tffix.syntax import cst
from tffix.syntax.errors import ParseError
from tffix.syntax.parser import parse

__all__ = ["DEFAULT_TIMEOUT", "MAX_ROUNDS", "PlanFailed", "Terraform", "Verification", "VerifyError", "count_text",
           "counts", "markdown", "module_tree", "plan_changes", "render_text", "table", "verify"]

MAX_ROUNDS = 4  # plans per root after the fixes
DEFAULT_TIMEOUT = 900.0  # seconds per terraform command
RANK = {IMPACT_NONE: 0, IMPACT_IN_PLACE: 1, IMPACT_REPLACE: 2}
CODE_SUFFIXES = (".tf", ".tofu")
# top-level files of a root module that may be untracked but terraform needs: copied from the user's root
NEEDED = ("terraform.tfstate", ".terraform.lock.hcl")
INIT_HINTS = ("init", "not installed", "Inconsistent dependency lock file", "Backend initialization required",
              "Missing required provider", "Module not installed", "Required plugins are not installed")


class VerifyError(Exception):
    """A one-line reason the verification could not run (exit 2)."""


class PlanFailed(VerifyError):
    """terraform plan ended with errors: the one-line message, and the errors' (summary, file, line)."""

    def __init__(self, message: str, diagnostics: list[tuple[str, str | None, int | None]]) -> None:
        super().__init__(message)
        self.diagnostics = diagnostics


# ---- terraform ----

@dataclass
class Terraform:
    """The user's terraform: ``binary`` (None: ``terraform`` on PATH), a timeout per
    command, extra ``plan`` arguments (``-var-file=prod.tfvars``, ``-refresh=false``)."""

    binary: str | None = None
    timeout: float = DEFAULT_TIMEOUT
    plan_args: Sequence[str] = ()

    def executable(self) -> str:
        if self.binary:
            path = shutil.which(self.binary) if os.sep not in self.binary else self.binary
            if path is None or not os.path.isfile(path) or not os.access(path, os.X_OK):
                raise VerifyError(f"terraform not found: {self.binary} is not an executable file")
            return path
        found = shutil.which("terraform")
        if found is None:
            raise VerifyError("terraform not found on PATH: install it, or pass --terraform PATH")
        return found

    def _run(self, args: list[str], env: dict[str, str], what: str) -> tuple[int, str, str]:
        try:
            proc = subprocess.Popen([self.executable(), *args], env=env, stdout=subprocess.PIPE,
                                    stderr=subprocess.PIPE, stdin=subprocess.DEVNULL, text=True,
                                    start_new_session=True)
        except OSError as e:
            raise VerifyError(f"cannot run terraform: {e.strerror or e}") from None
        try:
            out, err = proc.communicate(timeout=self.timeout)
        except subprocess.TimeoutExpired:
            _kill(proc)
            raise VerifyError(f"{what} timed out after {self.timeout:g} s (--timeout)") from None
        except BaseException:
            _kill(proc)
            raise
        return proc.returncode, out, err

    def plan(self, directory: Path, planfile: Path, env: dict[str, str], what: str) -> dict:
        """``terraform plan`` then ``show -json`` of the plan; raises PlanFailed / VerifyError."""
        args = [f"-chdir={directory}", "plan", "-input=false", "-lock=false", "-no-color", "-json",
                "-detailed-exitcode", f"-out={planfile}", *self.plan_args]
        code, out, err = self._run(args, env, what)
        if code not in (0, 2):
            diagnostics = _diagnostics(out)
            if diagnostics:
                summary, filename, line = diagnostics[0]
                where = f" ({filename}:{line})" if filename else ""
                hint = " (run `terraform init` there first?)" if any(h in summary for h in INIT_HINTS) else ""
                raise PlanFailed(f"{what} failed: {summary}{where}{hint}", diagnostics)
            last = next((ln.strip() for ln in reversed((err or out).splitlines()) if ln.strip()), f"exit {code}")
            raise PlanFailed(f"{what} failed: {last[:200]}", [])
        code, out, err = self._run([f"-chdir={directory}", "show", "-json", "-no-color", str(planfile)], env,
                                   f"terraform show of {what}")
        try:
            data = json.loads(out) if code == 0 else None
        except ValueError:
            data = None
        if not isinstance(data, dict):
            raise VerifyError(f"terraform show -json of {what} gave no plan (exit {code})")
        return data


def _kill(proc: subprocess.Popen) -> None:
    try:
        os.killpg(proc.pid, signal.SIGKILL)
    except OSError:
        pass
    proc.wait()


def _diagnostics(stream: str) -> list[tuple[str, str | None, int | None]]:
    """Errors of a ``-json`` run: (summary, file, line); the detail is left out (it may quote values)."""
    found = []
    for line in stream.splitlines():
        try:
            message = json.loads(line)
        except ValueError:
            continue
        d = message.get("diagnostic") if isinstance(message, dict) and message.get("type") == "diagnostic" else None
        if isinstance(d, dict) and d.get("severity") == "error":
            rng = d.get("range") or {}
            start = rng.get("start") or {}
            found.append((" ".join(str(d.get("summary", "error")).split())[:200], rng.get("filename"),
                          start.get("line")))
    return found


def _environment(env_root: Path) -> dict[str, str]:
    env = dict(os.environ, TF_IN_AUTOMATION="1", TF_INPUT="0")
    data_dir = env.get("TF_DATA_DIR")
    if data_dir and not os.path.isabs(data_dir):  # relative to the user's root, not to the scratch copy
        env["TF_DATA_DIR"] = str(env_root / data_dir)
    return env


# ---- what a plan says ----

@dataclass
class Change:
    address: str
    module: tuple[str, ...]
    mode: str
    type: str
    name: str
    actions: tuple[str, ...]
    before: dict
    after: dict
    unknown: dict
    replace_paths: list

    @property
    def kind(self) -> str:
        a = self.actions
        if set(a) == {"delete", "create"}:
            return "replace"
        return a[0] if len(a) == 1 else "/".join(a)


def plan_changes(data: dict) -> dict[str, Change]:
    out = {}
    for rc in data.get("resource_changes") or []:
        change = rc.get("change") or {}
        out[rc["address"]] = Change(
            rc["address"], module_path(rc.get("module_address", "")), rc.get("mode", "managed"), rc["type"],
            rc["name"], tuple(change.get("actions") or ()), change.get("before") or {}, change.get("after") or {},
            change.get("after_unknown") or {}, change.get("replace_paths") or [])
    return out


def counts(changes: dict[str, Change]) -> tuple[int, int, int]:
    """(to add, to change, to destroy), as terraform counts them."""
    add = change = destroy = 0
    for c in changes.values():
        if c.mode != "managed":
            continue
        add += "create" in c.actions
        destroy += "delete" in c.actions
        change += c.actions == ("update",)
    return add, change, destroy


def count_text(n: tuple[int, int, int]) -> str:
    return f"{n[0]} to add, {n[1]} to change, {n[2]} to destroy"


@dataclass
class Effect:
    """What the fixes changed in the plan of one resource instance."""

    kind: str  # the action after the fixes: create, update, replace, delete, ...
    before: str  # the action the plan had before the fixes ("absent": not in it)
    known: set[str] = field(default_factory=set)  # top-level arguments whose planned value changed
    unknown: set[str] = field(default_factory=set)  # ... that became "known after apply"
    forced: set[str] = field(default_factory=set)  # the arguments terraform says forced the replacement


def _effect(before: Change | None, after: Change) -> Effect | None:
    if after.actions == ("no-op",) or after.actions == ("read",):
        return None
    if before is not None and before.actions == after.actions and before.after == after.after \
            and before.unknown == after.unknown:
        return None
    base_after = before.after if before is not None else after.before
    base_unknown = before.unknown if before is not None else {}
    effect = Effect(after.kind, before.kind if before is not None else "absent")
    for name in {*base_after, *after.after, *base_unknown, *after.unknown}:
        if after.unknown.get(name) and after.unknown.get(name) != base_unknown.get(name):
            effect.unknown.add(name)
        elif base_after.get(name) != after.after.get(name) or bool(base_unknown.get(name)) != bool(
                after.unknown.get(name)):
            effect.known.add(name)
    effect.forced = {p[0] for p in after.replace_paths if isinstance(p, list) and p and isinstance(p[0], str)}
    return effect


# ---- which fix changed which block ----

BlockKey = tuple[str, ...]


@dataclass
class Touch:
    directory: str  # real path of the module directory (in the scratch copy)
    key: BlockKey  # ("resource", type, name), ("module", name), ("terraform",), ...
    arguments: set[str]
    created: bool = False
    removed: bool = False


@dataclass
class Fix:
    record: Record
    directory: str
    touches: list[Touch] = field(default_factory=list)

    @property
    def impact(self) -> str:
        return self.record.impact

    def arguments(self, directory: str, key: BlockKey) -> set[str] | None:
        found = [t for t in self.touches if t.directory == directory and t.key == key]
        if not found:
            return None
        return set().union(*(t.arguments for t in found))

    def label(self) -> str:
        return f"{self.record.rule_id} ({self.record.impact})"


def _blocks(text: str, display: str) -> dict[BlockKey, cst.Block]:
    try:
        tree = parse(text, display)
    except ParseError:
        return {}
    out: dict[BlockKey, cst.Block] = {}
    for block in tree.body.blocks:
        key: BlockKey = (block.type, *block.label_values)
        n = 0
        while (key if n == 0 else (*key, f"#{n}")) in out:
            n += 1
        out[key if n == 0 else (*key, f"#{n}")] = block
    return out


def _items(block: cst.Block) -> dict[str, list[str]]:
    out: dict[str, list[str]] = {}
    for item in block.body.items:
        if isinstance(item, cst.Attribute):
            name = item.name
        elif item.type == "dynamic" and item.label_values:
            name = item.label_values[0]
        else:
            name = item.type
        out.setdefault(name, []).append(" ".join(item.code.split()))  # realigned `=` is no change
    return out


def _touches(before: str, after: str, path: str) -> list[Touch]:
    directory = os.path.dirname(os.path.realpath(path))
    old, new = _blocks(before, path), _blocks(after, path)
    touches = []
    for key in [*old, *(k for k in new if k not in old)]:
        a, b = old.get(key), new.get(key)
        if a is not None and b is not None and " ".join(a.code.split()) == " ".join(b.code.split()):
            continue
        if a is None or b is None:
            kept = _items(b if a is None else a)
            touches.append(Touch(directory, key, set(kept), created=a is None, removed=b is None))
            continue
        ia, ib = _items(a), _items(b)
        touches.append(Touch(directory, key, {n for n in {*ia, *ib} if ia.get(n) != ib.get(n)}))
    return touches


def _apply_edits(text: str, edits: list) -> str:
    for e in sorted(edits, key=lambda e: (e.start, e.end), reverse=True):
        text = text[:e.start] + e.replacement + text[e.end:]
    return text


def attribute(report: Report) -> list[Fix]:
    """The run's applied fixes, each with the blocks (and their arguments) it changed:
    its edits replayed, in the order they were made, on the files as they were."""
    fixes = []
    for outcome in report.outcomes:
        texts: dict[str, str] = {}
        for record in outcome.result.fixed:
            fix = Fix(record, os.path.dirname(os.path.realpath(record.path)))
            by_file: dict[str, list] = {}
            for e in record.edits:
                by_file.setdefault(os.path.realpath(e.path), []).append(e)
            for path, edits in by_file.items():
                if path not in texts:
                    created = any(e.created for e in edits)
                    texts[path] = "" if created or not os.path.exists(path) else _read(Path(path))
                before = texts[path]
                texts[path] = _apply_edits(before, edits)
                fix.touches += _touches(before, texts[path], path)
            fixes.append(fix)
    return fixes


def _read(path: Path) -> str:
    data = path.read_bytes()
    return data.decode("utf-8")


# ---- the verification ----

@dataclass
class Row:
    """One resource instance in the table: what the plan does to it, and which fixes touched it."""

    root: str
    address: str
    before: str  # the planned action before the fixes
    after: str  # ... after them, with the arguments whose planned value they changed
    fixes: str  # "TFX201 (in-place update), ..." or "-"
    verdict: str


@dataclass
class Dropped:
    record: Record
    reason: str


@dataclass
class RootPlans:
    root: str  # relative to the top
    before: tuple[int, int, int] = (0, 0, 0)
    after: tuple[int, int, int] = (0, 0, 0)


@dataclass
class Verification:
    roots: list[RootPlans] = field(default_factory=list)
    verified: list[Record] = field(default_factory=list)  # the fixes made and verified
    dropped: list[Dropped] = field(default_factory=list)
    rows: list[Row] = field(default_factory=list)
    remaining: list[Record] = field(default_factory=list)  # findings left (the dropped fixes' among them)
    changes: list[tuple[str, str, str | None, bool]] = field(default_factory=list)  # (rel path, after, digest, created)
    rounds: int = 0
    before_plans: dict[str, dict] = field(default_factory=dict)  # root -> show -json of the plan before
    withheld: set[tuple[str, str, str, str]] = field(default_factory=set)
    paths: list[str] = field(default_factory=list)  # what was fixed: the roots and local modules outside them

    @property
    def attempted(self) -> int:
        return len(self.verified) + len(self.dropped)


def module_tree(root: Path) -> list[Path]:
    """The root module's directory and its local child modules' directories (real paths)."""
    seen: list[Path] = []
    todo = [Path(os.path.realpath(root))]
    while todo:
        d = todo.pop()
        if d in seen or not d.is_dir():
            continue
        seen.append(d)
        todo += [Path(os.path.realpath(p)) for p in local_module_calls(d).values()]
    return seen


def _copy_tree(source: Path, target: Path) -> dict[str, str]:
    """Copy a module directory (recursively, without hidden directories and symlinked
    directories); the digests of its Terraform files by real target path."""
    digests = {}
    for dirpath, dirnames, filenames in os.walk(source):
        dirnames[:] = [d for d in dirnames if not d.startswith(".") and not os.path.islink(os.path.join(dirpath, d))]
        rel = os.path.relpath(dirpath, source)
        dest = target / rel
        dest.mkdir(parents=True, exist_ok=True)
        for name in filenames:
            src = Path(dirpath) / name
            if not src.is_file():
                continue
            data = src.read_bytes()
            (dest / name).write_bytes(data)
            if name.endswith((*CODE_SUFFIXES, ".tfvars")):
                digests[os.path.realpath(dest / name)] = digest(data)
    return digests


@contextmanager
def cwd(path: Path) -> Iterator[None]:
    """Run the block in ``path`` (``contextlib.chdir`` is 3.11+; tffix supports 3.10)."""
    old = os.getcwd()
    os.chdir(path)
    try:
        yield
    finally:
        os.chdir(old)


def _prepare(roots: Sequence[Path], source_top: Path, env_top: Path, scratch: Path,
             label: Callable[[str], str] = str) -> tuple[
        dict[str, list[str]], dict[str, str]]:
    """Copy each root's module tree into ``scratch`` (laid out as under ``source_top``),
    link the user's ``.terraform``, copy the state files; returns each root's module
    directories (real scratch paths) and the digests of the copied Terraform files."""
    trees: dict[str, list[str]] = {}
    digests: dict[str, str] = {}
    top = Path(os.path.realpath(source_top))
    for root in roots:
        env_root = env_top / root
        if not (source_top / root).is_dir():
            raise VerifyError(f"{label(str(root))}: not a directory")
        data_dir = os.environ.get("TF_DATA_DIR")
        if not data_dir and not (env_root / ".terraform").is_dir():
            raise VerifyError(f"{label(str(root))}: not initialized (no .terraform directory): run `terraform init` "
                              "there first; tffix verify plans with your initialized working directory and never "
                              "runs init")
        dirs = []
        for d in module_tree(source_top / root):
            if d != top and top not in d.parents:
                raise VerifyError(f"{label(str(root))}: the local module {d} is outside {source_top}")
            rel = d.relative_to(top)
            if not (scratch / rel).exists():
                digests.update(_copy_tree(d, scratch / rel))
            dirs.append(os.path.realpath(scratch / rel))
        trees[str(root)] = dirs
        copy_root = scratch / root
        if (env_root / ".terraform").exists() and not (copy_root / ".terraform").exists():
            (copy_root / ".terraform").symlink_to(Path(os.path.realpath(env_root / ".terraform")),
                                                   target_is_directory=True)
        for name in os.listdir(env_root):  # untracked files a plan needs (state, lock file, variables)
            src = env_root / name
            if (copy_root / name).exists() or not src.is_file():
                continue
            if name in NEEDED or name.endswith((".tfvars", ".tfvars.json", ".tfstate")):
                shutil.copy2(src, copy_root / name)
        states = env_root / "terraform.tfstate.d"
        if states.is_dir() and not (copy_root / "terraform.tfstate.d").exists():
            shutil.copytree(states, copy_root / "terraform.tfstate.d")
    return trees, digests


def verify(roots: Sequence[Path], settings: Settings, terraform: Terraform, *, source_top: Path,
           env_top: Path | None = None, max_rounds: int = MAX_ROUNDS,
           progress: Callable[[str, str], None] | None = None, label: Callable[[str], str] = str) -> Verification:
    """Verify the fixes tffix makes in ``roots`` (root module directories relative to
    ``source_top``, whose files are copied; ``.terraform`` and state come from the same
    directories under ``env_top``, default ``source_top``). Raises VerifyError (and
    SettingsError for bad settings). Display paths are relative to ``source_top``;
    ``label`` names a root in messages."""
    env_top = env_top or source_top
    say = progress or (lambda root, message: None)
    terraform.executable()  # not found: say so before copying anything
    roots = [Path(r) for r in roots] or [Path(".")]
    scratch = Path(tempfile.mkdtemp(prefix="tffix-verify-"))
    try:
        work = scratch / "tree"
        plans = scratch / "plans"
        plans.mkdir()
        trees, digests = _prepare(roots, source_top, env_top, work, label)
        result = Verification()
        before: dict[str, dict[str, Change]] = {}
        specs = []
        for i, root in enumerate(roots):
            say(str(root), "terraform plan before the fixes")
            data = terraform.plan(work / root, plans / f"before-{i}.tfplan", _environment(env_top / root),
                                  f"terraform plan of {label(str(root))} before the fixes")
            result.before_plans[str(root)] = data
            (plans / f"before-{i}.json").write_text(json.dumps(data))
            specs.append(f"{root}={plans / f'before-{i}.json'}")
            before[str(root)] = plan_changes(data)
            result.roots.append(RootPlans(str(root), counts(before[str(root)]), counts(before[str(root)])))
        # what is fixed: the roots (walked as `tffix ROOT` walks them) and the local child modules
        # outside them, which are part of the roots' configurations and planned with them
        real = os.path.realpath(work)
        inside = [os.path.realpath(work / r) for r in roots]
        extra = sorted({d for dirs in trees.values() for d in dirs
                        if not any(d == r or d.startswith(r + os.sep) for r in inside)})
        result.paths = [str(r) for r in roots] + [os.path.relpath(d, real) for d in extra]
        with cwd(work):
            changes = _rounds(result, [Path(p) for p in result.paths], roots, settings, terraform, work, plans,
                              trees, before, specs, env_top, max_rounds, say, label)
        for path, after, created in changes:
            result.changes.append((os.path.relpath(path, os.path.realpath(work)), after,
                                   None if created else digests.get(path), created))
        return result
    finally:
        shutil.rmtree(scratch, ignore_errors=True)


def _run_fixes(roots: Sequence[Path], settings: Settings, specs: list[str], withheld: set,
               mode: str = DRY_RUN) -> Report:
    report = run([Path(r) for r in roots], replace(settings, mode=mode, state=(), plan=specs,
                                                    withheld=frozenset(withheld), jobs=1))
    if report.summary.errors:
        raise VerifyError(report.summary.errors[0].splitlines()[0])
    return report


def _restore(changed: dict[str, str | None]) -> None:
    for path, text in changed.items():
        if text is None:
            Path(path).unlink(missing_ok=True)
        else:
            Path(path).write_bytes(text.encode("utf-8"))
    changed.clear()


def _rounds(result: Verification, paths: Sequence[Path], roots: Sequence[Path], settings: Settings,
            terraform: Terraform, work: Path,
            plans: Path, trees: dict[str, list[str]], before: dict[str, dict[str, Change]], specs: list[str],
            env_top: Path, max_rounds: int, say: Callable[[str, str], None],
            label: Callable[[str], str] = str) -> list[tuple[str, str, bool]]:
    """Fix, plan, compare, drop, again; returns the verified changes (real path in the copy,
    text, created) and fills ``result``."""
    withheld: set[tuple[str, str, str, str]] = set(settings.withheld)
    dropped: dict[tuple, Dropped] = {}
    changed: dict[str, str | None] = {}  # files written into the copy: path -> original text (None: created)
    every_dir = {d for dirs in trees.values() for d in dirs}
    planned = 0
    while True:
        _restore(changed)
        report = _run_fixes(paths, settings, specs, withheld)
        fixes = attribute(report)
        outside = [f for f in fixes if f.directory not in every_dir]
        for f in outside:
            dropped[f.record.key] = Dropped(f.record, "not part of the configuration of the root modules "
                                                      "verified (no plan covers it)")
            withheld.add(f.record.key)
        if outside:
            continue
        if not fixes:
            break
        if planned == max_rounds:
            for f in fixes:
                dropped[f.record.key] = Dropped(f.record, f"not verified: the plan still contradicted fixes after "
                                                          f"{max_rounds} rounds")
                withheld.add(f.record.key)
            report = _run_fixes(paths, settings, specs, withheld, mode=CHECK)
            fixes = []
            break
        for outcome in report.outcomes:
            for change in outcome.result.changes:
                path = os.path.realpath(change.path)
                changed[path] = None if change.created else change.before
                Path(path).parent.mkdir(parents=True, exist_ok=True)
                Path(path).write_bytes(change.after.encode("utf-8"))
        planned += 1
        blame: dict[tuple, tuple[Fix, str]] = {}
        rows: list[Row] = []
        for i, root in enumerate(roots):
            name = str(root)
            mine = [f for f in fixes if f.directory in trees[name]]
            say(str(root), f"terraform plan after {len(fixes)} fix(es), round {planned}")
            try:
                data = terraform.plan(work / root, plans / f"after-{i}.tfplan", _environment(env_top / root),
                                      f"terraform plan of {label(str(root))} after the fixes")
            except PlanFailed as e:
                for f, reason in _blame_failure(e, mine, work / root):
                    blame.setdefault(f.record.key, (f, reason))
                continue
            after = plan_changes(data)
            next(r for r in result.roots if r.root == name).after = counts(after)
            for f, reason in _compare(name, work / root, before[name], after, mine, rows):
                blame.setdefault(f.record.key, (f, reason))
        result.rows = rows
        if not blame:
            break
        for key, (f, reason) in blame.items():
            dropped[key] = Dropped(f.record, reason)
            withheld.add(key)
    _restore(changed)
    result.rounds = planned
    result.dropped = list(dropped.values())
    result.withheld = withheld
    result.remaining = list(report.summary.remaining)
    if not fixes:
        for r in result.roots:
            r.after = r.before
        return []
    result.verified = [f.record for f in fixes]
    return [(os.path.realpath(c.path), c.after, c.created) for o in report.outcomes for c in o.result.changes]


class _Tree:
    """Module paths of a root's plan -> directories of the copy."""

    def __init__(self, root: Path) -> None:
        self.dirs: dict[tuple[str, ...], str | None] = {(): os.path.realpath(root)}

    def directory(self, module: tuple[str, ...]) -> str | None:
        if module in self.dirs:
            return self.dirs[module]
        parent = self.directory(module[:-1])
        found = None
        if parent is not None:
            call = local_module_calls(Path(parent)).get(module[-1])
            found = os.path.realpath(call) if call is not None else None
        self.dirs[module] = found
        return found


def _touching(fixes: list[Fix], tree: _Tree, change: Change) -> dict[int, tuple[Fix, set[str] | None]]:
    """The fixes that touched the resource of ``change`` (or a module call above it):
    id -> (fix, the arguments it changed there; None: it changed a module call)."""
    out: dict[int, tuple[Fix, set[str] | None]] = {}
    directory = tree.directory(change.module)
    if directory is not None:
        for f in fixes:
            args = f.arguments(directory, ("resource", change.type, change.name))
            if args is not None:
                out[id(f)] = (f, args)
    for k in range(len(change.module)):
        parent = tree.directory(change.module[:k])
        if parent is None:
            break
        for f in fixes:
            if f.arguments(parent, ("module", change.module[k])) is not None and id(f) not in out:
                out[id(f)] = (f, None)
    return out


def _names(names: set[str]) -> str:
    return ", ".join(sorted(names))


def _compare(root: str, root_dir: Path, before: dict[str, Change], after: dict[str, Change], fixes: list[Fix],
             rows: list[Row]) -> list[tuple[Fix, str]]:
    """Compare the plans before and after; the fixes to drop, with why. Fills ``rows``."""
    tree = _Tree(root_dir)
    blame: list[tuple[Fix, str]] = []
    ripple = False  # a fix replaces or creates something: dependents may see unknown values
    effects: dict[str, Effect | None] = {}
    for address, change in after.items():
        if change.mode != "managed":
            continue
        effects[address] = _effect(before.get(address), change)
        e = effects[address]
        if e is not None and e.kind in ("replace", "create", "delete") and _touching(fixes, tree, change):
            ripple = True
    for address, change in after.items():
        if change.mode != "managed":
            continue
        effect = effects[address]
        touching = _touching(fixes, tree, change)
        prior = before.get(address)
        shown_before = prior.kind if prior is not None else "absent"
        label = ", ".join(sorted({f.label() for f, _ in touching.values()})) or "-"
        if effect is None:
            if touching:
                rows.append(Row(root, address, shown_before, change.kind, label, "ok: no new change"))
            continue
        args = f" ({_names(effect.known | effect.unknown)})" if effect.kind == "update" and (
            effect.known or effect.unknown) else (f" ({_names(effect.forced)})" if effect.forced else "")
        planned = f"{effect.kind}{args}"
        problems = _judge(address, effect, prior, touching, fixes, ripple)
        verdict = "ok" if not problems else "MISMATCH: " + problems[0][1]
        if not problems and effect.kind in ("replace", "delete"):
            verdict = "ok: replacement declared"
        elif not problems and effect.kind == "update":
            verdict = "ok: in-place update declared"
        if not problems and effect.kind == "create":
            verdict = "ok: not deployed" if prior is not None or not touching else "ok: created by the fix"
        if not problems and not touching:
            verdict = "ok: follows a replaced or created resource (values known after apply)"
        rows.append(Row(root, address, shown_before, planned, label, verdict))
        blame += problems
    return blame


def _judge(address: str, effect: Effect, prior: Change | None, touching: dict[int, tuple[Fix, set[str] | None]],
           fixes: list[Fix], ripple: bool) -> list[tuple[Fix, str]]:
    kind = effect.kind
    if not touching:
        if kind == "update" and not effect.known and ripple:
            return []
        suspects = [f for f in fixes if any(t.key[0] not in ("resource",) for t in f.touches)] or fixes
        reason = f"the plan now has {address}: {kind}" + (
            f" ({_names(effect.known | effect.unknown)})" if effect.known or effect.unknown else "") + \
            ", a resource no fix touched"
        return [(f, reason) for f in suspects]
    entries = list(touching.values())
    if kind == "create":
        return []  # not deployed (or created by the fix): nothing live changes
    if kind == "update":
        out = []
        allowed: set[str] = set()
        whole = False
        for f, args in entries:
            if args is None:
                whole = True
            else:
                allowed |= args
        if "tags" in allowed:
            allowed.add("tags_all")
        changed = effect.known | effect.unknown
        stronger = any(RANK[f.impact] >= RANK[IMPACT_IN_PLACE] for f, _ in entries)
        for f, args in entries:
            if RANK[f.impact] < RANK[IMPACT_IN_PLACE] and (args is None or args & changed or not stronger):
                out.append((f, f"declared no change, but the plan updates {address}"
                               + (f" ({_names(args & changed)})" if args and args & changed else "")))
        if out:
            return out
        extra = effect.known - allowed
        if extra and not whole:
            return [(f, f"the plan updates {address} in {_names(extra)}, which no fix changed") for f, _ in entries]
        return []
    if kind == "replace":
        weaker = [(f, args) for f, args in entries if RANK[f.impact] < RANK[IMPACT_REPLACE]]
        guilty = [f for f, args in weaker if args is None or (args & effect.forced)]
        if not guilty and not any(RANK[f.impact] == RANK[IMPACT_REPLACE] for f, _ in entries):
            guilty = [f for f, _ in weaker]
        forced = f" (forced by {_names(effect.forced)})" if effect.forced else ""
        return [(f, f"declared {f.impact}, but the plan replaces {address}{forced}") for f in guilty]
    if kind == "delete":
        if any(RANK[f.impact] == RANK[IMPACT_REPLACE] for f, _ in entries):
            return []
        return [(f, f"declared {f.impact}, but the plan destroys {address}") for f, _ in entries]
    return [(f, f"the plan now has {address}: {kind}") for f, _ in entries]


def _blame_failure(error: PlanFailed, fixes: list[Fix], root_dir: Path) -> list[tuple[Fix, str]]:
    reason = f"terraform plan fails with it: {error.diagnostics[0][0] if error.diagnostics else error}"
    for summary, filename, line in error.diagnostics:
        if not filename or not line:
            continue
        path = os.path.realpath(root_dir / filename)
        try:
            blocks = _blocks(_read(Path(path)), path)
        except (OSError, UnicodeDecodeError):
            continue
        hit = [key for key, b in blocks.items()
               if b.line <= line <= b.line + b.code.strip("\n").count("\n")]
        directory = os.path.dirname(path)
        guilty = [f for f in fixes if any(t.directory == directory and t.key in hit for t in f.touches)]
        if guilty:
            return [(f, f"terraform plan fails with it: {summary} ({filename}:{line})") for f in guilty]
    guilty = [f for f in fixes if any(t.key[0] != "resource" for t in f.touches)] or fixes
    return [(f, reason) for f in guilty]


# ---- output ----

def _cell(text: str) -> str:
    return text.replace("|", "\\|")


def table(rows: Sequence[Row]) -> list[str]:
    if not rows:
        return []
    lines = ["| Resource | Planned before | Planned after the fixes | Fixes (declared impact) | Verdict |",
             "|---|---|---|---|---|"]
    for r in rows:
        lines.append(f"| `{_cell(r.address)}` | {r.before} | {_cell(r.after)} | {_cell(r.fixes)} "
                     f"| {_cell(r.verdict)} |")
    return lines


def summary_lines(v: Verification, show: Callable[[str], str] = str) -> list[str]:
    return [f"{show(r.root)}: plan before the fixes: {count_text(r.before)}; after the verified fixes: "
            f"{count_text(r.after)}" for r in v.roots]


def render_text(v: Verification, show: Callable[[str], str] = str) -> list[str]:
    lines = summary_lines(v, show)
    lines += table(v.rows)
    if v.dropped:
        lines.append(f"Dropped {len(v.dropped)} fix(es) the plan contradicts:")
        lines += [f"  {show(d.record.path)}:{d.record.line}: {d.record.rule_id} {d.record.fix or d.record.message}: "
                  f"{d.reason}" for d in v.dropped]
    return lines


def markdown(v: Verification) -> list[str]:
    """The PR body's section."""
    lines = ["### Verified against `terraform plan`", ""]
    lines += [f"- {line}" for line in summary_lines(v)]
    lines.append("")
    if v.rows:
        lines += ["Affected live resources:", "", *table(v.rows), ""]
    if v.dropped:
        lines += [f"Fixes dropped because the plan contradicts their declared impact ({len(v.dropped)}):", ""]
        lines += [f"- `{d.record.path}:{d.record.line}` {d.record.rule_id}: {d.reason}" for d in v.dropped]
        lines.append("")
    return lines

