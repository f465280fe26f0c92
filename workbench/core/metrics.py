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

scikit-learn is imported inside the functions: the GUI process imports this module for the
metric names without paying for scikit-learn; scoring runs in the training child process.
"""

from __future__ import annotations

import math
import warnings
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from functools import cache
from itertools import pairwise
from typing import Any, NamedTuple

import numpy as np
import pandas as pd

from workbench.core.binary_curve import BinaryCurve
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


def greater_is_better(metric: str) -> bool:
    """True for scores (accuracy, AUC, R²), False for losses and errors."""
    if metric not in METRIC_LABELS:
        raise WorkbenchError(f"unknown metric '{metric}'; known: {', '.join(METRIC_LABELS)}")
    return metric not in LOWER_IS_BETTER


def plain(value: Any) -> Any:
    """A label or number as a plain Python value, so results serialise to JSON."""
    return value.item() if isinstance(value, np.generic) else value


# --- the positive class --------------------------------------------------------------------------

# Compared lowercase and stripped. Words that say "this is the event we look for"...
_POSITIVE_names = frozenset(
    {
        "1", "true", "yes", "y", "t", "positive", "pos", "bad", "default", "defaulted",
        "churn", "churned", "fraud", "spam", "malignant", "sick", "disease", "failure", "fail",
        "failed", "event", "abnormal", "survived", "died", "dead", "risk", "high",
    }
)  # fmt: skip
# ...and words for the ordinary case, whose other class is then the positive one.
_NEGATIVE_names = frozenset(
    {
        "0", "false", "no", "n", "f", "negative", "neg", "good", "normal", "benign", "healthy",
        "none", "ham", "ok", "pass", "passed", "control", "alive", "low", "legit", "legitimate",
    }
)  # fmt: skip


def _label_text(label: Any) -> str:
    value = plain(label)
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | float) and value in (0, 1):
        return str(int(value))
    return str(value).strip().lower()


def positive_label(classes: Sequence[Any], y: Sequence[Any] | None = None) -> Any:
    """The class binary metrics call positive, taken from `classes` as given.

    In order: the class named like the event (1, True, yes, bad, fraud, ...; a threshold
    class such as adult's ">50K" starting with ">"); else the class whose partner is named like
    the ordinary case (0, no, good, normal, ...); else, when the training targets `y` are given,
    the minority class (the rare class is what people look for); else the larger label,
    scikit-learn's `classes_[1]`.
    """
    labels = list(classes)
    if len(labels) != 2:
        raise WorkbenchError(
            f"a positive class needs exactly two classes, got {len(labels)}: "
            f"{', '.join(str(plain(c)) for c in labels)}"
        )
    texts = [_label_text(label) for label in labels]
    named = [i for i, text in enumerate(texts) if text in _POSITIVE_names or text[:1] == ">"]
    if len(named) == 1:
        return labels[named[0]]
    ordinary = [i for i, text in enumerate(texts) if text in _NEGATIVE_names or text[:1] == "<"]
    if len(ordinary) == 1:
        return labels[1 - ordinary[0]]
    if y is not None:
        values = np.asarray(y)
        counts = [int(np.sum(values == label)) for label in labels]
        if counts[0] != counts[1]:
            return labels[int(np.argmin(counts))]
    return sorted(labels)[1]


# --- scores --------------------------------------------------------------------------------------


@contextmanager
def _quiet() -> Iterator[None]:
    """Silence scikit-learn's undefined-metric chatter: score_all reports skips itself."""
    from sklearn.exceptions import UndefinedMetricWarning

    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UndefinedMetricWarning)
        warnings.simplefilter("ignore", RuntimeWarning)
        # balanced accuracy on a fold holding one class: the value is still defined.
        warnings.filterwarnings("ignore", "y_pred contains classes not in y_true")
        yield


def _check_lengths(y_true: np.ndarray, y_pred: np.ndarray) -> None:
    if y_true.shape[0] == 0:
        raise WorkbenchError("cannot score an empty set of rows")
    if y_true.shape[0] != y_pred.shape[0]:
        raise WorkbenchError(
            f"{y_true.shape[0]} true values but {y_pred.shape[0]} predictions: they must match"
        )


def _check_proba(proba: Any, classes: Sequence[Any], rows: int) -> np.ndarray:
    matrix = np.asarray(proba, dtype="float64")
    if matrix.ndim != 2 or matrix.shape != (rows, len(classes)):
        raise WorkbenchError(
            f"probabilities must have one row per prediction and one column per class "
            f"({rows} x {len(classes)}), got shape {matrix.shape}"
        )
    if not np.all(np.isfinite(matrix)):
        raise WorkbenchError("the predicted probabilities contain missing or infinite values")
    return matrix


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
    _check_lengths(truth, predicted if predicted is not None else truth)
    if task == TaskType.REGRESSION:
        if predicted is None:
            raise WorkbenchError("regression metrics need predictions")
        computations = _regression_computations(truth, predicted)
    else:
        computations = _classification_computations(
            task, truth, predicted, proba, classes, positive
        )
    scores: dict[str, float] = {}
    skipped: dict[str, str] = {}
    with _quiet():
        for metric in wanted:
            compute = computations[metric]
            if isinstance(compute, str):
                skipped[metric] = compute
                continue
            try:
                value = float(compute())
            except ValueError as error:
                skipped[metric] = str(error).splitlines()[0]
                continue
            if math.isfinite(value):
                scores[metric] = value
            else:
                skipped[metric] = "undefined on these rows"
    return Scores(scores, skipped)


# A computation is a zero-argument function giving the score, or the reason it is skipped.
_Computation = Callable[[], float] | str


def _regression_computations(truth: np.ndarray, predicted: np.ndarray) -> dict[str, _Computation]:
    from sklearn import metrics as skm

    truth = truth.astype("float64")
    predicted = predicted.astype("float64")
    if not np.all(np.isfinite(truth)) or not np.all(np.isfinite(predicted)):
        raise WorkbenchError("the true values or the predictions contain missing values")
    has_zero = bool(np.any(truth == 0))
    return {
        "mae": lambda: skm.mean_absolute_error(truth, predicted),
        "mse": lambda: skm.mean_squared_error(truth, predicted),
        "rmse": lambda: skm.root_mean_squared_error(truth, predicted),
        "r2": (
            (lambda: skm.r2_score(truth, predicted))
            if truth.shape[0] >= 2
            else "R² needs at least two rows"
        ),
        # scikit-learn divides by a tiny epsilon instead, giving astronomically large values.
        "mape": (
            "the target has zeros, where a percentage error is undefined"
            if has_zero
            else (lambda: skm.mean_absolute_percentage_error(truth, predicted))
        ),
        "median_ae": lambda: skm.median_absolute_error(truth, predicted),
    }


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
) -> dict[str, _Computation]:
    from sklearn import metrics as skm

    if classes is None:
        if proba is not None or predicted is None:
            raise WorkbenchError("probabilities need the class order: pass the model's classes")
        classes = sorted(set(truth.tolist()) | set(predicted.tolist()))
    labels = list(classes)
    binary = task == TaskType.BINARY
    if binary and positive is None:
        positive = positive_label(labels, truth)
    counted = _label_counts(truth, predicted, labels, positive if binary else None)
    if counted is not None:
        computations = counted.computations(binary)
    else:
        computations = _sklearn_label_computations(truth, predicted, positive if binary else None)
    if proba is None:
        reason = "the model gives no class probabilities"
        computations.update(dict.fromkeys(PROBABILITY_METRICS, reason))
        return computations
    matrix = _check_proba(proba, labels, truth.shape[0])
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
) -> dict[str, _Computation]:
    """The label metrics by scikit-learn's own functions: the path for labels the counting
    path does not take (mixed types, floats, labels outside the model's classes), so such
    inputs keep scikit-learn's exact behaviour, errors included. `positive` is None unless
    the task is binary."""
    from sklearn import metrics as skm

    computations: dict[str, _Computation] = {
        "accuracy": lambda: skm.accuracy_score(truth, predicted),
        "balanced_accuracy": lambda: skm.balanced_accuracy_score(truth, predicted),
        "mcc": lambda: skm.matthews_corrcoef(truth, predicted),
    }
    prf = {"precision": skm.precision_score, "recall": skm.recall_score, "f1": skm.f1_score}
    for average in ("macro", "weighted"):
        for name, function in prf.items():
            computations[f"{name}_{average}"] = _bind(
                function, truth, predicted, average=average, zero_division=0
            )
    if positive is not None:
        for name, function in prf.items():
            computations[name] = _bind(
                function, truth, predicted, pos_label=positive, zero_division=0
            )
    return computations


class _LabelCounts(NamedTuple):
    """One confusion matrix over the labels present in the truth or the predictions, sorted
    as scikit-learn sorts them, from which every label metric is derived.

    scikit-learn validates and label-encodes its inputs again in each of its nine precision /
    recall / F1 calls (most of a fold's scoring time). The formulas below repeat its
    arithmetic operation for operation (same dtypes, same order of sums), so each value is
    bit-for-bit the one its function returns; tests/core/test_metrics.py holds them equal.
    """

    matrix: np.ndarray  # int64, rows: true label, columns: predicted label
    positive: int | None  # index of the positive label among the present ones, -1 if absent
    truth_codes: np.ndarray  # each true value's position in the model's classes

    def computations(self, binary: bool) -> dict[str, _Computation]:
        matrix = self.matrix
        tp = np.diag(matrix)
        true_sum = matrix.sum(axis=1)
        pred_sum = matrix.sum(axis=0)
        computations: dict[str, _Computation] = {
            "accuracy": lambda: float(np.trace(matrix)) / float(matrix.sum()),
            "balanced_accuracy": lambda: _balanced_accuracy(matrix),
            "mcc": lambda: _matthews(matrix),
        }
        per_class = _precision_recall_f1(tp, pred_sum, true_sum)
        names = ("precision", "recall", "f1")
        for name, values in zip(names, per_class, strict=True):
            computations[f"{name}_macro"] = _bind(np.nanmean, values)
            computations[f"{name}_weighted"] = _bind(_weighted_mean, values, true_sum)
        if binary and self.positive is not None:
            i = self.positive
            if i < 0:  # the positive class appears nowhere: every count is zero
                one = (np.zeros(1, np.int64),) * 3
            else:
                one = (tp[i : i + 1], pred_sum[i : i + 1], true_sum[i : i + 1])
            for name, values in zip(names, _precision_recall_f1(*one), strict=True):
                computations[name] = _bind(np.nanmean, values)
        return computations


def _label_counts(
    truth: np.ndarray, predicted: np.ndarray | None, labels: Sequence[Any], positive: Any
) -> _LabelCounts | None:
    """The counts behind the label metrics, or None when scikit-learn must score these
    labels itself: anything but integer, boolean or string labels of one kind, a value
    outside `labels`, a positive class outside `labels`, or `labels` not in sorted order."""
    if predicted is None or truth.shape != predicted.shape or truth.ndim != 1:
        return None
    try:
        present, codes = np.unique(np.concatenate([truth, predicted]), return_inverse=True)
        ordered = all(a < b for a, b in pairwise(labels))
        kinds = {_kind(value) for value in [*labels, *present.tolist()]}
        # Positions in `labels` (a ValueError for a value outside them); `labels` being
        # sorted, these are also the columns log loss reads.
        class_of_present = [labels.index(value) for value in present.tolist()]
    except (TypeError, ValueError):
        return None
    if not ordered or len(kinds) != 1 or None in kinds:
        return None
    if positive is not None and positive not in labels:
        return None
    codes = codes.reshape(-1)
    size = present.size
    rows = truth.shape[0]
    matrix = np.bincount(codes[:rows] * size + codes[rows:], minlength=size * size)
    matrix = matrix.reshape(size, size).astype(np.int64)
    index = None
    if positive is not None:
        matches = [i for i, value in enumerate(present.tolist()) if value == positive]
        index = matches[0] if matches else -1
    truth_codes = np.asarray(class_of_present, dtype=np.intp)[codes[:rows]]
    return _LabelCounts(matrix, index, truth_codes)


def _kind(value: Any) -> str | None:
    """Integer, boolean or string: the label kinds the counting path takes, never mixed."""
    if isinstance(value, bool | np.bool_):
        return "bool"
    if isinstance(value, int | np.integer):
        return "int"
    if isinstance(value, str):
        return "str"
    return None


def _precision_recall_f1(
    tp: np.ndarray, pred_sum: np.ndarray, true_sum: np.ndarray
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Per-class precision, recall and F1 as precision_recall_fscore_support(zero_division=0)
    computes them (its _prf_divide, beta = 1)."""
    f_denominator = 1 * true_sum.astype(np.float64) + pred_sum.astype(np.float64)
    return (
        _divide(tp, pred_sum),
        _divide(tp, true_sum),
        _divide((1 + 1) * tp.astype(np.float64), f_denominator),
    )


def _divide(numerator: np.ndarray, denominator: np.ndarray) -> np.ndarray:
    mask = denominator == 0
    safe = np.asarray(denominator, dtype=np.float64).copy()
    safe[mask] = 1
    result = np.asarray(numerator, dtype=np.float64) / safe
    result[mask] = 0.0
    return result


def _weighted_mean(values: np.ndarray, weights: np.ndarray) -> float:
    """scikit-learn's _nanaverage with support weights (all-zero weights: a plain mean)."""
    keep = ~np.isnan(values)
    values, weight = values[keep], weights[keep].astype(np.float64)
    scale = np.sum(weight)
    if scale == 0.0:
        return float(np.mean(values))
    return float(np.sum(np.multiply(values, weight)) / scale)


def _balanced_accuracy(matrix: np.ndarray) -> float:
    with np.errstate(divide="ignore", invalid="ignore"):
        per_class = np.diagonal(matrix) / np.sum(matrix, axis=1)
    per_class = per_class[~np.isnan(per_class)]
    return float(np.mean(per_class))


def _matthews(matrix: np.ndarray) -> float:
    """matthews_corrcoef's formula on its confusion matrix, operation for operation."""
    t_sum = matrix.sum(axis=1, dtype=np.float64)
    p_sum = matrix.sum(axis=0, dtype=np.float64)
    n_correct = np.trace(matrix, dtype=np.float64)
    n_samples = p_sum.sum()
    cov_ytyp = n_correct * n_samples - np.dot(t_sum, p_sum)
    cov_ypyp = n_samples**2 - np.dot(p_sum, p_sum)
    cov_ytyt = n_samples**2 - np.dot(t_sum, t_sum)
    cov_ypyp_ytyt = cov_ypyp * cov_ytyt
    if cov_ypyp_ytyt == 0:
        return 0.0
    return float(cov_ytyp / np.sqrt(cov_ypyp_ytyt))


def _log_loss_computation(
    truth: np.ndarray, matrix: np.ndarray, labels: list[Any], counted: _LabelCounts | None
) -> _Computation:
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


def _bind(function: Callable[..., float], *args: Any, **kwargs: Any) -> Callable[[], float]:
    return lambda: function(*args, **kwargs)


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


# --- tables --------------------------------------------------------------------------------------


def confusion(y_true: Sequence[Any], y_pred: Sequence[Any], classes: Sequence[Any]) -> dict:
    """Counts (rows: true class, columns: predicted) and each row as fractions of its total.

    A class absent from the true values has a row of zeros, not NaN. Rows whose true or
    predicted value is not one of `classes` are left out, as scikit-learn's confusion_matrix
    does; counted here by hashing, since its sort of string labels is most of a run's plot data.
    """
    labels = list(classes)
    index = pd.Index(labels)
    if not index.is_unique:
        raise WorkbenchError(f"the classes of a confusion matrix repeat: {labels}")
    truth = index.get_indexer(pd.Index(np.asarray(y_true)))
    predicted = index.get_indexer(pd.Index(np.asarray(y_pred)))
    if truth.shape != predicted.shape:
        raise WorkbenchError(f"{truth.shape[0]} true values but {predicted.shape[0]} predictions")
    kept = (truth >= 0) & (predicted >= 0)
    size = len(labels)
    counts = np.bincount(truth[kept] * size + predicted[kept], minlength=size * size).reshape(
        size, size
    )
    totals = counts.sum(axis=1, keepdims=True)
    fractions = np.divide(counts, totals, out=np.zeros(counts.shape), where=totals > 0)
    return {
        "classes": [plain(c) for c in labels],
        "counts": counts.astype(int).tolist(),
        "row_normalised": fractions.tolist(),
    }


def per_class_report(
    y_true: Sequence[Any], y_pred: Sequence[Any], classes: Sequence[Any]
) -> list[dict[str, Any]]:
    """Precision, recall, F1 and support of each class (0 where a ratio has no denominator)."""
    from sklearn.metrics import precision_recall_fscore_support

    labels = list(classes)
    with _quiet():
        precision, recall, f1, support = precision_recall_fscore_support(
            np.asarray(y_true), np.asarray(y_pred), labels=labels, zero_division=0
        )
    return [
        {
            "class": plain(label),
            "precision": float(precision[i]),
            "recall": float(recall[i]),
            "f1": float(f1[i]),
            "support": int(support[i]),
        }
        for i, label in enumerate(labels)
    ]


def summarise_folds(
    fold_scores: Sequence[Mapping[str, float]],
) -> dict[str, dict[str, Any]]:
    """Mean, standard deviation (population, as scikit-learn's cv_results_) and fold values.

    A metric skipped in some folds is summarised over the folds that have it.
    """
    names: dict[str, None] = {}
    for scores in fold_scores:
        names.update(dict.fromkeys(scores))
    summary: dict[str, dict[str, Any]] = {}
    for name in names:
        values = [float(scores[name]) for scores in fold_scores if name in scores]
        summary[name] = {
            "mean": float(np.mean(values)),
            "std": float(np.std(values)),
            "values": values,
        }
    return summary


# --- the numbers behind the plots ----------------------------------------------------------------


def _thin(columns: Sequence[np.ndarray], max_points: int) -> list[list[float]]:
    """At most `max_points` evenly spaced points of each curve, always keeping both ends."""
    length = len(columns[0])
    if length > max_points:
        keep = np.unique(np.linspace(0, length - 1, max_points).round().astype(int))
        columns = [column[keep] for column in columns]
    return [np.asarray(column, dtype="float64").tolist() for column in columns]


def roc_points(
    y_true: Sequence[Any], proba: np.ndarray, classes: Sequence[Any], max_points: int = 200
) -> list[dict[str, Any]]:
    """One-vs-rest ROC curve of each class: {class, fpr, tpr, auc}.

    Classes without both positive and negative true values have no curve and are left out.
    """
    curves = []
    for label, is_class, scores in _one_vs_rest(y_true, proba, classes):
        curve = BinaryCurve.of(is_class, scores)
        fpr_list, tpr_list = _thin(curve.roc, max_points)
        curves.append(
            {"class": plain(label), "fpr": fpr_list, "tpr": tpr_list, "auc": curve.roc_auc}
        )
    return curves


def _one_vs_rest(
    y_true: Sequence[Any], proba: np.ndarray, classes: Sequence[Any]
) -> Iterator[tuple[Any, np.ndarray, np.ndarray]]:
    """(class, is that class, its probability) for each class with both positive and negative
    true values; the others have no curve."""
    truth = np.asarray(y_true)
    labels = list(classes)
    matrix = _check_proba(proba, labels, truth.shape[0])
    for index, label in enumerate(labels):
        is_class = truth == label
        if not (is_class.all() or not is_class.any()):
            yield label, is_class, matrix[:, index]


def pr_points(
    y_true: Sequence[Any], proba: np.ndarray, classes: Sequence[Any], max_points: int = 200
) -> list[dict[str, Any]]:
    """One-vs-rest precision-recall curve of each class: {class, recall, precision,
    average_precision, prevalence} (prevalence is the no-skill line)."""
    curves = []
    for label, is_class, scores in _one_vs_rest(y_true, proba, classes):
        curve = BinaryCurve.of(is_class, scores)
        precision, recall = curve.precision_recall
        recall_list, precision_list = _thin([recall, precision], max_points)
        curves.append(
            {
                "class": plain(label),
                "recall": recall_list,
                "precision": precision_list,
                "average_precision": curve.average_precision,
                "prevalence": float(is_class.mean()),
            }
        )
    return curves


def calibration_bins(
    y_true: Sequence[Any],
    proba_positive: Sequence[float],
    n_bins: int = 10,
    positive_label: Any = None,
) -> list[dict[str, float]]:
    """Reliability diagram: equal-width probability bins, each {low, high, mean_predicted,
    fraction_positive, count}; empty bins are left out.

    `y_true` is 0/1 (or bool) unless `positive_label` says which label is the positive class.
    The bins match scikit-learn's calibration_curve(strategy="uniform").
    """
    truth = np.asarray(y_true)
    is_positive = (truth == positive_label) if positive_label is not None else truth.astype(bool)
    probabilities = np.asarray(proba_positive, dtype="float64")
    if probabilities.shape[0] != is_positive.shape[0]:
        raise WorkbenchError(
            f"{is_positive.shape[0]} true values but {probabilities.shape[0]} probabilities"
        )
    edges = np.linspace(0.0, 1.0, n_bins + 1)
    # Same binning as calibration_curve: a probability on an inner edge goes to the lower bin
    # (forest probabilities are multiples of 1/trees, so edges are hit often).
    bin_of = np.searchsorted(edges[1:-1], probabilities, side="left")
    bins = []
    for index in range(n_bins):
        inside = bin_of == index
        count = int(inside.sum())
        if count == 0:
            continue
        bins.append(
            {
                "low": float(edges[index]),
                "high": float(edges[index + 1]),
                "mean_predicted": float(probabilities[inside].mean()),
                "fraction_positive": float(is_positive[inside].mean()),
                "count": count,
            }
        )
    return bins


_QUANTILES = (0.05, 0.25, 0.5, 0.75, 0.95)
_QUANTILE_names = ("p05", "p25", "p50", "p75", "p95")


def residuals(
    y_true: Sequence[float], y_pred: Sequence[float], n_bins: int = 30, max_points: int = 500
) -> dict[str, Any]:
    """Residuals (true minus predicted) summarised for a results page: statistics, a histogram,
    and at most `max_points` evenly spaced (predicted, residual) pairs for a scatter plot."""
    truth = np.asarray(y_true, dtype="float64")
    predicted = np.asarray(y_pred, dtype="float64")
    _check_lengths(truth, predicted)
    errors = truth - predicted
    counts, edges = np.histogram(errors, bins=n_bins)
    quantiles = np.quantile(errors, _QUANTILES)
    predicted_points, residual_points = _thin([predicted, errors], max_points)
    return {
        "count": int(errors.shape[0]),
        "mean": float(errors.mean()),
        "std": float(errors.std()),
        "mean_absolute": float(np.abs(errors).mean()),
        "max_absolute": float(np.abs(errors).max()),
        "quantiles": dict(
            zip(("p05", "p25", "p50", "p75", "p95"), quantiles.tolist(), strict=True)
        ),
        "histogram": {"edges": edges.tolist(), "counts": counts.astype(int).tolist()},
        "points": {"predicted": predicted_points, "residual": residual_points},
    }
