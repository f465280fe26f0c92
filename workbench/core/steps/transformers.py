"""Custom transformers for the missing-value, numeric and column steps.

Only what scikit-learn has no transformer for lives here. Each class is a plain estimator
(BaseEstimator + TransformerMixin) so that it clones, pickles and honours
`set_output(transform="pandas")`; parameters are stored as given (tuples, strings, floats) and
all learning happens in `fit`. Transform takes a DataFrame (or an array in the fitted column
order) and returns a float64 array, or a DataFrame when some output column is not numeric
(strings stay object with NaN for missing, which is what scikit-learn's encoders want).

Each has an ONNX converter (`workbench.core.export.converters`); where the two must read
text alike, both use the shared rules of `patterns` and `labels`.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Any

import numpy as np
import pandas as pd
from pandas.api import types as ptypes
from sklearn.base import BaseEstimator, OneToOneFeatureMixin, TransformerMixin
from sklearn.preprocessing import PowerTransformer
from sklearn.utils.validation import _check_feature_names_in, check_is_fitted

from workbench.core.errors import WorkbenchError
from workbench.core.steps.labels import text_labels, value_label
from workbench.core.steps.patterns import (
    NEGATIVE,
    NUMBER_PIECE,
    ONE_NUMBER,
    PARENTHESIS,
    RANGE,
    SCALES,
    WHITESPACE,
    Pattern,
    decimal_value,
    first_of_range_scaled,
    one_number_scaled,
    second_of_range_scaled,
    words_pattern,
)

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


def placeholder_tokens(values: Sequence[str]) -> tuple[list[str], list[float]]:
    """MarkMissing's placeholders: every token as a word, and the finite numbers among them."""
    words = [text for text in (str(token).strip() for token in values) if text]
    numbers = []
    for word in words:
        try:
            number = float(word)
        except ValueError:
            continue
        if math.isfinite(number):
            numbers.append(number)
    return words, numbers


def _is_missing_text(values: np.ndarray) -> np.ndarray:
    """Missing cells of an object array: NaN and None, and the empty text (what an exported
    model is fed for a missing text value)."""
    return pd.isna(values) | (values == "")


class MarkMissing(OneToOneFeatureMixin, _ColumnwiseTransformer):
    """Turn sentinel values (-1, 999, "unknown") into missing values.

    Numbers compare numerically (the token "-1" matches -1 and -1.0); a text cell matches a
    token ignoring case and the whitespace around it, or, when it is a plain decimal number
    (`patterns.DECIMAL_TEXT`: "-1.0", " 999"), when its value equals a numeric token. Numeric
    columns come out float64 (NaN needs a float), text columns as object strings. The same
    patterns run in the exported model (RE2), so both agree on every text.
    """

    def __init__(self, values: Sequence[str] = ()) -> None:
        self.values = values

    def transform(self, X: Any) -> np.ndarray | pd.DataFrame:
        frame = self._input(X)
        words, numbers = placeholder_tokens(self.values)
        rule = words_pattern(words) if words else None
        columns: dict[str, np.ndarray] = {}
        for name in frame.columns:
            series = frame[name]
            if ptypes.is_numeric_dtype(series.dtype) or ptypes.is_bool_dtype(series.dtype):
                values = _as_float(series)
                values[np.isin(values, numbers)] = np.nan
            else:
                values = _as_objects(series)
                present = pd.Series(values[~_is_missing_text(values)], dtype=object)
                hits = {
                    value
                    for value in present.unique()
                    if _is_placeholder(value_label(value), rule, numbers)
                }
                values[np.asarray([value in hits for value in values], dtype=bool)] = np.nan
            columns[str(name)] = values
        return _output(columns, frame.index)


def _is_placeholder(text: Any, rule: Pattern | None, numbers: list[float]) -> bool:
    if not isinstance(text, str):
        return False
    if rule is not None and rule.fullmatch(text):
        return True
    number = decimal_value(text)
    return number is not None and number in numbers


class ReplaceInfinite(OneToOneFeatureMixin, _ColumnwiseTransformer):
    """Turn +inf and -inf into missing values, so that an imputer can fill them."""

    def transform(self, X: Any) -> np.ndarray:
        matrix = _float_matrix(self._input(X))
        matrix[np.isinf(matrix)] = np.nan
        return matrix


class AddMissingIndicator(_ColumnwiseTransformer):
    """Keep the columns and add `<column>_missing`: 1.0 where the value is missing, else 0.0.

    scikit-learn's MissingIndicator replaces the values by the flags; a step wants both, so the
    model can use the value (once imputed) and the fact that it was missing. An empty text
    counts as missing, as it does in an exported model.
    """

    def transform(self, X: Any) -> np.ndarray | pd.DataFrame:
        frame = self._input(X)
        columns: dict[str, np.ndarray] = {}
        flags: dict[str, np.ndarray] = {}
        for name in frame.columns:
            series = frame[name]
            numeric = ptypes.is_numeric_dtype(series.dtype) or ptypes.is_bool_dtype(series.dtype)
            if numeric:
                columns[str(name)] = _as_float(series)
                missing = np.isnan(columns[str(name)])
            else:
                columns[str(name)] = _as_objects(series)
                missing = _is_missing_text(columns[str(name)])
            flags[f"{name}_missing"] = missing.astype("float64")
        return _output({**columns, **flags}, frame.index)

    def get_feature_names_out(self, input_features: Any = None) -> np.ndarray:
        names = list(_check_feature_names_in(self, input_features))
        return np.asarray(names + [f"{name}_missing" for name in names], dtype=object)


class NearestNeighbourImputer(OneToOneFeatureMixin, _ColumnwiseTransformer):
    """Fill a missing value with the average of that column in the `n_neighbors` nearest
    training rows: scikit-learn's KNNImputer (uniform weights, nan-euclidean distance, a
    column never seen at fit filled with 0), with its ties decided.

    scikit-learn picks among training rows at equal distance in an order numpy leaves open
    (argpartition), and measured values (penguins to the tenth of a millimetre) tie often, so
    an exported model could not pick the same rows. Here the nearer row comes first and, at
    equal distance, the earlier training row, which ONNX's TopK does too; the squared
    distances are summed column by column in double precision, as the exported model sums
    them, and the filled values are rounded to float32.
    """

    def __init__(self, n_neighbors: int = 5) -> None:
        self.n_neighbors = n_neighbors

    def fit(self, X: Any, y: Any = None) -> NearestNeighbourImputer:
        self.fit_X_ = _float_matrix(self._remember_columns(X))
        present = ~np.isnan(self.fit_X_)
        counts = present.sum(axis=0)
        sums = np.where(present, self.fit_X_, 0.0).sum(axis=0)
        self.column_means_ = np.divide(sums, counts, out=np.zeros_like(sums), where=counts > 0)
        return self

    def scaled_distances(self, X: np.ndarray) -> np.ndarray:
        """[rows of X, training rows]: the squared nan-euclidean distance (columns present in
        both, scaled by all columns / columns present); NaN when none is present in both."""
        total = np.zeros((X.shape[0], self.fit_X_.shape[0]))
        present = np.zeros_like(total)
        for column in range(X.shape[1]):
            difference = X[:, column, None] - self.fit_X_[None, :, column]
            both = ~np.isnan(difference)
            total += np.where(both, difference * difference, 0.0)
            present += both
        with np.errstate(divide="ignore", invalid="ignore"):
            scaled = total * (X.shape[1] / present)
        return np.where(present == 0, np.nan, scaled)

    def transform(self, X: Any) -> np.ndarray:
        check_is_fitted(self, "fit_X_")
        values = _float_matrix(self._input(X))
        out = values.copy()
        rows = np.flatnonzero(np.isnan(values).any(axis=1))
        if rows.size:
            distances = self.scaled_distances(values[rows])
            for column in range(values.shape[1]):
                out[rows, column] = self._filled(values[rows, column], distances, column)
        # A column without a value at fit comes out as 0 (KNNImputer's keep_empty_features).
        out[:, np.isnan(self.fit_X_).all(axis=0)] = 0.0
        return out

    def _filled(self, values: np.ndarray, distances: np.ndarray, column: int) -> np.ndarray:
        """One column of the rows with a gap somewhere: its gaps filled."""
        missing = np.isnan(values)
        donors = np.flatnonzero(~np.isnan(self.fit_X_[:, column]))
        if not missing.any() or donors.size == 0:
            return values
        chosen_count = min(self.n_neighbors, donors.size)
        among = distances[:, donors]
        order = np.argsort(np.where(np.isnan(among), np.inf, among), axis=1, kind="stable")
        order = order[:, :chosen_count]
        near = np.take_along_axis(among, order, axis=1)
        donor_values = self.fit_X_[donors, column][order]
        total = np.zeros(len(values))
        count = np.zeros(len(values))
        for rank in range(chosen_count):  # in rank order, as the exported model adds them
            usable = ~np.isnan(near[:, rank])
            total += np.where(usable, donor_values[:, rank], 0.0)
            count += usable
        with np.errstate(divide="ignore", invalid="ignore"):
            average = np.where(count > 0, total / count, self.column_means_[column])
        return np.where(missing, as_float32(average), values)


# --------------------------------------------------------------------------------------------
# Numeric


def _float_matrix(frame: pd.DataFrame) -> np.ndarray:
    return np.column_stack([_as_float(frame[c]) for c in frame.columns]).reshape(len(frame), -1)


def as_float32(values: np.ndarray) -> np.ndarray:
    """float64 values rounded to float32: what an exported model (float32) computes, so the
    model is fitted on exactly the numbers it will be fed (beyond float32's range: infinite)."""
    with np.errstate(over="ignore"):
        return np.asarray(values, dtype=np.float64).astype(np.float32).astype(np.float64)


class SignedLog1p(OneToOneFeatureMixin, _ColumnwiseTransformer):
    """log(1 + x) for x >= 0 and -log(1 + |x|) below 0, rounded to float32.

    Equal to log1p on the values it is meant for, and defined for every number: a negative
    value met only at prediction time gives a finite number instead of NaN or an error.
    """

    def transform(self, X: Any) -> np.ndarray:
        matrix = _float_matrix(self._input(X))
        magnitude = np.log1p(np.abs(matrix))
        return as_float32(np.where(matrix < 0, -magnitude, magnitude))


def _float64(X: Any) -> Any:
    if isinstance(X, pd.DataFrame):
        return X.astype("float64")
    return np.asarray(X, dtype="float64")


class Float64PowerTransformer(PowerTransformer):
    """scikit-learn's PowerTransformer in float64 whatever the input's precision, its output
    rounded to float32.

    Fed float32 numbers (what the pipeline feeds every step), scikit-learn fits and transforms
    in float32: a Yeo-Johnson with lambda -2 then leaves flipper lengths 1e-6 apart around
    0.48, and standardizing them amplifies the rounding a hundredfold (0.16 off against a
    float64 computation). In float64 the result is exact to the last float32 digit, which the
    exported model computes too.
    """

    def fit(self, X: Any, y: Any = None) -> Float64PowerTransformer:
        super().fit(_float64(X), y)
        return self

    def fit_transform(self, X: Any, y: Any = None) -> np.ndarray:
        return as_float32(super().fit_transform(_float64(X), y))

    def transform(self, X: Any) -> np.ndarray:
        return as_float32(super().transform(_float64(X)))


class ClipOutliers(OneToOneFeatureMixin, _ColumnwiseTransformer):
    """Clip values to bounds learned at fit: percentiles, or the quartiles -/+ k x IQR.

    The bounds are kept as float32 numbers, the precision of the values, so the exported
    model clips at exactly the same bounds.
    """

    def __init__(
        self, method: str = "percentile", lower: float = 1.0, upper: float = 99.0, k: float = 1.5
    ) -> None:
        self.method = method
        self.lower = lower
        self.upper = upper
        self.k = k

    def fit(self, X: Any, y: Any = None) -> ClipOutliers:
        matrix = _float_matrix(self._remember_columns(X))
        lows, highs = [], []
        for values in matrix.T:
            present = values[np.isfinite(values)]  # an infinite value would make bounds NaN
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
        self.lower_bounds_ = as_float32(np.asarray(lows, dtype="float64"))
        self.upper_bounds_ = as_float32(np.asarray(highs, dtype="float64"))
        return self

    def transform(self, X: Any) -> np.ndarray:
        check_is_fitted(self, "lower_bounds_")
        matrix = _float_matrix(self._input(X))
        # np.clip keeps NaN as NaN, which an imputer later in the chain can fill.
        return np.clip(matrix, self.lower_bounds_, self.upper_bounds_)


# --------------------------------------------------------------------------------------------
# Columns


def parse_number(text: Any) -> float:
    """The number a human-written value stands for, or NaN.

    "10,000+" -> 10000, "$4.99" -> 4.99, "19M" -> 19e6, "201k" -> 201e3, "1.5 GB" -> 1.5e9,
    "12%" -> 12 (the unit is dropped, not applied), "-1" -> -1. Text from an opening
    parenthesis on is ignored ("(Glassdoor est.)"). A range "a-b" or "a to b" gives its
    midpoint: "$53K-$91K (Glassdoor est.)" -> 72000. No number, or numbers that are not one
    range ("4.0.3 and up", "Varies with device"), gives NaN. The rules are the patterns of
    `patterns` (ONE_NUMBER, RANGE, the scale words), which the exported model runs too.
    """
    if text is None or text is pd.NA or (isinstance(text, float) and math.isnan(text)):
        return math.nan
    if isinstance(text, bool | np.bool_ | int | float | np.integer | np.floating):
        return float(text)
    cleaned = str(text).split(PARENTHESIS, 1)[0]
    pieces = NUMBER_PIECE.python.findall(cleaned)
    if ONE_NUMBER.fullmatch(cleaned):
        value = _piece_value(pieces[0]) * _scale(ONE_SCALED, cleaned)
        return -value if NEGATIVE.fullmatch(cleaned) else value
    if RANGE.fullmatch(cleaned):
        first = _piece_value(pieces[0]) * _scale(FIRST_SCALED, cleaned)
        second = _piece_value(pieces[1]) * _scale(SECOND_SCALED, cleaned)
        if NEGATIVE.fullmatch(cleaned):
            first = -first
        return (first + second) / 2.0
    return math.nan


ONE_SCALED = tuple((one_number_scaled(scale), factor) for scale, factor in SCALES)
FIRST_SCALED = tuple((first_of_range_scaled(scale), factor) for scale, factor in SCALES)
SECOND_SCALED = tuple((second_of_range_scaled(scale), factor) for scale, factor in SCALES)


def _piece_value(piece: str) -> float:
    return float(piece.replace(",", ""))


def _scale(rules: tuple[tuple[Pattern, float], ...], text: str) -> float:
    """The multiplier of the first scale word that follows the number, else 1."""
    return next((factor for rule, factor in rules if rule.fullmatch(text)), 1.0)


class ParseNumbers(OneToOneFeatureMixin, _ColumnwiseTransformer):
    """Read numbers out of text ("5,000+", "$4.99", "19M"); see `parse_number` for the rules.
    Parsed numbers are rounded to float32, the precision of an exported model's numbers."""

    def transform(self, X: Any) -> np.ndarray:
        frame = self._input(X)
        columns = []
        for name in frame.columns:
            series = frame[name]
            if ptypes.is_numeric_dtype(series.dtype) or ptypes.is_bool_dtype(series.dtype):
                columns.append(_as_float(series))
            else:
                columns.append(as_float32(_mapped(series, parse_number)))
        return np.column_stack(columns).reshape(len(frame), -1).astype("float64")


def _mapped(series: pd.Series, function: Any) -> np.ndarray:
    """function(value) for each cell (float64; NaN for missing), each distinct value once."""
    objects = pd.Series(_as_objects(series), dtype=object)
    objects[_is_missing_text(objects.to_numpy(dtype=object))] = np.nan
    results = {value: function(value) for value in objects.dropna().unique()}
    return objects.map(results).to_numpy(dtype="float64", na_value=np.nan)


_TRUE_WORDS = ("true", "yes", "y", "t", "on")
_FALSE_WORDS = ("false", "no", "n", "f", "off")
TRUE_TEXT = words_pattern(list(_TRUE_WORDS))
FALSE_TEXT = words_pattern(list(_FALSE_WORDS))


def text_number(value: Any) -> float:
    """A text cell as a number when it is a plain decimal number, else NaN; float32-rounded."""
    number = decimal_value(value) if isinstance(value, str) else None
    return math.nan if number is None else float(as_float32(np.asarray(number)))


def text_flag(value: Any) -> float:
    """A text cell as 1.0 / 0.0 / NaN: true-like words and non-zero numbers are 1, false-like
    words and 0 are 0 (words ignoring case and surrounding spaces)."""
    if not isinstance(value, str):
        return math.nan
    if TRUE_TEXT.fullmatch(value):
        return 1.0
    if FALSE_TEXT.fullmatch(value):
        return 0.0
    number = decimal_value(value)
    return math.nan if number is None else float(number != 0.0)


class CastColumns(OneToOneFeatureMixin, _ColumnwiseTransformer):
    """Change how values are treated: numeric (a plain decimal number, else NaN; see
    `patterns.DECIMAL_TEXT`), categorical (text labels; numbers and dates written as
    `labels.value_label` writes them), boolean (1.0 / 0.0, unreadable -> NaN)."""

    def __init__(self, to: str = "numeric") -> None:
        self.to = to

    def transform(self, X: Any) -> np.ndarray | pd.DataFrame:
        frame = self._input(X)
        columns: dict[str, np.ndarray] = {}
        for name in frame.columns:
            series = frame[name]
            numeric = ptypes.is_numeric_dtype(series.dtype) or ptypes.is_bool_dtype(series.dtype)
            if self.to == "numeric":
                values = _as_float(series) if numeric else _mapped(series, text_number)
            elif self.to == "categorical":
                values = text_labels(series).to_numpy(dtype=object)
            elif self.to == "boolean":
                if numeric:
                    numbers = _as_float(series)
                    values = np.where(np.isnan(numbers), np.nan, (numbers != 0.0) * 1.0)
                else:
                    values = _mapped(series, text_flag)
            else:
                raise WorkbenchError(f"cast: unknown target type '{self.to}'")
            columns[str(name)] = values
        return _output(columns, frame.index)


class StripWhitespace(OneToOneFeatureMixin, _ColumnwiseTransformer):
    """Trim spaces, tabs and newlines around text values (every character str.strip()
    removes); a value that was only spaces becomes missing. Inner spaces are kept ("New  York"
    stays as it is). Numbers become labels first (`labels.value_label`)."""

    def transform(self, X: Any) -> pd.DataFrame:
        frame = self._input(X)
        columns: dict[str, np.ndarray] = {}
        for name in frame.columns:
            labels = text_labels(frame[name])
            present = labels.notna().to_numpy()
            stripped = np.asarray(
                [value.strip(WHITESPACE) for value in labels[present]], dtype=object
            )
            stripped[stripped == ""] = np.nan
            values = labels.to_numpy(dtype=object, copy=True)
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
