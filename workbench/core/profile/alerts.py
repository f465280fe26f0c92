"""The alert rules: what in a profiled table deserves the user's attention, and how to fix it.

compute.py measures; this module judges. Every alert carries the measured value and the
threshold it crossed (so the GUI can show "77% missing, above 50%"), one sentence naming the
column, a one-line fix, and `fix_step`: the name of the preprocessing step that fixes it, so a
later "fix it" button can add that step to the chain in one click. The step names used:

    drop_columns, impute, mark_missing, group_rare, log1p, power_transform, drop_duplicates,
    to_numeric, strip_whitespace, balance, replace_infinite

The thresholds live in `ProfileOptions` (model.py), each documented there.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd
from pandas.api import types as ptypes

from workbench.core.io.column_types import code_examples
from workbench.core.kinds import ColumnKind, TaskType
from workbench.core.numbers import format_number
from workbench.core.profile.model import (
    CRITICAL,
    INFO,
    WARNING,
    Alert,
    ColumnProfile,
    ProfileOptions,
)

# Numbers as people type them in text: 5, -1.5, 1e3, 1,000,000, $4.99, 19M, 201k, 5,000+, 12%.
_NUMBER_LIKE = re.compile(
    r"^[+-]?[$€£¥]?\s?[+-]?(\d{1,3}(,\d{3})+|\d+)?(\.\d+)?([eE][+-]?\d+)?\s?[kKmMgGbB%+]?$"
)
_HAS_DIGIT = re.compile(r"\d")
# Strings that stand for "no value" wherever they appear (compared lowercase, stripped): a file
# that did not leave the cell empty. io turns the empty cell and its own NA tokens into missing;
# these are what is left.
PLACEHOLDER_STRINGS: frozenset[str] = frozenset(
    {
        "unknown",
        "unk",
        "n/a",
        "na",
        "n.a.",
        "nan",
        "null",
        "missing",
        "not available",
        "undefined",
        "-",
        "--",
        "---",
        "?",
        ".",
        "#n/a",
        "",
    }
)
# Words that are often a real answer ('none' in an `airbag` column: the car had no airbag) and
# only sometimes a stand-in: a sentinel only with evidence (see `_string_sentinels`).
AMBIGUOUS_STRINGS: frozenset[str] = frozenset({"none", "nil", "not applicable"})
# Numbers written in a text column as a stand-in: a lone code among words, or a value outside
# the range of the column's other numbers.
NUMBER_STRINGS: frozenset[str] = frozenset(
    {"-1", "-9", "-99", "-999", "-9999", "999", "9999", "99999"}
)
SENTINEL_STRINGS: frozenset[str] = PLACEHOLDER_STRINGS | AMBIGUOUS_STRINGS | NUMBER_STRINGS
# Numbers that stand for "no value": negative ones sit below an otherwise non-negative column,
# the 9s sit far above every real value.
NEGATIVE_SENTINELS = (-1.0, -9.0, -99.0, -999.0, -9999.0, -99999.0)
HIGH_SENTINELS = (99.0, 999.0, 9999.0, 99999.0, 999999.0)


def _short(value: object, limit: int = 40) -> str:
    """A value quoted for a message, cut so one odd cell cannot flood it."""
    text = str(value)
    return repr(text if len(text) <= limit else text[: limit - 1] + "…")


def _pct(fraction: float) -> str:
    if 0 < fraction < 0.001:
        return "<0.1%"
    return f"{fraction:.1%}" if fraction < 0.1 else f"{fraction:.0%}"


def column_alerts(
    column: ColumnProfile,
    counts: pd.Series | None,
    options: ProfileOptions,
) -> list[Alert]:
    """Alerts about one column. `counts`: exact value counts (values as index), missing excluded."""
    name = column.name
    alerts: list[Alert] = []
    if name != name.strip():
        alerts.append(
            Alert(
                "whitespace",
                (name,),
                WARNING,
                repr(name),
                None,
                f"The column name {name!r} has surrounding spaces.",
                "Strip the spaces from the column name.",
                "strip_whitespace",
            )
        )
    if column.distinct <= 1:
        what = (
            "is empty"
            if column.distinct == 0
            else f"holds a single value ({column.top_values[0][0]!r})"
        )
        alerts.append(
            Alert(
                "constant",
                (name,),
                WARNING,
                float(column.distinct),
                1.0,
                f"'{name}' {what}: it carries no information.",
                "Drop the column.",
                "drop_columns",
            )
        )
    if column.kind == ColumnKind.IDENTIFIER:
        alerts.append(
            Alert(
                "identifier",
                (name,),
                WARNING,
                float(column.distinct),
                None,
                f"'{name}' looks like an identifier ({column.distinct:,} distinct values): "
                "a model would memorise it.",
                "Keep it out of the features (drop it or set its role to identifier).",
                "drop_columns",
            )
        )
    # In the order their fixes belong in a chain: drop a mostly empty column first; mark
    # stand-ins as missing, parse numbers and strip spaces before imputing, grouping rare
    # categories or transforming numbers.
    missing = _missing_alerts(column, options)
    dropped = bool(missing) and missing[0].fix_step == "drop_columns"
    if dropped:
        alerts += missing
    values = _value_alerts(column, counts, options) if counts is not None and len(counts) else []
    alerts += values
    if not dropped:
        alerts += missing
    # Numbers stored as text ('19M', '$4.99', '5,000') have many distinct values because they
    # are numbers: once parsed there is nothing to group.
    numbers = any(alert.fix_step == "to_numeric" for alert in values)
    if (
        column.kind == ColumnKind.CATEGORICAL
        and column.distinct > options.high_cardinality
        and not numbers
    ):
        alerts.append(
            Alert(
                "high_cardinality",
                (name,),
                WARNING,
                float(column.distinct),
                float(options.high_cardinality),
                f"'{name}' has {column.distinct:,} distinct categories "
                f"(more than {options.high_cardinality}).",
                "Group rare categories into 'other' (or use target / hashing encoding).",
                "group_rare",
            )
        )
    if column.kind == ColumnKind.NUMERIC:
        alerts += _numeric_alerts(column, options)
    return alerts


def _missing_alerts(column: ColumnProfile, options: ProfileOptions) -> list[Alert]:
    fraction = column.missing_fraction
    if column.distinct == 0 or fraction < options.missing_info_fraction:
        return []
    name = column.name
    if fraction >= options.missing_drop_fraction:
        severity, threshold = WARNING, options.missing_drop_fraction
        fix, step = (
            "Drop the column, or add a 'was missing' indicator if absence means something.",
            "drop_columns",
        )
    elif fraction >= options.missing_warning_fraction:
        severity, threshold = WARNING, options.missing_warning_fraction
        fix, step = "Impute the missing values and add a 'was missing' indicator.", "impute"
    else:
        severity, threshold = INFO, options.missing_info_fraction
        fix, step = (
            "Impute the missing values (median for numbers, most frequent otherwise).",
            "impute",
        )
    return [
        Alert(
            "high_missing",
            (name,),
            severity,
            fraction,
            threshold,
            f"'{name}' is missing in {column.missing:,} rows ({_pct(fraction)}).",
            fix,
            step,
        )
    ]


def _numeric_alerts(column: ColumnProfile, options: ProfileOptions) -> list[Alert]:
    name = column.name
    alerts: list[Alert] = []
    if column.skew is not None and abs(column.skew) >= options.skew_threshold:
        positive = column.min is not None and float(column.min) >= 0
        alerts.append(
            Alert(
                "skewed",
                (name,),
                INFO,
                column.skew,
                options.skew_threshold,
                f"'{name}' is skewed (skewness {column.skew:.2f}).",
                "Apply log1p."
                if positive and column.skew > 0
                else "Apply a power (Yeo-Johnson) transform.",
                "log1p" if positive and column.skew > 0 else "power_transform",
            )
        )
    if column.count and column.zeros is not None:
        share = column.zeros / column.count
        if share >= options.zeros_fraction:
            alerts.append(
                Alert(
                    "many_zeros",
                    (name,),
                    INFO,
                    share,
                    options.zeros_fraction,
                    f"'{name}' is zero in {column.zeros:,} rows ({_pct(share)}).",
                    "If zero means 'not recorded' treat it as missing; otherwise consider an "
                    "'is zero' indicator.",
                    None,
                )
            )
    if column.infinities:
        alerts.append(
            Alert(
                "infinite_values",
                (name,),
                WARNING,
                float(column.infinities),
                0.0,
                f"'{name}' holds {column.infinities:,} infinite values.",
                "Replace infinities with missing values, then impute.",
                "replace_infinite",
            )
        )
    return alerts


def _value_alerts(column: ColumnProfile, counts: pd.Series, options: ProfileOptions) -> list[Alert]:
    """Alerts that need the exact value counts: sentinels, mixed types, spaces in values."""
    index = counts.index
    if ptypes.is_bool_dtype(index.dtype) or column.kind == ColumnKind.BOOLEAN:
        return []
    if ptypes.is_numeric_dtype(index.dtype):
        return _numeric_sentinels(column, counts, options)
    if ptypes.is_datetime64_any_dtype(index.dtype):
        return []
    labels = pd.Series(index.astype(str), dtype=object)
    weights = counts.to_numpy(dtype="int64")
    # Which labels are numbers: a regex over every distinct value, so only where it is needed
    # (a key column of a million distinct strings has no mixed types to report).
    numbers = number_like(labels) if column.kind == ColumnKind.CATEGORICAL else None
    alerts = _string_sentinels(column, labels, weights, numbers, options)
    if numbers is not None:
        alerts += _mixed_types(column, labels, weights, numbers, options)
    padded = labels.str.len().to_numpy() != labels.str.strip().str.len().to_numpy()
    if padded.any():
        affected = int(weights[padded].sum())
        example = labels[padded].iloc[0]
        alerts.append(
            Alert(
                "whitespace",
                (column.name,),
                WARNING,
                float(affected),
                0.0,
                f"'{column.name}' has {affected:,} values with surrounding spaces "
                f"(e.g. {_short(example)}).",
                "Strip surrounding spaces so equal values match.",
                "strip_whitespace",
            )
        )
    return alerts


def number_like(labels: pd.Series) -> np.ndarray:
    """Which labels are numbers as people type them (5, -1.5, $4.99, 19M, 1,000+)."""
    stripped = labels.str.strip()
    return (
        stripped.str.match(_NUMBER_LIKE.pattern) & stripped.str.contains(_HAS_DIGIT.pattern)
    ).to_numpy(dtype=bool)


def _sentinel_alert(
    name: str, shown: str, rows: int, total: int, evidence: str, options: ProfileOptions
) -> Alert:
    share = rows / total if total else 0.0
    return Alert(
        "sentinel_values",
        (name,),
        WARNING,
        float(rows),
        float(options.sentinel_min_rows),
        f"'{name}' uses {shown} as a stand-in for a missing value in {rows:,} rows "
        f"({_pct(share)}): {evidence}.",
        f"Mark {shown} as missing, then impute.",
        "mark_missing",
    )


def _outside_range(sentinel: float, others: np.ndarray, options: ProfileOptions) -> str:
    """Why `sentinel` is no real value of a column whose other values are `others` ('' if it
    could be one): below numbers that are never negative, or far above every one of them."""
    if others.size < 3:
        return ""
    if sentinel < 0:
        lowest = float(others.min())
        return f"every other value is at least {format_number(lowest)}" if lowest >= 0 else ""
    highest = float(others.max())
    if highest > 0 and sentinel >= options.sentinel_gap * highest:
        return f"far above every other value (the largest is {format_number(highest)})"
    return ""


def _numeric_sentinels(
    column: ColumnProfile, counts: pd.Series, options: ProfileOptions
) -> list[Alert]:
    values = counts.index.to_numpy(dtype="float64")
    weights = counts.to_numpy(dtype="int64")
    finite = np.isfinite(values)
    total = int(weights.sum())
    alerts = []
    for sentinel in (*NEGATIVE_SENTINELS, *HIGH_SENTINELS):
        hit = values == sentinel
        rows = int(weights[hit].sum())
        if rows < options.sentinel_min_rows:
            continue
        evidence = _outside_range(sentinel, values[finite & ~hit], options)
        if evidence:
            shown = format_number(sentinel)
            alerts.append(_sentinel_alert(column.name, shown, rows, total, evidence, options))
    return alerts


def _string_sentinels(
    column: ColumnProfile,
    labels: pd.Series,
    weights: np.ndarray,
    numeric: np.ndarray | None,
    options: ProfileOptions,
) -> list[Alert]:
    """Stand-ins for "no value" in a text column, each only with evidence that it is one.

    A known placeholder ('unknown', 'n/a', '?') is one anywhere. A number such as -1 or 999 is
    one among words (a lone code) or when it sits outside the range of the column's other
    numbers. An ambiguous word ('none') is one among numbers, or when it is rare (at most
    `sentinel_rare_fraction` of the rows) in a column that also has real missing values; a
    frequent 'none' is an ordinary category (no airbag), and so is 'none' with no missing beside.
    """
    normal = labels.str.strip().str.lower()
    candidates = normal.isin(SENTINEL_STRINGS).to_numpy()
    if not candidates.any():
        return []
    if numeric is None:
        numeric = number_like(labels)
    total = int(weights.sum())
    others = ~candidates
    other_rows = int(weights[others].sum())
    numbers_rows = int(weights[others & numeric].sum())
    among_numbers = other_rows > 0 and numbers_rows / other_rows >= 0.5
    alerts = []
    for token in sorted(set(normal[candidates])):
        match = (normal == token).to_numpy()
        rows = int(weights[match].sum())
        if rows < options.sentinel_min_rows or rows >= total:
            continue
        evidence = ""
        if token in PLACEHOLDER_STRINGS:
            evidence = "a common placeholder for 'no value'"
        elif token in NUMBER_STRINGS:
            if not among_numbers:
                evidence = "a lone number among words"
            else:
                parsed = pd.to_numeric(
                    labels[others & numeric].str.replace(",", "", regex=False),
                    errors="coerce",
                ).to_numpy(dtype="float64")
                evidence = _outside_range(float(token), parsed[np.isfinite(parsed)], options)
        elif among_numbers:
            evidence = "a word among numbers"
        elif column.missing and rows / (total + column.missing) <= options.sentinel_rare_fraction:
            evidence = f"rare, beside {column.missing:,} empty cells"
        if evidence:
            shown = ", ".join(repr(v) for v in labels[match])
            alerts.append(_sentinel_alert(column.name, shown, rows, total, evidence, options))
    return alerts


def _mixed_types(
    column: ColumnProfile,
    labels: pd.Series,
    weights: np.ndarray,
    numeric: np.ndarray,
    options: ProfileOptions,
) -> list[Alert]:
    # Sentinels ("-1", "unknown") are reported on their own; they make a column neither
    # numeric nor mixed.
    keep = ~labels.str.strip().str.lower().isin(SENTINEL_STRINGS).to_numpy(dtype=bool)
    labels, weights, numeric = labels[keep], weights[keep], numeric[keep]
    total = int(weights.sum())
    numbers = int(weights[numeric].sum())
    if not total or numbers / total < options.mixed_min_number_fraction:
        return []
    words = total - numbers
    name = column.name
    number_example = labels[numeric].iloc[0]
    if words == 0:
        if code_examples(labels):  # 02134: codes import keeps as text on purpose, not numbers
            return []
        return [
            Alert(
                "numbers_as_text",
                (name,),
                INFO,
                1.0,
                None,
                f"'{name}' holds numbers stored as text (e.g. {_short(number_example)}).",
                "Convert it to numbers (strip units, symbols and thousands separators).",
                "to_numeric",
            )
        ]
    word_examples = labels[~numeric]
    word_example = word_examples.iloc[int(np.argmax(weights[~numeric]))]
    share = words / total
    return [
        Alert(
            "mixed_types",
            (name,),
            WARNING,
            share,
            options.mixed_min_number_fraction,
            f"'{name}' mixes numbers ({_pct(1 - share)}, e.g. {_short(number_example)}) and words "
            f"({_pct(share)}, e.g. {_short(word_example)}).",
            "Convert it to numbers and treat the words as missing.",
            "to_numeric",
        )
    ]


def duplicate_alert(duplicates: int, rows: int) -> list[Alert]:
    if duplicates <= 0:
        return []
    return [
        Alert(
            "duplicate_rows",
            (),
            WARNING,
            float(duplicates),
            0.0,
            f"{duplicates:,} {'row' if duplicates == 1 else 'rows'} ({_pct(duplicates / rows)}) "
            f"{'repeats' if duplicates == 1 else 'repeat'} an earlier row exactly.",
            "Drop duplicate rows (unless repeats are real, separate observations).",
            "drop_duplicates",
        )
    ]


@dataclass(frozen=True)
class NearCopy:
    """Two columns that say (almost) the same thing; `second` is the one the fix drops.

    `measure` is "pearson" (value: r, signed) or "theils_u" (value: U(second | first), the
    share of `second`'s uncertainty that `first` explains; `both_ways` when `first` is also
    determined by `second`, and value is then the smaller of the two).
    """

    first: str
    second: str
    value: float
    measure: str
    both_ways: bool = True


def pearson_near_copies(
    columns: Sequence[str],
    matrix: Sequence[Sequence[float | None]],
    options: ProfileOptions,
    target: str | None = None,
) -> list[NearCopy]:
    """Pairs of numeric columns whose |Pearson r| reaches the threshold (the target in none)."""
    pairs = []
    for i in range(len(columns)):
        for j in range(i + 1, len(columns)):
            r = matrix[i][j]
            if target in (columns[i], columns[j]) or r is None:
                continue
            if abs(r) >= options.correlation_threshold:
                pairs.append(NearCopy(columns[i], columns[j], r, "pearson"))
    return pairs


def _near_copy_message(pair: NearCopy) -> tuple[str, str]:
    first, second = pair.first, pair.second
    if pair.measure == "pearson":
        said = (
            f"'{first}' and '{second}' are almost the same signal (Pearson r = {pair.value:.3f})."
        )
        return said, f"Drop one of them (e.g. '{second}')."
    if pair.both_ways:
        said = (
            f"'{first}' and '{second}' carry the same information: each determines the other "
            f"(Theil's U = {pair.value:.3f} both ways)."
        )
        return said, f"Drop one of them (e.g. '{second}')."
    said = (
        f"'{first}' determines '{second}' (Theil's U = {pair.value:.3f}): '{second}' adds "
        f"almost nothing that '{first}' does not say."
    )
    return said, f"Drop '{second}' (keep '{first}')."


def near_copy_alerts(pairs: Sequence[NearCopy], options: ProfileOptions) -> list[Alert]:
    """The strongest near-copies, one alert each; beyond `max_correlation_alerts` pairs a
    single summary (a wide table of near-copies would otherwise bury every other alert)."""
    ranked = sorted(pairs, key=lambda pair: -abs(pair.value))
    alerts = []
    for pair in ranked[: options.max_correlation_alerts]:
        message, fix = _near_copy_message(pair)
        threshold = (
            options.correlation_threshold
            if pair.measure == "pearson"
            else options.association_threshold
        )
        alerts.append(
            Alert(
                "high_correlation",
                (pair.first, pair.second),
                WARNING,
                pair.value,
                threshold,
                message,
                fix,
                "drop_columns",
            )
        )
    rest = ranked[options.max_correlation_alerts :]
    if rest:
        involved = sorted({name for pair in rest for name in (pair.first, pair.second)})
        alerts.append(
            Alert(
                "high_correlation",
                tuple(involved),
                INFO,
                float(len(rest)),
                options.correlation_threshold,
                f"{len(rest):,} more column pairs are near-copies (|Pearson r| of at least "
                f"{options.correlation_threshold:g}, or Theil's U of at least "
                f"{options.association_threshold:g}).",
                "Keep one column from each group of near-copies.",
                "drop_columns",
            )
        )
    return alerts


def imbalance_alert(
    target: str, task: TaskType, class_counts: pd.Series, options: ProfileOptions
) -> list[Alert]:
    """The smallest class against its balanced share (1/K): rare classes are hard to learn."""
    if task == TaskType.REGRESSION or len(class_counts) < 2:
        return []
    total = int(class_counts.sum())
    smallest = class_counts.idxmin()
    fraction = int(class_counts.min()) / total
    classes = len(class_counts)
    threshold = options.imbalance_ratio / classes
    if fraction >= threshold:
        return []
    severity = CRITICAL if fraction < options.imbalance_critical_fraction else WARNING
    return [
        Alert(
            "class_imbalance",
            (target,),
            severity,
            fraction,
            threshold,
            f"'{target}' is imbalanced: its smallest class {smallest!s} is {_pct(fraction)} "
            f"of rows ({int(class_counts.min()):,} of {total:,}).",
            "Use class weights or resample the training folds; judge models by balanced "
            "metrics (ROC AUC, F1), not accuracy.",
            "balance",
        )
    ]


def leakage_alerts(
    target: str,
    scores: dict[str, dict[str, Any]],
    options: ProfileOptions,
) -> list[Alert]:
    """Columns that predict the target alone too well (see ProfileOptions for the rule).

    `scores[column]["lift"]` is the cross-validated single-column score scaled so the baseline
    (predicting the prior) is 0 and a perfect prediction is 1.
    """
    lifts = {c: float(s["lift"]) for c, s in scores.items() if s.get("lift") is not None}
    alerts = []
    critical = {c for c, lift in lifts.items() if lift >= options.leakage_critical_lift}
    for column in sorted(critical, key=lambda c: -lifts[c]):
        alerts.append(_leak_alert(target, column, scores[column], CRITICAL, None, options))
    rest = {c: lift for c, lift in lifts.items() if c not in critical}
    if len(rest) >= 2:
        ranked = sorted(rest, key=lambda c: -rest[c])
        best, runner_up = ranked[0], ranked[1]
        if rest[best] >= options.leakage_min_lift and rest[best] >= options.leakage_dominance * max(
            rest[runner_up], 1e-9
        ):
            alerts.append(
                _leak_alert(
                    target, best, scores[best], WARNING, (runner_up, rest[runner_up]), options
                )
            )
    return alerts


def _leak_alert(
    target: str,
    column: str,
    score: dict[str, Any],
    severity: str,
    runner_up: tuple[str, float] | None,
    options: ProfileOptions,
) -> Alert:
    measure, value = str(score["measure"]), float(score["score"])
    said = f"{measure} {value:.3f}"
    if runner_up is None:
        message = (
            f"'{column}' alone predicts '{target}' almost perfectly ({said}): "
            "it may leak the answer."
        )
        threshold: float = options.leakage_critical_lift
    else:
        other, other_lift = runner_up
        message = (
            f"'{column}' alone predicts '{target}' far better than any other column ({said}; "
            f"lift {score['lift']:.2f} against {other_lift:.2f} for '{other}'): check it is known "
            "before the outcome."
        )
        threshold = options.leakage_min_lift
    return Alert(
        "target_leakage",
        (column, target),
        severity,
        float(score["lift"]),
        threshold,
        message,
        "Drop the column unless its value is known at prediction time.",
        "drop_columns",
    )
