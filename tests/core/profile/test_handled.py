"""Alerts the project already deals with, by a column's role or a step in the chain."""

from __future__ import annotations

import json
from functools import cache
from pathlib import Path

import pytest
from _frames import load

from workbench.core.kinds import ColumnRole
from workbench.core.profile.compute import profile_frame
from workbench.core.profile.handled import handled_reason, mark_handled, open_alerts
from workbench.core.profile.model import Alert, Profile
from workbench.core.specs import ChainSpec, StepSpec

ROLES = {"survived": ColumnRole.TARGET}


@cache
def _titanic(shared_data: Path) -> Profile:
    return profile_frame(load(shared_data, "titanic"), target="survived")


@cache
def _bank(shared_data: Path) -> Profile:
    return profile_frame(load(shared_data, "bank"), target="y")


def _alert(profile: Profile, kind: str, column: str | None = None) -> Alert:
    found = [
        a for a in profile.alerts if a.kind == kind and (column is None or column in a.columns)
    ]
    assert len(found) == 1, found
    return found[0]


def _reason(profile: Profile, alert: Alert, roles=None, *steps: StepSpec) -> str:
    return handled_reason(alert, roles or ROLES, ChainSpec(steps), profile.target)


def test_a_fresh_project_has_every_alert_open(shared_data: Path) -> None:
    profile = _titanic(shared_data)
    assert open_alerts(profile, ROLES, ChainSpec()) == list(profile.alerts)
    assert all(alert.handled == "" for alert in profile.alerts)


def test_an_identifier_alert_on_a_column_already_out_of_the_features(shared_data: Path) -> None:
    profile = profile_frame(load(shared_data, "credit_data"), target="Status")
    alert = _alert(profile, "identifier", "rownames")
    for role, said in ((ColumnRole.IDENTIFIER, "identifier"), (ColumnRole.IGNORE, "ignore")):
        reason = _reason(profile, alert, {"rownames": role})
        assert reason == f"'rownames' is not a feature (its role is {said})"
    assert _reason(profile, alert, {"rownames": ColumnRole.FEATURE}) == ""


def test_a_leak_is_handled_by_dropping_or_ignoring_the_column(shared_data: Path) -> None:
    profile = _titanic(shared_data)
    leak = _alert(profile, "target_leakage", "alive")
    assert _reason(profile, leak) == ""  # the target in the pair does not count
    dropped = _reason(profile, leak, None, StepSpec("drop_columns", ("deck", "alive")))
    assert dropped == "step 1 (Drop columns) leaves 'alive' out"
    kept = StepSpec("keep_columns", ("age", "fare"))
    assert (
        _reason(profile, leak, None, kept) == "step 1 (Keep only these columns) leaves 'alive' out"
    )
    off = StepSpec("drop_columns", ("alive",), enabled=False)
    assert _reason(profile, leak, None, off) == ""


def test_a_near_copy_is_handled_when_either_column_is_gone(shared_data: Path) -> None:
    profile = _titanic(shared_data)
    pair = _alert(profile, "high_correlation", "embark_town")
    first = _reason(profile, pair, {**ROLES, "embarked": ColumnRole.IGNORE})
    assert first == "'embarked' is not a feature (its role is ignore)"
    assert _reason(profile, pair, None, StepSpec("drop_columns", ("embark_town",)))
    assert _reason(profile, pair, None, StepSpec("drop_correlated")) == (
        "step 1 (Drop correlated features) deals with it"
    )
    assert _reason(profile, pair, None, StepSpec("drop_columns", ("who",))) == ""


def test_fix_steps_and_their_equivalents_handle_an_alert(shared_data: Path) -> None:
    profile = _titanic(shared_data)
    age = _alert(profile, "high_missing", "age")
    for step in ("impute", "impute_knn", "missing_indicator"):
        assert _reason(profile, age, None, StepSpec(step, ("age", "fare"))), step
    assert _reason(profile, age, None, StepSpec("impute", ("fare",))) == ""
    assert _reason(profile, age, None, StepSpec("scale", ("age",))) == ""
    fare = _alert(profile, "skewed", "fare")
    assert _reason(profile, fare, None, StepSpec("power_transform", ("fare",)))
    duplicates = _alert(profile, "duplicate_rows")
    assert _reason(profile, duplicates, None, StepSpec("drop_duplicates")) == (
        "step 1 (Drop duplicate rows) deals with it"
    )


def test_a_sentinel_is_handled_only_when_its_values_are_marked(shared_data: Path) -> None:
    profile = _bank(shared_data)
    pdays = _alert(profile, "sentinel_values", "pdays")
    assert _reason(profile, pdays, None, StepSpec("mark_missing", ("pdays",), {"values": ("999",)}))
    wrong = StepSpec("mark_missing", ("pdays",), {"values": ("-1",)})
    assert _reason(profile, pdays, None, wrong) == ""
    job = _alert(profile, "sentinel_values", "job")
    marked = StepSpec("mark_missing", ("job", "pdays"), {"values": ("UNKNOWN ", "999")})
    assert _reason(profile, job, None, marked)  # compared ignoring case and spaces
    imbalance = _alert(profile, "class_imbalance")
    for step in ("class_weights", "oversample", "undersample"):
        assert _reason(profile, imbalance, None, StepSpec(step)), step


def test_marked_alerts_keep_the_profile_order_and_the_stored_profile_has_no_state(
    shared_data: Path,
) -> None:
    profile = _titanic(shared_data)
    roles = {**ROLES, "deck": ColumnRole.IGNORE}
    chain = ChainSpec((StepSpec("impute", ("age",), {"strategy": "median"}),))
    marked = mark_handled(profile, roles, chain)
    assert [a.message for a in marked] == [a.message for a in profile.alerts]
    handled = {(a.kind, a.columns): a.handled for a in marked if a.handled}
    assert handled == {
        ("high_missing", ("deck",)): "'deck' is not a feature (its role is ignore)",
        ("high_missing", ("age",)): "step 1 (Fill missing values) deals with it",
    }
    still_open = open_alerts(profile, roles, chain)
    assert len(still_open) == len(profile.alerts) - 2
    assert "handled" not in json.dumps(profile.to_dict())
    assert Profile.from_dict(json.loads(json.dumps(profile.to_dict()))).alerts == profile.alerts


@pytest.mark.parametrize("role", [ColumnRole.IDENTIFIER, ColumnRole.IGNORE])
def test_a_group_of_near_copies_needs_all_but_one_gone(role: ColumnRole) -> None:
    group = Alert("high_correlation", ("a", "b", "c"), "info", 3.0, 0.95, "", "", "drop_columns")
    assert handled_reason(group, {"a": role}, ChainSpec()) == ""
    assert handled_reason(group, {"a": role, "c": role}, ChainSpec())
