"""The alert rules fire on the real datasets' real problems, with exact measured values."""

from __future__ import annotations

from functools import cache
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from _frames import load
from scipy.stats import entropy
from sklearn.metrics import mutual_info_score

from workbench.core.profile.compute import profile_frame
from workbench.core.profile.model import Alert, Profile

TARGETS = {
    "titanic": "survived",
    "bank": "y",
    "penguins": "species",
    "lending_club": "Class",
    "credit_data": "Status",
    "glassdoor": "Rating",
    "insurance": "charges",
    "googleplaystore": None,
    "mushrooms": "type",
    "diamonds": "price",
}


@cache
def _profile(shared_data: Path, dataset: str) -> Profile:
    return profile_frame(load(shared_data, dataset), target=TARGETS[dataset])


def _alerts(shared_data: Path, dataset: str, kind: str, column: str | None = None) -> list[Alert]:
    return [
        a
        for a in _profile(shared_data, dataset).alerts
        if a.kind == kind and (column is None or column in a.columns)
    ]


def _one(shared_data: Path, dataset: str, kind: str, column: str | None = None) -> Alert:
    found = _alerts(shared_data, dataset, kind, column)
    assert len(found) == 1, found
    return found[0]


def test_titanic_alive_leaks_survived(shared_data: Path) -> None:
    leaks = _alerts(shared_data, "titanic", "target_leakage")
    assert [(a.columns, a.severity, a.value) for a in leaks] == [
        (("alive", "survived"), "critical", 1.0)
    ]
    assert "'alive'" in leaks[0].message and leaks[0].fix_step == "drop_columns"


def test_bank_duration_leaks_but_strong_features_do_not(shared_data: Path) -> None:
    leak = _one(shared_data, "bank", "target_leakage")
    assert leak.columns == ("duration", "y") and leak.severity == "warning"
    assert "'duration'" in leak.message and "'nr.employed'" in leak.message
    scores = _profile(shared_data, "bank").single_column_scores
    # duration is strong but not perfect; it stands alone, well above the runner-up.
    assert 0.75 < scores["duration"]["score"] < 0.9
    assert scores["duration"]["lift"] > 1.1 * scores["nr.employed"]["lift"]


def test_penguins_has_no_leak(shared_data: Path) -> None:
    assert _alerts(shared_data, "penguins", "target_leakage") == []


def test_lending_club_class_imbalance(shared_data: Path) -> None:
    alert = _one(shared_data, "lending_club", "class_imbalance")
    assert alert.value == 517 / 9857
    assert alert.threshold == pytest.approx(0.2)
    assert alert.severity == "warning" and "bad" in alert.message and "5.2%" in alert.message
    assert _alerts(shared_data, "credit_data", "class_imbalance") == []  # 28% is fine


@pytest.mark.parametrize(("column", "rows"), [("Rating", 34), ("Founded", 97)])
def test_glassdoor_minus_one_sentinels(shared_data: Path, column: str, rows: int) -> None:
    alert = _one(shared_data, "glassdoor", "sentinel_values", column)
    assert alert.value == rows
    assert "-1" in alert.message and alert.fix_step == "mark_missing"


@pytest.mark.parametrize(
    ("column", "rows", "shown"),
    [
        ("pdays", 3959, "999"),
        ("job", 39, "'unknown'"),
        ("education", 167, "'unknown'"),
        ("default", 803, "'unknown'"),
        ("housing", 105, "'unknown'"),
    ],
)
def test_bank_sentinels(shared_data: Path, column: str, rows: int, shown: str) -> None:
    alert = _one(shared_data, "bank", "sentinel_values", column)
    assert alert.value == rows
    assert f"uses {shown} " in alert.message


def test_credit_data_rownames_is_an_identifier(shared_data: Path) -> None:
    alert = _one(shared_data, "credit_data", "identifier")
    assert alert.columns == ("rownames",) and alert.value == 4454
    assert alert.fix_step == "drop_columns"


def test_titanic_duplicate_rows_counted_exactly(shared_data: Path) -> None:
    frame = load(shared_data, "titanic")
    alert = _one(shared_data, "titanic", "duplicate_rows")
    assert alert.value == 107 == frame.duplicated().sum()
    assert alert.fix_step == "drop_duplicates"


def test_insurance_charges_skewed(shared_data: Path) -> None:
    alert = _one(shared_data, "insurance", "skewed", "charges")
    expected = load(shared_data, "insurance")["charges"].skew()
    assert alert.value == pytest.approx(expected, rel=1e-9)
    assert alert.fix_step == "log1p"


def test_titanic_missing_values(shared_data: Path) -> None:
    deck = _one(shared_data, "titanic", "high_missing", "deck")
    assert (deck.value, deck.severity, deck.fix_step) == (688 / 891, "warning", "drop_columns")
    age = _one(shared_data, "titanic", "high_missing", "age")
    assert (age.value, age.severity, age.fix_step) == (177 / 891, "info", "impute")
    assert _alerts(shared_data, "titanic", "high_missing", "embarked") == []  # 2 rows


def test_mixed_types(shared_data: Path) -> None:
    size = _one(shared_data, "googleplaystore", "mixed_types", "Size")
    assert size.value == 1695 / 10841
    assert "'Varies with device'" in size.message and "'19M'" in size.message
    emp = _one(shared_data, "bank", "mixed_types", "emp.var.rate")
    assert emp.value == 21 / 4119
    # "-1" in glassdoor is a sentinel, not a number: Competitors is not mixed.
    assert _alerts(shared_data, "glassdoor", "mixed_types") == []


def test_constant_and_high_correlation(shared_data: Path) -> None:
    constant = _one(shared_data, "mushrooms", "constant")
    assert constant.columns == ("veil_type",)
    pairs = {a.columns for a in _alerts(shared_data, "diamonds", "high_correlation")}
    assert ("carat", "x") in pairs and ("x", "y") in pairs
    assert all(
        abs(float(a.value)) >= 0.95 for a in _alerts(shared_data, "diamonds", "high_correlation")
    )


def test_high_cardinality(shared_data: Path) -> None:
    alert = _one(shared_data, "glassdoor", "high_cardinality", "Company Name")
    assert alert.value == 448 and alert.fix_step == "group_rare"


def test_every_alert_is_complete(shared_data: Path) -> None:
    for dataset in TARGETS:
        for alert in _profile(shared_data, dataset).alerts:
            assert alert.severity in {"info", "warning", "critical"}
            assert alert.message.endswith(".") and alert.fix
            assert all(c in alert.message for c in alert.columns)
            assert Alert.from_dict(alert.to_dict()) == alert


def test_whitespace_zeros_and_infinities_on_a_built_frame() -> None:
    frame = pd.DataFrame(
        {
            " padded ": ["a", " a", "b ", "b"] * 5,
            "zeros": [0.0, 0.0, 0.0, 1.5] * 5,
            "ratio": [1.0, np.inf, 2.0, -np.inf] * 5,
        }
    )
    found = profile_frame(frame).alerts
    spaces = [a for a in found if a.kind == "whitespace"]
    # One for the column name, one for its 10 padded values.
    assert {a.value for a in spaces} == {"' padded '", 10.0}
    alerts = {(a.kind, a.columns): a for a in found}
    assert alerts[("many_zeros", ("zeros",))].value == 0.75
    assert alerts[("infinite_values", ("ratio",))].value == 10.0


def test_many_redundant_pairs_are_summarised() -> None:
    base = np.linspace(0, 1, 50)
    noise = np.random.default_rng(0).normal(0, 1e-3, size=(50, 8))
    frame = pd.DataFrame({f"copy_{i}": base + noise[:, i] for i in range(8)})  # 28 pairs
    alerts = [a for a in profile_frame(frame).alerts if a.kind == "high_correlation"]
    assert [a.severity for a in alerts] == ["warning"] * 20 + ["info"]
    assert alerts[-1].value == 8.0 and "8 more column pairs" in alerts[-1].message


def _crash_survey(rows: int = 2_000) -> pd.DataFrame:
    """A crash survey's shape: 'none' is a real answer in airbag (45%) and seatbelt (29%)."""
    rng = np.random.default_rng(0)
    airbag = np.where(rng.random(rows) < 0.45, "none", "airbag")
    seatbelt = np.where(rng.random(rows) < 0.29, "none", "belted").astype(object)
    seatbelt[rng.random(rows) < 0.03] = None  # and a few real missing values beside it
    return pd.DataFrame(
        {
            "airbag": airbag,
            "seatbelt": seatbelt,
            "speed": rng.integers(10, 120, rows),
            "dead": rng.random(rows) < 0.1,
        }
    )


def _sentinels(frame: pd.DataFrame) -> dict[str, str]:
    return {
        a.columns[0]: a.message for a in profile_frame(frame).alerts if a.kind == "sentinel_values"
    }


def test_a_frequent_none_is_a_category_not_a_missing_value() -> None:
    frame = _crash_survey()
    assert (frame["airbag"] == "none").mean() == pytest.approx(0.45, abs=0.02)
    assert _sentinels(frame) == {}


def test_none_is_a_sentinel_only_with_evidence() -> None:
    rows = 2_000
    rng = np.random.default_rng(1)
    # rare (2%) beside real missing values: a stand-in
    rare = np.where(rng.random(rows) < 0.02, "none", "belted").astype(object)
    rare[rng.random(rows) < 0.05] = None
    # rare but with no missing beside it: an ordinary answer
    alone = np.where(rng.random(rows) < 0.02, "none", "belted")
    # among numbers: a stand-in however frequent
    numbers = np.where(rng.random(rows) < 0.3, "none", rng.integers(1, 9, rows).astype(str))
    found = _sentinels(pd.DataFrame({"rare": rare, "alone": alone, "numbers": numbers}))
    assert set(found) == {"rare", "numbers"}
    assert "rare, beside" in found["rare"] and "a word among numbers" in found["numbers"]


def test_known_placeholders_and_out_of_range_numbers_say_why() -> None:
    rows = 200
    rng = np.random.default_rng(2)
    frame = pd.DataFrame(
        {
            "job": np.where(rng.random(rows) < 0.3, "n/a", "clerk"),  # frequent, still one
            "score": np.where(rng.random(rows) < 0.1, -1, rng.integers(0, 10, rows)),
            "delta": np.where(rng.random(rows) < 0.1, -1, rng.integers(-5, 5, rows)),
            "code": np.where(rng.random(rows) < 0.1, "999", rng.integers(1, 99, rows).astype(str)),
        }
    )
    found = _sentinels(frame)
    assert set(found) == {"job", "score", "code"}  # -1 among negatives is a real value
    assert found["job"].endswith("a common placeholder for 'no value'.")
    assert found["score"].endswith("every other value is at least 0.")
    assert found["code"].endswith("far above every other value (the largest is 98).")


def _theils_u(frame: pd.DataFrame, given: str, column: str) -> float:
    """U(column | given) from scikit-learn's mutual information and scipy's entropy."""
    codes = {name: pd.factorize(frame[name])[0] for name in (given, column)}
    mutual = mutual_info_score(codes[given], codes[column])
    return mutual / entropy(np.bincount(codes[column] + 1))


@pytest.mark.parametrize(
    ("first", "second", "both_ways"),
    [("pclass", "class", True), ("embarked", "embark_town", True), ("who", "adult_male", False)],
)
def test_titanic_categorical_near_copies(
    shared_data: Path, first: str, second: str, both_ways: bool
) -> None:
    alert = _one(shared_data, "titanic", "high_correlation", second)
    assert alert.columns == (first, second) and alert.fix_step == "drop_columns"
    frame = load(shared_data, "titanic")
    expected = _theils_u(frame, first, second)
    if both_ways:
        expected = min(expected, _theils_u(frame, second, first))
        assert "each determines the other" in alert.message
    else:
        assert f"'{first}' determines '{second}'" in alert.message
    assert alert.value == pytest.approx(expected, abs=1e-12) and alert.value >= 0.95
    # stored as a matrix: row i, column j holds U(column j | column i)
    block = _profile(shared_data, "titanic").correlations["theils_u"]
    names = block["columns"]
    measured = block["matrix"][names.index(first)][names.index(second)]
    assert measured == pytest.approx(_theils_u(frame, first, second), abs=1e-12)


def test_who_only_partly_determines_sex(shared_data: Path) -> None:
    # a child can be a boy or a girl: strong (0.90) but not a copy
    frame = load(shared_data, "titanic")
    assert _theils_u(frame, "who", "sex") == pytest.approx(0.9, abs=0.01)
    assert _alerts(shared_data, "titanic", "high_correlation", "sex") == []


def test_the_target_is_in_no_near_copy_pair(shared_data: Path) -> None:
    # alive copies survived: that is a leak, reported once, by the leakage check
    assert _alerts(shared_data, "titanic", "high_correlation", "survived") == []
    block = _profile(shared_data, "titanic").correlations["theils_u"]
    assert "survived" not in block["columns"] and "alive" in block["columns"]
    assert _alerts(shared_data, "diamonds", "high_correlation", "price") == []
