"""One-click fixes for the alerts the profile really raises on the shared datasets."""

from __future__ import annotations

from functools import cache
from pathlib import Path

import pandas as pd

from workbench.core.chain.compile import build_transformer
from workbench.core.chain.resolve import resolve_chain
from workbench.core.chain.stages import model_options
from workbench.core.io.options import ReadOptions
from workbench.core.io.table import read_table
from workbench.core.kinds import ColumnKind
from workbench.core.profile.compute import profile_frame
from workbench.core.profile.fixes import fix_for_alert, sentinel_tokens
from workbench.core.profile.model import Alert, Profile
from workbench.core.specs import ChainSpec, StepSpec

FILES = {
    "titanic": ("clean/titanic.csv", "survived"),
    "glassdoor": ("messy/glassdoor_jobs.csv", "Rating"),
    "bank": ("messy/bank-additional.csv", "y"),
    "lending_club": ("clean/modeldata_lending_club.csv", "Class"),
    "googleplaystore": ("messy/googleplaystore.csv", None),
}


@cache
def _frame(shared_data: Path, name: str) -> pd.DataFrame:
    return read_table(shared_data / FILES[name][0]).frame


@cache
def _profile(shared_data: Path, name: str) -> Profile:
    return profile_frame(_frame(shared_data, name), target=FILES[name][1])


def _kinds(profile: Profile) -> dict[str, ColumnKind]:
    return {column.name: column.kind for column in profile.column_profiles}


def _fix(shared_data: Path, name: str, kind: str, column: str | None = None) -> StepSpec | None:
    profile = _profile(shared_data, name)
    found = [
        a for a in profile.alerts if a.kind == kind and (column is None or column in a.columns)
    ]
    assert len(found) == 1, found
    return fix_for_alert(found[0], _kinds(profile))


def test_titanic_fixes(shared_data: Path) -> None:
    assert _fix(shared_data, "titanic", "target_leakage") == StepSpec("drop_columns", ("alive",))
    assert _fix(shared_data, "titanic", "high_missing", "age") == StepSpec(
        "impute", ("age",), {"strategy": "median"}
    )
    # 77% missing: the alert advises dropping the column
    assert _fix(shared_data, "titanic", "high_missing", "deck") == StepSpec(
        "drop_columns", ("deck",)
    )
    assert _fix(shared_data, "titanic", "duplicate_rows") == StepSpec("drop_duplicates")
    assert _fix(shared_data, "titanic", "skewed", "fare") == StepSpec("log1p", ("fare",))
    assert _fix(shared_data, "titanic", "many_zeros", "parch") is None


def test_every_titanic_fix_makes_a_valid_chain_that_fits(shared_data: Path) -> None:
    profile = _profile(shared_data, "titanic")
    kinds = {k: v for k, v in _kinds(profile).items() if k != "survived"}
    fixes = [fix_for_alert(alert, kinds) for alert in profile.alerts]
    chain = ChainSpec(tuple(fix for fix in fixes if fix is not None))
    assert len(chain.steps) == 10  # 12 alerts; the 2 many_zeros ones have no one-click fix
    assert list(resolve_chain(chain, kinds, "survived").problems) == []
    frame = _frame(shared_data, "titanic")
    out = build_transformer(resolve_chain(chain, kinds, "survived")).fit_transform(
        frame, frame["survived"]
    )
    assert "alive" not in out.columns and "deck" not in out.columns
    assert out["age"].isna().sum() == 0
    # one of each categorical near-copy is dropped: the one the other determines
    assert {"class", "embark_town", "adult_male"}.isdisjoint(out.columns)
    assert {"pclass", "embarked", "who"} <= set(out.columns)


def test_sentinel_fixes_mark_the_sentinel_missing(shared_data: Path) -> None:
    assert _fix(shared_data, "glassdoor", "sentinel_values", "Rating") == StepSpec(
        "mark_missing", ("Rating",), {"values": ("-1",)}
    )
    size = [
        a
        for a in _profile(shared_data, "glassdoor").alerts
        if a.kind == "sentinel_values" and a.columns == ("Size",)
    ]
    assert [sentinel_tokens(a) for a in size] == [("-1",), ("Unknown",)]
    pdays = _fix(shared_data, "bank", "sentinel_values", "pdays")
    assert pdays == StepSpec("mark_missing", ("pdays",), {"values": ("999",)})
    assert _fix(shared_data, "bank", "sentinel_values", "job") == StepSpec(
        "mark_missing", ("job",), {"values": ("unknown",)}
    )
    # the fix, compiled, turns exactly the 3,959 sentinel rows into missing values
    frame = _frame(shared_data, "bank")
    kinds = {k: v for k, v in _kinds(_profile(shared_data, "bank")).items() if k != "y"}
    assert pdays is not None
    chain = ChainSpec((pdays,))
    out = build_transformer(resolve_chain(chain, kinds, "y"), untouched="drop").fit_transform(frame)
    assert out["pdays"].isna().sum() == 3959 == (frame["pdays"] == 999).sum()


def test_imbalance_fix_is_class_weights(shared_data: Path) -> None:
    fix = _fix(shared_data, "lending_club", "class_imbalance")
    assert fix == StepSpec("class_weights", (), {"mode": "balanced"})
    assert model_options(resolve_chain(ChainSpec((fix,)), {})) == {"class_weight": "balanced"}
    assert _fix(shared_data, "bank", "class_imbalance") == fix


def test_columns_fixes(shared_data: Path) -> None:
    assert _fix(shared_data, "lending_club", "identifier", "rownames") == StepSpec(
        "drop_columns", ("rownames",)
    )
    assert _fix(shared_data, "lending_club", "high_correlation") == StepSpec(
        "drop_columns", ("total_il_high_credit_limit",)
    )
    assert _fix(shared_data, "bank", "mixed_types", "emp.var.rate") == StepSpec(
        "parse_numbers", ("emp.var.rate",)
    )
    assert _fix(shared_data, "googleplaystore", "numbers_as_text", "Reviews") == StepSpec(
        "parse_numbers", ("Reviews",)
    )
    # 120 genres: group the rare ones; 2,784 versions: too many to group usefully, hash them
    assert _fix(shared_data, "googleplaystore", "high_cardinality", "Genres") == StepSpec(
        "group_rare", ("Genres",)
    )
    assert _fix(shared_data, "googleplaystore", "high_cardinality", "Current Ver") == StepSpec(
        "hash", ("Current Ver",)
    )
    # numbers stored as text have many values because they are numbers: no grouping alert
    for column in ("Size", "Price", "Reviews"):
        assert not [
            a
            for a in _profile(shared_data, "googleplaystore").alerts
            if a.kind == "high_cardinality" and a.columns == (column,)
        ]
    assert _fix(shared_data, "glassdoor", "skewed", "Rating") == StepSpec(
        "power_transform", ("Rating",)
    )


def test_whitespace_in_a_column_name_is_a_rename(shared_data: Path) -> None:
    path = shared_data / "messy/Life_Expectancy_Data.csv"
    frame = read_table(path, ReadOptions(strip_whitespace=False)).frame
    profile = profile_frame(frame)
    alert = next(a for a in profile.alerts if a.columns == (" BMI ",))
    fix = fix_for_alert(alert, _kinds(profile))
    assert fix == StepSpec("rename", (" BMI ",), {"new_name": "BMI"})
    out = build_transformer(resolve_chain(ChainSpec((fix,)), _kinds(profile))).fit_transform(frame)
    assert "BMI" in out.columns and " BMI " not in out.columns


def test_value_fixes_without_a_dataset_raising_them() -> None:
    kinds = {"price": ColumnKind.NUMERIC, "city": ColumnKind.CATEGORICAL}
    infinite = Alert("infinite_values", ("price",), "warning", 3.0, 0.0, "", "", "replace_infinite")
    assert fix_for_alert(infinite, kinds) == StepSpec("replace_infinite", ("price",))
    spaces = Alert("whitespace", ("city",), "warning", 12.0, 0.0, "", "", "strip_whitespace")
    assert fix_for_alert(spaces, kinds) == StepSpec("strip_whitespace", ("city",))
    missing = Alert("high_missing", ("city",), "info", 0.1, 0.05, "", "", "impute")
    assert fix_for_alert(missing, kinds) == StepSpec(
        "impute", ("city",), {"strategy": "most_frequent"}
    )
    constant = Alert("constant", ("city",), "warning", 1.0, 1.0, "", "", "drop_columns")
    assert fix_for_alert(constant, kinds) == StepSpec("drop_columns", ("city",))
    summary = Alert("high_correlation", ("a", "b", "c"), "info", 5.0, 0.9, "", "", "drop_columns")
    assert fix_for_alert(summary, kinds) is None
