"""Which profile alerts the project has already dealt with, by a column's role or a chain step.

A profile is a fact about the data; whether one of its alerts still needs the user depends on
what the user did since: set the column's role to identifier or ignore, or add a step that fixes
it. So the state is worked out from the project's roles and chain whenever the alerts are shown
(or a model card lists its limitations), and never stored with the profile: an alert whose step
is removed again is open again.

An alert is handled when
- every feature column it is about is out of the features: its role is identifier or ignore, a
  `drop_columns` step drops it, or a `keep_columns` step leaves it out (for a near-copy pair, one
  of the two is enough; the target never counts, it is never a feature);
- or an enabled step in the chain deals with it: the one-click fix (fixes.py) or an equivalent
  (any imputer for missing values, any skew transform, class weights or resampling for
  imbalance), on all of the alert's columns; a sentinel step must mark the alert's values.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import replace

from workbench.core.kinds import ColumnRole
from workbench.core.profile.fixes import sentinel_tokens
from workbench.core.profile.model import Alert, Profile
from workbench.core.specs import ChainSpec, StepSpec
from workbench.core.steps.catalog import all_steps

# Steps that deal with an alert about a column when they act on that column.
COLUMN_STEPS: dict[str, frozenset[str]] = {
    "high_missing": frozenset({"impute", "impute_knn", "missing_indicator"}),
    "skewed": frozenset({"log1p", "power_transform", "bin"}),
    "high_cardinality": frozenset({"group_rare", "hash", "target_encode", "parse_numbers"}),
    "sentinel_values": frozenset({"mark_missing"}),
    "mixed_types": frozenset({"parse_numbers"}),
    "numbers_as_text": frozenset({"parse_numbers"}),
    "whitespace": frozenset({"strip_whitespace", "rename"}),
    "infinite_values": frozenset({"replace_infinite"}),
}
# Steps that deal with an alert wherever they are: they act on the whole table (or the model).
TABLE_STEPS: dict[str, frozenset[str]] = {
    "duplicate_rows": frozenset({"drop_duplicates"}),
    "class_imbalance": frozenset({"class_weights", "oversample", "undersample"}),
    "constant": frozenset({"drop_constant"}),
    "high_correlation": frozenset({"drop_correlated"}),
}
_DROP, _KEEP = "drop_columns", "keep_columns"
_OUT_OF_FEATURES = {ColumnRole.IDENTIFIER: "identifier", ColumnRole.IGNORE: "ignore"}


def _step_name(index: int, spec: StepSpec) -> str:
    definition = all_steps().get(spec.step)
    return f"step {index + 1} ({definition.label if definition else spec.step})"


def _left_out(
    columns: Sequence[str],
    roles: Mapping[str, ColumnRole | str],
    steps: Sequence[tuple[int, StepSpec]],
) -> dict[str, str]:
    """The columns among `columns` that are not features, each with the reason."""
    out: dict[str, str] = {}
    for column in columns:
        role = ColumnRole(roles[column]) if column in roles else ColumnRole.FEATURE
        if role in _OUT_OF_FEATURES:
            out[column] = f"'{column}' is not a feature (its role is {_OUT_OF_FEATURES[role]})"
            continue
        for index, spec in steps:
            dropped = spec.step == _DROP and column in spec.columns
            if dropped or (spec.step == _KEEP and column not in spec.columns):
                out[column] = f"{_step_name(index, spec)} leaves '{column}' out"
                break
    return out


def _deals_with(alert: Alert, columns: Sequence[str], spec: StepSpec) -> bool:
    """Whether the enabled step `spec` fixes `alert` on its feature `columns`."""
    if spec.step in TABLE_STEPS.get(alert.kind, frozenset()):
        return True
    if spec.step not in COLUMN_STEPS.get(alert.kind, frozenset()):
        return False
    if not columns or not set(columns) <= set(spec.columns):
        return False
    if alert.kind == "whitespace":  # a name with spaces is renamed, values with spaces stripped
        return (spec.step == "rename") == isinstance(alert.value, str)
    if alert.kind == "sentinel_values":
        marked = {str(value).strip().casefold() for value in spec.params.get("values", ())}
        wanted = {token.strip().casefold() for token in sentinel_tokens(alert)}
        return bool(wanted) and wanted <= marked
    return True


def handled_reason(
    alert: Alert,
    roles: Mapping[str, ColumnRole | str],
    chain: ChainSpec,
    target: str | None = None,
) -> str:
    """Why `alert` needs nothing more from the user, or '' while it is open."""
    steps = [(index, spec) for index, spec in enumerate(chain.steps) if spec.enabled]
    features = [
        column
        for column in alert.columns
        if column != target and roles.get(column) != ColumnRole.TARGET
    ]
    out = _left_out(features, roles, steps)
    # A group of near-copies is dealt with when at most one of them is left; any other alert
    # when every feature column it is about is gone.
    still_in = len(features) - len(out)
    if out and still_in <= (1 if alert.kind == "high_correlation" else 0):
        return out[next(column for column in features if column in out)]
    for index, spec in steps:
        if _deals_with(alert, features, spec):
            return f"{_step_name(index, spec)} deals with it"
    return ""


def mark_handled(
    profile: Profile, roles: Mapping[str, ColumnRole | str], chain: ChainSpec
) -> tuple[Alert, ...]:
    """The profile's alerts, each carrying `handled` (the reason, '' when open)."""
    return tuple(
        replace(alert, handled=handled_reason(alert, roles, chain, profile.target))
        for alert in profile.alerts
    )


def open_alerts(
    profile: Profile, roles: Mapping[str, ColumnRole | str], chain: ChainSpec
) -> list[Alert]:
    """The alerts the project has not dealt with yet (what a model card should still list)."""
    return [alert for alert in mark_handled(profile, roles, chain) if not alert.handled]
