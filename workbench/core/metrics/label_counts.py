"""The counted-label fast path: every label metric from one confusion matrix.

score_all's label metrics (accuracy, balanced accuracy, MCC, precision / recall / F1 in all
their averages) would otherwise cost nine scikit-learn calls per fold, each validating and
encoding the labels again. For integer, boolean or string labels this path counts them once
and repeats scikit-learn's arithmetic, bit for bit; other labels return None and scores.py
falls back to scikit-learn. Pure numpy: no scikit-learn import.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from itertools import pairwise
from typing import Any, NamedTuple

import numpy as np

# A computation is a zero-argument function giving the score, or the reason it is skipped.
Computation = Callable[[], float] | str


def bind(function: Callable[..., float], *args: Any, **kwargs: Any) -> Callable[[], float]:
    return lambda: function(*args, **kwargs)


class LabelCounts(NamedTuple):
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

    def computations(self, binary: bool) -> dict[str, Computation]:
        matrix = self.matrix
        tp = np.diag(matrix)
        true_sum = matrix.sum(axis=1)
        pred_sum = matrix.sum(axis=0)
        computations: dict[str, Computation] = {
            "accuracy": lambda: float(np.trace(matrix)) / float(matrix.sum()),
            "balanced_accuracy": lambda: _balanced_accuracy(matrix),
            "mcc": lambda: _matthews(matrix),
        }
        per_class = _precision_recall_f1(tp, pred_sum, true_sum)
        names = ("precision", "recall", "f1")
        for name, values in zip(names, per_class, strict=True):
            computations[f"{name}_macro"] = bind(np.nanmean, values)
            computations[f"{name}_weighted"] = bind(_weighted_mean, values, true_sum)
        if binary and self.positive is not None:
            i = self.positive
            if i < 0:  # the positive class appears nowhere: every count is zero
                one = (np.zeros(1, np.int64),) * 3
            else:
                one = (tp[i : i + 1], pred_sum[i : i + 1], true_sum[i : i + 1])
            for name, values in zip(names, _precision_recall_f1(*one), strict=True):
                computations[name] = bind(np.nanmean, values)
        return computations


def count_labels(
    truth: np.ndarray, predicted: np.ndarray | None, labels: Sequence[Any], positive: Any
) -> LabelCounts | None:
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
    return LabelCounts(matrix, index, truth_codes)


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
