"""Check a batch file against a finished run: what `workbench monitor` and the Monitor panel's
job both call.

It lives beside predict.py because it predicts a new file with the run's fitted pipeline the
same way (in chunks, after the schema check); the monitor package itself stays free of the
pipeline, which is what lets the runner store a reference when a run finishes.

The steps, each with its share of the progress bar and cancel honoured between chunks: the
run's reference (stored, or built on first use), the file read with the same read options as
an import, the run's fitted pipeline predicting the batch in chunks, then `check_batch`. The
check is kept in the project (monitor.history) unless the caller says not to.

The predictions need the batch to be what the pipeline reads: every feature column present and
of its type. When it is not, the check still runs without them (no prediction drift, no
scores) and its validation names what is wrong; a report never hides a problem behind a
failure to predict.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from workbench.core.batch_checks.values import category_key
from workbench.core.errors import SchemaError, WorkbenchError
from workbench.core.export.feature_schema import schema_for_run
from workbench.core.export.predict import predict_in_chunks
from workbench.core.io.table import data_file_sha256, read_table, require_table_file
from workbench.core.kinds import TaskType
from workbench.core.monitor.check import check_batch
from workbench.core.monitor.history import StoredCheck, now_stamp, save_check
from workbench.core.monitor.options import DriftOptions
from workbench.core.monitor.reference import Predictions, RunReference
from workbench.core.monitor.run_reference import run_reference
from workbench.core.progress import (
    NEVER_CANCELLED,
    CancelToken,
    ProgressFn,
    no_progress,
    sub_progress,
)

if TYPE_CHECKING:
    from workbench.core.io.options import ReadOptions
    from workbench.core.runs.loaded import LoadedRun


def check_file(
    project_root: str | Path,
    run_id: str,
    path: str | Path,
    read_options: ReadOptions | None = None,
    options: DriftOptions | None = None,
    *,
    keep: bool = True,
    progress: ProgressFn = no_progress,
    cancel: CancelToken = NEVER_CANCELLED,
) -> StoredCheck:
    """Check the table file `path` against run `run_id` of the project; kept when `keep`."""
    from workbench.core.runs.loaded import LoadedRun

    path = Path(path)
    require_table_file(path)
    with LoadedRun.open(project_root, run_id, "reference to check a batch against") as run:
        progress(0.0, f"reading the reference of run {run_id}")
        reference = run_reference(run, sub_progress(progress, 0.0, 0.05), cancel)
        read_options = run.batch_read_options(read_options)
        frame = read_table(path, read_options, sub_progress(progress, 0.05, 0.3), cancel).frame
        frame = frame.reset_index(drop=True)
        if frame.empty:
            raise WorkbenchError(f"{path.name} has no data rows: nothing to check")
        predictions = batch_predictions(
            run, reference, frame, sub_progress(progress, 0.3, 0.6), cancel
        )
    cancel.raise_if_cancelled()
    report = check_batch(
        reference,
        frame,
        predictions,
        options=options,
        progress=sub_progress(progress, 0.6, 0.98),
        cancel=cancel,
    )
    check = StoredCheck(now_stamp(), path.name, data_file_sha256(path), report)
    if keep:
        check = save_check(project_root, check)
    progress(1.0, "check done")
    return check


def batch_predictions(
    run: LoadedRun,
    reference: RunReference,
    frame: pd.DataFrame,
    progress: ProgressFn = no_progress,
    cancel: CancelToken = NEVER_CANCELLED,
) -> Predictions | None:
    """The run's pipeline's outputs for the batch's rows, probabilities in the order of the
    reference's classes; None when the batch is not what the pipeline reads (see above)."""
    from workbench.core.train.fit import predict

    try:
        features = schema_for_run(run).validate_frame(frame)
    except SchemaError:
        return None
    values = features.select_dtypes("number").to_numpy(dtype="float64", na_value=np.nan)
    if np.isinf(values).any():
        return None  # validation reports the column; no model takes infinity
    pipeline = run.pipeline
    order: list[int] = []

    def predictor(rows: pd.DataFrame) -> tuple[np.ndarray, np.ndarray | None]:
        result = predict(pipeline, rows, run.task)
        if result.proba is None or result.classes is None:
            return result.y_pred, None
        if not order:
            position = {category_key(c): i for i, c in enumerate(result.classes)}
            order.extend(position[category_key(c)] for c in reference.classes or ())
        return result.y_pred, result.proba[:, order]

    labels, proba = predict_in_chunks(predictor, features, progress, cancel)
    if run.task == TaskType.REGRESSION:
        return Predictions(np.asarray(labels, dtype=np.float64))
    return Predictions(labels, proba)
