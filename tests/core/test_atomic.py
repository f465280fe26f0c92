"""Atomic writes: all or nothing, and the permissions a user expects."""

from __future__ import annotations

import json
import os
import stat
from pathlib import Path

import pytest

from workbench.core.atomic import atomic_path, write_json_atomic


def test_new_file_gets_umask_permissions_not_owner_only(tmp_path: Path) -> None:
    target = tmp_path / "project.json"
    write_json_atomic(target, {"a": 1})
    umask = os.umask(0)
    os.umask(umask)
    assert stat.S_IMODE(target.stat().st_mode) == 0o666 & ~umask
    assert json.loads(target.read_text()) == {"a": 1}


def test_existing_file_keeps_its_permissions(tmp_path: Path) -> None:
    target = tmp_path / "project.json"
    target.write_text("{}")
    target.chmod(0o640)
    write_json_atomic(target, {"b": 2})
    assert stat.S_IMODE(target.stat().st_mode) == 0o640


def test_a_failed_write_leaves_the_old_file_and_no_temp(tmp_path: Path) -> None:
    target = tmp_path / "data.bin"
    target.write_bytes(b"old")
    with pytest.raises(RuntimeError, match="disk on fire"), atomic_path(target) as tmp:
        tmp.write_bytes(b"half of the new")
        raise RuntimeError("disk on fire")
    assert target.read_bytes() == b"old"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["data.bin"]


def test_nan_is_refused_rather_than_written_as_invalid_json(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="Out of range float values"):
        write_json_atomic(tmp_path / "x.json", {"v": float("nan")})
    assert list(tmp_path.iterdir()) == []
