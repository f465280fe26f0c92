"""The inferred schema of a dataset, and validation of new data against it.

Saved with the dataset when it is imported, so that later a batch of new rows (prediction,
drift, the exported service) can be checked against what the model was trained on: which columns
must be there, of what kind, in what range, with which categories. Validation counts every
problem's rows and keeps the first few, and can be fed a big batch in chunks (FrameValidator).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import asdict, dataclass, field
from enum import StrEnum
from typing import Any

import numpy as np
import pandas as pd
from pandas.api import types as ptypes

from workbench.core import json_fields
from workbench.core.batch_checks import validation
from workbench.core.batch_checks.validation import ColumnValidator, presence_problems
from workbench.core.batch_checks.values import ColumnValues
from workbench.core.errors import SchemaError
from workbench.core.kinds import ColumnKind, infer_kinds

# Up to this many categories are listed; beyond it a column is checked by kind only, because
# listing 10,000 ids would bloat the project file and flag every new id as unseen.
MAX_LISTED_CATEGORIES = 200


@dataclass(frozen=True)
class ColumnSchema:
    """What one column held at import time."""

    name: str
    kind: ColumnKind
    dtype: str
    nullable: bool
    minimum: float | str | None = None
    maximum: float | str | None = None
    categories: tuple[str, ...] | None = None

    def to_dict(self) -> dict[str, Any]:
        data = asdict(self)
        data["kind"] = self.kind.value
        data["categories"] = list(self.categories) if self.categories is not None else None
        return data

    @classmethod
    def from_dict(cls, data: Mapping[str, Any], path: str = "column") -> ColumnSchema:
        """A column from JSON; a wrong entry is a WorkbenchError naming it under `path`."""
        data = json_fields.mapping(data, path)
        kind = json_fields.member(data, "kind", ColumnKind, path)
        bound = (float, str, type(None))
        categories = json_fields.text_list(data, "categories", path, None)
        return cls(
            name=json_fields.field(data, "name", str, path),
            kind=kind,
            dtype=json_fields.field(data, "dtype", str, path),
            nullable=json_fields.field(data, "nullable", bool, path),
            minimum=json_fields.field(data, "minimum", bound, path, None),
            maximum=json_fields.field(data, "maximum", bound, path, None),
            categories=tuple(categories) if categories is not None else None,
        )


@dataclass(frozen=True)
class Schema:
    """The ordered columns of a dataset."""

    columns: tuple[ColumnSchema, ...] = field(default_factory=tuple)

    @property
    def names(self) -> list[str]:
        return [column.name for column in self.columns]

    def column(self, name: str) -> ColumnSchema:
        for column in self.columns:
            if column.name == name:
                return column
        raise SchemaError(f"column '{name}' is not in the schema; it has: {', '.join(self.names)}")

    def to_dict(self) -> dict[str, Any]:
        return {"columns": [column.to_dict() for column in self.columns]}

    @classmethod
    def from_dict(cls, data: Mapping[str, Any], path: str = "schema") -> Schema:
        """A schema from JSON; a wrong entry is a WorkbenchError naming it under `path`."""
        items = json_fields.field(json_fields.mapping(data, path), "columns", list, path, [])
        return cls(
            tuple(
                ColumnSchema.from_dict(item, f"{path}.columns[{i}]") for i, item in enumerate(items)
            )
        )


def infer_schema(frame: pd.DataFrame, kinds: Mapping[str, ColumnKind] | None = None) -> Schema:
    """Describe every column of `frame`; `kinds` (if given) wins over inference."""
    known = dict(kinds) if kinds is not None else {}
    missing_kinds = [name for name in frame.columns if name not in known]
    if missing_kinds:
        known.update(infer_kinds(frame[missing_kinds]))
    return Schema(tuple(_column_schema(frame[name], known[name]) for name in frame.columns))


def _column_schema(series: pd.Series, kind: ColumnKind) -> ColumnSchema:
    non_null = series.dropna()
    minimum: float | str | None = None
    maximum: float | str | None = None
    categories: tuple[str, ...] | None = None
    if len(non_null) and ptypes.is_numeric_dtype(series) and not ptypes.is_bool_dtype(series):
        values = non_null.to_numpy(dtype="float64")
        finite = values[np.isfinite(values)]
        if len(finite):
            minimum, maximum = float(finite.min()), float(finite.max())
    elif len(non_null) and ptypes.is_datetime64_any_dtype(series):
        minimum, maximum = non_null.min().isoformat(), non_null.max().isoformat()
    if kind in (ColumnKind.CATEGORICAL, ColumnKind.BOOLEAN):
        distinct = non_null.astype(str).unique()
        if len(distinct) <= MAX_LISTED_CATEGORIES:
            categories = tuple(sorted(str(value) for value in distinct))
    return ColumnSchema(
        name=str(series.name),
        kind=kind,
        dtype=str(series.dtype),
        nullable=bool(series.isna().any()),
        minimum=minimum,
        maximum=maximum,
        categories=categories,
    )


class ProblemCheck(StrEnum):
    """What a validation problem is about (the values batch_checks.validation writes)."""

    MISSING_COLUMN = validation.MISSING_COLUMN
    EXTRA_COLUMN = validation.EXTRA_COLUMN
    WRONG_TYPE = validation.WRONG_TYPE
    OUT_OF_RANGE = validation.OUT_OF_RANGE
    UNSEEN_CATEGORY = validation.UNSEEN_CATEGORY
    NEW_MISSING = validation.NEW_MISSING
    MORE_MISSING = validation.MORE_MISSING


@dataclass(frozen=True)
class SchemaProblem:
    """One way new data differs from the schema; `blocking` problems make the data unusable.

    `count` is the number of rows concerned (0 for a problem of the whole column, such as a
    missing one), `rows` the 1-based positions of the first of them among the data rows, and
    `values` the offending values (the first wrong ones, or the unseen categories).
    """

    column: str
    message: str
    blocking: bool
    check: ProblemCheck | None = None
    count: int = 0
    rows: tuple[int, ...] = ()
    values: tuple[str, ...] = ()

    def to_dict(self) -> dict[str, Any]:
        data = asdict(self)
        data["check"] = self.check.value if self.check is not None else None
        data["rows"], data["values"] = list(self.rows), list(self.values)
        return data

    @classmethod
    def from_dict(cls, data: Mapping[str, Any], path: str = "problem") -> SchemaProblem:
        """A problem from JSON; a wrong entry is a WorkbenchError naming it under `path`."""
        data = json_fields.mapping(data, path)
        return cls(
            column=json_fields.field(data, "column", str, path),
            message=json_fields.field(data, "message", str, path),
            blocking=json_fields.field(data, "blocking", bool, path),
            check=json_fields.member(data, "check", ProblemCheck, path, None),
            count=json_fields.field(data, "count", int, path, 0),
            rows=tuple(json_fields.whole_number_list(data, "rows", path, [])),
            values=tuple(json_fields.text_list(data, "values", path, [])),
        )


def numeric_values(series: pd.Series) -> np.ndarray:
    """The values as float64: NaN for a missing value and for one that is not a number."""
    if ptypes.is_bool_dtype(series.dtype):
        return series.to_numpy(dtype="float64", na_value=np.nan)
    if not ptypes.is_numeric_dtype(series.dtype):
        series = pd.to_numeric(series, errors="coerce")
    return series.to_numpy(dtype="float64", na_value=np.nan)


def series_values(series: pd.Series, kind: ColumnKind) -> ColumnValues:
    """A column of a DataFrame in the forms the monitor's checks read, by its kind: numbers,
    categories (factorised: each distinct value once), or dates read from text."""
    missing = series.isna().to_numpy()
    numbers = codes = unreadable = None
    distinct: Sequence[Any] = ()
    if kind == ColumnKind.NUMERIC:
        numbers = numeric_values(series)
    elif kind in (ColumnKind.CATEGORICAL, ColumnKind.BOOLEAN):
        codes, uniques = pd.factorize(series, use_na_sentinel=True)
        distinct = list(uniques)
    elif kind == ColumnKind.DATETIME and not ptypes.is_datetime64_any_dtype(series):
        unreadable = pd.to_datetime(series, errors="coerce", format="mixed").isna().to_numpy()
    return ColumnValues(
        missing,
        lambda row: str(series.iloc[row]),
        numbers=numbers,
        codes=codes,
        distinct=distinct,
        unreadable=unreadable,
    )


class FrameValidator:
    """Validation of new rows against a schema, fed in chunks of rows.

    Counts, example rows and ranges add up over the chunks, so a million-row batch is checked
    in slices with progress and cancel in between, and gives the same problems as one call on
    the whole frame (`validate_frame`). Checks: required columns present, unknown columns,
    values of the wrong type (text in a numeric column, a non-date in a date column), numbers
    outside the training range, unseen categories, missing values where training had none, and
    (given the training's missing shares) a missing share that rose by `missing_rise` or more.
    The checks themselves are batch_checks.validation's, which the exported service
    runs too; this reads the DataFrame's columns for it.
    """

    def __init__(
        self,
        schema: Schema,
        columns: Sequence[str],
        required: Sequence[str] | None = None,
        *,
        extra_columns_block: bool = True,
        examples: int = 5,
        missing_shares: Mapping[str, float] | None = None,
        missing_rise: float = 0.1,
    ) -> None:
        present = [str(name) for name in columns]
        self._problems = presence_problems(schema.names, present, required, extra_columns_block)
        shares = dict(missing_shares or {})
        self._columns = [column for column in schema.columns if column.name in present]
        self._validators = {
            column.name: ColumnValidator(
                column.to_dict(), examples, shares.get(column.name), missing_rise
            )
            for column in self._columns
        }

    def add(self, chunk: pd.DataFrame) -> None:
        """Check the next rows of the batch (the same columns as every other chunk)."""
        for column in self._columns:
            self._validators[column.name].add(series_values(chunk[column.name], column.kind))

    def problems(self) -> list[SchemaProblem]:
        """Every problem found in the rows added so far, column problems first."""
        found = list(self._problems)
        for validator in self._validators.values():
            found.extend(validator.problems())
        return [SchemaProblem.from_dict(problem) for problem in found]


def validate_frame(
    frame: pd.DataFrame, schema: Schema, required: list[str] | None = None
) -> list[SchemaProblem]:
    """Compare new data with the schema: missing or unknown columns, wrong types, new values.

    `required` narrows the columns that must be present (a model needs its features, not its
    target); by default every schema column is required. One FrameValidator over the whole
    frame.
    """
    validator = FrameValidator(schema, [str(name) for name in frame.columns], required)
    validator.add(frame)
    return validator.problems()
