"""The date step's transformer (declared in dates.py); imported only when a chain is compiled,
because it loads scikit-learn."""

from __future__ import annotations

import datetime
from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np
import pandas as pd
from pandas.api import types as ptypes
from sklearn.base import BaseEstimator, TransformerMixin
from sklearn.utils.validation import _check_feature_names_in, check_is_fitted

from workbench.core.steps.categorical_impl import frame_input
from workbench.core.steps.dates import DATE_PARTS, DEFAULT_PARTS
from workbench.core.steps.patterns import ISO_DATE


def as_datetimes(column: pd.Series) -> pd.Series:
    """The column as datetime64, the time zone dropped (wall-clock time kept).

    A date column is used as it is. Otherwise each cell is read as the exported model reads
    its text input: timestamps as they are, ISO 8601 text (`patterns.ISO_DATE`) by its written
    fields, anything else (numbers, other text, impossible dates such as 2021-02-30) as NaT.
    """
    if ptypes.is_datetime64_any_dtype(column.dtype):
        values = column
    elif ptypes.is_numeric_dtype(column.dtype) or ptypes.is_bool_dtype(column.dtype):
        values = pd.Series(pd.NaT, index=column.index, dtype="datetime64[us]")
    else:
        cells = column.to_numpy(dtype=object)
        stamps = {value: _timestamp(value) for value in pd.unique(cells) if not _blank(value)}
        read = [stamps.get(value, pd.NaT) if not _blank(value) else pd.NaT for value in cells]
        values = pd.Series(pd.to_datetime(read, utc=False), index=column.index)
    if getattr(values.dt, "tz", None) is not None:
        values = values.dt.tz_localize(None)
    return values


def _blank(value: Any) -> bool:
    return value is None or value is pd.NaT or (isinstance(value, float) and np.isnan(value))


def _timestamp(value: Any) -> pd.Timestamp:
    """One cell as a timestamp (wall-clock time), by the rules of `as_datetimes`."""
    if isinstance(value, pd.Timestamp | datetime.datetime | np.datetime64):
        stamp = pd.Timestamp(value)
        return stamp.tz_localize(None) if stamp.tzinfo is not None else stamp
    if not isinstance(value, str) or not ISO_DATE.fullmatch(value):
        return pd.NaT
    timed = len(value) > len("YYYY-MM-DD")
    try:
        return pd.Timestamp(
            year=int(value[0:4]),
            month=int(value[5:7]),
            day=int(value[8:10]),
            hour=int(value[11:13]) if timed else 0,
        )
    except ValueError:  # 2021-02-30, year 0
        return pd.NaT


def date_part(values: pd.Series, part: str) -> np.ndarray:
    """One part of datetime values as float64 (NaN where the date is missing)."""
    if part == "is_weekend":
        number = values.dt.day_of_week.astype("float64").to_numpy()
        return np.where(np.isnan(number), np.nan, (number >= 5).astype("float64"))
    field = "day_of_week" if part == "weekday" else part
    return getattr(values.dt, field).astype("float64").to_numpy()


class DateTimeParts(TransformerMixin, BaseEstimator):
    """Each date column split into numeric columns `<column>_<part>`, parts in DATE_PARTS order."""

    def __init__(self, parts: Sequence[str] = DEFAULT_PARTS) -> None:
        self.parts = parts

    def ordered_parts(self) -> list[str]:
        unknown = [part for part in self.parts if part not in DATE_PARTS]
        if unknown or not self.parts:
            raise ValueError(f"parts must be a non-empty subset of {DATE_PARTS}, got {self.parts}")
        # A fixed order, so the output columns do not depend on how the parts were ticked.
        return [part for part in DATE_PARTS if part in self.parts]

    def fit(self, X: Any, y: Any = None) -> DateTimeParts:
        self.ordered_parts()
        frame_input(self, X, reset=True)
        return self

    def transform(self, X: Any) -> np.ndarray:
        check_is_fitted(self, "n_features_in_")
        frame = frame_input(self, X, reset=False)
        columns = []
        for name in frame.columns:
            values = as_datetimes(frame[name])
            columns.extend(date_part(values, part) for part in self.ordered_parts())
        return np.column_stack(columns) if columns else np.empty((len(frame), 0))

    def get_feature_names_out(self, input_features: Sequence[str] | None = None) -> np.ndarray:
        check_is_fitted(self, "n_features_in_")
        names = _check_feature_names_in(self, input_features)
        return np.asarray(
            [f"{name}_{part}" for name in names for part in self.ordered_parts()], dtype=object
        )


def make_datetime_parts(columns: tuple[str, ...], params: Mapping[str, Any]) -> DateTimeParts:
    return DateTimeParts(parts=tuple(params["parts"]))
