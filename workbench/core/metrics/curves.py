"""The numbers behind the plots: ROC and precision-recall curves, calibration bins, residuals.

The results page draws these from a run's saved predictions, which is a different job from
ranking models: the curves come from BinaryCurve (one sort per class, scikit-learn imported
only when a curve is computed) and are thinned (`_thin`) so a curve of a million rows stays a
few hundred points in the plot payload.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from typing import Any

import numpy as np

from workbench.core.errors import WorkbenchError
from workbench.core.metrics.binary_curve import BinaryCurve
from workbench.core.metrics.checks import check_lengths, check_proba
from workbench.core.metrics.positive import plain


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
    matrix = check_proba(proba, labels, truth.shape[0])
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
_QUANTILE_NAMES = ("p05", "p25", "p50", "p75", "p95")


def residuals(
    y_true: Sequence[float], y_pred: Sequence[float], n_bins: int = 30, max_points: int = 500
) -> dict[str, Any]:
    """Residuals (true minus predicted) summarised for a results page: statistics, a histogram,
    and at most `max_points` evenly spaced (predicted, residual) pairs for a scatter plot."""
    truth = np.asarray(y_true, dtype="float64")
    predicted = np.asarray(y_pred, dtype="float64")
    check_lengths(truth, predicted)
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
        "quantiles": dict(zip(_QUANTILE_NAMES, quantiles.tolist(), strict=True)),
        "histogram": {"edges": edges.tolist(), "counts": counts.astype(int).tolist()},
        "points": {"predicted": predicted_points, "residual": residual_points},
    }
