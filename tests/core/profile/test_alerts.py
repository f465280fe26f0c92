"""The alert rules fire on the real datasets' real problems, with exact measured values."""

from __future__ import annotations

from functools import cache
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from _frames import load

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
