"""One-click fixes: an alert from the profile becomes a concrete chain step.

The alert says which step fixes it (`fix_step`, see alerts.py); this module fills in the columns
and parameters that step needs, so "Fix" in the alert list adds a step the user can still edit.
Alerts whose fix is a judgement call (many zeros, a group of near-copies) get no step.
"""

from __future__ import annotations

import ast
import re
from collections.abc import Mapping

from workbench.core.kinds import ColumnKind
from workbench.core.profile.model import Alert
from workbench.core.specs import StepSpec

# Above this many categories, grouping rare ones still leaves a wide one-hot: hash instead.
HASH_ABOVE_CATEGORIES = 1000
# The sentinel alert names its value only in the message: "'pdays' uses 999 as a stand-in ...".
_SENTINEL_SHOWN = re.compile(r" uses (.+) as a stand-in for a missing value")


def _drop(column: str) -> StepSpec:
    return StepSpec("drop_columns", (column,))


def _impute(column: str, kinds: Mapping[str, ColumnKind]) -> StepSpec:
    numeric = kinds.get(column) == ColumnKind.NUMERIC
    return StepSpec("impute", (column,), {"strategy": "median" if numeric else "most_frequent"})


def sentinel_tokens(alert: Alert) -> tuple[str, ...]:
    """The sentinel values of a sentinel_values alert, as mark_missing takes them: numbers as
    written ("-1", "999"; thousands separators removed), strings as they appear ('unknown')."""
    found = _SENTINEL_SHOWN.search(alert.message)
    if found is None:
        return ()
    shown = found.group(1)
    if shown[:1] in "'\"":
        # The string form lists each spelling repr()-quoted: 'unknown', 'Unknown'.
        return tuple(str(token) for token in ast.literal_eval(f"({shown},)"))
    return (shown.replace(",", ""),)


def _whitespace(alert: Alert, column: str) -> StepSpec:
    if isinstance(alert.value, str):  # the column NAME has surrounding spaces
        return StepSpec("rename", (column,), {"new_name": column.strip()})
    return StepSpec("strip_whitespace", (column,))


def fix_for_alert(alert: Alert, kinds: Mapping[str, ColumnKind]) -> StepSpec | None:
    """The step that fixes `alert`, or None when there is no one-click fix."""
    step = alert.fix_step
    column = alert.columns[0] if alert.columns else ""
    if alert.kind == "class_imbalance":
        return StepSpec("class_weights", (), {"mode": "balanced"})
    if alert.kind == "duplicate_rows":
        return StepSpec("drop_duplicates")
    if not column or step is None:
        return None
    if alert.kind == "high_correlation":
        # A pair: drop the second (the alert's own advice); a summary of many pairs: no pick.
        return _drop(alert.columns[1]) if len(alert.columns) == 2 else None
    if alert.kind == "whitespace":
        return _whitespace(alert, column)
    if alert.kind == "high_cardinality":
        many = isinstance(alert.value, float | int) and alert.value > HASH_ABOVE_CATEGORIES
        return StepSpec("hash", (column,)) if many else StepSpec("group_rare", (column,))
    if alert.kind == "sentinel_values":
        tokens = sentinel_tokens(alert)
        return StepSpec("mark_missing", (column,), {"values": tokens}) if tokens else None
    if step == "drop_columns":  # target_leakage (column, target), identifier, constant, missing
        return _drop(column)
    if step == "impute":
        return _impute(column, kinds)
    if step in ("log1p", "power_transform", "replace_infinite"):
        return StepSpec(step, (column,))
    if step == "to_numeric":  # mixed_types / numbers_as_text: the step is parse_numbers
        return StepSpec("parse_numbers", (column,))
    return None
