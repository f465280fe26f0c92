"""Exact TreeSHAP through XGBoost against shap's TreeExplainer, per transformed feature, on the
fitted pipelines of real runs and on scikit-learn models with missing values."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
import shap
from sklearn.ensemble import (
    HistGradientBoostingClassifier,
    HistGradientBoostingRegressor,
    RandomForestClassifier,
)

from workbench.core.explain.tree_contributions import (
    LOG_ODDS,
    MARGIN,
    PROBABILITY,
    VALUE,
    tree_contributions,
)
from workbench.core.progress import Cancelled, CancelToken

# XGBoost computes in float32: its values match shap's float64 ones to about 1e-5 of the scale.
TOLERANCE = 1e-5


def _shap_values(model, matrix) -> tuple[np.ndarray, np.ndarray]:
    """shap's TreeExplainer (tree_path_dependent): values (rows, features, outputs), base."""
    explainer = shap.TreeExplainer(model)
    values = np.asarray(explainer.shap_values(matrix, check_additivity=False))
    if values.ndim == 2:
        values = values[:, :, None]
    return values, np.atleast_1d(explainer.expected_value)


def _matrix(project, model: str) -> tuple[object, pd.DataFrame]:
    pipeline = project.pipeline(model)
    return pipeline, pipeline[:-1].transform(project.X)


def test_random_forest_equals_shap_tree_explainer(titanic) -> None:
    pipeline, features = _matrix(titanic, "random_forest_classifier")
    forest = pipeline[-1]
    found = tree_contributions(forest, features)
    assert found.output == PROBABILITY
    assert found.values.shape == (891, 1, 31)
    reference, base = _shap_values(forest, features.to_numpy(dtype=np.float32))
    # The positive class of survived is 1: the second column of predict_proba.
    np.testing.assert_allclose(found.values[:, 0, :], reference[:, :, 1], atol=TOLERANCE)
    assert found.base[0] == pytest.approx(base[1], abs=TOLERANCE)
    np.testing.assert_array_equal(found.raw[:, 0], forest.predict_proba(features)[:, 1])
    additive = found.base[0] + found.values[:, 0, :].sum(axis=1)
    np.testing.assert_allclose(additive, found.raw[:, 0], atol=TOLERANCE)


def test_the_first_class_as_positive_is_the_mirror_image(titanic) -> None:
    pipeline, features = _matrix(titanic, "random_forest_classifier")
    second = tree_contributions(pipeline[-1], features, positive_index=1)
    first = tree_contributions(pipeline[-1], features, positive_index=0)
    # Probabilities of the two classes add up to 1: their contributions cancel out.
    np.testing.assert_allclose(first.values, -second.values, atol=TOLERANCE)
    assert first.base[0] + second.base[0] == pytest.approx(1.0, abs=TOLERANCE)
    np.testing.assert_array_equal(first.raw[:, 0], pipeline.predict_proba(titanic.X)[:, 0])


def test_xgboost_log_odds_equal_shap_and_the_model(titanic) -> None:
    pipeline, features = _matrix(titanic, "xgboost_classifier")
    wrapper = pipeline[-1]
    matrix = features.to_numpy(dtype=np.float32, na_value=np.nan)
    assert np.isnan(matrix).any()  # age and others reach XGBoost missing
    found = tree_contributions(wrapper, features)
    assert found.output == LOG_ODDS
    reference, base = _shap_values(wrapper.model_, matrix)
    np.testing.assert_allclose(found.values[:, 0, :], reference[:, :, 0], atol=TOLERANCE)
    assert found.base[0] == pytest.approx(base[0], abs=TOLERANCE)
    proba = pipeline.predict_proba(titanic.X)[:, 1].astype(np.float64)
    np.testing.assert_allclose(found.raw[:, 0], np.log(proba / (1 - proba)), atol=1e-5)
    additive = found.base[0] + found.values[:, 0, :].sum(axis=1)
    np.testing.assert_allclose(additive, found.raw[:, 0], atol=1e-5)
    flipped = tree_contributions(wrapper, features, positive_index=0)
    np.testing.assert_array_equal(flipped.values, -found.values)
    np.testing.assert_array_equal(flipped.raw, -found.raw)


def test_xgboost_multiclass_margins_per_class(penguins) -> None:
    pipeline, features = _matrix(penguins, "xgboost_classifier")
    found = tree_contributions(pipeline[-1], features)
    assert found.output == MARGIN
    assert found.values.shape == (344, 3, features.shape[1])
    matrix = features.to_numpy(dtype=np.float32, na_value=np.nan)
    reference, base = _shap_values(pipeline[-1].model_, matrix)
    np.testing.assert_allclose(found.values, reference.transpose(0, 2, 1), atol=TOLERANCE)
    np.testing.assert_allclose(found.base, base, atol=TOLERANCE)
    # The margins are the softmax's inputs: they give back the model's probabilities.
    softmax = np.exp(found.raw) / np.exp(found.raw).sum(axis=1, keepdims=True)
    np.testing.assert_allclose(softmax, pipeline.predict_proba(penguins.X), atol=1e-6)
    additive = found.base + found.values.sum(axis=2)
    np.testing.assert_allclose(additive, found.raw, atol=1e-5)


def test_extra_trees_multiclass_probabilities(penguins) -> None:
    pipeline, features = _matrix(penguins, "extra_trees_classifier")
    found = tree_contributions(pipeline[-1], features)
    assert found.output == PROBABILITY and found.values.shape[1] == 3
    reference, base = _shap_values(pipeline[-1], features.to_numpy(dtype=np.float32))
    np.testing.assert_allclose(found.values, reference.transpose(0, 2, 1), atol=TOLERANCE)
    np.testing.assert_allclose(found.base, base, atol=TOLERANCE)
    np.testing.assert_array_equal(found.raw, pipeline.predict_proba(penguins.X))


def test_forest_regression_values(insurance) -> None:
    pipeline, features = _matrix(insurance, "random_forest_regressor")
    found = tree_contributions(pipeline[-1], features)
    assert found.output == VALUE
    reference, base = _shap_values(pipeline[-1], features.to_numpy(dtype=np.float32))
    scale = float(np.abs(insurance.y).max())  # charges, in dollars
    np.testing.assert_allclose(found.values[:, 0, :], reference[:, :, 0], atol=TOLERANCE * scale)
    assert found.base[0] == pytest.approx(base[0], abs=1e-6 * scale)
    np.testing.assert_array_equal(found.raw[:, 0], pipeline.predict(insurance.X))


def test_histogram_boosting_equals_shap(titanic) -> None:
    pipeline, features = _matrix(titanic, "hist_gradient_boosting_classifier")
    found = tree_contributions(pipeline[-1], features)
    assert found.output == LOG_ODDS
    reference, base = _shap_values(pipeline[-1], features.to_numpy(dtype=np.float64))
    np.testing.assert_allclose(found.values[:, 0, :], reference[:, :, 0], atol=TOLERANCE)
    assert found.base[0] == pytest.approx(base[0], abs=TOLERANCE)
    np.testing.assert_allclose(found.raw[:, 0], pipeline.decision_function(titanic.X), rtol=0)
    # Died as the positive class: the log-odds of dying, every tree's sign turned.
    died = tree_contributions(pipeline[-1], features, positive_index=0)
    np.testing.assert_allclose(died.values, -found.values, atol=1e-12)
    np.testing.assert_array_equal(died.raw, -found.raw)
    np.testing.assert_allclose(died.base + died.values.sum(axis=2), died.raw, atol=TOLERANCE)


def _penguin_numbers(penguins) -> pd.DataFrame:
    return penguins.X[["bill_length_mm", "bill_depth_mm", "flipper_length_mm", "body_mass_g"]]


def test_missing_values_follow_each_split_learned_direction(penguins) -> None:
    X = _penguin_numbers(penguins).astype("float64")
    X.iloc[::7, 0] = np.nan  # missing in training too, so each split learns where NaN goes
    y = penguins.y
    for model in (
        RandomForestClassifier(n_estimators=25, random_state=0).fit(X, y),
        HistGradientBoostingClassifier(max_iter=15, random_state=0).fit(X, y),
    ):
        found = tree_contributions(model, X)
        additive = found.base + found.values.sum(axis=2)
        np.testing.assert_allclose(additive, found.raw, atol=1e-5)
    missing = X.iloc[::7]
    found = tree_contributions(model, missing)
    assert np.abs(found.values[:, :, 0]).max() > 0  # the missing column still explains


def test_thresholds_closer_than_float32_are_split_exactly() -> None:
    # Two values one float64 step apart are one float32 value: compared in float32 with the
    # threshold between them, both halves would take the same branch.
    X = pd.DataFrame({"a": [1.0] * 50 + [1.0 + 1e-12] * 50, "b": np.arange(100.0) % 7})
    y = np.array([0.0] * 50 + [1.0] * 50)
    model = HistGradientBoostingRegressor(max_iter=5, learning_rate=1.0, random_state=0).fit(X, y)
    assert np.float32(X["a"].iloc[0]) == np.float32(X["a"].iloc[-1])
    predicted = model.predict(X)
    assert predicted[-1] - predicted[0] > 0.5  # the model tells the halves apart
    found = tree_contributions(model, X)
    additive = found.base[0] + found.values[:, 0, :].sum(axis=1)
    np.testing.assert_allclose(additive, predicted, atol=1e-6)
    assert found.values[-1, 0, 0] - found.values[0, 0, 0] > 0.5


def test_other_models_are_not_tree_models(titanic) -> None:
    pipeline, features = _matrix(titanic, "logistic_regression")
    assert tree_contributions(pipeline[-1], features) is None


def test_cancel_between_row_chunks(titanic) -> None:
    pipeline, features = _matrix(titanic, "xgboost_classifier")
    token = CancelToken()
    seen: list[str] = []

    def progress(fraction: float, message: str) -> None:
        seen.append(message)
        if message == "explaining row 65":
            token.cancel()

    with pytest.raises(Cancelled):
        tree_contributions(pipeline[-1], features, progress=progress, cancel=token)
    assert seen == ["explaining row 1", "explaining row 65"]
