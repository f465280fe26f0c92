"""Metrics: every score a run reports, the scorer a search optimises, the numbers behind plots.

One module decides what each metric means, so the number a search tunes, the number the
results table shows and the number in the experiment log are the same number. Decisions:

- Labels are whatever the model's `classes_` holds (strings, numbers, bools); probability
  arrays have one column per class, in the order of `classes`.
- Binary `precision`, `recall` and `f1` are for the positive class (`positive_label`); the
  `_macro` / `_weighted` variants average over the classes present, as scikit-learn does.
- `roc_auc` is binary AUC, or macro one-vs-rest AUC for multiclass; `pr_auc` is average
  precision (macro one-vs-rest for multiclass).
- `brier` is the mean squared error of the predicted probability of each class, averaged over
  the classes (mean one-vs-rest Brier). For binary this is the usual Brier score; for
  multiclass it is scikit-learn's multiclass `brier_score_loss` divided by the number of
  classes, so binary and multiclass values share the 0..1 scale.
- Scores are never NaN: a metric that cannot be computed on these rows (ROC AUC with one class
  present, MAPE with zeros in the target, R² on one row) is left out and named in `skipped`
  with the reason, so a fold table never shows a silent hole.

scikit-learn is imported inside the functions; scoring runs in the training child process.

This module scores: `score_all` and its computations, and the scikit-learn scorers that make a
search optimise the same number. The rest of the package is split by job: names.py holds the
names, labels, directions and defaults (what the window reads); positive.py the positive class
and `plain`; checks.py the input checks; label_counts.py the counted-label fast path;
tables.py the confusion matrix, per-class report and fold summary; curves.py the numbers
behind the plots.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from functools import cache
from typing import Any, NamedTuple

import numpy as np

from workbench.core.batch_checks.scores import (
    Computation,
    bind,
    evaluate,
    regression_computations,
)
from workbench.core.errors import WorkbenchError
from workbench.core.kinds import TaskType
from workbench.core.metrics.binary_curve import BinaryCurve
from workbench.core.metrics.checks import check_lengths, check_proba, quiet_metric_warnings
from workbench.core.metrics.label_counts import LabelCounts, count_labels
from workbench.core.metrics.names import (
    PROBABILITY_METRICS,
    check_metric,
    greater_is_better,
    metrics_for,
)
from workbench.core.metrics.positive import plain, positive_label

# Built-in scikit-learn scorers that compute exactly what score_all computes.
_SKLEARN_SCORERS = {
    "accuracy": "accuracy",
    "balanced_accuracy": "balanced_accuracy",
    "precision_macro": "precision_macro",
    "recall_macro": "recall_macro",
    "f1_macro": "f1_macro",
    "precision_weighted": "precision_weighted",
    "recall_weighted": "recall_weighted",
    "f1_weighted": "f1_weighted",
    "mcc": "matthews_corrcoef",
    "mae": "neg_mean_absolute_error",
    "mse": "neg_mean_squared_error",
    "rmse": "neg_root_mean_squared_error",
    "r2": "r2",
    "mape": "neg_mean_absolute_percentage_error",
    "median_ae": "neg_median_absolute_error",
}


class Scores(NamedTuple):
    """What score_all returns: finite scores, and why each missing metric is missing."""

    scores: dict[str, float]
    skipped: dict[str, str]


def score_all(
    task: TaskType,
    y_true: Sequence[Any],
    y_pred: Sequence[Any],
    proba: np.ndarray | None = None,
    classes: Sequence[Any] | None = None,
    positive_label: Any = None,
) -> Scores:
    """Every metric of `task` on these predictions: Scores(scores, skipped).

    Classification: `classes` is the model's `classes_` (the column order of `proba`); without
    `proba` the probability metrics are skipped. `positive_label` defaults to
    `positive_label(classes, y_true)`. Every returned score is a finite float.
    """
    return _score(task, metrics_for(task), y_true, y_pred, proba, classes, positive_label)


def _score(
    task: TaskType,
    wanted: Sequence[str],
    y_true: Sequence[Any],
    y_pred: Sequence[Any] | None,
    proba: np.ndarray | None,
    classes: Sequence[Any] | None,
    positive: Any,
) -> Scores:
    """The `wanted` metrics; `y_pred` may be None when only probability metrics are wanted."""
    task = TaskType(task)
    truth = np.asarray(y_true)
    predicted = np.asarray(y_pred) if y_pred is not None else None
    check_lengths(truth, predicted if predicted is not None else truth)
    if task == TaskType.REGRESSION:
        if predicted is None:
            raise WorkbenchError("regression metrics need predictions")
        computations = _regression_computations(truth, predicted)
    else:
        computations = _classification_computations(
            task, truth, predicted, proba, classes, positive
        )
    with quiet_metric_warnings():
        scores, skipped = evaluate(wanted, computations)
    return Scores(scores, skipped)


def _regression_computations(truth: np.ndarray, predicted: np.ndarray) -> dict[str, Computation]:
    """The regression metrics: batch_checks.scores', numpy arithmetic equal to scikit-learn's
    functions (tests/core/monitor/test_batch_scores.py), which the monitor and the exported
    service score a labelled batch with too."""
    truth = truth.astype("float64")
    predicted = predicted.astype("float64")
    if not np.all(np.isfinite(truth)) or not np.all(np.isfinite(predicted)):
        raise WorkbenchError("the true values or the predictions contain missing values")
    return regression_computations(truth, predicted)


def _missing_class_reason(truth: np.ndarray, classes: Sequence[Any]) -> str | None:
    """Why one-vs-rest curves are undefined here, or None when every class is present."""
    present = set(truth.tolist())
    absent = [plain(c) for c in classes if plain(c) not in present]
    if len(present) < 2:
        only = plain(truth[0])
        return f"only one class ({only!r}) is present in the true values"
    if absent:
        return f"class {absent[0]!r} is absent from the true values"
    return None


def _classification_computations(
    task: TaskType,
    truth: np.ndarray,
    predicted: np.ndarray | None,
    proba: np.ndarray | None,
    classes: Sequence[Any] | None,
    positive: Any,
) -> dict[str, Computation]:
    from sklearn import metrics as skm

    if classes is None:
        if proba is not None or predicted is None:
            raise WorkbenchError("probabilities need the class order: pass the model's classes")
        classes = sorted(set(truth.tolist()) | set(predicted.tolist()))
    labels = list(classes)
    binary = task == TaskType.BINARY
    if binary and positive is None:
        positive = positive_label(labels, truth)
    counted = count_labels(truth, predicted, labels, positive if binary else None)
    if counted is not None:
        computations = counted.computations(binary)
    else:
        computations = _sklearn_label_computations(truth, predicted, positive if binary else None)
    if proba is None:
        reason = "the model gives no class probabilities"
        computations.update(dict.fromkeys(PROBABILITY_METRICS, reason))
        return computations
    matrix = check_proba(proba, labels, truth.shape[0])
    computations["log_loss"] = _log_loss_computation(truth, matrix, labels, counted)
    computations["brier"] = lambda: _mean_one_vs_rest_brier(truth, matrix, labels)
    missing = _missing_class_reason(truth, labels)
    if missing is not None:
        computations["roc_auc"] = computations["pr_auc"] = missing
    elif binary:
        column = matrix[:, labels.index(positive)]
        is_positive = truth == positive
        curve = cache(lambda: BinaryCurve.of(is_positive, column))  # one sort for both
        computations["roc_auc"] = lambda: curve().roc_auc
        computations["pr_auc"] = lambda: curve().average_precision
    else:
        indicator = _indicator(truth, labels)
        computations["roc_auc"] = lambda: skm.roc_auc_score(
            truth, matrix, multi_class="ovr", average="macro", labels=labels
        )
        computations["pr_auc"] = lambda: skm.average_precision_score(
            indicator, matrix, average="macro"
        )
    return computations


def _sklearn_label_computations(
    truth: np.ndarray, predicted: np.ndarray | None, positive: Any
) -> dict[str, Computation]:
    """The label metrics by scikit-learn's own functions: the path for labels the counting
    path does not take (mixed types, floats, labels outside the model's classes), so such
    inputs keep scikit-learn's exact behaviour, errors included. `positive` is None unless
    the task is binary."""
    from sklearn import metrics as skm

    computations: dict[str, Computation] = {
        "accuracy": lambda: skm.accuracy_score(truth, predicted),
        "balanced_accuracy": lambda: skm.balanced_accuracy_score(truth, predicted),
        "mcc": lambda: skm.matthews_corrcoef(truth, predicted),
    }
    prf = {"precision": skm.precision_score, "recall": skm.recall_score, "f1": skm.f1_score}
    for average in ("macro", "weighted"):
        for name, function in prf.items():
            computations[f"{name}_{average}"] = bind(
                function, truth, predicted, average=average, zero_division=0
            )
    if positive is not None:
        for name, function in prf.items():
            computations[name] = bind(
                function, truth, predicted, pos_label=positive, zero_division=0
            )
    return computations


def _log_loss_computation(
    truth: np.ndarray, matrix: np.ndarray, labels: list[Any], counted: LabelCounts | None
) -> Computation:
    """log_loss(truth, matrix, labels=labels): by indexing when the labels were counted
    (each row's loss is minus the log of its true class's clipped probability, as the
    one-hot sum in scikit-learn reduces to), else by scikit-learn itself."""
    from sklearn import metrics as skm

    if counted is None or len(labels) < 2 or matrix.min() < 0 or matrix.max() > 1:
        return lambda: skm.log_loss(truth, matrix, labels=labels)
    eps = np.finfo(matrix.dtype).eps

    def compute() -> float:
        chosen = matrix[np.arange(matrix.shape[0]), counted.truth_codes]
        loss = -np.log(np.clip(chosen, eps, 1 - eps))
        return float(np.mean(loss))

    return compute


def _indicator(truth: np.ndarray, labels: Sequence[Any]) -> np.ndarray:
    """One 0/1 column per class, in the order of `labels`."""
    return np.column_stack([(truth == label).astype("int64") for label in labels])


def _mean_one_vs_rest_brier(truth: np.ndarray, matrix: np.ndarray, labels: Sequence[Any]) -> float:
    indicator = _indicator(truth, labels)
    return float(np.mean((indicator - matrix) ** 2))


# --- scorers for searches ------------------------------------------------------------------------


class WorkbenchScorer:
    """A scikit-learn scorer computing a metric exactly as score_all does.

    Used where no built-in scorer matches: the positive class of binary precision/recall/F1
    and PR AUC must be the workbench's, not scikit-learn's `classes_[1]`; log loss must name
    every class even when a fold lacks one; Brier is the mean one-vs-rest score. Returns the
    score negated for losses (scikit-learn maximises). A metric undefined on a fold gives NaN,
    which searches rank last. A plain class, so joblib can pickle it to worker processes.
    """

    def __init__(self, metric: str, task: TaskType, positive: Any = None) -> None:
        self.metric = metric
        self.task = TaskType(task)
        self.positive = positive

    def __call__(self, estimator: Any, X: Any, y: Any) -> float:
        classes = list(estimator.classes_)
        positive = self.positive
        if self.task == TaskType.BINARY and positive is None:
            positive = positive_label(classes)
        if self.metric in PROBABILITY_METRICS:
            predicted, proba = None, estimator.predict_proba(X)
        else:
            predicted, proba = estimator.predict(X), None
        result = _score(self.task, (self.metric,), y, predicted, proba, classes, positive)
        value = result.scores.get(self.metric, math.nan)
        return value if greater_is_better(self.metric) else -value

    def __repr__(self) -> str:
        return f"WorkbenchScorer({self.metric!r}, {self.task.value!r}, {self.positive!r})"


def sklearn_scorer(metric: str, task: TaskType, positive: Any = None) -> str | WorkbenchScorer:
    """The `scoring` argument for GridSearchCV and friends that optimises `metric`.

    A built-in scorer name where scikit-learn computes the same number (`rmse` is
    'neg_root_mean_squared_error'), else a WorkbenchScorer. Losses come back negated, as
    scikit-learn maximises: `from_search_score` turns a search's score back into the metric.
    """
    task = TaskType(task)
    check_metric(metric, task)
    if metric in _SKLEARN_SCORERS:
        return _SKLEARN_SCORERS[metric]
    return WorkbenchScorer(metric, task, positive)


def from_search_score(metric: str, value: float) -> float:
    """A search's (maximised) score as the metric's own value: losses are negated back."""
    return value if greater_is_better(metric) else -value
