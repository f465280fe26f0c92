"""What the Results panel reads of runs, by project folder and run id: the saved plot numbers
(in the window's own process) and the loading job that computes the missing ones.

The job is a module-level function of plain arguments so a child process can import it by
name; importing this module loads no scikit-learn. The computations on request are jobs of
their own modules (explain.importance, explain.learning_curve).
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from workbench.core.errors import WorkbenchError
from workbench.core.metrics.plot_data import RunPlotData, RunProblem
from workbench.core.progress import NEVER_CANCELLED, CancelToken, ProgressFn, no_progress
from workbench.core.runs.loaded import LoadedRun
from workbench.core.runs.plot_numbers import saved_plot_numbers


def read_saved_plot_data(project_root: str | Path, run_id: str) -> RunPlotData | None:
    """The plot numbers the runner saved beside the run, or None (none yet, stale, damaged, or
    the run has no results): milliseconds, no scikit-learn, so the window calls it itself."""
    try:
        with LoadedRun.open(project_root, run_id) as run:
            return saved_plot_numbers(run.folder, run.record)
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
