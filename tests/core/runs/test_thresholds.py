"""The threshold view's numbers: a case worked out by hand, and scikit-learn on a real run."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from sklearn.metrics import confusion_matrix, precision_recall_curve

from workbench.core.errors import WorkbenchError
from workbench.core.metrics.thresholds import (
    COLUMNS,
    best_threshold,
    counts_at,
    threshold_table,
)
from workbench.core.runs.loaded import LoadedRun

# Eight rows; the two 0.7 scores are both positives and the two 0.2 scores split one each,
# so a tie that is not kept together shows up as a wrong count.
TRUTH = ["yes", "no", "yes", "yes", "no", "no", "yes", "no"]
SCORES = [0.9, 0.8, 0.7, 0.7, 0.6, 0.3, 0.2, 0.2]
# Worked out by hand: predicted positive when score >= threshold; 4 positives, 4 negatives.
BY_HAND = pd.DataFrame(
    [
        # threshold, tp, fp, tn, fn
        (0.2, 4, 4, 0, 0),
        (0.3, 3, 3, 1, 1),
        (0.6, 3, 2, 2, 1),
        (0.7, 3, 1, 3, 1),
        (0.8, 1, 1, 3, 3),
        (0.9, 1, 0, 4, 3),
        (1.0, 0, 0, 4, 4),  # the "never positive" row
    ],
    columns=["threshold", "tp", "fp", "tn", "fn"],
)


def test_counts_and_scores_by_hand() -> None:
    table = threshold_table(TRUTH, SCORES, "yes")
    assert list(table.columns) == list(COLUMNS)
    pd.testing.assert_frame_equal(
        table[["threshold", "tp", "fp", "tn", "fn"]], BY_HAND, check_dtype=False
    )
    at_07 = table.iloc[3]
    assert (at_07["precision"], at_07["recall"], at_07["f1"]) == (0.75, 0.75, 0.75)
    # At 0.3: tp 3, fp 3, fn 1: precision 3/6, recall 3/4, F1 = 2*3 / (2*3 + 3 + 1).
    assert table.iloc[1][["precision", "recall", "f1"]].tolist() == [0.5, 0.75, 0.6]
    # Nothing predicted positive: ratios are 0, not NaN.
    assert table.iloc[-1][["precision", "recall", "f1"]].tolist() == [0.0, 0.0, 0.0]
    assert table["cost"].tolist() == [4.0, 4.0, 3.0, 2.0, 4.0, 3.0, 4.0]


@pytest.mark.parametrize(
    ("cost_fp", "cost_fn", "costs", "best"),
    [
        (1.0, 1.0, [4, 4, 3, 2, 4, 3, 4], 0.7),
        # Misses are dear: call everything positive.
        (1.0, 5.0, [4, 8, 7, 6, 16, 15, 20], 0.2),
        # False alarms are dear: only the top score.
        (5.0, 1.0, [20, 16, 11, 6, 8, 3, 4], 0.9),
        # 0.7 and 0.9 both cost 3: the one nearer 0.5 wins.
        (2.0, 1.0, [8, 7, 5, 3, 5, 3, 4], 0.7),
    ],
)
def test_least_cost_threshold_by_hand(
    cost_fp: float, cost_fn: float, costs: list[int], best: float
) -> None:
    table = threshold_table(TRUTH, SCORES, "yes", cost_fp=cost_fp, cost_fn=cost_fn)
    assert table["cost"].tolist() == [float(c) for c in costs]
    assert best_threshold(table) == best


def test_equal_cost_equally_near_half_takes_the_lower() -> None:
    table = pd.DataFrame({"threshold": [0.3, 0.4, 0.6], "cost": [5.0, 1.0, 1.0]})
    assert best_threshold(table) == 0.4


def test_grid_points_keep_scores_on_the_grid_positive() -> None:
    table = threshold_table(TRUTH, SCORES, "yes", points=11)
    assert table["threshold"].tolist() == [i / 10 for i in range(11)]
    # A score of exactly 0.7 counts as positive at the grid's 0.7.
    row = table[table["threshold"] == 0.7].iloc[0]
    assert (row["tp"], row["fp"]) == (3, 1)
    assert (table.iloc[0]["tp"], table.iloc[0]["fp"]) == (4, 4)


def test_counts_at_reads_the_row_in_force() -> None:
    table = threshold_table(TRUTH, SCORES, "yes")
    # Between 0.6 and 0.7 the rows predicted positive are those scoring 0.7 or more.
    assert counts_at(table, 0.65)["threshold"] == 0.7
    assert counts_at(table, 0.7)["threshold"] == 0.7
    assert counts_at(table, 0.05)["threshold"] == 0.2
    assert counts_at(table, 2.0)["tp"] == 0


@pytest.mark.parametrize(
    ("args", "message"),
    [
        ((["yes", "no"], [0.5], "yes"), "2 true values but 1 probabilities"),
        ((["yes"], [float("nan")], "yes"), "missing or infinite"),
        (([], [], "yes"), "at least one row"),
    ],
)
def test_bad_inputs_are_named(args: tuple, message: str) -> None:
    with pytest.raises(WorkbenchError, match=message):
        threshold_table(*args)


def test_negative_cost_and_tiny_grid_are_refused() -> None:
    with pytest.raises(WorkbenchError, match="0 or more, got -1"):
        threshold_table(TRUTH, SCORES, "yes", cost_fp=-1)
    with pytest.raises(WorkbenchError, match="at least 2 points, got 1"):
        threshold_table(TRUTH, SCORES, "yes", points=1)


def test_matches_scikit_learn_on_a_real_run(titanic) -> None:
    with LoadedRun.open(titanic.root, titanic.runs["random_forest_classifier"]) as run:
        results = run.predictions
    truth = results.y_true()
    score = results.proba_of(1)
    table = threshold_table(truth, score, 1)
    precision, recall, thresholds = precision_recall_curve(truth == 1, score)
    # One row per distinct score (a forest's scores tie a lot), then the "never" row.
    assert len(thresholds) < len(truth)
    np.testing.assert_array_equal(table["threshold"].to_numpy()[:-1], thresholds)
    np.testing.assert_allclose(table["precision"].to_numpy()[:-1], precision[:-1], rtol=1e-15)
    np.testing.assert_allclose(table["recall"].to_numpy()[:-1], recall[:-1], rtol=1e-15)
    for cut in (0.1, 0.35, 0.5, 0.8, 0.95):
        (tn, fp), (fn, tp) = confusion_matrix(truth == 1, score >= cut)
        row = counts_at(table, cut)
        assert (row["tn"], row["fp"], row["fn"], row["tp"]) == (tn, fp, fn, tp), cut
        grid = threshold_table(truth, score, 1, points=21)
        if cut in set(grid["threshold"]):
            on_grid = grid[grid["threshold"] == cut].iloc[0]
            assert (on_grid["tp"], on_grid["fp"]) == (tp, fp)
    # The run's own method gives the same table.
    pd.testing.assert_frame_equal(results.thresholds(), table)
