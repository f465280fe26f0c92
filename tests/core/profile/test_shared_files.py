"""Every shared file, read as a new user would: the alerts an analyst expects, and none other.

Each file is read with io's detection (what `workbench profile FILE --target COL` does) and
profiled against the target its README names. For each file the table pins the alerts that must
appear and those that must not (kind, columns); every sentinel alert of every file is pinned
exactly, so an ordinary frequent category can never be flagged as a stand-in for missing. Then
every file's one-click fixes are applied in order, as a user clicking through the alert list
would, and the chain they build must validate, fit, and block the ONNX export with nothing but
steps the registry says have no converter yet.
"""

from __future__ import annotations

from functools import cache
from pathlib import Path

import pandas as pd
import pytest

from workbench.core.chain.compile import build_transformer
from workbench.core.chain.resolve import resolve_chain
from workbench.core.chain.stages import onnx_blockers
from workbench.core.io.table import read_table
from workbench.core.kinds import ColumnKind, ColumnRole, default_role
from workbench.core.profile.compute import profile_frame
from workbench.core.profile.fixes import fix_for_alert, sentinel_tokens
from workbench.core.profile.handled import handled_reason, open_alerts
from workbench.core.profile.model import Profile
from workbench.core.specs import ChainSpec, StepSpec
from workbench.core.steps.catalog import all_steps

# file -> target (the README's; adult and horse-colic have no header: io names the columns)
TARGETS: dict[str, str | None] = {
    "clean/titanic.csv": "survived",
    "clean/penguins.csv": "species",
    "clean/diamonds.csv": "price",
    "clean/modeldata_credit_data.csv": "Status",
    "clean/modeldata_lending_club.csv": "Class",
    "clean/adult-train.csv": "column_14",
    "clean/adult-test.csv": "column_14",
    "clean/insurance.csv": "charges",
    "clean/mushrooms.csv": "type",
    "clean/horse-colic.csv": "column_23",
    "clean/Folds5x2_pp.xlsx": "EP",  # the README says PE; the sheet's column is EP
    "clean/penguins_R_arrow.parquet": "species",
    "clean/flights_de_bootcamp.parquet": "flight_time",
    "messy/bank-additional.csv": "y",
    "messy/glassdoor_jobs.csv": "Rating",
    "messy/googleplaystore.csv": "Rating",
    "messy/seaice_raw_bom.csv": None,
    "messy/norway_new_car_sales_by_model.csv": "Quantity",
    "messy/anes96.tsv": "vote",
    "messy/statsmodels_macrodata.xls": None,
    "messy/Life_Expectancy_Data.csv": "Life expectancy",  # io strips the name's spaces
    "messy/penguins-raw.csv": "Species",
}

Found = tuple[str, tuple[str, ...]]  # (alert kind, its columns)

# What must be flagged, and what must not (with the analyst's reason in a comment).
MUST: dict[str, set[Found]] = {
    "clean/titanic.csv": {
        ("target_leakage", ("alive", "survived")),
        # the same information twice: a port code and its town, a class name and its number,
        # and adult_male, which 'who' (man / woman / child) already says
        ("high_correlation", ("embarked", "embark_town")),
        ("high_correlation", ("pclass", "class")),
        ("high_correlation", ("who", "adult_male")),
        ("duplicate_rows", ()),
        ("high_missing", ("deck",)),
        ("high_missing", ("age",)),
    },
    "clean/penguins.csv": set(),
    "clean/diamonds.csv": {
        ("high_correlation", ("carat", "x")),
        ("high_correlation", ("x", "y")),
        ("duplicate_rows", ()),
    },
    "clean/modeldata_credit_data.csv": {("identifier", ("rownames",))},
    "clean/modeldata_lending_club.csv": {
        ("identifier", ("rownames",)),
        ("class_imbalance", ("Class",)),
        ("high_correlation", ("total_bal_il", "total_il_high_credit_limit")),
    },
    "clean/adult-train.csv": {
        ("high_correlation", ("column_3", "column_4")),  # education and education-num
        ("sentinel_values", ("column_10",)),  # capital-gain 99999, far above the rest
    },
    "clean/adult-test.csv": {
        ("high_correlation", ("column_3", "column_4")),
        ("sentinel_values", ("column_10",)),
    },
    "clean/insurance.csv": {("target_leakage", ("smoker", "charges"))},
    "clean/mushrooms.csv": {
        ("constant", ("veil_type",)),
        ("target_leakage", ("odor", "type")),
        ("high_missing", ("stalk_root",)),
    },
    "clean/horse-colic.csv": {("identifier", ("column_2",))},  # the hospital number
    "clean/Folds5x2_pp.xlsx": {("duplicate_rows", ())},
    "clean/penguins_R_arrow.parquet": {("identifier", ("...1",))},
    "clean/flights_de_bootcamp.parquet": {
        ("constant", ("flight_date",)),
        ("high_cardinality", ("tailnumber",)),
        ("target_leakage", ("distance", "flight_time")),
    },
    "messy/bank-additional.csv": {
        ("target_leakage", ("duration", "y")),
        ("class_imbalance", ("y",)),
        ("sentinel_values", ("pdays",)),
        ("sentinel_values", ("default",)),
        ("sentinel_values", ("education",)),
        ("mixed_types", ("emp.var.rate",)),
        ("high_correlation", ("emp.var.rate", "nr.employed")),
    },
    "messy/glassdoor_jobs.csv": {
        ("identifier", ("column_0",)),
        ("sentinel_values", ("Founded",)),
        ("sentinel_values", ("Competitors",)),
        ("high_cardinality", ("Company Name",)),
    },
    "messy/googleplaystore.csv": {
        ("identifier", ("App",)),  # 9,660 app names in 10,841 rows
        ("mixed_types", ("Size",)),
        ("numbers_as_text", ("Reviews",)),
        ("duplicate_rows", ()),
        ("high_missing", ("Rating",)),
    },
    "messy/seaice_raw_bom.csv": {("high_correlation", ("2014", "2021"))},
    "messy/norway_new_car_sales_by_model.csv": {
        ("target_leakage", ("Pct", "Quantity")),
        ("high_cardinality", ("Model",)),
    },
    "messy/anes96.tsv": {("target_leakage", ("PID", "vote"))},
    "messy/statsmodels_macrodata.xls": {("high_correlation", ("CPIAUCSL", "M1SL"))},
    "messy/Life_Expectancy_Data.csv": {
        ("high_correlation", ("infant deaths", "under-five deaths")),
        ("high_cardinality", ("Country",)),
    },
    "messy/penguins-raw.csv": {
        ("constant", ("Region",)),
        ("constant", ("Stage",)),
        ("identifier", ("Individual ID",)),  # N1A1, N1A2, ...: 190 in 344 rows
    },
}

MUST_NOT: dict[str, set[Found]] = {
    # who -> sex is strong (Theil's U 0.90) but a child can be either: not a copy
    "clean/titanic.csv": {("high_correlation", ("who", "sex")), ("identifier", ("fare",))},
    "clean/diamonds.csv": {("identifier", ("price",))},  # 11,602 prices, most repeated
    # fnlwgt: 21,648 distinct integers (66%), a survey weight, not a key
    "clean/adult-train.csv": {("identifier", ("column_2",))},
    "clean/adult-test.csv": {("identifier", ("column_2",))},  # 78% distinct
    "clean/modeldata_lending_club.csv": {("identifier", ("total_bal_il",))},
    # flight numbers repeat across the day (41% distinct); distance predicts the target,
    # which the leakage check reports: the target is in no near-copy pair
    "clean/flights_de_bootcamp.parquet": {
        ("identifier", ("flight_number",)),
        ("high_correlation", ("flight_time", "distance")),
    },
    "messy/norway_new_car_sales_by_model.csv": {("high_correlation", ("Quantity", "Pct"))},
    "messy/anes96.tsv": {("identifier", ("PID",))},  # party identification, 0-6
    # population rises down the file, but covers 0.5% of its range: a measure
    "messy/statsmodels_macrodata.xls": {("identifier", ("POP",))},
    "messy/Life_Expectancy_Data.csv": {
        ("identifier", ("Population",)),
        ("identifier", ("GDP",)),
    },
    "messy/googleplaystore.csv": {("identifier", ("Reviews",))},  # counts stored as text
    # lesion codes (02208, 00000): import keeps them as text, the profile must not undo it
    "clean/horse-colic.csv": {("numbers_as_text", (f"column_{i}",)) for i in (24, 25, 26)},
    "messy/penguins-raw.csv": {("identifier", ("Sample Number",))},  # 1..152 per study
    # 'nonexistent' (86%): no earlier campaign, an ordinary category
    "messy/bank-additional.csv": {("sentinel_values", ("poutcome",))},
}

# Every sentinel alert of every shared file: (file, column, the values it marks). Each is a
# known placeholder ('unknown'), a lone number among words (glassdoor's '-1'), or a number
# outside the column's range (-1 below non-negative ratings, 999 days, 99999 capital gain).
SENTINELS: set[tuple[str, str, tuple[str, ...]]] = {
    ("clean/adult-train.csv", "column_10", ("99999",)),
    ("clean/adult-test.csv", "column_10", ("99999",)),
    *(
        ("messy/bank-additional.csv", column, ("unknown",))
        for column in ("job", "marital", "education", "default", "housing", "loan")
    ),
    ("messy/bank-additional.csv", "pdays", ("999",)),
    ("messy/glassdoor_jobs.csv", "Rating", ("-1",)),
    ("messy/glassdoor_jobs.csv", "Founded", ("-1",)),
    ("messy/glassdoor_jobs.csv", "Size", ("Unknown",)),
    ("messy/glassdoor_jobs.csv", "Type of ownership", ("Unknown",)),
    *(
        ("messy/glassdoor_jobs.csv", column, ("-1",))
        for column in (
            "Salary Estimate",
            "Headquarters",
            "Size",
            "Type of ownership",
            "Industry",
            "Sector",
            "Revenue",
            "Competitors",
        )
    ),
}


@cache
def _read(shared_data: Path, name: str) -> pd.DataFrame:
    return read_table(shared_data / name).frame


@cache
def _profile(shared_data: Path, name: str) -> Profile:
    return profile_frame(_read(shared_data, name), target=TARGETS[name])


def _found(profile: Profile) -> set[Found]:
    return {(alert.kind, alert.columns) for alert in profile.alerts}


def test_every_shared_file_is_in_the_table(shared_data: Path) -> None:
    files = {
        str(path.relative_to(shared_data))
        for path in shared_data.glob("*/*")
        if path.name != "README.md"
    }
    assert files == set(TARGETS) == set(MUST)


@pytest.mark.parametrize("name", sorted(TARGETS))
def test_alerts_an_analyst_expects(shared_data: Path, name: str) -> None:
    found = _found(_profile(shared_data, name))
    assert MUST[name] <= found, MUST[name] - found
    assert not MUST_NOT.get(name, set()) & found


def test_sentinels_on_every_shared_file(shared_data: Path) -> None:
    sentinels = {
        (name, alert.columns[0], sentinel_tokens(alert))
        for name in TARGETS
        for alert in _profile(shared_data, name).alerts
        if alert.kind == "sentinel_values"
    }
    assert sentinels == SENTINELS


def _kinds(profile: Profile) -> dict[str, ColumnKind]:
    return {column.name: column.kind for column in profile.column_profiles}


def _roles(profile: Profile) -> dict[str, ColumnRole]:
    """The roles a new project starts with: identifiers out, the target a target."""
    roles = {name: default_role(kind) for name, kind in _kinds(profile).items()}
    if profile.target is not None:
        roles[profile.target] = ColumnRole.TARGET
    return roles


def _click_every_fix(profile: Profile) -> ChainSpec:
    """The chain a user builds by clicking "Add the suggested fix" on every open alert, in
    the list's order; an alert handled by an earlier fix (its column already dropped) is
    skipped, as the list greys it, and so are fixes on the target (the window refuses them)."""
    roles, kinds = _roles(profile), _kinds(profile)
    chain = ChainSpec()
    for alert in profile.alerts:
        if handled_reason(alert, roles, chain, profile.target):
            continue
        fix = fix_for_alert(alert, kinds)
        if fix is None or profile.target in fix.columns:
            continue
        chain = ChainSpec((*chain.steps, fix))
        assert handled_reason(alert, roles, chain, profile.target), alert
    return chain


@pytest.mark.parametrize("name", sorted(TARGETS))
def test_every_fix_leaves_the_chain_valid_fitted_and_exportable(
    shared_data: Path, name: str
) -> None:
    profile = _profile(shared_data, name)
    chain = _click_every_fix(profile)
    roles, target = _roles(profile), profile.target
    features = {
        column: kind
        for column, kind in _kinds(profile).items()
        if roles[column] == ColumnRole.FEATURE
    }
    resolved = resolve_chain(chain, features, target)
    assert list(resolved.problems) == []
    frame = _read(shared_data, name)
    if target is not None:
        frame = frame[frame[target].notna()]
    y = frame[target] if target is not None else None
    out = build_transformer(resolved).fit_transform(frame[list(features)], y)
    assert len(out) == len(frame)
    # Nothing blocks the export but steps that have no converter yet (the registry says so).
    steps = all_steps()
    blockers = onnx_blockers(resolved)
    assert all(not steps[step].onnx for _, step, _ in blockers), blockers
    # What is left open has no one-click fix (many zeros) or is about the target.
    for alert in open_alerts(profile, roles, chain):
        fix = fix_for_alert(alert, _kinds(profile))
        assert fix is None or target in fix.columns, alert


def test_bank_fixes_add_the_steps_an_analyst_would(shared_data: Path) -> None:
    chain = _click_every_fix(_profile(shared_data, "messy/bank-additional.csv"))
    assert StepSpec("mark_missing", ("pdays",), {"values": ("999",)}) in chain.steps
    assert StepSpec("drop_columns", ("duration",)) in chain.steps
    assert StepSpec("class_weights", (), {"mode": "balanced"}) in chain.steps
    # emp.var.rate is dropped as a near-copy first, so its mixed-types fix is not added
    assert StepSpec("drop_columns", ("emp.var.rate",)) in chain.steps
    assert StepSpec("parse_numbers", ("emp.var.rate",)) not in chain.steps
