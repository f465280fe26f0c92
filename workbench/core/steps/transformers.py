"""Custom transformers for the missing-value, numeric and column steps.

Only what scikit-learn has no transformer for lives here. Each class is a plain estimator
(BaseEstimator + TransformerMixin) so that it clones, pickles and honours
`set_output(transform="pandas")`; parameters are stored as given (tuples, strings, floats) and
all learning happens in `fit`. Transform takes a DataFrame (or an array in the fitted column
order) and returns a float64 array, or a DataFrame when some output column is not numeric
(strings stay object with NaN for missing, which is what scikit-learn's encoders want).

None of these has an ONNX converter yet: the step declarations say so.
"""

from __future__ import annotations

import math
import re
from collections.abc import Sequence
from typing import Any

import numpy as np
import pandas as pd
from pandas.api import types as ptypes
from sklearn.base import BaseEstimator, OneToOneFeatureMixin, TransformerMixin
from sklearn.utils.validation import _check_feature_names_in, check_is_fitted

from workbench.core.errors import WorkbenchError

# --------------------------------------------------------------------------------------------
# Shared plumbing


def _as_frame(X: Any, names: Sequence[str] | None = None) -> pd.DataFrame:
    """X as a DataFrame; an array gets the fitted names (or x0, x1, ...) as columns."""
    if isinstance(X, pd.DataFrame):
        return X
    array = np.asarray(X)
    if array.ndim == 1:
        array = array.reshape(-1, 1)
    columns = list(names) if names is not None else [f"x{i}" for i in range(array.shape[1])]
    return pd.DataFrame(array, columns=columns)


def _as_float(series: pd.Series) -> np.ndarray:
    """Numeric or boolean values as float64 with NaN for missing (nullable dtypes included)."""
    if ptypes.is_bool_dtype(series.dtype):
        series = series.astype("float64")
    return pd.to_numeric(series, errors="coerce").to_numpy(
        dtype="float64", na_value=np.nan, copy=True
    )


def _as_objects(series: pd.Series) -> np.ndarray:
    """Values as an object array with NaN for missing (pandas 3 strings use NA otherwise)."""
    values = series.to_numpy(dtype=object, copy=True)
    values[pd.isna(series).to_numpy()] = np.nan
    return values


def _output(columns: dict[str, np.ndarray], index: pd.Index) -> np.ndarray | pd.DataFrame:
    """A float64 matrix when every column is numeric, else a DataFrame keeping object columns."""
    if all(values.dtype == np.float64 for values in columns.values()):
        if not columns:
            return np.empty((len(index), 0), dtype="float64")
        return np.column_stack(list(columns.values()))
    return pd.DataFrame(columns, index=index)


class _ColumnwiseTransformer(TransformerMixin, BaseEstimator):
    """Base of the custom transformers: remembers the input columns so arrays can be named."""

    def _remember_columns(self, X: Any) -> pd.DataFrame:
        frame = _as_frame(X)
        if isinstance(X, pd.DataFrame):
            self.feature_names_in_ = np.asarray([str(c) for c in X.columns], dtype=object)
        elif hasattr(self, "feature_names_in_"):
            del self.feature_names_in_
        self.n_features_in_ = frame.shape[1]
        return frame

    def _input(self, X: Any) -> pd.DataFrame:
        check_is_fitted(self, "n_features_in_")
        frame = _as_frame(X, getattr(self, "feature_names_in_", None))
        if frame.shape[1] != self.n_features_in_:
            raise WorkbenchError(
                f"{type(self).__name__} was fitted on {self.n_features_in_} columns "
                f"but got {frame.shape[1]}"
            )
        return frame

    def fit(self, X: Any, y: Any = None) -> _ColumnwiseTransformer:
        self._remember_columns(X)
        return self


# --------------------------------------------------------------------------------------------
# Missing values


def _token_number(token: str) -> float | None:
    try:
        number = float(token)
    except ValueError:
        return None
    return number if math.isfinite(number) else None


class MarkMissing(OneToOneFeatureMixin, _ColumnwiseTransformer):
    """Turn sentinel values (-1, 999, "unknown") into missing values.

    Numbers compare numerically (the token "-1" matches -1, -1.0 and the text "-1.0"); text
    compares after trimming spaces, ignoring case. Numeric columns come out float64 (NaN needs a
    float), text columns as object strings.
    """

    def __init__(self, values: Sequence[str] = ()) -> None:
        self.values = values

    def transform(self, X: Any) -> np.ndarray | pd.DataFrame:
        frame = self._input(X)
        tokens = [str(token).strip() for token in self.values]
        numbers = [n for n in (_token_number(t) for t in tokens) if n is not None]
        words = {t.lower() for t in tokens}
        columns: dict[str, np.ndarray] = {}
        for name in frame.columns:
            series = frame[name]
            if ptypes.is_numeric_dtype(series.dtype) or ptypes.is_bool_dtype(series.dtype):
                values = _as_float(series)
                values[np.isin(values, numbers)] = np.nan
            else:
                values = _as_objects(series)
                text = pd.Series(values, dtype=object).astype(str).str.strip()
                hit = text.str.lower().isin(words).to_numpy()
                if numbers:
                    hit = hit | np.isin(pd.to_numeric(text, errors="coerce").to_numpy(), numbers)
                values[hit] = np.nan
            columns[str(name)] = values
        return _output(columns, frame.index)


class ReplaceInfinite(OneToOneFeatureMixin, _ColumnwiseTransformer):
    """Turn +inf and -inf into missing values, so that an imputer can fill them."""

    def transform(self, X: Any) -> np.ndarray:
        frame = self._input(X)
        matrix = np.column_stack([_as_float(frame[c]) for c in frame.columns]).reshape(
            len(frame), -1
        )
        matrix[np.isinf(matrix)] = np.nan
        return matrix


class AddMissingIndicator(_ColumnwiseTransformer):
    """Keep the columns and add `<column>_missing`: 1.0 where the value is missing, else 0.0.

    scikit-learn's MissingIndicator replaces the values by the flags; a step wants both, so the
    model can use the value (once imputed) and the fact that it was missing.
    """

    def transform(self, X: Any) -> np.ndarray | pd.DataFrame:
        frame = self._input(X)
        columns: dict[str, np.ndarray] = {}
        for name in frame.columns:
            series = frame[name]
            numeric = ptypes.is_numeric_dtype(series.dtype) or ptypes.is_bool_dtype(series.dtype)
            columns[str(name)] = _as_float(series) if numeric else _as_objects(series)
        for name in frame.columns:
            columns[f"{name}_missing"] = frame[name].isna().to_numpy(dtype="float64")
        return _output(columns, frame.index)

    def get_feature_names_out(self, input_features: Any = None) -> np.ndarray:
        names = list(_check_feature_names_in(self, input_features))
        return np.asarray(names + [f"{name}_missing" for name in names], dtype=object)


# --------------------------------------------------------------------------------------------
# Numeric


class SignedLog1p(OneToOneFeatureMixin, _ColumnwiseTransformer):
    """log(1 + x) for x >= 0 and -log(1 + |x|) below 0.

    Equal to log1p on the values it is meant for, and defined for every number: a negative
    value met only at prediction time gives a finite number instead of NaN or an error.
    """

    def transform(self, X: Any) -> np.ndarray:
        frame = self._input(X)
        matrix = np.column_stack([_as_float(frame[c]) for c in frame.columns]).reshape(
            len(frame), -1
        )
        return np.sign(matrix) * np.log1p(np.abs(matrix))


class ClipOutliers(OneToOneFeatureMixin, _ColumnwiseTransformer):
    """Clip values to bounds learned at fit: percentiles, or the quartiles -/+ k x IQR."""

    def __init__(
        self, method: str = "percentile", lower: float = 1.0, upper: float = 99.0, k: float = 1.5
    ) -> None:
        self.method = method
        self.lower = lower
        self.upper = upper
        self.k = k

    def fit(self, X: Any, y: Any = None) -> ClipOutliers:
        frame = self._remember_columns(X)
        matrix = np.column_stack([_as_float(frame[c]) for c in frame.columns]).reshape(
            len(frame), -1
        )
        lows, highs = [], []
        for values in matrix.T:
            present = values[~np.isnan(values)]
            if present.size == 0:  # nothing to learn from: clip nothing
                lows.append(-np.inf)
                highs.append(np.inf)
            elif self.method == "iqr":
                q1, q3 = np.percentile(present, [25.0, 75.0])
                lows.append(q1 - self.k * (q3 - q1))
                highs.append(q3 + self.k * (q3 - q1))
            elif self.method == "percentile":
                low, high = np.percentile(present, [self.lower, self.upper])
                lows.append(low)
                highs.append(high)
            else:
                raise WorkbenchError(f"clip_outliers: unknown method '{self.method}'")
        self.lower_bounds_ = np.asarray(lows, dtype="float64")
        self.upper_bounds_ = np.asarray(highs, dtype="float64")
        return self

    def transform(self, X: Any) -> np.ndarray:
        check_is_fitted(self, "lower_bounds_")
        frame = self._input(X)
        matrix = np.column_stack([_as_float(frame[c]) for c in frame.columns]).reshape(
            len(frame), -1
        )
        # np.clip keeps NaN as NaN, which an imputer later in the chain can fill.
        return np.clip(matrix, self.lower_bounds_, self.upper_bounds_)


# --------------------------------------------------------------------------------------------
# Columns

# A number as people write it: 5, 1,000,000, 4.99, .5, 1e3, optionally followed by a scale
# suffix (k, M, G, B, T, bn, mn) or a byte unit (kB, KB, MB, GB, TB). Letters right after the
# suffix mean it was a word ("5 Months"), so the suffix is not taken.
_NUMBER = re.compile(
    r"(?P<number>\d+(?:,\d{3})+(?:\.\d*)?|\d+\.\d*|\.\d+|\d+)(?P<exponent>[eE][+-]?\d+)?"
    r"(?:\s?(?P<suffix>bn|mn|[kKmMGT][bB]?|B)(?![A-Za-z]))?"
)
_PARENTHESES = re.compile(r"\([^)]*\)")
_CURRENCY = re.compile(r"[$€£¥\s]")
_RANGE_SEPARATORS = frozenset({"-", "–", "—", "to"})
# Decimal (SI) multipliers: 19M = 19,000,000; sizes in bytes too (1.5 GB = 1,500,000,000).
_MULTIPLIERS = {"k": 1e3, "m": 1e6, "mn": 1e6, "g": 1e9, "b": 1e9, "bn": 1e9, "t": 1e12}


def parse_number(text: Any) -> float:
    """The number a human-written value stands for, or NaN.

    "10,000+" -> 10000, "$4.99" -> 4.99, "19M" -> 19e6, "201k" -> 201e3, "1.5 GB" -> 1.5e9,
    "12%" -> 12 (the unit is dropped, not applied), "-1" -> -1. Text in parentheses is noise
    ("(Glassdoor est.)"). A range "a-b" or "a to b" gives its midpoint:
    "$53K-$91K (Glassdoor est.)" -> 72000. No number, or several numbers that are not a range
    ("4.0.3 and up", "Varies with device"), gives NaN.
    """
    if text is None or (isinstance(text, float) and math.isnan(text)) or text is pd.NA:
        return math.nan
    if isinstance(text, bool | np.bool_):
        return float(text)
    if isinstance(text, int | float | np.integer | np.floating):
        return float(text)
    cleaned = _PARENTHESES.sub(" ", str(text)).strip()
    matches = list(_NUMBER.finditer(cleaned))
    if not matches or len(matches) > 2:
        return math.nan
    values = [_scaled(match) for match in matches]
    # The sign of the first number: a "-" (or "−") right before it, currency symbols aside.
    before = _CURRENCY.sub("", cleaned[: matches[0].start()])
    if before.endswith(("-", "−")):
        values[0] = -values[0]
    if len(values) == 1:
        return values[0]
    between = _CURRENCY.sub("", cleaned[matches[0].end() : matches[1].start()]).lower()
    if between not in _RANGE_SEPARATORS:
        return math.nan
    return (values[0] + values[1]) / 2.0


def _scaled(match: re.Match[str]) -> float:
    number = float(match.group("number").replace(",", "") + (match.group("exponent") or ""))
    suffix = match.group("suffix")
    if suffix:
        key = suffix.lower() if suffix.lower() in ("bn", "mn") else suffix[0].lower()
        number *= _MULTIPLIERS[key]
    return number


class ParseNumbers(OneToOneFeatureMixin, _ColumnwiseTransformer):
    """Read numbers out of text ("5,000+", "$4.99", "19M"); see `parse_number` for the rules."""

    def transform(self, X: Any) -> np.ndarray:
        frame = self._input(X)
        columns = []
        for name in frame.columns:
            series = frame[name]
            if ptypes.is_numeric_dtype(series.dtype) or ptypes.is_bool_dtype(series.dtype):
                columns.append(_as_float(series))
            else:
                # Parse each distinct value once: columns repeat their values a lot.
                objects = pd.Series(_as_objects(series), dtype=object)
                parsed = {value: parse_number(value) for value in objects.dropna().unique()}
                columns.append(objects.map(parsed).to_numpy(dtype="float64", na_value=np.nan))
        return np.column_stack(columns).reshape(len(frame), -1).astype("float64")


_TRUE_WORDS = frozenset({"true", "yes", "y", "t", "on"})
_FALSE_WORDS = frozenset({"false", "no", "n", "f", "off"})


def _to_boolean(series: pd.Series) -> np.ndarray:
    """1.0 / 0.0 / NaN: true-like words and non-zero numbers are 1, false-like words and 0 are 0."""
    if ptypes.is_numeric_dtype(series.dtype) or ptypes.is_bool_dtype(series.dtype):
        numbers = _as_float(series)
    else:
        text = pd.Series(_as_objects(series), dtype=object).astype(str).str.strip()
        numbers = pd.to_numeric(text, errors="coerce").to_numpy(dtype="float64", copy=True)
        lowered = text.str.lower()
        numbers[lowered.isin(_TRUE_WORDS).to_numpy()] = 1.0
        numbers[lowered.isin(_FALSE_WORDS).to_numpy()] = 0.0
    return np.where(np.isnan(numbers), np.nan, (numbers != 0.0).astype("float64"))


def _to_label(value: Any) -> Any:
    if isinstance(value, float | np.floating) and float(value).is_integer():
        return str(int(value))  # 1.0 -> "1": an integer code read as float keeps its label
    return str(value)


class CastColumns(OneToOneFeatureMixin, _ColumnwiseTransformer):
    """Change how values are treated: numeric (float, unparsable -> NaN), categorical (text
    labels), boolean (1.0 / 0.0, unreadable -> NaN)."""

    def __init__(self, to: str = "numeric") -> None:
        self.to = to

    def transform(self, X: Any) -> np.ndarray | pd.DataFrame:
        frame = self._input(X)
        columns: dict[str, np.ndarray] = {}
        for name in frame.columns:
            series = frame[name]
            if self.to == "numeric":
                if ptypes.is_numeric_dtype(series.dtype) or ptypes.is_bool_dtype(series.dtype):
                    values = _as_float(series)
                else:
                    text = pd.Series(_as_objects(series), dtype=object).astype(str).str.strip()
                    values = pd.to_numeric(text, errors="coerce").to_numpy(dtype="float64")
            elif self.to == "categorical":
                values = _as_objects(series)
                present = ~pd.isna(series).to_numpy()
                values[present] = [_to_label(value) for value in values[present]]
            elif self.to == "boolean":
                values = _to_boolean(series)
            else:
                raise WorkbenchError(f"cast: unknown target type '{self.to}'")
            columns[str(name)] = values
        return _output(columns, frame.index)


class StripWhitespace(OneToOneFeatureMixin, _ColumnwiseTransformer):
    """Trim spaces, tabs and newlines around text values; a value that was only spaces becomes
    missing. Inner spaces are kept ("New  York" stays as it is)."""

    def transform(self, X: Any) -> pd.DataFrame:
        frame = self._input(X)
        columns: dict[str, np.ndarray] = {}
        for name in frame.columns:
            values = _as_objects(frame[name])
            present = ~pd.isna(frame[name]).to_numpy()
            stripped = np.asarray([str(value).strip() for value in values[present]], dtype=object)
            stripped[stripped == ""] = np.nan
            values[present] = stripped
            columns[str(name)] = values
        return pd.DataFrame(columns, index=frame.index)


def renamed_features(
    transformer: Any, input_features: Sequence[str], original: str, new_name: str
) -> np.ndarray:
    """Output names of `rename`: the column itself becomes `new_name`; names derived from it
    (`sex_female` after a one-hot of `sex`) keep their suffix (`gender_female`)."""
    names = []
    for feature in input_features:
        feature = str(feature)
        if feature == original:
            names.append(new_name)
        elif feature.startswith(original):
            names.append(new_name + feature[len(original) :])
        else:
            names.append(f"{new_name}_{feature}")
    return np.asarray(names, dtype=object)
