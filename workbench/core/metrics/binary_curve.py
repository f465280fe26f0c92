"""ROC and precision-recall of one binary score from one sort.

scikit-learn's roc_auc_score, average_precision_score, roc_curve and precision_recall_curve
each validate, sort and count the same scores again: four sorts where one does, on every fold's
training and validation rows. Here the scores are counted once, as scikit-learn's
confusion_matrix_at_thresholds counts them, and the curves and areas repeat scikit-learn's own
arithmetic on those counts, so every value is bit-for-bit the one its function returns
(tests/core/test_binary_curve.py holds them equal). The counting and the arithmetic are
workbench.core.batch_checks.scores' (numpy only), the ones the monitor and the exported service
score a labelled batch with.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property

import numpy as np

from workbench.core.batch_checks.scores import (
    average_precision,
    precision_recall_points,
    roc_area,
    roc_points,
    threshold_counts,
)


@dataclass(frozen=True)
class BinaryCurve:
    """False and true positive counts at each distinct score, highest score first."""

    fps: np.ndarray
    tps: np.ndarray
    thresholds: np.ndarray

    @classmethod
    def of(cls, is_positive: np.ndarray, scores: np.ndarray) -> BinaryCurve:
        """`is_positive`: booleans, both values present; `scores`: finite, one per row."""
        return cls(*threshold_counts(np.asarray(is_positive, dtype=bool), np.asarray(scores)))

    @cached_property
    def roc(self) -> tuple[np.ndarray, np.ndarray]:
        """(fpr, tpr) as roc_curve gives them (drop_intermediate=True, starting at 0, 0)."""
        return roc_points(self.fps, self.tps)

    @property
    def roc_auc(self) -> float:
        """roc_auc_score: the trapezoid area under `roc` (fpr only grows)."""
        return roc_area(self.fps, self.tps)

    @cached_property
    def precision_recall(self) -> tuple[np.ndarray, np.ndarray]:
        """(precision, recall) as precision_recall_curve gives them: recall falling to 0,
        precision ending at 1; precision is 0 where nothing is predicted positive."""
        return precision_recall_points(self.fps, self.tps)

    @property
    def average_precision(self) -> float:
        """average_precision_score: the step integral of the precision-recall curve."""
        return average_precision(self.fps, self.tps)
