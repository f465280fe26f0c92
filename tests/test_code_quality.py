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
    return [_tool("ruff")]


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


def _tool(name: str) -> str:
    found = shutil.which(name, path=str(Path(sys.executable).parent))
    if found is None:
        pytest.skip(f"{name} is not installed in this environment (it comes with .[test])")
    return found


def test_the_architecture_contracts_hold() -> None:
    """DESIGN.md's layers, as import-linter contracts in pyproject.toml: core, jobs and cli never
    import the GUI or Qt, the GUI never imports scikit-learn itself, no import cycles."""
    result = subprocess.run(
        [_tool("lint-imports"), "--no-cache"], cwd=REPO, capture_output=True, text=True
    )
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr


def test_no_private_name_is_imported_across_modules() -> None:
    """A name starting with `_` belongs to its module; another module importing it couples the
    two through what was meant to change freely."""
    offenders = []
    for root in ("workbench", "tests", "scripts", "benchmarks"):
        for path in sorted((REPO / root).rglob("*.py")):
            tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
            for node in ast.walk(tree):
                if isinstance(node, ast.ImportFrom) and (node.module or "").startswith("workbench"):
                    private = [
                        a.name
                        for a in node.names
                        if a.name.startswith("_") and not a.name.endswith("__")
                    ]
                    if private:
                        offenders.append(f"{path.relative_to(REPO)}: {node.module} {private}")
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
