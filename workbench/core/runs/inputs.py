"""What the results jobs (importance, learning curve) need from a run: its record, the project's
data as training saw it, the fitted pipeline, and a cache file in the run's folder.

Why: both jobs read the data again, so both must refuse data that changed since the run (the
dataset's sha256 is in the run), and both keep their answer beside the run, keyed by the
settings that produced it, so asking again with the same settings is free.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from workbench.core.atomic import atomic_path
from workbench.core.errors import WorkbenchError
from workbench.core.kinds import ColumnKind, TaskType
from workbench.core.metrics.positive import positive_label
from workbench.core.runs.log import RUNS_DIR, RunRecord, finished_record, open_log
from workbench.core.runs.results import read_artifact_frame


@dataclass(frozen=True)
class RunInputs:
    """The run and its data: `X` holds the run's feature columns (original names, in the
    run's order) and `y` the target, both on the row positions the run's files use."""

    root: Path
    record: RunRecord
    frame: pd.DataFrame
    X: pd.DataFrame
    y: pd.Series
    task: TaskType
    metric: str
    kinds: dict[str, ColumnKind]

    @property
    def spec(self) -> dict[str, Any]:
        return self.record.spec

    def test_rows(self) -> np.ndarray:
        """The run's held-out rows (empty without a test set)."""
        if "test_predictions" not in self.record.artifacts:
            return np.empty(0, dtype=np.int64)
        with open_log(self.root) as log:
            frame = read_artifact_frame(log, self.record, "test_predictions")
        return np.unique(frame["row"].to_numpy(dtype=np.int64))

    def positive(self) -> Any:
        """The binary positive class as training chose it: from the sorted classes of every
        labelled non-test row (see train.run_training); None for other tasks."""
        if self.task != TaskType.BINARY:
            return None
        if "positive" in self.spec:
            return self.spec["positive"]
        keep = self.y.notna().to_numpy().copy()
        keep[self.test_rows()] = False
        development = self.y.to_numpy()[keep]
        classes = sorted(pd.unique(development).tolist())
        return positive_label(classes, development) if len(classes) == 2 else None


def load_run_inputs(project_root: str | Path, run_id: str) -> RunInputs:
    """The finished run and the project's frame, checked to be the data the run trained on."""
    from workbench.core.project import open_project

    root = Path(project_root)
    with open_log(root) as log:
        record = finished_record(log, run_id)
    project = open_project(root)
    if project.dataset is None:
        raise WorkbenchError(f"project '{project.name}' has no dataset; run '{run_id}' needs it")
    if project.dataset.data_sha256 != record.dataset_sha256:
        raise WorkbenchError(
            f"the project's dataset changed since run '{run_id}' was trained "
            f"(sha256 {record.dataset_sha256[:12]}... then, {project.dataset.data_sha256[:12]}... "
            "now); this needs the data the run was trained on"
        )
    spec = record.spec
    frame = project.load_frame().reset_index(drop=True)
    features = list(spec.get("features") or [])
    missing = [column for column in [*features, spec.get("target")] if column not in frame]
    if missing:
        raise WorkbenchError(f"run '{run_id}' used column '{missing[0]}', which the data lacks")
    return RunInputs(
        root=root,
        record=record,
        frame=frame,
        X=frame[features],
        y=frame[spec["target"]],
        task=TaskType(spec["task"]),
        metric=str(spec["metric"]),
        kinds={column: project.dataset.kinds[column] for column in features},
    )


def load_pipeline(project_root: str | Path, run_id: str) -> Any:
    """The run's fitted pipeline, unpickled only after its sha256 matched the logged one."""
    import joblib

    with open_log(project_root) as log:
        path = log.verify_artifact(run_id, "pipeline")
    return joblib.load(path)


def cache_path(project_root: str | Path, run_id: str, name: str) -> Path:
    return Path(project_root) / RUNS_DIR / run_id / name


def read_cache(path: Path, key: Mapping[str, Any]) -> pd.DataFrame | None:
    """The cached frame when every `key` column holds the wanted value in every row; None when
    there is no cache, it is unreadable, or it was computed with other settings."""
    if not path.is_file():
        return None
    try:
        frame = pd.read_parquet(path)
    except Exception:  # a damaged cache is recomputed, never an error
        return None
    if frame.empty or any(name not in frame.columns for name in key):
        return None
    for name, value in key.items():
        if not (frame[name] == value).all():
            return None
    return frame


def write_cache(path: Path, frame: pd.DataFrame) -> None:
    """Written atomically: a cancelled or killed job leaves the old cache or none."""
    with atomic_path(path) as tmp:
        frame.to_parquet(tmp, index=False)
