"""A malicious pickle, as an attacker would plant it in a project folder: unpickling it writes a
marker file, so a test proves that no command or panel loaded it (tests/ is on sys.path through
its conftest.py)."""

from __future__ import annotations

import hashlib
import pickle
from pathlib import Path


class Planted:
    """Unpickling this writes `marker`: proof that a pickle ran."""

    def __init__(self, marker: Path) -> None:
        self.marker = marker

    def __reduce__(self) -> tuple:
        return (Path.write_text, (self.marker, "the planted pickle ran"))


def plant_pickle(path: Path, marker: Path) -> str:
    """Write the planted pickle at `path` (folders made); its sha256."""
    data = pickle.dumps(Planted(marker))
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(data)
    return hashlib.sha256(data).hexdigest()
