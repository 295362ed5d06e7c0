"""Whether a launch configuration can take a fix.

A launch configuration cannot be changed: every argument of ``aws_launch_configuration``
is ForceNew and the resource has no update (provider source,
``internal/service/autoscaling/launch_configuration.go``), so any fix replaces it. The
replacement only applies cleanly when Terraform creates the new one before destroying the
old (``lifecycle { create_before_destroy = true }``: an Auto Scaling group still uses the
old one, and deleting a launch configuration in use fails with ``ResourceInUse``) and the
new one can take a new name (no fixed ``name``: two launch configurations cannot share one,
``AlreadyExists``). Fixes on any other launch configuration are reported instead.
"""

from __future__ import annotations

from collections.abc import Iterator

from tffix.engine.module import BlockRef
from tffix.engine.rules import IMPACT_REPLACE, Finding
from tffix.syntax import cst
from tffix.transforms.lib.settings import truth


def replacement_blocker(block: cst.Block) -> str | None:
    """Why replacing this launch configuration would fail to apply, or None when it would not."""
    if block.get_attribute("name") is not None:
        return ("it has a fixed name, which the replacement cannot take while the old one exists: use name_prefix "
                "and lifecycle { create_before_destroy = true }")
    for lifecycle in block.find_blocks("lifecycle"):
        attr = lifecycle.get_attribute("create_before_destroy")
        if attr is not None and truth(attr.value) == (True, True):
            return None
    return ("it is destroyed before its replacement exists, which fails while an Auto Scaling group uses it: add "
            "lifecycle { create_before_destroy = true }")


def replacing(ref: BlockRef, found: Iterator[Finding]) -> Iterator[Finding]:
    """A rule's findings on a launch configuration: fixes marked as replacing it where the
    replacement applies, reported with the reason where it would not."""
    blocker = replacement_blocker(ref.block)
    for f in found:
        if f.fix is not None and blocker is not None:
            f.fix = None
            f.message += f"; a launch configuration can only be replaced, and {blocker}"
        elif f.fix is not None:
            f.fix.impact = IMPACT_REPLACE
            f.fix.description += ("; replaces the launch configuration: instances already running keep their "
                                  "settings until the Auto Scaling group replaces them")
        yield f
