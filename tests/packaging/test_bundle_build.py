"""Build the bundle with packaging/build.py and run its --selftest (minutes: opt-in).

WORKBENCH_BUILD_BUNDLE=1 builds (3-5 minutes on 2 cores) then tests; =reuse tests the bundle
already in dist/ (after `python packaging/build.py`). Otherwise skipped: the build is not part
of the normal test run.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path
from types import ModuleType

import pytest

from workbench.selftest import HEAVY_MODULES

MODE = os.environ.get("WORKBENCH_BUILD_BUNDLE", "")

pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(
        MODE not in ("1", "reuse"),
        reason="builds the PyInstaller bundle (minutes): set WORKBENCH_BUILD_BUNDLE=1 to build "
        "and test it, or =reuse to test the one already in dist/",
    ),
]


@pytest.fixture(scope="module")
def bundle(build_script: ModuleType, repo_root: Path) -> Path:
    if MODE == "1":
        subprocess.run(
            [sys.executable, str(repo_root / "packaging" / "build.py"), "--no-archive",
             "--no-selftest"],
            cwd=repo_root,
            check=True,
            timeout=1700,
        )  # fmt: skip
    folder = build_script.bundle_dir()
    if not build_script.executable().is_file():
        pytest.skip(f"no built bundle in {folder}: run packaging/build.py first")
    return folder


@pytest.mark.timeout(1800)
def test_built_bundle_passes_its_selftest(
    bundle: Path, build_script: ModuleType, tmp_path: Path
) -> None:
    env = {k: v for k, v in os.environ.items() if k != "QT_QPA_PLATFORM"}
    result = subprocess.run(
        [str(build_script.executable(cli=True)), "--selftest"],
        cwd=tmp_path,  # not the checkout: nothing may be found by accident
        env=env,
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )
    assert result.returncode == 0, result.stdout + result.stderr[-3000:]
    lines = result.stdout.splitlines()
    assert len(lines) == 6 + len(HEAVY_MODULES)
    assert all(line.startswith("OK  ") for line in lines[:-1]), result.stdout
    assert "2 runs in child pid" in result.stdout  # the frozen app spawned itself
    assert lines[-1].startswith("selftest passed:")


def test_bundle_holds_what_a_user_needs(bundle: Path, bundle_config: ModuleType) -> None:
    internal = bundle / "_internal"
    assert (internal / "projects" / "demo" / "project.json").is_file()
    assert (internal / "projects" / "demo" / "data" / "penguins.parquet").is_file()
    assert (internal / "resources" / "icons" / "workbench.svg").is_file()
    assert (internal / "resources" / "icons" / "workbench.png").is_file()
    assert (internal / "resources" / "data" / "penguins.csv").is_file()
    # The Docker export copies its service templates from beside workbench.core.export.
    assert (internal / "workbench" / "core" / "export" / "service" / "Dockerfile").is_file()
    if sys.platform.startswith("linux"):
        assert (bundle / "ml-workbench.desktop").is_file()
        assert os.access(bundle / "install-desktop-entry.sh", os.X_OK)
    assert bundle_config.forbidden_files(bundle) == []


def test_bundle_is_within_the_size_budget(
    bundle: Path, bundle_config: ModuleType, build_script: ModuleType
) -> None:
    size_mb = build_script.folder_size(bundle) / 2**20
    assert size_mb < bundle_config.SIZE_BUDGET_MB
