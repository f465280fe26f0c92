"""The threshold view's numbers: counts and scores of a binary model as its threshold moves.

A row is predicted positive when its positive-class probability is at least the threshold, as
scikit-learn's precision_recall_curve counts it. One sort of the scores gives every threshold's
counts (cumulative sums read at the position where the scores drop below the threshold), so a
million rows cost one argsort and rows with the same score always switch sides together.

A ratio without a denominator (precision with nothing predicted positive) is 0, as the
workbench's metrics report it (scikit-learn's zero_division=0), so a table never holds NaN.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np
import pandas as pd

from workbench.core.errors import WorkbenchError

COLUMNS = ("threshold", "tp", "fp", "tn", "fn", "precision", "recall", "f1", "cost")


def threshold_table(
    y_true: Sequence[Any],
    proba_positive: Sequence[float],
    positive: Any,
    cost_fp: float = 1.0,
    cost_fn: float = 1.0,
    points: int | None = None,
) -> pd.DataFrame:
    """Counts, precision, recall, F1 and cost (cost_fp * fp + cost_fn * fn) per threshold.

    `points` None: one row per distinct score (every place where a count changes), plus a
    last row where nothing is predicted positive (threshold 1.0, or just above the top score
    when that is 1.0), so the least-cost search also weighs "never say positive". `points` an
    integer: that many evenly spaced thresholds from 0 to 1, for a slider. Thresholds ascend.
    """
    truth = np.asarray(y_true)
    scores = np.asarray(proba_positive, dtype="float64")
    if scores.ndim != 1 or truth.ndim != 1 or truth.shape[0] != scores.shape[0]:
        raise WorkbenchError(
            f"{truth.shape[0]} true values but {scores.shape[0]} probabilities: they must match"
        )
    if scores.shape[0] == 0:
        raise WorkbenchError("a threshold table needs at least one row")
    if not np.all(np.isfinite(scores)):
        raise WorkbenchError("the predicted probabilities contain missing or infinite values")
    if not (np.isfinite(cost_fp) and np.isfinite(cost_fn)) or cost_fp < 0 or cost_fn < 0:
        raise WorkbenchError(
            f"the costs of a false positive and a false negative must be 0 or more, "
            f"got {cost_fp} and {cost_fn}"
        )
    is_positive = truth == positive
    descending = np.argsort(-scores, kind="stable")
    sorted_scores = scores[descending]
    # Row i of these: the counts when the top i rows (by score) are predicted positive.
    tp_top = np.concatenate(([0], np.cumsum(is_positive[descending], dtype=np.int64)))
    fp_top = np.arange(scores.shape[0] + 1, dtype=np.int64) - tp_top

    if points is None:
        top = sorted_scores[0]
        above = 1.0 if top < 1.0 else float(np.nextafter(top, np.inf))
        thresholds = np.append(np.unique(scores), above)
    else:
        if int(points) < 2:
            raise WorkbenchError(f"a threshold grid needs at least 2 points, got {points}")
        # Rounded so 0.7 on the grid is the double 0.7 (linspace gives 0.7000000000000001,
        # which would leave a score of exactly 0.7 on the negative side).
        thresholds = np.round(np.linspace(0.0, 1.0, int(points)), 12)
    # How many scores are >= each threshold: searchsorted on the ascending negated scores.
    predicted = np.searchsorted(-sorted_scores, -thresholds, side="right")
    tp = tp_top[predicted]
    fp = fp_top[predicted]
    positives = int(tp_top[-1])
    negatives = int(fp_top[-1])
    fn = positives - tp
    tn = negatives - fp
    precision = _ratio(tp, tp + fp)
    recall = _ratio(tp, np.full_like(tp, positives))
    f1 = _ratio(2 * tp, 2 * tp + fp + fn)
    return pd.DataFrame(
        {
            "threshold": thresholds.astype("float64"),
            "tp": tp,
            "fp": fp,
            "tn": tn,
            "fn": fn,
            "precision": precision,
            "recall": recall,
            "f1": f1,
            "cost": float(cost_fp) * fp + float(cost_fn) * fn,
        },
        columns=list(COLUMNS),
    )


def _ratio(numerator: np.ndarray, denominator: np.ndarray) -> np.ndarray:
    """numerator / denominator, 0 where the denominator is 0."""
    out = np.zeros(numerator.shape, dtype="float64")
    np.divide(numerator, denominator, out=out, where=denominator > 0)
    return out


def best_threshold(table: pd.DataFrame) -> float:
    """The threshold of least cost; among equal costs the one nearest 0.5 (the usual default,
    so the choice moves only when a cost says it should), and of two equally near the lower."""
    if table.empty:
        raise WorkbenchError("the threshold table is empty")
    cost = table["cost"].to_numpy(dtype="float64")
    thresholds = table["threshold"].to_numpy(dtype="float64")
    cheapest = np.flatnonzero(np.isclose(cost, cost.min(), rtol=1e-12, atol=0.0))
    distance = np.abs(thresholds[cheapest] - 0.5)
    nearest = cheapest[distance == distance.min()]
    return float(thresholds[nearest].min())


def counts_at(table: pd.DataFrame, threshold: float) -> pd.Series:
    """The table's row giving the counts at `threshold`: the lowest tabulated threshold at or
    above it (with a per-score table, exactly the rows predicted positive at `threshold`);
    the last row above the table's range."""
    values = table["threshold"].to_numpy(dtype="float64")
    index = min(int(np.searchsorted(values, threshold, side="left")), len(values) - 1)
    return table.iloc[index]
