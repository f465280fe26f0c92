"""The chain compiler on the real datasets: exact outputs, no leakage, validation messages."""

from __future__ import annotations

import json
import pickle
from functools import cache
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pytest
from sklearn.base import clone
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import StratifiedKFold, cross_validate, train_test_split
from sklearn.pipeline import Pipeline

from workbench.core.chain.compile import (
    PREPARED_COLUMNS,
    PrepareColumns,
    build_transformer,
    prepare_frame,
)
from workbench.core.chain.model_chain import model_chain
from workbench.core.chain.resolve import ChainError, ChainProblem, resolve_chain
from workbench.core.chain.stages import apply_row_steps, model_options, onnx_blockers
from workbench.core.chain.width import LabelCounts
from workbench.core.io.table import read_table
from workbench.core.kinds import ColumnKind, infer_kinds
from workbench.core.models.catalog import get_model
from workbench.core.schema import infer_schema
from workbench.core.specs import ChainSpec, StepSpec

FILES = {
    "titanic": "clean/titanic.csv",
    "penguins": "clean/penguins.csv",
    "credit_data": "clean/modeldata_credit_data.csv",
    "lending_club": "clean/modeldata_lending_club.csv",
}
N, C = ColumnKind.NUMERIC, ColumnKind.CATEGORICAL


@cache
def _frame(shared_data: Path, name: str) -> pd.DataFrame:
    return read_table(shared_data / FILES[name]).frame


def _data(shared_data: Path, name: str, target: str) -> tuple[pd.DataFrame, pd.Series, dict]:
    frame = _frame(shared_data, name)
    kinds = {k: v for k, v in infer_kinds(frame).items() if k != target}
    return frame.drop(columns=target), frame[target], kinds


def chain_of(*steps: StepSpec) -> ChainSpec:
    return ChainSpec(tuple(steps))


TITANIC_CHAIN = chain_of(
    StepSpec("impute", ("age",), {"strategy": "median"}),
    StepSpec("one_hot", ("sex", "embarked")),
    StepSpec("scale", ("fare",)),
    StepSpec("drop_columns", ("alive", "deck")),
)
TITANIC_NAMES = [
    "pclass",
    "sex_female",
    "sex_male",
    "age",
    "sibsp",
    "parch",
    "fare",
    "embarked_C",
    "embarked_Q",
    "embarked_S",
    "embarked_nan",
    "class",
    "who",
    "adult_male",
    "embark_town",
    "alone",
]


def test_titanic_chain_exact_output(shared_data: Path) -> None:
    X, y, kinds = _data(shared_data, "titanic", "survived")
    pipeline = build_transformer(resolve_chain(TITANIC_CHAIN, kinds, "survived"))
    out = pipeline.fit_transform(X, y)
    assert list(out.columns) == TITANIC_NAMES
    assert list(pipeline.get_feature_names_out()) == TITANIC_NAMES
    assert out.shape == (891, 16)
    assert out["age"].isna().sum() == 0 and X["age"].isna().sum() == 177
    # the 177 missing ages are the median of the 714 known ones
    assert (out.loc[X["age"].isna(), "age"] == 28.0).all()
    assert out["sex_female"].sum() == 314 and out["embarked_nan"].sum() == 2
    assert out["fare"].mean() == pytest.approx(0.0, abs=1e-12)
    # booleans become floats; untouched strings pass as they are (object, NaN for missing)
    assert out["alone"].dtype == np.float64 and out["alone"].sum() == 537
    assert out["who"].dtype == object and out.loc[0, "who"] == "man"
    dropped = build_transformer(resolve_chain(TITANIC_CHAIN, kinds, "survived"), untouched="drop")
    assert list(dropped.fit_transform(X, y).columns) == [
        "sex_female",
        "sex_male",
        "age",
        "fare",
        "embarked_C",
        "embarked_Q",
        "embarked_S",
        "embarked_nan",
    ]


def test_titanic_chain_clone_and_pickle_give_identical_output(shared_data: Path) -> None:
    X, y, kinds = _data(shared_data, "titanic", "survived")
    pipeline = build_transformer(resolve_chain(TITANIC_CHAIN, kinds, "survived"))
    first = pipeline.fit_transform(X, y)
    refit = clone(pipeline).fit(X, y).transform(X)
    pd.testing.assert_frame_equal(first, refit)
    restored = pickle.loads(pickle.dumps(pipeline))
    pd.testing.assert_frame_equal(restored.transform(X), pipeline.transform(X))


def test_chain_round_trips_through_json(shared_data: Path) -> None:
    X, y, kinds = _data(shared_data, "titanic", "survived")
    loaded = ChainSpec.from_dict(json.loads(json.dumps(TITANIC_CHAIN.to_dict())))
    assert loaded == TITANIC_CHAIN
    pd.testing.assert_frame_equal(
        build_transformer(resolve_chain(loaded, kinds, "survived")).fit_transform(X, y),
        build_transformer(resolve_chain(TITANIC_CHAIN, kinds, "survived")).fit_transform(X, y),
    )


def test_scaler_learns_the_training_rows_only(shared_data: Path) -> None:
    X, _, kinds = _data(shared_data, "titanic", "survived")
    X_train, X_test = train_test_split(X, test_size=0.3, random_state=0)
    pipeline = build_transformer(resolve_chain(TITANIC_CHAIN, kinds, "survived")).fit(X_train)
    scaler = pipeline.named_steps["columns"].named_transformers_["fare"][-1]
    train_mean, train_std = X_train["fare"].mean(), X_train["fare"].std(ddof=0)
    assert scaler.mean_[0] == pytest.approx(train_mean, rel=1e-12)
    assert train_mean != pytest.approx(X["fare"].mean(), rel=1e-3)
    expected = (X_test["fare"] - train_mean) / train_std
    np.testing.assert_allclose(pipeline.transform(X_test)["fare"], expected, rtol=1e-9)
    imputer = pipeline.named_steps["columns"].named_transformers_["age"][-1]
    assert imputer.statistics_[0] == X_train["age"].median()


@pytest.mark.parametrize(
    ("name", "target", "column"),
    [("titanic", "survived", "who"), ("credit_data", "Status", "Home")],
)
def test_target_encoder_in_each_fold_sees_only_that_folds_training_rows(
    shared_data: Path, name: str, target: str, column: str
) -> None:
    X, y, kinds = _data(shared_data, name, target)
    labels = (y == y.iloc[0]).astype(int)  # the Status strings as 0/1, same task
    # smooth 0: each category's encoding is exactly the mean target of its training rows
    chain = chain_of(StepSpec("target_encode", (column,), {"smooth": 0.0}))
    prep = build_transformer(resolve_chain(chain, kinds, target), untouched="drop")
    model = Pipeline([("prep", prep), ("model", LogisticRegression())])
    folds = StratifiedKFold(5, shuffle=True, random_state=0)
    result = cross_validate(model, X, labels, cv=folds, return_estimator=True)
    full = labels.groupby(X[column], dropna=False).mean()
    for fitted, (train, _) in zip(result["estimator"], folds.split(X, labels), strict=True):
        encoder = fitted.named_steps["prep"].named_steps["columns"].named_transformers_[column]
        encoder = encoder[-1]
        by_hand = labels.iloc[train].groupby(X[column].iloc[train], dropna=False).mean()
        assert [str(c) for c in encoder.categories_[0]] == [str(c) for c in by_hand.index]
        # kept as float32 numbers, the precision the exported model stores them in
        np.testing.assert_allclose(encoder.encodings_[0], by_hand.to_numpy(), rtol=1e-7)
        assert not np.allclose(encoder.encodings_[0], full.loc[by_hand.index].to_numpy())
    assert result["test_score"].mean() > 0.6


def test_feature_cross_names_on_penguins(shared_data: Path) -> None:
    X, y, kinds = _data(shared_data, "penguins", "species")
    chain = chain_of(StepSpec("feature_cross", ("island", "sex")))
    out = build_transformer(resolve_chain(chain, kinds, "species")).fit_transform(X, y)
    crossed = [
        f"island_x_sex_{island}|{sex}"
        for island in ("Biscoe", "Dream", "Torgersen")
        for sex in ("(missing)", "FEMALE", "MALE")
    ]
    assert list(out.columns) == [
        *crossed,
        "bill_length_mm",
        "bill_depth_mm",
        "flipper_length_mm",
        "body_mass_g",
    ]
    assert out[crossed].sum(axis=1).eq(1.0).all()
    assert out["island_x_sex_Biscoe|MALE"].sum() == len(
        X[(X["island"] == "Biscoe") & (X["sex"] == "MALE")]
    )


def test_feature_cross_after_impute_merges_the_branches(shared_data: Path) -> None:
    X, y, kinds = _data(shared_data, "penguins", "species")
    chain = chain_of(
        StepSpec("impute", ("sex",), {"strategy": "most_frequent"}),
        StepSpec("feature_cross", ("island", "sex")),
        StepSpec("drop_columns", ("bill_depth_mm",)),
    )
    out = build_transformer(resolve_chain(chain, kinds, "species"), untouched="drop").fit_transform(
        X, y
    )
    assert list(out.columns) == [
        f"island_x_sex_{island}|{sex}"
        for island in ("Biscoe", "Dream", "Torgersen")
        for sex in ("FEMALE", "MALE")
    ]
    # the 11 missing sexes became the most frequent one, MALE (168 + 11 = 179)
    assert out.filter(like="|MALE").to_numpy().sum() == 179


def test_penguins_full_chain_with_rename_keep_and_matrix_steps(shared_data: Path) -> None:
    X, y, kinds = _data(shared_data, "penguins", "species")
    numbers = ("bill_length_mm", "bill_depth_mm", "flipper_length_mm", "body_mass_g")
    steps = (
        StepSpec("impute", numbers, {"strategy": "median"}),
        StepSpec("log1p", ("body_mass_g",)),
        StepSpec("one_hot", ("island",)),
        StepSpec("rename", ("island",), {"new_name": "isle"}),
        StepSpec("keep_columns", ("island", *numbers)),
        StepSpec("select_k_best", (), {"k": 5}),
        StepSpec("pca", (), {"n_components": 2}),
    )
    kept = build_transformer(resolve_chain(ChainSpec(steps[:5]), kinds, "species")).fit(X, y)
    assert list(kept.get_feature_names_out()) == [
        "isle_Biscoe",
        "isle_Dream",
        "isle_Torgersen",
        *numbers,
    ]
    out = kept.transform(X)
    assert out["body_mass_g"].max() == pytest.approx(np.log1p(6300.0))
    full = build_transformer(resolve_chain(ChainSpec(steps), kinds, "species")).fit(X, y)
    assert list(full.get_feature_names_out()) == ["pca0", "pca1"]
    assert full.transform(X).shape == (344, 2)
    assert full.named_steps["matrix"].named_steps["s6_select_k_best"].get_support().sum() == 5
    assert resolve_chain(ChainSpec(steps), kinds, "species").columns_at(5) == {
        "island": N,
        "bill_length_mm": N,
        "bill_depth_mm": N,
        "flipper_length_mm": N,
        "body_mass_g": N,
    }


def test_disabled_steps_are_skipped(shared_data: Path) -> None:
    X, y, kinds = _data(shared_data, "penguins", "species")
    chain = chain_of(StepSpec("one_hot", ("island",)), StepSpec("drop_columns", ("sex",)))
    out = build_transformer(resolve_chain(chain.toggled(0), kinds, "species")).fit_transform(X, y)
    assert list(out.columns) == [
        "island",
        "bill_length_mm",
        "bill_depth_mm",
        "flipper_length_mm",
        "body_mass_g",
    ]


def test_columns_at_tracks_kinds_drops_and_the_target(shared_data: Path) -> None:
    frame = _frame(shared_data, "penguins")
    kinds = infer_kinds(frame)  # the target included: columns_at must leave it out
    chain = chain_of(StepSpec("one_hot", ("island",)), StepSpec("drop_columns", ("sex",)))
    assert resolve_chain(chain, kinds, "species").columns_at(0) == {
        "island": C,
        "bill_length_mm": N,
        "bill_depth_mm": N,
        "flipper_length_mm": N,
        "body_mass_g": N,
        "sex": C,
    }
    assert resolve_chain(chain, kinds, "species").columns_at(2) == {
        "island": N,
        "bill_length_mm": N,
        "bill_depth_mm": N,
        "flipper_length_mm": N,
        "body_mass_g": N,
    }


def _messages(chain: ChainSpec, kinds: dict, target: str) -> list[str]:
    return [problem.message for problem in resolve_chain(chain, kinds, target).problems]


def test_validation_messages(shared_data: Path) -> None:
    frame = _frame(shared_data, "penguins")
    kinds = infer_kinds(frame)
    scale_sex = chain_of(
        StepSpec("impute", ("sex",), {"strategy": "most_frequent"}),
        StepSpec("drop_columns", ("island",)),
        StepSpec("scale", ("sex",)),
    )
    assert list(resolve_chain(scale_sex, kinds, "species").problems) == [
        ChainProblem(
            2,
            "scale",
            "sex",
            "step 3 (Scale): column 'sex' is categorical here; Scale takes numeric or boolean "
            "columns",
        )
    ]
    # after a one-hot the sex branch is numeric and may be scaled
    one_hot_first = scale_sex.replaced(0, StepSpec("one_hot", ("sex",)))
    assert list(resolve_chain(one_hot_first, kinds, "species").problems) == []
    assert _messages(
        chain_of(StepSpec("scale", ("body_mass_g",)), StepSpec("one_hot", ("beak",))),
        kinds,
        "species",
    ) == ["step 2 (One-hot encode): column 'beak' is not in the dataset"]
    assert _messages(
        chain_of(
            StepSpec("drop_columns", ("sex",)),
            StepSpec("scale", ("body_mass_g",)),
            StepSpec("log1p", ("body_mass_g",)),
            StepSpec("impute", ("sex",), {"strategy": "most_frequent"}),
        ),
        kinds,
        "species",
    ) == ["step 4 (Fill missing values): column 'sex' was dropped by step 1 (Drop columns)"]
    assert _messages(
        chain_of(StepSpec("pca"), StepSpec("impute", ("body_mass_g",))), kinds, "species"
    ) == [
        "step 1 (PCA components) acts on all features and must come after "
        "step 2 (Fill missing values), which acts on columns"
    ]
    assert _messages(
        chain_of(
            StepSpec("impute", ("sex",), {"strategy": "most_frequent"}),
            StepSpec("scale", ("species",)),
        ),
        kinds,
        "species",
    ) == ["step 2 (Scale) names the target 'species'"]


def test_validation_of_parameters_counts_and_checks(shared_data: Path) -> None:
    kinds = infer_kinds(_frame(shared_data, "penguins"))
    assert _messages(
        chain_of(
            StepSpec("scale", ("body_mass_g",), {"method": "zscore"}),
            StepSpec("one_hot", ("island",), {"colour": 1}),
            StepSpec("feature_cross", ("sex",)),
            StepSpec("rename", ("sex", "island"), {"new_name": "x"}),
            StepSpec("impute", ("sex",), {"strategy": "mean"}),
            StepSpec("pca", ("body_mass_g",)),
            StepSpec("frobnicate", ("sex",)),
            StepSpec("scale", ("bill_length_mm", "bill_length_mm")),
        ),
        kinds,
        "species",
    ) == [
        "step 1 (Scale): parameter 'method' must be one of standard, minmax, maxabs, robust; "
        "got 'zscore'",
        "step 2 (One-hot encode) has no parameter 'colour'; its parameters: min_frequency, "
        "max_categories",
        "step 3 (Cross categories) needs at least 2 columns, got 1",
        "step 4 (Rename column) takes at most 1 column, got 2",
        "step 5 (Fill missing values): "
        + _check_sentence("impute", {"sex": C}, {"strategy": "mean", "fill_value": ""}),
        "step 6 (PCA components) takes no columns: it acts on all features",
        "step 6 (PCA components) acts on all features and must come after step 8 (Scale), "
        "which acts on columns",
        "step 7 (frobnicate): unknown step 'frobnicate'",
        "step 8 (Scale) names column 'bill_length_mm' twice",
    ]


def _check_sentence(step: str, kinds: dict, params: dict) -> str:
    from workbench.core.steps.catalog import get_step

    definition = get_step(step)
    assert definition.check is not None
    sentence = definition.check(kinds, params)
    assert sentence, "the impute step must refuse a mean of categories"
    return sentence


def test_duplicate_column_and_empty_chain_result(shared_data: Path) -> None:
    kinds = infer_kinds(_frame(shared_data, "penguins"))
    assert _messages(
        chain_of(StepSpec("scale", ("body_mass_g", "body_mass_g"))), kinds, "species"
    ) == ["step 1 (Scale) names column 'body_mass_g' twice"]
    everything = tuple(c for c in kinds if c != "species")
    assert _messages(chain_of(StepSpec("drop_columns", everything)), kinds, "species") == [
        "step 1 (Drop columns) leaves no feature columns"
    ]


def test_build_raises_the_first_problem(shared_data: Path) -> None:
    kinds = infer_kinds(_frame(shared_data, "penguins"))
    with pytest.raises(ChainError, match=r"^step 1 \(Scale\): column 'sex' is categorical"):
        build_transformer(resolve_chain(chain_of(StepSpec("scale", ("sex",))), kinds, "species"))
    with pytest.raises(ChainError, match="untouched columns must be one of passthrough, drop"):
        build_transformer(resolve_chain(ChainSpec(), kinds, "species"), untouched="keep")


def test_row_steps_apply_to_the_given_rows_only(shared_data: Path) -> None:
    X, y, kinds = _data(shared_data, "penguins", "body_mass_g")
    chain = chain_of(StepSpec("drop_missing_target"), StepSpec("one_hot", ("island",)))
    rows_X, rows_y = apply_row_steps(resolve_chain(chain, kinds), X, y)
    assert (len(X), len(rows_X), len(rows_y)) == (344, 342, 342)
    assert rows_y.notna().all()
    X, y, kinds = _data(shared_data, "lending_club", "Class")
    assert y.value_counts().to_dict() == {"good": 9340, "bad": 517}
    over = resolve_chain(chain_of(StepSpec("oversample", (), {"ratio": 0.5})), kinds)
    rows_X, rows_y = apply_row_steps(over, X, y, seed=0)
    assert rows_y.value_counts().to_dict() == {"good": 9340, "bad": 4670}
    again_X, _ = apply_row_steps(over, X, y, seed=0)
    assert list(again_X.index) == list(rows_X.index)


def test_model_options_and_onnx_blockers() -> None:
    kinds = {"fare": N, "deck": C}
    chain = chain_of(
        StepSpec("class_weights", (), {"mode": "balanced"}),
        StepSpec("log1p", ("fare",)),
        StepSpec("scale", ("fare",)),
        StepSpec("oversample"),
        StepSpec("hash", ("deck",), enabled=False),
        StepSpec("drop_correlated"),
    )
    assert model_options(resolve_chain(chain, kinds)) == {"class_weight": "balanced"}
    assert model_options(resolve_chain(chain.toggled(0), kinds)) == {}
    assert onnx_blockers(resolve_chain(chain, kinds)) == []  # every step converts to ONNX


def test_prepare_stage_and_branch_names_on_awkward_columns() -> None:
    # Nullable booleans and integers become float64 with NaN; names that scikit-learn reserves
    # ("verbose" is a ColumnTransformer parameter, "__" separates nested ones) still compile.
    frame = pd.DataFrame(
        {
            "a__b": [1.0, 2.0, 3.0],
            "a_b": [4.0, 5.0, 6.0],
            "verbose": ["x", "y", "x"],
            "flag": pd.array([True, None, False], dtype="boolean"),
            "n": pd.array([1, None, 3], dtype="Int64"),
        }
    )
    kinds = {"a__b": N, "a_b": N, "verbose": C, "flag": ColumnKind.BOOLEAN, "n": N}
    chain = chain_of(StepSpec("scale", ("a__b", "a_b")), StepSpec("one_hot", ("verbose",)))
    pipeline = build_transformer(resolve_chain(chain, kinds))
    out = pipeline.fit_transform(frame)
    assert list(out.columns) == ["a__b", "a_b", "verbose_x", "verbose_y", "flag", "n"]
    assert set(out.dtypes) == {np.dtype("float64")}
    assert out["flag"].tolist()[::2] == [1.0, 0.0] and np.isnan(out.loc[1, "flag"])
    assert np.isnan(out.loc[1, "n"]) and out.loc[2, "n"] == 3.0
    names = [name for name, _, _ in pipeline.named_steps["columns"].transformers]
    assert names == ["a_b", "a_b_1", "column_verbose", "flag", "n"]


def test_a_frame_prepared_once_gives_the_same_output_and_is_passed_through(
    shared_data: Path,
) -> None:
    # The runner prepares its table once (text missing values as NaN, booleans as floats);
    # PrepareColumns then passes it and its row selections through instead of redoing it.
    X, y, kinds = _data(shared_data, "titanic", "survived")
    assert X["deck"].isna().sum() == 688 and X["alone"].dtype == bool
    prepared = prepare_frame(X)
    assert prepared.attrs[PREPARED_COLUMNS] == tuple(X.columns)
    assert prepared["deck"].dtype == object and prepared["deck"].isna().sum() == 688
    assert all(isinstance(v, float) for v in prepared.loc[X["deck"].isna(), "deck"])
    assert prepared["alone"].dtype == np.float64 and prepared["alone"].sum() == 537
    rows = np.arange(0, 891, 3)
    subset = prepared.iloc[rows]
    assert subset.attrs[PREPARED_COLUMNS] == tuple(X.columns)
    assert PrepareColumns().fit(subset).transform(subset) is subset
    pipeline = build_transformer(resolve_chain(TITANIC_CHAIN, kinds, "survived"))
    pipeline.fit(X.iloc[rows], y.iloc[rows])
    pd.testing.assert_frame_equal(pipeline.transform(subset), pipeline.transform(X.iloc[rows]))
    # A column added later is not in the mark: it is still prepared.
    extra = subset.assign(flag=X["alone"].iloc[rows])
    assert PrepareColumns().fit(extra).transform(extra)["flag"].dtype == np.float64


def test_onnx_blockers_see_parameters_that_stop_conversion() -> None:
    kinds = {"sex": C}
    plain = ChainSpec((StepSpec("one_hot", ("sex",)),))
    grouped = ChainSpec((StepSpec("one_hot", ("sex",), {"min_frequency": 0.05}),))
    capped = ChainSpec((StepSpec("one_hot", ("sex",), {"max_categories": 5}),))
    # Rare categories grouped convert too (the exporter's own one-hot converter).
    for chain in (plain, grouped, capped):
        assert onnx_blockers(resolve_chain(chain, kinds)) == []


def test_the_resolved_chain_names_what_each_step_reads_writes_and_drops(
    shared_data: Path,
) -> None:
    X, _, kinds = _data(shared_data, "titanic", "survived")
    chain = chain_of(*TITANIC_CHAIN.steps, StepSpec("pca", (), {"n_components": 3}))
    resolved = resolve_chain(chain, kinds, "survived")
    assert resolved.problems == ()
    assert [(s.index, s.name, s.columns, s.writes, s.drops) for s in resolved.steps] == [
        (0, "impute", ("age",), ("age",), ()),
        (1, "one_hot", ("sex", "embarked"), ("sex", "embarked"), ()),
        (2, "scale", ("fare",), ("fare",), ()),
        (3, "drop_columns", ("alive", "deck"), (), ("alive", "deck")),
        (4, "pca", (), (), ()),
    ]
    assert resolved.steps[1].kinds == {"sex": C, "embarked": C}
    assert resolved.alive["sex"] == N  # one-hot output is numeric
    assert [s.name for s in resolved.matrix] == ["pca"]
    assert list(resolved.untouched) == [
        "pclass", "sibsp", "parch", "class", "who", "adult_male", "embark_town", "alone",
    ]  # fmt: skip
    # The model's full chain: its steps go before the first MATRIX step, marked as added.
    counts = LabelCounts.from_schema(infer_schema(X, kinds))
    full = model_chain(resolved, get_model("logistic_regression"), counts)
    assert [(s.index, s.name, s.added, s.user_index) for s in full.steps] == [
        (0, "impute", False, 0),
        (1, "one_hot", False, 1),
        (2, "scale", False, 2),
        (3, "drop_columns", False, 3),
        (4, "impute", True, None),
        (5, "impute", True, None),
        (6, "one_hot", True, None),
        (7, "scale", True, None),
        (8, "pca", False, 4),
    ]
    assert full.steps[6].columns == ("class", "who", "embark_town")
    assert build_transformer(full).named_steps["matrix"].steps[0][0] == "s9_pca"


def _fitted_reads(transformer: Any) -> set[str]:
    """The columns a fitted chain's ColumnTransformer hands to a transformer (not dropped)."""
    columns = transformer.named_steps["columns"]
    return {c for _, inner, cols in columns.transformers_ if inner != "drop" for c in cols}


def test_reads_are_the_columns_the_compiled_chain_reads(shared_data: Path) -> None:
    """A dropped column is not read (its values change nothing). Dropping one column of a
    feature cross drops the crossed branch, so neither of its columns is read."""
    X, y, kinds = _data(shared_data, "penguins", "species")
    dropped = resolve_chain(chain_of(StepSpec("drop_columns", ("island", "body_mass_g"))), kinds)
    assert dropped.reads == ("bill_length_mm", "bill_depth_mm", "flipper_length_mm", "sex")
    fitted = build_transformer(dropped).fit(X, y)
    assert _fitted_reads(fitted) == set(dropped.reads)
    blanked = fitted.transform(X.assign(island=np.nan, body_mass_g=np.nan))
    pd.testing.assert_frame_equal(blanked, fitted.transform(X))
    crossed = resolve_chain(
        chain_of(
            StepSpec("feature_cross", ("island", "sex")), StepSpec("drop_columns", ("island",))
        ),
        kinds,
    )
    numbers = ("bill_length_mm", "bill_depth_mm", "flipper_length_mm", "body_mass_g")
    assert crossed.reads == numbers
    assert _fitted_reads(build_transformer(crossed).fit(X, y)) == set(numbers)
