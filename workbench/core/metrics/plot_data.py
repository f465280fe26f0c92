"""The numbers behind a run's result plots, as plain picklable values.

Every number is computed from the run's predictions (metrics.predictions; its curves come from
scikit-learn's definitions); this module only chooses what the plots need and keeps the payload
small: curves are thinned by curves.py, scatter plots carry at most MAX_SCATTER_POINTS rows (a
seeded draw, the same rows every time), and the threshold view carries the positive class's
scores so costs can change without a job.

The values only: a run's plot numbers are put together, saved beside the run and read back by
runs.plot_numbers.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from workbench.core.kinds import TaskType
from workbench.core.metrics.names import best_positions, greater_is_better
from workbench.core.metrics.predictions import OOF, TEST, RunPredictions

if TYPE_CHECKING:
    from workbench.core.explain.run_explanations import RunExplanations

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
    # what was explained for the run (SHAP values, curves, slices), once computed
    explanations: RunExplanations | None = None

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
