"""A finished run's monitor reference: built from what the run recorded, stored beside it.

The runner calls `save_run_reference` when a run finishes, so the reference (its training rows'
distributions and its out-of-fold predictions', monitor.reference) is computed once, while the
data it summarises is at hand, and written to runs/<run_id>/monitor_reference.json; the log
records the file with its sha256 like every other artifact of the run. `run_reference` is what
a check reads: the stored file after its sha256 matched the log's, or, for a run trained before
references were stored (or whose file is gone), the reference built now and stored for next
time. A file changed since it was logged is refused, as the run's other artifacts are.

The training rows are the labelled rows outside the held-out test set: the rows the folds
divided and the final model was fitted on (under a hold-out split the out-of-fold predictions
cover only its validation share of them).
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np

from workbench.core.atomic import write_json_atomic
from workbench.core.errors import ProjectError
from workbench.core.kinds import TaskType
from workbench.core.monitor.reference import Predictions, RunReference, build_reference
from workbench.core.progress import NEVER_CANCELLED, CancelToken, ProgressFn, no_progress
from workbench.core.runs.log import verified_artifact

if TYPE_CHECKING:
    from workbench.core.runs.loaded import LoadedRun

REFERENCE_ARTIFACT = "monitor_reference"
REFERENCE_FILE = "monitor_reference.json"


def build_run_reference(
    run: LoadedRun, progress: ProgressFn = no_progress, cancel: CancelToken = NEVER_CANCELLED
) -> RunReference:
    """The reference of `run` from its data, out-of-fold predictions and fold scores."""
    predictions = run.predictions
    labelled = run.y.notna().to_numpy().copy()
    labelled[run.test_rows()] = False
    training = run.X.iloc[np.flatnonzero(labelled)].reset_index(drop=True)
    proba = predictions.proba() if run.task != TaskType.REGRESSION else None
    oof = Predictions(predictions.y_pred(), proba)
    folds = run.record.fold_metrics.get("validation", {})
    names = sorted({name for fold in folds.values() for name in fold})
    validation_scores = {
        name: [folds[fold][name] for fold in sorted(folds) if name in folds[fold]] for name in names
    }
    return build_reference(
        training,
        run.features,
        run_id=run.run_id,
        task=run.task,
        target=run.spec.target,
        classes=predictions.classes,
        positive=run.positive,
        oof=oof,
        metric=run.spec.metric,
        validation_scores=validation_scores,
        test_scores=run.record.scores("test"),
        progress=progress,
        cancel=cancel,
    )


def save_run_reference(
    run: LoadedRun, progress: ProgressFn = no_progress, cancel: CancelToken = NEVER_CANCELLED
) -> RunReference:
    """Build the run's reference, write it atomically into its folder and log it (sha256)."""
    reference = build_run_reference(run, progress, cancel)
    path = run.folder / REFERENCE_FILE
    write_json_atomic(path, reference.to_dict())
    run.log.log_artifact(run.run_id, path, REFERENCE_ARTIFACT)
    return reference


def run_reference(
    run: LoadedRun, progress: ProgressFn = no_progress, cancel: CancelToken = NEVER_CANCELLED
) -> RunReference:
    """The run's stored reference, or one built and stored now when it has none (see the
    module docstring); a stored file changed since the run is a ProjectError."""
    artifact = run.record.artifacts.get(REFERENCE_ARTIFACT)
    if artifact is None or not (run.root / artifact.path).is_file():
        return save_run_reference(run, progress, cancel)
    path = verified_artifact(run.root, run.record, REFERENCE_ARTIFACT)
    return read_reference(path)


def read_reference(path: Path) -> RunReference:
    """A reference file (a run's, or the one an exported service carries)."""
    try:
        data = json.loads(Path(path).read_text(encoding="utf-8"))
    except (OSError, ValueError) as error:
        raise ProjectError(f"cannot read the monitor reference {path}: {error}") from error
    return RunReference.from_dict(data, f"{Path(path).name}")
