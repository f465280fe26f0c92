"""Date steps: a date as such means nothing to a model; its year, month or weekday can.

Decisions: weekday is 0 = Monday .. 6 = Sunday (pandas' convention); is_weekend is 1.0 on
Saturday and Sunday; a missing or unparsable date gives NaN in every part, so a later impute
step (or a model that accepts NaN) decides what it means. Text columns the user marked as dates
are parsed with pandas (mixed formats allowed); the reader already parses clean date columns.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np
import pandas as pd
from pandas.api import types as ptypes
from sklearn.base import BaseEstimator, TransformerMixin
from sklearn.utils.validation import _check_feature_names_in, check_is_fitted

from workbench.core.kinds import ColumnKind
from workbench.core.params import Param, ParamType
from workbench.core.steps.categorical import frame_input
from workbench.core.steps.registry import Stage, StepDef, register

DATE_PARTS: tuple[str, ...] = ("year", "month", "day", "weekday", "hour", "is_weekend")
DEFAULT_PARTS: tuple[str, ...] = ("year", "month", "day", "weekday")


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


def check_parts(kinds: Mapping[str, ColumnKind], params: Mapping[str, Any]) -> str | None:
    return None if params["parts"] else "choose at least one date part"


register(
    StepDef(
        name="datetime_parts",
        label="Date parts",
        group="Dates",
        help="Replaces a date column by numeric columns for its parts: year, month, day of the "
        "month, weekday (0 = Monday), hour, and whether it is a weekend (1 or 0). Use it so a "
        "model can pick up trends over years and seasonal or weekly patterns. Trade-off: each "
        "part is one more column, and month 12 and month 1 look far apart although they are "
        "neighbours. Missing dates give empty parts.",
        stage=Stage.COLUMNS,
        accepts=frozenset({ColumnKind.DATETIME}),
        params=(
            Param(
                "parts",
                "Parts",
                ParamType.MULTI_CHOICE,
                DEFAULT_PARTS,
                help="Which parts become columns. Hour only makes sense when the dates have times.",
                choices=DATE_PARTS,
            ),
        ),
        factory=make_datetime_parts,
        output_kind=ColumnKind.NUMERIC,
        check=check_parts,
        onnx=False,
        onnx_note="Custom transformer, and ONNX has no date type: no ONNX converter.",
    )
)
