"""A run's reference: what it keeps of the training rows and predictions, and its JSON."""

from __future__ import annotations

import json
from collections.abc import Callable

import numpy as np
import pytest
from _monitor_runs import FittedRun, Split

from workbench.core.errors import WorkbenchError
from workbench.core.kinds import ColumnKind, TaskType
from workbench.core.monitor.options import ReferenceOptions
from workbench.core.monitor.reference import (
    CategoryReference,
    NumericReference,
    Predictions,
    RunReference,
    UntestedColumn,
    build_reference,
)
from workbench.core.progress import Cancelled, CancelToken
from workbench.core.schema import infer_schema

pytestmark = pytest.mark.shared_data


def test_numbers_keep_decile_bins_and_quantile_points(splits: Callable[[str], Split]) -> None:
    split = splits("adult")
    reference = build_reference(split.train, split.kinds, run_id="r", task=TaskType.REGRESSION)
    age = reference.column("column_0")
    assert isinstance(age, NumericReference)
    values = split.train["column_0"].to_numpy(dtype=float)
    expected_edges = np.unique(np.quantile(values, np.arange(1, 10) / 10, method="inverted_cdf"))
    assert age.edges == tuple(expected_edges)
    counts, _ = np.histogram(values, bins=[-np.inf, *expected_edges, np.inf])
    assert age.counts == tuple(counts) and sum(age.counts) == len(values)
    assert len(age.points) == 2000
    assert age.points == tuple(sorted(age.points))
    assert set(age.points) <= set(values)  # real ages, no interpolated ones
    assert (age.rows, age.missing) == (len(split.train), 0)
    gain = reference.column("column_10")  # capital gain: mostly zero, so few bins
    assert isinstance(gain, NumericReference)
    assert len(gain.edges) < 9 and gain.edges[0] == 0.0


def test_categories_keep_counts_the_rest_pooled(splits: Callable[[str], Split]) -> None:
    split = splits("adult")
    options = ReferenceOptions(max_categories=5)
    reference = build_reference(
        split.train, split.kinds, run_id="r", task=TaskType.REGRESSION, options=options
    )
    country = reference.column("column_13")
    assert isinstance(country, CategoryReference)
    counts = split.train["column_13"].value_counts()
    assert country.categories == tuple(counts.index[:5])
    assert country.counts == tuple(int(c) for c in counts.iloc[:5])
    assert country.other == int(counts.iloc[5:].sum())
    assert country.missing == int(split.train["column_13"].isna().sum()) > 0


def test_penguins_keep_every_value_as_a_point(splits: Callable[[str], Split]) -> None:
    split = splits("penguins")
    reference = build_reference(split.train, split.kinds, run_id="r", task=TaskType.REGRESSION)
    bill = reference.column("bill_length_mm")
    assert isinstance(bill, NumericReference)
    assert bill.points == tuple(np.sort(split.train["bill_length_mm"].dropna().to_numpy()))
    assert reference.schema == infer_schema(split.train, split.kinds)
    assert reference.rows == len(split.train)


def test_dates_text_and_identifiers_are_kept_untested(splits: Callable[[str], Split]) -> None:
    split = splits("credit_data")
    assert split.kinds["rownames"] == ColumnKind.IDENTIFIER
    reference = build_reference(split.train, split.kinds, run_id="r", task=TaskType.REGRESSION)
    rownames = reference.column("rownames")
    assert isinstance(rownames, UntestedColumn)
    assert rownames.reason == "identifiers name rows: they are not tested for drift"
    train = split.train.assign(when=np.datetime64("2024-01-01"))
    kinds = {**split.kinds, "when": ColumnKind.DATETIME}
    dated = build_reference(train, kinds, run_id="r", task=TaskType.REGRESSION)
    assert dated.column("when").test is None


def test_predictions_are_summarised_like_columns(
    fitted: Callable[[str, TaskType], FittedRun],
) -> None:
    run = fitted("titanic", TaskType.BINARY)
    predicted, probability = run.reference.predictions
    assert isinstance(predicted, CategoryReference)
    assert (predicted.name, predicted.categories) == ("prediction", ("0", "1"))
    assert predicted.counts == (
        int((run.oof.labels == 0).sum()),
        int((run.oof.labels == 1).sum()),
    )
    assert isinstance(probability, NumericReference)
    assert probability.name == "proba_1"
    assert probability.points == tuple(np.sort(run.oof.proba[:, 1]))
    assert run.reference.classes == (0, 1) and run.reference.positive == 1
    assert run.reference.metric == "roc_auc"
    assert len(run.reference.validation_scores["accuracy"]) == 5


def test_the_reference_round_trips_through_json(
    fitted: Callable[[str, TaskType], FittedRun],
) -> None:
    for name, task in (("titanic", TaskType.BINARY), ("penguins", TaskType.MULTICLASS)):
        reference = fitted(name, task).reference
        text = json.dumps(reference.to_dict(), allow_nan=False)
        assert RunReference.from_dict(json.loads(text)) == reference


def test_a_damaged_reference_is_named(fitted: Callable[[str, TaskType], FittedRun]) -> None:
    data = fitted("titanic", TaskType.BINARY).reference.to_dict()
    with pytest.raises(WorkbenchError, match="not a version 1 monitor reference"):
        RunReference.from_dict({**data, "version": 7})
    columns = [dict(data["columns"][0]), *data["columns"][1:]]
    numeric = next(i for i, c in enumerate(columns) if c["test"] == "ks")
    original = columns[numeric]
    columns[numeric] = dict(original, counts=[1, 2])
    where = rf"'reference.columns\[{numeric}\]"
    with pytest.raises(WorkbenchError, match=rf"{where}.counts' should hold one count more"):
        RunReference.from_dict({**data, "columns": columns})
    columns[numeric] = dict(original, points=[1.0, "x"])
    with pytest.raises(WorkbenchError, match=rf"{where}.points\[1\]' should be a number"):
        RunReference.from_dict({**data, "columns": columns})


def test_bad_inputs_are_refused(splits: Callable[[str], Split]) -> None:
    split = splits("penguins")
    kinds = dict(split.kinds)
    del kinds["island"]
    with pytest.raises(WorkbenchError, match="no kind given for column 'island'"):
        build_reference(split.train, kinds, run_id="r", task=TaskType.REGRESSION)
    with pytest.raises(WorkbenchError, match="needs its classes"):
        build_reference(split.train, split.kinds, run_id="r", task=TaskType.MULTICLASS)
    oof = Predictions(np.array(["Adelie"] * len(split.train)), np.ones((len(split.train), 2)))
    with pytest.raises(WorkbenchError, match="probabilities for 2 classes, but the run has 3"):
        build_reference(
            split.train,
            split.kinds,
            run_id="r",
            task=TaskType.MULTICLASS,
            classes=["Adelie", "Chinstrap", "Gentoo"],
            oof=oof,
        )
    with pytest.raises(WorkbenchError, match="5 predictions but probabilities of shape"):
        Predictions(np.zeros(5), np.zeros((4, 2)))


def test_progress_and_cancel_between_columns(splits: Callable[[str], Split]) -> None:
    split = splits("adult")
    seen: list[tuple[float, str]] = []
    build_reference(
        split.train,
        split.kinds,
        run_id="r",
        task=TaskType.REGRESSION,
        progress=lambda f, m: seen.append((f, m)),
    )
    assert seen[0] == (0.0, "Summarising column 'column_0'")
    assert seen[-1] == (1.0, "Reference ready")
    assert len(seen) == len(split.train.columns) + 2
    token = CancelToken()

    def stop_at_third(fraction: float, message: str) -> None:
        if message == "Summarising column 'column_2'":
            token.cancel()

    with pytest.raises(Cancelled):
        build_reference(
            split.train,
            split.kinds,
            run_id="r",
            task=TaskType.REGRESSION,
            progress=stop_at_third,
            cancel=token,
        )
