"""profile_frame on real data: exact statistics, JSON, round trip, partial results, cancel."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from _frames import load

from workbench.core.errors import WorkbenchError
from workbench.core.kinds import ColumnKind, TaskType
from workbench.core.profile.compute import profile_frame
from workbench.core.profile.model import ColumnProfile, Profile, ProfileOptions
from workbench.core.progress import Cancelled, CancelToken


@pytest.fixture(scope="module")
def titanic(shared_data: Path) -> pd.DataFrame:
    return load(shared_data, "titanic")


@pytest.fixture(scope="module")
def titanic_profile(titanic: pd.DataFrame) -> Profile:
    return profile_frame(titanic, target="survived")


def test_to_dict_is_strict_json_with_the_required_keys(titanic_profile: Profile) -> None:
    data = json.loads(json.dumps(titanic_profile.to_dict(), allow_nan=False))
    assert data["rows"] == 891 and data["n_columns"] == 15
    assert [c["name"] for c in data["columns"]][:3] == ["survived", "pclass", "sex"]
    for column in data["columns"]:
        assert {"name", "kind", "missing", "distinct", "top_values", "histogram"} <= set(column)
    for alert in data["alerts"]:
        assert {"kind", "columns", "severity", "value", "message", "threshold", "fix"} <= set(alert)
    assert data["target"] == "survived" and data["task"] == "binary"
    assert data["sampled"] == {}  # 891 rows: nothing sampled


def test_round_trip(titanic_profile: Profile) -> None:
    text = json.dumps(titanic_profile.to_dict(), allow_nan=False)
    assert Profile.from_dict(json.loads(text)) == titanic_profile


def test_exact_column_statistics(titanic: pd.DataFrame, titanic_profile: Profile) -> None:
    age = titanic_profile.column("age")
    assert (age.kind, age.count, age.missing, age.distinct) == (ColumnKind.NUMERIC, 714, 177, 88)
    assert age.missing_fraction == 177 / 891
    assert age.mean == pytest.approx(titanic["age"].mean(), rel=1e-12)
    assert age.std == pytest.approx(titanic["age"].std(), rel=1e-12)
    expected = titanic["age"].quantile([0.05, 0.25, 0.5, 0.75, 0.95]).to_list()
    assert list(age.quantiles.values()) == pytest.approx(expected)
    assert age.histogram is not None and sum(age.histogram["counts"]) == 714
    assert len(age.histogram["edges"]) == 21
    sex = titanic_profile.column("sex")
    assert sex.top_values == (("male", 577), ("female", 314))
    assert sex.histogram == {"categories": ["male", "female"], "counts": [577, 314], "other": 0}
    assert sex.mean is None and sex.quantiles is None
    assert titanic_profile.missing_cells == int(titanic.isna().sum().sum())
    assert titanic_profile.duplicate_rows == 107


def test_datetime_and_text_columns(shared_data: Path) -> None:
    profile = profile_frame(load(shared_data, "penguins_raw"))
    date = profile.column("Date Egg")
    assert date.kind == ColumnKind.DATETIME
    assert (date.min, date.max) == ("2007-11-09T00:00:00", "2009-12-01T00:00:00")
    assert date.histogram is not None and sum(date.histogram["counts"]) == 344
    comments = profile.column("Comments")
    assert comments.kind == ColumnKind.TEXT and comments.missing == 290
    assert comments.text_length == {"min": 18.0, "mean": pytest.approx(36.1666667), "max": 68.0}


def test_associations_name_their_measure(shared_data: Path) -> None:
    penguins = profile_frame(load(shared_data, "penguins"), target="species")
    assert penguins.task == TaskType.MULTICLASS
    assert penguins.associations["island"]["measure"] == "cramers_v"
    assert penguins.associations["bill_length_mm"]["measure"] == "correlation_ratio"
    assert 0.5 < penguins.associations["flipper_length_mm"]["value"] <= 1.0
    insurance = profile_frame(load(shared_data, "insurance"), target="charges")
    assert insurance.associations["age"]["measure"] == "pearson"
    assert insurance.associations["smoker"]["measure"] == "correlation_ratio"
    assert next(iter(insurance.associations)) == "smoker"  # strongest first


def test_sampling_is_reported_and_counts_stay_exact(shared_data: Path) -> None:
    diamonds = load(shared_data, "diamonds")
    profile = profile_frame(diamonds, target="price", options=ProfileOptions(sample_rows=5_000))
    part = {"rows": 5_000, "of": 53_940}
    assert profile.sampled == {"correlations": part, "associations": part, "target_leakage": part}
    assert profile.duplicate_rows == diamonds.duplicated().sum() == 146
    assert profile.column("cut").top_values[0] == ("Ideal", 21551)
    # The sample is the documented seeded one: the same rows give the same coefficients.
    rows = np.sort(np.random.default_rng(0).choice(len(diamonds), 5_000, replace=False))
    columns = profile.correlations["pearson"]["columns"]
    sample = diamonds.iloc[rows][columns]
    for method in ("pearson", "spearman"):
        matrix = np.array(profile.correlations[method]["matrix"], dtype=float)
        np.testing.assert_allclose(matrix, sample.corr(method=method).to_numpy(), atol=1e-9)


def test_on_column_once_per_column_and_progress_rises_to_one(titanic: pd.DataFrame) -> None:
    seen: list[ColumnProfile] = []
    fractions: list[float] = []
    profile = profile_frame(
        titanic,
        target="survived",
        on_column=seen.append,
        progress=lambda fraction, message: fractions.append(fraction),
    )
    assert [c.name for c in seen] == list(titanic.columns)
    assert tuple(seen) == profile.column_profiles
    assert fractions == sorted(fractions) and fractions[-1] == 1.0


def test_cancel_from_progress_raises_cancelled(titanic: pd.DataFrame) -> None:
    token = CancelToken()
    seen: list[ColumnProfile] = []

    def progress(fraction: float, message: str) -> None:
        if fraction > 0.3:
            token.cancel()

    with pytest.raises(Cancelled):
        profile_frame(titanic, progress=progress, cancel=token, on_column=seen.append)
    assert 0 < len(seen) < titanic.shape[1]


def test_kinds_given_win_over_inference(titanic: pd.DataFrame) -> None:
    profile = profile_frame(titanic, kinds={"pclass": ColumnKind.CATEGORICAL})
    pclass = profile.column("pclass")
    assert pclass.kind == ColumnKind.CATEGORICAL and pclass.mean is None
    assert pclass.histogram == {"categories": [3, 1, 2], "counts": [491, 216, 184], "other": 0}


def test_bad_inputs_are_named(titanic: pd.DataFrame) -> None:
    with pytest.raises(WorkbenchError, match="'income'"):
        profile_frame(titanic, target="income")
    with pytest.raises(WorkbenchError, match="'deck' has a single value"):
        profile_frame(titanic[titanic["deck"] == "A"], target="deck")


def test_empty_and_odd_frames_profile_to_strict_json() -> None:
    frames = [
        pd.DataFrame({"a": pd.Series([], dtype=float), "b": pd.Series([], dtype="str")}),
        pd.DataFrame(
            {
                "nothing": [np.nan] * 30,
                "objects": pd.Series([1, "a", 2.5, None, True] * 6, dtype=object),
                "when": pd.date_range("2024-03-01", periods=30, freq="h", tz="Europe/Paris"),
                "count": pd.array([1, None, 3] * 10, dtype="Int64"),
            }
        ),
    ]
    for frame in frames:
        profile = profile_frame(frame)
        text = json.dumps(profile.to_dict(), allow_nan=False)
        assert Profile.from_dict(json.loads(text)) == profile
        assert profile.rows == len(frame)
