"""The numbers behind a run's result plots, as plain picklable values (no Qt).

`load_plot_data` is the Results panel's loading job: it runs in a child process because the
curves come from scikit-learn (workbench.core.metrics, through RunResults), which the GUI
process never imports. Every number is computed by RunResults; this module only chooses what
the plots need and keeps the payload small: curves are thinned by metrics.py, scatter plots
carry at most MAX_SCATTER_POINTS rows (a seeded draw, the same rows every time), and the
threshold view carries the positive class's scores so costs can change without a new job.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from workbench.core.errors import WorkbenchError
from workbench.core.kinds import TaskType
from workbench.core.progress import NEVER_CANCELLED, CancelToken, ProgressFn, no_progress

OOF = "oof"
TEST = "test"
SPLIT_LABELS = {OOF: "Cross-validation (out-of-fold)", TEST: "Test set"}
# Points a scatter plot draws at most: pyqtgraph stays fluid far beyond, the eye sees no more.
MAX_SCATTER_POINTS = 20_000
SCATTER_SEED = 0
CURVE_POINTS = 400


@dataclass(frozen=True)
class SplitData:
    """The plots' numbers for one prediction set ("oof" or "test")."""

    which: str
    rows: int
    confusion: dict | None = None
    roc: list[dict] = field(default_factory=list)
    pr: list[dict] = field(default_factory=list)
    # label -> metrics.calibration_bins / RunResults.score_distribution of that class's score
    calibration: dict[Any, list[dict]] = field(default_factory=dict)
    scores: dict[Any, dict] = field(default_factory=dict)
    # Binary: the true labels and the positive class's probability, for threshold_table.
    threshold_truth: np.ndarray | None = None
    threshold_scores: np.ndarray | None = None
    predicted_actual: dict | None = None
    residuals: dict | None = None


@dataclass(frozen=True)
class RunPlotData:
    """Everything the Results panel draws for one finished run."""

    run_id: str
    name: str
    model: str
    task: TaskType
    classes: list | None
    positive: Any
    metric: str
    target: str
    splits: dict[str, SplitData]
    # metric -> RunResults.fold_scores(metric): fold, train, validation
    fold_scores: dict[str, pd.DataFrame]
    # split ("train", "validation", "test") -> RunResults.scores(split)
    split_scores: dict[str, dict[str, float]]
    # compute_importance's frame (permutation and built-in rows), once computed
    importance: pd.DataFrame | None = None
    # compute_learning_curve's frame, once computed
    learning_curve: pd.DataFrame | None = None

    @property
    def label(self) -> str:
        """How plots and legends name the run: its name and the end of its id."""
        return f"{self.name} ({self.run_id[-4:]})"

    @property
    def is_classification(self) -> bool:
        return self.task != TaskType.REGRESSION

    def scores(self, split: str = "validation") -> dict[str, float]:
        """Whole-split scores, as RunResults.scores (so run_results.compare_metrics takes it)."""
        return dict(self.split_scores.get(split, {}))


@dataclass(frozen=True)
class RunProblem:
    """A selected run that has no results to plot, and why (failed, cancelled, files gone)."""

    run_id: str
    message: str


def split_data(results: Any, which: str) -> SplitData:
    """The numbers of one prediction set of a RunResults."""
    rows = int(results.frame(which).shape[0])
    if results.task == TaskType.REGRESSION:
        return SplitData(
            which=which,
            rows=rows,
            predicted_actual=results.predicted_vs_actual(
                which, max_points=MAX_SCATTER_POINTS, seed=SCATTER_SEED
            ),
            residuals=results.residuals(which, max_points=MAX_SCATTER_POINTS),
        )
    labels = [results.positive] if results.task == TaskType.BINARY else list(results.classes)
    truth = scores = None
    if results.task == TaskType.BINARY:
        truth = results.y_true(which)
        scores = results.proba_of(results.positive, which)
    return SplitData(
        which=which,
        rows=rows,
        confusion=results.confusion(which),
        roc=results.roc(which, max_points=CURVE_POINTS),
        pr=results.pr(which, max_points=CURVE_POINTS),
        calibration={label: results.calibration(which, label=label) for label in labels},
        scores={label: results.score_distribution(which, label=label) for label in labels},
        threshold_truth=truth,
        threshold_scores=scores,
    )


def plot_data(results: Any, cached: dict[str, pd.DataFrame | None] | None = None) -> RunPlotData:
    """A RunResults' plot numbers; `cached` may hold the importance and learning_curve
    frames computed earlier."""
    cached = cached or {}
    return RunPlotData(
        run_id=results.run_id,
        name=results.name,
        model=results.model,
        task=results.task,
        classes=list(results.classes) if results.classes is not None else None,
        positive=results.positive,
        metric=results.metric,
        target=results.target,
        splits={which: split_data(results, which) for which in results.splits},
        fold_scores={metric: results.fold_scores(metric) for metric in _fold_metric_names(results)},
        split_scores={split: results.scores(split) for split in ("train", "validation", "test")},
        importance=cached.get("importance"),
        learning_curve=cached.get("learning_curve"),
    )


def _fold_metric_names(results: Any) -> list[str]:
    """The metrics scored per fold, the run's own first."""
    names = set(results.fold_summary("validation"))
    return [results.metric] * (results.metric in names) + sorted(names - {results.metric})


def _cached_frames(project_root: Path, run_id: str) -> dict[str, pd.DataFrame | None]:
    """Importance and learning-curve results computed earlier (their jobs cache them)."""
    from workbench.core.results.importance import IMPORTANCE_FILE
    from workbench.core.results.learning_curve import LEARNING_CURVE_FILE
    from workbench.core.results.run_inputs import cache_path, read_cache

    return {
        "importance": read_cache(cache_path(project_root, run_id, IMPORTANCE_FILE), {}),
        "learning_curve": read_cache(cache_path(project_root, run_id, LEARNING_CURVE_FILE), {}),
    }


def load_plot_data(
    project_root: str | Path,
    run_ids: Sequence[str],
    progress: ProgressFn = no_progress,
    cancel: CancelToken = NEVER_CANCELLED,
) -> list[RunPlotData | RunProblem]:
    """The loading job: each run's plot numbers, or the reason it has none."""
    from workbench.core.results.run_results import load_run_results

    root = Path(project_root)
    loaded: list[RunPlotData | RunProblem] = []
    for index, run_id in enumerate(run_ids):
        cancel.raise_if_cancelled()
        progress(index / max(len(run_ids), 1), f"reading run {run_id}")
        try:
            results = load_run_results(root, run_id)
            loaded.append(plot_data(results, _cached_frames(root, run_id)))
        except WorkbenchError as error:
            loaded.append(RunProblem(run_id, str(error)))
    progress(1.0, "done")
    return loaded


# --- the on-request jobs (module-level so a child process can import them; the heavy modules
# are imported there, never in the GUI process) ------------------------------------------------


def importance_job(
    project_root: str | Path,
    run_id: str,
    progress: ProgressFn = no_progress,
    cancel: CancelToken = NEVER_CANCELLED,
) -> pd.DataFrame:
    """compute_importance with its defaults (cached beside the run)."""
    from workbench.core.results.importance import compute_importance

    return compute_importance(project_root, run_id, progress=progress, cancel=cancel)


def learning_curve_job(
    project_root: str | Path,
    run_id: str,
    progress: ProgressFn = no_progress,
    cancel: CancelToken = NEVER_CANCELLED,
) -> pd.DataFrame:
    """compute_learning_curve with its defaults (cached beside the run)."""
    from workbench.core.results.learning_curve import compute_learning_curve

    return compute_learning_curve(project_root, run_id, progress=progress, cancel=cancel)
