"""Loading a run's fitted pipeline, only after its sha256 matched the experiment log."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from workbench.core.errors import ProjectError


def load_run_pipeline(project_root: str | Path, run_id: str) -> Any:
    """The run's fitted scikit-learn Pipeline (a pickle is never loaded unverified)."""
    import joblib

    from workbench.core.runs.log import LOG_FILE, ExperimentLog

    with ExperimentLog(Path(project_root) / LOG_FILE) as log:
        path = log.verify_artifact(run_id, "pipeline")
    try:
        return joblib.load(path)
    except Exception as error:  # unpickling raises many types for a damaged or foreign file
        raise ProjectError(f"cannot load the fitted pipeline {path}: {error}") from error
