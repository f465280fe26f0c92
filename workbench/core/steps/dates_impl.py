"""The date step's transformer (declared in dates.py); imported only when a chain is compiled,
because it loads scikit-learn."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np
import pandas as pd
from pandas.api import types as ptypes
from sklearn.base import BaseEstimator, TransformerMixin
from sklearn.utils.validation import _check_feature_names_in, check_is_fitted

from workbench.core.steps.categorical_impl import frame_input
from workbench.core.steps.dates import DATE_PARTS, DEFAULT_PARTS


def as_datetimes(column: pd.Series) -> pd.Series:
    """The column as datetime64 (timezone dropped to local wall time); unparsable -> NaT."""
    if ptypes.is_datetime64_any_dtype(column.dtype):
        values = column
    else:
        values = pd.to_datetime(column, errors="coerce", format="mixed")
    if getattr(values.dt, "tz", None) is not None:
        values = values.dt.tz_localize(None)
    return values


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

    def _parts(self) -> list[str]:
        unknown = [part for part in self.parts if part not in DATE_PARTS]
        if unknown or not self.parts:
            raise ValueError(f"parts must be a non-empty subset of {DATE_PARTS}, got {self.parts}")
        # A fixed order, so the output columns do not depend on how the parts were ticked.
        return [part for part in DATE_PARTS if part in self.parts]

    def fit(self, X: Any, y: Any = None) -> DateTimeParts:
        self._parts()
        frame_input(self, X, reset=True)
        return self

    def transform(self, X: Any) -> np.ndarray:
        check_is_fitted(self, "n_features_in_")
        frame = frame_input(self, X, reset=False)
        columns = []
        for name in frame.columns:
            values = as_datetimes(frame[name])
            columns.extend(date_part(values, part) for part in self._parts())
        return np.column_stack(columns) if columns else np.empty((len(frame), 0))

    def get_feature_names_out(self, input_features: Sequence[str] | None = None) -> np.ndarray:
        check_is_fitted(self, "n_features_in_")
        names = _check_feature_names_in(self, input_features)
        return np.asarray(
            [f"{name}_{part}" for name in names for part in self._parts()], dtype=object
        )


def make_datetime_parts(columns: tuple[str, ...], params: Mapping[str, Any]) -> DateTimeParts:
    return DateTimeParts(parts=tuple(params["parts"]))
