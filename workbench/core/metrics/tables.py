"""The tables of a results page: confusion matrix, per-class report, fold summary.

Separate from the scores because they describe predictions rather than rank models; the
results page and the experiment log read them. scikit-learn is imported inside
`per_class_report` only.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np
import pandas as pd

from workbench.core.errors import WorkbenchError
from workbench.core.metrics.checks import quiet_metric_warnings
from workbench.core.metrics.positive import plain


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
    with quiet_metric_warnings():
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
