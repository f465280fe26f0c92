"""packaging/launcher.py: what the frozen app does with a double-clicked project file."""

from __future__ import annotations

import shutil
from pathlib import Path
from types import ModuleType


def test_a_project_file_opens_its_folder(
    launcher: ModuleType, repo_root: Path, tmp_path: Path
) -> None:
    project = tmp_path / "my project"
    shutil.copytree(repo_root / "projects" / "demo", project)

    assert launcher.opened_arguments([str(project / "project.json")]) == [str(project)]
    # The folder itself, other files and every other command line pass through unchanged.
    assert launcher.opened_arguments([str(project)]) == [str(project)]
    data = str(project / "data" / "penguins.parquet")
    assert launcher.opened_arguments([data]) == [data]
    missing = str(tmp_path / "gone" / "project.json")
    assert launcher.opened_arguments([missing]) == [missing]  # the app reports it, by name
    assert launcher.opened_arguments(["--selftest"]) == ["--selftest"]
    train = ["train", str(project / "project.json")]
    assert launcher.opened_arguments(train) == train
    assert launcher.opened_arguments([]) == []
