"""Check a batch of new rows against a run's reference: the one entry point of the monitor.

One pass over the batch in chunks of rows: each chunk is validated against the training
schema and counted into every column's and every model output's reference bins; cancel is
honoured between chunks and progress reported after each. Only counts survive a chunk, so the
result is the same for any chunk size. Then each column's statistics, the verdicts (all
p-values judged together), and the scores when the batch holds the target. The pass, the
statistics, the verdicts and the scoring of a labelled batch are workbench.core.batch_checks
(batch.py and performance.py there), the same code the exported service's `POST /drift` runs;
this module reads the DataFrame for it, and computes the run's side of the scoring.

The caller gives the batch as read (a DataFrame), and the run's predictions for its rows,
computed by the run's pipeline; without predictions there is no prediction drift and no
scoring. Rows whose target is missing are not scored; a target value that is not one of the
model's classes (for regression, not a number) is a validation problem of the target, and its
rows are not scored either.
"""

from __future__ import annotations

from typing import Any

import pandas as pd

from workbench.core.batch_checks.batch import BatchCheck
from workbench.core.batch_checks.performance import check_performance, target_kind
from workbench.core.errors import WorkbenchError
from workbench.core.kinds import ColumnKind
from workbench.core.monitor.options import DriftOptions
from workbench.core.monitor.performance import performance_reference
from workbench.core.monitor.reference import Predictions, RunReference, prediction_columns
from workbench.core.monitor.report import DriftReport
from workbench.core.progress import NEVER_CANCELLED, CancelToken, ProgressFn, no_progress
from workbench.core.schema import series_values

# Rows per chunk: a chunk of a 1M-row batch takes a fraction of a second, so Cancel answers at
# once and progress moves, while per-chunk overhead stays small.
DEFAULT_CHUNK_ROWS = 100_000
# The share of the progress bar the pass over the rows takes; scoring takes the rest.
_COUNTING = 0.95


def check_batch(
    reference: RunReference,
    batch: pd.DataFrame,
    predictions: Predictions | None = None,
    *,
    options: DriftOptions | None = None,
    chunk_rows: int = DEFAULT_CHUNK_ROWS,
    progress: ProgressFn = no_progress,
    cancel: CancelToken = NEVER_CANCELLED,
) -> DriftReport:
    """Validate `batch`, measure drift per column and of `predictions`, score a labelled batch.

    `predictions`: the run's outputs for the batch's rows, in order (labels, and probabilities
    in the order of `reference.classes`). A column missing from the batch is a blocking
    validation problem and its drift is not measured; the rest is still checked, so a report
    says everything wrong with a batch at once.
    """
    options = options or DriftOptions()
    rows = len(batch)
    if rows == 0:
        raise WorkbenchError("the batch has no rows to check")
    if chunk_rows < 1:
        raise WorkbenchError(f"chunk_rows should be at least 1, not {chunk_rows}")
    if predictions is not None and len(predictions.labels) != rows:
        raise WorkbenchError(f"{len(predictions.labels)} predictions for a batch of {rows} rows")
    names = [str(name) for name in batch.columns]
    repeated = sorted({name for name in names if names.count(name) > 1})
    if repeated:
        raise WorkbenchError(f"the batch has more than one column named '{repeated[0]}'")
    batch = batch.set_axis(names, axis=1)
    outputs = (
        prediction_columns(reference.task, reference.classes, reference.positive, predictions)
        if predictions is not None
        else {}
    )
    check = BatchCheck(reference.to_dict(), names, options.to_dict(), outputs)
    kinds = {name: ColumnKind(kind) for name, kind in check.kinds.items()}
    output_kinds = {name: ColumnKind(kind) for name, kind in check.output_kinds.items()}
    for start in range(0, rows, chunk_rows):
        cancel.raise_if_cancelled()
        stop = min(rows, start + chunk_rows)
        chunk = batch.iloc[start:stop]
        check.add(
            stop - start,
            {name: series_values(chunk[name], kind) for name, kind in kinds.items()},
            {
                name: series_values(outputs[name].iloc[start:stop], kind)
                for name, kind in output_kinds.items()
            },
        )
        progress(_COUNTING * stop / rows, f"Checked {stop:,} of {rows:,} rows")
    cancel.raise_if_cancelled()
    metrics = None
    target_problems = []
    if predictions is not None and reference.target is not None and reference.target in names:
        progress(_COUNTING, "Scoring the labelled rows")
        metrics, target_problem = _score(reference, batch[reference.target], predictions, options)
        if target_problem is not None:
            target_problems.append(target_problem)
    report = check.report(metrics, target_problems)
    progress(1.0, "Check done")
    return DriftReport.from_dict(report)


def _score(
    reference: RunReference, target: pd.Series, predictions: Predictions, options: DriftOptions
) -> tuple[dict[str, Any] | None, dict[str, Any] | None]:
    """The labelled rows' scores (the report's `metrics`), and the problem of target values
    the model does not know: batch_checks.performance's, the service's code, with the run's
    side computed here at the options' interval level."""
    return check_performance(
        performance_reference(reference, options.interval_level).to_dict(),
        reference.to_dict(),
        series_values(target, ColumnKind(target_kind(reference.task.value))),
        predictions.labels,
        predictions.proba,
        options.examples,
    )
