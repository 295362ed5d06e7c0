"""Reading and writing source files without losing anything.

Terraform reads UTF-8 only, so a file that is not UTF-8 (or holds NUL bytes)
is refused with a one-line message instead of being guessed at. The text
keeps its BOM (as ``\\ufeff``) and its line endings; the CST keeps both, so
writing ``text.encode("utf-8")`` gives back the same encoding.

Writes are atomic: a temporary file in the same directory, flushed and
fsynced, given the original file's mode, then renamed over the original. A
symlink is followed, so the link stays a link. Before writing, the bytes on
disk are compared with what was read; a file changed by someone else in the
meantime is skipped and reported.
"""

from __future__ import annotations

import hashlib
import os
import stat
import tempfile
from dataclasses import dataclass
from pathlib import Path

__all__ = ["InputError", "Source", "read_source", "write_atomic", "digest"]


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
    try:
        data = path.read_bytes()
    except IsADirectoryError:
        raise InputError(display, "is a directory") from None
    except OSError as e:
        raise InputError(display, f"cannot read: {e.strerror or e}") from None
    return Source(path, decode(data, display), digest(data))


def write_atomic(path: Path, text: str, expected_digest: str | None) -> str | None:
    """Write ``text`` to ``path``; returns an error message instead of raising.
    ``expected_digest`` None means the file is new and must not exist yet."""
    target = Path(os.path.realpath(path))
    try:
        current = target.read_bytes()
    except FileNotFoundError:
        current = None
    except OSError as e:
        return f"{path}: cannot read before writing: {e.strerror or e}"
    if expected_digest is None:
        if current is not None:
            return f"{path}: was created by something else since the run started; not overwritten"
        mode = 0o666 & ~_umask()
    else:
        if current is None or digest(current) != expected_digest:
            return f"{path}: changed on disk since it was read; skipped"
        mode = stat.S_IMODE(target.stat().st_mode)
    data = text.encode("utf-8")
    fd, tmp = tempfile.mkstemp(dir=target.parent, prefix=f".{target.name}.", suffix=".tffix-tmp")
    try:
        with os.fdopen(fd, "wb") as f:
            f.write(data)
            f.flush()
            os.fsync(f.fileno())
        os.chmod(tmp, mode)
        os.replace(tmp, target)
    except OSError as e:
        try:
            os.unlink(tmp)
        except OSError:
            pass
        return f"{path}: cannot write: {e.strerror or e}"
    return None


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask
