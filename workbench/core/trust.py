"""The trust store: the sha256 of every pickle this installation wrote, kept outside projects.

A pickle runs code when it is loaded, and a project folder is meant to be zipped and sent: a
hash stored beside the pickle (in the project's experiment log) proves only that whoever built
the folder wrote both. So the workbench loads a pickle only when its sha256 is in this store,
which lives in the user's data folder (`WORKBENCH_TRUST_DIR` overrides it: the tests point it at
a temporary folder), and which only this installation's own writers add to.

Why it is built this way:
- One empty file per hash (`<sha256>.trusted`), created atomically: training processes running
  side by side add to it without a lock, and a lookup is one `stat`.
- A project received from someone else keeps everything that is not code: its metrics, plots,
  predictions and ONNX exports. Its pickles wait for a re-fit on this machine (`rerun`).
"""

from __future__ import annotations

import os
import re
from pathlib import Path

from workbench.core.errors import WorkbenchError
from workbench.core.file_digest import file_sha256
from workbench.resources import user_data_dir

TRUST_DIR_VARIABLE = "WORKBENCH_TRUST_DIR"
_SUFFIX = ".trusted"
_SHA256 = re.compile(r"^[0-9a-f]{64}$")


class UntrustedPickle(WorkbenchError):
    """A pickle this installation did not write: it is never loaded. `run_id` names the run
    whose re-fit would give a trusted one."""

    def __init__(self, message: str, run_id: str | None = None) -> None:
        super().__init__(message)
        self.run_id = run_id


def trust_dir() -> Path:
    """Where the hashes are kept: $WORKBENCH_TRUST_DIR, else `trust/` in the user's data folder."""
    override = os.environ.get(TRUST_DIR_VARIABLE)
    return Path(override) if override else user_data_dir() / "trust"


def _entry(sha256: str) -> Path:
    if not isinstance(sha256, str) or not _SHA256.match(sha256):
        raise WorkbenchError(f"'{sha256}' is not a sha256")
    return trust_dir() / f"{sha256}{_SUFFIX}"


def trust_sha256(sha256: str) -> None:
    """Record that this installation wrote a pickle with this sha256."""
    entry = _entry(sha256)
    try:
        entry.parent.mkdir(parents=True, exist_ok=True)
        # O_EXCL-free create: a second writer of the same hash finds it there, which is fine.
        with open(entry, "a", encoding="utf-8"):
            pass
    except OSError as error:
        raise WorkbenchError(
            f"cannot record the pickle's sha256 in the trust store {entry.parent}: "
            f"{error.strerror or error}"
        ) from error


def trust_file(path: Path) -> str:
    """Hash a pickle this installation has just written, record it, and return the sha256."""
    sha256 = file_sha256(path)
    trust_sha256(sha256)
    return sha256


def is_trusted(sha256: str) -> bool:
    """Whether a pickle with this sha256 was written by this installation."""
    try:
        return _entry(sha256).is_file()
    except WorkbenchError:
        return False
