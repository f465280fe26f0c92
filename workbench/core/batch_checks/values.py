"""One column of a chunk of rows, in the forms the checks read, and how category values compare.

The monitor reads a batch as a pandas DataFrame (workbench.core.schema.series_values) and the
exported service as JSON records (`list_values` here); both hand the checks the same
`ColumnValues`, so validation and counting never see where the rows came from.
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

# Kinds (workbench.core.kinds.ColumnKind's values) whose values are numbers, and those whose
# values are categories.
NUMERIC = "numeric"
CATEGORICAL = "categorical"
CATEGORY_KINDS = (CATEGORICAL, "boolean")
DATETIME = "datetime"

# Integral decimals ('1.0', '-3.00') are compared as whole numbers.
_INTEGRAL_DECIMAL = re.compile(r"^(-?\d+)\.0+$")


def category_key(value: object) -> str:
    """The text by which a category value is compared with the schema's categories.

    `str(value)`, with an integral decimal written as a whole number ('1.0' -> '1'): a 0/1
    column is read as floats when it has a missing value and as integers when it has none, and
    both must name their values alike.
    """
    text = str(value)
    match = _INTEGRAL_DECIMAL.match(text)
    return match.group(1) if match else text


def first_rows(mask: np.ndarray, offset: int, wanted: int) -> list[int]:
    """1-based positions (after `offset` earlier rows) of the first `wanted` rows in `mask`."""
    if wanted <= 0:
        return []
    return [offset + int(i) + 1 for i in np.flatnonzero(mask)[:wanted]]


@dataclass(frozen=True)
class ColumnValues:
    """One column's values in a chunk of rows.

    `missing` marks the missing rows; `show(i)` is row i's value as text (for the examples a
    problem quotes). By the column's kind: numbers get `numbers` (float64, NaN where missing or
    not a number), categories `codes` (each row's index into `distinct`, -1 where missing),
    and dates read from text `unreadable` (rows whose value is not a date).
    """

    missing: np.ndarray
    show: Callable[[int], str]
    numbers: np.ndarray | None = None
    codes: np.ndarray | None = None
    distinct: Sequence[Any] = ()
    unreadable: np.ndarray | None = None

    def __len__(self) -> int:
        return int(self.missing.size)

    def distinct_counts(self) -> np.ndarray:
        """Rows holding each of `distinct`."""
        if self.codes is None:
            raise ValueError("the column was not read as categories")
        present = self.codes[self.codes >= 0]
        return np.bincount(present, minlength=len(self.distinct)).astype(np.int64)


def list_values(values: Sequence[Any], kind: str) -> ColumnValues:
    """A column given as JSON values (None for missing): what the service's records hold.

    Numbers are read as numbers (a text that is one, too); any other value is not a number
    (NaN, not missing: validation reports it as a wrong type). Categories are told apart by
    their category_key, so any JSON value (a list, an object) is one.
    """
    missing = np.fromiter((value is None for value in values), dtype=bool, count=len(values))
    numbers = codes = None
    distinct: list[Any] = []
    if kind == NUMERIC:
        numbers = np.array([_number(value) for value in values], dtype=np.float64)
    elif kind in CATEGORY_KINDS:
        index: dict[str, int] = {}
        codes = np.array(
            [
                -1 if value is None else index.setdefault(category_key(value), len(index))
                for value in values
            ],
            dtype=np.int64,
        )
        distinct = list(index)
    return ColumnValues(missing, lambda row: str(values[row]), numbers, codes, distinct)


def _number(value: Any) -> float:
    """A JSON value as a number; NaN when it is none (or a whole number beyond float64)."""
    if isinstance(value, bool | int | float | str):
        try:
            return float(value)
        except (ValueError, OverflowError):
            return math.nan
    return math.nan
