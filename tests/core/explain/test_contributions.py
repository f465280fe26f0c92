"""SHAP values per original column of real runs: additivity on every row, the columns' sums of
shap's per-feature values, the sampling estimate against exact Shapley values, and the JSON."""

from __future__ import annotations

import itertools
import json
import math

import numpy as np
import pandas as pd
import pytest
import shap
from sklearn.decomposition import PCA
from sklearn.ensemble import HistGradientBoostingClassifier, RandomForestClassifier
from sklearn.pipeline import Pipeline, make_pipeline
from sklearn.preprocessing import FunctionTransformer, StandardScaler

from workbench.core.errors import WorkbenchError
from workbench.core.explain.contributions import (
    PERMUTATION_SAMPLING,
    TREE_EXACT,
    ShapExplanation,
    explain_predictions,
)
from workbench.core.explain.features import feature_columns, output_feature_names
from workbench.core.kinds import TaskType
from workbench.core.progress import Cancelled, CancelToken


def _additive(explanation: ShapExplanation, output: int = 0) -> np.ndarray:
    return explanation.outputs[output].base_value + explanation.matrix(output).sum(axis=1)


def _raw(explanation: ShapExplanation, output: int = 0) -> np.ndarray:
    return np.asarray(explanation.outputs[output].raw_prediction)


def test_xgboost_binary_adds_up_to_the_log_odds_on_every_row(titanic) -> None:
    pipeline = titanic.pipeline("xgboost_classifier")
    explanation = explain_predictions(pipeline, titanic.X, TaskType.BINARY)
    assert explanation.method == TREE_EXACT and explanation.output == "log_odds"
    assert explanation.columns == tuple(titanic.X.columns)
    assert explanation.rows == tuple(range(891)) and explanation.labels == ("1",)
    proba = pipeline.predict_proba(titanic.X)[:, 1].astype(np.float64)
    np.testing.assert_allclose(_raw(explanation), np.log(proba / (1 - proba)), atol=1e-5)
    np.testing.assert_allclose(_additive(explanation), _raw(explanation), atol=1e-5)


def test_random_forest_columns_are_sums_of_their_features(titanic) -> None:
    pipeline = titanic.pipeline("random_forest_classifier")
    rows = titanic.X.iloc[100:300]
    explanation = explain_predictions(pipeline, rows, TaskType.BINARY)
    assert explanation.rows == tuple(range(100, 300)) and explanation.output == "probability"
    np.testing.assert_array_equal(_raw(explanation), pipeline.predict_proba(rows)[:, 1])
    np.testing.assert_allclose(_additive(explanation), _raw(explanation), atol=1e-5)
    # shap's values per transformed feature, summed by the column each came from.
    features = pipeline[:-1].transform(rows)
    reference = np.asarray(
        shap.TreeExplainer(pipeline[-1]).shap_values(features.to_numpy(np.float32))
    )[:, :, 1]
    names = output_feature_names(pipeline)
    sources = feature_columns(pipeline, names, list(rows.columns))
    matrix = explanation.matrix()
    for column in ("sex", "deck", "age", "embark_town"):
        mine = matrix[:, explanation.columns.index(column)]
        summed = reference[:, [i for i, s in enumerate(sources) if s == column]].sum(axis=1)
        np.testing.assert_allclose(mine, summed, atol=1e-5)
    assert sum(1 for s in sources if s == "deck") == 8  # seven decks and "missing"


def test_multiclass_and_regression_trees_add_up(penguins, insurance) -> None:
    pipeline = penguins.pipeline("xgboost_classifier")
    explanation = explain_predictions(pipeline, penguins.X, TaskType.MULTICLASS)
    assert explanation.labels == ("Adelie", "Chinstrap", "Gentoo")
    assert explanation.output == "margin"
    for k in range(3):
        np.testing.assert_allclose(_additive(explanation, k), _raw(explanation, k), atol=1e-5)
    forest = insurance.pipeline("random_forest_regressor")
    explanation = explain_predictions(forest, insurance.X, TaskType.REGRESSION)
    assert explanation.output == "value" and explanation.labels == ("value",)
    np.testing.assert_array_equal(_raw(explanation), forest.predict(insurance.X))
    scale = float(insurance.y.abs().max())  # XGBoost's float32 arithmetic, on dollars
    np.testing.assert_allclose(_additive(explanation), _raw(explanation), atol=1e-6 * scale)
    assert next(iter(explanation.importance())) == "smoker"


def test_linear_model_sampling_is_exact(insurance) -> None:
    # Ridge on one-hot and scaled columns is additive in the columns: every permutation gives
    # each column coef * (its features - their background mean), so the estimate is exact.
    pipeline = insurance.pipeline("ridge")
    rows, background = insurance.X.iloc[:40], insurance.X.iloc[40:240]
    explanation = explain_predictions(
        pipeline, rows, TaskType.REGRESSION, background=background, background_rows=200
    )
    assert explanation.method == PERMUTATION_SAMPLING and explanation.background_rows == 200
    assert explanation.note == ""
    ridge = pipeline[-1]
    names = output_feature_names(pipeline)
    sources = feature_columns(pipeline, names, list(rows.columns))
    features = pipeline[:-1].transform(rows).to_numpy()
    terms = (features - pipeline[:-1].transform(background).to_numpy().mean(axis=0)) * ridge.coef_
    for column in rows.columns:
        expected = terms[:, [i for i, s in enumerate(sources) if s == column]].sum(axis=1)
        mine = explanation.matrix()[:, explanation.columns.index(column)]
        np.testing.assert_allclose(mine, expected, rtol=1e-9, atol=1e-6)
    np.testing.assert_allclose(_additive(explanation), pipeline.predict(rows), rtol=1e-12)


def _exact_shapley(predict, row: pd.DataFrame, background: pd.DataFrame) -> np.ndarray:
    """Shapley values by every coalition: (outputs, columns)."""
    columns = list(row.columns)
    width = len(columns)

    def worth(coalition: tuple[int, ...]) -> np.ndarray:
        frame = background.copy()
        for c in coalition:  # the row's value in every background row, dtype kept
            frame[columns[c]] = row[columns[c]].repeat(len(frame)).set_axis(frame.index)
        return predict(frame).mean(axis=0)

    values = {
        s: worth(s) for r in range(width + 1) for s in itertools.combinations(range(width), r)
    }
    result = np.zeros((len(values[()]), width))
    for c in range(width):
        for coalition, before in values.items():
            if c in coalition:
                continue
            after = values[tuple(sorted((*coalition, c)))]
            weight = (
                math.factorial(len(coalition))
                * math.factorial(width - len(coalition) - 1)
                / math.factorial(width)
            )
            result[:, c] += weight * (after - before)
    return result


def test_sampling_estimate_is_close_to_exact_shapley_values(penguins) -> None:
    pipeline = penguins.pipeline("knn_classifier")
    background = penguins.X.iloc[::20]
    rows = penguins.X.iloc[[3, 150, 300]]
    explanation = explain_predictions(
        pipeline,
        rows,
        TaskType.MULTICLASS,
        background=background,
        background_rows=len(background),
        permutations=200,
        seed=3,
    )
    assert explanation.method == PERMUTATION_SAMPLING and explanation.output == "probability"
    assert explanation.permutations == 200

    for position in range(3):
        exact = _exact_shapley(pipeline.predict_proba, rows.iloc[[position]], background)
        mine = np.stack([explanation.matrix(k)[position] for k in range(3)])
        np.testing.assert_allclose(mine, exact, atol=0.02)
        np.testing.assert_allclose(mine.sum(axis=1), exact.sum(axis=1), atol=1e-12)


def test_sampling_is_seeded_per_row(titanic) -> None:
    pipeline = titanic.pipeline("logistic_regression")
    settings = {"background": titanic.X.iloc[:300], "permutations": 4, "seed": 7}
    both = explain_predictions(pipeline, titanic.X.iloc[[10, 20]], TaskType.BINARY, **settings)
    alone = explain_predictions(pipeline, titanic.X.iloc[[20]], TaskType.BINARY, **settings)
    np.testing.assert_allclose(both.matrix()[1], alone.matrix()[0], rtol=1e-12)
    other = explain_predictions(
        pipeline, titanic.X.iloc[[20]], TaskType.BINARY, **{**settings, "seed": 8}
    )
    assert not np.array_equal(other.matrix(), alone.matrix())
    proba = pipeline.predict_proba(titanic.X.iloc[[10, 20]])[:, 1]
    np.testing.assert_allclose(_additive(both), proba, atol=1e-12)


def test_a_chain_that_mixes_columns_is_sampled_with_a_note(penguins) -> None:
    X = penguins.X[["bill_length_mm", "bill_depth_mm", "flipper_length_mm"]].dropna()
    chain = make_pipeline(StandardScaler(), PCA(n_components=2)).set_output(transform="pandas")
    pipeline = Pipeline(
        [("chain", chain), ("model", RandomForestClassifier(n_estimators=10, random_state=0))]
    ).fit(X, penguins.y.loc[X.index])
    rows = X.iloc[:5]
    explanation = explain_predictions(pipeline, rows, TaskType.MULTICLASS, background=X)
    assert explanation.method == PERMUTATION_SAMPLING
    assert explanation.note.startswith("the chain's features 'pca0', 'pca1' mix several columns")
    assert explanation.columns == ("bill_length_mm", "bill_depth_mm", "flipper_length_mm")
    assert explanation.rows == tuple(int(i) for i in rows.index)
    for k in range(3):
        np.testing.assert_allclose(
            _additive(explanation, k), pipeline.predict_proba(rows)[:, k], atol=1e-12
        )


def test_json_shape_and_round_trip(titanic, penguins) -> None:
    binary = explain_predictions(
        titanic.pipeline("random_forest_classifier"), titanic.X.iloc[:3], TaskType.BINARY
    )
    data = json.loads(json.dumps(binary.to_dict()))
    assert data["method"] == "tree_exact" and data["outputs"] == ["1"]
    assert isinstance(data["base_value"], float)
    first = data["rows"][0]
    assert list(first) == ["row", "raw_prediction", "contributions"]
    assert first["row"] == 0 and first["raw_prediction"] == binary.outputs[0].raw_prediction[0]
    assert list(first["contributions"]) == list(titanic.X.columns)
    assert ShapExplanation.from_dict(data) == binary
    multi = explain_predictions(
        penguins.pipeline("xgboost_classifier"), penguins.X.iloc[:2], TaskType.MULTICLASS
    )
    data = json.loads(json.dumps(multi.to_dict()))
    assert list(data["base_value"]) == ["Adelie", "Chinstrap", "Gentoo"]
    assert set(data["rows"][1]["contributions"]) == {"Adelie", "Chinstrap", "Gentoo"}
    assert data["rows"][1]["contributions"]["Gentoo"]["island"] == multi.matrix(2)[1, 0]
    assert ShapExplanation.from_dict(data) == multi
    with pytest.raises(WorkbenchError, match="not a SHAP explanation"):
        ShapExplanation.from_dict({"outputs": ["1"]})


def test_importance_and_waterfall(penguins) -> None:
    explanation = explain_predictions(
        penguins.pipeline("extra_trees_classifier"), penguins.X, TaskType.MULTICLASS
    )
    importance = explanation.importance()
    expected = sum(np.abs(explanation.matrix(k)).mean(axis=0) for k in range(3))
    assert list(importance.values()) == sorted(importance.values(), reverse=True)
    for column, value in importance.items():
        assert value == pytest.approx(expected[explanation.columns.index(column)])
    steps = explanation.waterfall(position=0, output=2, top=3)
    assert len(steps) == 4 and steps[-1][0] == "3 other columns"
    assert [abs(v) for _, v in steps[:3]] == sorted((abs(v) for _, v in steps[:3]), reverse=True)
    gentoo = explanation.outputs[2]
    total = gentoo.base_value + sum(value for _, value in steps)
    assert total == pytest.approx(gentoo.raw_prediction[0], abs=1e-5)


def test_positive_class_and_bad_rows(titanic) -> None:
    pipeline = titanic.pipeline("random_forest_classifier")
    rows = titanic.X.iloc[:5]
    died = explain_predictions(pipeline, rows, TaskType.BINARY, positive=0)
    assert died.labels == ("0",)
    np.testing.assert_array_equal(_raw(died), pipeline.predict_proba(rows)[:, 0])
    with pytest.raises(WorkbenchError, match="positive class 'yes' is not one of the model's"):
        explain_predictions(pipeline, rows, TaskType.BINARY, positive="yes")
    with pytest.raises(WorkbenchError, match="no rows to explain"):
        explain_predictions(pipeline, rows.iloc[:0], TaskType.BINARY)
    with pytest.raises(WorkbenchError, match="named by their position in the data, not 'a'"):
        explain_predictions(pipeline, rows.set_axis(list("abcde")), TaskType.BINARY)


def test_cancel_between_calls_of_the_estimate(titanic) -> None:
    token = CancelToken()
    seen: list[str] = []

    def progress(fraction: float, message: str) -> None:
        seen.append(message)
        if message.startswith("explaining row"):
            token.cancel()  # honoured before the second call to the model

    # 20 rows x 10 orders x 12 steps x 50 background rows: 120,000 rows, three calls.
    with pytest.raises(Cancelled):
        explain_predictions(
            titanic.pipeline("logistic_regression"),
            titanic.X.iloc[:20],
            TaskType.BINARY,
            background=titanic.X,
            progress=progress,
            cancel=token,
        )
    assert seen == ["preparing the rows", "explaining row 1 of 20"]


def test_histogram_boosting_on_categories_is_sampled_with_a_note(penguins) -> None:
    X = penguins.X[["bill_length_mm", "flipper_length_mm", "island"]].copy()
    X["island"] = X["island"].astype("category").cat.codes.astype("float64")
    model = HistGradientBoostingClassifier(max_iter=10, categorical_features=[2], random_state=0)
    pipeline = Pipeline(
        [("chain", FunctionTransformer(feature_names_out="one-to-one")), ("model", model)]
    ).fit(X, penguins.y)
    rows = X.iloc[:4]
    explanation = explain_predictions(pipeline, rows, TaskType.MULTICLASS, background=X)
    assert explanation.method == PERMUTATION_SAMPLING
    assert explanation.note.startswith("the model splits on categories directly")
    for k in range(3):
        np.testing.assert_allclose(
            _additive(explanation, k), pipeline.predict_proba(rows)[:, k], atol=1e-12
        )
