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
- IDENTIFIER: values that name a row rather than measure it. Numbers: non-negative integers,
  at least half of them distinct, that are row numbers (consecutive), carry an id-like name
  (`caseid`, `EmpID`, `PID`, `Order No`, `Sample Number`: the name's last word), count up
  through their range (a counter: dense, and rising down the file or spread evenly over the
  range), or are codes (nearly all distinct, large, in a narrow band: horse-colic's hospital
  numbers 518476-534727). Text: unique single tokens (`N1A1`, uuids), an id-like name with at
  least half the values distinct (penguins-raw `Individual ID`), or short labels that are nearly
  all different (person names, googleplaystore's `App`: 89% distinct, 4 words). Measures are not
  identifiers even when nearly unique: adult `fnlwgt` (78% distinct in adult-test) is spread
  thinly over a wide skewed range, diamonds `price` repeats, macrodata `POP` rises down the file
  but covers 0.5% of its range, flights `flight_number` is 41% distinct, anes96's `PID` (party
  id, 0-6) is a scale.
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


# Whole names (lowercase, non-alphanumerics removed) that R, pandas and spreadsheets give to a
# saved row index, or that people give to keys.
_ID_NAMES = re.compile(r"^(rownames|rowname|rowid|row|index|idx|id|key|uuid|guid)$")
# Names a saved index gets when the file had no header for it ('', 'Unnamed: 0', '...1', '0'):
# a hint only for a column whose values are all different.
_INDEX_NAMES = re.compile(r"^(|unnamed\d*|\d+)$")
# The last word of a name that says "key": `Order No`, `Sample Number`, `customer_code`, `EmpID`.
_ID_WORDS = frozenset(
    {"id", "ids", "key", "uuid", "guid", "no", "nr", "num", "number", "code", "pk"}
)
# Words ending in "id" that are not keys (`paid`, `valid`, `covid`), so `caseid` and `PID` are
# keys and `amount_paid` is not.
_NOT_ID_WORDS = frozenset(
    {
        "paid",
        "prepaid",
        "unpaid",
        "valid",
        "invalid",
        "void",
        "avoid",
        "said",
        "acid",
        "lipid",
        "fluid",
        "solid",
        "liquid",
        "humid",
        "rapid",
        "hybrid",
        "grid",
        "mid",
        "covid",
        "android",
        "squid",
        "rigid",
        "vivid",
        "pyramid",
        "thyroid",
        "steroid",
        "opioid",
    }
)
# A column needs at least this many values before it is called an identifier: a five-row
# table's unique values say nothing.
IDENTIFIER_MIN_ROWS = 20
# At least this share of an identifier's values are distinct (a case id repeats once per
# occupant; a measure such as flights' flight_number, 41%, stays a number).
IDENTIFIER_MIN_DISTINCT_FRACTION = 0.5
# A counter covers at least this share of the integers between its lowest and highest value
# (macrodata's POP rises down the file but covers 0.5% of its range: a measure).
COUNTER_MIN_COVERAGE = 0.5
# An unsorted counter needs this many distinct values (a day-of-year column of a small table
# also covers its range evenly) and a histogram whose emptiest of COUNTER_BINS bins holds at
# least COUNTER_MIN_BIN_RATIO of the fullest one's rows: ids have no distribution.
COUNTER_MIN_DISTINCT = 1_000
COUNTER_BINS = 10
COUNTER_MIN_BIN_RATIO = 0.5
# A code: nearly all distinct, at least CODE_MIN_MEDIAN, and its middle half within
# CODE_MAX_SPREAD of the median (numbers handed out from a large base, like hospital numbers).
CODE_MIN_DISTINCT_FRACTION = 0.9
CODE_MIN_MEDIAN = 10_000.0
CODE_MAX_SPREAD = 0.05
# Short text whose values are at least this share distinct names the row (person names, app
# names, titles): an identifier, unless it is prose (TEXT_MIN_WORDS words or more per value).
NAME_MIN_DISTINCT_FRACTION = 0.85
# TEXT: mean words per value (row-weighted) at least this, with distinct values at least
# TEXT_MIN_DISTINCT_FRACTION of the non-missing values...
TEXT_MIN_WORDS = 5.0
TEXT_MIN_DISTINCT_FRACTION = 0.05
# ...or shorter values, mostly different (short reviews, descriptions; below
# NAME_MIN_DISTINCT_FRACTION, where they name the row instead).
SHORT_TEXT_MIN_WORDS = 3.0
SHORT_TEXT_MIN_DISTINCT_FRACTION = 0.5
# At most this many distinct values are used to measure word counts (they are the costly part).
_TEXT_SAMPLE = 5_000
# A numeric target with at most this many distinct integer values is a classification task.
MAX_INTEGER_CLASSES = 10
# A categorical target with more classes than this is refused: it is a key or free text.
MAX_CLASSES = 100


def _name_words(name: object) -> list[str]:
    """A column name's words, lowercase: `EmpID` -> emp, id; `Order No.` -> order, no."""
    spaced = re.sub(r"([a-z0-9])([A-Z])", r"\1 \2", str(name).strip())
    return re.findall(r"[a-z0-9]+", spaced.lower())


def _is_id_name(name: object) -> bool:
    """A name that says the column is a key: `id`, `rownames`, or a last word such as `No`,
    `number`, `code`, `key` or one ending in "id" (`caseid`, `PID`, but not `paid`)."""
    words = _name_words(name)
    if not words:
        return False
    if _ID_NAMES.match("".join(words)):
        return True
    last = words[-1]
    return last in _ID_WORDS or (last.endswith("id") and last not in _NOT_ID_WORDS)


def _is_index_name(name: object) -> bool:
    """The name a saved row index gets ('', 'Unnamed: 0', '...1', '0'), or an id-like one."""
    return bool(_INDEX_NAMES.match("".join(_name_words(name)))) or _is_id_name(name)


def _numeric_values(series: pd.Series) -> np.ndarray:
    """Non-missing values as float64 (NA-aware for nullable dtypes)."""
    values = series.to_numpy(dtype="float64", na_value=np.nan)
    return values[~np.isnan(values)]


def _spread_evenly(values: np.ndarray) -> bool:
    """No distribution to speak of: every bin of the histogram holds about as many rows."""
    counts, _ = np.histogram(values, bins=COUNTER_BINS)
    return bool(counts.min() >= COUNTER_MIN_BIN_RATIO * counts.max())


def _is_numeric_identifier(name: object, values: np.ndarray) -> bool:
    """Integers that name rows (see the module docstring); cheap tests first, so a measure of
    a million rows is turned down before its distinct values are counted."""
    size = values.size
    if size < IDENTIFIER_MIN_ROWS or not np.all(np.isfinite(values)):
        return False
    lowest, highest = float(values.min()), float(values.max())
    span = highest - lowest + 1
    # Half the values distinct needs at least that many integers between lowest and highest.
    if lowest < 0 or span < IDENTIFIER_MIN_DISTINCT_FRACTION * size:
        return False
    if not np.all(values == np.floor(values)):
        return False
    distinct = len(pd.unique(values))
    share = distinct / size
    if share < IDENTIFIER_MIN_DISTINCT_FRACTION:
        return False
    if distinct == size and (span == size or _is_index_name(name)):
        return True  # a row number, or unique values under an index-like name
    if _is_id_name(name):
        return True
    if distinct / span >= COUNTER_MIN_COVERAGE and (
        bool(np.all(np.diff(values) >= 0))
        or (distinct >= COUNTER_MIN_DISTINCT and _spread_evenly(values))
    ):
        return True
    if share >= CODE_MIN_DISTINCT_FRACTION:
        low, median, high = np.quantile(values, [0.25, 0.5, 0.75])
        return bool(median >= CODE_MIN_MEDIAN and high - low <= CODE_MAX_SPREAD * median)
    return False


def _numeric_kind(series: pd.Series, values: np.ndarray) -> ColumnKind:
    if values.size == 0:
        return ColumnKind.NUMERIC
    lowest, highest = float(values.min()), float(values.max())
    # Exactly the values 0 and 1: a flag (a column of only zeros is a constant number).
    if lowest == 0.0 and highest == 1.0 and np.all((values == 0.0) | (values == 1.0)):
        return ColumnKind.BOOLEAN
    if _is_numeric_identifier(series.name, values):
        return ColumnKind.IDENTIFIER
    return ColumnKind.NUMERIC


def _mostly_numbers(labels: pd.Index) -> bool:
    """Most distinct values parse as numbers: numbers stored as text, to convert, not a key."""
    sample = pd.Series(labels[:_TEXT_SAMPLE].astype(str), dtype=object)
    parsed = pd.to_numeric(sample.str.replace(",", "", regex=False), errors="coerce")
    return bool(parsed.notna().mean() > 0.5)


def _string_kind(series: pd.Series) -> ColumnKind:
    values = series.dropna()
    if values.empty:
        return ColumnKind.CATEGORICAL
    strings = values.astype(str)
    counts = strings.value_counts(sort=False)
    distinct = len(counts)
    share = distinct / len(strings)
    words = _mean_words(counts)
    if len(strings) >= IDENTIFIER_MIN_ROWS and not _mostly_numbers(counts.index):
        if distinct == len(strings) and (_is_index_name(series.name) or words < 1.5):
            # Unique single tokens ("N1A1", "a3f9-...") are keys; unique sentences are text.
            return ColumnKind.IDENTIFIER
        if share >= IDENTIFIER_MIN_DISTINCT_FRACTION and _is_id_name(series.name):
            return ColumnKind.IDENTIFIER
        if share >= NAME_MIN_DISTINCT_FRACTION and words < TEXT_MIN_WORDS:
            return ColumnKind.IDENTIFIER  # names and labels, one (or almost) per row
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
