"""The inferred schema and validation of new data against it."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from workbench.core.batch_checks.values import category_key
from workbench.core.errors import SchemaError, WorkbenchError
from workbench.core.io.table import read_table
from workbench.core.kinds import ColumnKind
from workbench.core.schema import (
    FrameValidator,
    ProblemCheck,
    Schema,
    SchemaProblem,
    infer_schema,
    validate_frame,
)


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


def _problem_batch(penguins: pd.DataFrame) -> pd.DataFrame:
    batch = penguins.head(40).drop(columns=["island"]).assign(colour="blue")
    batch["species"] = batch["species"].astype(object)
    batch.loc[[1, 5, 30], "species"] = "Emperor"
    batch.loc[[7], "species"] = "Macaroni"
    batch["body_mass_g"] = batch["body_mass_g"].astype(object)
    batch.loc[[2, 9], "body_mass_g"] = "heavy"
    batch.loc[[12, 13, 14], "bill_length_mm"] = 80.0
    batch.loc[[20, 21], "species"] = None
    return batch


def test_problems_count_their_rows_and_keep_the_first(penguins: pd.DataFrame) -> None:
    schema = infer_schema(penguins)
    problems = {p.check: p for p in validate_frame(_problem_batch(penguins), schema)}
    assert set(problems) == set(ProblemCheck) - {ProblemCheck.MORE_MISSING}
    unseen = problems[ProblemCheck.UNSEEN_CATEGORY]
    assert (unseen.count, unseen.rows, unseen.values) == (4, (2, 6, 8, 31), ("Emperor", "Macaroni"))
    assert unseen.message == "'species' has unseen categories 'Emperor', 'Macaroni'"
    wrong = problems[ProblemCheck.WRONG_TYPE]
    assert (wrong.count, wrong.rows, wrong.values, wrong.blocking) == (
        2, (3, 10), ("heavy", "heavy"), True,
    )  # fmt: skip
    outside = problems[ProblemCheck.OUT_OF_RANGE]
    assert (outside.count, outside.rows) == (3, (13, 14, 15))
    missing = problems[ProblemCheck.NEW_MISSING]
    assert (missing.column, missing.count, missing.rows) == ("species", 2, (21, 22))
    assert problems[ProblemCheck.MISSING_COLUMN].count == 0


def test_validation_in_chunks_equals_one_pass(penguins: pd.DataFrame) -> None:
    schema = infer_schema(penguins)
    batch = _problem_batch(penguins)
    validator = FrameValidator(schema, list(batch.columns), examples=3)
    for start in range(0, len(batch), 7):
        validator.add(batch.iloc[start : start + 7])
    whole = FrameValidator(schema, list(batch.columns), examples=3)
    whole.add(batch)
    assert validator.problems() == whole.problems()
    unseen = {p.check: p for p in validator.problems()}[ProblemCheck.UNSEEN_CATEGORY]
    assert unseen.rows == (2, 6, 8)  # three examples, as asked


def test_extra_columns_and_a_rising_missing_share(penguins: pd.DataFrame) -> None:
    schema = infer_schema(penguins)
    batch = penguins.dropna().head(10).reset_index(drop=True).assign(colour="blue")
    batch.loc[0:3, "sex"] = None  # 3% missing in the whole table
    validator = FrameValidator(
        schema, list(batch.columns), extra_columns_block=False, missing_shares={"sex": 0.03}
    )
    validator.add(batch)
    extra, rising = validator.problems()
    assert (extra.check, extra.blocking) == (ProblemCheck.EXTRA_COLUMN, False)
    assert (rising.check, rising.count, rising.rows) == (ProblemCheck.MORE_MISSING, 4, (1, 2, 3, 4))
    assert rising.message == "'sex' is missing in 40.0% of the rows, 3.0% in training"


def test_categories_compare_integral_decimals_as_whole_numbers() -> None:
    assert [category_key(v) for v in (1.0, "1.0", 1, "-3.00", 2.5, "007", True)] == [
        "1", "1", "1", "-3", "2.5", "007", "True",
    ]  # fmt: skip
    floats = pd.DataFrame({"flag": [0.0, 1.0, None, 1.0]})
    schema = infer_schema(floats, {"flag": ColumnKind.BOOLEAN})
    assert schema.column("flag").categories == ("0.0", "1.0")
    assert validate_frame(pd.DataFrame({"flag": [1, 0, 1]}), schema) == []


def test_problems_round_trip_through_json(penguins: pd.DataFrame) -> None:
    schema = infer_schema(penguins)
    for problem in validate_frame(_problem_batch(penguins), schema):
        assert SchemaProblem.from_dict(problem.to_dict()) == problem
    with pytest.raises(WorkbenchError, match=r"'problem\.check' should be one of missing_column"):
        SchemaProblem.from_dict({"column": "x", "message": "m", "blocking": True, "check": "odd"})
