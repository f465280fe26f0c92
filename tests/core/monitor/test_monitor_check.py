"""Checking batches of the shared datasets against a reference: what drifts, what does not,
what fails validation, and the numbers against scipy's."""

from __future__ import annotations

import json
from collections.abc import Callable

import numpy as np
import pandas as pd
import pytest
from _monitor_runs import FittedRun, Split
from scipy import stats

from workbench.core.errors import WorkbenchError
from workbench.core.kinds import ColumnKind, TaskType
from workbench.core.metrics.scores import score_all
from workbench.core.monitor.check import check_batch
from workbench.core.monitor.options import DriftOptions
from workbench.core.monitor.reference import (
    UNTESTED_REASONS,
    Predictions,
    RunReference,
    build_reference,
)
from workbench.core.monitor.report import DriftReport
from workbench.core.progress import Cancelled, CancelToken
from workbench.core.schema import ProblemCheck

pytestmark = pytest.mark.shared_data

HELD_OUT = [
    "adult",
    "diamonds",
    "bank",
    "penguins",
    "titanic",
    "credit_data",
    "insurance",
    "mushrooms",
]


def _reference(split: Split) -> RunReference:
    return build_reference(split.train, split.kinds, run_id="run", task=TaskType.REGRESSION)


def _move(series: pd.Series, source: str, destination: str, share: float) -> pd.Series:
    """`share` of the rows holding `source` relabelled `destination` (seeded)."""
    rows = np.flatnonzero((series == source).to_numpy())
    chosen = np.random.default_rng(1).choice(rows, int(rows.size * share), replace=False)
    moved = series.copy()
    moved.iloc[chosen] = destination
    return moved


@pytest.mark.parametrize("dataset", HELD_OUT)
def test_a_held_out_slice_has_not_drifted(splits: Callable[[str], Split], dataset: str) -> None:
    split = splits(dataset)
    report = check_batch(_reference(split), split.batch.drop(columns=[split.target]))
    tested = [column for column in report.columns if column.test is not None]
    untested = [name for name, kind in split.kinds.items() if kind in UNTESTED_REASONS]
    assert len(tested) == report.tests == len(split.train.columns) - len(untested)
    assert report.drifted_columns == []
    assert not report.drifted
    assert not report.blocking
    assert all(column.p_value is not None for column in tested)


SHIFTS = [
    ("adult", "column_0", lambda s: s + 5),  # age, five years older
    ("adult", "column_12", lambda s: s * 1.25),  # hours per week
    ("adult", "column_9", lambda s: _move(s, "Male", "Female", 0.3)),  # sex
    ("adult", "column_5", lambda s: _move(s, "Married-civ-spouse", "Never-married", 0.4)),
    ("diamonds", "carat", lambda s: s + 0.2),
    ("diamonds", "depth", lambda s: s * 1.02),
    ("diamonds", "cut", lambda s: _move(s, "Ideal", "Good", 0.4)),
    ("penguins", "bill_length_mm", lambda s: s + 4),
    ("penguins", "body_mass_g", lambda s: s * 1.2),
    ("penguins", "island", lambda s: _move(s, "Biscoe", "Dream", 0.6)),
    ("titanic", "fare", lambda s: s * 2),
    ("titanic", "sex", lambda s: _move(s, "male", "female", 0.5)),
    ("bank", "euribor3m", lambda s: s * 1.5),
    ("bank", "job", lambda s: _move(s, "admin.", "retired", 0.6)),
]


@pytest.mark.parametrize(("dataset", "column", "shift"), SHIFTS)
def test_a_shifted_column_and_only_it_drifts(
    splits: Callable[[str], Split],
    dataset: str,
    column: str,
    shift: Callable[[pd.Series], pd.Series],
) -> None:
    split = splits(dataset)
    batch = split.batch.drop(columns=[split.target])
    report = check_batch(_reference(split), batch.assign(**{column: shift(batch[column])}))
    assert report.drifted_columns == [column]
    assert report.drifted
    (moved,) = [c for c in report.columns if c.name == column]
    assert moved.p_value < report.alpha_per_test
    assert moved.note.startswith("drifted: ")


def test_a_renamed_column_fails_validation_naming_it(splits: Callable[[str], Split]) -> None:
    split = splits("penguins")
    batch = split.batch.drop(columns=[split.target]).rename(columns={"island": "Island"})
    report = check_batch(_reference(split), batch)
    problems = {(p.check, p.column): p for p in report.validation}
    missing = problems[(ProblemCheck.MISSING_COLUMN, "island")]
    assert missing.blocking
    assert missing.message == "required column 'island' is missing"
    extra = problems[(ProblemCheck.EXTRA_COLUMN, "Island")]
    assert not extra.blocking
    assert report.blocking
    (island,) = [c for c in report.columns if c.name == "island"]
    assert (island.test, island.p_value, island.drifted, island.note) == (
        "chi2",
        None,
        False,
        "not in the batch",
    )
    assert report.tests == len(split.train.columns) - 1
    assert report.drifted_columns == []


def test_statistics_equal_scipys_on_the_same_arrays(splits: Callable[[str], Split]) -> None:
    """Penguins has fewer training rows than the reference keeps points: the KS points are the
    training values themselves, so the report's statistics are scipy's on the raw columns."""
    split = splits("penguins")
    reference = _reference(split)
    batch = split.batch.drop(columns=[split.target])
    batch = batch.assign(flipper_length_mm=batch["flipper_length_mm"] + 3)
    report = check_batch(reference, batch)
    for column in report.columns:
        train = split.train[column.name].dropna()
        new = batch[column.name].dropna()
        if column.test == "ks":
            expected = stats.ks_2samp(train.to_numpy(float), new.to_numpy(float))
            assert column.statistic == pytest.approx(expected.statistic, rel=1e-12)
            n1, n2 = len(train), len(new)
            scale = np.sqrt(n1 * n2 / (n1 + n2))
            assert column.p_value == pytest.approx(
                stats.kstwobign.sf(expected.statistic * scale), rel=1e-9
            )
        else:
            table = pd.crosstab(
                np.r_[np.zeros(len(train)), np.ones(len(new))],
                np.r_[train.to_numpy(str), new.to_numpy(str)],
            )
            expected = stats.chi2_contingency(table.to_numpy(), correction=False)
            assert column.statistic == pytest.approx(expected.statistic, rel=1e-10)
            assert column.p_value == pytest.approx(expected.pvalue, rel=1e-9)
            train_shares = train.value_counts(normalize=True)
            new_shares = new.value_counts(normalize=True)
            categories = sorted(set(train_shares.index) | set(new_shares.index))
            p = train_shares.reindex(categories, fill_value=0).to_numpy()
            q = new_shares.reindex(categories, fill_value=0).to_numpy()
            assert column.distance == pytest.approx(0.5 * np.abs(p - q).sum(), rel=1e-12)
    (flipper,) = [c for c in report.columns if c.name == "flipper_length_mm"]
    edges = [-np.inf, *reference.column("flipper_length_mm").edges, np.inf]
    p, _ = np.histogram(split.train["flipper_length_mm"].dropna(), bins=edges)
    q, _ = np.histogram(batch["flipper_length_mm"].dropna(), bins=edges)
    p = np.maximum(p / p.sum(), 1e-4)
    q = np.maximum(q / q.sum(), 1e-4)
    assert flipper.psi == pytest.approx(float(np.sum((q - p) * np.log(q / p))), rel=1e-12)
    assert flipper.batch_shares == pytest.approx(tuple(q))


@pytest.mark.slow
def test_a_million_rows_of_an_unchanged_batch_do_not_drift(splits: Callable[[str], Split]) -> None:
    """A million rows drawn from the held-out slice: KS and chi-square see tiny sampling
    differences as significant at that size, the effect sizes keep them from drifting."""
    split = splits("adult")
    batch = split.batch.drop(columns=[split.target])
    rows = np.random.default_rng(2).integers(0, len(batch), 1_000_000)
    big = batch.iloc[rows].reset_index(drop=True)
    report = check_batch(_reference(split), big)
    assert report.rows == 1_000_000
    assert report.drifted_columns == []
    significant = [c.name for c in report.columns if c.p_value < report.alpha_per_test]
    assert significant  # the tests alone would have flagged these
    shifted = check_batch(_reference(split), big.assign(column_12=big["column_12"] + 3))
    assert shifted.drifted_columns == ["column_12"]


def test_chunks_progress_and_cancel(splits: Callable[[str], Split]) -> None:
    split = splits("adult")
    reference = _reference(split)
    batch = split.batch.drop(columns=[split.target])
    whole = check_batch(reference, batch)
    seen: list[tuple[float, str]] = []
    chunked = check_batch(
        reference, batch, chunk_rows=1000, progress=lambda f, m: seen.append((f, m))
    )
    assert chunked == whole
    assert len(seen) == 10  # nine chunks of 1,000 rows and the last of 141, then done
    assert [f for f, _ in seen] == sorted(f for f, _ in seen)
    assert seen[0][1] == f"Checked 1,000 of {len(batch):,} rows"
    assert seen[-1] == (1.0, "Check done")
    token = CancelToken()
    calls: list[float] = []

    def cancel_after_two(fraction: float, message: str) -> None:
        calls.append(fraction)
        if len(calls) == 2:
            token.cancel()

    with pytest.raises(Cancelled):
        check_batch(reference, batch, chunk_rows=1000, progress=cancel_after_two, cancel=token)
    assert len(calls) == 2


def test_validation_counts_rows_and_keeps_examples(splits: Callable[[str], Split]) -> None:
    split = splits("titanic")
    reference = _reference(split)
    batch = split.batch.drop(columns=[split.target]).copy()
    batch["fare"] = batch["fare"].astype(object)
    batch.loc[[3, 7, 8], "fare"] = "free"
    batch.loc[[10, 11], "embark_town"] = "Dublin"
    batch.loc[[5, 6], "pclass"] = None  # pclass was never missing
    batch.loc[[1], "age"] = 120.0  # and row 12 is 0.42, younger than anyone in training
    report = check_batch(reference, batch, options=DriftOptions(examples=2))
    problems = {(p.check, p.column): p for p in report.validation}
    wrong = problems[(ProblemCheck.WRONG_TYPE, "fare")]
    assert (wrong.blocking, wrong.count, wrong.rows, wrong.values) == (
        True,
        3,
        (4, 8),
        ("free", "free"),
    )
    unseen = problems[(ProblemCheck.UNSEEN_CATEGORY, "embark_town")]
    assert (unseen.count, unseen.rows, unseen.values) == (2, (11, 12), ("Dublin",))
    new_missing = problems[(ProblemCheck.NEW_MISSING, "pclass")]
    assert (new_missing.count, new_missing.rows) == (2, (6, 7))
    outside = problems[(ProblemCheck.OUT_OF_RANGE, "age")]
    assert (outside.count, outside.rows) == (2, (2, 12))
    assert (
        outside.message.startswith("'age' ranges ")
        and "outside the training range" in outside.message
    )
    assert report.blocking
    (fare,) = [c for c in report.columns if c.name == "fare"]
    assert fare.rows == batch["fare"].notna().sum() - 3  # the text is left out of the test


def test_a_column_whose_missing_share_rose(splits: Callable[[str], Split]) -> None:
    split = splits("adult")
    batch = split.batch.drop(columns=[split.target]).copy()
    batch.loc[: len(batch) // 2, "column_1"] = None  # workclass: 6% missing in training
    report = check_batch(_reference(split), batch)
    (problem,) = [p for p in report.validation if p.check == ProblemCheck.MORE_MISSING]
    assert problem.column == "column_1"
    assert problem.count == batch["column_1"].isna().sum()
    assert problem.rows == (1, 2, 3, 4, 5)
    assert not problem.blocking
    (column,) = [c for c in report.columns if c.name == "column_1"]
    assert column.missing_batch == pytest.approx(batch["column_1"].isna().mean())
    assert report.drifted_columns == []  # the values present did not move


def test_flags_read_as_floats_or_integers_name_the_same_categories(
    splits: Callable[[str], Split],
) -> None:
    """A 0/1 column is floats when it has a missing value and integers when it has none."""
    split = splits("titanic")
    train = split.train[["sex"]].assign(flag=(split.train["sibsp"] > 0).astype(float))
    train.loc[0, "flag"] = np.nan
    kinds = {"sex": split.kinds["sex"], "flag": ColumnKind.BOOLEAN}
    reference = build_reference(train, kinds, run_id="r", task=TaskType.REGRESSION)
    assert reference.column("flag").categories == ("0", "1")
    batch = split.batch[["sex"]].assign(flag=(split.batch["sibsp"] > 0).astype(int))
    report = check_batch(reference, batch)
    assert report.validation == ()
    assert report.drifted_columns == []


def test_prediction_drift_and_scores_of_a_labelled_batch(
    fitted: Callable[[str, TaskType], FittedRun],
) -> None:
    run = fitted("titanic", TaskType.BINARY)
    batch = run.split.batch
    predictions = run.predict(batch)
    report = check_batch(run.reference, batch, predictions)
    assert [d.name for d in report.prediction_drift] == ["prediction", "proba_1"]
    assert not report.predictions_drifted
    assert report.tests == len(run.split.train.columns) + 2
    assert not [p for p in report.validation if p.column == run.split.target]
    metrics = report.metrics
    assert metrics is not None and metrics.rows == len(batch) and metrics.folds == 5
    expected = score_all(
        TaskType.BINARY, batch["survived"], predictions.labels, predictions.proba, [0, 1], 1
    )
    scored = {check.name: check for check in metrics.metrics}
    assert {name: check.batch for name, check in scored.items() if check.batch is not None} == (
        pytest.approx(expected.scores)
    )
    auc = scored["roc_auc"]
    folds = run.reference.validation_scores["roc_auc"]
    half = stats.t.ppf(0.975, 4) * np.std(folds, ddof=1) * np.sqrt(1 + 1 / 5)
    assert (auc.low, auc.high) == (
        pytest.approx(np.mean(folds) - half),
        pytest.approx(np.mean(folds) + half),
    )
    assert auc.validation_std == pytest.approx(np.std(folds))
    assert not metrics.degraded
    assert not report.drifted

    shuffled = batch.assign(survived=np.random.default_rng(0).permutation(batch["survived"]))
    worse = check_batch(run.reference, shuffled, predictions)
    assert worse.metrics is not None and worse.metrics.degraded
    assert worse.drifted and worse.drifted_columns == [] and not worse.predictions_drifted

    # Every passenger of the batch a woman: the model predicts survival for most of them.
    women = batch.assign(sex="female", who="woman", adult_male=False)
    moved = check_batch(run.reference, women.drop(columns=["survived"]), run.predict(women))
    assert moved.drifted_columns == ["sex", "who", "adult_male"]
    assert [d.name for d in moved.prediction_drift if d.drifted] == ["prediction", "proba_1"]
    (classes,) = [d for d in moved.prediction_drift if d.name == "prediction"]
    assert classes.bins == ("0", "1", "(other)")
    assert classes.batch_shares[1] > 0.8 > 0.5 > classes.reference_shares[1]
    assert moved.metrics is None


def test_multiclass_and_regression_outputs(fitted: Callable[[str, TaskType], FittedRun]) -> None:
    penguins = fitted("penguins", TaskType.MULTICLASS)
    report = check_batch(
        penguins.reference, penguins.split.batch, penguins.predict(penguins.split.batch)
    )
    assert [d.name for d in report.prediction_drift] == [
        "prediction",
        "proba_Adelie",
        "proba_Chinstrap",
        "proba_Gentoo",
    ]
    assert not report.drifted
    insurance = fitted("insurance", TaskType.REGRESSION)
    batch = insurance.split.batch
    report = check_batch(insurance.reference, batch, insurance.predict(batch))
    assert [(d.name, d.test) for d in report.prediction_drift] == [("prediction", "ks")]
    assert report.metrics is not None
    assert {c.name for c in report.metrics.metrics} == {
        "mae",
        "mse",
        "rmse",
        "r2",
        "mape",
        "median_ae",
    }
    assert not report.drifted


def test_target_values_the_model_does_not_know(
    fitted: Callable[[str, TaskType], FittedRun],
) -> None:
    """adult-test's labels end in a full stop: '>50K.' is not the class '>50K'."""
    run = fitted("penguins", TaskType.MULTICLASS)
    batch = run.split.batch.copy()
    batch.loc[[2, 4], "species"] = "Emperor"
    report = check_batch(run.reference, batch, run.predict(batch))
    (problem,) = [p for p in report.validation if p.column == "species"]
    assert (problem.check, problem.count, problem.rows, problem.values) == (
        ProblemCheck.UNSEEN_CATEGORY,
        2,
        (3, 5),
        ("Emperor",),
    )
    assert report.metrics is not None and report.metrics.rows == len(batch) - 2


def test_the_report_is_json_of_the_documented_shape(
    fitted: Callable[[str, TaskType], FittedRun],
) -> None:
    run = fitted("titanic", TaskType.BINARY)
    batch = run.split.batch
    report = check_batch(run.reference, batch, run.predict(batch))
    data = json.loads(json.dumps(report.to_dict(), allow_nan=False))
    assert DriftReport.from_dict(data) == report
    assert set(data) == {
        "format", "version", "run_id", "rows", "reference_rows", "drifted", "options", "tests",
        "alpha_per_test", "columns", "prediction_drift", "validation", "metrics",
    }  # fmt: skip
    assert {"name", "test", "statistic", "p_value", "psi", "drifted"} <= set(data["columns"][0])
    assert data["options"] == DriftOptions().to_dict()
    assert data["alpha_per_test"] == pytest.approx(0.05 / data["tests"])
    assert set(data["validation"]) == {"blocking", "problems"}
    unlabelled = check_batch(run.reference, batch.drop(columns=["survived"]))
    assert "metrics" not in unlabelled.to_dict()
    assert unlabelled.prediction_drift == ()
    damaged = dict(data, columns=[dict(data["columns"][0], p_value="small")])
    with pytest.raises(WorkbenchError, match=r"'report.columns\[0\].p_value' should be"):
        DriftReport.from_dict(damaged)


def test_bad_batches_are_refused_with_a_reason(splits: Callable[[str], Split]) -> None:
    split = splits("penguins")
    reference = _reference(split)
    batch = split.batch.drop(columns=[split.target])
    with pytest.raises(WorkbenchError, match="the batch has no rows to check"):
        check_batch(reference, batch.iloc[:0])
    with pytest.raises(WorkbenchError, match="3 predictions for a batch of 86 rows"):
        check_batch(reference, batch, Predictions(np.zeros(3)))
    twice = pd.concat([batch, batch[["island"]]], axis=1)
    with pytest.raises(WorkbenchError, match="more than one column named 'island'"):
        check_batch(reference, twice)
