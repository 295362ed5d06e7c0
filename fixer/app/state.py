"""Reading what is deployed: a Terraform state or plan, mapped onto the code's modules.

Accepted, told apart by their content:

* ``terraform show -json`` of a state (``{"format_version", "values": {"root_module"}}``);
* ``terraform state pull`` output or a raw state file (``{"version": 4, "resources"}``);
* ``terraform show -json PLANFILE`` (``{"format_version", "resource_changes"}``): its
  ``prior_state`` is what is deployed (none: nothing is), its ``resource_changes`` must
  name resources the code has.

A state belongs to one root module. ``--state ROOT=PATH`` names the root; a bare
``--state PATH`` applies to the one directory given on the command line (or the current
directory). Resources in child modules (``module.db[0].aws_db_instance.main``) map to
the directory of the module call's local ``source``, instance keys dropped and counts
summed (a directory called twice holds both calls' instances); modules from a registry or
git are not in the tree and are skipped.

Secrets never leave this module: values are kept only through
``tffix.engine.deployment.kept_value`` (booleans, numbers, a few enum arguments), and
never for an attribute the state marks sensitive.
"""

from __future__ import annotations

import os
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from tffix.engine.deployment import Deployment, Live, kept_value
from tffix.syntax import cst
from tffix.syntax.errors import ParseError
from tffix.syntax.parser import parse

__all__ = ["StateError", "load_deployment", "local_module_calls", "module_path", "parse_spec"]

MAX_UNKNOWN_SHOWN = 5


class StateError(Exception):
    """A state or plan that cannot be used: unreadable, of an unknown format, or from
    another configuration."""


@dataclass
class _Resource:
    module: tuple[str, ...]  # module call names from the root, instance keys dropped
    mode: str  # "managed" or "data"
    type: str
    name: str
    instances: int
    values: dict[str, object]  # kept values of the first instance
    varies: set[str] = field(default_factory=set)  # kept arguments whose value is not the same in every instance

    def add(self, values: dict[str, object], instances: int = 1) -> None:
        """Another instance (or several with the same values)."""
        self.varies |= {n for n in {*self.values, *values} if self.values.get(n) != values.get(n)}
        self.instances += instances

    @property
    def address(self) -> str:
        prefix = "".join(f"module.{m}." for m in self.module)
        return f"{prefix}{'data.' if self.mode == 'data' else ''}{self.type}.{self.name}"


def parse_spec(spec: str, default_root: Path) -> tuple[Path, Path]:
    """``ROOT=PATH`` or ``PATH`` -> (root directory, file)."""
    root, sep, path = spec.partition("=")
    if not sep:
        return default_root, Path(spec)
    return Path(root), Path(path)


def _module_path(address: str) -> tuple[str, ...]:
    """``module.a["k"].module.b[0]`` -> ("a", "b")."""
    names: list[str] = []
    i, n = 0, len(address)
    while i < n:
        if address.startswith("module.", i):
            i += len("module.")
            start = i
            while i < n and address[i] not in ".[":
                i += 1
            names.append(address[start:i])
        elif address[i] == "[":
            quote = False
            while i < n:
                ch = address[i]
                if ch == '"' and address[i - 1] != "\\":
                    quote = not quote
                elif ch == "]" and not quote:
                    break
                i += 1
            i += 1
        else:
            i += 1
    return tuple(names)


def _kept(values: object, sensitive: object) -> dict[str, object]:
    if not isinstance(values, dict):
        return {}
    hidden = sensitive if isinstance(sensitive, dict) else {}
    out = {}
    for name, value in values.items():
        if hidden.get(name):
            continue
        kept = kept_value(name, value)
        if kept is not None:
            out[name] = kept
    return out


def _from_show(module: dict) -> Iterator[_Resource]:
    """Resources of a ``show -json`` module value, instances grouped."""
    grouped: dict[tuple, _Resource] = {}
    for r in module.get("resources") or []:
        key = (_module_path(r.get("address", "")), r.get("mode", "managed"), r["type"], r["name"])
        values = _kept(r.get("values"), r.get("sensitive_values"))
        found = grouped.get(key)
        if found is None:
            grouped[key] = _Resource(*key, 1, values)
        else:
            found.add(values)
    yield from grouped.values()
    for child in module.get("child_modules") or []:
        yield from _from_show(child)


def _raw_sensitive(paths: object) -> dict[str, bool]:
    """``sensitive_attributes`` of a raw state: top-level attribute names."""
    out: dict[str, bool] = {}
    for path in paths if isinstance(paths, list) else []:
        if isinstance(path, list) and path and isinstance(path[0], dict) and path[0].get("type") == "get_attr":
            out[str(path[0].get("value"))] = True
    return out


def _from_raw(state: dict) -> Iterator[_Resource]:
    grouped: dict[tuple, _Resource] = {}
    for r in state.get("resources") or []:
        key = (_module_path(r.get("module", "")), r.get("mode", "managed"), r["type"], r["name"])
        instances = r.get("instances") or []
        kept = [_kept(i.get("attributes"), _raw_sensitive(i.get("sensitive_attributes"))) for i in instances]
        found = grouped.get(key)
        if found is None:
            found = grouped[key] = _Resource(*key, 0, kept[0] if kept else {})
        for values in kept:
            found.add(values)
    yield from grouped.values()


def _read(path: Path) -> tuple[list[_Resource], list[_Resource]]:
    """(deployed resources, resources a plan names) of a state or plan file."""
    try:
        import json  # here: a run without a state or plan does not need it

        data = json.loads(path.read_bytes())
    except OSError as e:
        raise StateError(f"{path}: cannot read the state or plan: {e.strerror or e}") from None
    except (UnicodeDecodeError, ValueError) as e:
        raise StateError(f"{path}: not a Terraform state or plan (not JSON: {e})") from None
    if not isinstance(data, dict):
        raise StateError(f"{path}: not a Terraform state or plan (JSON {type(data).__name__})")
    try:
        if "resource_changes" in data or "planned_values" in data:
            prior = data.get("prior_state") or {}
            deployed = list(_from_show((prior.get("values") or {}).get("root_module") or {}))
            named = []
            for change in data.get("resource_changes") or []:
                module = _module_path(change.get("module_address", ""))
                named.append(_Resource(module, change.get("mode", "managed"), change["type"], change["name"], 0, {}))
            return deployed, named
        if "values" in data and "format_version" in data:
            resources = list(_from_show((data.get("values") or {}).get("root_module") or {}))
            return resources, resources
        if "format_version" in data:  # show -json of an empty state
            return [], []
        if data.get("version") == 4 and "resources" in data:
            resources = list(_from_raw(data))
            return resources, resources
        if "version" in data:
            raise StateError(f"{path}: state format version {data.get('version')!r} is not supported (4 is)")
    except (KeyError, TypeError, AttributeError) as e:
        raise StateError(f"{path}: not a Terraform state or plan (unexpected content: {type(e).__name__} {e})") from None
    raise StateError(f"{path}: not a Terraform state or plan (expected `terraform show -json` output, "
                     "`terraform state pull` output or a terraform.tfstate file)")


def _blocks(directory: Path) -> tuple[set[tuple[str, str, str]], dict[str, Path]]:
    """The resource and data blocks of the module in ``directory``, and its module calls
    with a local source (name -> directory)."""
    blocks: set[tuple[str, str, str]] = set()
    calls: dict[str, Path] = {}
    for path in sorted([*directory.glob("*.tf"), *directory.glob("*.tofu")]):
        try:
            tree = parse(path.read_text(encoding="utf-8-sig"), str(path))
        except (OSError, UnicodeDecodeError, ParseError):
            continue  # the run itself reports it
        for block in tree.body.blocks:
            labels = block.label_values
            if block.type in ("resource", "data") and len(labels) == 2:
                blocks.add(("managed" if block.type == "resource" else "data", labels[0], labels[1]))
            elif block.type == "module" and len(labels) == 1:
                source = block.get_attribute("source")
                value = source.value if source is not None else None
                if isinstance(value, cst.Template) and value.is_literal:
                    text = value.literal_value or ""
                    if text.startswith(("./", "../")):
                        calls[labels[0]] = (directory / text).resolve()
    return blocks, calls


def local_module_calls(directory: Path) -> dict[str, Path]:
    """The module calls of the module in ``directory`` with a local source: name -> directory."""
    return _blocks(directory)[1]


def module_path(address: str) -> tuple[str, ...]:
    """The module call names of an address, instance keys dropped: ``module.a[0].module.b`` -> ("a", "b")."""
    return _module_path(address)


def _map(root: Path, spec_file: Path, deployed: list[_Resource], named: list[_Resource],
         deployment: Deployment) -> None:
    directories: dict[tuple[str, ...], Path | None] = {(): root.resolve()}
    code: dict[Path, set[tuple[str, str, str]]] = {}
    calls: dict[Path, dict[str, Path]] = {}

    def directory_of(module: tuple[str, ...]) -> Path | None:
        if module in directories:
            return directories[module]
        parent = directory_of(module[:-1])
        found = None
        if parent is not None:
            if parent not in calls:
                code[parent], calls[parent] = _blocks(parent)
            found = calls[parent].get(module[-1])
        directories[module] = found
        return found

    unknown = []
    for r in [*named, *deployed]:
        d = directory_of(r.module)
        if d is None:
            continue  # a module from a registry or git: not in this tree
        if d not in code:
            code[d], calls[d] = _blocks(d)
        if (r.mode, r.type, r.name) not in code[d] and r.address not in unknown:
            unknown.append(r.address)
    if unknown:
        shown = ", ".join(unknown[:MAX_UNKNOWN_SHOWN]) + (f" and {len(unknown) - MAX_UNKNOWN_SHOWN} more"
                                                           if len(unknown) > MAX_UNKNOWN_SHOWN else "")
        raise StateError(f"{spec_file}: names resources the code under {root} does not have: {shown} "
                         "(a state or plan from another configuration, or for another root module?)")
    for d in {*code, root.resolve()}:
        if d not in code:
            code[d], calls[d] = _blocks(d)
        resources = deployment.modules.setdefault(str(d), {})
        deployment.source[str(d)] = str(spec_file)
        for mode, type_, name in code[d]:
            if mode == "managed":
                resources.setdefault((type_, name), Live(f"{type_}.{name}"))
    for r in deployed:
        d = directory_of(r.module)
        if d is None or r.mode != "managed":
            continue
        live = deployment.modules[str(d)].setdefault((r.type, r.name), Live(f"{r.type}.{r.name}"))
        if not live.instances:
            live.values = dict(r.values)
        else:  # a module directory called twice: both calls' instances
            live.varies |= {n for n in {*live.values, *r.values} if live.values.get(n) != r.values.get(n)}
        live.varies |= r.varies
        live.instances += r.instances
        prefix = "".join(f"module.{m}." for m in r.module)
        if prefix and not live.address.startswith("module."):
            live.address = f"{prefix}{r.type}.{r.name}"


def load_deployment(states: Sequence[str], plans: Sequence[str], default_root: Path) -> Deployment | None:
    """The deployment the ``--state`` / ``--plan`` specs describe (None: none given).
    Raises StateError."""
    if not states and not plans:
        return None
    deployment = Deployment()
    roots: dict[str, str] = {}
    for spec in [*states, *plans]:
        root, path = parse_spec(spec, default_root)
        if not root.is_dir():
            raise StateError(f"{spec}: {root} is not a directory (write ROOT=PATH with ROOT the root module)")
        key = os.path.realpath(root)
        if key in roots:
            raise StateError(f"{spec}: {root} already has a state or plan ({roots[key]}); give one per root module")
        roots[key] = str(path)
        deployed, named = _read(path)
        _map(root, path, deployed, named, deployment)
    return deployment
