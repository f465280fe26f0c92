"""Input checks and warning silencing shared by the scores, the tables and the plot numbers.

Every metrics entry point rejects the same bad inputs (empty rows, mismatched lengths,
probability matrices of the wrong shape or with missing values) with the same message, so
the checks live once, here. scikit-learn is imported inside `quiet_metric_warnings` only.
"""

from __future__ import annotations

import warnings
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from typing import Any

import numpy as np

from workbench.core.errors import WorkbenchError


@contextmanager
def quiet_metric_warnings() -> Iterator[None]:
    """Silence scikit-learn's undefined-metric chatter: score_all reports skips itself."""
    from sklearn.exceptions import UndefinedMetricWarning

    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UndefinedMetricWarning)
        warnings.simplefilter("ignore", RuntimeWarning)
        # balanced accuracy on a fold holding one class: the value is still defined.
        warnings.filterwarnings("ignore", "y_pred contains classes not in y_true")
        yield


def check_lengths(y_true: np.ndarray, y_pred: np.ndarray) -> None:
    if y_true.shape[0] == 0:
        raise WorkbenchError("cannot score an empty set of rows")
    if y_true.shape[0] != y_pred.shape[0]:
        raise WorkbenchError(
            f"{y_true.shape[0]} true values but {y_pred.shape[0]} predictions: they must match"
        )


def check_proba(proba: Any, classes: Sequence[Any], rows: int) -> np.ndarray:
    matrix = np.asarray(proba, dtype="float64")
    if matrix.ndim != 2 or matrix.shape != (rows, len(classes)):
        raise WorkbenchError(
            f"probabilities must have one row per prediction and one column per class "
            f"({rows} x {len(classes)}), got shape {matrix.shape}"
        )
    if not np.all(np.isfinite(matrix)):
        raise WorkbenchError("the predicted probabilities contain missing or infinite values")
    return matrix
