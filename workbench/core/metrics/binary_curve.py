"""ROC and precision-recall of one binary score from one sort.

scikit-learn's roc_auc_score, average_precision_score, roc_curve and precision_recall_curve
each validate, sort and count the same scores again: four sorts where one does, on every fold's
training and validation rows. Here scikit-learn's confusion_matrix_at_thresholds counts once,
and the curves and areas repeat scikit-learn's own arithmetic on those counts, so every value is
bit-for-bit the one its function returns (tests/core/test_binary_curve.py holds them equal).
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property

import numpy as np


@dataclass(frozen=True)
class BinaryCurve:
    """False and true positive counts at each distinct score, highest score first."""

    fps: np.ndarray
    tps: np.ndarray
    thresholds: np.ndarray

    @classmethod
    def of(cls, is_positive: np.ndarray, scores: np.ndarray) -> BinaryCurve:
        """`is_positive`: booleans, both values present; `scores`: finite, one per row."""
        from sklearn.metrics import confusion_matrix_at_thresholds

        _, fps, _, tps, thresholds = confusion_matrix_at_thresholds(
            np.asarray(is_positive, dtype=bool), np.asarray(scores)
        )
        return cls(fps, tps, thresholds)

    @cached_property
    def roc(self) -> tuple[np.ndarray, np.ndarray]:
        """(fpr, tpr) as roc_curve gives them (drop_intermediate=True, starting at 0, 0)."""
        fps, tps = self.fps, self.tps
        if fps.shape[0] > 2:
            # Points on a straight line between their neighbours change no area.
            keep = np.r_[True, np.logical_or(np.diff(fps, 2), np.diff(tps, 2)), True]
            fps, tps = fps[keep], tps[keep]
        fps, tps = np.r_[0.0, fps], np.r_[0.0, tps]
        return fps / fps[-1], tps / tps[-1]

    @property
    def roc_auc(self) -> float:
        """roc_auc_score: the trapezoid area under `roc` (fpr only grows)."""
        from scipy.integrate import trapezoid  # scikit-learn's own, for the same rounding

        fpr, tpr = self.roc
        return float(trapezoid(tpr, fpr))

    @cached_property
    def precision_recall(self) -> tuple[np.ndarray, np.ndarray]:
        """(precision, recall) as precision_recall_curve gives them: recall falling to 0,
        precision ending at 1; precision is 0 where nothing is predicted positive."""
        predicted = self.tps + self.fps
        precision = np.where(predicted != 0, np.divide(self.tps, predicted), 0.0)
        recall = self.tps / self.tps[-1]
        return np.r_[precision[::-1], 1.0], np.r_[recall[::-1], 0.0]

    @property
    def average_precision(self) -> float:
        """average_precision_score: the step integral of the precision-recall curve."""
        precision, recall = self.precision_recall
        return float(max(0.0, -np.sum(np.diff(recall) * precision[:-1])))
