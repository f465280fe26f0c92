"""Metrics per slice of real runs' out-of-fold predictions, against the same metrics computed
by hand with scikit-learn and the fairness figures computed by fairlearn."""

from __future__ import annotations

import json
import math

import numpy as np
import pandas as pd
import pytest
from fairlearn.metrics import (
    MetricFrame,
    demographic_parity_difference,
    equalized_odds_difference,
    false_positive_rate,
    selection_rate,
    true_positive_rate,
)
from sklearn.metrics import accuracy_score, f1_score, roc_auc_score, root_mean_squared_error

from workbench.core.errors import WorkbenchError
from workbench.core.explain.limitations import limitation_sentences
from workbench.core.explain.slices import SliceReport, slice_metrics
from workbench.core.kinds import TaskType
from workbench.core.parquet_frames import read_frame_parquet


def _data(project) -> pd.DataFrame:
    """Every column of the project's data, the ignored and the target included."""
    return read_frame_parquet(next((project.root / "data").glob("*.parquet")))


def _classes(project, model: str) -> list:
    return list(project.pipeline(model).classes_)


def _by_group(report: SliceReport) -> dict:
    return {group.value: group for group in report.groups}


def test_binary_metrics_per_value_equal_scikit_learn_by_hand(titanic) -> None:
    data, oof = _data(titanic), titanic.oof("random_forest_classifier")
    report = slice_metrics(
        data, oof, "sex", TaskType.BINARY, _classes(titanic, "random_forest_classifier")
    )
    assert report.column == "sex" and report.metric == "roc_auc" and report.folds == 3
    groups = _by_group(report)
    assert [g.value for g in report.groups] == ["male", "female"]
    sex = data["sex"].to_numpy()[oof["row"]]
    for value, group in groups.items():
        at = sex == value
        part = oof[at]
        assert group.count == at.sum() == {"male": 577, "female": 314}[value]
        assert group.metrics["accuracy"] == accuracy_score(part["y_true"], part["y_pred"])
        assert group.metrics["roc_auc"] == pytest.approx(
            roc_auc_score(part["y_true"], part["proba_1"]), abs=1e-15
        )
        per_fold = [
            roc_auc_score(fold["y_true"], fold["proba_1"]) for _, fold in part.groupby("fold")
        ]
        assert group.fold_std["roc_auc"] == pytest.approx(np.std(per_fold, ddof=1), abs=1e-15)
        assert group.folds == 3


def test_fairness_figures_equal_fairlearn(titanic) -> None:
    data, oof = _data(titanic), titanic.oof("xgboost_classifier")
    report = slice_metrics(
        data, oof, "pclass", TaskType.BINARY, _classes(titanic, "xgboost_classifier")
    )
    sensitive = data["pclass"].to_numpy()[oof["row"]]
    frame = MetricFrame(
        metrics={
            "selection_rate": selection_rate,
            "true_positive_rate": true_positive_rate,
            "false_positive_rate": false_positive_rate,
        },
        y_true=oof["y_true"],
        y_pred=oof["y_pred"],
        sensitive_features=sensitive,
    )
    groups = _by_group(report)
    assert list(groups) == ["1", "2", "3"]  # codes in their order
    for value, rates in frame.by_group.iterrows():
        assert groups[str(value)].rates == pytest.approx(rates.to_dict(), abs=1e-15)
    expected = {
        "demographic_parity_difference": demographic_parity_difference(
            oof["y_true"], oof["y_pred"], sensitive_features=sensitive
        ),
        "equalized_odds_difference": equalized_odds_difference(
            oof["y_true"], oof["y_pred"], sensitive_features=sensitive
        ),
    }
    assert report.fairness == pytest.approx(expected, abs=1e-15)
    # Third class passengers are predicted to survive far less often.
    assert groups["3"].rates["selection_rate"] < groups["1"].rates["selection_rate"]


def test_numbers_are_binned_by_quantiles_and_missing_is_a_group(titanic) -> None:
    data, oof = _data(titanic), titanic.oof("logistic_regression")
    report = slice_metrics(
        data, oof, "age", TaskType.BINARY, _classes(titanic, "logistic_regression"), bins=4
    )
    ages = data["age"].to_numpy()[oof["row"]]
    edges = np.quantile(data["age"].dropna(), [0, 0.25, 0.5, 0.75, 1.0])
    expected = pd.cut(ages, edges, include_lowest=True)
    names = [g.value for g in report.groups]
    assert names == ["[0.42, 20.12]", "(20.12, 28]", "(28, 38]", "(38, 80]", "missing"]
    counts = pd.Series(expected).value_counts(sort=False).tolist()
    assert [g.count for g in report.groups] == [*counts, int(np.isnan(ages).sum())]
    missing = _by_group(report)["missing"]
    at = np.isnan(ages)
    assert missing.count == 177
    assert missing.metrics["accuracy"] == accuracy_score(oof["y_true"][at], oof["y_pred"][at])


def test_two_columns_and_a_column_the_model_never_saw(titanic) -> None:
    data, oof = _data(titanic), titanic.oof("random_forest_classifier")
    classes = _classes(titanic, "random_forest_classifier")
    report = slice_metrics(data, oof, ["sex", "pclass"], TaskType.BINARY, classes)
    assert report.column == "sex × pclass" and len(report.groups) == 6
    group = _by_group(report)["female × 1"]
    assert group.values == ("female", "1")
    rows = oof["row"].to_numpy()
    at = (data["sex"].to_numpy()[rows] == "female") & (data["pclass"].to_numpy()[rows] == 1)
    assert group.count == 94
    assert group.metrics["accuracy"] == accuracy_score(oof["y_true"][at], oof["y_pred"][at])
    # `who` (man, woman, child) is a feature; `alive` was set aside: both can be sliced.
    alive = slice_metrics(data, oof, "alive", TaskType.BINARY, classes)
    assert [g.value for g in alive.groups] == ["no", "yes"]
    assert "roc_auc" not in alive.groups[0].metrics  # one true class in the group: no AUC
    assert alive.gap is None  # no group has the run's metric


def test_many_categories_merge_into_other(titanic) -> None:
    data, oof = _data(titanic), titanic.oof("random_forest_classifier")
    report = slice_metrics(
        data,
        oof,
        "deck",
        TaskType.BINARY,
        _classes(titanic, "random_forest_classifier"),
        max_groups=4,
    )
    assert [g.value for g in report.groups] == ["C", "B", "D", "other", "missing"]
    assert _by_group(report)["other"].count == 32 + 15 + 13 + 4  # E, A, F, G
    assert sum(g.count for g in report.groups) == 891


def test_largest_gap_and_the_card_sentences(titanic) -> None:
    data, oof = _data(titanic), titanic.oof("random_forest_classifier")
    classes = _classes(titanic, "random_forest_classifier")
    report = slice_metrics(data, oof, "sex", TaskType.BINARY, classes, metric="accuracy")
    gap = report.gap
    groups = _by_group(report)
    male, female = groups["male"].metrics["accuracy"], groups["female"].metrics["accuracy"]
    best, worst = ("male", "female") if male > female else ("female", "male")
    assert (gap.best, gap.worst, gap.metric) == (best, worst, "accuracy")
    assert gap.difference == pytest.approx(abs(male - female), abs=1e-15)
    errors = [groups[g].fold_std["accuracy"] / math.sqrt(3) for g in (best, worst)]
    assert gap.standard_error == pytest.approx(math.hypot(*errors), abs=1e-15)
    assert gap.clear == (gap.difference > 2 * gap.standard_error)
    sentences = limitation_sentences([report])
    counts = {"male": 577, "female": 314}
    verdict = (
        f"more than twice its standard error across folds ({gap.standard_error:.3f})"
        if gap.clear
        else f"within twice its standard error across folds ({gap.standard_error:.3f}): "
        "it may be noise"
    )
    assert sentences[0] == (
        f"By sex: Accuracy is {gap.worst_value:.3f} for sex = {worst} ({counts[worst]} rows) "
        f"against {gap.best_value:.3f} for sex = {best} ({counts[best]} rows) "
        f"(higher is better), a gap of {gap.difference:.3f} in out-of-fold predictions, "
        f"{verdict}."
    )
    rates = {g.value: g.rates["selection_rate"] for g in report.groups}
    assert sentences[1] == (
        f"By sex: the model predicts the positive class for {100 * rates['male']:.0f}% of "
        f"sex = male (577 rows) and {100 * rates['female']:.0f}% of sex = female (314 rows) "
        f"(demographic parity difference "
        f"{report.fairness['demographic_parity_difference']:.3f}); its true and false "
        f"positive rates differ between groups by up to "
        f"{report.fairness['equalized_odds_difference']:.3f} (equalized odds difference)."
    )
    assert len(sentences) == 2
    # Small groups are no finding: with 600 rows needed, no gap is quoted.
    strict = slice_metrics(data, oof, "sex", TaskType.BINARY, classes, min_rows=600)
    assert strict.gap is None
    assert limitation_sentences([strict])[0].startswith("By sex: the model predicts")


def test_multiclass_and_regression_slices(penguins, insurance) -> None:
    oof = penguins.oof("knn_classifier")
    report = slice_metrics(
        _data(penguins), oof, "island", TaskType.MULTICLASS, _classes(penguins, "knn_classifier")
    )
    assert report.metric == "f1_macro" and report.fairness == {}
    island = _data(penguins)["island"].to_numpy()[oof["row"]]
    for group in report.groups:
        at = island == group.value
        part = oof[at]
        expected = f1_score(part["y_true"], part["y_pred"], average="macro")
        assert group.metrics["f1_macro"] == pytest.approx(expected, abs=1e-15)
        assert group.rates == {}
    oof = insurance.oof("ridge")
    data = _data(insurance)
    report = slice_metrics(data, oof, "smoker", TaskType.REGRESSION)
    smoker = data["smoker"].to_numpy()[oof["row"]]
    for group in report.groups:
        at = smoker == group.value
        expected = root_mean_squared_error(oof["y_true"][at], oof["y_pred"][at])
        assert group.metrics["rmse"] == pytest.approx(expected, rel=1e-12)
    assert report.gap.worst == "yes"  # the linear model misses smokers' charges most


def test_json_round_trip(titanic) -> None:
    data, oof = _data(titanic), titanic.oof("random_forest_classifier")
    report = slice_metrics(
        data, oof, ["sex", "age"], TaskType.BINARY, _classes(titanic, "random_forest_classifier")
    )
    document = json.loads(json.dumps(report.to_dict(), allow_nan=False))
    assert document["column"] == "sex × age" and document["columns"] == ["sex", "age"]
    first = document["groups"][0]
    assert list(first)[:4] == ["value", "values", "count", "folds"]
    assert first["accuracy"] == report.groups[0].metrics["accuracy"]
    assert first["selection_rate"] == report.groups[0].rates["selection_rate"]
    assert document["largest_gap"]["metric"] == "roc_auc"
    again = SliceReport.from_dict(document)
    assert again.to_dict() == report.to_dict()
    with pytest.raises(WorkbenchError, match="not a slice report"):
        SliceReport.from_dict({"columns": ["sex"]})


def test_bad_requests_name_the_problem(titanic) -> None:
    data, oof = _data(titanic), titanic.oof("random_forest_classifier")
    classes = _classes(titanic, "random_forest_classifier")
    with pytest.raises(WorkbenchError, match="column 'cabin' is not in the data"):
        slice_metrics(data, oof, "cabin", TaskType.BINARY, classes)
    with pytest.raises(WorkbenchError, match="slice by one or two columns, not 3"):
        slice_metrics(data, oof, ["sex", "age", "deck"], TaskType.BINARY, classes)
    with pytest.raises(WorkbenchError, match="metric 'rmse' does not apply to a binary task"):
        slice_metrics(data, oof, "sex", TaskType.BINARY, classes, metric="rmse")
    with pytest.raises(WorkbenchError, match="needs the model's classes"):
        slice_metrics(data, oof, "sex", TaskType.BINARY)
    with pytest.raises(WorkbenchError, match="the predictions name row 890, the data has 100"):
        slice_metrics(data.iloc[:100], oof, "sex", TaskType.BINARY, classes)
