"""Validation of new rows against a training schema, one column at a time, fed in chunks.

Counts, example rows and ranges add up over the chunks, so a million-row batch is checked in
slices and gives the same problems as one pass over the whole of it. Checks: required columns
present and unknown ones named (`presence_problems`); per column (`ColumnValidator`): values of
the wrong type (text in a numeric column, a non-date in a date column), numbers outside the
training range, unseen categories, missing values where training had none, and (given the
training's missing share) a missing share that rose by `missing_rise` or more.

The schema column and each problem are in their JSON forms (workbench.core.schema's
`ColumnSchema.to_dict()` and `SchemaProblem.to_dict()`).
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from .values import CATEGORY_KINDS, DATETIME, NUMERIC, ColumnValues, category_key, first_rows

# What a problem is about (workbench.core.schema.ProblemCheck's values).
MISSING_COLUMN = "missing_column"
EXTRA_COLUMN = "extra_column"
WRONG_TYPE = "wrong_type"
OUT_OF_RANGE = "out_of_range"
UNSEEN_CATEGORY = "unseen_category"
NEW_MISSING = "new_missing"
MORE_MISSING = "more_missing"
# Unseen categories are remembered up to this many distinct values (a column that was a
# category in training and is free text now would otherwise fill memory with them).
MAX_UNSEEN_REMEMBERED = 10_000


def problem(
    column: str,
    message: str,
    blocking: bool,
    check: str,
    count: int = 0,
    rows: Sequence[int] = (),
    values: Sequence[str] = (),
) -> dict[str, Any]:
    """One way new data differs from the schema, as JSON (see SchemaProblem)."""
    return {
        "column": column,
        "message": message,
        "blocking": blocking,
        "check": check,
        "count": count,
        "rows": list(rows),
        "values": list(values),
    }


def presence_problems(
    schema_names: Sequence[str],
    present: Sequence[str],
    required: Sequence[str] | None = None,
    extra_columns_block: bool = True,
) -> list[dict[str, Any]]:
    """Required columns (every schema column unless narrowed) absent from `present`, then the
    columns of `present` the schema does not know."""
    required_names = list(required) if required is not None else list(schema_names)
    problems = [
        problem(name, f"required column '{name}' is missing", True, MISSING_COLUMN)
        for name in required_names
        if name not in present
    ]
    known = set(schema_names)
    problems.extend(
        problem(name, f"unknown column '{name}'", extra_columns_block, EXTRA_COLUMN)
        for name in present
        if name not in known
    )
    return problems


@dataclass
class Found:
    """Rows of one problem seen so far: how many, the first ones, their values."""

    count: int = 0
    rows: list[int] = field(default_factory=list)
    values: list[str] = field(default_factory=list)

    def add(self, mask: np.ndarray, offset: int, wanted: int, values: ColumnValues | None) -> None:
        found = int(np.count_nonzero(mask))
        if not found:
            return
        self.count += found
        new = first_rows(mask, offset, wanted - len(self.rows))
        self.rows.extend(new)
        if values is not None:
            self.values.extend(values.show(row - offset - 1) for row in new)


class ColumnValidator:
    """The problems of one schema column over the chunks of a batch."""

    def __init__(
        self,
        column: Mapping[str, Any],
        examples: int = 5,
        missing_share: float | None = None,
        missing_rise: float = 0.1,
    ) -> None:
        self.column = column
        self.examples = examples
        self.missing_share = missing_share
        self.missing_rise = missing_rise
        categories = column.get("categories")
        self.allowed = (
            {category_key(c) for c in categories}
            if categories is not None and column["kind"] in CATEGORY_KINDS
            else None
        )
        self.missing = Found()
        self.wrong = Found()
        self.outside = Found()
        self.unseen = Found()
        self.unseen_keys: dict[str, None] = {}
        self.low = math.inf
        self.high = -math.inf
        self.rows = 0

    def add(self, values: ColumnValues) -> None:
        """Check the column's values in the next rows of the batch."""
        offset, wanted, column = self.rows, self.examples, self.column
        self.rows += len(values)
        self.missing.add(values.missing, offset, wanted, None)
        if column["kind"] == NUMERIC and values.numbers is not None:
            numbers = values.numbers
            self.wrong.add(np.isnan(numbers) & ~values.missing, offset, wanted, values)
            present = numbers[~np.isnan(numbers)]
            if present.size:
                self.low = min(self.low, float(present.min()))
                self.high = max(self.high, float(present.max()))
            if column.get("minimum") is not None and column.get("maximum") is not None:
                with np.errstate(invalid="ignore"):
                    outside = (numbers < float(column["minimum"])) | (
                        numbers > float(column["maximum"])
                    )
                self.outside.add(outside, offset, wanted, values)
        elif column["kind"] == DATETIME and values.unreadable is not None:
            self.wrong.add(values.unreadable & ~values.missing, offset, wanted, values)
        if self.allowed is not None and values.codes is not None:
            unseen = [
                code
                for code, value in enumerate(values.distinct)
                if category_key(value) not in self.allowed
            ]
            if unseen:
                for code in unseen:
                    if len(self.unseen_keys) < MAX_UNSEEN_REMEMBERED:
                        self.unseen_keys[category_key(values.distinct[code])] = None
                self.unseen.add(np.isin(values.codes, unseen), offset, wanted, None)

    def problems(self) -> list[dict[str, Any]]:
        """The column's problems in the rows added so far."""
        name, column = self.column["name"], self.column
        problems: list[dict[str, Any]] = []

        def add(message: str, blocking: bool, check: str, seen: Found) -> None:
            problems.append(
                problem(name, message, blocking, check, seen.count, seen.rows, seen.values)
            )

        missing = self.missing
        if not column["nullable"] and missing.count:
            add(f"'{name}' has {missing.count} missing values", False, NEW_MISSING, missing)
        elif self.missing_share is not None and self.rows:
            before, now = self.missing_share, missing.count / self.rows
            if now - before >= self.missing_rise:
                add(
                    f"'{name}' is missing in {now:.1%} of the rows, {before:.1%} in training",
                    False,
                    MORE_MISSING,
                    missing,
                )
        if self.wrong.count:
            expected = "numeric" if column["kind"] == NUMERIC else "dates"
            first = self.wrong.values[0] if self.wrong.values else ""
            add(f"'{name}' should be {expected} but holds {first!r}", True, WRONG_TYPE, self.wrong)
        if self.outside.count:
            add(
                f"'{name}' ranges {short(self.low)}..{short(self.high)}, outside the training "
                f"range {short(column.get('minimum'))}..{short(column.get('maximum'))}",
                False,
                OUT_OF_RANGE,
                self.outside,
            )
        if self.unseen.count:
            unseen = sorted(self.unseen_keys)
            shown = ", ".join(repr(value) for value in unseen[:5])
            more = f" and {len(unseen) - 5} more" if len(unseen) > 5 else ""
            problems.append(
                problem(
                    name,
                    f"'{name}' has unseen categories {shown}{more}",
                    False,
                    UNSEEN_CATEGORY,
                    self.unseen.count,
                    self.unseen.rows,
                    unseen[:5],
                )
            )
        return problems


def short(value: float | str | None) -> str:
    """A bound as a person reads it: whole numbers without '.0', others to 4 digits."""
    number = float(value) if value is not None else math.nan
    return str(int(number)) if math.isfinite(number) and number.is_integer() else f"{number:.4g}"
