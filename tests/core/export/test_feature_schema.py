"""The model schema: built from a real run, JSON round trip, bad files, casting new rows."""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import replace
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from _runs import schema_of

from workbench.core.errors import SchemaError, WorkbenchError
from workbench.core.export.feature_schema import (
    FeatureSchema,
    SchemaColumn,
    input_names,
)
from workbench.core.io.options import DEFAULT_NA_VALUES
from workbench.core.project import open_project
from workbench.core.steps.patterns import ISO_DATE

PENGUIN_COLUMNS = [
    "island", "bill_length_mm", "bill_depth_mm", "flipper_length_mm", "body_mass_g", "sex",
]  # fmt: skip


@pytest.fixture(scope="module")
def penguins(trained: Callable) -> tuple[Path, str]:
    project = trained("penguins", ["logistic_regression"])
    return project.root, project.runs["logistic_regression"]


@pytest.fixture(scope="module")
def schema(penguins: tuple[Path, str]) -> FeatureSchema:
    return schema_of(*penguins)


@pytest.fixture(scope="module")
def frame(penguins: tuple[Path, str]) -> pd.DataFrame:
    return open_project(penguins[0]).load_frame()


def test_the_schema_of_a_penguins_run(schema: FeatureSchema, penguins: tuple[Path, str]) -> None:
    assert schema.run_id == penguins[1]
    assert schema.task == "multiclass" and schema.target == "species"
    assert schema.classes == ("Adelie", "Chinstrap", "Gentoo")
    assert schema.names == PENGUIN_COLUMNS
    assert [c.input for c in schema.columns] == PENGUIN_COLUMNS
    assert [c.type for c in schema.columns] == ["string"] + ["float"] * 4 + ["string"]
    island, sex = schema.columns[0], schema.columns[5]
    # island is never missing in penguins.csv, sex is missing in 11 rows
    assert (island.nullable, sex.nullable) == (False, True)
    assert island.categories == ("Biscoe", "Dream", "Torgersen")
    assert sex.categories == ("FEMALE", "MALE")
    assert schema.outputs == {"label": "label", "probabilities": "probabilities"}


def test_json_round_trip_and_file(schema: FeatureSchema, tmp_path: Path) -> None:
    data = json.loads(schema.to_json())
    assert data["format"] == "workbench-model-schema" and data["version"] == 1
    assert data["columns"][0] == {
        "name": "island", "input": "island", "kind": "categorical", "type": "string",
        "nullable": False, "categories": ["Biscoe", "Dream", "Torgersen"], "pattern": None,
        "missing": "",
    }  # fmt: skip
    assert [c["missing"] for c in data["columns"][1:5]] == ["NaN"] * 4
    # penguins.csv was read with the default options: spaces stripped, NA tokens missing
    assert data["raw_input"]["strip_whitespace"] is True
    assert data["raw_input"]["na_tokens"] == [t for t in DEFAULT_NA_VALUES if t]
    assert (data["raw_input"]["decimal"], data["raw_input"]["thousands"]) == (".", None)
    assert FeatureSchema.from_json(schema.to_json()) == schema
    schema.save(tmp_path / "schema.json")
    assert FeatureSchema.load(tmp_path / "schema.json") == schema


@pytest.mark.parametrize(
    ("edit", "message"),
    [
        (lambda d: "{not json", "not valid JSON"),
        (lambda d: {**d, "format": "other"}, "not a workbench model schema"),
        (lambda d: {**d, "version": 9}, "version 9 is not supported"),
        (lambda d: {k: v for k, v in d.items() if k != "columns"}, "no 'columns' entry"),
        (lambda d: {**d, "task": "ranking"}, "task 'ranking'"),
        (
            lambda d: {**d, "columns": [{**d["columns"][0], "type": "complex"}]},
            "column 'island' of the model schema has type 'complex'",
        ),
    ],
)
def test_a_bad_schema_file_is_a_clear_error(
    schema: FeatureSchema, tmp_path: Path, edit: Callable, message: str
) -> None:
    edited = edit(json.loads(schema.to_json()))
    path = tmp_path / "schema.json"
    path.write_text(edited if isinstance(edited, str) else json.dumps(edited), encoding="utf-8")
    with pytest.raises(WorkbenchError, match=message) as caught:
        FeatureSchema.load(path)
    assert str(path) in str(caught.value)


def test_validate_frame_casts_for_the_pipeline(schema: FeatureSchema, frame: pd.DataFrame) -> None:
    raw = frame.drop(columns=["species"]).head(5).astype(str)  # numbers arrive as text
    raw.loc[3, "sex"] = ""  # row 3 of penguins.csv has no measurements and no sex
    checked = schema.validate_frame(raw.assign(extra_key=range(5)))
    assert list(checked.columns) == PENGUIN_COLUMNS
    assert checked["bill_length_mm"].dtype == np.float64
    assert checked["bill_length_mm"].iloc[0] == pytest.approx(39.1)
    assert np.isnan(checked["bill_length_mm"].iloc[3])  # "nan" text is missing
    assert pd.isna(checked["sex"].iloc[3]) and checked["sex"].iloc[0] == "MALE"


def test_validate_frame_names_the_column_and_the_bad_value(
    schema: FeatureSchema, frame: pd.DataFrame
) -> None:
    rows = frame.drop(columns=["species"]).head(4)
    with pytest.raises(SchemaError, match="required column 'body_mass_g' is missing"):
        schema.validate_frame(rows.drop(columns=["body_mass_g"]))
    bad = rows.astype(object)
    bad.loc[2, "flipper_length_mm"] = "tall"
    with pytest.raises(
        SchemaError, match=r"'flipper_length_mm' should hold numbers.*'tall' \(row 3\)"
    ):
        schema.validate_frame(bad)
    no_island = rows.astype(object)
    no_island.loc[1, "island"] = None
    with pytest.raises(SchemaError, match=r"column 'island' has a missing value \(row 2\)"):
        schema.validate_frame(no_island)


def test_onnx_feeds_are_float32_and_strings_with_empty_for_missing(
    schema: FeatureSchema, frame: pd.DataFrame
) -> None:
    feeds = schema.onnx_feeds(frame.iloc[:4])
    assert set(feeds) == set(PENGUIN_COLUMNS)
    assert feeds["bill_depth_mm"].dtype == np.float32 and feeds["bill_depth_mm"].shape == (4, 1)
    assert feeds["bill_depth_mm"][0, 0] == np.float32(18.7)
    assert np.isnan(feeds["bill_depth_mm"][3, 0])
    assert feeds["sex"].dtype == object
    assert feeds["sex"][:, 0].tolist() == ["MALE", "FEMALE", "FEMALE", ""]


def test_flags_are_fed_as_zero_and_one() -> None:
    flag = SchemaColumn("alone", "alone", "boolean", "bool", True)
    schema = FeatureSchema("r", "s", "0.1.0", "binary", "y", (0, 1), (flag,), {"label": "label"})
    rows = pd.DataFrame({"alone": [True, "false", "yes", None, 0]})
    assert schema.validate_frame(rows)["alone"].tolist() == [True, False, True, pd.NA, False]
    assert schema.onnx_feeds(rows)["alone"][:, 0].tolist()[:3] == [1.0, 0.0, 1.0]
    with pytest.raises(SchemaError, match=r"'alone' should hold true/false but holds 'maybe'"):
        schema.validate_frame(pd.DataFrame({"alone": ["maybe"]}))
    strict = replace(schema, columns=(replace(flag, nullable=False),))
    with pytest.raises(SchemaError, match="'alone' has a missing value"):
        strict.validate_frame(rows)


def test_input_names_are_plain_unique_identifiers() -> None:
    names = ["age", "Life expectancy ", "1st", "label", "a b", "a_b", "variable"]
    assert input_names(names) == [
        "age", "Life_expectancy", "f_1st", "f_label", "a_b", "a_b_2", "f_variable",
    ]  # fmt: skip


def test_dates_are_fed_as_iso_text_and_read_back_from_any_date_text() -> None:
    """A date column crosses into the model as ISO 8601 text ('' when missing); new rows may
    write their dates as a person does, or as '' for a missing one."""
    day = SchemaColumn("day", "day", "datetime", "datetime", True, pattern=ISO_DATE.re2)
    schema = FeatureSchema("r", "s", "0.1.0", "binary", "y", (0, 1), (day,), {"label": "label"})
    rows = pd.DataFrame({"day": ["2007-11-11", "Nov 12, 2007 08:30", "", None, "0999-01-02"]})
    checked = schema.validate_frame(rows)["day"]
    assert (
        str(checked.iloc[1]) == "2007-11-12 08:30:00" and checked.isna().tolist()[2:4] == [True] * 2
    )
    assert schema.onnx_feeds(rows)["day"][:, 0].tolist() == [
        "2007-11-11T00:00:00", "2007-11-12T08:30:00", "", "", "0999-01-02T00:00:00",
    ]  # fmt: skip
    aware = pd.DataFrame({"day": pd.to_datetime(["2007-11-11 23:30"]).tz_localize("Asia/Tokyo")})
    assert schema.onnx_feeds(aware)["day"][0, 0] == "2007-11-11T23:30:00"  # the wall-clock time
    assert FeatureSchema.from_json(schema.to_json()).columns[0].pattern == ISO_DATE.re2
    with pytest.raises(SchemaError, match=r"'day' should hold dates but holds 'soon' \(row 1\)"):
        schema.validate_frame(pd.DataFrame({"day": ["soon"]}))
