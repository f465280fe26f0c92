"""Metric names: which metrics exist, their labels, which way is better, the defaults.

Kept apart from the scoring so the GUI (metric pickers, leaderboards, the experiments table)
reads names, labels and directions from one place without any of the scoring code; nothing
here needs numpy or scikit-learn.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Any

from workbench.core.errors import WorkbenchError
from workbench.core.kinds import TaskType

CLASSIFICATION_METRICS: tuple[str, ...] = (
    "accuracy",
    "balanced_accuracy",
    "precision",
    "recall",
    "f1",
    "precision_macro",
    "recall_macro",
    "f1_macro",
    "precision_weighted",
    "recall_weighted",
    "f1_weighted",
    "mcc",
    "roc_auc",
    "pr_auc",
    "log_loss",
    "brier",
)
REGRESSION_METRICS: tuple[str, ...] = ("mae", "mse", "rmse", "r2", "mape", "median_ae")

# The positive-class metrics have no single meaning with three or more classes.
BINARY_ONLY = frozenset({"precision", "recall", "f1"})
# Metrics computed from predicted probabilities rather than predicted labels.
PROBABILITY_METRICS = frozenset({"roc_auc", "pr_auc", "log_loss", "brier"})
LOWER_IS_BETTER = frozenset({"log_loss", "brier", "mae", "mse", "rmse", "mape", "median_ae"})
# The values a metric can take where that is not [0, 1] (None: unbounded on that side), so an
# interval around fold scores never claims an F1 above 1 or an error below 0.
METRIC_RANGES: dict[str, tuple[float | None, float | None]] = {
    "mcc": (-1.0, 1.0),
    "log_loss": (0.0, None),
    "mae": (0.0, None),
    "mse": (0.0, None),
    "rmse": (0.0, None),
    "mape": (0.0, None),
    "median_ae": (0.0, None),
    "r2": (None, 1.0),
}

METRIC_LABELS: dict[str, str] = {
    "accuracy": "Accuracy",
    "balanced_accuracy": "Balanced accuracy",
    "precision": "Precision",
    "recall": "Recall",
    "f1": "F1",
    "precision_macro": "Precision (macro)",
    "recall_macro": "Recall (macro)",
    "f1_macro": "F1 (macro)",
    "precision_weighted": "Precision (weighted)",
    "recall_weighted": "Recall (weighted)",
    "f1_weighted": "F1 (weighted)",
    "mcc": "Matthews correlation",
    "roc_auc": "ROC AUC",
    "pr_auc": "PR AUC (average precision)",
    "log_loss": "Log loss",
    "brier": "Brier score",
    "mae": "Mean absolute error",
    "mse": "Mean squared error",
    "rmse": "Root mean squared error",
    "r2": "R²",
    "mape": "Mean absolute percentage error",
    "median_ae": "Median absolute error",
}

_DEFAULT_METRIC = {
    TaskType.BINARY: "roc_auc",
    TaskType.MULTICLASS: "f1_macro",
    TaskType.REGRESSION: "rmse",
}


def metrics_for(task: TaskType) -> tuple[str, ...]:
    """The metrics that apply to `task`, in display order."""
    task = TaskType(task)
    if task == TaskType.REGRESSION:
        return REGRESSION_METRICS
    if task == TaskType.MULTICLASS:
        return tuple(m for m in CLASSIFICATION_METRICS if m not in BINARY_ONLY)
    return CLASSIFICATION_METRICS


def default_metric(task: TaskType) -> str:
    """ROC AUC for binary, macro F1 for multiclass, RMSE for regression."""
    return _DEFAULT_METRIC[TaskType(task)]


def check_metric(metric: str, task: TaskType) -> str:
    """`metric` if it applies to `task`; a WorkbenchError naming the ones that do otherwise."""
    known = metrics_for(task)
    if metric not in known:
        raise WorkbenchError(
            f"metric '{metric}' does not apply to a {TaskType(task).value} task; "
            f"choose one of: {', '.join(known)}"
        )
    return metric


def best_positions(metric: str, values: Sequence[Any]) -> list[int]:
    """Positions of the best finite value of `metric` among `values` (ties all count; none
    when no value is a finite number)."""
    numbers = [
        (i, float(v))
        for i, v in enumerate(values)
        if isinstance(v, int | float) and not isinstance(v, bool) and math.isfinite(float(v))
    ]
    if not numbers:
        return []
    best = (max if greater_is_better(metric) else min)(value for _i, value in numbers)
    return [i for i, value in numbers if value == best]


def metric_range(metric: str) -> tuple[float | None, float | None]:
    """(lowest, highest) value `metric` can take; None where it is unbounded."""
    if metric not in METRIC_LABELS:
        raise WorkbenchError(f"unknown metric '{metric}'; known: {', '.join(METRIC_LABELS)}")
    return METRIC_RANGES.get(metric, (0.0, 1.0))


def greater_is_better(metric: str) -> bool:
    """True for scores (accuracy, AUC, R²), False for losses and errors."""
    if metric not in METRIC_LABELS:
        raise WorkbenchError(f"unknown metric '{metric}'; known: {', '.join(METRIC_LABELS)}")
    return metric not in LOWER_IS_BETTER
