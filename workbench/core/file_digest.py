"""The sha256 of a file, computed in one place.

The project hashes files for three reasons: a dataset's Parquet copy and a batch file (is this
the same data?), a run's artifacts in the experiment log (was this pickle changed since the run?)
and the trust store (did this installation write this pickle?). They all read the file in
chunks through `hashlib.file_digest`, so a large file never fills memory. OS errors pass through
unchanged: each caller turns them into its own message (a missing table file, a missing
artifact, an unwritable copy).
"""

from __future__ import annotations

import hashlib
import os
from pathlib import Path
from typing import BinaryIO


def stream_sha256(handle: BinaryIO) -> tuple[str, int]:
    """(hex sha256, size in bytes) of an open binary file, read from its current position."""
    start = handle.tell()
    digest = hashlib.file_digest(handle, "sha256").hexdigest()
    return digest, os.fstat(handle.fileno()).st_size - start


def file_sha256_and_size(path: str | Path) -> tuple[str, int]:
    """(hex sha256, size in bytes) of the file at `path`."""
    with open(path, "rb") as handle:
        return stream_sha256(handle)


def file_sha256(path: str | Path) -> str:
    """Hex sha256 of the file at `path`."""
    return file_sha256_and_size(path)[0]
