"""workbench.core.batch_checks reads a column the same whether it comes as a DataFrame's column
(the workbench) or as JSON values (the exported service): same counts, same problems."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pytest

from workbench.core.batch_checks.counts import CategoryCounts, NumericCounts
from workbench.core.batch_checks.validation import ColumnValidator
from workbench.core.batch_checks.values import list_values
from workbench.core.io.table import read_table
from workbench.core.kinds import ColumnKind
from workbench.core.schema import infer_schema, series_values


@pytest.fixture(scope="module")
def penguins(repo_root: Path) -> pd.DataFrame:
    return read_table(repo_root / "resources" / "data" / "penguins.csv").frame


def as_json(series: pd.Series) -> list[Any]:
    return [None if pd.isna(value) else value for value in series.tolist()]


def problems(column: dict[str, Any], values: Any) -> list[dict[str, Any]]:
    validator = ColumnValidator(column, examples=3, missing_share=0.0, missing_rise=0.1)
    validator.add(values)
    return validator.problems()


def test_a_numeric_column_reads_alike(penguins: pd.DataFrame) -> None:
    schema = infer_schema(penguins.head(200))
    column = schema.column("body_mass_g").to_dict()
    batch = penguins["body_mass_g"].iloc[200:]
    counts = {}
    for way, values in [
        ("frame", series_values(batch, ColumnKind.NUMERIC)),
        ("json", list_values(as_json(batch), "numeric")),
    ]:
        counted = NumericCounts([3500.0, 4000.0, 4500.0], [3000.0, 4000.0, 5000.0])
        counted.add(values)
        counts[way] = (counted.rows, counted.missing, counted.present, counted.bins.tolist())
        assert problems(column, values) == problems(column, series_values(batch, "numeric"))
    assert counts["frame"] == counts["json"]
    rows, missing, present, bins = counts["json"]
    assert (rows, missing, present) == (144, 1, 143)
    assert bins == np.histogram(batch.dropna(), [-np.inf, 3500, 4000, 4500, np.inf])[0].tolist()


def test_a_category_column_reads_alike(penguins: pd.DataFrame) -> None:
    schema = infer_schema(penguins.head(200))
    column = schema.column("island").to_dict()
    assert column["categories"] == ["Biscoe", "Dream", "Torgersen"]
    batch = penguins["island"].iloc[200:].copy()
    batch.iloc[[2, 5]] = "Atlantis"
    frame_values = series_values(batch, ColumnKind.CATEGORICAL)
    json_values = list_values(as_json(batch), "categorical")
    found = problems(column, frame_values)
    assert found == problems(column, json_values)
    assert [(p["check"], p["count"], p["rows"], p["values"]) for p in found] == [
        ("unseen_category", 2, [3, 6], ["Atlantis"])
    ]
    counted = []
    for values in (frame_values, json_values):
        counts = CategoryCounts(["Biscoe", "Dream"])
        counts.add(values)
        counted.append(counts.counts.tolist())
    expected = batch.value_counts()
    other = int(expected.sum() - expected["Biscoe"] - expected["Dream"])
    assert counted == [[int(expected["Biscoe"]), int(expected["Dream"]), other]] * 2


def test_json_values_of_any_kind_are_read_without_failing() -> None:
    """The service's records may hold anything in a column the model does not take."""
    numbers = list_values([1, None, "x", 10**400, [1], "2.5", True], "numeric")
    assert numbers.numbers is not None
    assert np.array_equal(
        numbers.numbers, [1.0, np.nan, np.nan, np.nan, np.nan, 2.5, 1.0], equal_nan=True
    )
    assert numbers.missing.tolist() == [False, True, False, False, False, False, False]
    column = {"name": "n", "kind": "numeric", "nullable": True, "minimum": 0.0, "maximum": 2.0}
    (more_missing, wrong, outside) = problems(column, numbers)
    assert more_missing["message"] == "'n' is missing in 14.3% of the rows, 0.0% in training"
    assert (wrong["check"], wrong["count"], wrong["rows"]) == ("wrong_type", 3, [3, 4, 5])
    assert wrong["message"] == "'n' should be numeric but holds 'x'"
    assert (outside["check"], outside["rows"]) == ("out_of_range", [6])
    categories = list_values(["a", 1.0, "1", None, {"k": 1}], "categorical")
    assert categories.distinct == ["a", "1", "{'k': 1}"]
    assert categories.distinct_counts().tolist() == [1, 2, 1]
