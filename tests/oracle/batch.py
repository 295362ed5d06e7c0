"""Validate many small modules quickly: several per terraform run.

terraform spends most of a ``validate`` loading the AWS schema (a second or
so per run), so ``validate_many`` puts up to ``size`` modules as child
modules under one generated root and validates that once. Every input
variable of a member is given an unknown value (as a root module's are in
``terraform validate``), and each diagnostic is attributed to the member
whose file it points into (or, for a diagnostic without a file, to the one
member whose module address it names).

A member is valid when a run of its batch came out without errors (members
with errors are taken out and the rest run again: terraform stops at the
first phase that has errors). A member with errors is invalid,
with the errors the batch attributed to it, unless ``confirm_errors`` asks
for failures to be confirmed: then it is validated alone and that result is
reported. A batch whose init fails is split in halves until the member that
fails it is alone. Validated alone are also: every member of a batch that
got an error no member owns, and every member a child module cannot stand
in for (it has ``output``, ``import``, ``removed`` or ``cloud`` blocks, which
terraform treats differently in a root module, or module calls, or it cannot
be parsed). A member with a ``terraform`` block is first run through ``init``
alone (a fraction of a second): if that fails, that is its result; if not, it
is batched only with members for which init chose the same provider
versions, so different version constraints never share an ``init``.
"""

from __future__ import annotations

import json
import re
import shutil
import tempfile
from collections import defaultdict
from collections.abc import Iterable
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from .terraform import Diagnostic, Result, init, validate

__all__ = ["validate_many"]

# terraform checks these only in a root module (root outputs holding sensitive
# values must say so; child outputs pass them on unmarked), or allows them only there
ROOT_ONLY = {"output", "import", "removed"}
UNKNOWN = "tffix_oracle_unknown"


def _plan(directory: Path) -> tuple[bool, list[str]] | None:
    """(has a terraform block, variable names) of a member that can be batched, else None."""
    import tffix

    constrained, variables = False, []
    for path in sorted(directory.glob("*.tf")):
        try:
            tree = tffix.parse(path.read_text(encoding="utf-8-sig"), path.name)
        except Exception:  # noqa: BLE001 - terraform reports it when run alone
            return None
        for block in tree.body.blocks:
            if block.type in ROOT_ONLY or block.type == "module":
                return None  # module calls: a missing or remote source fails the batch's init
            if block.type == "terraform":
                if any(b.type == "cloud" for b in block.body.blocks):
                    return None
                constrained = True
            elif block.type == "variable" and block.labels:
                variables.append(block.label_values[0])
    return constrained, variables


def _validate_together(members: list[tuple[Path, list[str]]]) -> tuple[Result, dict[str, Path]]:
    root = Path(tempfile.mkdtemp(prefix="tffix-oracle-batch-"))
    try:
        calls = [f'variable "{UNKNOWN}" {{\n  type = any\n}}\n']
        names = {}
        for i, (directory, variables) in enumerate(members):
            name = f"m{i:03d}"
            (root / name).symlink_to(directory.resolve(), target_is_directory=True)
            names[name] = directory
            inputs = "".join(f"  {v} = var.{UNKNOWN}\n" for v in sorted(set(variables)))
            calls.append(f'module "{name}" {{\n  source = "./{name}"\n{inputs}}}\n')
        (root / "main.tf").write_text("\n".join(calls))
        return validate(root), names
    finally:
        shutil.rmtree(root, ignore_errors=True)


def _owner(diagnostic: Diagnostic, names: dict[str, Path], real: dict[str, str]) -> str | None:
    filename = diagnostic.filename or ""
    if filename.startswith("/"):  # terraform names a child module's file by its resolved path
        return real.get(str(Path(filename).parent))
    if filename:
        head = filename.split("/", 1)[0]
        return head if head in names else None
    # no range: owned by the one member it names ("module.m025.aws_vpc.eu")
    named = set(re.findall(r"\bmodule\.(m\d{3})\b", f"{diagnostic.summary} {diagnostic.detail}"))
    return named.pop() if len(named) == 1 else None


def _provider_users(diagnostic: Diagnostic, names: dict[str, Path]) -> list[str]:
    """Members using the provider an install failure names ("... provider hashicorp/google ...")."""
    found = re.search(r"provider (?:registry\.terraform\.io/)?[\w-]+/([\w-]+)", diagnostic.detail)
    if found is None:
        return []
    uses = re.compile(rf'"{re.escape(found[1])}_\w*"|\b{re.escape(found[1])}\s*=\s*\{{|provider\s+"{re.escape(found[1])}"')
    return [name for name, directory in names.items()
            if any(uses.search(p.read_text(encoding="utf-8", errors="replace")) for p in directory.glob("*.tf"))]


def _run_batch(members: list[tuple[Path, list[str]]], confirm_errors: bool) -> dict[Path, Result | None]:
    """Validate the members together; None for a member that must run alone.

    terraform validates in phases and stops at the first phase with errors, so
    a member without errors in a run that had errors is not yet known valid:
    the members without errors are validated again, until a run is clean."""
    out: dict[Path, Result | None] = {}
    pending = list(members)
    while len(pending) > 1:
        result, names = _validate_together(pending)
        real = {str(directory.resolve()): name for name, directory in names.items()}
        owned: defaultdict[str, list[Diagnostic]] = defaultdict(list)
        unowned = False
        for diagnostic in result.diagnostics:
            owners = [_owner(diagnostic, names, real)]
            if owners == [None] and result.step == "init":
                owners = _provider_users(diagnostic, names)
            for owner in owners:
                if owner is not None:
                    owned[owner].append(diagnostic)
            unowned |= owners in ([], [None]) and diagnostic.severity == "error"
        failed = {name for name, found in owned.items() if any(d.severity == "error" for d in found)}
        if unowned and result.step == "init" and not failed and len(pending) >= 4:
            half = len(pending) // 2  # a member's providers cannot be installed: find it by halves
            return {**out, **_run_batch(pending[:half], confirm_errors), **_run_batch(pending[half:], confirm_errors)}
        if unowned and not failed:
            break
        for name in failed:  # init failures are cheap to confirm alone, and the provider ones are guesses
            alone = confirm_errors or result.step == "init"
            out[names[name]] = None if alone else Result(False, owned[name], "validate", result.seconds)
        if not failed:
            out.update({names[n]: Result(True, owned[n], "validate", result.seconds) for n in names})
            return out
        pending = [member for name, member in zip(names, pending, strict=True) if name not in failed]
    out.update(dict.fromkeys(d for d, _ in pending))
    return out


def validate_many(directories: Iterable[Path], *, jobs: int = 2, size: int = 150,
                  confirm_errors: bool = True) -> dict[Path, Result]:
    """``validate`` of every directory (see the module docstring for how)."""
    dirs = list(directories)
    alone: list[Path] = []
    results: dict[Path, Result] = {}
    groups: defaultdict[str, list[tuple[Path, list[str]]]] = defaultdict(list)
    constrained = []
    for directory in dirs:
        plan = _plan(directory)
        if plan is None:
            alone.append(directory)
        elif plan[0]:
            constrained.append((directory, plan[1]))
        else:
            groups[""].append((directory, plan[1]))
    with ThreadPoolExecutor(max_workers=jobs) as pool:
        # a member with a terraform block: init alone (cheap), then batched with the
        # members for which init chose the same provider versions
        for (directory, variables), resolved in zip(constrained, pool.map(init, [d for d, _ in constrained]),
                                                    strict=True):
            if resolved.ok:
                groups[json.dumps(sorted(resolved.providers.items()))].append((directory, variables))
            else:
                results[directory] = resolved
    batches = []
    for members in groups.values():
        if len(members) == 1:
            alone.append(members[0][0])
        else:
            batches += [members[i:i + size] for i in range(0, len(members), size)]
    with ThreadPoolExecutor(max_workers=jobs) as pool:
        # the big batches first, the single runs beside them, the fallbacks last
        batches.sort(key=len, reverse=True)
        batch_jobs = [pool.submit(_run_batch, members, confirm_errors) for members in batches]
        single_jobs = {directory: pool.submit(validate, directory) for directory in alone}
        fallbacks = []
        for job in batch_jobs:
            for directory, result in job.result().items():
                if result is None:
                    fallbacks.append(directory)
                else:
                    results[directory] = result
        single_jobs.update({directory: pool.submit(validate, directory) for directory in fallbacks})
        results.update({directory: job.result() for directory, job in single_jobs.items()})
    return {d: results[d] for d in dirs}
