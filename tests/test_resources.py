"""Where the demo project is opened from: in place in a checkout, a kept copy in a bundle."""

from __future__ import annotations

import json
import shutil
import sys
from pathlib import Path

import pytest

from workbench.resources import demo_project, writable_demo_project


def test_a_checkout_opens_its_demo_in_place(repo_root: Path) -> None:
    assert writable_demo_project() == repo_root / "projects" / "demo"


def test_a_bundle_copies_its_demo_once_to_the_user_folder(
    repo_root: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    bundle = tmp_path / "bundle"
    shutil.copytree(repo_root / "projects" / "demo", bundle / "projects" / "demo")
    monkeypatch.setattr(sys, "_MEIPASS", str(bundle), raising=False)
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "data"))
    monkeypatch.setenv("LOCALAPPDATA", str(tmp_path / "data"))
    assert demo_project() == bundle / "projects" / "demo"

    copy = writable_demo_project()
    if sys.platform not in ("win32", "darwin"):
        assert copy == tmp_path / "data" / "ml-workbench" / "demo"
    assert json.loads((copy / "project.json").read_text())["name"] == "Penguins demo"
    assert not copy.with_name("demo.partial").exists()
    (copy / "experiments.sqlite").write_bytes(b"the user's runs")
    assert writable_demo_project() == copy  # made once: what was trained there is kept
    assert (copy / "experiments.sqlite").read_bytes() == b"the user's runs"
