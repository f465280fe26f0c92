"""Partial dependence of real runs' pipelines against scikit-learn's own, on the same rows."""

from __future__ import annotations

import json

import numpy as np
import pytest
from sklearn.inspection import partial_dependence

from workbench.core.errors import WorkbenchError
from workbench.core.explain.partial_dependence import (
    PartialDependence,
    partial_dependence_curve,
)
from workbench.core.kinds import TaskType
from workbench.core.progress import Cancelled, CancelToken


def _reference(pipeline, X, column: str, categorical: bool):
    return partial_dependence(
        pipeline,
        X,
        [column],
        kind="both",
        grid_resolution=20,
        categorical_features=[column] if categorical else None,
    )


def test_numbers_equal_scikit_learn(titanic) -> None:
    pipeline = titanic.pipeline("random_forest_classifier")
    X = titanic.X.iloc[:400]
    curve = partial_dependence_curve(pipeline, X, "fare", TaskType.BINARY, ice_rows=400)
    reference = _reference(pipeline, X, "fare", categorical=False)
    assert not curve.categorical and curve.output == "probability" and curve.labels == ("1",)
    assert curve.rows == 400 and len(curve.grid) == 20
    np.testing.assert_array_equal(curve.grid, reference["grid_values"][0])
    np.testing.assert_allclose(curve.average[0], reference["average"][0], rtol=0, atol=1e-15)
    np.testing.assert_allclose(curve.individual[0], reference["individual"][0], atol=1e-15)
    assert curve.ice_rows == tuple(range(400))
    # Fares from the 5th to the 95th percentile, survival rising with the fare.
    assert curve.average[0][-1] > curve.average[0][0]


def test_categories_and_integer_codes(titanic) -> None:
    pipeline = titanic.pipeline("xgboost_classifier")
    # scikit-learn cannot take a text column with missing values: compare on the rest.
    X = titanic.X.dropna(subset=["embark_town"])
    curve = partial_dependence_curve(pipeline, X, "embark_town", TaskType.BINARY)
    reference = _reference(pipeline, X, "embark_town", categorical=True)
    assert curve.categorical
    assert curve.grid == ("Cherbourg", "Queenstown", "Southampton")
    assert list(curve.grid) == list(reference["grid_values"][0])
    np.testing.assert_allclose(curve.average[0], reference["average"][0], atol=1e-7)
    # An integer column the run knows is a category: its codes as bars.
    classes = partial_dependence_curve(pipeline, X, "pclass", TaskType.BINARY, categorical=True)
    reference = _reference(pipeline, X, "pclass", categorical=True)
    assert classes.grid == (1, 2, 3) and classes.categorical
    np.testing.assert_allclose(classes.average[0], reference["average"][0], atol=1e-7)
    # As a number it is computed on floats (scikit-learn refuses integer columns).
    numbers = partial_dependence_curve(pipeline, X, "sibsp", TaskType.BINARY)
    reference = _reference(pipeline, X.astype({"sibsp": "float64"}), "sibsp", categorical=False)
    assert numbers.grid == (0.0, 1.0, 2.0, 3.0, 4.0, 5.0, 8.0) and not numbers.categorical
    np.testing.assert_allclose(numbers.average[0], reference["average"][0], atol=1e-7)


def test_multiclass_and_regression(penguins, insurance) -> None:
    pipeline = penguins.pipeline("extra_trees_classifier")
    X = penguins.X.dropna(subset=["bill_length_mm"])
    curve = partial_dependence_curve(pipeline, X, "bill_length_mm", TaskType.MULTICLASS)
    reference = _reference(pipeline, X, "bill_length_mm", categorical=False)
    assert curve.labels == ("Adelie", "Chinstrap", "Gentoo")
    np.testing.assert_allclose(curve.average, reference["average"], atol=1e-15)
    # Short bills are Adelie's: its probability falls as the bill grows.
    assert curve.average[0][0] > curve.average[0][-1]
    forest = insurance.pipeline("random_forest_regressor")
    curve = partial_dependence_curve(forest, insurance.X, "smoker", TaskType.REGRESSION)
    reference = _reference(forest, insurance.X, "smoker", categorical=True)
    assert curve.output == "value" and curve.grid == ("no", "yes")
    np.testing.assert_allclose(curve.average[0], reference["average"][0], rtol=1e-12)
    assert curve.average[0][1] - curve.average[0][0] > 15_000  # smokers pay far more


def test_missing_values_are_kept_in_the_rows_and_left_out_of_the_grid(titanic) -> None:
    pipeline = titanic.pipeline("hist_gradient_boosting_classifier")
    curve = partial_dependence_curve(pipeline, titanic.X, "age", TaskType.BINARY, ice_rows=30)
    # The grid scikit-learn makes from the rows that have an age.
    known = _reference(pipeline, titanic.X.dropna(subset=["age"]), "age", categorical=False)
    assert curve.rows == 891
    np.testing.assert_array_equal(curve.grid, known["grid_values"][0])
    assert len(curve.ice_rows) == 30 and len(curve.individual[0]) == 30
    # Each ICE row is that row alone with its age set to each grid value.
    row = curve.ice_rows[0]
    changed = titanic.X.loc[[row] * 20].assign(age=list(curve.grid))
    np.testing.assert_allclose(curve.individual[0][0], pipeline.predict_proba(changed)[:, 1])
    # The positive class as the first class: the probabilities' complement.
    died = partial_dependence_curve(
        pipeline, titanic.X, "age", TaskType.BINARY, positive=0, ice_rows=30
    )
    np.testing.assert_allclose(np.add(died.average[0], curve.average[0]), 1.0, atol=1e-12)


def test_json_shape_and_round_trip(penguins) -> None:
    curve = partial_dependence_curve(
        penguins.pipeline("knn_classifier"), penguins.X, "island", TaskType.MULTICLASS, ice_rows=4
    )
    data = json.loads(json.dumps(curve.to_dict()))
    assert data["column"] == "island" and data["grid"] == ["Biscoe", "Dream", "Torgersen"]
    assert list(data["average"]) == ["Adelie", "Chinstrap", "Gentoo"]
    assert len(data["average"]["Gentoo"]) == 3 and len(data["ice"]["values"]["Gentoo"]) == 4
    assert PartialDependence.from_dict(data) == curve
    with pytest.raises(WorkbenchError, match="not a partial dependence"):
        PartialDependence.from_dict({"column": "island"})


def test_bad_columns_and_cancel(titanic) -> None:
    pipeline = titanic.pipeline("logistic_regression")
    with pytest.raises(WorkbenchError, match="column 'alive' is not one of the model's columns"):
        partial_dependence_curve(pipeline, titanic.X, "alive", TaskType.BINARY)
    empty = titanic.X.assign(age=np.nan)
    with pytest.raises(WorkbenchError, match="column 'age' has no values to vary"):
        partial_dependence_curve(pipeline, empty, "age", TaskType.BINARY)
    token = CancelToken()
    seen: list[str] = []

    def progress(fraction: float, message: str) -> None:
        seen.append(message)
        if len(seen) == 2:
            token.cancel()

    with pytest.raises(Cancelled):
        partial_dependence_curve(
            pipeline, titanic.X, "sibsp", TaskType.BINARY, progress=progress, cancel=token
        )
    assert seen == ["'sibsp' = 0.0", "'sibsp' = 1.0"]
