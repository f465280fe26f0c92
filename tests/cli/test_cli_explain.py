"""`workbench explain PROJECT RUN [--rows N] [--slice COLUMN] [--pdp COLUMN] [--json]` as a
user types it, on runs of the shared datasets: the JSON's SHAP values add up to the model's
own raw output, its curve is scikit-learn's partial dependence, its slices the run's metrics.

Runs: an XGBoost model on titanic trained here (3 folds, no test set: the out-of-fold rows are
explained), and the Results GUI tests' session runs (a 20% test set: the test rows are).
"""

from __future__ import annotations

import json
import shutil
import sys
from pathlib import Path

import joblib
import numpy as np
import pytest
from _projects import SMALL, make_project, train_models
from cli_calls import one_error_line, run
from sklearn.inspection import partial_dependence
from sklearn.metrics import accuracy_score, mean_absolute_error

from workbench.core.explain.run_explanations import read_explanations
from workbench.core.parquet_frames import read_frame_parquet
from workbench.core.specs import SplitSpec

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "gui"))
from results_scenario import result_runs  # noqa: F401 - the fixture

pytestmark = pytest.mark.shared_data


@pytest.fixture(scope="module")
def titanic_xgboost(shared_data: Path, tmp_path_factory: pytest.TempPathFactory):
    root = make_project(
        tmp_path_factory.mktemp("explain-cli") / "titanic",
        shared_data / "clean" / "titanic.csv",
        "survived",
        ("alive",),
    )
    split = SplitSpec("stratified_kfold", n_splits=3, test_fraction=0.0)
    runs = train_models(root, {"xgboost_classifier": SMALL["xgboost_classifier"]}, split)
    return root, runs["xgboost_classifier"]


def _copy(trained, tmp_path: Path) -> Path:
    """The session's project copied: what this test saves beside its runs stays here."""
    return Path(shutil.copytree(trained.root, tmp_path / trained.root.name))


def _json(capsys: pytest.CaptureFixture[str], argv: list[str]) -> dict:
    assert run(argv) == 0
    return json.loads(capsys.readouterr().out)


def _check_adds_up(shap: dict, expected, tolerance: float) -> None:
    """Every row: base value + contributions = raw prediction = the model's own output."""
    for item, value in zip(shap["rows"], expected, strict=True):
        total = shap["base_value"] + sum(item["contributions"].values())
        assert total == pytest.approx(item["raw_prediction"], abs=tolerance)
        assert item["raw_prediction"] == pytest.approx(value, abs=tolerance)


def _run_files(root: Path, run_id: str) -> tuple:
    folder = root / "runs" / run_id
    frame = read_frame_parquet(next((root / "data").glob("*.parquet")))
    pipeline = joblib.load(folder / "pipeline.joblib")
    return folder, frame, pipeline


def test_xgboost_values_add_up_to_the_log_odds_and_the_curve_is_scikit_learns(
    titanic_xgboost, capsys: pytest.CaptureFixture[str]
) -> None:
    root, run_id = titanic_xgboost
    document = _json(
        capsys, ["explain", str(root), run_id, "--rows", "40", "--pdp", "fare", "--json"]
    )
    assert list(document) == ["shap", "importance", "slices", "pdp"]
    assert document["slices"] is None
    folder, frame, pipeline = _run_files(root, run_id)
    shap = document["shap"]
    assert shap["method"] == "tree_exact" and shap["output"] == "log_odds"
    assert len(shap["rows"]) == 40
    rows = [item["row"] for item in shap["rows"]]
    assert rows == sorted(rows) and len(set(rows)) == 40
    X = frame[list(pipeline.feature_names_in_)].iloc[rows]
    probability = pipeline.predict_proba(X)[:, list(pipeline.classes_).index(1)]
    log_odds = np.log(probability / (1 - probability))
    for item in shap["rows"]:
        assert set(item["contributions"]) == set(pipeline.feature_names_in_)
    _check_adds_up(shap, log_odds, 2e-5)  # XGBoost sums its leaves in float32
    # Mean |SHAP| per column, over the same rows, largest first.
    importance = document["importance"]
    for column, value in importance.items():
        mean = np.mean([abs(item["contributions"][column]) for item in shap["rows"]])
        assert value == pytest.approx(mean, rel=1e-12)
    assert list(importance.values()) == sorted(importance.values(), reverse=True)
    # The curve over the explained rows is scikit-learn's.
    reference = partial_dependence(pipeline, X, ["fare"], kind="average", grid_resolution=20)
    pdp = document["pdp"]
    assert pdp["column"] == "fare" and not pdp["categorical"]
    np.testing.assert_allclose(pdp["grid"], reference["grid_values"][0], rtol=0, atol=0)
    np.testing.assert_allclose(pdp["average"], reference["average"][0], rtol=0, atol=1e-12)
    # Kept beside the run for the window and the report.
    saved = read_explanations(folder)
    assert saved.rows is not None and list(saved.rows.shap.rows) == rows
    assert list(saved.pdp) == ["fare"]


def test_slices_are_the_runs_out_of_fold_metrics_per_value(
    result_runs,  # noqa: F811
    capsys: pytest.CaptureFixture[str],
    tmp_path: Path,
) -> None:
    trained = result_runs["titanic"]
    root, run_id = _copy(trained, tmp_path), trained.runs["decision_tree_classifier"]
    document = _json(
        capsys, ["explain", str(root), run_id, "--rows", "15", "--slice", "sex", "--json"]
    )
    folder, frame, pipeline = _run_files(root, run_id)
    # A tree's output is the positive class's probability; 15 of the test rows.
    shap = document["shap"]
    assert shap["output"] == "probability" and len(shap["rows"]) == 15
    rows = [item["row"] for item in shap["rows"]]
    test_rows = read_frame_parquet(folder / "test_predictions.parquet")["row"]
    assert set(rows) <= set(test_rows)
    expected = pipeline.predict_proba(frame[list(pipeline.feature_names_in_)].iloc[rows])[:, 1]
    _check_adds_up(shap, expected, 1e-6)
    slices = document["slices"]
    oof = read_frame_parquet(folder / "oof.parquet")
    sex = frame["sex"].to_numpy()[oof["row"]]
    assert slices["column"] == "sex" and [g["value"] for g in slices["groups"]] == [
        "male",
        "female",
    ]
    for group in slices["groups"]:
        part = oof[sex == group["value"]]
        assert group["count"] == len(part)
        assert group["accuracy"] == accuracy_score(part["y_true"], part["y_pred"])
    gap = slices["largest_gap"]
    assert {gap["best"], gap["worst"]} == {"male", "female"}
    assert set(slices["fairness"]) == {
        "demographic_parity_difference",
        "equalized_odds_difference",
    }


def test_regression_by_two_columns_and_the_table_for_people(
    result_runs,  # noqa: F811
    capsys: pytest.CaptureFixture[str],
    tmp_path: Path,
) -> None:
    trained = result_runs["insurance"]
    root, run_id = _copy(trained, tmp_path), trained.runs["ridge"]
    argv = ["explain", str(root), run_id, "--rows", "10"]
    document = _json(capsys, [*argv, "--slice", "smoker", "--slice", "sex", "--json"])
    folder, frame, pipeline = _run_files(root, run_id)
    shap = document["shap"]
    # A linear model is explained by sampling; its values still add up to the prediction.
    assert shap["method"] == "permutation_sampling" and shap["output"] == "value"
    rows = [item["row"] for item in shap["rows"]]
    predicted = pipeline.predict(frame[list(pipeline.feature_names_in_)].iloc[rows])
    _check_adds_up(shap, predicted, 1e-6 * float(np.abs(predicted).max()))
    slices = document["slices"]
    assert slices["column"] == "smoker × sex" and slices["task"] == "regression"
    oof = read_frame_parquet(folder / "oof.parquet")
    at = (frame["smoker"].to_numpy()[oof["row"]] == "yes") & (
        frame["sex"].to_numpy()[oof["row"]] == "female"
    )
    group = next(g for g in slices["groups"] if g["value"] == "yes × female")
    assert group["count"] == at.sum()
    assert group["mae"] == pytest.approx(
        mean_absolute_error(oof["y_true"][at], oof["y_pred"][at]), rel=1e-12
    )
    assert document["pdp"] is None
    # Without --json: the columns by importance, the slices, the curve.
    assert run([*argv, "--slice", "smoker", "--pdp", "age"]) == 0
    out = capsys.readouterr().out
    assert out.startswith("SHAP values of 10 test rows (permutation sampling, output: value)")
    assert "per slice of smoker" in out and "partial dependence on age (value):" in out


def test_bad_run_and_columns_are_one_line_with_exit_code_2(
    result_runs,  # noqa: F811
    capsys: pytest.CaptureFixture[str],
) -> None:
    trained = result_runs["insurance"]
    root, run_id = str(trained.root), trained.runs["ridge"]
    bad = "20990101-000000-000-dead"
    assert run(["explain", root, bad]) == 2
    assert one_error_line(capsys) == (
        f"workbench: error: no run '{bad}' in {trained.root / 'experiments.sqlite'}"
    )
    assert run(["explain", root, run_id, "--pdp", "charges"]) == 2
    assert one_error_line(capsys) == (
        f"workbench: error: column 'charges' is not one of run '{run_id}''s feature columns "
        "(age, sex, bmi, children, smoker, region)"
    )
    assert run(["explain", root, run_id, "--slice", "salary"]) == 2
    assert one_error_line(capsys) == (
        f"workbench: error: column 'salary' is not in the data of run '{run_id}'"
    )
    assert run(["explain", root, run_id, "--rows", "0"]) == 2
    assert one_error_line(capsys) == "workbench: error: --rows must be at least 1, not 0"
