"""Atomic file writes: a killed process leaves the old file or the new one, never half of one.

Write to a temporary file in the same folder, flush and fsync it, then `os.replace` it over the
target (atomic on POSIX and Windows when both are on one volume), and fsync the folder so the
rename itself survives a power cut.
"""

from __future__ import annotations

import contextlib
import json
import os
import stat
import tempfile
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

from workbench.core.errors import WorkbenchError


@contextlib.contextmanager
def atomic_path(target: Path) -> Iterator[Path]:
    """Yield a temporary path beside `target`; on success it replaces `target` atomically.

    For writers that want a path rather than a file object (pandas.to_parquet, sqlite backups).
    On any exception the temporary file is removed and `target` is left untouched.
    """
    _refuse_non_file(target)
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp_name = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".tmp", dir=target.parent)
    except OSError as error:
        raise WorkbenchError(f"cannot write {target}: {error.strerror or error}") from None
    os.close(fd)
    tmp = Path(tmp_name)
    try:
        yield tmp
        _fsync_file(tmp)
        os.chmod(tmp, _mode_for(target))
        os.replace(tmp, target)
        _fsync_dir(target.parent)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise


def _refuse_non_file(target: Path) -> None:
    """The rename would replace a folder's place or a device with a plain file: run as root,
    `--out /dev/null` would have turned /dev/null into a file. Refuse before writing anything."""
    try:
        mode = target.stat().st_mode
    except OSError:
        return  # absent (the usual case), or unreachable: the write itself will say so
    if stat.S_ISDIR(mode):
        raise WorkbenchError(f"cannot write {target}: it is a folder")
    if not stat.S_ISREG(mode):
        raise WorkbenchError(f"cannot write {target}: it is a device or named pipe, not a file")


def write_bytes_atomic(target: Path, data: bytes) -> None:
    with atomic_path(target) as tmp:
        tmp.write_bytes(data)


def write_text_atomic(target: Path, text: str) -> None:
    write_bytes_atomic(target, text.encode("utf-8"))


def write_json_atomic(
    target: Path, payload: Any, default: Callable[[Any], Any] | None = None
) -> None:
    """JSON with sorted-stable, human-diffable layout (project files live in users' git repos)."""
    text = json.dumps(payload, indent=2, ensure_ascii=False, allow_nan=False, default=default)
    write_text_atomic(target, text + "\n")


def _mode_for(target: Path) -> int:
    """Keep an existing file's permissions; a new one gets the usual umask-based mode.

    mkstemp creates files readable by their owner only, which would silently make a shared
    project folder unreadable to colleagues.
    """
    try:
        return target.stat().st_mode & 0o7777
    except FileNotFoundError:
        umask = os.umask(0)
        os.umask(umask)
        return 0o666 & ~umask


def _fsync_file(path: Path) -> None:
    with open(path, "rb+") as handle:
        os.fsync(handle.fileno())


def _fsync_dir(folder: Path) -> None:
    # Directories cannot be opened for fsync on Windows; there the rename is already durable enough.
    if os.name != "posix":
        return
    fd = os.open(folder, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)
