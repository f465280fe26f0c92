"""Date and text steps on the raw penguins file: exact parts, vocabulary and weights."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pytest

from workbench.core.io.table import read_table
from workbench.core.kinds import ColumnKind
from workbench.core.steps.catalog import get_step


def build(name: str, columns: list[str], **params: Any) -> Any:
    step = get_step(name)
    return step.factory(tuple(columns), step.resolve(params)).set_output(transform="pandas")


@pytest.fixture(scope="module")
def raw(shared_data: Path) -> pd.DataFrame:
    return read_table(shared_data / "messy" / "penguins-raw.csv").frame


def test_datetime_parts_of_date_egg(raw: pd.DataFrame) -> None:
    parts = ["year", "month", "day", "weekday", "hour", "is_weekend"]
    out = build("datetime_parts", ["Date Egg"], parts=parts).fit_transform(raw[["Date Egg"]])
    assert list(out.columns) == [f"Date Egg_{part}" for part in parts]
    assert out.shape == (344, 6)
    assert (out["Date Egg_year"].min(), out["Date Egg_year"].max()) == (2007.0, 2009.0)
    assert out["Date Egg_year"].value_counts().sort_index().tolist() == [110, 114, 120]
    # Row 0 is 2007-11-11, a Sunday; row 2 is 2007-11-16, a Friday.
    assert out.iloc[0].tolist() == [2007.0, 11.0, 11.0, 6.0, 0.0, 1.0]
    assert out.iloc[2].tolist() == [2007.0, 11.0, 16.0, 4.0, 0.0, 0.0]


def test_datetime_parts_order_missing_dates_and_text_dates() -> None:
    frame = pd.DataFrame({"when": ["2024-03-09 14:30", None, "not a date"]}, dtype=object)
    # Parts come out in a fixed order whatever order they were ticked in.
    out = build("datetime_parts", ["when"], parts=["hour", "year"]).fit_transform(frame)
    assert list(out.columns) == ["when_year", "when_hour"]
    assert out.iloc[0].tolist() == [2024.0, 14.0]
    assert out.iloc[1:].isna().all().all()


def test_datetime_parts_needs_a_part() -> None:
    step = get_step("datetime_parts")
    kinds = {"when": ColumnKind.DATETIME}
    assert step.check(kinds, step.resolve({"parts": []})) == "choose at least one date part"
    assert step.check(kinds, step.resolve({})) is None


def test_tfidf_of_comments_keeps_max_features(raw: pd.DataFrame) -> None:
    vectorizer = build("tfidf", ["Comments"], max_features=10)
    out = vectorizer.fit_transform(raw[["Comments"]])
    assert list(out.columns) == [
        "Comments_blood",
        "Comments_clutch",
        "Comments_enough",
        "Comments_for",
        "Comments_full",
        "Comments_nest",
        "Comments_never",
        "Comments_not",
        "Comments_observed",
        "Comments_with",
    ]
    assert out.shape == (344, 10)
    # Row 0: "Not enough blood for isotopes." ("isotopes" is not among the 10 kept words).
    assert raw["Comments"].iloc[0] == "Not enough blood for isotopes."
    row = out.iloc[0]
    assert sorted(row[row > 0].index) == [
        "Comments_blood",
        "Comments_enough",
        "Comments_for",
        "Comments_not",
    ]
    assert np.linalg.norm(row.to_numpy()) == pytest.approx(1.0)
    # The 290 rows without a comment are empty documents: all zeros.
    missing = raw["Comments"].isna().to_numpy()
    assert missing.sum() == 290
    assert out[missing].to_numpy().sum() == 0.0


def test_tfidf_phrases_and_minimum_rows(raw: pd.DataFrame) -> None:
    vectorizer = build("tfidf", ["Comments"], ngram_max=2, min_df=5)
    out = vectorizer.fit_transform(raw[["Comments"]])
    assert "Comments_full clutch" in out.columns
    assert "Comments_isotopes" in out.columns  # in 10 comments
    assert "Comments_lab" not in out.columns  # in fewer than 5


def test_tfidf_names_the_column_whose_text_has_no_words() -> None:
    frame = pd.DataFrame({"note": [np.nan, np.nan]}, dtype=object)
    with pytest.raises(ValueError, match="TF-IDF of column 'note': empty vocabulary"):
        build("tfidf", ["note"]).fit(frame)
