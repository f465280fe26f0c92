"""Fairness figures of a binary classifier's predictions across groups of rows, from fairlearn.

Decisions:
- fairlearn (pure Python, numpy/pandas/scikit-learn/narwhals only) computes them: its
  MetricFrame for the rates per group, and that frame's between-group differences for the two
  summary figures, exactly what its `demographic_parity_difference` and
  `equalized_odds_difference` return (tests hold them equal), so the numbers are the ones
  fairness reviews quote, not a re-derivation. Those two functions build a MetricFrame each
  again, which doubled the time of every slice.
- The positive class is the one binary metrics use; labels are turned into 1 (positive) and
  0 before fairlearn sees them, so any label type works.
- Every group counts, however small: a group of five rows can set the equalized-odds
  difference on its own; the slice table beside the figures shows each group's count.
- A rate a group cannot have is 0, as fairlearn reports it (scikit-learn's normalised
  confusion matrix): a group without a positive row has a true positive rate of 0, which then
  sets the equalized-odds difference. The slice table's counts and per-group metrics show it.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

SELECTION_RATE = "selection_rate"
TRUE_POSITIVE_RATE = "true_positive_rate"
FALSE_POSITIVE_RATE = "false_positive_rate"
RATES = (SELECTION_RATE, TRUE_POSITIVE_RATE, FALSE_POSITIVE_RATE)
DEMOGRAPHIC_PARITY_DIFFERENCE = "demographic_parity_difference"
EQUALIZED_ODDS_DIFFERENCE = "equalized_odds_difference"


@dataclass(frozen=True)
class Fairness:
    """`by_group[group][rate]` for the RATES, and the two differences between groups
    (largest minus smallest selection rate; the larger of the true and false positive rate
    ranges)."""

    by_group: dict[str, dict[str, float]]
    demographic_parity_difference: float
    equalized_odds_difference: float

    def summary(self) -> dict[str, float]:
        return {
            DEMOGRAPHIC_PARITY_DIFFERENCE: self.demographic_parity_difference,
            EQUALIZED_ODDS_DIFFERENCE: self.equalized_odds_difference,
        }


def fairness_figures(
    y_true: Sequence[Any], y_pred: Sequence[Any], groups: Sequence[str], positive: Any
) -> Fairness:
    """The rates per group and the two differences, for predictions of a binary task."""
    from fairlearn.metrics import (
        MetricFrame,
        false_positive_rate,
        selection_rate,
        true_positive_rate,
    )

    truth = (np.asarray(y_true, dtype=object) == positive).astype(np.int64)
    predicted = (np.asarray(y_pred, dtype=object) == positive).astype(np.int64)
    sensitive = pd.Series(list(groups), name="group", dtype=object)
    frame = MetricFrame(
        metrics={
            SELECTION_RATE: selection_rate,
            TRUE_POSITIVE_RATE: true_positive_rate,
            FALSE_POSITIVE_RATE: false_positive_rate,
        },
        y_true=truth,
        y_pred=predicted,
        sensitive_features=sensitive,
    )
    by_group = {
        str(group): {rate: float(values[rate]) for rate in RATES}
        for group, values in frame.by_group.iterrows()
    }
    # What demographic_parity_difference and equalized_odds_difference compute (see above).
    differences = frame.difference(method="between_groups")
    return Fairness(
        by_group,
        float(differences[SELECTION_RATE]),
        float(max(differences[TRUE_POSITIVE_RATE], differences[FALSE_POSITIVE_RATE])),
    )
