"""Where a run ran: the interpreter, the machine, the package versions and the project's git
commit, captured when a run starts.

Why a module apart from the experiment log: the log is a store, it keeps what it is given.
Capturing the context is a different job with its own dependencies (package metadata, a git
subprocess), and its own reasons to grow (a cluster's address, a container image), the split
MLflow makes between its stores and `mlflow/tracking/context/` (one provider per source, merged
when a run is created). Each provider here returns its part of the environment; the runner
captures them and hands the result to `ExperimentLog.start_run`.
"""

from __future__ import annotations

import platform
import re
import subprocess
import sys
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from importlib import metadata
from pathlib import Path
from typing import Any

from workbench import __version__

# Name shown in the run's environment -> distributions that provide it.
PACKAGES: dict[str, tuple[str, ...]] = {
    "pandas": ("pandas",),
    "numpy": ("numpy",),
    "scikit-learn": ("scikit-learn",),
    "scipy": ("scipy",),
    "xgboost": ("xgboost-cpu", "xgboost"),
    "onnx": ("onnx",),
    "skl2onnx": ("skl2onnx",),
    "onnxruntime": ("onnxruntime",),
    "joblib": ("joblib",),
    "pyside6": ("PySide6-Essentials", "PySide6"),
    "sqlite-utils": ("sqlite-utils",),
}
UNKNOWN = "?"


@dataclass(frozen=True)
class Environment:
    """Enough to explain why the same spec scored differently elsewhere."""

    python: str = UNKNOWN
    implementation: str = UNKNOWN
    platform: str = UNKNOWN
    machine: str = UNKNOWN
    executable: str = UNKNOWN
    packages: Mapping[str, str] = field(default_factory=dict)
    git_commit: str | None = None

    def to_dict(self) -> dict[str, Any]:
        return {
            "python": self.python,
            "implementation": self.implementation,
            "platform": self.platform,
            "machine": self.machine,
            "executable": self.executable,
            "packages": dict(self.packages),
            "git_commit": self.git_commit,
        }

    @classmethod
    def from_dict(cls, data: Mapping[str, Any] | None) -> Environment:
        """As the log stored it; what an older or foreign row lacks reads '?'."""
        data = data or {}
        packages = data.get("packages") or {}
        commit = data.get("git_commit")
        return cls(
            python=str(data.get("python") or UNKNOWN),
            implementation=str(data.get("implementation") or UNKNOWN),
            platform=str(data.get("platform") or UNKNOWN),
            machine=str(data.get("machine") or UNKNOWN),
            executable=str(data.get("executable") or UNKNOWN),
            packages={str(name): str(version) for name, version in packages.items()},
            git_commit=None if commit is None else str(commit),
        )


# ---- the providers: each gives its part of the environment ----------------------------------


def interpreter(_root: Path) -> dict[str, Any]:
    return {
        "python": platform.python_version(),
        "implementation": platform.python_implementation(),
        "executable": sys.executable,
    }


def machine(_root: Path) -> dict[str, Any]:
    return {"platform": platform.platform(), "machine": platform.machine()}


def packages(_root: Path) -> dict[str, Any]:
    """Installed versions, read from metadata: nothing is imported (Qt stays unloaded)."""
    versions = {"workbench": __version__}
    for shown, distributions in PACKAGES.items():
        for distribution in distributions:
            try:
                versions[shown] = metadata.version(distribution)
                break
            except metadata.PackageNotFoundError:
                continue
    return {"packages": versions}


def git(root: Path) -> dict[str, Any]:
    return {"git_commit": git_commit(root)}


def git_commit(folder: Path) -> str | None:
    """HEAD of the git repository holding `folder`, or None (no git, not a repository)."""
    flags = getattr(subprocess, "CREATE_NO_WINDOW", 0)  # no console flash on Windows
    try:
        completed = subprocess.run(
            ["git", "-C", str(folder), "rev-parse", "HEAD"],
            capture_output=True,
            text=True,
            timeout=5,
            check=False,
            creationflags=flags,
        )
    except (OSError, subprocess.SubprocessError):
        return None
    commit = completed.stdout.strip()
    return (
        commit if completed.returncode == 0 and re.fullmatch(r"[0-9a-f]{40,64}", commit) else None
    )


PROVIDERS: tuple[Callable[[Path], dict[str, Any]], ...] = (interpreter, machine, packages, git)


def capture_environment(project_root: str | Path) -> Environment:
    """The environment of a run of the project at `project_root`, from every provider."""
    captured: dict[str, Any] = {}
    for provider in PROVIDERS:
        captured.update(provider(Path(project_root)))
    return Environment.from_dict(captured)
