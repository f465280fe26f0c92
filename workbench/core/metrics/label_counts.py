"""The counted-label fast path: every label metric from one confusion matrix.

score_all's label metrics (accuracy, balanced accuracy, MCC, precision / recall / F1 in all
their averages) would otherwise cost nine scikit-learn calls per fold, each validating and
encoding the labels again. For integer, boolean or string labels this path counts them once
and repeats scikit-learn's arithmetic, bit for bit; other labels return None and scores.py
falls back to scikit-learn. Pure numpy: no scikit-learn import. The arithmetic on the counts
is workbench.core.batch_checks.scores' (`label_computations`), the one the monitor and the
exported service score a labelled batch with.
"""

from __future__ import annotations

from collections.abc import Sequence
from itertools import pairwise
from typing import Any, NamedTuple

import numpy as np

from workbench.core.batch_checks.scores import Computation, label_computations


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
        return label_computations(self.matrix, self.positive if binary else None)


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
