"""Selection and imbalance steps, plus the contract every step of the five families keeps:
declarations a form can show, transformers that clone, pickle, name their outputs, give
pandas output (their ONNX conversion is tested in tests/core/export/test_step_converters.py)."""

from __future__ import annotations

import pickle
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pytest
from sklearn.base import clone
from sklearn.feature_selection import f_regression
from sklearn.preprocessing import StandardScaler

from workbench.core.errors import WorkbenchError
from workbench.core.io.table import read_table
from workbench.core.kinds import ColumnKind
from workbench.core.steps.catalog import all_steps, get_step
from workbench.core.steps.registry import Stage
from workbench.core.steps.select import target_is_classes

FAMILIES = {
    "Categorical": [
        "one_hot",
        "group_rare",
        "ordinal",
        "hash",
        "feature_cross",
        "target_encode",
    ],
    "Dates": ["datetime_parts"],
    "Text": ["tfidf"],
    "Selection": ["drop_constant", "drop_low_variance", "drop_correlated", "select_k_best", "pca"],
    "Imbalance": ["class_weights", "oversample", "undersample"],
}
OWN_STEPS = [name for names in FAMILIES.values() for name in names]
PENGUIN_NUMBERS = ["bill_length_mm", "bill_depth_mm", "flipper_length_mm", "body_mass_g"]


def build(name: str, columns: list[str] | None = None, **params: Any) -> Any:
    step = get_step(name)
    return step.factory(tuple(columns or ()), step.resolve(params))


def test_the_five_families_declare_exactly_these_steps() -> None:
    steps = all_steps()
    for group, names in FAMILIES.items():
        assert [s.name for s in steps.values() if s.group == group] == names


@pytest.mark.parametrize("name", OWN_STEPS)
def test_every_step_is_described_and_its_defaults_pass_their_own_checks(name: str) -> None:
    step = get_step(name)
    assert step.label and len(step.help) > 80, "help must say what, when and the trade-off"
    for param in step.params:
        assert param.label and param.help, f"{name}.{param.name} needs a label and help"
        assert param.coerce(param.default, name) == param.default
    resolved = step.resolve({})
    if step.check is not None:
        assert step.check(dict.fromkeys(("a", "b"), ColumnKind.CATEGORICAL), resolved) is None
    if step.stage in (Stage.COLUMNS, Stage.MATRIX):
        assert step.factory is not None and step.row_fn is None
    if step.stage == Stage.MATRIX:
        assert step.min_columns == 0 and step.output_kind is None
    if step.stage == Stage.ROWS:
        assert step.row_fn is not None and step.factory is None and step.min_columns == 0
    if not step.onnx:
        assert step.onnx_note


def test_hash_help_explains_collisions() -> None:
    text = get_step("hash").help + get_step("hash").params[0].help
    assert "collision" in text and "wider" in text and "same bucket" in text


def test_class_weights_is_a_model_option() -> None:
    step = get_step("class_weights")
    assert step.stage == Stage.MODEL and step.factory is None and step.row_fn is None
    assert step.resolve({}) == {"mode": "balanced"}


# --- the transformer contract, on small frames built here ------------------------------------

_RNG = np.random.default_rng(7)
_LABELS = pd.DataFrame(
    {"a": ["x", "y", "x", np.nan, "z", "x"] * 5, "b": ["p", "q", "q", "p", "p", "r"] * 5},
    dtype=object,
)
_NUMBERS = pd.DataFrame(_RNG.normal(size=(30, 4)), columns=["n0", "n1", "n2", "n3"])
_NUMBERS["n3"] = _NUMBERS["n0"] * 3.0 + 0.001 * _RNG.normal(size=30)
_CLASSES = pd.Series(["yes", "no", "no"] * 10, name="target")
_TEXT = pd.DataFrame(
    {"note": ["good food", "bad service", np.nan, "good service", "food was bad"] * 6},
    dtype=object,
)
_DATES = pd.DataFrame({"day": pd.date_range("2024-01-01", periods=30, freq="37h")})

# name -> (columns, params, X, y, expected output names)
CASES: dict[str, tuple[list[str], dict[str, Any], pd.DataFrame, Any, list[str]]] = {
    "one_hot": (
        ["a"],
        {},
        _LABELS[["a"]],
        None,
        ["a_x", "a_y", "a_z", "a_nan"],
    ),
    "group_rare": (["a", "b"], {"min_frequency": 0.2}, _LABELS, None, ["a", "b"]),
    "ordinal": (["b"], {"order": "q,p"}, _LABELS[["b"]], None, ["b"]),
    "hash": (["a"], {"n_buckets": 4}, _LABELS[["a"]], None, [f"a_bucket{i}" for i in range(4)]),
    "feature_cross": (
        ["a", "b"],
        {},
        _LABELS,
        None,
        ["a_x_b_(missing)|p", "a_x_b_x|p", "a_x_b_x|q", "a_x_b_x|r", "a_x_b_y|q", "a_x_b_z|p"],
    ),
    "target_encode": (["a"], {"cv": 3}, _LABELS[["a"]], _CLASSES, ["a"]),
    "datetime_parts": (
        ["day"],
        {"parts": ["month", "is_weekend"]},
        _DATES,
        None,
        ["day_month", "day_is_weekend"],
    ),
    "tfidf": (
        ["note"],
        {},
        _TEXT,
        None,
        ["note_bad", "note_food", "note_good", "note_service", "note_was"],
    ),
    "drop_constant": ([], {}, _NUMBERS.assign(n1=2.0), None, ["n0", "n2", "n3"]),
    "drop_low_variance": (
        [],
        {"threshold": 0.1},
        _NUMBERS.assign(n1=0.1 * _NUMBERS["n1"]),
        None,
        ["n0", "n2", "n3"],
    ),
    "drop_correlated": ([], {}, _NUMBERS, None, ["n0", "n1", "n2"]),
    "select_k_best": ([], {"k": 2}, _NUMBERS, _NUMBERS["n0"] * 2 + _NUMBERS["n2"], ["n0", "n3"]),
    "pca": ([], {"n_components": 2}, _NUMBERS, None, ["pca0", "pca1"]),
}


def test_every_transformer_step_has_a_contract_case() -> None:
    with_factory = {name for name in OWN_STEPS if get_step(name).factory is not None}
    assert with_factory == set(CASES)


def _same(left: Any, right: Any) -> None:
    pd.testing.assert_frame_equal(pd.DataFrame(left), pd.DataFrame(right))


@pytest.mark.parametrize("name", sorted(CASES))
def test_transformer_clones_pickles_names_and_gives_pandas(name: str) -> None:
    columns, params, X, y, names = CASES[name]
    transformer = build(name, columns, **params)
    copy = clone(transformer)
    assert copy.get_params().keys() == transformer.get_params().keys()
    fitted = transformer.fit(X, y)
    out = fitted.transform(X)
    assert list(fitted.get_feature_names_out()) == names
    assert np.asarray(out).shape == (len(X), len(names))
    _same(pickle.loads(pickle.dumps(fitted)).transform(X), out)
    framed = copy.set_output(transform="pandas").fit(X, y).transform(X)
    assert isinstance(framed, pd.DataFrame)
    assert list(framed.columns) == names and framed.index.equals(X.index)
    _same(framed.to_numpy(), out)
    if get_step(name).output_kind == ColumnKind.NUMERIC or get_step(name).stage == Stage.MATRIX:
        assert np.asarray(out).dtype == np.float64


# --- selection on real data -----------------------------------------------------------------


@pytest.fixture(scope="module")
def penguins(shared_data: Path) -> pd.DataFrame:
    return read_table(shared_data / "clean" / "penguins.csv").frame


def test_drop_correlated_on_diamond_sizes(shared_data: Path) -> None:
    diamonds = read_table(shared_data / "clean" / "diamonds.csv").frame
    sizes = diamonds[["x", "y", "z", "carat"]]
    selector = build("drop_correlated", threshold=0.95).set_output(transform="pandas")
    # x correlates above 0.95 with y (0.975), z (0.971) and carat (0.975): the later ones go.
    assert list(selector.fit_transform(sizes).columns) == ["x"]
    assert list(selector.fit(sizes[["carat", "z", "y"]]).get_feature_names_out()) == ["carat"]
    # At 0.96, y-z (0.952) and z-carat (0.953) stay below: only x's partners go.
    loose = build("drop_correlated", threshold=0.975).fit(sizes)
    assert list(loose.get_feature_names_out()) == ["x", "y", "z"]


def test_drop_constant_and_low_variance() -> None:
    frame = pd.DataFrame({"same": [3.0] * 100, "rare": [1.0] + [0.0] * 99, "half": [0.0, 1.0] * 50})
    constant = build("drop_constant").fit(frame)
    assert list(constant.get_feature_names_out()) == ["rare", "half"]
    low = build("drop_low_variance", threshold=0.01).fit(frame)
    assert list(low.get_feature_names_out()) == ["half"]


def test_select_k_best_picks_flipper_and_bill_length_for_species(penguins: pd.DataFrame) -> None:
    known = penguins.dropna(subset=PENGUIN_NUMBERS)
    selector = build("select_k_best", k=2).set_output(transform="pandas")
    out = selector.fit_transform(known[PENGUIN_NUMBERS], known["species"])
    assert list(out.columns) == ["bill_length_mm", "flipper_length_mm"]
    assert out.shape == (342, 2)
    assert selector.scores_.round(1).tolist() == [410.6, 359.8, 594.8, 343.6]


def test_select_k_best_auto_uses_the_regression_test_for_a_numeric_target(
    penguins: pd.DataFrame,
) -> None:
    known = penguins.dropna(subset=PENGUIN_NUMBERS)
    X, y = known[PENGUIN_NUMBERS[:3]], known["body_mass_g"]
    selector = build("select_k_best", k=1).fit(X, y)
    np.testing.assert_allclose(selector.scores_, f_regression(X, y)[0])
    assert list(selector.get_feature_names_out()) == ["flipper_length_mm"]


def test_target_is_classes_follows_the_task_rule() -> None:
    assert target_is_classes(pd.Series(["a", "b"]))
    assert target_is_classes(np.array([0, 1, 2, 1, 0]))
    assert target_is_classes(pd.Series([True, False]))
    assert not target_is_classes(np.linspace(0.0, 1.0, 50))
    assert not target_is_classes(np.arange(40) % 15)  # 15 whole numbers: a count, not classes


def test_pca_two_components_of_scaled_penguins(penguins: pd.DataFrame) -> None:
    scaled = StandardScaler().fit_transform(penguins[PENGUIN_NUMBERS].dropna())
    pca = build("pca", n_components=2).set_output(transform="pandas")
    out = pca.fit_transform(pd.DataFrame(scaled, columns=PENGUIN_NUMBERS))
    assert out.shape == (342, 2) and list(out.columns) == ["pca0", "pca1"]
    assert pca.explained_variance_ratio_[0] >= 0.688
    assert pca.explained_variance_ratio_.sum() >= 0.881
    share = build("pca", n_components=0.95).fit(scaled)
    assert share.n_components_ == 3


def test_pca_refuses_a_fractional_count() -> None:
    step = get_step("pca")
    assert "whole number" in step.check({}, step.resolve({"n_components": 2.5}))


# --- resampling on real data ----------------------------------------------------------------


@pytest.fixture(scope="module")
def lending(shared_data: Path) -> pd.DataFrame:
    return read_table(shared_data / "clean" / "modeldata_lending_club.csv").frame


def _resample(name: str, frame: pd.DataFrame, seed: int, **params: Any) -> Any:
    step = get_step(name)
    return step.row_fn(frame.drop(columns="Class"), frame["Class"], step.resolve(params), seed)


def test_oversample_lending_club(lending: pd.DataFrame) -> None:
    X, y = _resample("oversample", lending, seed=3)
    assert y.value_counts().to_dict() == {"good": 9340, "bad": 9340}
    assert len(X) == 18680 and X.index.equals(y.index)
    # Original rows first, unchanged; then 8823 copies of "bad" rows.
    pd.testing.assert_frame_equal(X.iloc[:9857], lending.drop(columns="Class"))
    assert set(y.iloc[9857:]) == {"bad"}
    X_again = _resample("oversample", lending, seed=3)[0]
    pd.testing.assert_frame_equal(X, X_again)
    other = _resample("oversample", lending, seed=4)[0]
    assert not X.index.equals(other.index)
    half = _resample("oversample", lending, seed=3, ratio=0.5)[1]
    assert half.value_counts().to_dict() == {"good": 9340, "bad": 4670}


def test_undersample_lending_club(lending: pd.DataFrame) -> None:
    X, y = _resample("undersample", lending, seed=3)
    assert y.value_counts().to_dict() == {"good": 517, "bad": 517}
    assert X.index.is_monotonic_increasing and X.index.is_unique
    assert (lending.loc[X.index, "Class"] == y).all()
    X_again = _resample("undersample", lending, seed=3)[0]
    assert X.index.equals(X_again.index)
    assert not X.index.equals(_resample("undersample", lending, seed=4)[0].index)
    half = _resample("undersample", lending, seed=3, ratio=0.5)[1]
    assert half.value_counts().to_dict() == {"good": 1034, "bad": 517}


@pytest.mark.parametrize("name", ["oversample", "undersample"])
def test_resampling_refuses_a_regression_target(name: str, lending: pd.DataFrame) -> None:
    step = get_step(name)
    X, y = lending[["funded_amnt"]], lending["int_rate"]
    with pytest.raises(WorkbenchError, match=r"target 'int_rate' is numeric .* regression"):
        step.row_fn(X, y, step.resolve({}), 0)
    with pytest.raises(WorkbenchError, match="1 missing values"):
        step.row_fn(X, lending["Class"].where(lending.index != 5), step.resolve({}), 0)
