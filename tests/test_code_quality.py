"""Whole-repository checks: lint, formatting, and the layering rule of DESIGN.md."""

from __future__ import annotations

import ast
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent
QT_MODULES = ("PySide6", "pyqtgraph", "shiboken6", "workbench.gui")


def _ruff() -> list[str]:
    found = shutil.which("ruff", path=str(Path(sys.executable).parent))
    if found is None:
        pytest.skip("ruff is not installed in this environment (it comes with .[test])")
    return [found]


def test_ruff_check_is_clean() -> None:
    result = subprocess.run([*_ruff(), "check", "."], cwd=REPO, capture_output=True, text=True)
    assert result.returncode == 0, result.stdout + result.stderr


def test_ruff_format_is_clean() -> None:
    result = subprocess.run(
        [*_ruff(), "format", "--check", "."], cwd=REPO, capture_output=True, text=True
    )
    assert result.returncode == 0, result.stdout + result.stderr


def _imported_modules(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    names: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module:
            names.add(node.module)
    return names


@pytest.mark.parametrize("layer", ["core", "jobs"])
def test_core_and_jobs_never_import_qt(layer: str) -> None:
    offenders = []
    for path in sorted((REPO / "workbench" / layer).rglob("*.py")):
        for module in _imported_modules(path):
            if module.split(".")[0] in QT_MODULES or module.startswith("workbench.gui"):
                offenders.append(f"{path.relative_to(REPO)} imports {module}")
    assert offenders == []


def test_importing_core_loads_no_qt() -> None:
    """Beyond the source text: importing every core module at run time pulls in no Qt."""
    code = (
        "import importlib, pkgutil, sys, workbench.core as c, workbench.jobs as j\n"
        "for pkg in (c, j):\n"
        "    for m in pkgutil.walk_packages(pkg.__path__, pkg.__name__ + '.'):\n"
        "        importlib.import_module(m.name)\n"
        "print(sorted(n for n in sys.modules if n.split('.')[0] in ('PySide6','pyqtgraph')))\n"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "[]"
