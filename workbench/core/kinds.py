"""Column kinds, and which column is the target and what task it implies.

A kind says how a column should be treated (scaled, encoded, parsed, dropped), which is not the
same as its dtype: a float column of 1.0, 2.0, 3.0 row numbers is an identifier, a 0/1 integer
column is a flag. Decisions worth knowing:

- BOOLEAN is a True/False column or a numeric column whose values are exactly 0 and 1: both are
  flags, and a flag needs no scaling or encoding. As a target such a column is a binary task.
- Two-valued string columns (`yes`/`no`, mushrooms' `p`/`e`) stay CATEGORICAL: their labels carry
  meaning a user wants to see in results, and one-hot encoding them costs a single column.
- Integer columns with few distinct values (titanic `pclass` 1/2/3, `sibsp`) stay NUMERIC: the
  numbers are ordered and often counts, which a categorical encoding would throw away. The user
  can switch the kind; as a target they are a classification task (see `task_for_column`).
- IDENTIFIER: unique values that look like keys: consecutive integers (row numbers, R's
  `rownames`, pandas' saved index), or unique values under an id-like name. A unique float that
  measures something (adult `fnlwgt`) is not an identifier.
- TEXT: prose, not labels: several words per value and many distinct values.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from enum import StrEnum

import numpy as np
import pandas as pd
from pandas.api import types as ptypes

from workbench.core.errors import WorkbenchError


class ColumnKind(StrEnum):
    NUMERIC = "numeric"
    CATEGORICAL = "categorical"
    BOOLEAN = "boolean"
    DATETIME = "datetime"
    TEXT = "text"
    IDENTIFIER = "identifier"


class TaskType(StrEnum):
    BINARY = "binary"
    MULTICLASS = "multiclass"
    REGRESSION = "regression"


class ColumnRole(StrEnum):
    FEATURE = "feature"
    TARGET = "target"
    IDENTIFIER = "identifier"
    IGNORE = "ignore"


# Names (lowercase, non-alphanumerics removed) that R, pandas and spreadsheets give to a saved
# row index, or that people give to keys.
_ID_NAMES = re.compile(r"^(|rownames|rowname|rowid|row|index|idx|id|key|uuid|guid|unnamed\d*|\d+)$")
_ID_SUFFIX = re.compile(r"(^|[_\s.-])(id|key|uuid|guid)$", re.IGNORECASE)
# A unique column needs at least this many values before it is called an identifier: a
# five-row table's unique values say nothing.
IDENTIFIER_MIN_ROWS = 20
# TEXT: mean words per value (row-weighted) at least this, with distinct values at least
# TEXT_MIN_DISTINCT_FRACTION of the non-missing values...
TEXT_MIN_WORDS = 5.0
TEXT_MIN_DISTINCT_FRACTION = 0.05
# ...or shorter values that are nearly all different (titles, names, short reviews).
SHORT_TEXT_MIN_WORDS = 3.0
SHORT_TEXT_MIN_DISTINCT_FRACTION = 0.5
# At most this many distinct values are used to measure word counts (they are the costly part).
_TEXT_SAMPLE = 5_000
# A numeric target with at most this many distinct integer values is a classification task.
MAX_INTEGER_CLASSES = 10
# A categorical target with more classes than this is refused: it is a key or free text.
MAX_CLASSES = 100


def _is_id_name(name: object) -> bool:
    text = str(name).strip()
    compact = re.sub(r"[^a-z0-9]", "", text.lower())
    return bool(_ID_NAMES.match(compact)) or bool(_ID_SUFFIX.search(text))


def _numeric_values(series: pd.Series) -> np.ndarray:
    """Non-missing values as float64 (NA-aware for nullable dtypes)."""
    values = series.to_numpy(dtype="float64", na_value=np.nan)
    return values[~np.isnan(values)]


def _numeric_kind(series: pd.Series, values: np.ndarray) -> ColumnKind:
    if values.size == 0:
        return ColumnKind.NUMERIC
    lowest, highest = float(values.min()), float(values.max())
    # Exactly the values 0 and 1: a flag (a column of only zeros is a constant number).
    if lowest == 0.0 and highest == 1.0 and np.all((values == 0.0) | (values == 1.0)):
        return ColumnKind.BOOLEAN
    if values.size >= IDENTIFIER_MIN_ROWS and np.all(np.isfinite(values)):
        integral = bool(np.all(values == np.floor(values)))
        # Consecutive integers with no gap or repeat: a row number.
        consecutive = integral and highest - lowest == values.size - 1
        if consecutive and np.unique(values).size == values.size:
            return ColumnKind.IDENTIFIER
        if integral and _is_id_name(series.name) and np.unique(values).size == values.size:
            return ColumnKind.IDENTIFIER
    return ColumnKind.NUMERIC


def _string_kind(series: pd.Series) -> ColumnKind:
    values = series.dropna()
    if values.empty:
        return ColumnKind.CATEGORICAL
    strings = values.astype(str)
    counts = strings.value_counts(sort=False)
    distinct = len(counts)
    if distinct == len(strings) and len(strings) >= IDENTIFIER_MIN_ROWS:
        unique_words = _mean_words(counts)
        if _is_id_name(series.name) or unique_words < 1.5:
            # Unique single tokens ("N1A1", "a3f9-...") are keys; unique sentences are text.
            return ColumnKind.IDENTIFIER
    words = _mean_words(counts)
    share = distinct / len(strings)
    if words >= TEXT_MIN_WORDS and share >= TEXT_MIN_DISTINCT_FRACTION:
        return ColumnKind.TEXT
    if (
        words >= SHORT_TEXT_MIN_WORDS
        and share >= SHORT_TEXT_MIN_DISTINCT_FRACTION
        and distinct > 50
    ):
        return ColumnKind.TEXT
    return ColumnKind.CATEGORICAL


def _mean_words(counts: pd.Series) -> float:
    """Row-weighted mean number of words, measured on (at most) the most frequent values."""
    if len(counts) > _TEXT_SAMPLE:
        counts = counts.nlargest(_TEXT_SAMPLE)
    labels = pd.Series(counts.index.astype(str), dtype=object)
    words = labels.str.split().str.len().to_numpy(dtype="float64")
    weights = counts.to_numpy(dtype="float64")
    return float(np.average(words, weights=weights)) if weights.sum() else 0.0


def infer_kind(series: pd.Series) -> ColumnKind:
    """The kind of one column, from its dtype and values (see the module docstring)."""
    dtype = series.dtype
    if ptypes.is_bool_dtype(dtype):
        return ColumnKind.BOOLEAN
    if ptypes.is_datetime64_any_dtype(dtype) or isinstance(dtype, pd.PeriodDtype):
        return ColumnKind.DATETIME
    if ptypes.is_timedelta64_dtype(dtype):
        return ColumnKind.NUMERIC
    if isinstance(dtype, pd.CategoricalDtype):
        return ColumnKind.CATEGORICAL
    if ptypes.is_numeric_dtype(dtype):
        return _numeric_kind(series, _numeric_values(series))
    if ptypes.is_object_dtype(dtype):
        # Object columns come from JSON, Excel or user code: look at what the values are.
        inferred = pd.api.types.infer_dtype(series, skipna=True)
        if inferred == "boolean":
            return ColumnKind.BOOLEAN
        if inferred in ("datetime", "datetime64", "date"):
            return ColumnKind.DATETIME
        if inferred in ("integer", "floating", "mixed-integer-float", "decimal"):
            numbers = pd.to_numeric(series, errors="coerce")
            return _numeric_kind(series, _numeric_values(numbers))
    return _string_kind(series)


def infer_kinds(frame: pd.DataFrame) -> dict[str, ColumnKind]:
    """The kind of every column of `frame`, keyed by column name."""
    return {name: infer_kind(frame[name]) for name in frame.columns}


def default_role(kind: ColumnKind) -> ColumnRole:
    """Identifiers are kept out of the features by default; everything else is a feature."""
    return ColumnRole.IDENTIFIER if kind == ColumnKind.IDENTIFIER else ColumnRole.FEATURE


@dataclass(frozen=True)
class TaskSuggestion:
    """A target column, its task, and a sentence telling the user why."""

    column: str
    task: TaskType
    reason: str


def _format_value(value: object) -> str:
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def _class_summary(counts: pd.Series, shown: int = 4) -> str:
    total = counts.sum()
    parts = [f"{_format_value(v)} {c / total:.0%}" for v, c in counts.head(shown).items()]
    if len(counts) > shown:
        parts.append(f"{len(counts) - shown} more")
    return ", ".join(parts)


def task_for_column(series: pd.Series, kind: ColumnKind | None = None) -> TaskSuggestion:
    """The task implied by using `series` as the target; WorkbenchError if it cannot be one."""
    name = str(series.name)
    kind = kind if kind is not None else infer_kind(series)
    if kind == ColumnKind.IDENTIFIER:
        raise WorkbenchError(
            f"'{name}' is an identifier (every value differs): it cannot be a target"
        )
    if kind == ColumnKind.TEXT:
        raise WorkbenchError(f"'{name}' is free text: it cannot be a target")
    if kind == ColumnKind.DATETIME:
        raise WorkbenchError(f"'{name}' holds dates: it cannot be a target")
    values = series.dropna()
    if values.empty:
        raise WorkbenchError(f"'{name}' has no values (all missing): it cannot be a target")
    counts = values.value_counts()
    if len(counts) < 2:
        only = _format_value(counts.index[0])
        raise WorkbenchError(f"'{name}' has a single value ({only}): it cannot be a target")
    if kind in (ColumnKind.NUMERIC,) and ptypes.is_numeric_dtype(values.dtype):
        numbers = values.to_numpy(dtype="float64")
        integral = bool(np.all(numbers == np.floor(numbers)))
        if len(counts) > 2 and not (integral and len(counts) <= MAX_INTEGER_CLASSES):
            return TaskSuggestion(
                name,
                TaskType.REGRESSION,
                f"'{name}' is numeric with {len(counts):,} distinct values "
                f"({_format_value(numbers.min())} to {_format_value(numbers.max())})",
            )
    if len(counts) > MAX_CLASSES:
        raise WorkbenchError(
            f"'{name}' has {len(counts):,} distinct values: too many classes for a target "
            f"(at most {MAX_CLASSES})"
        )
    task = TaskType.BINARY if len(counts) == 2 else TaskType.MULTICLASS
    return TaskSuggestion(
        name, task, f"'{name}' has {len(counts)} classes ({_class_summary(counts)})"
    )


# Names that say "I am the target", most telling first; compared lowercase, without spaces,
# underscores and punctuation. `survived` comes before `class` (titanic has both) and `rating`
# before `price` and `type` (googleplaystore's target is Rating; its Price and Type are inputs).
# `y` beside an `x` column is a coordinate (diamonds' x, y, z sizes), not a target.
TARGET_NAMES: tuple[str, ...] = (
    "target",
    "label",
    "labels",
    "y",
    "outcome",
    "survived",
    "churn",
    "churned",
    "default",
    "response",
    "diagnosis",
    "species",
    "status",
    "vote",
    "income",
    "rating",
    "price",
    "charges",
    "salary",
    "quality",
    "class",
    "type",
)


def _compact(name: object) -> str:
    return re.sub(r"[^a-z0-9]", "", str(name).lower())


def _try_task(frame: pd.DataFrame, column: str, kind: ColumnKind) -> TaskSuggestion | None:
    try:
        return task_for_column(frame[column], kind)
    except WorkbenchError:
        return None


def suggest_target(
    frame: pd.DataFrame, kinds: Mapping[str, ColumnKind] | None = None
) -> TaskSuggestion | None:
    """The likeliest target: by name, else the last column, else the first two-class column."""
    known = dict(kinds) if kinds is not None else {}

    def kind_of(column: str) -> ColumnKind:
        if column not in known:
            known[column] = infer_kind(frame[column])
        return known[column]

    columns = [str(c) for c in frame.columns]
    by_name = {_compact(c): c for c in reversed(columns)}  # first column wins a name clash
    for wanted in TARGET_NAMES:
        column = by_name.get(wanted)
        if wanted == "y" and "x" in by_name:
            continue
        if column is not None and (found := _try_task(frame, column, kind_of(column))):
            return TaskSuggestion(found.column, found.task, f"Picked by its name. {found.reason}.")
    if columns:
        last = columns[-1]
        if found := _try_task(frame, last, kind_of(last)):
            return TaskSuggestion(
                found.column, found.task, f"Picked as the last column. {found.reason}."
            )
    for column in columns:
        if kind_of(column) in (ColumnKind.BOOLEAN, ColumnKind.CATEGORICAL):
            found = _try_task(frame, column, kind_of(column))
            if found is not None and found.task == TaskType.BINARY:
                return TaskSuggestion(
                    found.column,
                    found.task,
                    f"Picked as the first two-class column. {found.reason}.",
                )
    return None
