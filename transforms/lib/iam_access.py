"""What IAM actions do: access level and whether they can be limited to resource ARNs.

Reads the generated table ``iam_actions.RESTRICTABLE`` (tools/gen_iam_actions.py). Only actions
that can be limited to resource ARNs are in it: an action missing from it either does not exist
or accepts only ``"*"`` as its resource.
"""

from __future__ import annotations

import fnmatch
import functools

from tffix.transforms.lib.iam_actions import RESTRICTABLE

WRITE, PERMISSIONS, TAGGING, READ, LIST = "W", "P", "T", "R", "L"
LEVEL_NAMES = {WRITE: "Write", PERMISSIONS: "Permissions management", TAGGING: "Tagging", READ: "Read", LIST: "List"}


@functools.cache
def _service(prefix: str) -> dict[str, tuple[str, str]]:
    """action name (lower case) -> (ActionName, level) for one service prefix."""
    packed = RESTRICTABLE.get(prefix)
    if packed is None:
        return {}
    out = {}
    for group in packed.split(";"):
        level, _, names = group.partition(":")
        for name in names.split(","):
            out[name.lower()] = (name, level)
    return out


def restrictable(action: str) -> list[tuple[str, str]] | None:
    """The restrictable actions an ``Action`` value stands for, as ("service:Action", level):
    ``s3:PutObject``, ``s3:Put*``, ``s3:*`` (wildcards match like IAM, ignoring case). None for
    ``"*"`` (every action of every service) and for a value that is not ``service:pattern``."""
    if action == "*" or action.count(":") != 1:
        return None
    prefix, pattern = action.lower().split(":")
    table = _service(prefix)
    if "*" in pattern or "?" in pattern:
        return [(f"{prefix}:{name}", level) for low, (name, level) in sorted(table.items())
                if fnmatch.fnmatchcase(low, pattern)]
    hit = table.get(pattern)
    return [(f"{prefix}:{hit[0]}", hit[1])] if hit else []
