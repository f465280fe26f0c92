"""The numbers behind a run's result plots, as plain picklable values.

Every number is computed from the run's predictions (metrics.predictions; its curves come from
scikit-learn's definitions); this module only chooses what the plots need and keeps the payload
small: curves are thinned by curves.py, scatter plots carry at most MAX_SCATTER_POINTS rows (a
seeded draw, the same rows every time), and the threshold view carries the positive class's
scores so costs can change without a job.

The runner saves each finished run's plot numbers beside it (runs/<run_id>/plot_data.pickle,
keyed by the sha256 of the predictions they come from), so the Results panel reads a run at
once, in the window's own process, without scikit-learn. Runs trained before that, or whose
file is gone, are computed by the panel's loading job (runs.result_jobs), which saves them for
next time.
"""

from __future__ import annotations

import math
import pickle
from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from workbench.core.atomic import write_bytes_atomic
from workbench.core.kinds import TaskType
from workbench.core.metrics.names import best_positions, greater_is_better
from workbench.core.metrics.predictions import OOF, TEST, RunPredictions
from workbench.core.runs.cache import read_cache

if TYPE_CHECKING:
    from workbench.core.runs.loaded import LoadedRun
    from workbench.core.runs.log import RunRecord

SPLIT_LABELS = {OOF: "Cross-validation (out-of-fold)", TEST: "Test set"}
# Points a scatter plot draws at most: pyqtgraph stays fluid far beyond, the eye sees no more.
MAX_SCATTER_POINTS = 20_000
SCATTER_SEED = 0
CURVE_POINTS = 400
PLOT_DATA_FILE = "plot_data.pickle"
# Bumped when RunPlotData changes shape: older saved files are then recomputed, not misread.
PLOT_DATA_VERSION = 1
# The answers computed on request, cached beside the run by their jobs.
IMPORTANCE_FILE = "importance.parquet"
LEARNING_CURVE_FILE = "learning_curve.parquet"


@dataclass(frozen=True)
class SplitData:
    """The plots' numbers for one prediction set ("oof" or "test")."""

    which: str
    rows: int
    confusion: dict | None = None
    roc: list[dict] = field(default_factory=list)
    pr: list[dict] = field(default_factory=list)
    # label -> RunPredictions.calibration / score_distribution of that class's score
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
    # metric -> RunRecord.fold_scores(metric): fold, train, validation
    fold_scores: dict[str, pd.DataFrame]
    # split ("train", "validation", "test") -> RunRecord.scores(split)
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
        """Whole-split scores, as RunRecord.scores (what compare_metrics reads)."""
        return dict(self.split_scores.get(split, {}))


@dataclass(frozen=True)
class RunProblem:
    """A selected run that has no results to plot, and why (failed, cancelled, files gone)."""

    run_id: str
    message: str


def split_data(predictions: RunPredictions, which: str) -> SplitData:
    """The numbers of one prediction set."""
    rows = int(predictions.frame(which).shape[0])
    if predictions.task == TaskType.REGRESSION:
        return SplitData(
            which=which,
            rows=rows,
            predicted_actual=predictions.predicted_vs_actual(
                which, max_points=MAX_SCATTER_POINTS, seed=SCATTER_SEED
            ),
            residuals=predictions.residuals(which, max_points=MAX_SCATTER_POINTS),
        )
    binary = predictions.task == TaskType.BINARY
    labels = [predictions.positive] if binary else list(predictions.classes or [])
    truth = scores = None
    if binary:
        truth = predictions.y_true(which)
        scores = predictions.proba_of(predictions.positive, which)
    return SplitData(
        which=which,
        rows=rows,
        confusion=predictions.confusion(which),
        roc=predictions.roc(which, max_points=CURVE_POINTS),
        pr=predictions.pr(which, max_points=CURVE_POINTS),
        calibration={label: predictions.calibration(which, label=label) for label in labels},
        scores={label: predictions.score_distribution(which, label=label) for label in labels},
        threshold_truth=truth,
        threshold_scores=scores,
    )


def plot_data(run: LoadedRun) -> RunPlotData:
    """The run's plot numbers, computed from its predictions and its logged scores, with the
    importance and learning curve its jobs cached."""
    record, predictions = run.record, run.predictions
    metric = run.spec.metric
    names = set(record.fold_summary("validation"))
    fold_metrics = [metric] * (metric in names) + sorted(names - {metric})
    return RunPlotData(
        run_id=run.run_id,
        name=run.name,
        model=run.spec.model.name,
        task=run.task,
        classes=list(predictions.classes) if predictions.classes is not None else None,
        positive=predictions.positive,
        metric=metric,
        target=run.spec.target,
        splits={which: split_data(predictions, which) for which in predictions.splits},
        fold_scores={name: record.fold_scores(name) for name in fold_metrics},
        split_scores={split: record.scores(split) for split in ("train", "validation", "test")},
        **computed_frames(run),
    )


def computed_frames(run: LoadedRun) -> dict[str, pd.DataFrame | None]:
    """Importance and learning-curve results computed earlier (their jobs cache them)."""
    return {
        "importance": read_cache(run.cache_file(IMPORTANCE_FILE), {}),
        "learning_curve": read_cache(run.cache_file(LEARNING_CURVE_FILE), {}),
    }


def _saved_key(record: RunRecord) -> tuple:
    """What saved plot numbers must match: the predictions they were computed from."""
    artifacts = record.artifacts
    test = artifacts.get("test_predictions")
    return (
        PLOT_DATA_VERSION,
        artifacts["oof"].sha256 if "oof" in artifacts else None,
        test.sha256 if test is not None else None,
    )


def save_plot_data(run: LoadedRun) -> RunPlotData:
    """Compute a finished run's plot numbers and save them beside the run (atomically).

    The runner calls it as a run finishes, the loading job for older runs.
    """
    data = plot_data(run)
    saved = replace(data, importance=None, learning_curve=None)  # their jobs keep their own
    payload = {"key": _saved_key(run.record), "data": saved}
    write_bytes_atomic(run.cache_file(PLOT_DATA_FILE), pickle.dumps(payload, protocol=5))
    return data


def saved_plot_data(run: LoadedRun) -> RunPlotData | None:
    """The run's saved plot numbers (with importance and learning curve when computed), or
    None when there are none or they are stale or damaged: fast and free of scikit-learn, so
    the window reads them itself."""
    path = run.cache_file(PLOT_DATA_FILE)
    if not path.is_file():
        return None
    try:
        # The file is the project's own, written by the runner, like the joblib pipeline.
        payload = pickle.loads(path.read_bytes())
    except Exception:  # a damaged or foreign file: computed again
        return None
    if not isinstance(payload, dict) or payload.get("key") != _saved_key(run.record):
        return None
    data = payload.get("data")
    if not isinstance(data, RunPlotData):
        return None
    return replace(data, **computed_frames(run))


def run_plot_data(run: LoadedRun) -> RunPlotData:
    """The saved plot numbers, else computed and saved now."""
    saved = saved_plot_data(run)
    return saved if saved is not None else save_plot_data(run)


def compare_metrics(runs: Sequence[RunPlotData], split: str = "validation") -> pd.DataFrame:
    """Runs side by side: one row per metric of `split`, one column per run id (NaN where a
    run lacks it), `best` the run id with the best value (higher or lower, as the metric
    says; the first on ties) and `greater_is_better`."""
    names: dict[str, None] = {}
    for run in runs:
        names.update(dict.fromkeys(run.scores(split)))
    rows = []
    for name in names:
        values = [run.scores(split).get(name, math.nan) for run in runs]
        positions = best_positions(name, values)
        best = runs[positions[0]].run_id if positions else None
        rows.append([name, *values, best, greater_is_better(name)])
    ids = [run.run_id for run in runs]
    return pd.DataFrame(rows, columns=["metric", *ids, "best", "greater_is_better"])
