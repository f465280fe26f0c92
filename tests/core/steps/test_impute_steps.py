"""Missing-value steps: exact fills and flags on the shared datasets, and edge cases."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from workbench.core.io.table import read_table
from workbench.core.kinds import ColumnKind
from workbench.core.steps.catalog import get_step
from workbench.core.steps.registry import StepDef


def _read(shared_data: Path, name: str) -> pd.DataFrame:
    return read_table(shared_data / name).frame


def _fit(name: str, frame: pd.DataFrame, **params: object) -> pd.DataFrame:
    """Build the step's transformer from its factory, fit it on `frame`, return pandas output."""
    step = get_step(name)
    transformer = step.factory(tuple(frame.columns), step.resolve(params))
    return transformer.set_output(transform="pandas").fit_transform(frame)


def _problem(step: StepDef, kinds: dict[str, ColumnKind], **params: object) -> str | None:
    return step.check(kinds, step.resolve(params))


@pytest.fixture(scope="module")
def titanic(shared_data: Path) -> pd.DataFrame:
    return _read(shared_data, "clean/titanic.csv")


def test_impute_median_fills_titanic_age_with_28(titanic: pd.DataFrame) -> None:
    out = _fit("impute", titanic[["age"]], strategy="median")
    missing = titanic["age"].isna().to_numpy()
    assert missing.sum() == 177
    assert list(out.columns) == ["age"]
    assert (out["age"].to_numpy()[missing] == 28.0).all()
    np.testing.assert_array_equal(out["age"].to_numpy()[~missing], titanic["age"][~missing])


def test_impute_mean_uses_the_mean_of_known_values(titanic: pd.DataFrame) -> None:
    out = _fit("impute", titanic[["age", "fare"]], strategy="mean")
    missing = titanic["age"].isna().to_numpy()
    expected = titanic["age"].dropna().to_numpy().mean()
    np.testing.assert_allclose(out["age"].to_numpy()[missing], expected, rtol=0, atol=1e-12)
    np.testing.assert_array_equal(out["fare"], titanic["fare"])  # nothing missing: unchanged


def test_impute_most_frequent_and_constant_on_text(titanic: pd.DataFrame) -> None:
    # The chain hands string columns over as object arrays with NaN for missing.
    frame = (
        titanic[["embarked", "deck"]].astype(object).where(titanic[["embarked", "deck"]].notna())
    )
    frequent = _fit("impute", frame, strategy="most_frequent")
    assert frequent["embarked"].isna().sum() == 0
    assert (frequent["embarked"] == "S").sum() == 644 + 2
    assert (frequent["deck"] == "C").sum() == (titanic["deck"] == "C").sum() + 688
    constant = _fit("impute", frame[["deck"]], strategy="constant", fill_value="none")
    assert (constant["deck"] == "none").sum() == 688
    default = _fit("impute", frame[["deck"]], strategy="constant")
    assert (default["deck"] == "missing_value").sum() == 688


def test_impute_constant_number_and_empty_column() -> None:
    frame = pd.DataFrame({"x": [1.0, np.nan, 3.0], "empty": [np.nan, np.nan, np.nan]})
    out = _fit("impute", frame, strategy="constant", fill_value="-7.5")
    np.testing.assert_array_equal(out["x"], [1.0, -7.5, 3.0])
    # A column missing in every training row keeps its output column (same features per fold).
    median = _fit("impute", frame, strategy="median")
    assert list(median.columns) == ["x", "empty"]
    np.testing.assert_array_equal(median["empty"], [0.0, 0.0, 0.0])


def test_impute_check_names_the_column_and_the_problem() -> None:
    step = get_step("impute")
    kinds = {"age": ColumnKind.NUMERIC, "embarked": ColumnKind.CATEGORICAL}
    assert _problem(step, {"age": ColumnKind.NUMERIC}, strategy="median") is None
    message = _problem(step, kinds, strategy="mean")
    assert message is not None and "'embarked'" in message and "categorical" in message
    message = _problem(step, kinds, strategy="constant", fill_value="0")
    assert message is not None and "'embarked'" in message and "number" in message
    message = _problem(step, kinds, strategy="constant", fill_value="none")
    assert message is not None and "'age'" in message
    assert _problem(step, kinds, strategy="most_frequent") is None
    assert _problem(step, kinds, strategy="constant") is None  # per-type defaults


def test_missing_indicator_keeps_columns_and_adds_flags(titanic: pd.DataFrame) -> None:
    frame = titanic[["age", "deck"]].astype({"deck": object})
    out = _fit("missing_indicator", frame)
    assert list(out.columns) == ["age", "deck", "age_missing", "deck_missing"]
    assert out["age_missing"].sum() == 177.0
    assert out["deck_missing"].sum() == 688.0
    assert set(out["age_missing"].unique()) == {0.0, 1.0}
    assert out["age_missing"].dtype == np.float64
    np.testing.assert_array_equal(out["age"], titanic["age"])  # NaN stays, for a later impute
    assert out["deck"].iloc[1] == titanic["deck"].iloc[1] == "C"


def test_missing_indicator_on_numbers_only_gives_a_float_matrix() -> None:
    step = get_step("missing_indicator")
    transformer = step.factory(("a",), step.resolve({}))
    out = transformer.fit_transform(pd.DataFrame({"a": [1.0, np.nan]}))
    np.testing.assert_array_equal(out, [[1.0, 0.0], [np.nan, 1.0]])


def test_impute_knn_fills_penguins_and_keeps_known_values(shared_data: Path) -> None:
    penguins = _read(shared_data, "clean/penguins.csv")
    columns = ["bill_length_mm", "bill_depth_mm", "flipper_length_mm"]
    frame = penguins[columns].copy()
    # Two rows have every column missing; also hide one value per column in complete rows, so
    # that neighbours are really used.
    frame.iloc[12, 0] = np.nan
    frame.iloc[20, 1] = np.nan
    frame.iloc[30, 2] = np.nan
    out = _fit("impute_knn", frame, n_neighbors=5)
    assert list(out.columns) == columns
    assert out.isna().sum().sum() == 0
    known = frame.notna().to_numpy()
    np.testing.assert_array_equal(out.to_numpy()[known], frame.to_numpy()[known])
    # A row with nothing known has no neighbours: it gets the column means.
    all_missing = frame.isna().all(axis=1).to_numpy()
    assert all_missing.sum() == 2
    np.testing.assert_allclose(out.to_numpy()[all_missing][0], frame.mean().to_numpy())
    # Row 12 lost its bill length: the mean over the 5 rows nearest by the other two columns
    # (NaN-aware Euclidean distance, scaled by how many coordinates both rows have; row 12 has
    # no tie at the 5th distance).
    donors = frame[frame.iloc[:, 0].notna()]
    squares = (donors.iloc[:, 1:] - frame.iloc[12, 1:]) ** 2
    distances = np.sqrt(squares.sum(axis=1) * 3 / squares.notna().sum(axis=1))
    nearest = donors.iloc[:, 0][distances.sort_values().index[:5]]
    assert out.iloc[12, 0] == pytest.approx(nearest.mean()) == pytest.approx(42.78)
    assert get_step("impute_knn").combines_columns


def test_mark_missing_glassdoor_rating_minus_one(shared_data: Path) -> None:
    jobs = _read(shared_data, "messy/glassdoor_jobs.csv")
    sentinel = (jobs["Rating"] == -1).to_numpy()
    assert sentinel.sum() == 34
    out = _fit("mark_missing", jobs[["Rating"]], values="-1")
    assert out["Rating"].isna().sum() == 34
    assert out["Rating"].isna().to_numpy()[sentinel].all()
    np.testing.assert_array_equal(out["Rating"][~sentinel], jobs["Rating"][~sentinel])


def test_mark_missing_words_ignore_case_and_numbers_compare_as_numbers(
    shared_data: Path,
) -> None:
    bank = _read(shared_data, "messy/bank-additional.csv")
    out = _fit("mark_missing", bank[["default"]], values=["UNKNOWN"])
    assert out["default"].isna().sum() == 803
    assert (out["default"] == "no").sum() == 3315
    frame = pd.DataFrame({"code": np.array(["-1.0", " -1 ", "7", "n/a", None], dtype=object)})
    out = _fit("mark_missing", frame, values=("-1", "n/a"))
    assert out["code"].tolist()[2] == "7"
    assert out["code"].isna().tolist() == [True, True, False, True, True]
    problem = get_step("mark_missing").check({"x": ColumnKind.NUMERIC}, {"values": ()})
    assert problem is not None and "at least one value" in problem


def test_replace_infinite_turns_both_infinities_into_nan() -> None:
    frame = pd.DataFrame({"ratio": [1.5, np.inf, -np.inf, np.nan, -2.0]})
    out = _fit("replace_infinite", frame)
    np.testing.assert_array_equal(out["ratio"], [1.5, np.nan, np.nan, np.nan, -2.0])


def test_drop_missing_target_removes_exactly_the_rows_without_target(shared_data: Path) -> None:
    penguins = _read(shared_data, "clean/penguins.csv")
    X, y = penguins.drop(columns="body_mass_g"), penguins["body_mass_g"]
    assert y.isna().sum() == 2
    step = get_step("drop_missing_target")
    X_kept, y_kept = step.row_fn(X, y, step.resolve({}), 0)
    assert len(X_kept) == len(y_kept) == len(penguins) - 2
    assert y_kept.notna().all()
    assert X_kept.index.equals(y_kept.index)
    assert step.factory is None and step.min_columns == 0
