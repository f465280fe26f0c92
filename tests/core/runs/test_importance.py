"""Feature importance of real runs against scikit-learn's permutation_importance and the
models' own importances."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import joblib
import numpy as np
import pandas as pd
import pytest
from sklearn.inspection import permutation_importance
from sklearn.linear_model import LogisticRegression
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

from workbench.core.errors import WorkbenchError
from workbench.core.explain.importance import COLUMNS, compute_importance, permutation_scores
from workbench.core.kinds import TaskType
from workbench.core.metrics.scores import sklearn_scorer
from workbench.core.parquet_frames import read_frame_parquet
from workbench.core.progress import Cancelled, CancelToken
from workbench.core.runs.cache import IMPORTANCE_FILE
from workbench.core.runs.loaded import LoadedRun
from workbench.core.runs.log import LOG_FILE, ExperimentLog


def importance(root: Path, run_id: str, **settings) -> pd.DataFrame:
    """compute_importance of the run, opened as the job opens it."""
    with LoadedRun.open(root, run_id) as run:
        return compute_importance(run, **settings)


def _reference(root: Path, run_id: str, data: str, scoring, repeats: int, seed: int):
    """scikit-learn's own permutation importance of the run's pipeline on the same rows."""
    with ExperimentLog(root / LOG_FILE) as log:
        record = log.run(run_id)
        pipeline = joblib.load(log.verify_artifact(run_id, "pipeline"))
    file = "test_predictions.parquet" if data == "test" else "oof.parquet"
    rows = np.sort(read_frame_parquet(root / "runs" / run_id / file)["row"].to_numpy())
    frame = read_frame_parquet(next((root / "data").glob("*.parquet")))
    X = frame[record.spec.feature_names].iloc[rows].reset_index(drop=True)
    y = frame[record.spec.target].iloc[rows].reset_index(drop=True)
    result = permutation_importance(
        pipeline, X, y, scoring=scoring, n_repeats=repeats, random_state=seed
    )
    return pd.DataFrame(
        {"mean": result.importances_mean, "std": result.importances_std}, index=list(X.columns)
    ), len(rows)


def _assert_same_as_scikit_learn(frame: pd.DataFrame, reference: pd.DataFrame) -> None:
    permutation = frame[frame["kind"] == "permutation"].set_index("feature")
    assert sorted(permutation.index) == sorted(reference.index)
    assert (permutation["column"] == permutation.index).all()
    difference = permutation["importance"] - reference["mean"].reindex(permutation.index)
    assert difference.abs().max() <= 1e-12
    spread = permutation["std"] - reference["std"].reindex(permutation.index)
    assert spread.abs().max() <= 1e-12
    # Ranked most important first.
    assert permutation["importance"].is_monotonic_decreasing


def test_multiclass_on_test_rows_matches_scikit_learn(penguins) -> None:
    run_id = penguins.runs["xgboost_classifier"]
    frame = importance(penguins.root, run_id, repeats=3, seed=4, use_cache=False)
    assert list(frame.columns) == list(COLUMNS)
    reference, rows = _reference(penguins.root, run_id, "test", "f1_macro", 3, 4)
    _assert_same_as_scikit_learn(frame, reference)
    permutation = frame[frame["kind"] == "permutation"]
    assert set(permutation["data"]) == {"test"} and set(permutation["metric"]) == {"f1_macro"}
    assert rows == 69 and set(frame["rows"]) == {69}
    assert set(frame["repeats"]) == {3} and set(frame["seed"]) == {4}
    # The bill length tells the three species apart; shuffling it costs F1.
    assert permutation.iloc[0]["importance"] > 0.05


def test_regression_without_test_set_uses_oof_rows(insurance) -> None:
    run_id = insurance.runs["xgboost_regressor"]
    frame = importance(insurance.root, run_id, repeats=2, seed=0, use_cache=False)
    scoring = sklearn_scorer("rmse", TaskType.REGRESSION)
    assert scoring == "neg_root_mean_squared_error"
    reference, rows = _reference(insurance.root, run_id, "oof", scoring, 2, 0)
    _assert_same_as_scikit_learn(frame, reference)
    permutation = frame[frame["kind"] == "permutation"]
    assert set(permutation["data"]) == {"oof"} and rows == 335
    # Smokers pay more: the most important column by far (an RMSE rise, in dollars).
    assert permutation.iloc[0]["feature"] == "smoker"
    assert permutation.iloc[0]["importance"] > 2 * permutation.iloc[1]["importance"]


def test_binary_roc_auc_matches_scikit_learn(titanic) -> None:
    # roc_auc goes through the workbench's own scorer (its positive class).
    run_id = titanic.runs["random_forest_classifier"]
    frame = importance(titanic.root, run_id, repeats=2, seed=1, use_cache=False)
    scoring = sklearn_scorer("roc_auc", TaskType.BINARY, 1)
    reference, rows = _reference(titanic.root, run_id, "test", scoring, 2, 1)
    _assert_same_as_scikit_learn(frame, reference)
    assert rows == 179


def test_forest_builtin_importance_by_feature_and_column(titanic) -> None:
    run_id = titanic.runs["random_forest_classifier"]
    frame = importance(titanic.root, run_id, repeats=1, seed=0)
    with ExperimentLog(titanic.root / LOG_FILE) as log:
        pipeline = joblib.load(log.verify_artifact(run_id, "pipeline"))
    names = list(pipeline[:-1].get_feature_names_out())
    builtin = frame[frame["kind"] == "builtin"].set_index("feature")
    assert sorted(builtin.index) == sorted(names)
    expected = pd.Series(pipeline[-1].feature_importances_, index=names)
    assert (builtin["importance"] - expected.reindex(builtin.index)).abs().max() == 0.0
    assert set(builtin["metric"]) == {"impurity"} and builtin["std"].isna().all()
    assert builtin.loc["sex_female", "column"] == "sex"
    assert builtin.loc["embark_town_Cherbourg", "column"] == "embark_town"
    # Every one-hot output is summed back to the column it encodes.
    by_column = frame[frame["kind"] == "builtin_column"].set_index("column")["importance"]
    assert len(by_column) == 13
    assert by_column["sex"] == pytest.approx(expected["sex_female"] + expected["sex_male"])
    assert by_column["deck"] == pytest.approx(expected.filter(like="deck_").sum())
    assert by_column.sum() == pytest.approx(1.0)


def test_xgboost_gain_from_the_booster(penguins) -> None:
    run_id = penguins.runs["xgboost_classifier"]
    frame = importance(penguins.root, run_id, repeats=1, seed=0)
    with ExperimentLog(penguins.root / LOG_FILE) as log:
        pipeline = joblib.load(log.verify_artifact(run_id, "pipeline"))
    names = list(pipeline[:-1].get_feature_names_out())
    gains = pipeline[-1].model_.get_booster().get_score(importance_type="total_gain")
    total = sum(gains.values())
    builtin = frame[frame["kind"] == "builtin"].set_index("feature")
    assert set(builtin["metric"]) == {"total_gain"}
    for index, name in enumerate(names):
        expected = gains.get(f"f{index}", 0.0) / total
        assert builtin.loc[name, "importance"] == pytest.approx(expected, rel=1e-12)
    island = frame[(frame["kind"] == "builtin_column") & (frame["column"] == "island")]
    assert island["importance"].item() == pytest.approx(
        builtin.filter(like="island_", axis=0)["importance"].sum()
    )


def test_linear_model_has_no_builtin_rows(titanic) -> None:
    frame = importance(titanic.root, titanic.runs["logistic_regression"], repeats=1)
    assert set(frame["kind"]) == {"permutation"} and len(frame) == 13


def test_plain_pipeline_matches_scikit_learn(penguins) -> None:
    # No ColumnTransformer: every repeat runs the whole pipeline.
    frame = read_frame_parquet(next((penguins.root / "data").glob("*.parquet"))).dropna()
    X = frame[["bill_length_mm", "bill_depth_mm", "flipper_length_mm"]].reset_index(drop=True)
    y = frame["species"].reset_index(drop=True)
    model = make_pipeline(StandardScaler(), LogisticRegression()).fit(X, y)
    mine = permutation_scores(model, X, y, _accuracy, repeats=3, seed=2)
    reference = permutation_importance(model, X, y, scoring=_accuracy, n_repeats=3, random_state=2)
    np.testing.assert_array_equal(mine, reference.importances)


def _accuracy(estimator, X, y) -> float:
    return float((estimator.predict(X) == np.asarray(y)).mean())


def _copy(project: Path, tmp_path: Path) -> Path:
    return Path(shutil.copytree(project, tmp_path / project.name))


def test_cache_is_keyed_by_settings(penguins, tmp_path: Path) -> None:
    root = _copy(penguins.root, tmp_path)
    run_id = penguins.runs["decision_tree_classifier"]
    first = importance(root, run_id, repeats=2, seed=0)
    path = root / "runs" / run_id / IMPORTANCE_FILE
    written = path.stat().st_mtime_ns
    messages: list[str] = []
    again = importance(root, run_id, repeats=2, seed=0, progress=lambda f, m: messages.append(m))
    pd.testing.assert_frame_equal(again, first)
    assert messages[-1] == "importance read from the cache" and path.stat().st_mtime_ns == written
    other = importance(root, run_id, repeats=2, seed=9)
    assert set(read_frame_parquet(path)["seed"]) == {9}
    permuted = other["kind"] == "permutation"
    assert not np.array_equal(other[permuted]["std"], first[permuted]["std"])


def test_cancel_between_columns_writes_nothing(penguins, tmp_path: Path) -> None:
    root = _copy(penguins.root, tmp_path)
    run_id = penguins.runs["decision_tree_classifier"]
    token = CancelToken()
    seen: list[str] = []

    def progress(fraction: float, message: str) -> None:
        seen.append(message)
        if message.startswith("permuting"):
            token.cancel()

    with pytest.raises(Cancelled):
        importance(root, run_id, progress=progress, cancel=token)
    assert [m for m in seen if m.startswith("permuting")] == ["permuting 'island'"]
    assert not (root / "runs" / run_id / IMPORTANCE_FILE).exists()


def test_changed_data_and_bad_settings_are_refused(penguins, tmp_path: Path) -> None:
    run_id = penguins.runs["decision_tree_classifier"]
    with pytest.raises(WorkbenchError, match="at least 1 repeat, got 0"):
        importance(penguins.root, run_id, repeats=0)
    root = _copy(penguins.root, tmp_path)
    project_file = root / "project.json"
    data = json.loads(project_file.read_text())
    data["dataset"]["data_sha256"] = "0" * 64
    project_file.write_text(json.dumps(data))
    with pytest.raises(WorkbenchError, match="dataset changed since run"):
        importance(root, run_id)
