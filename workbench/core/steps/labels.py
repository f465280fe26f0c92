"""Values as text labels: how the label steps (group rare, hash, cross, cast to categorical,
trim) read a number or a date, and how a date crosses into an exported model.

Why these rules: an exported model receives numbers as float32 and dates as ISO 8601 text, and
must turn them into the same text the training code did, with ONNX's Cast. So:
- a whole number is written without decimals ("3", "-1", not "3.0"), as Cast from int64 writes
  it; any other number as C's "%.8g" ("0.5", "1.2345679e+08"), as Cast from float writes it;
  infinities as "INF" / "-INF";
- a date is "YYYY-MM-DDTHH:MM:SS" (its wall-clock time, no offset), which is also what an
  exported model is fed for a date column;
- missing values, and the empty text (what an exported model is fed for a missing text), are
  missing (NaN), never a label.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np
import pandas as pd
from pandas.api import types as ptypes

# Whole numbers up to this size are written as integers (exact in float64 and int64).
LARGEST_WHOLE = 2.0**53


def number_label(value: float) -> str | float:
    """A number as a label (see the module docstring); NaN stays NaN (missing)."""
    number = float(value)
    if math.isnan(number):
        return math.nan
    if math.isinf(number):
        return "INF" if number > 0 else "-INF"
    if number.is_integer() and abs(number) < LARGEST_WHOLE:
        return str(int(number))
    return f"{number:.8g}"


def date_label(value: Any) -> str:
    """A timestamp as the ISO 8601 text an exported model is fed ("2007-11-11T08:30:00")."""
    stamp = pd.Timestamp(value)
    return (
        f"{stamp.year:04d}-{stamp.month:02d}-{stamp.day:02d}"
        f"T{stamp.hour:02d}:{stamp.minute:02d}:{stamp.second:02d}"
    )


def value_label(value: Any) -> str | float:
    """Any cell as a label: text as it is, numbers and dates by the rules above."""
    if value is None or value is pd.NA or value is pd.NaT:
        return math.nan
    if isinstance(value, str):
        return value if value else math.nan
    if isinstance(value, bool | np.bool_ | int | float | np.integer | np.floating):
        return number_label(float(value))
    if isinstance(value, pd.Timestamp | np.datetime64):
        return date_label(value)
    return str(value)


def text_labels(column: pd.Series) -> pd.Series:
    """The column's values as labels (object dtype, NaN for missing), each distinct value
    converted once. Positional: a resampled frame repeats index labels."""
    if ptypes.is_datetime64_any_dtype(column.dtype):
        return pd.Series(iso_dates(column), index=column.index, dtype=object)
    values = column.to_numpy(dtype=object)
    present = ~pd.isna(values)
    labels = {value: value_label(value) for value in pd.unique(values[present])}
    out = np.full(len(values), np.nan, dtype=object)
    out[present] = [labels[value] for value in values[present]]
    return pd.Series(out, index=column.index, dtype=object)


def iso_dates(column: pd.Series) -> np.ndarray:
    """A date column as ISO 8601 text (object array, NaN where missing); the time zone of an
    aware column is dropped, keeping its wall-clock time, as the date steps read it."""
    values = column
    if not ptypes.is_datetime64_any_dtype(values.dtype):
        values = pd.to_datetime(values, errors="coerce", format="mixed")
    if getattr(values.dt, "tz", None) is not None:
        values = values.dt.tz_localize(None)
    present = values.notna().to_numpy()
    out = np.full(len(values), np.nan, dtype=object)
    if present.any():
        parts = values[present]
        out[present] = (
            parts.dt.year.astype(str).str.zfill(4)
            + "-"
            + parts.dt.month.astype(str).str.zfill(2)
            + "-"
            + parts.dt.day.astype(str).str.zfill(2)
            + "T"
            + parts.dt.hour.astype(str).str.zfill(2)
            + ":"
            + parts.dt.minute.astype(str).str.zfill(2)
            + ":"
            + parts.dt.second.astype(str).str.zfill(2)
        ).to_numpy(dtype=object)
    return out
