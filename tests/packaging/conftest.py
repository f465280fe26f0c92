"""Fixtures for the packaging tests: the modules of packaging/ imported from that folder.

The folder is not a package and must not be imported as `packaging`: that name belongs to the
PyPI distribution that pytest, setuptools and PyInstaller import. build.py and the spec put the
folder on sys.path the same way.
"""

from __future__ import annotations

import importlib
import os
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path
from types import ModuleType

import pytest

from workbench.selftest import HEAVY_MODULES

# window, the imports, collation, modules, factories, training, export, and the summary line
SELFTEST_LINES = 7 + len(HEAVY_MODULES)

PACKAGING_DIR = Path(__file__).resolve().parents[2] / "packaging"


def load_packaging_module(name: str) -> ModuleType:
    if str(PACKAGING_DIR) not in sys.path:
        sys.path.insert(0, str(PACKAGING_DIR))
    return importlib.import_module(name)


@pytest.fixture(scope="session")
def bundle_config() -> ModuleType:
    return load_packaging_module("bundle_config")


@pytest.fixture(scope="session")
def build_script() -> ModuleType:
    return load_packaging_module("build")


@pytest.fixture(scope="session")
def elf_file() -> ModuleType:
    return load_packaging_module("elf_file")


@pytest.fixture(scope="session")
def deb_package() -> ModuleType:
    return load_packaging_module("deb_package")


@pytest.fixture(scope="session")
def icu_data() -> ModuleType:
    return load_packaging_module("icu_data")


@pytest.fixture(scope="session")
def launcher() -> ModuleType:
    return load_packaging_module("launcher")


def run_selftest_program(command: list[str], cwd: Path, path: str | None = None) -> str:
    """Run `command --selftest` as a user would (its own folder and HOME, no Qt platform
    forced: it picks offscreen itself); assert every check passed; the output."""
    env = {k: v for k, v in os.environ.items() if k != "QT_QPA_PLATFORM"}
    env["HOME"] = str(cwd)  # whatever Qt or fontconfig caches, not in this user's home
    if path is not None:
        env["PATH"] = path
    result = subprocess.run(
        [*command, "--selftest"],
        cwd=cwd,
        env=env,
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )
    assert result.returncode == 0, result.stdout + result.stderr[-3000:]
    lines = result.stdout.splitlines()
    assert len(lines) == SELFTEST_LINES, result.stdout
    assert all(line.startswith("OK  ") for line in lines[:-1]), result.stdout
    assert "2 runs in child pid" in result.stdout  # the training ran in a child process
    assert lines[-1].startswith("selftest passed:")
    return result.stdout


@pytest.fixture(scope="session")
def selftest_program() -> Callable[..., str]:
    return run_selftest_program
