"""Which run an exported script or notebook reproduces, read back from the file, and which
runs cannot have one.

The export refuses to overwrite another run's script or notebook without asking, as it does for
the ONNX and joblib files; this module reads the run id the export wrote into them. It loads no
scikit-learn, so the window asks it directly (also whether a run's model can be written as a
script at all, before the user ticks the box).
"""

from __future__ import annotations

import re
from pathlib import Path

from workbench.core.models.ensembles import SOFT_VOTING
from workbench.core.models.registry import ModelDef

REQUIREMENTS_FILE = "requirements.txt"
# Where a notebook's metadata names the run it reproduces.
NOTEBOOK_METADATA_KEY = "workbench"
# The first line of every exported script's docstring.
SCRIPT_FIRST_LINE = '"""Reproduce ML Workbench run {run_id}:'


def script_file_name(run_id: str) -> str:
    """An exported script's default name: train_<run id>.py, importable as a module (the
    saved model's classes are loaded with `from train_<run> import *`)."""
    return f"train_{run_id.replace('-', '_')}.py"


def notebook_file_name(run_id: str) -> str:
    """An exported notebook's default name, beside the script."""
    return script_file_name(run_id).removesuffix(".py") + ".ipynb"


def script_run_id(path: Path) -> str:
    """The run an exported script reproduces (its docstring's first line), "" if none."""
    try:
        with Path(path).open(encoding="utf-8") as handle:
            first = handle.readline()
    except (OSError, UnicodeDecodeError):
        return ""
    pattern = re.escape(SCRIPT_FIRST_LINE).replace(r"\{run_id\}", r"(\S+)")
    found = re.match(pattern, first)
    return found.group(1) if found else ""


def notebook_run_id(data: dict) -> str:
    """The run an exported notebook reproduces (its metadata), "" if none."""
    metadata = data.get("metadata")
    workbench = metadata.get(NOTEBOOK_METADATA_KEY) if isinstance(metadata, dict) else None
    return str(workbench.get("run_id", "")) if isinstance(workbench, dict) else ""


def script_refusal(model: ModelDef) -> str | None:
    """Why a run of `model` cannot be written as a script ("a stacking ensemble, which ..."),
    or None: the export refuses it with this, and the Export panel says it before a user asks."""
    if not model.from_runs or model.name in SOFT_VOTING:
        return None
    return (
        f"a {model.label.lower()}, which cannot be written as a script: its validation comes "
        "from a meta-learner cross-fitted on every fold's predictions. Export it as ONNX or "
        "joblib, or write the soft-voting (averaging) ensemble of the same search as a script"
    )
