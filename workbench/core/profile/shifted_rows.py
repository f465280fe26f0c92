"""Rows that look shifted by one column: the trace of a line in a delimited file with a
separator missing (every later value moves one column left) or one too many (one column right).

Why a check of its own: such a line passes the reader (pandas fills or drops the odd cell), and
each of its values lands in the wrong column, where it is rarely wrong enough on its own to be
noticed, yet it can turn a whole number column into text and a date column into words. On
googleplaystore one line without its Category puts '1.9' in Category, 19 in Rating (a 1-to-5
scale), '3.0M' in Reviews (so Reviews is no longer a number column), 'Free' in Installs and
'1.0.19' in Last Updated (so it is no longer a date). Each column's alert alone looks like noise;
the row that holds them all is the finding.

How: a cell is odd when its value is rare (a few rows) in a column where values repeat (fewer
distinct values than half the rows), or when it is a number in a column of words or a word in a
column of numbers (under FOREIGN_SHARE of the rows). Only rows with at least MIN_CELLS odd cells are
looked at further: each odd value is checked against the column to its right and the one to its
left (is it a value that column holds?). A row is shifted
when enough of its values fit the neighbouring column on the same side: at least MIN_CELLS, and
SHARE of its non-missing cells, counting only the telling ones: a word found among the
neighbour's words, or a value of the wrong kind where it sits (a number that is also a value
of the number column beside it proves little: sizes, counts and scores share their numbers).
Unrelated oddities (a typo here, an outlier there) do not line
up on one side; a shifted line does, cell after cell.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd
from pandas.api import types as ptypes

from workbench.core.numbers import format_number
from workbench.core.profile.alerts import number_like
from workbench.core.profile.model import WARNING, Alert

# At least this many cells of a row must fit the neighbouring column, on one side.
MIN_CELLS = 3
# ... and at least this share of the row's non-missing cells.
SHARE = 0.3
# A rare value (seen at most RARE_ROWS times: a few lines can be shifted alike) is odd only in
# a column whose values repeat: fewer distinct values than REPEATING_SHARE of its rows (in a
# column of names or ids, every value is rare).
RARE_ROWS = 3
REPEATING_SHARE = 0.5
# A number in a column of words (or a word in a column of numbers) is odd when its kind is
# under this share of the column's values.
FOREIGN_SHARE = 0.01
# Rows named in the alert.
LISTED_ROWS = 5
# Values of the first row quoted in the alert.
QUOTED_VALUES = 4


@dataclass(frozen=True)
class ShiftedRow:
    """A row whose values fit the column beside theirs: `direction` "left" (a separator
    missing: each value belongs one column to the right) or "right"; `moved` holds
    (column, value) for each value that fits its neighbour."""

    position: int
    direction: str
    moved: tuple[tuple[str, Any], ...]


def _odd_cells(column: pd.Series, counts: pd.Series) -> tuple[np.ndarray, np.ndarray]:
    """Which cells of `column` hold an odd value (see the module docstring), and which of those
    are of the wrong kind for it (a number among words, a word among numbers). `column` may be
    some of the rows of a column, `counts` the whole column's."""
    rows = int(counts.sum())  # the column's non-missing cells (a missing cell is never odd)
    none = np.zeros(len(column), dtype=bool)
    if rows == 0 or counts.empty:
        return none, none
    rare_values: list[Any] = []
    if len(counts) < REPEATING_SHARE * rows:
        rare_values = list(counts.index[counts.to_numpy() <= RARE_ROWS])
    foreign_values: list[Any] = []
    words = not (
        ptypes.is_numeric_dtype(column)
        or ptypes.is_bool_dtype(column)
        or ptypes.is_datetime64_any_dtype(column)
    )
    if words:
        numeric = number_like(pd.Series(counts.index.astype(str), dtype=object))
        share = float(counts.to_numpy()[numeric].sum()) / rows
        if 0 < share < FOREIGN_SHARE:
            foreign_values = list(counts.index[numeric])
        elif 1 - FOREIGN_SHARE < share < 1:
            foreign_values = list(counts.index[~numeric])
    foreign = column.isin(foreign_values).to_numpy() if foreign_values else none
    rare_cells = column.isin(rare_values).to_numpy() if rare_values else none
    return rare_cells | foreign, foreign


def _is_word(value: Any) -> bool:
    """Whether a cell is not a number as people type them ('Free', 'Third', True, a date)."""
    if isinstance(value, bool | np.bool_):
        return True
    if isinstance(value, int | float | np.integer | np.floating):
        return False
    return not bool(number_like(pd.Series([str(value)], dtype=object))[0])


def _text(value: Any) -> str:
    """A cell as the file would spell it: 19.0 as '19'."""
    if isinstance(value, float | np.floating) and float(value).is_integer():
        return str(int(value))
    return str(value)


class _Neighbour:
    """The values a column holds, as text, for asking whether a value from the column beside
    it is one of them. Exact values, not a range: in a table of small counts (siblings,
    parents, classes) every small number is inside every column's range."""

    def __init__(self, counts: pd.Series) -> None:
        self.texts = {_text(value) for value in counts.index}

    def fits(self, value: Any) -> bool:
        if value is None or (isinstance(value, float) and math.isnan(value)):
            return False
        return _text(value) in self.texts


def shifted_rows(frame: pd.DataFrame, counts: Mapping[str, pd.Series]) -> list[ShiftedRow]:
    """The rows of `frame` that look shifted; `counts` holds each column's exact value counts
    (values as index), as the profile computed them."""
    names = [str(name) for name in frame.columns]
    if len(names) < MIN_CELLS + 1 or len(frame) == 0:
        return []
    # Only a cell that can tell (see below) makes a row worth a look: a number column's cells
    # are numbers, and never of the wrong kind there. So the whole-table pass reads the other
    # columns only; a number column's rare cells are looked up in the few rows it leaves.
    telling = [
        not ptypes.is_numeric_dtype(frame.iloc[:, j]) or ptypes.is_bool_dtype(frame.iloc[:, j])
        for j in range(len(names))
    ]
    none = np.zeros(len(frame), dtype=bool)
    cells = [
        _odd_cells(frame.iloc[:, j], counts[name]) if telling[j] else (none, none)
        for j, name in enumerate(names)
    ]
    odd = np.column_stack([odd for odd, _ in cells])
    foreign = np.column_stack([wrong for _, wrong in cells])
    candidates = np.flatnonzero(odd.sum(axis=1) >= MIN_CELLS)
    for j, name in enumerate(names):
        if not telling[j] and candidates.size:
            values = frame.iloc[candidates, j]
            odd[candidates, j] = _odd_cells(values, counts[name])[0]
    neighbours: dict[int, _Neighbour] = {}

    def neighbour(j: int) -> _Neighbour:
        if j not in neighbours:
            neighbours[j] = _Neighbour(counts[names[j]])
        return neighbours[j]

    found = []
    for position in candidates:
        row = frame.iloc[position]
        present = int(row.notna().sum())
        needed = max(MIN_CELLS, math.ceil(SHARE * present))
        for direction, step in (("left", 1), ("right", -1)):
            moved = [
                j
                for j in np.flatnonzero(odd[position])
                if 0 <= j + step < len(names) and neighbour(j + step).fits(row.iloc[j])
            ]
            # A number that is another number column's value says little (sizes, counts and
            # scores share their numbers); a word in another column's words, or a value of
            # the wrong kind where it sits, says much.
            strong = [j for j in moved if foreign[position, j] or _is_word(row.iloc[j])]
            if len(strong) >= needed:
                moved_values = tuple((names[j], row.iloc[j]) for j in moved)
                found.append(ShiftedRow(int(position), direction, moved_values))
                break
    return found


def shifted_row_alerts(frame: pd.DataFrame, counts: Mapping[str, pd.Series]) -> list[Alert]:
    """One alert naming the rows that look shifted (the first LISTED_ROWS), quoting the first
    one's moved values."""
    rows = shifted_rows(frame, counts)
    if not rows:
        return []
    first = rows[0]
    other = "right" if first.direction == "left" else "left"
    quoted = ", ".join(
        f"{column} {format_number(value) if isinstance(value, int | float) else repr(value)}"
        for column, value in first.moved[:QUOTED_VALUES]
    )
    if len(first.moved) > QUOTED_VALUES:
        quoted += ", …"
    numbers = [f"{row.position + 1:,}" for row in rows[:LISTED_ROWS]]
    if len(rows) > LISTED_ROWS:
        numbers.append(f"{len(rows) - LISTED_ROWS:,} more")
    named = numbers[0] if len(numbers) == 1 else ", ".join(numbers[:-1]) + f" and {numbers[-1]}"
    subject = f"Row {named} looks" if len(rows) == 1 else f"Rows {named} look"
    cause = "missing" if first.direction == "left" else "too many"
    where = "of its values" if len(rows) == 1 else f"values of row {first.position + 1:,}"
    message = (
        f"{subject} shifted by one column: {len(first.moved)} {where} fit the column on "
        f"their {other} ({quoted}), as when a line of the file has a separator {cause}."
    )
    return [
        Alert(
            "shifted_rows",
            (),
            WARNING,
            float(len(rows)),
            float(MIN_CELLS),
            message,
            "Correct those lines in the file and import it again (or delete them): until then "
            "their values sit in the wrong columns, and can make a number or date column text.",
        )
    ]
