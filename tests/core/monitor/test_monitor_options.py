"""The monitor's declared settings: defaults, checks, JSON; and the folds' interval."""

from __future__ import annotations

import numpy as np
import pytest
from scipy import stats

from workbench.core.errors import WorkbenchError
from workbench.core.monitor.options import DriftOptions, ReferenceOptions
from workbench.core.monitor.performance import fold_interval


def test_defaults_are_the_documented_ones() -> None:
    assert DriftOptions().to_dict() == {
        "alpha": 0.05,
        "psi_threshold": 0.2,
        "distance_threshold": 0.1,
        "psi_floor": 1e-4,
        "missing_rise": 0.1,
        "interval_level": 0.95,
        "examples": 5,
    }
    assert ReferenceOptions().to_dict() == {"bins": 10, "points": 2000, "max_categories": 50}


def test_options_round_trip_and_keep_defaults_for_absent_entries() -> None:
    options = DriftOptions(alpha=0.01, psi_threshold=0.25, examples=0)
    assert DriftOptions.from_dict(options.to_dict()) == options
    assert DriftOptions.from_dict({"psi_threshold": 1}) == DriftOptions(psi_threshold=1.0)
    assert ReferenceOptions.from_dict({"bins": 20}) == ReferenceOptions(bins=20)


@pytest.mark.parametrize(
    ("entries", "message"),
    [
        ({"alpha": 1.5}, "'alpha' should be between 0 and 1, not 1.5"),
        ({"psi_threshold": 0}, "'psi_threshold' should be above 0, not 0.0"),
        ({"examples": -1}, "'examples' should be a whole number of at least 0, not -1"),
        ({"alpha": "0.05"}, "'options.alpha' should be a number, not text ('0.05')"),
        ({"examples": 2.5}, "'options.examples' should be a whole number, not a number (2.5)"),
        ({"alfa": 0.1}, "'options' has no setting 'alfa'; known: alpha, psi_threshold"),
    ],
)
def test_bad_options_are_named(entries: dict, message: str) -> None:
    with pytest.raises(WorkbenchError, match=message.replace("(", r"\(").replace(")", r"\)")):
        DriftOptions.from_dict(entries)


def test_bad_reference_options_are_named() -> None:
    with pytest.raises(WorkbenchError, match="'bins' should be a whole number of at least 2"):
        ReferenceOptions(bins=1)


def test_fold_interval_is_the_prediction_interval_of_one_more_fold() -> None:
    folds = [0.81, 0.84, 0.79, 0.83, 0.80]
    low, high = fold_interval(folds, 0.95)
    half = stats.t.ppf(0.975, 4) * np.std(folds, ddof=1) * np.sqrt(1 + 1 / 5)
    assert (low, high) == (
        pytest.approx(np.mean(folds) - half),
        pytest.approx(np.mean(folds) + half),
    )
    narrower = fold_interval(folds, 0.8)
    assert narrower is not None and low < narrower[0] < narrower[1] < high
    assert fold_interval([0.8], 0.95) is None


def test_fold_interval_stops_at_what_the_metric_can_reach() -> None:
    """The Monitor panel showed an F1 interval of 0.9546 to 1.028 for penguins' folds."""
    from workbench.core.metrics.names import metric_range

    folds = [0.98, 1.0, 0.97, 1.0, 0.99]
    unbounded = fold_interval(folds, 0.95)
    assert unbounded is not None and unbounded[1] > 1.0
    low, high = fold_interval(folds, 0.95, metric_range("f1_macro"))
    assert (low, high) == (unbounded[0], 1.0)
    assert fold_interval([1.0, 3.0, 0.5], 0.95, metric_range("rmse"))[0] == 0.0
    assert metric_range("r2") == (None, 1.0) and metric_range("mcc") == (-1.0, 1.0)
