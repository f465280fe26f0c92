"""Metrics against scikit-learn's own functions, on real models fitted to the shared datasets."""

from __future__ import annotations

import json
import math
import pickle
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pytest
from sklearn import metrics as skm
from sklearn.calibration import calibration_curve
from sklearn.linear_model import LogisticRegression, Ridge
from sklearn.model_selection import GridSearchCV, train_test_split
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

from workbench.core.errors import WorkbenchError
from workbench.core.io.table import read_table
from workbench.core.kinds import TaskType
from workbench.core.metrics.curves import calibration_bins, pr_points, residuals, roc_points
from workbench.core.metrics.names import (
    CLASSIFICATION_METRICS,
    REGRESSION_METRICS,
    check_metric,
    default_metric,
    greater_is_better,
    metrics_for,
)
from workbench.core.metrics.positive import positive_label
from workbench.core.metrics.scores import (
    WorkbenchScorer,
    from_search_score,
    score_all,
    sklearn_scorer,
)
from workbench.core.metrics.tables import confusion, per_class_report, summarise_folds


@dataclass
class Fitted:
    """A fitted model, its held-out rows and what it predicted for them."""

    model: Any
    X: pd.DataFrame
    y: np.ndarray
    pred: np.ndarray
    proba: np.ndarray | None
    classes: list[Any]


def _read(shared_data: Path, relative: str) -> pd.DataFrame:
    return read_table(shared_data / relative).frame


def _fit(frame: pd.DataFrame, features: list[str], target: str, model: Any, stratify: bool):
    frame = frame.dropna(subset=[*features, target])
    X = frame[features].astype("float64")
    y = frame[target].to_numpy()
    X_train, X_test, y_train, y_test = train_test_split(
        X, y, test_size=0.3, random_state=0, stratify=y if stratify else None
    )
    fitted = make_pipeline(StandardScaler(), model).fit(X_train, y_train)
    proba = fitted.predict_proba(X_test) if hasattr(fitted, "predict_proba") else None
    classes = list(fitted.classes_) if hasattr(fitted, "classes_") else []
    return Fitted(fitted, X_test, y_test, fitted.predict(X_test), proba, classes)


@pytest.fixture(scope="module")
def titanic(shared_data: Path) -> Fitted:
    frame = _read(shared_data, "clean/titanic.csv")
    frame["age"] = frame["age"].fillna(frame["age"].median())
    features = ["pclass", "age", "sibsp", "parch", "fare"]
    return _fit(frame, features, "survived", LogisticRegression(), stratify=True)


@pytest.fixture(scope="module")
def penguins(shared_data: Path) -> Fitted:
    frame = _read(shared_data, "clean/penguins.csv")
    features = ["bill_length_mm", "bill_depth_mm", "flipper_length_mm", "body_mass_g"]
    return _fit(frame, features, "species", LogisticRegression(C=0.05), stratify=True)


@pytest.fixture(scope="module")
def credit(shared_data: Path) -> Fitted:
    frame = _read(shared_data, "clean/modeldata_credit_data.csv")
    features = ["Seniority", "Time", "Age", "Expenses", "Amount", "Price"]
    return _fit(frame, features, "Status", LogisticRegression(), stratify=True)


@pytest.fixture(scope="module")
def insurance(shared_data: Path) -> Fitted:
    frame = _read(shared_data, "clean/insurance.csv")
    frame["smoker_yes"] = (frame["smoker"] == "yes").astype("float64")
    features = ["age", "bmi", "children", "smoker_yes"]
    return _fit(frame, features, "charges", Ridge(), stratify=False)


def _assert_finite_and_json(result) -> None:
    assert all(math.isfinite(v) for v in result.scores.values())
    json.dumps({"scores": result.scores, "skipped": result.skipped}, allow_nan=False)


# --- scores against scikit-learn -----------------------------------------------------------------


def test_binary_scores_equal_scikit_learn(titanic: Fitted) -> None:
    y, pred, proba = titanic.y, titanic.pred, titanic.proba
    assert titanic.classes == [0, 1] and len(y) == 268
    result = score_all(TaskType.BINARY, y, pred, proba, titanic.classes)
    assert result.skipped == {}
    assert tuple(result.scores) == CLASSIFICATION_METRICS
    p1 = proba[:, 1]
    expected = {
        "accuracy": skm.accuracy_score(y, pred),
        "balanced_accuracy": skm.balanced_accuracy_score(y, pred),
        "precision": skm.precision_score(y, pred, pos_label=1),
        "recall": skm.recall_score(y, pred, pos_label=1),
        "f1": skm.f1_score(y, pred, pos_label=1),
        "precision_macro": skm.precision_score(y, pred, average="macro"),
        "recall_macro": skm.recall_score(y, pred, average="macro"),
        "f1_macro": skm.f1_score(y, pred, average="macro"),
        "precision_weighted": skm.precision_score(y, pred, average="weighted"),
        "recall_weighted": skm.recall_score(y, pred, average="weighted"),
        "f1_weighted": skm.f1_score(y, pred, average="weighted"),
        "mcc": skm.matthews_corrcoef(y, pred),
        "roc_auc": skm.roc_auc_score(y, p1),
        "pr_auc": skm.average_precision_score(y, p1),
        "log_loss": skm.log_loss(y, proba),
        "brier": skm.brier_score_loss(y, p1),
    }
    assert result.scores == expected
    # A real model: better than the 62% majority class, not suspiciously perfect.
    assert 0.65 < result.scores["accuracy"] < 0.8
    assert 0.65 < result.scores["roc_auc"] < 0.85


def test_binary_positive_class_that_sorts_first(credit: Fitted) -> None:
    # 'bad' is classes_[0]: PR AUC, Brier and F1 must use its column and label, not classes_[1].
    y, pred, proba = credit.y, credit.pred, credit.proba
    assert credit.classes == ["bad", "good"]
    result = score_all(TaskType.BINARY, y, pred, proba, credit.classes)
    is_bad = y == "bad"
    assert result.scores["pr_auc"] == skm.average_precision_score(is_bad, proba[:, 0])
    assert result.scores["pr_auc"] != skm.average_precision_score(~is_bad, proba[:, 1])
    assert result.scores["f1"] == skm.f1_score(y, pred, pos_label="bad")
    assert result.scores["recall"] == skm.recall_score(y, pred, pos_label="bad")
    assert result.scores["brier"] == skm.brier_score_loss(y, proba[:, 0], pos_label="bad")
    assert result.scores["roc_auc"] == skm.roc_auc_score(is_bad, proba[:, 0])
    # An explicit positive label wins over the automatic choice.
    flipped = score_all(TaskType.BINARY, y, pred, proba, credit.classes, positive_label="good")
    assert flipped.scores["f1"] == skm.f1_score(y, pred, pos_label="good")


def test_multiclass_scores_equal_scikit_learn(penguins: Fitted) -> None:
    y, pred, proba, classes = penguins.y, penguins.pred, penguins.proba, penguins.classes
    assert classes == ["Adelie", "Chinstrap", "Gentoo"] and len(y) == 103
    result = score_all(TaskType.MULTICLASS, y, pred, proba, classes)
    assert result.skipped == {}
    assert tuple(result.scores) == metrics_for(TaskType.MULTICLASS)
    assert not {"precision", "recall", "f1"} & set(result.scores)
    assert result.scores["accuracy"] == skm.accuracy_score(y, pred)
    assert result.scores["balanced_accuracy"] == skm.balanced_accuracy_score(y, pred)
    assert result.scores["f1_macro"] == skm.f1_score(y, pred, average="macro")
    assert result.scores["precision_macro"] == skm.precision_score(y, pred, average="macro")
    assert result.scores["recall_weighted"] == skm.recall_score(y, pred, average="weighted")
    assert result.scores["mcc"] == skm.matthews_corrcoef(y, pred)
    assert result.scores["roc_auc"] == skm.roc_auc_score(y, proba, multi_class="ovr")
    assert result.scores["pr_auc"] == skm.average_precision_score(y, proba, average="macro")
    assert result.scores["log_loss"] == skm.log_loss(y, proba)
    # Mean one-vs-rest Brier: scikit-learn's multiclass Brier sums over the 3 classes.
    assert result.scores["brier"] == pytest.approx(
        skm.brier_score_loss(y, proba, labels=classes) / 3, rel=1e-12
    )
    assert result.scores["brier"] == pytest.approx(
        np.mean([skm.brier_score_loss(y == c, proba[:, i]) for i, c in enumerate(classes)]),
        rel=1e-12,
    )


def test_regression_scores_equal_scikit_learn(insurance: Fitted) -> None:
    y, pred = insurance.y, insurance.pred
    assert len(y) == 402
    result = score_all(TaskType.REGRESSION, y, pred)
    assert result.skipped == {}
    assert result.scores == {
        "mae": skm.mean_absolute_error(y, pred),
        "mse": skm.mean_squared_error(y, pred),
        "rmse": skm.root_mean_squared_error(y, pred),
        "r2": skm.r2_score(y, pred),
        "mape": skm.mean_absolute_percentage_error(y, pred),
        "median_ae": skm.median_absolute_error(y, pred),
    }
    assert 0.65 < result.scores["r2"] < 0.85  # smoker, age and bmi explain most of the charges


def test_without_probabilities_the_probability_metrics_are_skipped(titanic: Fitted) -> None:
    result = score_all(TaskType.BINARY, titanic.y, titanic.pred, None, titanic.classes)
    assert set(result.skipped) == {"roc_auc", "pr_auc", "log_loss", "brier"}
    assert set(result.skipped.values()) == {"the model gives no class probabilities"}
    assert result.scores["accuracy"] == skm.accuracy_score(titanic.y, titanic.pred)


# --- degenerate folds ----------------------------------------------------------------------------


def test_fold_with_one_class_skips_curves_and_stays_nan_free(titanic: Fitted) -> None:
    survivors = titanic.y == 1
    result = score_all(
        TaskType.BINARY,
        titanic.y[survivors],
        titanic.pred[survivors],
        titanic.proba[survivors],
        titanic.classes,
    )
    assert result.skipped == {
        "roc_auc": "only one class (1) is present in the true values",
        "pr_auc": "only one class (1) is present in the true values",
    }
    _assert_finite_and_json(result)
    assert result.scores["recall"] == skm.recall_score(
        titanic.y[survivors], titanic.pred[survivors]
    )
    assert result.scores["log_loss"] == skm.log_loss(
        titanic.y[survivors], titanic.proba[survivors], labels=[0, 1]
    )


def test_multiclass_fold_missing_a_class(penguins: Fitted) -> None:
    keep = penguins.y != "Chinstrap"
    result = score_all(
        TaskType.MULTICLASS,
        penguins.y[keep],
        penguins.pred[keep],
        penguins.proba[keep],
        penguins.classes,
    )
    assert result.skipped == {
        "roc_auc": "class 'Chinstrap' is absent from the true values",
        "pr_auc": "class 'Chinstrap' is absent from the true values",
    }
    _assert_finite_and_json(result)
    assert result.scores["log_loss"] == skm.log_loss(
        penguins.y[keep], penguins.proba[keep], labels=penguins.classes
    )


def _sklearn_label_scores(y: np.ndarray, pred: np.ndarray, positive: Any = None) -> dict:
    """Every label metric by scikit-learn's own functions, for the counting path to match."""
    expected = {
        "accuracy": skm.accuracy_score(y, pred),
        "balanced_accuracy": skm.balanced_accuracy_score(y, pred),
        "mcc": skm.matthews_corrcoef(y, pred),
    }
    functions = {"precision": skm.precision_score, "recall": skm.recall_score, "f1": skm.f1_score}
    for name, function in functions.items():
        for average in ("macro", "weighted"):
            expected[f"{name}_{average}"] = function(y, pred, average=average, zero_division=0)
        if positive is not None:
            expected[name] = function(y, pred, pos_label=positive, zero_division=0)
    return expected


def test_counted_multiclass_scores_equal_scikit_learn_with_a_class_never_predicted(
    penguins: Fitted,
) -> None:
    # Rows the model called Chinstrap are dropped: Chinstrap stays in the truth
    # (4 penguins) but never in the predictions, so its precision is 0 by zero_division.
    keep = penguins.pred != "Chinstrap"
    y, pred, proba = penguins.y[keep], penguins.pred[keep], penguins.proba[keep]
    assert (y == "Chinstrap").sum() == 4 and "Chinstrap" not in set(pred)
    result = score_all(TaskType.MULTICLASS, y, pred, proba, penguins.classes)
    expected = _sklearn_label_scores(y, pred)
    assert {k: result.scores[k] for k in expected} == expected
    assert result.scores["log_loss"] == skm.log_loss(y, proba, labels=penguins.classes)
    assert result.scores["recall_macro"] < result.scores["accuracy"]
    # The same rows as class positions (what the runner passes) give the same numbers.
    codes = np.searchsorted(penguins.classes, y), np.searchsorted(penguins.classes, pred)
    as_codes = score_all(TaskType.MULTICLASS, *codes, proba, [0, 1, 2])
    assert as_codes.scores == result.scores


def test_counted_binary_scores_equal_scikit_learn_with_the_positive_class_never_predicted(
    titanic: Fitted,
) -> None:
    died = titanic.pred == 0
    y, pred, proba = titanic.y[died], titanic.pred[died], titanic.proba[died]
    assert (y == 1).sum() == 60 and set(pred) == {0}
    result = score_all(TaskType.BINARY, y, pred, proba, titanic.classes)
    expected = _sklearn_label_scores(y, pred, positive=1)
    assert {k: result.scores[k] for k in expected} == expected
    assert result.scores["precision"] == result.scores["recall"] == result.scores["f1"] == 0.0
    assert result.scores["log_loss"] == skm.log_loss(y, proba, labels=[0, 1])
    assert result.scores["roc_auc"] == skm.roc_auc_score(y, proba[:, 1])
    # Float labels take scikit-learn's own path and still give the same numbers.
    as_floats = score_all(TaskType.BINARY, y * 1.0, pred * 1.0, proba, [0.0, 1.0])
    assert as_floats.scores == result.scores


def test_regression_degenerate_rows(insurance: Fitted, shared_data: Path) -> None:
    one = score_all(TaskType.REGRESSION, insurance.y[:1], insurance.pred[:1])
    assert one.skipped == {"r2": "R² needs at least two rows"}
    _assert_finite_and_json(one)
    # insurance's `children` is 0 for 574 people: a percentage error is undefined there.
    children = _read(shared_data, "clean/insurance.csv")["children"].to_numpy()
    zeros = score_all(TaskType.REGRESSION, children, np.full(children.shape, children.mean()))
    assert zeros.skipped == {"mape": "the target has zeros, where a percentage error is undefined"}
    _assert_finite_and_json(zeros)


def test_bad_inputs_are_refused(titanic: Fitted) -> None:
    with pytest.raises(WorkbenchError, match="268 true values but 10 predictions"):
        score_all(TaskType.BINARY, titanic.y, titanic.pred[:10])
    with pytest.raises(WorkbenchError, match=r"one column per class \(268 x 2\)"):
        score_all(TaskType.BINARY, titanic.y, titanic.pred, titanic.proba[:, 1], [0, 1])
    with pytest.raises(WorkbenchError, match="empty"):
        score_all(TaskType.REGRESSION, [], [])


# --- names, directions, positive class -----------------------------------------------------------


def test_default_metric_and_direction() -> None:
    assert default_metric(TaskType.BINARY) == "roc_auc"
    assert default_metric(TaskType.MULTICLASS) == "f1_macro"
    assert default_metric(TaskType.REGRESSION) == "rmse"
    lower = {"log_loss", "brier", "mae", "mse", "rmse", "mape", "median_ae"}
    for metric in CLASSIFICATION_METRICS + REGRESSION_METRICS:
        assert greater_is_better(metric) is (metric not in lower), metric
    with pytest.raises(WorkbenchError, match="unknown metric 'auc'"):
        greater_is_better("auc")
    with pytest.raises(WorkbenchError, match="does not apply to a multiclass task"):
        check_metric("f1", TaskType.MULTICLASS)


@pytest.mark.parametrize(
    ("relative", "target", "expected"),
    [
        ("clean/titanic.csv", "survived", 1),
        ("messy/bank-additional.csv", "y", "yes"),
        ("clean/modeldata_credit_data.csv", "Status", "bad"),
        ("clean/modeldata_lending_club.csv", "Class", "bad"),
        ("clean/adult-train.csv", "column_14", ">50K"),
        ("clean/mushrooms.csv", "type", "p"),  # e/p: no telling name, so the minority (48%)
    ],
)
def test_positive_label_on_real_targets(
    shared_data: Path, relative: str, target: str, expected: Any
) -> None:
    y = _read(shared_data, relative)[target].to_numpy()
    classes = sorted(set(y.tolist()))
    assert positive_label(classes, y) == expected


def test_positive_label_fallbacks() -> None:
    assert positive_label([False, True]) is True
    assert positive_label(np.array([0, 1])) == 1
    assert positive_label(["no", "yes"]) == "yes"
    assert positive_label(["<=50K", ">50K"]) == ">50K"
    assert positive_label(["benign", "malignant"]) == "malignant"
    # No telling names: the minority class when the training targets are given...
    assert positive_label(["e", "p"], ["e", "e", "p"]) == "p"
    assert positive_label(["e", "p"], ["e", "p", "p"]) == "e"
    # ...else scikit-learn's classes_[1].
    assert positive_label(["e", "p"]) == "p"
    with pytest.raises(WorkbenchError, match="exactly two classes, got 3"):
        positive_label(["a", "b", "c"])


# --- tables --------------------------------------------------------------------------------------


def test_confusion_matches_scikit_learn(penguins: Fitted) -> None:
    table = confusion(penguins.y, penguins.pred, penguins.classes)
    expected = skm.confusion_matrix(penguins.y, penguins.pred, labels=penguins.classes)
    assert table["classes"] == ["Adelie", "Chinstrap", "Gentoo"]
    assert table["counts"] == expected.tolist()
    assert sum(map(sum, table["counts"])) == len(penguins.y) == 103
    for row, counts in zip(table["row_normalised"], table["counts"], strict=True):
        assert row == pytest.approx([c / sum(counts) for c in counts])
    json.dumps(table, allow_nan=False)


def test_confusion_row_of_an_absent_class_is_zeros(titanic: Fitted) -> None:
    survivors = titanic.y == 1
    table = confusion(titanic.y[survivors], titanic.pred[survivors], np.array(titanic.classes))
    assert table["classes"] == [0, 1] and type(table["classes"][0]) is int
    assert table["counts"][0] == [0, 0]
    assert table["row_normalised"][0] == [0.0, 0.0]
    assert sum(table["counts"][1]) == int(survivors.sum()) == 103
    json.dumps(table, allow_nan=False)


def test_per_class_report_matches_scikit_learn(penguins: Fitted) -> None:
    report = per_class_report(penguins.y, penguins.pred, penguins.classes)
    expected = skm.classification_report(
        penguins.y, penguins.pred, labels=penguins.classes, output_dict=True, zero_division=0
    )
    assert [row["class"] for row in report] == penguins.classes
    for row in report:
        want = expected[row["class"]]
        assert (row["precision"], row["recall"], row["f1"], row["support"]) == (
            want["precision"], want["recall"], want["f1-score"], want["support"],
        )  # fmt: skip
    assert sum(row["support"] for row in report) == 103


def test_summarise_folds() -> None:
    folds = [{"auc": 0.8, "f1": 0.5}, {"auc": 0.9}, {"auc": 0.7, "f1": 0.7}]
    summary = summarise_folds(folds)
    assert summary["auc"]["values"] == [0.8, 0.9, 0.7]
    assert summary["auc"]["mean"] == pytest.approx(0.8)
    assert summary["auc"]["std"] == np.std([0.8, 0.9, 0.7])
    assert summary["f1"] == {"mean": 0.6, "std": pytest.approx(0.1), "values": [0.5, 0.7]}
    assert summarise_folds([]) == {}


# --- scorers for searches ------------------------------------------------------------------------


@pytest.mark.parametrize("fixture", ["titanic", "credit", "penguins", "insurance"])
def test_search_scorer_gives_the_reported_value(fixture: str, request) -> None:
    fitted: Fitted = request.getfixturevalue(fixture)
    task = {
        "titanic": TaskType.BINARY,
        "credit": TaskType.BINARY,
        "penguins": TaskType.MULTICLASS,
        "insurance": TaskType.REGRESSION,
    }[fixture]
    reported = score_all(task, fitted.y, fitted.pred, fitted.proba, fitted.classes or None).scores
    for metric in metrics_for(task):
        scoring = sklearn_scorer(metric, task)
        scorer = skm.get_scorer(scoring) if isinstance(scoring, str) else scoring
        searched = scorer(fitted.model, fitted.X, fitted.y)
        assert from_search_score(metric, searched) == pytest.approx(
            reported[metric], rel=1e-12, abs=1e-15
        ), metric
        # A search maximises: losses must come back negated.
        assert (searched <= 0) or greater_is_better(metric), metric
    assert sklearn_scorer("rmse", TaskType.REGRESSION) == "neg_root_mean_squared_error"


def test_workbench_scorer_runs_in_a_search(credit: Fitted) -> None:
    scorer = sklearn_scorer("pr_auc", TaskType.BINARY, positive="bad")
    assert isinstance(scorer, WorkbenchScorer)
    assert pickle.loads(pickle.dumps(scorer)).positive == "bad"  # joblib workers get a copy
    search = GridSearchCV(
        make_pipeline(StandardScaler(), LogisticRegression()),
        {"logisticregression__C": [0.01, 1.0]},
        scoring=scorer,
        cv=3,
    ).fit(credit.X, credit.y)
    assert search.cv_results_["mean_test_score"].shape == (2,)
    assert np.all(np.isfinite(search.cv_results_["mean_test_score"]))
    # PR AUC of the rare 'bad' class (28%): well above its prevalence, well below 1.
    assert 0.3 < search.best_score_ < 0.8


# --- the numbers behind the plots ----------------------------------------------------------------


def test_roc_and_pr_points(penguins: Fitted, titanic: Fitted) -> None:
    curves = roc_points(penguins.y, penguins.proba, penguins.classes)
    assert [c["class"] for c in curves] == penguins.classes
    for index, curve in enumerate(curves):
        is_class = penguins.y == curve["class"]
        assert curve["auc"] == skm.roc_auc_score(is_class, penguins.proba[:, index])
        assert (curve["fpr"][0], curve["tpr"][0], curve["fpr"][-1], curve["tpr"][-1]) == (
            0.0, 0.0, 1.0, 1.0,
        )  # fmt: skip
    thin = roc_points(titanic.y, titanic.proba, titanic.classes, max_points=20)
    assert all(len(c["fpr"]) <= 20 and c["fpr"][-1] == 1.0 for c in thin)
    pr = pr_points(titanic.y, titanic.proba, titanic.classes)
    assert pr[1]["class"] == 1
    assert pr[1]["average_precision"] == skm.average_precision_score(titanic.y, titanic.proba[:, 1])
    assert pr[1]["prevalence"] == pytest.approx(103 / 268)
    json.dumps({"roc": curves, "pr": pr}, allow_nan=False)


def test_calibration_bins_match_calibration_curve(credit: Fitted) -> None:
    proba_bad = credit.proba[:, 0]
    bins = calibration_bins(credit.y, proba_bad, n_bins=10, positive_label="bad")
    fraction, mean_predicted = calibration_curve(credit.y == "bad", proba_bad, n_bins=10)
    assert [b["fraction_positive"] for b in bins] == pytest.approx(fraction.tolist())
    assert [b["mean_predicted"] for b in bins] == pytest.approx(mean_predicted.tolist())
    assert sum(b["count"] for b in bins) == len(credit.y) == 1337
    assert all(b["low"] <= b["mean_predicted"] <= b["high"] for b in bins)


def test_residuals_summary(insurance: Fitted) -> None:
    summary = residuals(insurance.y, insurance.pred, n_bins=25, max_points=100)
    errors = insurance.y - insurance.pred
    assert summary["count"] == 402
    assert summary["mean"] == pytest.approx(errors.mean())
    assert summary["mean_absolute"] == pytest.approx(
        skm.mean_absolute_error(insurance.y, insurance.pred)
    )
    assert summary["quantiles"]["p50"] == pytest.approx(np.median(errors))
    assert sum(summary["histogram"]["counts"]) == 402
    assert len(summary["histogram"]["edges"]) == 26
    assert len(summary["points"]["predicted"]) == len(summary["points"]["residual"]) == 100
    json.dumps(summary, allow_nan=False)


def test_import_leaves_scikit_learn_unloaded() -> None:
    code = (
        "import sys, workbench.core.metrics.names as m\n"
        "assert m.default_metric('binary') == 'roc_auc'\n"
        "print(sorted(n for n in sys.modules if n.split('.')[0] in ('sklearn', 'scipy')))"
    )
    completed = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, timeout=60, check=False
    )
    assert completed.returncode == 0, completed.stderr
    assert completed.stdout.strip() == "[]"


def test_confusion_leaves_out_values_outside_the_classes_as_scikit_learn_does(
    penguins: Fitted,
) -> None:
    truth = np.asarray(penguins.y, dtype=object).copy()
    predicted = np.asarray(penguins.pred, dtype=object).copy()
    truth[:3] = "Emperor"  # a class the model never had
    predicted[5] = "Macaroni"
    table = confusion(truth, predicted, penguins.classes)
    expected = skm.confusion_matrix(truth, predicted, labels=penguins.classes)
    assert table["counts"] == expected.tolist()
    assert sum(map(sum, table["counts"])) == 103 - 4
    with pytest.raises(WorkbenchError, match="repeat"):
        confusion(truth, predicted, ["Adelie", "Adelie"])


def test_best_positions_follow_the_metric_direction_and_keep_ties() -> None:
    from workbench.core.metrics.names import best_positions

    assert best_positions("roc_auc", [0.81, math.nan, 0.9, 0.9, None]) == [2, 3]
    assert best_positions("rmse", [4.0, 3.5, math.inf, 3.5]) == [1, 3]
    assert best_positions("rmse", [math.nan, None]) == []
