"""Where the `resources/` folder is: beside the package in a checkout, inside a frozen bundle."""

from __future__ import annotations

import os
import shutil
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


def user_data_dir() -> Path:
    """Where the workbench keeps the user's own copies (the platform's per-user data folder)."""
    if sys.platform == "win32":
        base = Path(os.environ.get("LOCALAPPDATA") or Path.home() / "AppData" / "Local")
    elif sys.platform == "darwin":
        base = Path.home() / "Library" / "Application Support"
    else:
        base = Path(os.environ.get("XDG_DATA_HOME") or Path.home() / ".local" / "share")
    return base / "ml-workbench"


def writable_demo_project() -> Path:
    """The demo project where training can write its runs.

    A checkout's projects/demo is used in place. An installed bundle (a read-only AppImage, a
    Windows install under Program Files) gets a copy in the user's data folder, made once, so
    the runs trained on it are kept between sessions.
    """
    source = demo_project()
    if os.access(source, os.W_OK) and getattr(sys, "_MEIPASS", None) is None:
        return source
    copy = user_data_dir() / "demo"
    if not (copy / "project.json").is_file():
        copy.parent.mkdir(parents=True, exist_ok=True)
        staging = copy.with_name("demo.partial")
        shutil.rmtree(staging, ignore_errors=True)
        shutil.copytree(source, staging)
        shutil.rmtree(copy, ignore_errors=True)  # a copy without project.json is broken
        staging.replace(copy)  # a half-made copy is never taken for the demo
    return copy
