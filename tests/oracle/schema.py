"""Terraform provider schemas from the CDK prebuilt provider packages.

The ``cdktn-provider-*`` / ``cdktf-cdktf-provider-*`` wheels on PyPI carry a
jsii tarball whose generated JavaScript (``lib/<resource>/index.js``) holds,
for every resource, data source and the provider itself:

* per class member a comment ``// <name> - computed: X, optional: Y, required: Z``
  followed by a getter (``this.getStringAttribute('name')``, ...) or a field
  constructed from a nested class (``_x = new FooList(this, "x", true)``);
* a synthesis table (``synthesizeHclAttributes()`` for the top-level class,
  ``<struct>ToHclTerraform(struct)`` for nested ones) giving per argument
  ``isBlock``, a kind (``simple``/``list``/``set``/``map``/``struct``), a storage
  class (``string``, ``numberList``, ``FooList``...) and the mapper call:
  ``listMapperHcl(fn, true)`` is a real nested block, ``(fn, false)`` a
  ``list(object)`` attribute, a direct ``fn(...)`` on a list a block with
  ``max_items = 1``.

``extract(path)`` turns one package into the ``terraform providers schema -json``
shape of one provider (``{"provider": ..., "resource_schemas": ...}``, no
descriptions), which ``protocol.py`` serves to terraform. Not in the bindings,
so not in the result: ForceNew, ConflictsWith and the other cross-argument
rules, validators (enums), defaults, ``sensitive``, ``deprecated`` and
``max_items`` above 1.

Command line: ``python -m tests.oracle.schema PACKAGE OUT.json`` (PACKAGE: a
wheel, an npm ``.tgz`` or an unpacked directory holding ``lib/``).
"""

from __future__ import annotations

import io
import json
import re
import sys
import tarfile
import zipfile
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

__all__ = ["Package", "extract", "main", "read_package"]

Json = Any  # a JSON value: the schema is plain dicts and lists
CtyType = str | list[Any]  # "string", ["list", "string"], ["object", {...}]


# ---- reading a package ---------------------------------------------------------


@dataclass
class Package:
    """``package.json`` and the generated JavaScript, one text per ``lib/<dir>``."""

    meta: dict[str, Any]
    modules: dict[str, str]

    @property
    def provider(self) -> dict[str, str]:
        """``{"name": "registry.terraform.io/hashicorp/aws", "version": "6.69.1"}``."""
        info = self.meta.get("cdktn") or self.meta.get("cdktf") or {}
        return dict(info.get("provider", {}))


def read_package(path: Path) -> Package:
    """Read a wheel (its inner ``*.jsii.tgz``), an npm tarball or a directory."""
    meta: dict[str, Any] = {}
    files: defaultdict[str, list[tuple[str, str]]] = defaultdict(list)

    def take(name: str, data: bytes) -> None:
        name = name.removeprefix("package/")
        if name == "package.json":
            meta.update(json.loads(data))
        elif name.startswith("lib/") and name.endswith(".js") and name.count("/") >= 2:
            files[name.split("/")[1]].append((name, data.decode("utf-8")))

    def from_tarball(fileobj: io.BufferedIOBase | io.BytesIO) -> None:
        with tarfile.open(fileobj=fileobj, mode="r:gz") as tar:
            for member in tar:
                if member.isfile() and member.name.endswith((".js", "package.json")):
                    extracted = tar.extractfile(member)
                    assert extracted is not None
                    take(member.name, extracted.read())

    if path.is_dir():
        base = path if (path / "lib").is_dir() else path / "package"
        take("package.json", (base / "package.json").read_bytes())
        for js in sorted((base / "lib").rglob("*.js")):
            take(js.relative_to(base).as_posix(), js.read_bytes())
    elif path.suffix == ".whl":
        with zipfile.ZipFile(path) as wheel:
            inner = next(n for n in wheel.namelist() if n.endswith(".jsii.tgz"))
            from_tarball(io.BytesIO(wheel.read(inner)))
    else:
        with path.open("rb") as f:
            from_tarball(f)  # type: ignore[arg-type]
    modules = {d: "\n".join(text for _, text in sorted(parts)) for d, parts in files.items()}
    return Package(meta, modules)


# ---- the generated code's pieces --------------------------------------------------

_TABLE_FN = re.compile(r"^function (\w+)ToHclTerraform\(struct\) \{\n(.*?)^\}", re.MULTILINE | re.DOTALL)
_CLASS = re.compile(r"^class (\w+) extends ([\w.]+) \{\n(.*?)^\}\n", re.MULTILINE | re.DOTALL)
_ROW = re.compile(r'^\s+"?(\w+)"?: \{\n\s+value: (.*),\n\s+isBlock: (true|false),\n'
                  r'\s+type: "(\w+)",\n\s+storageClassType: "(\w+)",\n\s+\},', re.MULTILINE)
_MEMBER = re.compile(r"^ {4,8}// ([A-Za-z0-9_]+) - computed: (true|false), optional: (true|false), "
                     r"required: (true|false)\n", re.MULTILINE)
_GETTER = re.compile(r"^    get \w+\(\) \{\n\s+return (.*);\n", re.MULTILINE)
_CONSTRUCTED = re.compile(r'^\s+(?:this\.)?_\w+ = new ([\w.]+)\(this, "[^"]+"(?:, (true|false))?\);', re.MULTILINE)
_TF_TYPE = re.compile(r'static tfResourceType = "([^"]+)";')
_TOP_TABLE = re.compile(r"synthesizeHclAttributes\(\) \{\n(.*?)\n    \}\n", re.DOTALL)
_LIST_ITEM = re.compile(r"return new ([\w.]+)OutputReference\(")
_TABLE_REF = re.compile(r"(\w+)ToHclTerraform")

_TOP_BASES = {"TerraformResource": "resource_schemas", "TerraformDataSource": "data_source_schemas",
              "TerraformEphemeralResource": "ephemeral_resource_schemas", "TerraformProvider": "provider"}
_PRIMITIVES = {"string": "string", "number": "number", "boolean": "bool", "any": "dynamic"}
# CDK helper classes for map/list attributes: never nested blocks
_CDK_COLLECTIONS = {
    "StringMap": ["map", "string"], "NumberMap": ["map", "number"], "BooleanMap": ["map", "bool"],
    "AnyMap": ["map", "dynamic"], "StringMapList": ["list", ["map", "string"]],
    "NumberMapList": ["list", ["map", "number"]], "BooleanMapList": ["list", ["map", "bool"]],
    "AnyMapList": ["list", ["map", "dynamic"]], "StringListMap": ["map", ["list", "string"]],
    "NumberListMap": ["map", ["list", "number"]], "BooleanListMap": ["map", ["list", "bool"]],
    "AnyListMap": ["map", ["list", "dynamic"]],
}
_CDK_PREFIXES = ("StringMap", "NumberMap", "BooleanMap", "AnyMap", "StringList", "NumberList", "BooleanList",
                 "AnyList")
# computed attribute getters -> type
_GETTER_TYPES: list[tuple[re.Pattern[str], CtyType]] = [(re.compile(p), t) for p, t in [
    (r"^this\.getStringAttribute\('", "string"),
    (r"^this\.getNumberAttribute\('", "number"),
    (r"^this\.getBooleanAttribute\('", "bool"),
    (r"^this\.getListAttribute\('", ["list", "string"]),
    (r"^cdkt[nf]\.Fn\.tolist\(this\.getListAttribute\('", ["set", "string"]),
    (r"^this\.getNumberListAttribute\('", ["list", "number"]),
    (r"^cdkt[nf]\.Token\.asNumberList\(cdkt[nf]\.Fn\.tolist\(this\.getNumberListAttribute\('", ["set", "number"]),
    (r"^this\.getStringMapAttribute\('", ["map", "string"]),
    (r"^this\.getNumberMapAttribute\('", ["map", "number"]),
    (r"^this\.getBooleanMapAttribute\('", ["map", "bool"]),
    (r"^this\.getAnyMapAttribute\('", ["map", "dynamic"]),
    (r"^this\.interpolationForAttribute\('", "dynamic"),
    (r"^cdkt[nf]\.Token\.asAny\(", "dynamic"),
]]


@dataclass(frozen=True)
class Row:
    """One argument of a synthesis table."""

    value: str  # the mapper expression
    is_block: bool
    kind: str  # simple, list, set, map, struct
    storage: str  # storage class: string, stringList, FooList, ...


@dataclass(frozen=True)
class Member:
    """One ``// name - computed: ...`` section of a class."""

    name: str
    computed: bool
    optional: bool
    required: bool
    getter: str | None = None  # the getter's return expression
    constructs: str | None = None  # the nested class the field is built from
    wraps_set: bool = False  # that class wraps a set

    @property
    def configurable(self) -> bool:
        return self.required or self.optional


def _short(name: str) -> str:
    return name.rsplit(".", 1)[-1]


def _rows(text: str) -> dict[str, Row]:
    return {m[1]: Row(m[2], m[3] == "true", m[4], m[5]) for m in _ROW.finditer(text)}


def _members(body: str) -> list[Member]:
    found = list(_MEMBER.finditer(body))
    members = []
    for i, m in enumerate(found):
        chunk = body[m.end():found[i + 1].start() if i + 1 < len(found) else len(body)]
        chunk = chunk.split("    // =========", 1)[0]
        getter = _GETTER.search(chunk)
        built = _CONSTRUCTED.search(chunk)
        members.append(Member(m[1], m[2] == "true", m[3] == "true", m[4] == "true",
                              getter[1] if getter else None, _short(built[1]) if built else None,
                              bool(built and built[2] == "true")))
    return members


def _member_from_row(name: str, row: Row, body: str) -> Member:
    """Older generated code has no section comment for some arguments: rebuild
    the member from the table row and the class body (required = no reset method)."""
    field_ref = re.search(r"(?:this\._|struct\.|struct\?\.|struct!\.)(\w+)", row.value)
    camel = field_ref[1] if field_ref else None
    if camel is None:
        return Member(name, False, True, False)
    # the property is named after the field unless that clashes (get_password_data -> fetchPasswordData)
    setter = re.search(rf"^    set (\w+)\(value\) \{{\n\s+this\._{camel}(?:\.internalValue)? = value;", body, re.MULTILINE)
    prop = setter[1] if setter else camel
    required = bool(body) and f"reset{prop[0].upper()}{prop[1:]}()" not in body
    getter = re.search(rf"^    get {prop}\(\) \{{\n\s+return (.*);\n", body, re.MULTILINE)
    built = re.search(rf'^\s+(?:this\.)?_{camel} = new ([\w.]+)\(this, "[^"]+"(?:, (true|false))?\);', body, re.MULTILINE)
    return Member(name, False, not required, required, getter[1] if getter else None,
                  _short(built[1]) if built else None, bool(built and built[2] == "true"))


def _storage_type(row: Row) -> CtyType | None:
    """Type of a primitive or collection argument from its table row."""
    if row.storage in _PRIMITIVES:
        return _PRIMITIVES[row.storage]
    m = re.fullmatch(r"(string|number|boolean|any)(List|Map)?(List|Map)?", row.storage)
    if not m:
        return None
    result: CtyType = _PRIMITIVES[m[1]]
    if m[2]:
        outer = "map" if m[2] == "Map" else ("set" if row.kind == "set" and not m[3] else "list")
        result = [outer, result]
    if m[3]:
        result = ["map" if m[3] == "Map" else ("set" if row.kind == "set" else "list"), result]
    if row.kind == "map" and not (isinstance(result, list) and result[0] == "map"):
        result = ["map", result]
    return result


def _getter_type(expr: str | None) -> CtyType | None:
    if expr is None:
        return None
    return next((t for pattern, t in _GETTER_TYPES if pattern.match(expr)), None)


def object_type(block: Json) -> CtyType:
    """The object type of a block's value (how terraform sees a nested block
    used as an attribute)."""
    attrs: dict[str, CtyType] = {name: a["type"] for name, a in block.get("attributes", {}).items()}
    for name, nested in block.get("block_types", {}).items():
        inner = object_type(nested["block"])
        mode = nested["nesting_mode"]
        attrs[name] = inner if mode == "single" else [mode if mode in ("list", "set", "map") else "list", inner]
    return ["object", attrs]


def _flags(member: Member) -> dict[str, bool]:
    if member.required:
        return {"required": True}
    flags = {k: True for k, on in (("optional", member.optional), ("computed", member.computed)) if on}
    return flags or {"optional": True}


def _has_dynamic(t: CtyType) -> bool:
    if t == "dynamic":
        return True
    if isinstance(t, list):
        inner = t[1].values() if t[0] == "object" else [t[1]]
        return any(_has_dynamic(x) for x in inner)
    return False


def _block_has_dynamic(block: Json) -> bool:
    return (any(_has_dynamic(a["type"]) for a in block.get("attributes", {}).values())
            or any(_block_has_dynamic(b["block"]) for b in block.get("block_types", {}).values()))


def _sets_without_dynamic(block: Json) -> None:
    """terraform refuses set-nested blocks holding dynamic types: those become lists."""
    for nested in block.get("block_types", {}).values():
        _sets_without_dynamic(nested["block"])
        if nested["nesting_mode"] == "set" and _block_has_dynamic(nested["block"]):
            nested["nesting_mode"] = "list"


# ---- building blocks ------------------------------------------------------------


@dataclass
class _Module:
    """One ``lib/<dir>`` text: its tables and classes."""

    text: str
    tables: dict[str, dict[str, Row]] = field(init=False)
    classes: dict[str, tuple[str, str]] = field(init=False)

    def __post_init__(self) -> None:
        self.tables = {m[1]: _rows(m[2]) for m in _TABLE_FN.finditer(self.text)}
        self.classes = {m[1]: (m[2], m[3]) for m in _CLASS.finditer(self.text)}

    def top_level(self) -> list[tuple[str, str | None, str]]:
        """(schema section, terraform type name, class body) of each top-level class."""
        found = []
        for name, (base, body) in self.classes.items():
            section = _TOP_BASES.get(_short(base)) if base.startswith(("cdktn.", "cdktf.")) else None
            if section is None:
                continue
            m = _TF_TYPE.search(body) or re.search(rf'^{name}\.tfResourceType = "([^"]+)";', self.text, re.MULTILINE)
            found.append((section, m[1] if m else None, body))
        return found

    def table_of(self, struct: str, value: str | None) -> dict[str, Row]:
        ref = _TABLE_REF.search(value or "")
        if ref and ref[1] in self.tables:
            return self.tables[ref[1]]
        return self.tables.get(struct[:1].lower() + struct[1:], {})

    def item_struct(self, cls: str) -> str:
        """The struct a List/Map/OutputReference class holds."""
        if cls.endswith("OutputReference"):
            return cls.removesuffix("OutputReference")
        if cls in self.classes:
            item = _LIST_ITEM.search(self.classes[cls][1])
            if item:
                return _short(item[1])
        for suffix in ("List", "Map"):
            if cls.endswith(suffix):
                return cls.removesuffix(suffix)
        return cls


class _Builder:
    """Blocks of one module, with memoised nested structs and a recursion guard."""

    def __init__(self, module: _Module, stats: Counter[str], warnings: list[str]) -> None:
        self.module = module
        self.stats = stats
        self.warnings = warnings
        self.memo: dict[tuple[str, str | None, int], Json] = {}
        self.depth: Counter[str] = Counter()

    def block(self, members: list[Member], table: dict[str, Row], body: str = "") -> Json:
        present = {m.name for m in members}
        for name, row in table.items():
            if name not in present:
                self.stats["row_without_section"] += 1
                members.append(_member_from_row(name, row, body))
        attributes: dict[str, Json] = {}
        blocks: dict[str, Json] = {}
        seen: set[str] = set()
        for member in members:
            if member.name in seen:
                continue
            seen.add(member.name)
            row = table.get(member.name)
            if member.constructs and self._is_struct_class(member.constructs):
                self._nested(member, row, attributes, blocks)
            elif row is not None and row.is_block:
                blocks[member.name] = self._table_only_block(row)  # provider configuration blocks
            else:
                attributes[member.name] = self._attribute(member, row)
        result: Json = {}
        if attributes:
            result["attributes"] = attributes
        if blocks:
            result["block_types"] = blocks
        return result

    def _is_struct_class(self, cls: str) -> bool:
        return not cls.startswith(_CDK_PREFIXES) and (
            cls in self.module.classes or cls.endswith(("List", "OutputReference", "Map")))

    def _nested(self, member: Member, row: Row | None, attributes: dict[str, Json], blocks: dict[str, Json]) -> None:
        cls = member.constructs
        assert cls is not None
        inner = self.struct(self.module.item_struct(cls), row.value if row else None)
        if row is not None and member.configurable:
            real_block = "listMapperHcl(" in row.value
            if row.kind in ("list", "set") and real_block and _mapper_flag(row.value):
                nested: Json = {"nesting_mode": row.kind, "block": inner}
            elif row.kind in ("list", "set") and not real_block:
                nested = {"nesting_mode": row.kind, "block": inner, "max_items": 1}
            elif row.kind == "struct" and (member.name == "timeouts" or not member.computed):
                nested = {"nesting_mode": "single", "block": inner}  # optional+computed objects are attributes
            else:
                obj = object_type(inner)
                kind = row.kind if row.kind in ("list", "set", "map") else "list"
                attributes[member.name] = {"type": obj if row.kind == "struct" else [kind, obj], **_flags(member)}
                self.stats["object_attribute"] += 1
                return
            if member.required and nested["nesting_mode"] != "single":
                nested["min_items"] = 1
            blocks[member.name] = nested
            self.stats[f"block_{nested['nesting_mode']}"] += 1
            return
        obj = object_type(inner)  # computed only: an attribute of object type
        if cls.endswith("OutputReference"):
            t: CtyType = obj
        elif cls.endswith("Map"):
            t = ["map", obj]
        else:
            t = ["set" if member.wraps_set else "list", obj]
        attributes[member.name] = {"type": t, **_flags(member)}
        self.stats["computed_object_attribute"] += 1

    def _attribute(self, member: Member, row: Row | None) -> Json:
        t = _storage_type(row) if row is not None and not row.is_block else None
        if t is None and member.constructs:
            t = _CDK_COLLECTIONS.get(member.constructs)
        if t is None:
            t = _getter_type(member.getter)
        if t is None:
            t = "dynamic"
            self.stats["untyped_attribute"] += 1
            self.warnings.append(f"untyped {member.name}: getter={member.getter!r} class={member.constructs!r}")
        attribute: Json = {"type": t, **_flags(member)}
        if member.name.endswith("_wo") and member.configurable:
            attribute["write_only"] = True
        self.stats["attribute"] += 1
        return attribute

    def _table_only_block(self, row: Row) -> Json:
        ref = _TABLE_REF.search(row.value)
        rows = self.module.tables.get(ref[1], {}) if ref else {}
        inner = self.block([Member(n, False, True, False) for n in rows], rows)
        nested: Json = {"nesting_mode": row.kind if row.kind in ("list", "set") else "single", "block": inner}
        if row.kind in ("list", "set") and "listMapperHcl(" not in row.value:
            nested["max_items"] = 1
        return nested

    def struct(self, struct: str, value: str | None) -> Json:
        ref = _TABLE_REF.search(value or "")
        key = (struct, ref[1] if ref else None, self.depth[struct])
        if key in self.memo:
            return self.memo[key]
        if self.depth[struct] >= 2 or sum(self.depth.values()) > 40:
            self.stats["recursive_struct"] += 1
            self.warnings.append(f"recursive struct {struct}")
            return {}
        self.depth[struct] += 1
        try:
            cls = self.module.classes.get(struct + "OutputReference")
            if cls is None:
                self.stats["missing_struct_class"] += 1
                self.warnings.append(f"no class for struct {struct}")
                result: Json = {}
            else:
                result = self.block(_members(cls[1]), self.module.table_of(struct, value), cls[1])
        finally:
            self.depth[struct] -= 1
        self.memo[key] = result
        return result


def _mapper_flag(value: str) -> bool:
    """``listMapperHcl(fn, true)``: the second argument says "a real block"."""
    call = value.replace(" ", "").split("listMapperHcl(", 1)[1]
    return call.split(")", 1)[0].endswith(",true")


# ---- provider-defined functions ----------------------------------------------------

_JSDOC_TYPES = {"string": "string", "number": "number", "boolean": "bool", "object": "dynamic", "any": "dynamic"}
_FUNCTION = re.compile(r"/\*\*((?:(?!\*/).)*?)\*/\s*\n\s*\w+\([^)]*\) \{\n(?:(?!\n    \}).)*?"
                       r'invoke\(this\.providerLocalName, "(\w+)", \[([^\]]*)\]', re.DOTALL)


def _functions(text: str) -> dict[str, Json]:
    """Provider-defined functions, from their JSDoc and the ``invoke`` call."""
    result = {}
    for doc, name, args in _FUNCTION.findall(text):
        declared = {n: t for t, n in re.findall(r"@param \{(\w+)(?:\[\])?\} (\w+)", doc)}
        arrays = set(re.findall(r"@param \{\w+\[\]\} (\w+)", doc))
        params: list[Json] = []
        variadic = None
        for arg in (a.strip() for a in args.split(",") if a.strip()):
            t: CtyType = _JSDOC_TYPES.get(declared.get(arg.lstrip("."), "any"), "dynamic")
            if arg.startswith("..."):
                variadic = {"name": arg[3:], "type": t}
            else:
                params.append({"name": arg, "type": ["list", t] if arg in arrays else t})
        returns = re.search(r"@returns \{(\w+)(\[\])?", doc)
        rtype: CtyType = _JSDOC_TYPES.get(returns[1], "dynamic") if returns else "dynamic"
        if returns and returns[2]:
            rtype = ["list", rtype]
        function: Json = {"parameters": params, "return_type": rtype}
        if variadic:
            function["variadic_parameter"] = variadic
        result[name] = function
    return result


# ---- the whole provider ---------------------------------------------------------


def extract(path: Path, warnings: list[str] | None = None, stats: Counter[str] | None = None) -> Json:
    """The schema of the provider in the package at ``path``."""
    package = read_package(path)
    provider = package.provider
    stats = Counter() if stats is None else stats
    warnings = [] if warnings is None else warnings
    schema: Json = {
        "format_version": "1.0",
        "source": {"package": package.meta.get("name"), "package_version": package.meta.get("version"),
                   "provider": provider.get("name"), "provider_version": provider.get("version")},
        "provider": {}, "resource_schemas": {}, "data_source_schemas": {}, "ephemeral_resource_schemas": {},
        "functions": {},
    }
    for directory, text in sorted(package.modules.items()):
        if directory == "provider-functions":
            schema["functions"].update(_functions(text))
            continue
        module = _Module(text)
        builder = _Builder(module, stats, warnings)
        for section, type_name, body in module.top_level():
            top = _TOP_TABLE.search(body)
            block = builder.block(_members(body), _rows(top[1]) if top else {}, body)
            _sets_without_dynamic(block)
            if section == "provider":
                schema["provider"] = block
            elif type_name:
                schema[section][type_name] = block
    if str(provider.get("name", "")).endswith("hashicorp/aws"):
        # provider_meta is not in the bindings; the AWS provider declares one attribute
        schema["provider_meta"] = {"attributes": {"user_agent": {"type": ["list", "string"], "optional": True}}}
    return schema


def main(argv: list[str] | None = None) -> int:
    args = sys.argv[1:] if argv is None else argv
    if len(args) != 2:
        print(__doc__)
        return 2
    warnings: list[str] = []
    stats: Counter[str] = Counter()
    schema = extract(Path(args[0]), warnings, stats)
    Path(args[1]).write_text(json.dumps(schema, separators=(",", ":"), sort_keys=True))
    src = schema["source"]
    print(f"{src['provider']} {src['provider_version']} ({src['package']} {src['package_version']}): "
          f"{len(schema['resource_schemas'])} resources, {len(schema['data_source_schemas'])} data sources, "
          f"{len(schema['ephemeral_resource_schemas'])} ephemeral resources, {len(schema['functions'])} functions; "
          f"{len(warnings)} warnings")
    for warning in warnings[:20]:
        print("warning:", warning)
    return 0


if __name__ == "__main__":
    sys.exit(main())
