"""Every metric of a task on a labelled batch, in numpy alone: the scores the service gives too.

The exported service has neither scikit-learn nor scipy, yet a labelled batch sent to its
`POST /drift` must get the scores `workbench monitor` gives; so the monitor scores a batch with
this module as well, and the two cannot disagree. Each metric means what the experiment log's
`score_all` (workbench.core.metrics.scores) means by it, skips included, and equals
scikit-learn's function to 1e-12 (tests/core/monitor/test_batch_scores.py holds them so):

- labels are positions in the model's classes (`class_codes`), so the workbench's labels and
  the ONNX model's name the same class alike; the label metrics come from one confusion matrix
  over the classes present in the truth or the predictions, as scikit-learn counts them, with
  zero_division=0 (a class never predicted has precision 0, never NaN);
- binary precision / recall / F1 are the positive class's; ROC AUC and average precision are
  the binary ones, or the macro mean of the one-vs-rest ones for multiclass (each needs every
  class present in the truth); log loss clips probabilities to [eps, 1 - eps]; Brier is the
  mean one-vs-rest squared error;
- regression: MAE, MSE, RMSE, R² (at least two rows; a constant truth gives 1 when predicted
  exactly, else 0, scikit-learn's force_finite), MAPE (undefined with a zero in the truth),
  the median absolute error.

The confusion-matrix arithmetic, the binary curve's counts and the regression metrics are also
what the experiment log's `score_all` computes with (workbench.core.metrics.label_counts,
binary_curve and scores), so there is one definition of each; `score_all` keeps scikit-learn
only for what a batch never holds (labels of mixed or float types) and for the multiclass
curves, which it computes from labels rather than class positions.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping, Sequence
from typing import Any

import numpy as np

from .values import category_key

# A computation is a zero-argument function giving the score, or the reason it is skipped.
Computation = Callable[[], float] | str

# The task names (workbench.core.kinds.TaskType's values).
BINARY = "binary"
MULTICLASS = "multiclass"
REGRESSION = "regression"
NO_PROBABILITIES = "the model gives no class probabilities"
UNDEFINED = "undefined on these rows"
PROBABILITY_METRICS = ("roc_auc", "pr_auc", "log_loss", "brier")
CURVE_METRICS = ("roc_auc", "pr_auc")


def bind(function: Callable[..., float], *args: Any, **kwargs: Any) -> Callable[[], float]:
    return lambda: function(*args, **kwargs)


def class_codes(classes: Sequence[Any], labels: Sequence[Any] | np.ndarray) -> np.ndarray:
    """Each label's position in `classes` (by category_key: 1, 1.0 and '1' are one class), -1
    for a label that is none of them. A key is made once per distinct label (by type and value,
    so True and 1 stay apart), a million labels being common."""
    lookup = {category_key(label): i for i, label in enumerate(classes)}
    if isinstance(labels, np.ndarray) and labels.dtype != object:
        distinct, inverse = np.unique(labels, return_inverse=True)
        keys = [lookup.get(category_key(value), -1) for value in distinct.tolist()]
        return np.asarray(keys, dtype=np.int64)[inverse.reshape(-1)]
    known: dict[tuple[type, Any], int] = {}

    def position(label: Any) -> int:
        key = (type(label), label)
        try:
            found = known.get(key)
        except TypeError:  # an unhashable JSON value (a list): never a class
            return lookup.get(category_key(label), -1)
        if found is None:
            found = known[key] = lookup.get(category_key(label), -1)
        return found

    return np.fromiter((position(label) for label in labels), dtype=np.int64, count=len(labels))


def evaluate(
    wanted: Sequence[str], computations: Mapping[str, Computation]
) -> tuple[dict[str, float], dict[str, str]]:
    """(scores, skipped): each wanted metric's finite value, or why it has none (the reason
    given, a ValueError's first line, or 'undefined on these rows' for NaN and infinity)."""
    scores: dict[str, float] = {}
    skipped: dict[str, str] = {}
    for metric in wanted:
        compute = computations[metric]
        if isinstance(compute, str):
            skipped[metric] = compute
            continue
        try:
            with np.errstate(all="ignore"):
                value = float(compute())
        except ValueError as error:
            skipped[metric] = str(error).splitlines()[0]
            continue
        if math.isfinite(value):
            scores[metric] = value
        else:
            skipped[metric] = UNDEFINED
    return scores, skipped


# --- labels: one confusion matrix -----------------------------------------------------------


def confusion(truth: np.ndarray, predicted: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(present, matrix): the sorted codes present in either array, and the int64 matrix of
    rows per (true, predicted) pair over them."""
    present, inverse = np.unique(np.concatenate([truth, predicted]), return_inverse=True)
    inverse = inverse.reshape(-1)
    size, rows = present.size, truth.shape[0]
    matrix = np.bincount(inverse[:rows] * size + inverse[rows:], minlength=size * size)
    return present, matrix.reshape(size, size).astype(np.int64)


def label_computations(matrix: np.ndarray, positive: int | None) -> dict[str, Computation]:
    """Accuracy, balanced accuracy, MCC and precision / recall / F1 (macro, weighted, and the
    positive class's when `positive` is its row in `matrix`, -1 when it is absent, None for a
    task without one), each repeating scikit-learn's arithmetic on its confusion matrix."""
    tp = np.diag(matrix)
    true_sum = matrix.sum(axis=1)
    pred_sum = matrix.sum(axis=0)
    computations: dict[str, Computation] = {
        "accuracy": lambda: float(np.trace(matrix)) / float(matrix.sum()),
        "balanced_accuracy": lambda: balanced_accuracy(matrix),
        "mcc": lambda: matthews(matrix),
    }
    per_class = precision_recall_f1(tp, pred_sum, true_sum)
    names = ("precision", "recall", "f1")
    for name, values in zip(names, per_class, strict=True):
        computations[f"{name}_macro"] = bind(np.nanmean, values)
        computations[f"{name}_weighted"] = bind(weighted_mean, values, true_sum)
    if positive is not None:
        if positive < 0:  # the positive class appears nowhere: every count is zero
            one = (np.zeros(1, np.int64),) * 3
        else:
            one = (tp[positive : positive + 1], pred_sum[positive : positive + 1])
            one = (*one, true_sum[positive : positive + 1])
        for name, values in zip(names, precision_recall_f1(*one), strict=True):
            computations[name] = bind(np.nanmean, values)
    return computations


def precision_recall_f1(
    tp: np.ndarray, pred_sum: np.ndarray, true_sum: np.ndarray
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Per-class precision, recall and F1 as precision_recall_fscore_support(zero_division=0)
    computes them (its _prf_divide, beta = 1)."""
    f_denominator = 1 * true_sum.astype(np.float64) + pred_sum.astype(np.float64)
    return (
        divide(tp, pred_sum),
        divide(tp, true_sum),
        divide((1 + 1) * tp.astype(np.float64), f_denominator),
    )


def divide(numerator: np.ndarray, denominator: np.ndarray) -> np.ndarray:
    """numerator / denominator, 0 where the denominator is 0 (zero_division=0)."""
    mask = denominator == 0
    safe = np.asarray(denominator, dtype=np.float64).copy()
    safe[mask] = 1
    result = np.asarray(numerator, dtype=np.float64) / safe
    result[mask] = 0.0
    return result


def weighted_mean(values: np.ndarray, weights: np.ndarray) -> float:
    """scikit-learn's _nanaverage with support weights (all-zero weights: a plain mean)."""
    keep = ~np.isnan(values)
    values, weight = values[keep], weights[keep].astype(np.float64)
    scale = np.sum(weight)
    if scale == 0.0:
        return float(np.mean(values))
    return float(np.sum(np.multiply(values, weight)) / scale)


def balanced_accuracy(matrix: np.ndarray) -> float:
    """The mean recall over the classes present in the truth."""
    with np.errstate(divide="ignore", invalid="ignore"):
        per_class = np.diagonal(matrix) / np.sum(matrix, axis=1)
    per_class = per_class[~np.isnan(per_class)]
    return float(np.mean(per_class))


def matthews(matrix: np.ndarray) -> float:
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


# --- a binary score: the curve's counts -----------------------------------------------------


def threshold_counts(
    is_positive: np.ndarray, scores: np.ndarray
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(fps, tps, thresholds): false and true positives at each distinct score, highest first,
    as scikit-learn's confusion_matrix_at_thresholds counts them (a stable sort, float64)."""
    order = np.argsort(-np.asarray(scores, dtype=np.float64), kind="stable")
    ordered = np.asarray(scores)[order]
    positives = np.asarray(is_positive, dtype=np.float64)[order]
    cuts = np.r_[np.flatnonzero(np.diff(ordered)), positives.size - 1]
    tps = np.cumsum(positives, dtype=np.float64)[cuts]
    fps = 1 + cuts.astype(np.float64) - tps
    return fps, tps, ordered[cuts]


def roc_points(fps: np.ndarray, tps: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(fpr, tpr) as roc_curve gives them (drop_intermediate=True, starting at 0, 0)."""
    if fps.shape[0] > 2:
        # Points on a straight line between their neighbours change no area.
        keep = np.r_[True, np.logical_or(np.diff(fps, 2), np.diff(tps, 2)), True]
        fps, tps = fps[keep], tps[keep]
    fps, tps = np.r_[0.0, fps], np.r_[0.0, tps]
    return fps / fps[-1], tps / tps[-1]


def roc_area(fps: np.ndarray, tps: np.ndarray) -> float:
    """roc_auc_score: the trapezoid area under `roc_points` (fpr only grows)."""
    fpr, tpr = roc_points(fps, tps)
    return float(np.sum(np.diff(fpr) * (tpr[1:] + tpr[:-1]) / 2.0))


def precision_recall_points(fps: np.ndarray, tps: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(precision, recall) as precision_recall_curve gives them: recall falling to 0,
    precision ending at 1; precision is 0 where nothing is predicted positive."""
    predicted = tps + fps
    with np.errstate(divide="ignore", invalid="ignore"):
        precision = np.where(predicted != 0, np.divide(tps, predicted), 0.0)
    recall = tps / tps[-1]
    return np.r_[precision[::-1], 1.0], np.r_[recall[::-1], 0.0]


def average_precision(fps: np.ndarray, tps: np.ndarray) -> float:
    """average_precision_score: the step integral of the precision-recall curve."""
    precision, recall = precision_recall_points(fps, tps)
    return float(max(0.0, -np.sum(np.diff(recall) * precision[:-1])))


def one_vs_rest(
    truth: np.ndarray, matrix: np.ndarray, area: Callable[[np.ndarray, np.ndarray], float]
) -> float:
    """The macro mean of `area` over the classes, each against the rest."""
    values = []
    for column in range(matrix.shape[1]):
        fps, tps, _ = threshold_counts(truth == column, matrix[:, column])
        values.append(area(fps, tps))
    return float(np.average(values))


def multiclass_roc_area(truth: np.ndarray, matrix: np.ndarray) -> float:
    """roc_auc_score(multi_class='ovr', average='macro'), its check of the rows included."""
    if not np.allclose(1, matrix.sum(axis=1)):
        raise ValueError(
            "Target scores need to be probabilities for multiclass "
            "roc_auc, i.e. they should sum up to 1.0 over classes"
        )
    return one_vs_rest(truth, matrix, roc_area)


# --- scoring a batch ------------------------------------------------------------------------


def missing_class_reason(truth: np.ndarray, classes: Sequence[Any]) -> str | None:
    """Why the curves' areas are undefined here (one class, or a class absent from the truth),
    or None when every class is present."""
    present = set(np.unique(truth).tolist())
    if len(present) < 2:
        return f"only one class ({classes[int(truth[0])]!r}) is present in the true values"
    absent = [label for i, label in enumerate(classes) if i not in present]
    if absent:
        return f"class {absent[0]!r} is absent from the true values"
    return None


def classification_computations(
    binary: bool,
    classes: Sequence[Any],
    positive: Any,
    truth: np.ndarray,
    predicted: np.ndarray,
    proba: np.ndarray | None,
) -> dict[str, Computation]:
    """Every classification metric of rows whose true and predicted classes are `truth` and
    `predicted` (positions in `classes`); `proba`: one column per class, or None."""
    present, matrix = confusion(truth, predicted)
    code = int(class_codes(classes, [positive])[0]) if binary else -1
    index = None
    if binary:
        matches = np.flatnonzero(present == code)
        index = int(matches[0]) if matches.size else -1
    computations = label_computations(matrix, index)
    if binary and code < 0:
        reason = f"the positive class {positive!r} is not one of the model's classes"
        computations.update(dict.fromkeys(("precision", "recall", "f1", *CURVE_METRICS), reason))
    if proba is None:
        computations.update(dict.fromkeys(PROBABILITY_METRICS, NO_PROBABILITIES))
        return computations
    proba = np.asarray(proba, dtype=np.float64)
    rows = np.arange(truth.shape[0])
    if len(classes) >= 2 and proba.min() >= 0 and proba.max() <= 1:
        eps = np.finfo(proba.dtype).eps
        computations["log_loss"] = lambda: float(
            np.mean(-np.log(np.clip(proba[rows, truth], eps, 1 - eps)))
        )
    else:
        computations["log_loss"] = "log loss needs probabilities between 0 and 1 of two classes"
    indicator = truth[:, None] == np.arange(len(classes))[None, :]
    computations["brier"] = lambda: float(np.mean((indicator - proba) ** 2))
    if binary and code < 0:
        return computations  # the curves' reason is set above
    missing = missing_class_reason(truth, classes)
    if missing is not None:
        computations["roc_auc"] = computations["pr_auc"] = missing
    elif binary:
        counts = threshold_counts(truth == code, proba[:, code])
        computations["roc_auc"] = bind(roc_area, *counts[:2])
        computations["pr_auc"] = bind(average_precision, *counts[:2])
    else:
        computations["roc_auc"] = bind(multiclass_roc_area, truth, proba)
        computations["pr_auc"] = bind(one_vs_rest, truth, proba, average_precision)
    return computations


def regression_computations(truth: np.ndarray, predicted: np.ndarray) -> dict[str, Computation]:
    """Every regression metric of finite true and predicted values."""
    truth = np.asarray(truth, dtype=np.float64)
    predicted = np.asarray(predicted, dtype=np.float64)
    errors = predicted - truth

    def mse() -> float:
        return float(np.average((truth - predicted) ** 2))

    eps = np.finfo(np.float64).eps
    return {
        "mae": lambda: float(np.average(np.abs(errors))),
        "mse": mse,
        "rmse": lambda: float(np.sqrt(mse())),
        "r2": bind(r2, truth, predicted) if truth.shape[0] >= 2 else "R² needs at least two rows",
        # scikit-learn divides by a tiny epsilon instead, giving astronomically large values.
        "mape": (
            "the target has zeros, where a percentage error is undefined"
            if bool(np.any(truth == 0))
            else (lambda: float(np.average(np.abs(errors) / np.maximum(np.abs(truth), eps))))
        ),
        "median_ae": lambda: float(np.median(np.abs(errors))),
    }


def r2(truth: np.ndarray, predicted: np.ndarray) -> float:
    """r2_score with force_finite: a constant truth gives 1 when predicted exactly, else 0."""
    numerator = float(np.sum((truth - predicted) ** 2))
    denominator = float(np.sum((truth - np.average(truth)) ** 2))
    if denominator == 0.0:
        return 1.0 if numerator == 0.0 else 0.0
    return 1.0 - numerator / denominator


def score_rows(
    task: str,
    wanted: Sequence[str],
    classes: Sequence[Any] | None,
    positive: Any,
    truth: np.ndarray,
    predicted: np.ndarray,
    proba: np.ndarray | None,
) -> tuple[dict[str, float], dict[str, str]]:
    """(scores, skipped) of the `wanted` metrics: classification rows as class positions,
    regression rows as finite numbers."""
    if task == REGRESSION:
        computations = regression_computations(truth, predicted)
    else:
        computations = classification_computations(
            task == BINARY, list(classes or []), positive, truth, predicted, proba
        )
    return evaluate(wanted, computations)
