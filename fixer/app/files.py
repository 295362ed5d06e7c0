"""Reading and writing source files without losing anything.

Terraform reads UTF-8 only, so a file that is not UTF-8 (or holds NUL bytes)
is refused with a one-line message instead of being guessed at. The text
keeps its BOM (as ``\\ufeff``) and its line endings; the CST keeps both, so
writing ``text.encode("utf-8")`` gives back the same encoding.

Writes are atomic: a temporary file in the same directory, written, fsynced
and given the original file's mode, then renamed over the original. The last
step holds an advisory lock (``flock``) on the directory: under it the bytes
on disk are compared with what was read, right before the rename, so two
tffix runs (or a run and an editor that saved a moment ago) never overwrite
each other's work; the one that comes second reports "changed on disk since
it was read". The lock is on the directory because the rename replaces the
file's inode, so a lock on the file would not stop the next writer.

What is never written: a file whose real path is outside the roots the user
gave (a symlink pointing elsewhere), a dangling symlink (it would create its
target), a read-only file (its mode says "do not change me"), and a file with
several hard links (a rename would silently split them). Each is skipped with
a message.
"""

from __future__ import annotations

import errno
import hashlib
import os
import stat
import time
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from tffix.app.interrupt import deferred

__all__ = ["InputError", "Source", "read_source", "write_atomic", "digest", "inside", "remove_temporary_files",
           "TEMP_SUFFIX"]

TEMP_SUFFIX = ".tffix-tmp"


class InputError(Exception):
    """A file tffix cannot read as Terraform; ``str()`` is ``path: message``."""

    def __init__(self, path: str, message: str, line: int | None = None, column: int | None = None) -> None:
        super().__init__(message)
        self.path, self.message, self.line, self.column = path, message, line, column

    def __str__(self) -> str:
        where = self.path if self.line is None else f"{self.path}:{self.line}:{self.column}"
        return f"{where}: {self.message}"


@dataclass
class Source:
    path: Path
    text: str
    digest: str


def digest(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def decode(data: bytes, display: str) -> str:
    if b"\x00" in data:
        raise InputError(display, "binary file (contains NUL bytes), skipped")
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as e:
        line = data.count(b"\n", 0, e.start) + 1
        col = e.start - (data.rfind(b"\n", 0, e.start) + 1) + 1
        raise InputError(display, f"not valid UTF-8 (byte 0x{data[e.start]:02x}); Terraform reads UTF-8 only",
                         line, col) from None


def read_source(path: Path, display: str) -> Source:
    """The file's text and digest. Opened without blocking and checked to be a
    regular file first: a FIFO put in place of a ``.tf`` must not hang the run."""
    try:
        fd = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0))
    except IsADirectoryError:
        raise InputError(display, "is a directory") from None
    except OSError as e:
        raise InputError(display, f"cannot read: {e.strerror or e}") from None
    try:
        if not stat.S_ISREG(os.fstat(fd).st_mode):
            raise InputError(display, "not a regular file (a FIFO, socket or device); skipped")
        with os.fdopen(fd, "rb") as f:
            fd = -1
            data = f.read()
    except OSError as e:
        raise InputError(display, f"cannot read: {e.strerror or e}") from None
    finally:
        if fd >= 0:
            os.close(fd)
    return Source(path, decode(data, display), digest(data))


def inside(path: str | Path, roots: Sequence[Path]) -> bool:
    """Whether the real path of ``path`` is one of ``roots`` or below one (roots are real paths)."""
    real = Path(os.path.realpath(path))
    return any(real == r or r in real.parents for r in roots)


def write_atomic(path: Path, text: str, expected_digest: str | None,
                 roots: Sequence[Path] | None = None, on_written: Callable[[], None] | None = None) -> str | None:
    """Write ``text`` to ``path``; returns an error message instead of raising.
    ``expected_digest`` None means the file is new and must not exist yet;
    ``roots`` (real paths), when given, are where writing is allowed;
    ``on_written`` runs with the rename, before any signal is let through."""
    refusal = _refusal(path, expected_digest is None, roots)
    if refusal:
        return f"{path}: {refusal}"
    target = Path(os.path.realpath(path))
    data = text.encode("utf-8")
    import tempfile  # here: a run that writes nothing does not need it

    try:
        fd, tmp = tempfile.mkstemp(dir=target.parent, prefix=f".{target.name}.", suffix=TEMP_SUFFIX)
    except OSError as e:
        return f"{path}: cannot write: cannot create a temporary file in {target.parent}: {e.strerror or e}"
    pending: str | None = tmp
    _temporary.add(tmp)
    try:
        with os.fdopen(fd, "wb") as f:
            f.write(data)
            f.flush()
            os.fsync(f.fileno())
        with _locked(target.parent) as dir_fd:
            problem = _still_as_read(target, expected_digest, tmp)
            if problem:
                return f"{path}: {problem}"
            with deferred():
                os.replace(tmp, target)
                pending = None
                if on_written is not None:
                    on_written()
            _sync(dir_fd)
    except OSError as e:
        return f"{path}: cannot write: {e.strerror or e}"
    finally:
        _temporary.discard(tmp)
        if pending is not None:
            _unlink(pending)
    return None


def _refusal(path: Path, new: bool, roots: Sequence[Path] | None) -> str | None:
    """Why ``path`` must not be written at all, whatever its content."""
    real = os.path.realpath(path)
    if new:
        if os.path.lexists(path):
            return "already exists (or is a dangling symlink); not overwritten"
        if roots is not None and not inside(Path(real).parent, roots):
            return "is outside the paths given; not created"
        return None
    if not os.path.exists(path):
        if os.path.islink(path):
            return "is a dangling symlink; not written (that would create its target)"
        return "changed on disk since it was read (deleted); skipped"
    if roots is not None and not inside(real, roots):
        return "is a symlink to a file outside the paths given; not written"
    return None


def _still_as_read(target: Path, expected_digest: str | None, tmp: str) -> str | None:
    """Under the lock: the file is still what was read, and may be replaced.
    Gives ``tmp`` the file's mode (and owner, when that is allowed)."""
    if expected_digest is None:
        if os.path.lexists(target):
            return "was created by something else since the run started; not overwritten"
        os.chmod(tmp, 0o666 & ~_umask())
        return None
    try:
        st = os.stat(target)
        current = target.read_bytes()
    except FileNotFoundError:
        return "changed on disk since it was read (deleted); skipped"
    except OSError as e:
        return f"cannot read before writing: {e.strerror or e}"
    if digest(current) != expected_digest:
        return "changed on disk since it was read; skipped (run tffix again to fix it)"
    mode = stat.S_IMODE(st.st_mode)
    if not mode & 0o222:
        return f"is read-only (mode {mode:04o}); not rewritten"
    if st.st_nlink > 1:
        return f"has {st.st_nlink} hard links; not rewritten (replacing it would break the links)"
    os.chmod(tmp, mode)
    if (st.st_uid, st.st_gid) != (os.geteuid(), os.getegid()):
        try:
            os.chown(tmp, st.st_uid, st.st_gid)
        except OSError:
            pass  # not allowed: the file becomes the writer's, as with any editor's save
    return None


LOCK_TIMEOUT = 10.0  # seconds; holders keep the lock only to compare and rename


@contextmanager
def _locked(directory: Path) -> Iterator[int | None]:
    """An exclusive advisory lock on ``directory`` (no-op where flock does not exist)."""
    try:
        import fcntl
    except ImportError:  # pragma: no cover - Windows
        yield None
        return
    fd = os.open(directory, os.O_RDONLY)
    try:
        deadline = time.monotonic() + LOCK_TIMEOUT
        while True:
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
                break
            except BlockingIOError:
                if time.monotonic() > deadline:
                    raise OSError(errno.EWOULDBLOCK, f"{directory} stayed locked by another writer") from None
                time.sleep(0.01)
        yield fd
    finally:
        os.close(fd)  # releases the lock


def _sync(dir_fd: int | None) -> None:
    """Make the rename durable; a directory that cannot be fsynced is not an error."""
    if dir_fd is not None:
        try:
            os.fsync(dir_fd)
        except OSError:
            pass


def _unlink(path: str) -> None:
    try:
        os.unlink(path)
    except OSError:
        pass


# temporary files being written right now: removed by ``remove_temporary_files``
# when a signal ends the run
_temporary: set[str] = set()


def remove_temporary_files() -> None:
    """Delete the temporary files of writes in progress (signal handlers call this)."""
    for tmp in list(_temporary):
        _unlink(tmp)
        _temporary.discard(tmp)


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask
