"""The inferred schema of a dataset, and validation of new data against it.

Saved with the dataset when it is imported, so that later a batch of new rows (prediction,
drift, the exported service) can be checked against what the model was trained on: which columns
must be there, of what kind, in what range, with which categories. Validation counts every
problem's rows and keeps the first few, and can be fed a big batch in chunks (FrameValidator).
"""

from __future__ import annotations

import math
import re
from collections.abc import Mapping, Sequence
from dataclasses import asdict, dataclass, field
from enum import StrEnum
from typing import Any

import numpy as np
import pandas as pd
from pandas.api import types as ptypes

from workbench.core import json_fields
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
    """What a validation problem is about."""

    MISSING_COLUMN = "missing_column"
    EXTRA_COLUMN = "extra_column"
    WRONG_TYPE = "wrong_type"
    OUT_OF_RANGE = "out_of_range"
    UNSEEN_CATEGORY = "unseen_category"
    NEW_MISSING = "new_missing"
    MORE_MISSING = "more_missing"


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


# Integral decimals ('1.0', '-3.00') are compared as whole numbers.
_INTEGRAL_DECIMAL = re.compile(r"^(-?\d+)\.0+$")
# Unseen categories are remembered up to this many distinct values (a column that was a
# category in training and is free text now would otherwise fill memory with them).
_MAX_UNSEEN_REMEMBERED = 10_000


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


def numeric_values(series: pd.Series) -> np.ndarray:
    """The values as float64: NaN for a missing value and for one that is not a number."""
    if ptypes.is_bool_dtype(series.dtype):
        return series.to_numpy(dtype="float64", na_value=np.nan)
    if not ptypes.is_numeric_dtype(series.dtype):
        series = pd.to_numeric(series, errors="coerce")
    return series.to_numpy(dtype="float64", na_value=np.nan)


@dataclass
class _Found:
    """Rows of one problem seen so far: how many, the first ones, their values."""

    count: int = 0
    rows: list[int] = field(default_factory=list)
    values: list[str] = field(default_factory=list)

    def add(self, mask: np.ndarray, offset: int, wanted: int, series: pd.Series | None) -> None:
        found = int(np.count_nonzero(mask))
        if not found:
            return
        self.count += found
        new = first_rows(mask, offset, wanted - len(self.rows))
        self.rows.extend(new)
        if series is not None:
            self.values.extend(str(series.iloc[row - offset - 1]) for row in new)


@dataclass
class _ColumnFindings:
    missing: _Found = field(default_factory=_Found)
    wrong: _Found = field(default_factory=_Found)
    outside: _Found = field(default_factory=_Found)
    unseen: _Found = field(default_factory=_Found)
    unseen_keys: dict[str, None] = field(default_factory=dict)
    low: float = math.inf
    high: float = -math.inf


class FrameValidator:
    """Validation of new rows against a schema, fed in chunks of rows.

    Counts, example rows and ranges add up over the chunks, so a million-row batch is checked
    in slices with progress and cancel in between, and gives the same problems as one call on
    the whole frame (`validate_frame`). Checks: required columns present, unknown columns,
    values of the wrong type (text in a numeric column, a non-date in a date column), numbers
    outside the training range, unseen categories, missing values where training had none, and
    (given the training's missing shares) a missing share that rose by `missing_rise` or more.
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
        required_names = list(required) if required is not None else schema.names
        self._problems: list[SchemaProblem] = [
            SchemaProblem(
                name, f"required column '{name}' is missing", True, ProblemCheck.MISSING_COLUMN
            )
            for name in required_names
            if name not in present
        ]
        known = set(schema.names)
        self._problems.extend(
            SchemaProblem(
                name, f"unknown column '{name}'", extra_columns_block, ProblemCheck.EXTRA_COLUMN
            )
            for name in present
            if name not in known
        )
        self._columns = [column for column in schema.columns if column.name in present]
        self._allowed = {
            column.name: {category_key(c) for c in column.categories}
            for column in self._columns
            if column.categories is not None
        }
        self._found = {column.name: _ColumnFindings() for column in self._columns}
        self._examples = examples
        self._missing_shares = dict(missing_shares or {})
        self._missing_rise = missing_rise
        self._rows = 0

    def add(self, chunk: pd.DataFrame) -> None:
        """Check the next rows of the batch (the same columns as every other chunk)."""
        for column in self._columns:
            self._check(chunk[column.name], column, self._found[column.name])
        self._rows += len(chunk)

    def problems(self) -> list[SchemaProblem]:
        """Every problem found in the rows added so far, column problems first."""
        problems = list(self._problems)
        for column in self._columns:
            problems.extend(self._column_problems(column, self._found[column.name]))
        return problems

    def _check(self, series: pd.Series, column: ColumnSchema, found: _ColumnFindings) -> None:
        offset, wanted = self._rows, self._examples
        missing = series.isna().to_numpy()
        found.missing.add(missing, offset, wanted, None)
        if column.kind == ColumnKind.NUMERIC:
            numbers = numeric_values(series)
            found.wrong.add(np.isnan(numbers) & ~missing, offset, wanted, series)
            present = numbers[~np.isnan(numbers)]
            if present.size:
                found.low = min(found.low, float(present.min()))
                found.high = max(found.high, float(present.max()))
            if column.minimum is not None and column.maximum is not None:
                with np.errstate(invalid="ignore"):
                    outside = (numbers < float(column.minimum)) | (numbers > float(column.maximum))
                found.outside.add(outside, offset, wanted, series)
        elif column.kind == ColumnKind.DATETIME and not ptypes.is_datetime64_any_dtype(series):
            parsed = pd.to_datetime(series, errors="coerce", format="mixed")
            found.wrong.add(parsed.isna().to_numpy() & ~missing, offset, wanted, series)
        allowed = self._allowed.get(column.name)
        if allowed is not None:
            counts = series.value_counts(dropna=True, sort=False)
            unseen = [value for value in counts.index if category_key(value) not in allowed]
            if unseen:
                for value in unseen:
                    if len(found.unseen_keys) < _MAX_UNSEEN_REMEMBERED:
                        found.unseen_keys[category_key(value)] = None
                found.unseen.add(series.isin(unseen).to_numpy(), offset, wanted, None)

    def _column_problems(self, column: ColumnSchema, found: _ColumnFindings) -> list[SchemaProblem]:
        name = column.name
        problems: list[SchemaProblem] = []

        def problem(message: str, blocking: bool, check: ProblemCheck, seen: _Found) -> None:
            problems.append(
                SchemaProblem(
                    name, message, blocking, check, seen.count, tuple(seen.rows), tuple(seen.values)
                )
            )

        missing = found.missing
        if not column.nullable and missing.count:
            problem(
                f"'{name}' has {missing.count} missing values",
                False,
                ProblemCheck.NEW_MISSING,
                missing,
            )
        elif name in self._missing_shares and self._rows:
            before, now = self._missing_shares[name], missing.count / self._rows
            if now - before >= self._missing_rise:
                problem(
                    f"'{name}' is missing in {now:.1%} of the rows, {before:.1%} in training",
                    False,
                    ProblemCheck.MORE_MISSING,
                    missing,
                )
        if found.wrong.count:
            expected = "numeric" if column.kind == ColumnKind.NUMERIC else "dates"
            first = found.wrong.values[0] if found.wrong.values else ""
            problem(
                f"'{name}' should be {expected} but holds {first!r}",
                True,
                ProblemCheck.WRONG_TYPE,
                found.wrong,
            )
        if found.outside.count:
            problem(
                f"'{name}' ranges {_short(found.low)}..{_short(found.high)}, outside the "
                f"training range {_short(column.minimum)}..{_short(column.maximum)}",
                False,
                ProblemCheck.OUT_OF_RANGE,
                found.outside,
            )
        if found.unseen.count:
            unseen = sorted(found.unseen_keys)
            shown = ", ".join(repr(value) for value in unseen[:5])
            more = f" and {len(unseen) - 5} more" if len(unseen) > 5 else ""
            problems.append(
                SchemaProblem(
                    name,
                    f"'{name}' has unseen categories {shown}{more}",
                    False,
                    ProblemCheck.UNSEEN_CATEGORY,
                    found.unseen.count,
                    tuple(found.unseen.rows),
                    tuple(unseen[:5]),
                )
            )
        return problems


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


def _short(value: float | str | None) -> str:
    number = float(value) if value is not None else math.nan
    return str(int(number)) if math.isfinite(number) and number.is_integer() else f"{number:.4g}"
