"""A run's results read back through LoadedRun: the numbers behind each plot against
scikit-learn's own."""

from __future__ import annotations

import shutil
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from sklearn.calibration import calibration_curve
from sklearn.metrics import (
    average_precision_score,
    confusion_matrix,
    precision_recall_fscore_support,
    roc_auc_score,
    roc_curve,
)

from workbench.core.errors import ProjectError, WorkbenchError
from workbench.core.kinds import TaskType
from workbench.core.metrics.curves import residuals
from workbench.core.metrics.plot_data import compare_metrics
from workbench.core.metrics.predictions import RunPredictions
from workbench.core.metrics.sampling import downsample, sample_rows
from workbench.core.runs.environment import capture_environment
from workbench.core.runs.loaded import LoadedRun
from workbench.core.runs.log import LOG_FILE, ExperimentLog, RunRecord


def predictions_of(root: Path, run_id: str) -> RunPredictions:
    with LoadedRun.open(root, run_id) as run:
        return run.predictions


def record_of(root: Path, run_id: str) -> RunRecord:
    with LoadedRun.open(root, run_id) as run:
        return run.record


@pytest.fixture(scope="module")
def forest(titanic) -> RunPredictions:
    return predictions_of(titanic.root, titanic.runs["random_forest_classifier"])


def test_binary_run_reads_back(titanic, forest) -> None:
    with LoadedRun.open(titanic.root, titanic.runs["random_forest_classifier"]) as run:
        assert run.task == TaskType.BINARY
        assert run.spec.model.name == "random_forest_classifier"
        assert run.name == "Random forest"
        assert run.spec.metric == "roc_auc" and run.spec.target == "survived"
        assert run.positive == 1 == run.spec.positive
    assert forest.classes == [0, 1] and forest.positive == 1
    assert forest.splits == ["oof", "test"]
    # 891 rows: 179 (20%, rounded up) held out, the other 712 predicted out of fold once each.
    assert len(forest.test) == 179 and len(forest.oof) == 712
    assert sorted(forest.oof["row"].tolist() + forest.test["row"].tolist()) == list(range(891))
    assert sorted(forest.oof["fold"].unique().tolist()) == [0, 1, 2]
    assert forest.proba("test").shape == (179, 2)
    np.testing.assert_allclose(forest.proba().sum(axis=1), 1.0)


def test_confusion_and_per_class_match_scikit_learn(forest) -> None:
    frame = forest.test
    expected = confusion_matrix(frame["y_true"], frame["y_pred"], labels=[0, 1])
    confusion = forest.confusion("test")
    assert confusion["counts"] == expected.tolist()
    assert confusion["classes"] == [0, 1]
    assert sum(map(sum, confusion["counts"])) == 179
    precision, recall, f1, support = precision_recall_fscore_support(
        forest.oof["y_true"], forest.oof["y_pred"], labels=[0, 1]
    )
    report = forest.per_class()
    assert [r["support"] for r in report] == support.tolist() == [439, 273]
    np.testing.assert_allclose([r["precision"] for r in report], precision, rtol=1e-15)
    np.testing.assert_allclose([r["recall"] for r in report], recall, rtol=1e-15)
    np.testing.assert_allclose([r["f1"] for r in report], f1, rtol=1e-15)


def test_roc_pr_and_calibration_match_scikit_learn(forest) -> None:
    truth, score = forest.y_true(), forest.proba_of(1)
    curves = forest.roc(max_points=10_000)
    assert [c["class"] for c in curves] == [1]  # binary: the positive class only
    fpr, tpr, _ = roc_curve(truth, score)
    np.testing.assert_array_equal(curves[0]["fpr"], fpr)
    np.testing.assert_array_equal(curves[0]["tpr"], tpr)
    assert curves[0]["auc"] == pytest.approx(roc_auc_score(truth, score), abs=1e-15)
    pr = forest.pr("test")
    assert pr[0]["average_precision"] == pytest.approx(
        average_precision_score(forest.y_true("test"), forest.proba_of(1, "test")), abs=1e-15
    )


def _assert_calibration_matches(results, n_bins: int) -> None:
    truth, score = results.y_true(), results.proba_of(results.positive)
    bins = results.calibration(n_bins=n_bins)
    fraction, mean_predicted = calibration_curve(truth == results.positive, score, n_bins=n_bins)
    np.testing.assert_allclose([b["fraction_positive"] for b in bins], fraction, rtol=1e-12)
    np.testing.assert_allclose([b["mean_predicted"] for b in bins], mean_predicted, rtol=1e-12)
    assert sum(b["count"] for b in bins) == len(truth)


def test_calibration_matches_scikit_learn(titanic) -> None:
    # Logistic regression: continuous probabilities, none on a bin edge.
    results = predictions_of(titanic.root, titanic.runs["logistic_regression"])
    _assert_calibration_matches(results, 10)


def test_calibration_matches_scikit_learn_on_bin_edges(forest) -> None:
    # A 20-tree forest's probabilities are multiples of 0.05: many sit on the 0.2-wide edges.
    _assert_calibration_matches(forest, 5)


def test_score_distribution_counts_every_row(forest) -> None:
    distribution = forest.score_distribution(bins=10)
    assert distribution["label"] == 1
    assert distribution["edges"] == pytest.approx(np.linspace(0, 1, 11).tolist())
    died, survived = distribution["by_class"]
    assert (died["class"], died["count"], survived["count"]) == (0, 439, 273)
    scores = forest.proba_of(1)[forest.y_true() == 1]
    expected, _ = np.histogram(scores, bins=np.linspace(0, 1, 11))
    assert survived["counts"] == expected.tolist()
    assert sum(died["counts"]) == 439


def test_fold_scores_are_the_logged_ones(titanic, forest) -> None:
    record = record_of(titanic.root, titanic.runs["random_forest_classifier"])
    folds = record.fold_scores()
    assert list(folds.columns) == ["fold", "train", "validation"]
    assert folds["fold"].tolist() == [0, 1, 2]
    # A forest remembers its training rows: the gap to validation is what the plot shows.
    assert (folds["train"] > folds["validation"] + 0.05).all()
    logged = record.fold_metrics["validation"]
    assert folds["validation"].tolist() == [logged[f]["roc_auc"] for f in range(3)]
    assert folds["validation"].mean() == pytest.approx(record.scores()["roc_auc"], abs=1e-12)
    # Each fold's AUC recomputed from the out-of-fold file is the logged one.
    for fold in range(3):
        rows = forest.oof[forest.oof["fold"] == fold]
        auc = roc_auc_score(rows["y_true"], rows["proba_1"])
        assert auc == pytest.approx(logged[fold]["roc_auc"], abs=1e-12)
    summary = record.fold_summary()
    assert "fit_seconds" in logged[0] and "fit_seconds" not in summary  # timings, not scores
    assert summary["roc_auc"]["values"] == folds["validation"].tolist()
    assert "fit_seconds" not in record.scores()


def test_multiclass_run(penguins) -> None:
    results = predictions_of(penguins.root, penguins.runs["xgboost_classifier"])
    assert results.task == TaskType.MULTICLASS
    assert results.classes == ["Adelie", "Chinstrap", "Gentoo"] and results.positive is None
    curves = results.roc("test")
    assert [c["class"] for c in curves] == ["Adelie", "Chinstrap", "Gentoo"]
    truth, proba = results.y_true("test"), results.proba("test")
    for index, curve in enumerate(curves):
        is_class = truth == results.classes[index]
        assert curve["auc"] == pytest.approx(roc_auc_score(is_class, proba[:, index]), abs=1e-15)
    # A one-vs-rest calibration of a chosen class.
    bins = results.calibration(label="Gentoo", n_bins=4)
    assert sum(b["count"] for b in bins) == len(results.oof)
    assert results.score_distribution()["label"] == "Adelie"
    with pytest.raises(WorkbenchError, match="binary classification runs only"):
        results.thresholds()
    with pytest.raises(WorkbenchError, match="'Emperor' is not a class"):
        results.proba_of("Emperor")


def test_regression_run_without_test_set(insurance) -> None:
    run_id = insurance.runs["xgboost_regressor"]
    results = predictions_of(insurance.root, run_id)
    assert results.task == TaskType.REGRESSION and results.classes is None
    assert results.splits == ["oof"] and record_of(insurance.root, run_id).spec.metric == "rmse"
    # Hold-out: a quarter of the 1338 rows, one fold.
    assert len(results.oof) == 335
    assert record_of(insurance.root, run_id).fold_scores()["fold"].tolist() == [0]
    assert results.residuals() == residuals(results.y_true(), results.y_pred())
    points = results.predicted_vs_actual(max_points=50, seed=3)
    assert len(points["actual"]) == len(points["predicted"]) == 50 and points["count"] == 335
    frame = results.oof.set_index("row")
    assert frame.loc[points["rows"], "y_true"].tolist() == points["actual"]
    assert points["low"] == min(frame["y_true"].min(), frame["y_pred"].min())
    with pytest.raises(WorkbenchError, match="has no test set"):
        results.frame("test")
    with pytest.raises(WorkbenchError, match="needs a classification run"):
        results.confusion()


def test_compare_marks_the_best_run(titanic) -> None:
    runs = []
    for run_id in titanic.runs.values():
        with LoadedRun.open(titanic.root, run_id) as run:
            runs.append(run.plot_numbers)
    table = compare_metrics(runs)
    ids = [r.run_id for r in runs]
    assert list(table.columns) == ["metric", *ids, "best", "greater_is_better"]
    by_metric = table.set_index("metric")
    for metric, higher in (("roc_auc", True), ("log_loss", False)):
        values = [r.scores()[metric] for r in runs]
        best = ids[int(np.argmax(values) if higher else np.argmin(values))]
        assert by_metric.loc[metric, "best"] == best
        assert bool(by_metric.loc[metric, "greater_is_better"]) is higher


def test_sample_rows() -> None:
    assert sample_rows(5, 10).tolist() == [0, 1, 2, 3, 4]
    even = sample_rows(1_000_000, 1000, seed=None)
    assert len(even) == 1000 and even[0] == 0 and even[-1] == 999_999
    drawn = sample_rows(1_000_000, 1000, seed=7)
    assert len(np.unique(drawn)) == 1000 and (np.diff(drawn) > 0).all()
    assert drawn.tolist() == sample_rows(1_000_000, 1000, seed=7).tolist()
    assert drawn.tolist() != sample_rows(1_000_000, 1000, seed=8).tolist()
    x, y = downsample(np.arange(10), np.arange(10) * 2, max_points=3, seed=None)
    assert x.tolist() == [0, 4, 9] and (y == 2 * x).all()
    with pytest.raises(WorkbenchError, match="differ in length"):
        downsample(np.arange(3), np.arange(4))


def _copy(project: Path, tmp_path: Path) -> Path:
    return Path(shutil.copytree(project, tmp_path / project.name))


def test_unfinished_runs_and_missing_files_are_explained(titanic, tmp_path: Path) -> None:
    root = _copy(titanic.root, tmp_path)
    with ExperimentLog(root / LOG_FILE) as log:
        record = log.run(titanic.runs["logistic_regression"])
        environment = capture_environment(root)
        failed = log.start_run(record.spec, environment, name="Broken")
        log.finish_run(failed, "failed", message="ValueError: Input contains NaN")
        running = log.start_run(record.spec, environment)
    with pytest.raises(
        WorkbenchError, match=r"\(Broken\) has no results: it failed: ValueError: Input"
    ):
        predictions_of(root, failed)
    with pytest.raises(WorkbenchError, match="is still running"):
        predictions_of(root, running)
    run_id = titanic.runs["logistic_regression"]
    (root / "runs" / run_id / "oof.parquet").unlink()
    with pytest.raises(ProjectError, match=r"oof\.parquet is missing"):
        predictions_of(root, run_id)
    (root / "experiments.sqlite").rename(root / "moved.sqlite")
    with pytest.raises(ProjectError, match="has no experiment log"):
        predictions_of(root, run_id)
    with pytest.raises(ProjectError, match="is not a workbench project"):
        predictions_of(tmp_path, run_id)
    with pytest.raises(ProjectError, match="no run '20990101-000000-000-abcd'"):
        predictions_of(titanic.root, "20990101-000000-000-abcd")


def test_predictions_pickle(forest) -> None:
    import pickle

    again = pickle.loads(pickle.dumps(forest))
    pd.testing.assert_frame_equal(again.oof, forest.oof)
    assert again.positive == 1
