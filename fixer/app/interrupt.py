"""SIGINT and SIGTERM as one exception, ``Interrupted``, raised in the main
thread, so a run can stop cleanly: temporary files removed, worker processes
ended, the files already written listed, exit code 128 + the signal.

A rename and the bookkeeping that records it happen inside ``deferred()``:
a signal arriving there is held until the block ends, so "written" is never
a lie in either direction.
"""

from __future__ import annotations

import os
import signal
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from types import FrameType

__all__ = ["Interrupted", "handling_signals", "deferred", "blocked", "SIGNALS"]

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


_owner = 0  # the process that installed the handler


def _handler(signum: int, frame: FrameType | None) -> None:
    global _held
    if os.getpid() != _owner:
        # a worker forked from the run, before ``reset_in_worker`` ran (the main process
        # ending the workers while the pool still starts one): behave as a worker, never
        # raise there (a traceback from the fork hooks or the pool's initializer)
        if signum != signal.SIGINT:
            signal.signal(signum, signal.SIG_DFL)
            os.kill(os.getpid(), signum)
        return
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
    global _owner
    _owner = os.getpid()
    old = {s: signal.signal(s, _handler) for s in SIGNALS}
    try:
        yield
    finally:
        for s, h in old.items():
            signal.signal(s, h)


@contextmanager
def blocked() -> Iterator[None]:
    """Hold SIGINT / SIGTERM in the kernel for the block (this thread), such as while a
    process pool forks its workers: a handler that raises inside ``fork``'s hooks is
    ignored by the interpreter ("Exception ignored in _releaseLock"), so the signal would be
    lost and the run would go on. Held signals arrive when the block ends."""
    if not hasattr(signal, "pthread_sigmask"):  # pragma: no cover - not on POSIX
        yield
        return
    old = signal.pthread_sigmask(signal.SIG_BLOCK, SIGNALS)
    try:
        yield
    finally:
        signal.pthread_sigmask(signal.SIG_SETMASK, old)


def reset_in_worker() -> None:
    """In a worker process: Ctrl-C is the main process's business (it ends the
    workers), and SIGTERM kills at once, as by default. A worker is forked with the
    signals held (``blocked``): they are let through once the handlers are a worker's."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    signal.signal(signal.SIGTERM, signal.SIG_DFL)
    if hasattr(signal, "pthread_sigmask"):
        signal.pthread_sigmask(signal.SIG_UNBLOCK, SIGNALS)
