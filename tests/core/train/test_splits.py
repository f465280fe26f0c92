"""Split plans on the real datasets: no test row is ever validated on, folds cover the rest,
stratification holds, the hash split is stable, groups and time are respected."""

from __future__ import annotations

import hashlib
from functools import cache
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from workbench.core.errors import WorkbenchError
from workbench.core.io.table import read_table
from workbench.core.kinds import TaskType
from workbench.core.specs import SplitSpec
from workbench.core.train.splits import SplitPlan, hash_bucket, plan_split

B, M, R = TaskType.BINARY, TaskType.MULTICLASS, TaskType.REGRESSION


@cache
def _read(shared_data: Path, relative: str) -> pd.DataFrame:
    return read_table(shared_data / relative).frame


def _penguins(shared_data: Path) -> pd.DataFrame:
    return _read(shared_data, "clean/penguins.csv")


def _titanic(shared_data: Path) -> pd.DataFrame:
    return _read(shared_data, "clean/titanic.csv")


def _credit(shared_data: Path) -> pd.DataFrame:
    return _read(shared_data, "clean/modeldata_credit_data.csv")


def _assert_partition(plan: SplitPlan, n_rows: int, repeats: int = 1, covered: bool = True) -> None:
    """Test rows are in no fold; each fold splits the rest; with `covered`, each repeat's
    validation sets cover the rest exactly once (k-fold)."""
    rest = np.setdiff1d(np.arange(n_rows), np.union1d(plan.test_rows, plan.unlabelled))
    k = len(plan.folds) // repeats
    for repeat in range(repeats):
        folds = plan.folds[repeat * k : (repeat + 1) * k]
        validation = np.concatenate([valid for _, valid in folds])
        if covered:
            np.testing.assert_array_equal(np.sort(validation), rest)
        for train, valid in folds:
            assert np.intersect1d(train, valid).size == 0
            np.testing.assert_array_equal(np.union1d(train, valid), rest)
            assert np.intersect1d(train, plan.test_rows).size == 0
    np.testing.assert_array_equal(plan.development_rows, rest)


def test_stratified_kfold_on_penguins(shared_data: Path) -> None:
    frame = _penguins(shared_data)
    plan = plan_split(frame, "species", M, SplitSpec(), seed=0)
    assert len(plan.test_rows) == 69  # ceil(0.2 x 344)
    assert [(len(t), len(v)) for t, v in plan.folds] == [(220, 55)] * 5
    _assert_partition(plan, len(frame))
    species = frame["species"].to_numpy()
    # The test set keeps the class shares within a row of exact.
    for label, total in frame["species"].value_counts().items():
        in_test = int((species[plan.test_rows] == label).sum())
        assert abs(in_test - total * 69 / 344) <= 1, label
    rest = plan.development_rows
    for _, valid in plan.folds:
        for label in ("Adelie", "Chinstrap", "Gentoo"):
            share = (species[rest] == label).sum() * len(valid) / len(rest)
            assert abs((species[valid] == label).sum() - share) <= 1, label
    assert plan.notes == ()


def test_same_seed_same_plan_and_another_seed_another(shared_data: Path) -> None:
    frame = _titanic(shared_data)
    first = plan_split(frame, "survived", B, SplitSpec(), seed=3)
    again = plan_split(frame, "survived", B, SplitSpec(), seed=3)
    other = plan_split(frame, "survived", B, SplitSpec(), seed=4)
    assert first.to_dict() == again.to_dict()
    assert first.test_rows.tolist() != other.test_rows.tolist()
    assert len(first.test_rows) == 179  # ceil(0.2 x 891)
    _assert_partition(first, len(frame))


def test_kfold_and_holdout_and_repeats(shared_data: Path) -> None:
    frame = _titanic(shared_data)
    kfold = plan_split(frame, "survived", B, SplitSpec("kfold", n_splits=4, test_fraction=0))
    assert kfold.test_rows.size == 0
    assert sorted(len(v) for _, v in kfold.folds) == [222, 223, 223, 223]
    _assert_partition(kfold, len(frame))
    holdout = plan_split(frame, "survived", B, SplitSpec("holdout", validation_fraction=0.25))
    assert [(len(t), len(v)) for t, v in holdout.folds] == [(534, 178)]  # 712 - ceil(178)
    _assert_partition(holdout, len(frame), covered=False)
    repeated = plan_split(
        frame, "survived", B, SplitSpec("repeated_kfold", n_splits=3, n_repeats=2)
    )
    assert len(repeated.folds) == 6
    _assert_partition(repeated, len(frame), repeats=2)
    # The two repeats shuffle differently.
    assert repeated.folds[0][1].tolist() != repeated.folds[3][1].tolist()


def test_without_shuffling_the_test_set_is_the_last_rows(shared_data: Path) -> None:
    frame = _penguins(shared_data)
    plan = plan_split(frame, "species", M, SplitSpec("kfold", shuffle=False))
    np.testing.assert_array_equal(plan.test_rows, np.arange(275, 344))
    np.testing.assert_array_equal(plan.folds[0][1], np.arange(0, 55))


def test_regression_falls_back_to_plain_kfold_with_a_note(shared_data: Path) -> None:
    frame = _read(shared_data, "clean/insurance.csv")
    plan = plan_split(frame, "charges", R, SplitSpec("stratified_kfold"))
    assert plan.notes == ("stratified k-fold needs classes: regression uses plain k-fold",)
    assert len(plan.test_rows) == 268  # ceil(0.2 x 1338)
    _assert_partition(plan, len(frame))


def test_rows_without_a_target_are_in_no_split(shared_data: Path) -> None:
    frame = _penguins(shared_data)
    plan = plan_split(frame, "sex", B, SplitSpec())
    np.testing.assert_array_equal(plan.unlabelled, np.flatnonzero(frame["sex"].isna()))
    assert plan.unlabelled.tolist() == [3, 8, 9, 10, 11, 47, 246, 286, 324, 336, 339]
    _assert_partition(plan, len(frame))


def test_hash_bucket_is_blake2b_of_the_text() -> None:
    ids = pd.Series(["N1A1", "7", "a3f9"])
    expected = [
        int.from_bytes(hashlib.blake2b(t.encode(), digest_size=8).digest(), "big") / 2**64
        for t in ids
    ]
    np.testing.assert_array_equal(hash_bucket(ids), expected)
    # A whole float hashes like the integer (a column read as float because of a gap).
    assert hash_bucket(pd.Series([7.0, np.nan]))[0] == hash_bucket(pd.Series([7]))[0]
    assert hash_bucket(pd.Series([7.5]))[0] == hash_bucket(pd.Series(["7.5"]))[0]
    assert np.all((hash_bucket(pd.Series(range(1000))) >= 0) & (hash_bucket(pd.Series([1])) < 1))


def _hash_sides(frame: pd.DataFrame, spec: SplitSpec) -> tuple[set, set, set]:
    plan = plan_split(frame, "Status", B, spec)
    ids = frame["rownames"].to_numpy()
    train, valid = plan.folds[0]
    return set(ids[plan.test_rows]), set(ids[train]), set(ids[valid])


def test_hash_split_is_stable_under_shuffling_and_appending(shared_data: Path) -> None:
    frame = _credit(shared_data)
    spec = SplitSpec("hash", id_column="rownames", validation_fraction=0.25, test_fraction=0.2)
    test, train, valid = _hash_sides(frame, spec)
    assert len(test) + len(train) + len(valid) == 4454
    assert abs(len(test) - 0.2 * 4454) < 100
    assert abs(len(valid) - 0.25 * 0.8 * 4454) < 100
    shuffled = frame.sample(frac=1.0, random_state=11).reset_index(drop=True)
    assert _hash_sides(shuffled, spec) == (test, train, valid)
    # New rows with new ids: every old id stays where it was.
    new = frame.iloc[:500].copy()
    new["rownames"] = new["rownames"] + 100_000
    grown = pd.concat([frame, new], ignore_index=True)
    grown_test, grown_train, grown_valid = _hash_sides(grown, spec)
    old = set(frame["rownames"])
    assert (grown_test & old, grown_train & old, grown_valid & old) == (test, train, valid)
    assert len(grown_test | grown_train | grown_valid) == 4954


def test_group_kfold_never_shares_a_group(shared_data: Path) -> None:
    frame = _credit(shared_data)
    plan = plan_split(frame, "Status", B, SplitSpec("group_kfold", group_column="Age"), seed=1)
    ages = frame["Age"].to_numpy()
    test_groups = set(ages[plan.test_rows])
    assert len(test_groups) == 10  # whole groups: ceil(0.2 x 50 ages)
    _assert_partition(plan, len(frame))
    for train, valid in plan.folds:
        assert not set(ages[train]) & set(ages[valid])
        assert not (set(ages[train]) | set(ages[valid])) & test_groups
    islands = plan_split(
        _penguins(shared_data),
        "species",
        M,
        SplitSpec("group_kfold", group_column="island", n_splits=3, test_fraction=0),
    )
    island = _penguins(shared_data)["island"].to_numpy()
    assert sorted(len(set(island[valid])) for _, valid in islands.folds) == [1, 1, 1]


def test_time_series_validates_after_training(shared_data: Path) -> None:
    frame = _read(shared_data, "messy/penguins-raw.csv")
    spec = SplitSpec("timeseries", time_column="Date Egg", n_splits=4)
    plan = plan_split(frame, "Species", M, spec)
    times = frame["Date Egg"].to_numpy()
    assert len(plan.folds) == 4
    for train, valid in plan.folds:
        assert times[train].max() < times[valid].min()
    assert times[plan.development_rows].max() < times[plan.test_rows].min()
    # Each validation set starts where the previous one ended; the last one ends the rest.
    for (_, before), (train, _) in zip(plan.folds, plan.folds[1:], strict=False):
        assert np.isin(before, train).all()
    assert plan.folds[-1][0].size + plan.folds[-1][1].size == len(frame) - len(plan.test_rows)
    # 274 rows before the test set, 54 per fold before moving to the nearest change of date.
    assert [len(valid) for _, valid in plan.folds] == [56, 50, 60, 50]


def _message(frame: pd.DataFrame, target: str, task: TaskType, spec: SplitSpec) -> str:
    with pytest.raises(WorkbenchError) as caught:
        plan_split(frame, target, task, spec)
    return str(caught.value)


def test_error_messages(shared_data: Path) -> None:
    titanic = _titanic(shared_data)
    # parch as a multiclass target: the value 6 occurs once.
    assert _message(titanic, "parch", M, SplitSpec(test_fraction=0)) == (
        "class '6' has 1 row; stratified 5-fold needs at least 5"
    )
    assert _message(titanic, "parch", M, SplitSpec()) == (
        "class '6' has 1 row; a stratified test set needs at least 2"
    )
    assert _message(titanic, "survived", B, SplitSpec(test_fraction=0.6)) == (
        "the test fraction must be between 0 and 0.5, got 0.6"
    )
    assert _message(titanic, "survived", B, SplitSpec(test_fraction=-0.1)) == (
        "the test fraction must be between 0 and 0.5, got -0.1"
    )
    assert _message(titanic, "survived", B, SplitSpec("group_kfold")) == (
        "group k-fold needs a group column"
    )
    assert _message(titanic, "survived", B, SplitSpec("timeseries")) == (
        "time-series validation needs a time column"
    )
    assert _message(titanic, "survived", B, SplitSpec("hash")) == (
        "the hash split needs an id column"
    )
    assert _message(titanic, "survived", B, SplitSpec("group_kfold", group_column="family")) == (
        "group column 'family' is not in the data"
    )
    assert _message(titanic, "survival", B, SplitSpec()) == (
        "target column 'survival' is not in the data"
    )
    assert _message(titanic, "survived", B, SplitSpec("timeseries", time_column="age")) == (
        "time column 'age' has 177 missing values: drop or fill those rows first"
    )
    assert _message(titanic, "survived", B, SplitSpec("hash", id_column="deck")) == (
        "id column 'deck' has 688 missing values: the hash split needs an id in every row"
    )
    assert _message(titanic, "survived", B, SplitSpec("kfold", n_splits=1)) == (
        "k-fold validation needs at least 2 folds, got 1"
    )
    flights = _read(shared_data, "clean/flights_de_bootcamp.parquet")
    spec = SplitSpec("timeseries", time_column="flight_date")
    assert _message(flights, "flight_time", R, spec) == (
        "time column 'flight_date' has 1 distinct time: too few for 5 time-series folds "
        "and a test set"
    )
    penguins = _penguins(shared_data)
    assert _message(penguins, "species", M, SplitSpec("group_kfold", group_column="island")) == (
        "group k-fold with 5 folds needs at least 5 groups; 'island' has 2 outside the test set"
    )
