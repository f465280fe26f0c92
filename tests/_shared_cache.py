"""Expensive test fixtures (trained projects, exported scripts) built once per test session and
shared by the xdist workers.

pytest-xdist runs the suite in two worker processes; a module- or session-scoped fixture is
built in each of them, so a fixture that trains runs costs twice. Here the first worker that
asks builds it in the session's common temporary folder under a file lock, and the others wait
for it and read what it built. The workers share one trust store (conftest.py sets it before
they start), so a pickle trained by one worker loads in the other.
"""

from __future__ import annotations

import json
import os
import shutil
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from filelock import FileLock

BUILT_FILE = "built.json"


def session_folder(factory: pytest.TempPathFactory) -> Path:
    """The temporary folder of the whole test session: under xdist each worker's base is
    <session>/popen-gwN, so the session's is its parent; without xdist, the base itself."""
    base = factory.getbasetemp()
    return base.parent if os.environ.get("PYTEST_XDIST_WORKER") else base


def built_once(
    factory: pytest.TempPathFactory, name: str, build: Callable[[Path], Any]
) -> tuple[Path, Any]:
    """(folder, what `build` returned): `build(folder)` fills a fresh folder the first time any
    worker of this session asks for `name`; its JSON-able result is stored beside what it
    built. A build that raised leaves nothing behind, so the next asker tries again."""
    folder = session_folder(factory) / f"shared-{name}"
    with FileLock(f"{folder}.lock"):
        built = folder / BUILT_FILE
        if not built.exists():
            shutil.rmtree(folder, ignore_errors=True)
            folder.mkdir(parents=True)
            try:
                result = build(folder)
            except BaseException:
                shutil.rmtree(folder, ignore_errors=True)
                raise
            built.write_text(json.dumps(result), encoding="utf-8")
        return folder, json.loads(built.read_text(encoding="utf-8"))


def lock_for(folder: Path, name: str) -> FileLock:
    """A lock for work on one shared item (a script run in a shared folder)."""
    return FileLock(f"{folder / name}.lock")


_COPIES: dict[tuple[Path, str], tuple[Path, Any]] = {}


def worker_copy(
    factory: pytest.TempPathFactory, name: str, build: Callable[[Path], Any]
) -> tuple[Path, Any]:
    """`built_once`, then copied into this worker's own temporary folder (once per worker):
    for fixtures the tests may write to (a report, a monitor check), which each worker must
    own as it did when it built them itself. Trained projects copy as they are: their paths
    are relative to the project folder."""
    key = (factory.getbasetemp(), name)
    if key not in _COPIES:
        shared, result = built_once(factory, name, build)
        copy = factory.getbasetemp() / f"copy-{name}"
        shutil.copytree(shared, copy, ignore=shutil.ignore_patterns(BUILT_FILE))
        _COPIES[key] = (copy, result)
    return _COPIES[key]
