"""What an export would overwrite: files already in its folder that came from another run.

Exporting a run again into its own folder replaces its files, as the user expects. Exporting a
second run into a folder that holds the first one's export would silently mix them (the card
and schema of one beside the model of the other, or the first one gone): the Export panel asks
first. Reads only small JSON files, so the window calls it directly.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

from workbench.core.export.export_run import CARD_FILE, README_FILE, SCHEMA_FILE, ExportRequest
from workbench.core.export.joblib_export import sidecar_path
from workbench.core.export.script.owner import REQUIREMENTS_FILE, notebook_run_id, script_run_id


@dataclass(frozen=True)
class ReplacedExport:
    """Existing files the export would replace, and the run they came from ("" if unknown)."""

    files: list[Path]
    run_id: str


def replaced_export(request: ExportRequest, run_id: str) -> ReplacedExport | None:
    """The files another run's export (or an unknown one) would lose; None when nothing of
    another run is in the way."""
    files = [path for path in _written_paths(request) if path.exists()]
    if not files:
        return None
    owners = {_owner(path) for path in files} - {None}
    if owners == {run_id}:
        return None
    others = sorted(owner for owner in owners if owner != run_id)
    return ReplacedExport(files, others[0] if others else "")


def _written_paths(request: ExportRequest) -> list[Path]:
    paths: list[Path] = []
    if request.onnx is not None:
        paths += [
            request.onnx,
            request.onnx.parent / SCHEMA_FILE,
            request.onnx.parent / README_FILE,
        ]
    if request.joblib is not None:
        paths += [request.joblib, sidecar_path(request.joblib)]
    if request.card:
        for target in (request.onnx, request.joblib):
            if target is not None and target.parent / CARD_FILE not in paths:
                paths.append(target.parent / CARD_FILE)
    if request.docker is not None:
        paths += [request.docker / SCHEMA_FILE]
    if request.script is not None:
        paths += [request.script, request.script.parent / REQUIREMENTS_FILE]
    if request.notebook is not None:
        paths += [request.notebook]
    return paths


def _owner(path: Path) -> str | None:
    """The run a JSON file, script or notebook written by an export names; None for other files
    (the model, the card, requirements.txt), whose run their schema, sidecar or script tells."""
    if path.suffix == ".py":
        return script_run_id(path)
    if path.suffix not in (".json", ".ipynb"):
        return None
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return ""
    if not isinstance(data, dict):
        return ""
    if path.suffix == ".ipynb":
        return notebook_run_id(data)
    return str(data.get("run_id", ""))
