"""The project the CLI tests start from: penguins (shipped with the repository) made by
`workbench new`."""

from __future__ import annotations

from pathlib import Path

import pytest

from workbench.cli.main import main


@pytest.fixture()
def project(tmp_path: Path, repo_root: Path, capsys: pytest.CaptureFixture[str]) -> Path:
    folder = tmp_path / "birds"
    assert main(["new", str(folder), "--data", str(repo_root / "resources/data/penguins.csv")]) == 0
    capsys.readouterr()
    return folder
