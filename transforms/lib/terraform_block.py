"""The terraform block: which block to edit, whether the module has content, a new versions.tf."""

from __future__ import annotations

from tffix import edit
from tffix.engine.module import Module, SourceFile
from tffix.syntax import cst
from tffix.syntax.build import NewBlock

# blocks that make a directory a Terraform module worth declaring versions for (variables
# and locals alone do not: a directory of shared variable files is not a module to pin)
CONTENT_BLOCKS = ("resource", "data", "ephemeral", "provider", "module", "output", "import", "check", "moved",
                  "removed")


def is_opentofu(module: Module) -> bool:
    """OpenTofu-only modules (.tofu files) compare required_version with OpenTofu's own
    version numbers, which this table does not describe."""
    return any(f.path.suffix == ".tofu" for f in module.files)


def has_content(module: Module) -> bool:
    return any(True for kind in CONTENT_BLOCKS for _ in module.blocks(kind))


def terraform_blocks(module: Module) -> list[tuple[SourceFile, cst.Block]]:
    return [(ref.file, ref.block) for ref in module.blocks("terraform")]


def preferred_terraform_block(module: Module) -> tuple[SourceFile, cst.Block] | None:
    """Where new settings go: a terraform block with required_providers, else one in
    versions.tf / terraform.tf, else the first."""
    blocks = terraform_blocks(module)
    for f, b in blocks:
        if b.find_blocks("required_providers"):
            return f, b
    for f, b in blocks:
        if f.path.name in ("versions.tf", "terraform.tf"):
            return f, b
    return blocks[0] if blocks else None


def first_content(module: Module) -> tuple[SourceFile, cst.Block] | None:
    for f in module.files:
        for item in f.tree.body.items:
            if isinstance(item, cst.Block) and item.type in CONTENT_BLOCKS:
                return f, item
    return None


def new_versions_file(module: Module, body: dict[str, object]) -> None:
    """Create versions.tf (or reuse a file of that name) holding ``terraform { body }``."""
    sf = module.new_file("versions.tf")
    existing = sf.tree.find_blocks("terraform")
    if existing:
        block = existing[0]
        for key, value in body.items():
            if isinstance(value, NewBlock):
                edit.append_block(block, value)
            else:
                edit.set_attribute(block, key, value)
        return
    edit.append_block(sf.tree, NewBlock("terraform", body=body))
