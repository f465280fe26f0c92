"""Column steps on the shared messy data, and the contract every step of the missing-value,
numeric and column families keeps (declaration, clone, pickle, names, pandas output)."""

from __future__ import annotations

import math
import pickle
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from sklearn.base import clone

from workbench.core.io.table import read_table
from workbench.core.kinds import ColumnKind
from workbench.core.steps.catalog import get_step, steps_by_group
from workbench.core.steps.registry import Stage
from workbench.core.steps.transformers import parse_number


def _fit(name: str, frame: pd.DataFrame, **params: object) -> pd.DataFrame:
    step = get_step(name)
    transformer = step.factory(tuple(frame.columns), step.resolve(params))
    return transformer.set_output(transform="pandas").fit_transform(frame)


def _objects(values: list[object]) -> np.ndarray:
    return np.array(values, dtype=object)


@pytest.fixture(scope="module")
def play(shared_data: Path) -> pd.DataFrame:
    return read_table(shared_data / "messy/googleplaystore.csv").frame


def test_parse_numbers_googleplaystore_installs_price_size(play: pd.DataFrame) -> None:
    out = _fit("parse_numbers", play[["Installs", "Price", "Size"]])
    assert list(out.columns) == ["Installs", "Price", "Size"]
    assert (out["Installs"][play["Installs"] == "10,000+"] == 10_000.0).all()
    assert (out["Installs"][play["Installs"] == "1,000,000,000+"] == 1e9).all()
    # Parsed numbers are float32, the precision of an exported model's numbers.
    assert (out["Price"][play["Price"] == "$4.99"] == float(np.float32(4.99))).sum() == 72
    assert (out["Price"][play["Price"] == "0"] == 0.0).sum() == 10_040
    # Sizes use decimal multipliers: 19M is 19,000,000 bytes, 201k is 201,000.
    assert (out["Size"][play["Size"] == "19M"] == 19e6).sum() == 154
    assert (out["Size"][play["Size"] == "201k"] == 201e3).sum() == 3
    assert out["Size"].isna().sum() == (play["Size"] == "Varies with device").sum() == 1695
    # The one shifted row has words where numbers belong: they become missing.
    assert (
        out["Installs"].isna().sum() == 1
        and play["Installs"][out["Installs"].isna()].item() == "Free"
    )
    assert out["Price"].isna().sum() == 1
    assert out.dtypes.tolist() == [np.float64] * 3


def test_parse_numbers_glassdoor_salary_ranges_give_the_midpoint(shared_data: Path) -> None:
    jobs = read_table(shared_data / "messy/glassdoor_jobs.csv").frame
    out = _fit("parse_numbers", jobs[["Salary Estimate"]])["Salary Estimate"]
    salary = jobs["Salary Estimate"]
    assert (out[salary == "$53K-$91K (Glassdoor est.)"] == 72_000.0).all()
    assert (out[salary == "$86K-$143K (Glassdoor est.)"] == 114_500.0).sum() == 6
    assert (out[salary == "Employer Provided Salary:$150K-$160K"] == 155_000.0).all()
    # Hourly ranges are read as they are written (no conversion to a yearly figure).
    assert (out[salary == "$17-$24 Per Hour(Glassdoor est.)"] == 20.5).all()
    assert (out[salary == "-1"] == -1.0).sum() == 214  # a sentinel: mark_missing handles it
    assert out.isna().sum() == 0


@pytest.mark.parametrize(
    ("text", "number"),
    [
        ("5,000,000+", 5e6),
        ("1.5 GB", 1.5e9),
        ("2 bn", 2e9),
        ("12%", 12.0),
        ("-$5", -5.0),
        ("  7 ", 7.0),
        ("1e3", 1000.0),
        ("10 to 20", 15.0),
        ("5 Months", 5.0),
    ],
)
def test_parse_number_rules(text: str, number: float) -> None:
    assert parse_number(text) == number


@pytest.mark.parametrize("text", ["Varies with device", "4.0.3 and up", "1, 2, 3", "", None])
def test_parse_number_gives_nan_without_one_clear_number(text: str | None) -> None:
    assert math.isnan(parse_number(text))


def test_cast_to_numeric_categorical_boolean(shared_data: Path) -> None:
    titanic = read_table(shared_data / "clean/titanic.csv").frame
    labels = _fit("cast", titanic[["pclass"]].astype(float), to="categorical")
    assert sorted(labels["pclass"].unique()) == ["1", "2", "3"]
    flags = _fit("cast", titanic[["adult_male", "alive"]], to="boolean")
    assert flags["adult_male"].sum() == titanic["adult_male"].sum() == 537
    assert flags["alive"].sum() == (titanic["alive"] == "yes").sum() == 342
    assert flags["alive"].isna().sum() == 0
    frame = pd.DataFrame({"x": _objects([" 3.5", "abc", None, "7"])})
    np.testing.assert_array_equal(
        _fit("cast", frame, to="numeric")["x"], [3.5, np.nan, np.nan, 7.0]
    )
    words = pd.DataFrame({"x": _objects(["Yes", "off", "maybe", "0", "2", None])})
    np.testing.assert_array_equal(
        _fit("cast", words, to="boolean")["x"], [1.0, 0.0, np.nan, 0.0, 1.0, np.nan]
    )
    assert "output_kind_from_param:to" in get_step("cast").tags


def test_rename_changes_names_only() -> None:
    step = get_step("rename")
    frame = pd.DataFrame({"sex": [1.0, 2.0]})
    out = _fit("rename", frame, new_name="gender")
    assert list(out.columns) == ["gender"]
    np.testing.assert_array_equal(out["gender"], [1.0, 2.0])
    # After a one-hot of `sex` the branch holds derived names: they keep their suffix.
    derived = pd.DataFrame({"sex_female": [1.0, 0.0], "sex_male": [0.0, 1.0]})
    transformer = step.factory(("sex",), step.resolve({"new_name": "gender"})).fit(derived)
    assert transformer.get_feature_names_out().tolist() == ["gender_female", "gender_male"]
    assert step.max_columns == 1
    assert step.check({"sex": ColumnKind.CATEGORICAL}, step.resolve({"new_name": " "})) is not None


def test_keep_and_drop_columns_declarations() -> None:
    drop, keep = get_step("drop_columns"), get_step("keep_columns")
    assert drop.drops_input and drop.factory is None
    assert not keep.drops_input and "keeps_only_named" in keep.tags
    frame = pd.DataFrame({"a": [1.0, 2.0], "b": _objects(["x", None])})
    out = _fit("keep_columns", frame)
    assert list(out.columns) == ["a", "b"]
    assert out["b"].tolist()[0] == "x" and pd.isna(out["b"].tolist()[1])


def test_strip_whitespace_trims_and_empties_become_missing() -> None:
    frame = pd.DataFrame({"city": _objects([" Paris", "Paris ", "New  York\t", "   ", None])})
    out = _fit("strip_whitespace", frame)["city"]
    assert out.tolist()[:3] == ["Paris", "Paris", "New  York"]
    assert out.isna().tolist() == [False, False, False, True, True]
    # The pandas 3 string dtype works as well as object.
    typed = _fit("strip_whitespace", frame.astype("str"))["city"]
    assert typed.tolist()[:3] == ["Paris", "Paris", "New  York"]


def test_drop_duplicates_removes_exact_titanic_duplicates(shared_data: Path) -> None:
    titanic = read_table(shared_data / "clean/titanic.csv").frame
    X, y = titanic.drop(columns="survived"), titanic["survived"]
    step = get_step("drop_duplicates")
    X_kept, y_kept = step.row_fn(X, y, step.resolve({}), 0)
    assert titanic.duplicated().sum() == 107
    assert len(X_kept) == len(y_kept) == 891 - 107
    assert not pd.concat([X_kept, y_kept], axis=1).duplicated().any()
    # Equal features with different targets are conflicting examples, not copies: kept.
    conflict = pd.DataFrame({"a": [1.0, 1.0, 1.0]})
    X_c, y_c = step.row_fn(conflict, pd.Series([0, 1, 1]), {}, 0)
    assert len(X_c) == 2 and y_c.tolist() == [0, 1]


# --- The contract of every step in the three families ---------------------------------------

FAMILIES = {
    "Missing values": [
        "impute",
        "missing_indicator",
        "impute_knn",
        "mark_missing",
        "replace_infinite",
        "drop_missing_target",
    ],
    "Numeric": ["scale", "log1p", "power_transform", "clip_outliers", "bin", "polynomial"],
    "Columns": [
        "drop_columns",
        "keep_columns",
        "rename",
        "cast",
        "parse_numbers",
        "strip_whitespace",
        "drop_duplicates",
    ],
}

NUMBERS = pd.DataFrame(
    {"a": [1.0, 2.0, np.nan, 4.0, 10.0, 3.0], "b": [0.5, 1.5, 2.5, 3.5, 4.5, 5.5]}
)
COMPLETE = NUMBERS.fillna(2.0)
NUMBERS_UNSEEN = pd.DataFrame({"a": [1000.0, -50.0], "b": [np.nan, 99.0]})
COMPLETE_UNSEEN = pd.DataFrame({"a": [1000.0, -50.0], "b": [0.0, 99.0]})
TEXT = pd.DataFrame({"c": _objects(["x", " y ", np.nan, "x", "12k"])})
TEXT_UNSEEN = pd.DataFrame({"c": _objects(["never seen", np.nan])})

# step, params, training frame, frame with values unseen at fit, expected output names
CASES = [
    ("impute", {"strategy": "median"}, NUMBERS, NUMBERS_UNSEEN, ["a", "b"]),
    ("impute", {"strategy": "most_frequent"}, TEXT, TEXT_UNSEEN, ["c"]),
    ("missing_indicator", {}, NUMBERS, NUMBERS_UNSEEN, ["a", "b", "a_missing", "b_missing"]),
    ("impute_knn", {"n_neighbors": 2}, NUMBERS, NUMBERS_UNSEEN, ["a", "b"]),
    ("mark_missing", {"values": ("2", "x")}, NUMBERS, NUMBERS_UNSEEN, ["a", "b"]),
    ("mark_missing", {"values": ("x",)}, TEXT, TEXT_UNSEEN, ["c"]),
    ("replace_infinite", {}, NUMBERS, NUMBERS_UNSEEN, ["a", "b"]),
    ("scale", {"method": "robust"}, NUMBERS, NUMBERS_UNSEEN, ["a", "b"]),
    ("log1p", {}, NUMBERS, NUMBERS_UNSEEN, ["a", "b"]),
    ("power_transform", {}, NUMBERS, NUMBERS_UNSEEN, ["a", "b"]),
    ("clip_outliers", {"method": "iqr"}, NUMBERS, NUMBERS_UNSEEN, ["a", "b"]),
    (
        "bin",
        {"n_bins": 2, "encode": "onehot"},
        COMPLETE,
        COMPLETE_UNSEEN,
        ["a_0.0", "a_1.0", "b_0.0", "b_1.0"],
    ),
    ("polynomial", {}, COMPLETE, COMPLETE_UNSEEN, ["a", "b", "a^2", "a b", "b^2"]),
    ("keep_columns", {}, TEXT, TEXT_UNSEEN, ["c"]),
    ("rename", {"new_name": "renamed"}, TEXT, TEXT_UNSEEN, ["renamed"]),
    ("cast", {"to": "categorical"}, NUMBERS, NUMBERS_UNSEEN, ["a", "b"]),
    ("parse_numbers", {}, TEXT, TEXT_UNSEEN, ["c"]),
    ("strip_whitespace", {}, TEXT, TEXT_UNSEEN, ["c"]),
]


def _same(left: pd.DataFrame, right: pd.DataFrame) -> None:
    pd.testing.assert_frame_equal(left.reset_index(drop=True), right.reset_index(drop=True))


@pytest.mark.parametrize(
    ("name", "params", "train", "unseen", "names"),
    CASES,
    ids=[f"{case[0]}-{i}" for i, case in enumerate(CASES)],
)
def test_transformer_contract(
    name: str, params: dict, train: pd.DataFrame, unseen: pd.DataFrame, names: list[str]
) -> None:
    step = get_step(name)
    transformer = step.factory(tuple(train.columns), step.resolve(params))
    fresh = clone(transformer)  # clonable before fit, and the clone fits the same
    fitted = transformer.set_output(transform="pandas").fit(train)
    out = fitted.transform(train)
    assert isinstance(out, pd.DataFrame)
    assert list(out.columns) == names == fitted.get_feature_names_out().tolist()
    assert len(out) == len(train)
    _same(fresh.set_output(transform="pandas").fit(train).transform(train), out)
    restored = pickle.loads(pickle.dumps(fitted))
    _same(restored.transform(train), out)
    later = fitted.transform(unseen)
    assert list(later.columns) == names and len(later) == len(unseen)
    if step.output_kind == ColumnKind.NUMERIC:
        assert all(dtype == np.float64 for dtype in out.dtypes)


def test_every_step_of_the_three_families_is_declared_completely() -> None:
    groups = steps_by_group()
    for group, names in FAMILIES.items():
        assert [step.name for step in groups[group]] == names
        for step in groups[group]:
            assert step.label.strip() and len(step.help) > 60, step.name
            assert step.onnx or step.onnx_note, step.name
            for param in step.params:
                assert param.help and param.label, (step.name, param.name)
                assert param.coerce(param.default, step.name) == param.default
            if step.stage in (Stage.COLUMNS, Stage.MATRIX) and not step.drops_input:
                assert step.factory is not None, step.name
            if step.stage == Stage.ROWS:
                assert step.row_fn is not None and step.min_columns == 0, step.name
    covered = {case[0] for case in CASES}
    with_factory = {
        step.name for group in FAMILIES for step in groups[group] if step.factory is not None
    }
    assert with_factory == covered
