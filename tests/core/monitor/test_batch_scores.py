"""batch_checks.scores, the numpy-only scoring the exported service runs, against scikit-learn.

Every metric of every task equals scikit-learn's own function to 1e-12 on real predictions of
shared datasets (titanic binary, penguins multiclass, insurance regression), and the skips
are the experiment log's (`score_all`), reason for reason: ties among the scores, a class
absent from the batch, one class only, a class never predicted (the zero divisions
scikit-learn warns about), no probabilities, a constant or zero-holding target, one row.
The run's side the scores are set beside (PerformanceReference) is read back from its JSON.
"""

from __future__ import annotations

import json
import warnings
from collections.abc import Callable, Sequence
from typing import Any, NamedTuple

import numpy as np
import pytest
from _monitor_runs import FittedRun

from workbench.core.batch_checks.scores import class_codes, score_rows
from workbench.core.errors import WorkbenchError
from workbench.core.kinds import TaskType
from workbench.core.metrics.names import metrics_for
from workbench.core.metrics.scores import score_all
from workbench.core.monitor.performance import (
    PerformanceReference,
    fold_interval,
    performance_reference,
)

pytestmark = pytest.mark.shared_data
Fitted = Callable[[str, TaskType], FittedRun]


class Rows(NamedTuple):
    """Labelled rows as a model's classes name them (values for regression)."""

    task: TaskType
    truth: Sequence[Any]
    predicted: Sequence[Any]
    proba: np.ndarray | None = None
    classes: Sequence[Any] | None = None
    positive: Any = None


def portable(rows: Rows) -> tuple[dict[str, float], dict[str, str]]:
    """batch_checks' scores of the rows."""
    task, wanted = rows.task, metrics_for(rows.task)
    if task == TaskType.REGRESSION:
        truth, predicted = np.asarray(rows.truth), np.asarray(rows.predicted)
        return score_rows(task.value, wanted, None, None, truth, predicted, None)
    classes = list(rows.classes or [])
    return score_rows(
        task.value,
        wanted,
        classes,
        rows.positive,
        class_codes(classes, np.asarray(rows.truth)),
        class_codes(classes, np.asarray(rows.predicted)),
        rows.proba,
    )


def sklearn_scores(rows: Rows) -> dict[str, float]:
    """Each metric by scikit-learn's own function, as names.py defines it."""
    from sklearn import metrics as skm
    from sklearn.preprocessing import label_binarize

    t, p, proba, positive = (
        np.asarray(rows.truth),
        np.asarray(rows.predicted),
        rows.proba,
        rows.positive,
    )
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        if rows.task == TaskType.REGRESSION:
            return {
                "mae": skm.mean_absolute_error(t, p),
                "mse": skm.mean_squared_error(t, p),
                "rmse": skm.root_mean_squared_error(t, p),
                "r2": skm.r2_score(t, p),
                "mape": skm.mean_absolute_percentage_error(t, p),
                "median_ae": skm.median_absolute_error(t, p),
            }
        scores = {
            "accuracy": skm.accuracy_score(t, p),
            "balanced_accuracy": skm.balanced_accuracy_score(t, p),
            "mcc": skm.matthews_corrcoef(t, p),
        }
        functions = {
            "precision": skm.precision_score,
            "recall": skm.recall_score,
            "f1": skm.f1_score,
        }
        for name, function in functions.items():
            for average in ("macro", "weighted"):
                scores[f"{name}_{average}"] = function(t, p, average=average, zero_division=0)
            if rows.task == TaskType.BINARY:
                scores[name] = function(t, p, pos_label=positive, zero_division=0)
        if proba is None:
            return scores
        labels = list(rows.classes or [])
        scores["log_loss"] = skm.log_loss(t, proba, labels=labels)
        if rows.task == TaskType.BINARY:
            column = proba[:, labels.index(positive)]
            scores["brier"] = skm.brier_score_loss(t == positive, column)
            scores["roc_auc"] = skm.roc_auc_score(t == positive, column)
            scores["pr_auc"] = skm.average_precision_score(t == positive, column)
        else:
            scores["brier"] = skm.brier_score_loss(t, proba, labels=labels) / len(labels)
            scores["roc_auc"] = skm.roc_auc_score(
                t, proba, multi_class="ovr", average="macro", labels=labels
            )
            scores["pr_auc"] = skm.average_precision_score(
                label_binarize(t, classes=labels), proba, average="macro"
            )
    return {name: float(value) for name, value in scores.items()}


def assert_as_sklearn(rows: Rows) -> tuple[dict[str, float], dict[str, str]]:
    """The portable scores equal scikit-learn's to 1e-12, and score_all skips what they skip,
    for the same reasons; the portable result, for more assertions."""
    scores, skipped = portable(rows)
    expected = sklearn_scores(rows)
    for name, value in scores.items():
        assert value == pytest.approx(expected[name], rel=1e-12, abs=1e-12), name
    logged = score_all(*rows)
    assert skipped == logged.skipped
    assert set(scores) == set(logged.scores)
    assert set(scores) | set(skipped) == set(metrics_for(rows.task))
    return scores, skipped


def test_binary_scores_on_titanic(fitted: Fitted) -> None:
    run = fitted("titanic", TaskType.BINARY)
    batch = run.split.batch
    predictions = run.predict(batch)
    truth = batch["survived"].to_numpy()
    scores, skipped = assert_as_sklearn(
        Rows(TaskType.BINARY, truth, predictions.labels, predictions.proba, [0, 1], 1)
    )
    assert len(truth) == 223 and skipped == {}
    assert 0.75 < scores["accuracy"] < 0.9 and 0.8 < scores["roc_auc"] < 0.95


def test_tied_scores_count_as_scikit_learn_counts_them(fitted: Fitted) -> None:
    """Probabilities to one decimal: ten distinct scores for 223 rows, ROC and PR AUC over
    ties (and the string classes 'no' / 'yes', positive 'yes')."""
    run = fitted("titanic", TaskType.BINARY)
    batch = run.split.batch
    predictions = run.predict(batch)
    rounded = np.round(predictions.proba[:, 1], 1)
    proba = np.column_stack([1 - rounded, rounded])
    assert np.unique(rounded).size <= 11
    names = np.array(["no", "yes"])
    truth = names[batch["survived"].to_numpy()]
    predicted = names[predictions.labels.astype(int)]
    scores, _ = assert_as_sklearn(
        Rows(TaskType.BINARY, truth, predicted, proba, ["no", "yes"], "yes")
    )
    assert {"roc_auc", "pr_auc", "brier", "log_loss"} <= set(scores)


def test_multiclass_scores_on_penguins(fitted: Fitted) -> None:
    run = fitted("penguins", TaskType.MULTICLASS)
    batch = run.split.batch
    predictions = run.predict(batch)
    classes = list(run.reference.classes or ())
    scores, skipped = assert_as_sklearn(
        Rows(TaskType.MULTICLASS, batch["species"], predictions.labels, predictions.proba, classes)
    )
    assert classes == ["Adelie", "Chinstrap", "Gentoo"] and skipped == {}
    assert len(scores) == len(metrics_for(TaskType.MULTICLASS))


def test_a_class_absent_from_the_batch_and_a_class_never_predicted(fitted: Fitted) -> None:
    """No Chinstrap in the truth: the label metrics average over the classes present (in the
    truth or the predictions, as scikit-learn does) and the curves are skipped. Then every
    Gentoo predicted as Adelie: Gentoo's precision divides zero by zero, which is 0."""
    run = fitted("penguins", TaskType.MULTICLASS)
    batch = run.split.batch
    predictions = run.predict(batch)
    classes = list(run.reference.classes or ())
    keep = (batch["species"] != "Chinstrap").to_numpy()
    truth = batch["species"].to_numpy()[keep]
    _, skipped = assert_as_sklearn(
        Rows(TaskType.MULTICLASS, truth, predictions.labels[keep], predictions.proba[keep], classes)
    )
    reason = "class 'Chinstrap' is absent from the true values"
    assert skipped == {"roc_auc": reason, "pr_auc": reason}

    never = np.where(predictions.labels == "Gentoo", "Adelie", predictions.labels)
    scores, skipped = assert_as_sklearn(
        Rows(TaskType.MULTICLASS, batch["species"], never, predictions.proba, classes)
    )
    assert skipped == {} and scores["precision_macro"] < scores["recall_weighted"]


def test_one_class_only_and_nothing_predicted_positive(fitted: Fitted) -> None:
    run = fitted("titanic", TaskType.BINARY)
    batch = run.split.batch
    predictions = run.predict(batch)
    survivors = (batch["survived"] == 1).to_numpy()
    truth = batch["survived"].to_numpy()
    scores, skipped = assert_as_sklearn(
        Rows(
            TaskType.BINARY,
            truth[survivors],
            predictions.labels[survivors],
            predictions.proba[survivors],
            [0, 1],
            1,
        )
    )
    reason = "only one class (1) is present in the true values"
    assert skipped == {"roc_auc": reason, "pr_auc": reason}
    assert scores["mcc"] == 0.0
    # Nobody predicted to survive: precision, recall and F1 of the positive class are 0.
    nobody = np.zeros(len(truth), dtype=int)
    scores, _ = assert_as_sklearn(
        Rows(TaskType.BINARY, truth, nobody, predictions.proba, [0, 1], 1)
    )
    assert scores["precision"] == scores["recall"] == scores["f1"] == 0.0


def test_without_probabilities_the_probability_metrics_are_skipped(fitted: Fitted) -> None:
    run = fitted("titanic", TaskType.BINARY)
    batch = run.split.batch
    labels = run.predict(batch).labels
    _, skipped = assert_as_sklearn(
        Rows(TaskType.BINARY, batch["survived"], labels, None, [0, 1], 1)
    )
    assert skipped == dict.fromkeys(
        ("roc_auc", "pr_auc", "log_loss", "brier"), "the model gives no class probabilities"
    )


def test_regression_scores_on_insurance(fitted: Fitted) -> None:
    run = fitted("insurance", TaskType.REGRESSION)
    batch = run.split.batch
    predicted = run.predict(batch).labels
    truth = batch["charges"].to_numpy()
    scores, skipped = assert_as_sklearn(Rows(TaskType.REGRESSION, truth, predicted, None, None))
    assert skipped == {} and 0.6 < scores["r2"] < 0.9
    assert scores["rmse"] == pytest.approx(np.sqrt(scores["mse"]), rel=1e-15)


def test_regression_edge_cases(fitted: Fitted) -> None:
    """A zero in the target (MAPE undefined), one row (R² undefined), a constant target (R²
    is 1 when predicted exactly, else 0, scikit-learn's force_finite)."""
    run = fitted("insurance", TaskType.REGRESSION)
    batch = run.split.batch.head(40)
    predicted = run.predict(batch).labels
    truth = batch["charges"].to_numpy().copy()
    truth[3] = 0.0
    _, skipped = assert_as_sklearn(Rows(TaskType.REGRESSION, truth, predicted, None, None))
    assert skipped == {"mape": "the target has zeros, where a percentage error is undefined"}
    _, skipped = assert_as_sklearn(Rows(TaskType.REGRESSION, truth[:1], predicted[:1], None, None))
    assert skipped["r2"] == "R² needs at least two rows"
    constant = np.full(40, 1000.0)
    scores, _ = assert_as_sklearn(Rows(TaskType.REGRESSION, constant, predicted, None, None))
    assert scores["r2"] == 0.0
    scores, _ = assert_as_sklearn(Rows(TaskType.REGRESSION, constant, constant, None, None))
    assert scores["r2"] == 1.0 and scores["mae"] == 0.0


def test_class_codes_name_a_class_alike_whatever_its_type() -> None:
    """1, 1.0, '1' and np.int64(1) are the class 1; True stays apart from 1; unknown is -1."""
    codes = class_codes([0, 1], [1, 1.0, "1", np.int64(1), 0, "0.0", 2, "x", None])
    assert codes.tolist() == [1, 1, 1, 1, 0, 0, -1, -1, -1]
    assert class_codes([False, True], [True, 1, "True", np.True_]).tolist() == [1, -1, 1, 1]
    assert class_codes(["a", "b"], np.array(["b", "a", "c"])).tolist() == [1, 0, -1]
    assert class_codes(["a"], [["a"], {"a": 1}]).tolist() == [-1, -1]


def test_the_runs_side_round_trips_and_refuses_damage(fitted: Fitted) -> None:
    """PerformanceReference: the folds' mean, spread and interval per metric, as JSON and
    back; a damaged document is an error naming the entry."""
    run = fitted("titanic", TaskType.BINARY)
    performance = performance_reference(run.reference, 0.9)
    data = json.loads(json.dumps(performance.to_dict()))
    assert PerformanceReference.from_dict(data) == performance
    assert (data["format"], data["version"], data["level"]) == (
        "workbench-performance-reference",
        1,
        0.9,
    )
    assert (performance.folds, performance.metric) == (5, "roc_auc")
    assert [entry.name for entry in performance.metrics] == list(metrics_for(TaskType.BINARY))
    auc = next(entry for entry in performance.metrics if entry.name == "roc_auc")
    folds = run.reference.validation_scores["roc_auc"]
    assert (auc.low, auc.high) == fold_interval(folds, 0.9, (0.0, 1.0))
    assert auc.validation_mean == pytest.approx(np.mean(folds), rel=1e-15)
    assert auc.validation_std == pytest.approx(np.std(folds), rel=1e-15)
    assert auc.higher_is_better and auc.test is None

    with pytest.raises(WorkbenchError, match="is not a version 1 performance reference"):
        PerformanceReference.from_dict({**data, "version": 2})
    swapped = {**data["metrics"][0], "low": 0.9, "high": 0.1}
    with pytest.raises(WorkbenchError, match=r"'performance.metrics\[0\]' should have both ends"):
        PerformanceReference.from_dict({**data, "metrics": [swapped]})
    unknown = {**data["metrics"][0], "name": "happiness"}
    with pytest.raises(WorkbenchError, match="is not a metric: 'happiness'"):
        PerformanceReference.from_dict({**data, "metrics": [unknown]})
