"""What the Results panel asks of runs, by project folder and run id: the saved plot numbers
(read in the window), the loading job, and the two computations on request.

The jobs are module-level functions of plain arguments so a child process can import them by
name. Importing this module loads no scikit-learn (the computations import it when they run),
so the window imports it for the jobs' names and reads saved plot numbers with it.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import pandas as pd

from workbench.core.errors import WorkbenchError
from workbench.core.explain.importance import compute_importance
from workbench.core.metrics.learning_curve import DEFAULT_SIZES, compute_learning_curve
from workbench.core.metrics.plot_data import RunPlotData, RunProblem, saved_plot_data
from workbench.core.progress import NEVER_CANCELLED, CancelToken, ProgressFn, no_progress
from workbench.core.runs.loaded import LoadedRun


def read_saved_plot_data(project_root: str | Path, run_id: str) -> RunPlotData | None:
    """The plot numbers the runner saved beside the run, or None (none yet, stale, damaged, or
    the run has no results): milliseconds, no scikit-learn, so the window calls it itself."""
    try:
        with LoadedRun.open(project_root, run_id) as run:
            return saved_plot_data(run)
    except WorkbenchError:  # the loading job says why, as a RunProblem
        return None


def load_plot_data(
    project_root: str | Path,
    run_ids: Sequence[str],
    progress: ProgressFn = no_progress,
    cancel: CancelToken = NEVER_CANCELLED,
) -> list[RunPlotData | RunProblem]:
    """The loading job: each run's plot numbers (saved ones read, others computed and saved),
    or the reason it has none."""
    loaded: list[RunPlotData | RunProblem] = []
    for index, run_id in enumerate(run_ids):
        cancel.raise_if_cancelled()
        progress(index / max(len(run_ids), 1), f"reading run {run_id}")
        try:
            with LoadedRun.open(project_root, run_id) as run:
                loaded.append(run.plot_numbers)
        except WorkbenchError as error:
            loaded.append(RunProblem(run_id, str(error)))
    progress(1.0, "done")
    return loaded


def importance_job(
    project_root: str | Path,
    run_id: str,
    progress: ProgressFn = no_progress,
    cancel: CancelToken = NEVER_CANCELLED,
) -> pd.DataFrame:
    """explain.importance.compute_importance with its defaults (cached beside the run)."""
    with LoadedRun.open(project_root, run_id) as run:
        return compute_importance(run, progress=progress, cancel=cancel)


def learning_curve_job(
    project_root: str | Path,
    run_id: str,
    sizes: Sequence[float] = DEFAULT_SIZES,
    progress: ProgressFn = no_progress,
    cancel: CancelToken = NEVER_CANCELLED,
) -> pd.DataFrame:
    """metrics.learning_curve.compute_learning_curve (cached beside the run)."""
    with LoadedRun.open(project_root, run_id) as run:
        return compute_learning_curve(run, sizes, progress=progress, cancel=cancel)
