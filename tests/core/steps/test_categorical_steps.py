"""Categorical steps on real data: exact columns, counts and codes."""

from __future__ import annotations

import pickle
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pytest
from sklearn.base import clone

from workbench.core.io.table import read_table
from workbench.core.kinds import ColumnKind
from workbench.core.steps.catalog import get_step


def build(name: str, columns: list[str], **params: Any) -> Any:
    """The step's unfitted transformer with pandas output, as the chain would build it."""
    step = get_step(name)
    return step.factory(tuple(columns), step.resolve(params)).set_output(transform="pandas")


def as_object(frame: pd.DataFrame, columns: list[str]) -> pd.DataFrame:
    """What the chain compiler hands encoders: object strings with NaN for missing."""
    part = frame[columns].astype(object)
    return part.where(part.notna(), np.nan)


@pytest.fixture(scope="module")
def penguins(shared_data: Path) -> pd.DataFrame:
    return read_table(shared_data / "clean" / "penguins.csv").frame


@pytest.fixture(scope="module")
def bank(shared_data: Path) -> pd.DataFrame:
    return read_table(shared_data / "messy" / "bank-additional.csv").frame


def test_one_hot_island_gives_three_named_columns_summing_to_one(penguins: pd.DataFrame) -> None:
    encoder = build("one_hot", ["island"])
    out = encoder.fit_transform(as_object(penguins, ["island"]))
    names = ["island_Biscoe", "island_Dream", "island_Torgersen"]
    assert list(out.columns) == names == list(encoder.get_feature_names_out())
    assert out.shape == (344, 3)
    assert (out.sum(axis=1) == 1.0).all()
    assert out.sum().tolist() == [168.0, 124.0, 52.0]
    assert (out.dtypes == np.float64).all()


def test_one_hot_unseen_category_is_all_zeros() -> None:
    train = pd.DataFrame({"colour": ["red", "blue", "red", np.nan]}, dtype=object)
    encoder = build("one_hot", ["colour"]).fit(train)
    out = encoder.transform(pd.DataFrame({"colour": ["green", "blue"]}, dtype=object))
    assert list(out.columns) == ["colour_blue", "colour_red", "colour_nan"]
    assert out.to_numpy().tolist() == [[0.0, 0.0, 0.0], [1.0, 0.0, 0.0]]


def test_one_hot_min_frequency_groups_illiterate_as_infrequent(bank: pd.DataFrame) -> None:
    encoder = build("one_hot", ["education"], min_frequency=0.01)
    out = encoder.fit_transform(as_object(bank, ["education"]))
    assert list(out.columns) == [
        "education_basic.4y",
        "education_basic.6y",
        "education_basic.9y",
        "education_high.school",
        "education_professional.course",
        "education_university.degree",
        "education_unknown",
        "education_infrequent_sklearn",
    ]
    assert out.sum().astype(int).tolist() == [429, 228, 574, 921, 535, 1264, 167, 1]
    illiterate = bank["education"].eq("illiterate").to_numpy()
    assert out.loc[illiterate, "education_infrequent_sklearn"].tolist() == [1.0]
    # With grouping on, an unseen label counts as infrequent (scikit-learn's rule).
    unseen = encoder.transform(pd.DataFrame({"education": ["phd"]}, dtype=object))
    assert unseen.to_numpy().tolist() == [[0.0] * 7 + [1.0]]


def test_group_rare_keeps_frequent_labels_and_calls_the_rest_other(bank: pd.DataFrame) -> None:
    grouper = build("group_rare", ["education"], min_frequency=0.05)
    out = grouper.fit_transform(as_object(bank, ["education"]))
    assert list(out.columns) == ["education"]
    # 5% of 4119 rows is 206: unknown (167) and illiterate (1) become "other".
    assert out["education"].value_counts().to_dict() == {
        "university.degree": 1264,
        "high.school": 921,
        "basic.9y": 574,
        "professional.course": 535,
        "basic.4y": 429,
        "basic.6y": 228,
        "other": 168,
    }
    later = grouper.transform(pd.DataFrame({"education": ["phd", "basic.4y", np.nan]}))
    assert later["education"].iloc[:2].tolist() == ["other", "basic.4y"]
    assert pd.isna(later["education"].iloc[2])


def test_group_rare_output_feeds_one_hot(bank: pd.DataFrame) -> None:
    grouped = build("group_rare", ["education"], min_frequency=0.05).fit_transform(
        as_object(bank, ["education"])
    )
    out = build("one_hot", ["education"]).fit_transform(grouped)
    assert out.shape == (4119, 7)
    assert out["education_other"].sum() == 168.0


def test_ordinal_with_a_user_order_on_diamond_cut(shared_data: Path) -> None:
    diamonds = read_table(shared_data / "clean" / "diamonds.csv").frame
    order = "Fair,Good,Very Good,Premium,Ideal"
    encoder = build("ordinal", ["cut"], order=order)
    out = encoder.fit_transform(as_object(diamonds, ["cut"]))
    assert list(out.columns) == ["cut"]
    codes = out["cut"].groupby(diamonds["cut"].to_numpy()).unique()
    assert {label: values.tolist() for label, values in codes.items()} == {
        "Fair": [0.0],
        "Good": [1.0],
        "Very Good": [2.0],
        "Premium": [3.0],
        "Ideal": [4.0],
    }
    assert out["cut"].value_counts().sort_index().tolist() == [1610, 4906, 12082, 13791, 21551]
    odd = encoder.transform(pd.DataFrame({"cut": ["Superb", np.nan, "Ideal"]}, dtype=object))
    assert odd["cut"].tolist() == [-1.0, -1.0, 4.0]


def test_ordinal_without_order_is_alphabetical_and_repeats_are_refused() -> None:
    frame = pd.DataFrame({"size": ["S", "M", "L", "M"]}, dtype=object)
    assert build("ordinal", ["size"]).fit_transform(frame)["size"].tolist() == [2.0, 1.0, 0.0, 1.0]
    step = get_step("ordinal")
    kinds = {"size": ColumnKind.CATEGORICAL}
    assert step.check(kinds, step.resolve({"order": "S,M,S"})) == (
        "the order lists 'S' more than once"
    )
    assert step.check(kinds, step.resolve({"order": "S,M,L"})) is None


def test_hash_buckets_are_fixed_across_fits_and_pickles(penguins: pd.DataFrame) -> None:
    islands = as_object(penguins, ["island"])
    first = build("hash", ["island"]).fit(islands)
    second = pickle.loads(pickle.dumps(clone(first).fit(islands.iloc[::-1])))
    out_first, out_second = first.transform(islands), second.transform(islands)
    assert out_first.shape == (344, 32)
    assert list(out_first.columns[:2]) == ["island_bucket0", "island_bucket1"]
    pd.testing.assert_frame_equal(out_first, out_second)
    # MurmurHash3 (seed 0) of the text: a change of hashing would move these buckets.
    buckets = {
        value: int(np.argmax(out_first[penguins["island"] == value].iloc[0]))
        for value in ("Biscoe", "Dream", "Torgersen")
    }
    assert buckets == {"Biscoe": 12, "Dream": 7, "Torgersen": 13}
    assert (out_first.sum(axis=1) == 1.0).all()
    missing = first.transform(pd.DataFrame({"island": [np.nan]}, dtype=object))
    assert missing.to_numpy().sum() == 0.0


def test_feature_cross_island_by_sex(penguins: pd.DataFrame) -> None:
    crosser = build("feature_cross", ["island", "sex"])
    out = crosser.fit_transform(as_object(penguins, ["island", "sex"]))
    counts = dict(zip(out.columns, out.sum().astype(int), strict=True))
    assert counts == {
        "island_x_sex_Biscoe|(missing)": 5,
        "island_x_sex_Biscoe|FEMALE": 80,
        "island_x_sex_Biscoe|MALE": 83,
        "island_x_sex_Dream|(missing)": 1,
        "island_x_sex_Dream|FEMALE": 61,
        "island_x_sex_Dream|MALE": 62,
        "island_x_sex_Torgersen|(missing)": 5,
        "island_x_sex_Torgersen|FEMALE": 24,
        "island_x_sex_Torgersen|MALE": 23,
    }
    unseen = crosser.transform(pd.DataFrame({"island": ["Mars"], "sex": ["MALE"]}, dtype=object))
    assert unseen.to_numpy().sum() == 0.0
    hashed = build("feature_cross", ["island", "sex"], encode="hash", n_buckets=8)
    hashed_out = hashed.fit_transform(as_object(penguins, ["island", "sex"]))
    assert list(hashed_out.columns) == [f"island_x_sex_bucket{i}" for i in range(8)]
    assert (hashed_out.sum(axis=1) == 1.0).all()


def test_feature_cross_declares_it_combines_at_least_two_columns() -> None:
    step = get_step("feature_cross")
    assert step.combines_columns and step.min_columns == 2


def test_target_encode_cross_fits_training_rows(penguins: pd.DataFrame) -> None:
    islands = as_object(penguins, ["island"])
    encoder = build("target_encode", ["island"])
    trained = encoder.fit_transform(islands, penguins["species"])
    applied = encoder.transform(islands)
    assert list(trained.columns) == ["island_Adelie", "island_Chinstrap", "island_Gentoo"]
    # Out-of-fold encodings on the training rows differ from the full-data encodings.
    assert (trained.to_numpy() != applied.to_numpy()).any()
    # Seeded folds: a second encoder gives the very same training encodings.
    again = build("target_encode", ["island"]).fit_transform(islands, penguins["species"])
    pd.testing.assert_frame_equal(trained, again)
    unseen = encoder.transform(pd.DataFrame({"island": ["Mars"]}, dtype=object))
    np.testing.assert_allclose(unseen.to_numpy()[0], [152 / 344, 68 / 344, 124 / 344])


def test_target_encode_unseen_category_gets_the_numeric_target_mean(
    penguins: pd.DataFrame,
) -> None:
    known = penguins.dropna(subset=["body_mass_g"])
    encoder = build("target_encode", ["island"]).fit(
        as_object(known, ["island"]), known["body_mass_g"]
    )
    unseen = encoder.transform(pd.DataFrame({"island": ["Mars"]}, dtype=object))
    assert list(unseen.columns) == ["island"]
    assert unseen.iloc[0, 0] == pytest.approx(known["body_mass_g"].mean())
