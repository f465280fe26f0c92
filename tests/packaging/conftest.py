"""Fixtures for the packaging tests: packaging/*.py loaded by path.

The folder is not a package and must not be imported as `packaging`: that name belongs to the
PyPI distribution that pytest, setuptools and PyInstaller import.
"""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path
from types import ModuleType

import pytest

PACKAGING_DIR = Path(__file__).resolve().parents[2] / "packaging"


def load_packaging_module(name: str) -> ModuleType:
    if name in sys.modules:
        return sys.modules[name]
    spec = importlib.util.spec_from_file_location(name, PACKAGING_DIR / f"{name}.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module
    spec.loader.exec_module(module)
    return module


@pytest.fixture(scope="session")
def bundle_config() -> ModuleType:
    return load_packaging_module("bundle_config")


@pytest.fixture(scope="session")
def build_script() -> ModuleType:
    return load_packaging_module("build")
