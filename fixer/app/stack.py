"""Running rules on deeply nested Terraform.

The parser and the printer are loops, but rules walk trees recursively, and
Terraform accepts tens of thousands of nested brackets or blocks. So a module
is processed in a thread with a large stack and a raised recursion limit:
rules then cope with nesting many times deeper than real code has, and past
that a rule fails with RecursionError (reported as that rule's error, other
rules and modules unaffected), never a crash of the interpreter.
"""

from __future__ import annotations

import sys
import threading
from collections.abc import Callable
from typing import Any, TypeVar

__all__ = ["call_with_deep_stack", "STACK_BYTES", "RECURSION_LIMIT"]

T = TypeVar("T")

# Virtual memory: pages are touched only as deep as the recursion really goes.
# 20,000 frames stay far below 256 MB (about 2 KB of C stack per frame at worst).
STACK_BYTES = 256 * 1024 * 1024
RECURSION_LIMIT = 20_000

_lock = threading.Lock()


def call_with_deep_stack(fn: Callable[..., T], *args: Any) -> T:
    """``fn(*args)`` in a thread with a deep stack; its exception is re-raised here."""
    outcome: dict[str, Any] = {}

    def target() -> None:
        try:
            outcome["value"] = fn(*args)
        except BaseException as exc:  # noqa: BLE001 - handed back to the caller
            outcome["error"] = exc

    with _lock:  # the stack size and the recursion limit are process-wide settings
        old_limit = sys.getrecursionlimit()
        sys.setrecursionlimit(max(old_limit, RECURSION_LIMIT))
        try:
            old_size = threading.stack_size(STACK_BYTES)
            try:
                thread = threading.Thread(target=target, name="tffix-module", daemon=True)
                thread.start()
            finally:
                threading.stack_size(old_size)
            thread.join()
        finally:
            sys.setrecursionlimit(old_limit)
    if "error" in outcome:
        raise outcome["error"]
    return outcome["value"]
