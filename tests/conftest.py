"""Test setup shared by every test: headless Qt and the shared datasets."""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

import pytest
from _small_files import write_customers, write_points

# Tests never need a display; set before anything imports Qt.
os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
# The pickles the tests' trainings write are trusted in a temporary store, never the user's own
# (core.trust); child processes inherit it.
os.environ.setdefault("WORKBENCH_TRUST_DIR", tempfile.mkdtemp(prefix="workbench-trust-tests-"))

REPO_ROOT = Path(__file__).resolve().parent.parent
SHARED_DATA = Path(os.environ.get("WORKBENCH_SHARED_DATA", REPO_ROOT.parent / "shared" / "data"))


@pytest.fixture(scope="session")
def shared_data() -> Path:
    """The folder of real datasets beside the repository; tests skip when it is absent."""
    if not SHARED_DATA.is_dir():
        pytest.skip(f"shared datasets not found at {SHARED_DATA}")
    return SHARED_DATA


@pytest.fixture(scope="session")
def repo_root() -> Path:
    return REPO_ROOT


@pytest.fixture()
def points(tmp_path: Path) -> Path:
    """A small CSV whose numbers detection reads with a decimal comma (_small_files.POINTS)."""
    return write_points(tmp_path)


@pytest.fixture()
def customers(tmp_path: Path) -> Path:
    """A small CSV of zip codes and accounts with leading zeros (_small_files.CUSTOMERS)."""
    return write_customers(tmp_path)
