"""Fixtures for the packaging tests: the modules of packaging/ imported from that folder.

The folder is not a package and must not be imported as `packaging`: that name belongs to the
PyPI distribution that pytest, setuptools and PyInstaller import. build.py and the spec put the
folder on sys.path the same way.
"""

from __future__ import annotations

import importlib
import sys
from pathlib import Path
from types import ModuleType

import pytest

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
