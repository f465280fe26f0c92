"""One-sort ROC and precision-recall against scikit-learn's own functions, on real scores."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from sklearn import metrics as skm
from sklearn.ensemble import RandomForestClassifier
from sklearn.model_selection import train_test_split

from workbench.core.io.table import read_table
from workbench.core.metrics.binary_curve import BinaryCurve


@pytest.fixture(scope="module")
def credit_scores(shared_data: Path) -> tuple[np.ndarray, np.ndarray]:
    """A small forest's probabilities of 'bad' on credit_data's held-out rows: mostly
    multiples of 1/25, so most scores tie with others (the case the counting must get right)."""
    frame = read_table(shared_data / "clean/modeldata_credit_data.csv").frame.dropna()
    features = ["Seniority", "Time", "Age", "Expenses", "Income", "Assets", "Debt", "Amount"]
    X_train, X_test, y_train, y_test = train_test_split(
        frame[features], frame["Status"], test_size=0.3, random_state=0
    )
    model = RandomForestClassifier(n_estimators=25, random_state=0).fit(X_train, y_train)
    return (y_test == "bad").to_numpy(), model.predict_proba(X_test)[:, 0]


def test_areas_and_curves_equal_scikit_learn_bit_for_bit(credit_scores) -> None:
    is_bad, scores = credit_scores
    assert is_bad.shape == (1212,) and int(is_bad.sum()) == 319
    assert np.unique(scores).size == 29  # 1,212 scores, 29 values: ties everywhere
    curve = BinaryCurve.of(is_bad, scores)
    assert curve.roc_auc == skm.roc_auc_score(is_bad, scores)
    assert curve.average_precision == skm.average_precision_score(is_bad, scores)
    fpr, tpr, _ = skm.roc_curve(is_bad, scores)
    np.testing.assert_array_equal(curve.roc[0], fpr)
    np.testing.assert_array_equal(curve.roc[1], tpr)
    precision, recall, _ = skm.precision_recall_curve(is_bad, scores)
    np.testing.assert_array_equal(curve.precision_recall[0], precision)
    np.testing.assert_array_equal(curve.precision_recall[1], recall)
    assert 0.7 < curve.roc_auc < 0.8 and 0.4 < curve.average_precision < 0.6


def test_distinct_scores_and_a_perfect_ranking() -> None:
    # Every score distinct (no ties): nothing is merged, and a perfect ranking scores 1.
    rng = np.random.default_rng(0)
    truth = rng.random(5_000) < 0.2
    scores = np.where(truth, 0.5, 0.0) + rng.random(5_000) * 0.6
    curve = BinaryCurve.of(truth, scores)
    assert curve.roc_auc == skm.roc_auc_score(truth, scores)
    assert curve.average_precision == skm.average_precision_score(truth, scores)
    perfect = BinaryCurve.of(truth, truth.astype(float))
    assert (perfect.roc_auc, perfect.average_precision) == (1.0, 1.0)
