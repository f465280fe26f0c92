"""Paths read from a project's own files (project.json, the experiment log), kept inside it.

A project folder comes from anyone. A path written in it (the dataset's, a run's artifact's) is
only ever a place inside the folder: an absolute path, one that climbs out with `..`, or a link
that leads out would let a received project make the workbench read (or unpickle) a file
elsewhere on this machine. Such a path is refused, naming the entry it came from.

Whether the folder can be written at all (a project someone else owns, a read-only share) is
asked here too: such a project opens read-only, and nothing that writes is offered.

A leaf module (the standard library and the errors only): the dataset and the log both use it.
"""

from __future__ import annotations

import os
from pathlib import Path, PurePosixPath, PureWindowsPath

from workbench.core.errors import ProjectError


def inside_project(root: Path, written: str, entry: str) -> Path:
    """The file `written` (relative, / separators) names inside the project folder `root`;
    a ProjectError naming `entry` when it is absolute or leads outside the folder."""
    if not isinstance(written, str) or not written.strip():
        raise ProjectError(f"{entry} is empty; it should name a file inside the project folder")
    posix, windows = PurePosixPath(written), PureWindowsPath(written)
    if posix.is_absolute() or windows.is_absolute() or windows.drive or windows.root:
        raise ProjectError(
            f"{entry} is the absolute path '{written}'; a project only reads files inside its "
            "own folder"
        )
    if ".." in posix.parts or ".." in windows.parts:
        raise ProjectError(
            f"{entry} '{written}' leads outside the project folder; a project only reads files "
            "inside its own folder"
        )
    base = Path(root).resolve()
    full = base / posix
    try:
        full.resolve().relative_to(base)
    except ValueError:
        raise ProjectError(
            f"{entry} '{written}' is a link leading outside the project folder; a project only "
            "reads files inside its own folder"
        ) from None
    return full


# Files a project writes in place (atomically, beside themselves): the folder must take new
# files, and the two files it rewrites must be writable.
_REWRITTEN = ("project.json", "experiments.sqlite")


def project_writable(root: Path) -> bool:
    """Whether this user can write the project folder (and the files it rewrites)."""
    root = Path(root)
    if not os.access(root, os.W_OK | os.X_OK):
        return False
    return all(os.access(root / name, os.W_OK) for name in _REWRITTEN if (root / name).exists())
