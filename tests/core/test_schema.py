"""The inferred schema and validation of new data against it."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from workbench.core.errors import SchemaError
from workbench.core.io.table import read_table
from workbench.core.kinds import ColumnKind
from workbench.core.schema import Schema, infer_schema, validate_frame


@pytest.fixture(scope="module")
def penguins(repo_root: Path) -> pd.DataFrame:
    return read_table(repo_root / "resources" / "data" / "penguins.csv").frame


def test_penguins_schema(penguins: pd.DataFrame) -> None:
    schema = infer_schema(penguins)
    assert schema.names == [
        "species", "island", "bill_length_mm", "bill_depth_mm",
        "flipper_length_mm", "body_mass_g", "sex",
    ]  # fmt: skip
    species = schema.column("species")
    assert species.kind == ColumnKind.CATEGORICAL
    assert species.categories == ("Adelie", "Chinstrap", "Gentoo")
    assert species.nullable is False
    bill = schema.column("bill_length_mm")
    assert (bill.minimum, bill.maximum, bill.nullable) == (32.1, 59.6, True)
    assert schema.column("sex").categories == ("FEMALE", "MALE")
    with pytest.raises(SchemaError, match="column 'wings' is not in the schema"):
        schema.column("wings")


def test_schema_round_trips_through_json(penguins: pd.DataFrame) -> None:
    schema = infer_schema(penguins)
    assert Schema.from_dict(schema.to_dict()) == schema


def test_matching_data_has_no_problems(penguins: pd.DataFrame) -> None:
    schema = infer_schema(penguins)
    assert validate_frame(penguins.head(50), schema) == []


def test_validation_names_each_problem(penguins: pd.DataFrame) -> None:
    schema = infer_schema(penguins)
    batch = penguins.head(3).drop(columns=["island"]).assign(colour="blue")
    batch["species"] = ["Adelie", "Emperor", "Gentoo"]
    batch["body_mass_g"] = batch["body_mass_g"].astype(object)
    batch.loc[1, "body_mass_g"] = "heavy"
    batch.loc[2, "bill_length_mm"] = 80.0
    messages = {problem.message: problem.blocking for problem in validate_frame(batch, schema)}
    assert messages == {
        "required column 'island' is missing": True,
        "unknown column 'colour'": True,
        "'species' has unseen categories 'Emperor'": False,
        "'body_mass_g' should be numeric but holds 'heavy'": True,
        "'bill_length_mm' ranges 39.1..80, outside the training range 32.1..59.6": False,
    }


def test_required_subset(penguins: pd.DataFrame) -> None:
    schema = infer_schema(penguins)
    features = penguins.drop(columns=["species"]).head(5)
    required = [name for name in schema.names if name != "species"]
    assert validate_frame(features, schema, required=required) == []
