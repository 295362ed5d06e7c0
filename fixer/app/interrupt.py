"""SIGINT and SIGTERM as one exception, ``Interrupted``, raised in the main
thread, so a run can stop cleanly: temporary files removed, worker processes
ended, the files already written listed, exit code 128 + the signal.

A rename and the bookkeeping that records it happen inside ``deferred()``:
a signal arriving there is held until the block ends, so "written" is never
a lie in either direction.
"""

from __future__ import annotations

import signal
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from types import FrameType

__all__ = ["Interrupted", "handling_signals", "deferred", "SIGNALS"]

SIGNALS = (signal.SIGINT, signal.SIGTERM)


class Interrupted(BaseException):
    """A signal asked the run to stop (a BaseException, like KeyboardInterrupt:
    ``except Exception`` must not swallow it)."""

    def __init__(self, signum: int) -> None:
        super().__init__(signal.Signals(signum).name)
        self.signum = signum

    @property
    def exit_code(self) -> int:
        return 128 + self.signum


_depth = 0
_held: int | None = None


def _handler(signum: int, frame: FrameType | None) -> None:
    global _held
    if _depth:
        _held = signum
        return
    raise Interrupted(signum)


@contextmanager
def deferred() -> Iterator[None]:
    """Hold SIGINT / SIGTERM until the block ends (then raise ``Interrupted``)."""
    global _depth, _held
    _depth += 1
    try:
        yield
    finally:
        _depth -= 1
        if not _depth and _held is not None:
            signum, _held = _held, None
            raise Interrupted(signum)


@contextmanager
def handling_signals() -> Iterator[None]:
    """Turn SIGINT / SIGTERM into ``Interrupted`` for the block (main thread only;
    elsewhere, as in a test runner's thread, signals keep their handlers)."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    old = {s: signal.signal(s, _handler) for s in SIGNALS}
    try:
        yield
    finally:
        for s, h in old.items():
            signal.signal(s, h)


def reset_in_worker() -> None:
    """In a worker process: Ctrl-C is the main process's business (it ends the
    workers), and SIGTERM kills at once, as by default."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    signal.signal(signal.SIGTERM, signal.SIG_DFL)
