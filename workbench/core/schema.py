"""The inferred schema of a dataset, and validation of new data against it.

Saved with the dataset when it is imported, so that later a batch of new rows (prediction,
drift, the exported service) can be checked against what the model was trained on: which columns
must be there, of what kind, in what range, with which categories.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import asdict, dataclass, field
from typing import Any

import numpy as np
import pandas as pd
from pandas.api import types as ptypes

from workbench.core import json_fields
from workbench.core.errors import SchemaError, WorkbenchError
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
        if not isinstance(data, Mapping):
            raise WorkbenchError(f"'{path}' should be an object, not {json_fields.describe(data)}")
        kind = json_fields.field(data, "kind", str, path)
        if kind not in {member.value for member in ColumnKind}:
            known = ", ".join(member.value for member in ColumnKind)
            raise WorkbenchError(f"'{path}.kind' should be one of {known}, not {kind!r}")
        bound = (float, str, type(None))
        categories = json_fields.text_list(data, "categories", path, None)
        return cls(
            name=json_fields.field(data, "name", str, path),
            kind=ColumnKind(kind),
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
        if not isinstance(data, Mapping):
            raise WorkbenchError(f"'{path}' should be an object, not {json_fields.describe(data)}")
        items = json_fields.field(data, "columns", list, path, [])
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


@dataclass(frozen=True)
class SchemaProblem:
    """One way new data differs from the schema; `blocking` problems make the data unusable."""

    column: str
    message: str
    blocking: bool


def validate_frame(
    frame: pd.DataFrame, schema: Schema, required: list[str] | None = None
) -> list[SchemaProblem]:
    """Compare new data with the schema: missing or unknown columns, wrong types, new values.

    `required` narrows the columns that must be present (a model needs its features, not its
    target); by default every schema column is required.
    """
    problems: list[SchemaProblem] = []
    required_names = required if required is not None else schema.names
    for name in required_names:
        if name not in frame.columns:
            problems.append(SchemaProblem(name, f"required column '{name}' is missing", True))
    known = set(schema.names)
    for name in frame.columns:
        if name not in known:
            problems.append(SchemaProblem(str(name), f"unknown column '{name}'", True))
    for column in schema.columns:
        if column.name in frame.columns:
            problems.extend(_column_problems(frame[column.name], column))
    return problems


def _column_problems(series: pd.Series, column: ColumnSchema) -> list[SchemaProblem]:
    problems: list[SchemaProblem] = []
    non_null = series.dropna()
    if not column.nullable and len(non_null) < len(series):
        count = len(series) - len(non_null)
        problems.append(
            SchemaProblem(column.name, f"'{column.name}' has {count} missing values", False)
        )
    if column.kind == ColumnKind.NUMERIC and len(non_null):
        numbers = pd.to_numeric(non_null, errors="coerce")
        bad = non_null[numbers.isna()]
        if len(bad):
            problems.append(
                SchemaProblem(
                    column.name,
                    f"'{column.name}' should be numeric but holds {bad.iloc[0]!r}",
                    True,
                )
            )
        elif column.minimum is not None and column.maximum is not None:
            low, high = float(numbers.min()), float(numbers.max())
            if low < float(column.minimum) or high > float(column.maximum):
                problems.append(
                    SchemaProblem(
                        column.name,
                        f"'{column.name}' ranges {_short(low)}..{_short(high)}, outside the "
                        f"training range {_short(column.minimum)}..{_short(column.maximum)}",
                        False,
                    )
                )
    if column.categories is not None and len(non_null):
        unseen = sorted(set(non_null.astype(str).unique()) - set(column.categories))
        if unseen:
            shown = ", ".join(repr(value) for value in unseen[:5])
            more = f" and {len(unseen) - 5} more" if len(unseen) > 5 else ""
            problems.append(
                SchemaProblem(
                    column.name, f"'{column.name}' has unseen categories {shown}{more}", False
                )
            )
    return problems


def _short(value: float | str) -> str:
    number = float(value)
    return str(int(number)) if math.isfinite(number) and number.is_integer() else f"{number:.4g}"
