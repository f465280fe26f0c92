"""Column kinds and target suggestion, on the shared real datasets and small edge frames."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from _frames import load

from workbench.core.errors import WorkbenchError
from workbench.core.io.table import read_table
from workbench.core.kinds import (
    ColumnKind,
    ColumnRole,
    TaskType,
    default_role,
    infer_kind,
    infer_kinds,
    suggest_target,
    task_for_column,
)

K = ColumnKind


@pytest.mark.parametrize(
    ("dataset", "column", "kind"),
    [
        ("credit_data", "rownames", K.IDENTIFIER),
        ("lending_club", "rownames", K.IDENTIFIER),
        ("penguins_arrow", "...1", K.IDENTIFIER),  # float 1.0, 2.0, ... written by R
        ("penguins_raw", "Comments", K.TEXT),
        ("glassdoor", "Job Description", K.TEXT),
        ("titanic", "adult_male", K.BOOLEAN),
        ("titanic", "survived", K.BOOLEAN),  # 0/1 integers are a flag
        ("titanic", "pclass", K.NUMERIC),  # 1/2/3 keeps its order
        ("titanic", "sibsp", K.NUMERIC),
        ("titanic", "alive", K.CATEGORICAL),  # yes/no labels stay categories
        ("penguins_raw", "Date Egg", K.DATETIME),
        ("penguins_raw", "Species", K.CATEGORICAL),  # long labels, 3 of them: not text
        ("penguins_raw", "Sample Number", K.NUMERIC),  # 1..152 per study, repeats
        ("adult", "column_2", K.NUMERIC),  # fnlwgt
        ("bank", "emp.var.rate", K.CATEGORICAL),  # numbers and '####' cells: text
        ("googleplaystore", "App", K.IDENTIFIER),  # 9,660 names in 10,841 rows, 4 words
        ("googleplaystore", "Reviews", K.CATEGORICAL),  # counts stored as text: not a key
        ("penguins_raw", "Individual ID", K.IDENTIFIER),  # N1A1: an id name, 55% distinct
        ("diamonds", "price", K.NUMERIC),
    ],
)
def test_kind_on_real_columns(shared_data: Path, dataset: str, column: str, kind: K) -> None:
    assert infer_kind(load(shared_data, dataset)[column]) == kind


def test_glassdoor_saved_index_is_an_identifier_whatever_its_name(shared_data: Path) -> None:
    frame = load(shared_data, "glassdoor")
    first = frame.iloc[:, 0]
    assert infer_kind(first) == K.IDENTIFIER
    # io names it column_0; consecutive integers are a row number under any name.
    assert infer_kind(first.rename("column_0")) == K.IDENTIFIER


def test_mushrooms_every_column_is_categorical(shared_data: Path) -> None:
    kinds = infer_kinds(load(shared_data, "mushrooms"))
    assert len(kinds) == 23
    assert set(kinds.values()) == {K.CATEGORICAL}


def test_unique_numbers_that_measure_something_are_not_identifiers(shared_data: Path) -> None:
    fnlwgt = load(shared_data, "adult")["column_2"].drop_duplicates()
    assert fnlwgt.is_unique and len(fnlwgt) == 21648
    assert infer_kind(fnlwgt) == K.NUMERIC
    assert infer_kind(fnlwgt.rename("customer_id")) == K.IDENTIFIER


# The identifiers io's reading of every shared file gives, and no other column: prices, weights,
# populations, flight numbers and party ids stay numbers.
SHARED_IDENTIFIERS = {
    "clean/modeldata_credit_data.csv": {"rownames"},
    "clean/modeldata_lending_club.csv": {"rownames"},
    "clean/penguins_R_arrow.parquet": {"...1"},
    "clean/horse-colic.csv": {"column_2"},  # hospital numbers 518476-5305629, 95% distinct
    "messy/glassdoor_jobs.csv": {"column_0"},
    "messy/googleplaystore.csv": {"App"},
    "messy/penguins-raw.csv": {"Individual ID"},
}


def test_identifiers_in_every_shared_file(shared_data: Path) -> None:
    found = {}
    for path in sorted(shared_data.glob("*/*")):
        if path.name == "README.md":
            continue
        kinds = infer_kinds(read_table(path).frame)
        identifiers = {name for name, kind in kinds.items() if kind == K.IDENTIFIER}
        if identifiers:
            found[str(path.relative_to(shared_data))] = identifiers
    assert found == SHARED_IDENTIFIERS


def _case_ids(occupants: int = 15_524, cases: int = 12_344) -> np.ndarray:
    """A crash survey's case number, one row per occupant: 12,344 cases in 15,524 rows."""
    rng = np.random.default_rng(0)
    extra = rng.choice(cases, size=occupants - cases, replace=True)
    return np.sort(np.concatenate([np.arange(cases), extra])) + 100_001


def test_numeric_ids_that_repeat_or_skip_are_identifiers() -> None:
    ids = _case_ids()
    assert len(np.unique(ids)) == 12_344 and len(ids) == 15_524
    # sorted down the file: a counter, whatever its name
    assert infer_kind(pd.Series(ids, name="v7")) == K.IDENTIFIER
    # shuffled: still dense over its range and evenly spread
    shuffled = np.random.default_rng(1).permutation(ids)
    assert infer_kind(pd.Series(shuffled, name="v7")) == K.IDENTIFIER
    # a parcel id, 2,930 distinct 9- and 10-digit numbers, sparse and unsorted: by its name
    rng = np.random.default_rng(2)
    parcels = rng.permutation(np.unique(rng.integers(526_301_100, 1_007_100_110, 3_000))[:2_930])
    assert len(np.unique(parcels)) == 2_930
    assert infer_kind(pd.Series(parcels, name="PID")) == K.IDENTIFIER
    assert infer_kind(pd.Series(parcels, name="parcel")) == K.NUMERIC
    for name in ("caseid", "CaseID", "EmpID", "Order No", "customer_code", "account number"):
        assert infer_kind(pd.Series(shuffled, name=name)) == K.IDENTIFIER, name


def test_measures_stay_numbers_whatever_their_spread(shared_data: Path) -> None:
    weights = load(shared_data, "adult")["column_2"]  # fnlwgt, 66% distinct integers
    assert infer_kind(weights) == K.NUMERIC
    # an id-like name needs half the values distinct: flights repeat a flight number
    flights = read_table(shared_data / "clean/flights_de_bootcamp.parquet").frame
    assert infer_kind(flights["flight_number"]) == K.NUMERIC
    # words ending in "id" that are not keys, and a negative "id" (a measure)
    assert infer_kind(weights.rename("amount_paid")) == K.NUMERIC
    assert infer_kind(weights.rename("valid")) == K.NUMERIC
    assert infer_kind((-weights).rename("id")) == K.NUMERIC
    # a population rising down the file covers a sliver of its range
    macro = read_table(shared_data / "messy/statsmodels_macrodata.xls").frame
    assert macro["POP"].dropna().is_monotonic_increasing
    assert infer_kind(macro["POP"]) == K.NUMERIC


def test_person_names_are_identifiers_and_prose_stays_text() -> None:
    rng = np.random.default_rng(0)
    first = ["Ann", "Bo", "Cy", "Di", "Ed", "Flo", "Gus", "Hal", "Ida", "Jo", "Kim", "Lu"]
    last = [f"Name{i}" for i in range(40)]
    names = pd.Series(
        [f"{rng.choice(last)}, {rng.choice(first)} {chr(65 + i % 26)}" for i in range(300)],
        name="Employee_Name",
    )
    assert names.nunique() / len(names) >= 0.85
    assert infer_kind(names) == K.IDENTIFIER
    assert infer_kind(names.rename("who")) == K.IDENTIFIER  # nearly all different: by values
    prose = pd.Series([f"the applicant {i} wrote a long cover letter" for i in range(300)])
    assert infer_kind(prose) == K.TEXT


def test_object_columns_get_the_same_kinds_as_typed_ones(shared_data: Path) -> None:
    titanic = load(shared_data, "titanic")
    assert infer_kinds(titanic.astype(object)) == infer_kinds(titanic)


def test_small_edge_columns() -> None:
    rows = 30
    assert infer_kind(pd.Series(np.arange(rows) + 100)) == K.IDENTIFIER
    assert infer_kind(pd.Series(np.arange(10))) == K.NUMERIC  # too few rows to tell
    assert infer_kind(pd.Series([0, 1] * 15, dtype="Int64")) == K.BOOLEAN
    assert infer_kind(pd.Series([0] * rows)) == K.NUMERIC  # a constant number, not a flag
    assert infer_kind(pd.Series([f"u{i:04x}" for i in range(rows)])) == K.IDENTIFIER
    stamps = pd.Series(pd.date_range("2024-01-01", periods=rows, tz="UTC"))
    assert infer_kind(stamps) == K.DATETIME
    assert infer_kind(pd.Series(pd.Categorical(["a", "b"] * 15))) == K.CATEGORICAL
    assert infer_kind(pd.Series([None] * rows, dtype=object)) == K.CATEGORICAL


def test_default_role() -> None:
    assert default_role(K.IDENTIFIER) == ColumnRole.IDENTIFIER
    assert {default_role(k) for k in K if k != K.IDENTIFIER} == {ColumnRole.FEATURE}


def test_task_reason_names_classes_and_shares(shared_data: Path) -> None:
    suggestion = task_for_column(load(shared_data, "penguins")["species"])
    assert suggestion.task == TaskType.MULTICLASS
    assert suggestion.reason == "'species' has 3 classes (Adelie 44%, Gentoo 36%, Chinstrap 20%)"


def test_few_integer_values_are_classes_many_are_a_regression(shared_data: Path) -> None:
    titanic = load(shared_data, "titanic")
    assert task_for_column(titanic["pclass"]).task == TaskType.MULTICLASS
    assert task_for_column(titanic["survived"]).task == TaskType.BINARY
    assert task_for_column(titanic["fare"]).task == TaskType.REGRESSION


@pytest.mark.parametrize(
    ("dataset", "column", "words"),
    [
        ("credit_data", "rownames", "identifier"),
        ("penguins_raw", "Comments", "free text"),
        ("penguins_raw", "Date Egg", "dates"),
        ("mushrooms", "veil_type", "single value (p)"),
        ("glassdoor", "Company Name", "448 distinct values"),
    ],
)
def test_columns_that_cannot_be_targets(
    shared_data: Path, dataset: str, column: str, words: str
) -> None:
    with pytest.raises(WorkbenchError, match=f"'{column}'") as raised:
        task_for_column(load(shared_data, dataset)[column])
    assert words in str(raised.value)


def test_all_missing_column_cannot_be_a_target() -> None:
    with pytest.raises(WorkbenchError, match="'empty' has no values"):
        task_for_column(pd.Series([np.nan] * 5, name="empty"))


@pytest.mark.parametrize(
    ("dataset", "column", "task", "rule"),
    [
        ("penguins", "species", TaskType.MULTICLASS, "name"),
        ("titanic", "survived", TaskType.BINARY, "name"),
        ("diamonds", "price", TaskType.REGRESSION, "name"),  # not 'y', a size beside 'x'
        ("insurance", "charges", TaskType.REGRESSION, "name"),
        ("credit_data", "Status", TaskType.BINARY, "name"),
        ("lending_club", "Class", TaskType.BINARY, "name"),
        ("bank", "y", TaskType.BINARY, "name"),
        ("mushrooms", "type", TaskType.BINARY, "name"),
        ("googleplaystore", "Rating", TaskType.REGRESSION, "name"),
        ("adult", "column_14", TaskType.BINARY, "last column"),
    ],
)
def test_suggest_target(
    shared_data: Path, dataset: str, column: str, task: TaskType, rule: str
) -> None:
    suggestion = suggest_target(load(shared_data, dataset))
    assert suggestion is not None
    assert (suggestion.column, suggestion.task) == (column, task)
    assert rule in suggestion.reason


def test_adult_reason_says_last_column_and_class_shares(shared_data: Path) -> None:
    suggestion = suggest_target(load(shared_data, "adult"))
    assert suggestion is not None
    assert suggestion.reason == (
        "Picked as the last column. 'column_14' has 2 classes (<=50K 76%, >50K 24%)."
    )


def test_suggest_falls_back_to_shape_then_gives_up() -> None:
    rows = 40
    frame = pd.DataFrame(
        {
            "flag": ["on", "off"] * (rows // 2),
            "amount": np.linspace(0, 1, rows),
            "note_id": [f"n{i}" for i in range(rows)],
        }
    )
    suggestion = suggest_target(frame)
    assert suggestion is not None
    assert suggestion.column == "flag" and "first two-class column" in suggestion.reason
    assert suggest_target(frame[["note_id"]]) is None
