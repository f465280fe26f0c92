"""Where the `resources/` folder is: beside the package in a checkout, inside a frozen bundle."""

from __future__ import annotations

import sys
from pathlib import Path


def resources_dir() -> Path:
    bundle = getattr(sys, "_MEIPASS", None)  # set by PyInstaller in a frozen app
    if bundle is not None:
        return Path(bundle) / "resources"
    return Path(__file__).resolve().parent.parent / "resources"


def resource_path(*parts: str) -> Path:
    return resources_dir().joinpath(*parts)


def demo_project() -> Path:
    """The penguins demo project: projects/demo in a checkout, beside resources in a bundle."""
    return resources_dir().parent / "projects" / "demo"
