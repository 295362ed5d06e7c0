"""TFX401: build Lambda deployment zips with data "archive_file" instead of by hand."""

from __future__ import annotations

import os
import posixpath
import zlib
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from tffix import edit
from tffix.engine.module import BlockRef, Module
from tffix.engine.rules import (
    FIX_SOMETIMES,
    IMPACT_IN_PLACE,
    IMPACT_REPLACE,
    UNSAFE,
    Finding,
    Rule,
)
from tffix.syntax import cst
from tffix.syntax.build import HCL, NewBlock, quote
from tffix.syntax.strings import literal_texts, string_text

# resource type -> what a new deployment package does to it
RESOURCES: dict[str, str] = {
    "aws_lambda_function": IMPACT_IN_PLACE,  # UpdateFunctionCode
    "aws_lambda_layer_version": IMPACT_REPLACE,  # every argument is ForceNew: a new layer version
}
# a lone ``<stem>.<ext>`` next to ``<stem>.zip`` is taken as its source
SOURCE_SUFFIXES = (".py", ".js", ".mjs", ".cjs", ".rb")
# hash(path) and outer(inner(path)) forms of "a hash of this file"
FILE_HASHES = {"filebase64sha256", "filebase64sha512", "filesha256", "filesha512", "filesha1", "filemd5"}
OUTER_HASHES = {"base64sha256", "base64sha512", "sha256", "sha512", "sha1", "md5"}
INNER_READS = {"filebase64", "file"}
ARCHIVE_SOURCE = "hashicorp/archive"
ARCHIVE_VERSION = "~> 2.0"
MAX_FILES = 20000  # a source tree bigger than this is not inspected


@dataclass(frozen=True)
class ZipPath:
    """A literal path to a zip: ``"lambda/f.zip"`` or ``"${path.module}/lambda/f.zip"``."""

    interp: str  # the ``${path.module}`` interpolation as written, '' for a plain string
    raw: str  # the literal text after it, as written (escapes kept)
    value: str  # the same text, unescaped

    @property
    def key(self) -> tuple[bool, str]:
        """Identity for "the same file": style and normalised path."""
        if self.interp:
            return True, posixpath.normpath(self.value.lstrip("/"))
        return False, posixpath.normpath(self.value)

    @property
    def display(self) -> str:
        """The path for messages (``lambda/f.zip`` for ``${path.module}/lambda/f.zip``)."""
        return self.value.lstrip("/") if self.interp else self.value

    @property
    def name(self) -> str:
        return posixpath.basename(self.value)

    def on_disk(self, directory: Path) -> Path:
        """Where the zip is, with relative paths taken from the module directory."""
        path = Path(self.value.lstrip("/")) if self.interp else Path(self.value)
        return path if path.is_absolute() else directory / path

    def _text(self, raw: str) -> HCL:
        return HCL('"' + self.interp + raw + '"')

    def sibling(self, name: str) -> HCL:
        """The path of ``name`` next to the zip, written in the zip's style."""
        prefix = self.raw[: self.raw.rfind("/") + 1]
        return self._text(prefix + quote(name)[1:-1])

    def parent(self) -> HCL:
        """The zip's directory, written in the zip's style."""
        prefix = self.raw[: self.raw.rfind("/") + 1].rstrip("/")
        return self._text(prefix or ".")


def zip_path(expr: cst.Node | None) -> ZipPath | None:
    """The path if ``expr`` is a plain string or ``"${path.module}/..."``, else None."""
    if not isinstance(expr, cst.Template) or not expr.parts:
        return None
    st = string_text(expr)
    assert st is not None
    interp, start = "", 0
    if st.holes:
        first = st.holes[0]
        inner = first.node.expr if isinstance(first.node, cst.Interpolation) else None
        if first.start != 0 or len(st.holes) > 1 or not (
                isinstance(inner, cst.Traversal) and inner.path == ["path", "module"] and len(inner.steps) == 1):
            return None
        interp, start = first.node.code, first.end
    raw = st.source[start:]
    value = cst.unescape(raw)
    if not value or "\\" in value or (interp and not value.startswith("/")):
        return None
    return ZipPath(interp, raw, value)


def hashed_path(expr: cst.Node | None) -> cst.Expr | None:
    """The path argument if ``expr`` hashes a file (``filebase64sha256(p)``,
    ``base64sha256(filebase64(p))``, ...), else None."""
    expr = cst.sole_expression(expr)
    if not isinstance(expr, cst.FunctionCall) or len(expr.arguments) != 1:
        return None
    (arg,) = expr.arguments
    if expr.name in FILE_HASHES:
        return arg
    if expr.name in OUTER_HASHES and isinstance(arg, cst.FunctionCall) and arg.name in INNER_READS \
            and len(arg.arguments) == 1:
        return arg.arguments[0]
    return None


def _mentions_zip(expr: cst.Node) -> bool:
    """A template that spells out ``.zip`` somewhere (``"${var.dir}/f.zip"``)."""
    for node in expr.walk():
        st = string_text(node)
        if st is not None and ".zip" in st.text.lower():
            return True
    return False


def _is_archive(ref: BlockRef | None) -> bool:
    return ref is not None and ref.block.type in ("data", "resource") and ref.block.label_values[:1] == ["archive_file"]


def producer_of(module: Module, key: tuple[bool, str]) -> BlockRef | None:
    """An ``archive_file`` (data source or resource) whose output_path is this zip."""
    for kind in ("data", "resource"):
        for ref in module.blocks(kind, "archive_file"):
            out = zip_path(attr.value) if (attr := ref.block.get_attribute("output_path")) else None
            if out is not None and out.key == key:
                return ref
    return None


def built_by_local_exec(module: Module, name: str) -> BlockRef | None:
    """A resource whose ``local-exec`` provisioner mentions the zip's file name."""
    for ref in module.blocks("resource"):
        for prov in ref.block.find_blocks("provisioner", "local-exec"):
            if any(name in text for text in literal_texts(prov.body)):  # in its command, not a comment
                return ref
    return None


# ---- what archive_file would pack ------------------------------------------------


@dataclass
class Sources:
    """One way to rebuild the zip: ``source_file`` or ``source_dir`` (+ excludes)."""

    attribute: str  # "source_file" or "source_dir"
    path: HCL  # the value, in the zip's path style
    shown: str  # for messages
    files: dict[str, Path]  # archive member name -> file on disk
    excludes: list[str] = field(default_factory=list)


def _walk(root: Path, skip: Path | None = None) -> dict[str, Path] | None:
    """Files under ``root`` as archive_file packs them (recursive, hidden files
    included, symlinked directories followed), by relative name; None if too many."""
    out: dict[str, Path] = {}
    for dirpath, dirnames, filenames in os.walk(root, followlinks=True):
        dirnames.sort()
        for fname in sorted(filenames):
            path = Path(dirpath) / fname
            if skip is not None and path == skip:
                continue
            out[path.relative_to(root).as_posix()] = path
            if len(out) > MAX_FILES:
                return None
    return out


def candidates(zp: ZipPath, zip_file: Path, module_dir: Path) -> Iterator[Sources]:
    """The sources the zip may have been built from, in order of preference:

    1. a directory named like the zip (``lambda.zip`` -> ``lambda/``);
    2. a lone source file with the zip's stem (``handler.zip`` -> ``handler.py``);
    3. the zip's own directory without the zip (``source_file`` if only one file is
       left, else ``source_dir`` with ``excludes``), unless that directory is the
       module directory or holds ``.tf`` files or other zips.
    """
    directory = zip_file.parent
    if not directory.is_dir():
        return
    stem = zip_file.name[: -len(".zip")]
    shown_dir = posixpath.dirname(zp.display)
    same_dir = directory / stem
    if stem and same_dir.is_dir():
        files = _walk(same_dir)
        if files:
            yield Sources("source_dir", zp.sibling(stem), posixpath.join(shown_dir, stem), files)
    lone = [p for p in directory.iterdir()
            if p.is_file() and p.suffix in SOURCE_SUFFIXES and p.name[: -len(p.suffix)] == stem]
    if len(lone) == 1:
        (src,) = lone
        yield Sources("source_file", zp.sibling(src.name), posixpath.join(shown_dir, src.name), {src.name: src})
    try:
        is_module_dir = directory.resolve() == module_dir.resolve()
    except OSError:
        return
    if is_module_dir:
        return
    if any(c in zip_file.name for c in "*?[{\\"):
        return  # the name would be read as a glob pattern in excludes
    others = [p for p in directory.iterdir() if p.name != zip_file.name]
    if any(p.suffix in (".tf", ".tofu") or p.suffix.lower() == ".zip" for p in others if p.is_file()):
        return
    files = _walk(directory, skip=zip_file)
    if not files:
        return
    if len(files) == 1 and "/" not in next(iter(files)):
        (name,) = files
        yield Sources("source_file", zp.sibling(name), posixpath.join(shown_dir, name), files)
    else:
        yield Sources("source_dir", zp.parent(), shown_dir or ".", files, excludes=[zp.name])


def zip_members(zip_file: Path) -> dict[str, int] | None:
    """Member name -> CRC32 of the files in an existing zip; None if there is no
    readable zip."""
    if not zip_file.is_file():
        return None
    import zipfile  # here: only a module with a built zip reads one

    try:
        with zipfile.ZipFile(zip_file) as zf:
            return {i.filename: i.CRC for i in zf.infolist() if not i.is_dir()}
    except (zipfile.BadZipFile, OSError):
        return None


def _crc(path: Path) -> int | None:
    try:
        return zlib.crc32(path.read_bytes()) & 0xFFFFFFFF
    except OSError:
        return None


# ---- required_providers ----------------------------------------------------------


def _declares_archive(rp: cst.Block) -> bool:
    for attr in rp.body.attributes:
        if attr.name == "archive":
            return True
        if isinstance(attr.value, cst.Object) and (item := attr.value.get("source")) is not None:
            if isinstance(item.value, cst.Template) and (item.value.literal_value or "").lower().endswith(
                    ARCHIVE_SOURCE):
                return True
    return False


def required_providers(module: Module) -> tuple[cst.Block, cst.Block] | None:
    """The (terraform block, required_providers block) to declare the archive
    provider in; None if the module declares no required_providers or already
    declares archive."""
    found: list[tuple[cst.Block, cst.Block]] = []
    for ref in module.blocks("terraform"):
        for rp in ref.block.find_blocks("required_providers"):
            if _declares_archive(rp):
                return None
            found.append((ref.block, rp))
    if not found:
        return None
    with_aws = [f for f in found if f[1].get_attribute("aws") is not None]
    return (with_aws or found)[0]


def declare_archive(rp: cst.Block) -> None:
    if _declares_archive(rp):
        return
    attrs = rp.body.attributes
    edit.set_attribute(rp, "archive", {"source": ARCHIVE_SOURCE, "version": ARCHIVE_VERSION},
                     after=attrs[-1].name if attrs else None)


def _unique_name(module: Module, base: str) -> str:
    taken = {ref.block.label_values[1] for ref in module.blocks("data", "archive_file")
             if len(ref.block.labels) == 2}
    name, n = base, 1
    while name in taken:
        n += 1
        name = f"{base}_{n}"
    return name


class LambdaArchiveFile(Rule):
    """
    ## What it does
    Finds `aws_lambda_function` and `aws_lambda_layer_version` resources that deploy a
    hand-built zip: `filename` is a literal path to a `.zip` (a plain string or
    `"${path.module}/..."`) and `source_code_hash` is missing or a hash of that same file
    (`filebase64sha256(...)`, `base64sha256(filebase64(...))`, `filemd5(...)`, ...). The
    fix adds a `data "archive_file"` that builds the zip from its sources on disk and
    points `filename` and `source_code_hash` at its `output_path` and
    `output_base64sha256`.

    The sources are looked up next to the zip (relative paths from the module
    directory), in this order:
    1. a directory named like the zip (`lambda.zip` -> `source_dir = "lambda"`);
    2. a lone source file with the zip's stem (`handler.zip` -> `source_file =
       "handler.py"`; `.py`, `.js`, `.mjs`, `.cjs`, `.rb`; two candidates are ambiguous
       and skipped);
    3. the zip's own directory without the zip: `source_file` when a single file is
       left (`lambda/function.zip` + `lambda/index.py`), else `source_dir` with
       `excludes = ["<zip name>"]`. Never the module directory itself, nor a directory
       holding `.tf` files or other zips.

    When the zip exists, the rule reads its member list and takes the first candidate
    that packs exactly the same files; if none does (the zip holds `node_modules/`,
    compiled output or anything else not lying next to it), it reports without a fix.

    The data source is named after the resource (`data "archive_file" "<name>"`, with
    `_2`, `_3`... on a clash), written directly above it (definition before use, as
    in the provider docs) and keeps the original path style: `output_path` is the
    original path, and `${path.module}` stays in every path that had it. Resources
    that share a zip (two functions, or one with `count`/`for_each`) share one data
    source; an existing `archive_file` whose `output_path` is the zip is reused. If the
    module declares `required_providers` (in any file), `archive = { source =
    "hashicorp/archive", version = "~> 2.0" }` is added there unless already present.

    Reported without a fix: a `filename` that is an expression (other than a reference
    to an `archive_file`) but evidently a zip path, a `source_code_hash` that hashes a
    different file or is another expression, sources that cannot be found on disk, a
    zip that holds files not found next to it, and a zip a `local-exec` provisioner
    builds. `s3_bucket`/`s3_key` and `image_uri` deployments are not concerned, nor is
    a literal `filename` whose `source_code_hash` already comes from an `archive_file`.

    ## Why is this bad?
    A zip built outside Terraform is a manual step: on a fresh checkout or in CI it does
    not exist and `terraform plan` fails, and when it does exist it may be stale, so
    old code is deployed (seed 001 §3, "Missing Lambda Deployment Package"). With
    `archive_file` Terraform builds the zip during plan, and `output_base64sha256`
    changes exactly when the sources change.

    ## Example
    ```hcl
    resource "aws_lambda_function" "main" {
      filename         = "${path.module}/lambda/function.zip"
      source_code_hash = filebase64sha256("${path.module}/lambda/function.zip")
      function_name    = "api"
    }
    ```
    with `function.zip` built by hand from the one source file next to it:
    ```python
    # file: lambda/index.py
    def handler(event, context):
        return {"statusCode": 200}
    ```

    ## Use instead
    ```hcl
    data "archive_file" "main" {
      type        = "zip"
      source_file = "${path.module}/lambda/index.py"
      output_path = "${path.module}/lambda/function.zip"
    }

    resource "aws_lambda_function" "main" {
      filename         = data.archive_file.main.output_path
      source_code_hash = data.archive_file.main.output_base64sha256
      function_name    = "api"
    }
    ```

    ## Fix safety
    Always **unsafe**. The zip archive_file writes is not byte-identical to a hand-built
    one (it zeroes timestamps, takes file modes from disk and walks files in lexical
    order), so the hash changes even when the code does not. When the zip exists and
    its member names match the sources, the code is the same except for files edited
    since the zip was built (the message says how many differ, by CRC). When the zip
    does not exist, what it held cannot be checked: a build step (`npm install`,
    `pip install -t`, `tsc`) may have added files archive_file will not pack, and
    `source_dir` packs everything in the directory (tests, READMEs). Plain relative
    paths are resolved from the module directory; Terraform resolves them from the
    working directory, which differs for a child module (prefer `path.module`); the
    fix keeps the original style, so Terraform resolves both paths alike.
    A hash of a different file is left alone: it may be a deliberate trigger. Review
    the data source, add `excludes` as needed, and consider ignoring the zip in git.

    ## Deployment impact
    `aws_lambda_function`: an **in-place update** of the function code
    (UpdateFunctionCode; a new version when `publish = true`) whenever the new hash
    differs from the deployed one. `aws_lambda_layer_version`: every argument is
    ForceNew, so a new hash **forces replacement**: a new layer version is published
    and functions that reference it are updated to it.

    ## References
    - Seed 001 §3 (hand-built `function.zip`; the archive provider approach)
    - hashicorp/terraform-provider-archive v2.8.0: `data "archive_file"` (`type`,
      `source_file`, `source_dir`, `excludes` with glob support since 2.5.0,
      `output_path`, `output_base64sha256`), internal/provider/zip_archiver.go (recursive
      walk, zeroed modification times, output_path not excluded automatically)
    - Terraform AWS provider: internal/service/lambda/function.go (`needsFunctionCodeUpdate`:
      a `source_code_hash` change calls UpdateFunctionCode), layer_version.go (`filename`,
      `source_code_hash` ForceNew), website/docs/r/lambda_function.html.markdown
      (archive_file example)
    - No Checkov, Trivy or KICS check covers this (none is mapped)
    """

    id = "TFX401"
    name = "lambda-archive-file"
    summary = "Build Lambda deployment zips with data archive_file instead of by hand"
    fix_availability = FIX_SOMETIMES
    safety = UNSAFE
    impact = IMPACT_IN_PLACE

    def check(self, module: Module, options: dict[str, Any]) -> Iterator[Finding]:
        for ref in module.resources(*RESOURCES):
            found = self._check(module, ref)
            if found is not None:
                yield found

    def _check(self, module: Module, ref: BlockRef) -> Finding | None:
        block = ref.block
        fattr = block.get_attribute("filename")
        if fattr is None:
            return None  # s3_bucket / image_uri deployment
        if _is_archive(module.resolve(fattr.value)):
            return None  # already built by archive_file
        hattr = block.get_attribute("source_code_hash")
        if hattr is not None and _is_archive(module.resolve(hattr.value)):
            return None  # the provider docs' pattern: the hash comes from archive_file
        hashed = hashed_path(hattr.value) if hattr is not None else None
        zp = zip_path(fattr.value)

        def report(message: str) -> Finding:
            return self.finding(ref.file, fattr, f"{ref.address}: {message}", block=block)

        if zp is None:
            if _mentions_zip(fattr.value) or hashed is not None:
                return report("filename is computed; build the zip with data \"archive_file\" instead of by hand")
            return None
        if not zp.value.lower().endswith(".zip"):
            return None
        shown = zp.display
        if hattr is not None:
            if hashed is None:
                return report(f"deploys the hand-built {shown} with a computed source_code_hash; build it with "
                              "data \"archive_file\" and use its output_base64sha256")
            other = zip_path(hashed)
            if other is None or other.key != zp.key:
                return report(f"source_code_hash hashes {hashed.code.strip()}, not filename {shown}; build the "
                              "zip with data \"archive_file\" and use its output_base64sha256")
        impact = RESOURCES[block.label_values[0]]
        scope: list[object] = [ref.file.tree, block]

        producer = producer_of(module, zp.key)
        if producer is not None:
            return self.finding(
                ref.file, fattr, f"{ref.address}: {shown} is built by {producer.address} but filename and "
                f"source_code_hash do not refer to it", block=block,
                fix=lambda: self._apply(module, ref, zp, None), scope=scope, impact=impact,
                description=f"point filename and source_code_hash at {producer.address}",
            )
        builder = built_by_local_exec(module, zp.name)
        if builder is not None:
            return report(f"{shown} is built by a local-exec provisioner in {builder.address}; consider data "
                          "\"archive_file\" if it only zips sources")

        zip_file = zp.on_disk(module.directory)
        members = zip_members(zip_file)
        try:
            found = list(candidates(zp, zip_file, module.directory))
        except OSError:  # unreadable directory: nothing to go on
            found = []
        note = ""
        if members is None:
            chosen = found[0] if found else None
            if chosen is None:
                return report(f"deploys the hand-built {shown}, and no sources were found next to it; build it "
                              "with data \"archive_file\"")
            note = f"{shown} could not be read" if zip_file.exists() else f"{shown} does not exist yet"
        else:
            chosen = next((c for c in found if set(c.files) == set(members)), None)
            if chosen is None:
                if not found:
                    return report(f"deploys the hand-built {shown}, and no sources were found next to it; build "
                                  "it with data \"archive_file\"")
                first = found[0]
                extra = sorted(set(members) - set(first.files)) or sorted(set(first.files) - set(members))
                return report(f"deploys the hand-built {shown}, which does not hold the same files as "
                              f"{first.shown} (e.g. {extra[0]}): it may come from a build step; build it with "
                              "data \"archive_file\"")
            stale = [n for n, crc in members.items() if _crc(chosen.files[n]) != crc]
            note = (f"{len(stale)} of {len(members)} files changed since {shown} was built" if stale
                    else f"{shown} holds the same files")
        rp = required_providers(module)
        if rp is not None:
            scope.append(rp[0])
        return self.finding(
            ref.file, fattr, f"{ref.address} deploys the hand-built {shown}; build it with data \"archive_file\" "
            f"from {chosen.shown} ({note})", block=block,
            fix=lambda: self._apply(module, ref, zp, chosen), scope=scope, impact=impact,
            description=f"add data \"archive_file\" ({chosen.attribute} = {chosen.shown}) and use its output",
        )

    @staticmethod
    def _apply(module: Module, ref: BlockRef, zp: ZipPath, sources: Sources | None) -> None:
        block = ref.block
        producer = producer_of(module, zp.key)  # another fix this round may have added one
        if producer is None:
            assert sources is not None
            name = _unique_name(module, block.label_values[1])
            body: dict[str, object] = {"type": "zip", sources.attribute: sources.path,
                                       "output_path": HCL('"' + zp.interp + zp.raw + '"')}
            if sources.excludes:
                body["excludes"] = sources.excludes
            edit.append_block(ref.file.tree, NewBlock("data", ["archive_file", name], body), before=block)
            address = f"data.archive_file.{name}"
            rp = required_providers(module)
            if rp is not None:
                declare_archive(rp[1])
        else:
            address = producer.address
        edit.set_attribute(block, "filename", HCL(f"{address}.output_path"))
        edit.set_attribute(block, "source_code_hash", HCL(f"{address}.output_base64sha256"), after="filename")

