"""The tidy step every reader shares: clean column names, NA tokens, spaces, typed columns.

Every format hands its raw frame to `tidy_frame`, so the same `ReadOptions` mean the same thing
for CSV, Excel, Parquet, JSON and SQLite; keeping it in one module keeps that promise in one place.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd
from pandas.api import types as ptypes

from workbench.core.errors import DataReadError
from workbench.core.io import detect
from workbench.core.io.column_types import column_codes
from workbench.core.progress import CancelToken

if TYPE_CHECKING:
    from workbench.core.io.options import ReadOptions

_PANDAS_3 = int(pd.__version__.split(".")[0]) >= 3


def clean_names(raw: Sequence[Any], strip: bool) -> tuple[list[str], list[str]]:
    """Unique, non-blank text names, and a warning for every kind of change made."""
    names: list[str] = []
    stripped = 0
    blank: list[str] = []
    for i, value in enumerate(raw):
        name = "" if is_missing(value) else str(value)
        if strip and name != name.strip():
            stripped += 1
            name = name.strip()
        if len(name) >= 2 and name[0] == name[-1] == "'":  # anes96: 'popul'
            name = name[1:-1]
        if not name.strip():
            name = f"column_{i}"
            blank.append(name)
        names.append(name)
    warnings_: list[str] = []
    if stripped:
        noun = "name" if stripped == 1 else "names"
        warnings_.append(f"stripped surrounding spaces from {stripped} column {noun}")
    if blank:
        warnings_.append(f"named {len(blank)} blank column header(s): {', '.join(blank)}")
    seen = set(names)
    counts: dict[str, int] = {}
    renamed: list[str] = []
    for i, name in enumerate(names):
        counts[name] = counts.get(name, 0) + 1
        if counts[name] == 1:
            continue
        n = counts[name]
        while f"{name}_{n}" in seen:
            n += 1
        names[i] = f"{name}_{n}"
        seen.add(names[i])
        renamed.append(f"'{name}' -> '{names[i]}'")
    if renamed:
        warnings_.append(f"renamed {len(renamed)} duplicate column name(s): {', '.join(renamed)}")
    return names, warnings_


def tidy_frame(
    frame: pd.DataFrame,
    options: ReadOptions,
    *,
    names_done: bool = False,
    na_done: bool = False,
    cancel: CancelToken | None = None,
    some_columns: bool = False,
) -> tuple[pd.DataFrame, list[str]]:
    """Give every format the same result: clean names, NA tokens, stripped text, typed columns.

    `na_done` says the parser already turned exact NA tokens into missing (pandas' C parser),
    so only values that changed by stripping need the NA check again (keeps big CSVs fast).
    `some_columns`: the frame holds only some of the table's columns (one read alone), so
    a type chosen for a column it lacks is not an error.
    """
    notes: list[str] = []
    if not names_done:
        names, notes = clean_names(list(frame.columns), options.strip_whitespace)
        frame = frame.set_axis(names, axis=1)
    unknown = [name for name, _kind in options.dtype if name not in frame.columns]
    if unknown and not some_columns:
        shown = ", ".join(map(str, frame.columns[:20])) + (", ..." if frame.shape[1] > 20 else "")
        raise DataReadError(
            f"no column named {', '.join(repr(n) for n in unknown)} (a type was chosen for "
            f"it); the columns are: {shown}"
        )
    na = frozenset(options.na_values) | {""}
    stripped: list[str] = []
    undated: list[str] = []
    codes: list[str] = []
    tidy = frame.reset_index(drop=True)  # shallow under copy-on-write; assign only what changes
    columns: list[pd.Series] = []
    changed = False
    for position, name in enumerate(frame.columns):
        if cancel is not None:
            cancel.raise_if_cancelled()
        original = tidy.iloc[:, position]
        chosen = options.column_type(str(name))
        column, was_stripped, date_problem = _tidy_column(original, options, na, na_done, chosen)
        if chosen is not None:
            column = _as_column_type(column, chosen, options, str(name))
        elif _is_text_column(column) and (examples := column_codes(column)):
            codes.append(f"'{name}' ({', '.join(examples)})")
        columns.append(column)
        changed = changed or column is not original
        if was_stripped:
            stripped.append(str(name))
        if date_problem:
            undated.append(f"column '{name}' looks like dates but {date_problem}; left as text")
    if changed:
        # One concat, not an assignment per column: each assignment costs time in proportion
        # to the frame's width, which made a 200,000-column file take minutes. No data copied.
        tidy = pd.concat(columns, axis=1).set_axis(tidy.columns, axis=1)
    if stripped:
        shown = ", ".join(stripped[:10]) + (", ..." if len(stripped) > 10 else "")
        noun = "column" if len(stripped) == 1 else "columns"
        notes.append(f"stripped surrounding spaces from values in {len(stripped)} {noun}: {shown}")
    if codes:
        noun = "column" if len(codes) == 1 else "columns"
        notes.append(
            f"kept {len(codes)} {noun} of codes with leading zeros as text: {', '.join(codes)}; "
            "set a column's type to number to read it as numbers"
        )
    return tidy, notes + undated


def _tidy_column(
    s: pd.Series, options: ReadOptions, na: frozenset[str], na_done: bool, chosen: str | None
) -> tuple[pd.Series, bool, str]:
    """(column, whether values were stripped, why a date-like column stayed text).

    `chosen`: the type the user chose for the column; its text is then only stripped and its
    missing values marked, for `_as_column_type` to convert (no number or date guessing)."""
    retype = False
    if isinstance(s.dtype, pd.CategoricalDtype):
        s = s.astype(s.cat.categories.dtype)
    if ptypes.is_object_dtype(s.dtype):
        s, retype = _from_objects(s)
        if not _is_text_column(s):
            return s, False, ""
    elif not ptypes.is_string_dtype(s.dtype):
        return s, False, ""
    was_stripped = False
    if options.strip_whitespace:
        if _may_need_strip(s):
            trimmed = s.str.strip()
            if bool(((trimmed != s) & s.notna()).any()):  # NaN != NaN is not a change
                s, was_stripped, retype = trimmed, True, True
        bare = s
    else:
        bare = s.str.strip()
    if not na_done or was_stripped or not options.strip_whitespace:
        is_na = bare.isin(na) & s.notna()
        if is_na.any():
            s = s.mask(is_na)
            retype = True
    if chosen is not None:
        return s, was_stripped, ""
    if retype:
        typed = _retype_text(s)
        if typed is not None:
            return typed, was_stripped, ""
    if options.parse_dates:
        dated, problem = _parse_dates(s)
        if dated is not None:
            return dated, was_stripped, ""
        return s, was_stripped, problem
    return s, was_stripped, ""


def _may_need_strip(s: pd.Series) -> bool:
    """False when no distinct value has surrounding spaces: categories are checked once each
    instead of stripping every row (the common case, and most of a big file's text cells)."""
    distinct = s.unique()
    if len(distinct) > len(s) // 2:
        return True  # mostly unique text (names, comments): stripping is as cheap as checking
    return any(isinstance(v, str) and v != v.strip() for v in distinct)


def _is_text_column(s: pd.Series) -> bool:
    return ptypes.is_string_dtype(s.dtype) and not ptypes.is_bool_dtype(s.dtype)


def _from_objects(s: pd.Series) -> tuple[pd.Series, bool]:
    """Type an object column (Excel, JSON, SQLite, or CSV booleans with blanks) from its values.

    Returns the column and whether it was mixed (then stripped text may still become numbers).
    """
    kind = ptypes.infer_dtype(s, skipna=True)
    if kind == "boolean":
        return (s.astype("boolean") if s.isna().any() else s.astype(bool)), False
    if kind in ("integer", "floating", "mixed-integer-float", "decimal"):
        return pd.to_numeric(s), False
    if kind == "empty":
        return s.astype("float64"), False
    if kind in ("datetime", "datetime64", "date"):
        try:
            return pd.to_datetime(s), False
        except (ValueError, TypeError):
            pass
    if kind == "string":
        return _as_text(s), False
    return _as_text(s.map(_cell_text)), True


def _cell_text(value: Any) -> Any:
    if is_missing(value) or isinstance(value, str):
        return value
    if isinstance(value, dict | list):
        return json.dumps(value, ensure_ascii=False)
    return str(value)


def _as_text(s: pd.Series) -> pd.Series:
    """The pandas version's default text dtype ('str' in pandas 3, object of str before)."""
    if _PANDAS_3:
        return s.astype("str")
    return s.where(s.notna(), np.nan).astype(object)


_BOOL_WORDS = {"true": True, "false": False}


def _retype_text(s: pd.Series) -> pd.Series | None:
    """Numbers or booleans hidden behind NA tokens or spaces; None if the text is just text."""
    present = s.notna()
    if not present.any():
        return s.astype("float64")
    numbers = pd.to_numeric(s, errors="coerce")
    if numbers.notna().sum() == present.sum():
        return None if column_codes(s) else numbers  # 02134 is a code, not 2134
    words = s.str.lower()
    if words[present].isin(list(_BOOL_WORDS)).all():
        flags = words.map(_BOOL_WORDS)
        return flags.astype("boolean") if not present.all() else flags.astype(bool)
    return None


def _parse_dates(s: pd.Series, always: bool = False) -> tuple[pd.Series | None, str]:
    """Dates when every value parses with one unambiguous format; else (None, why not).

    `always`: the user said the column holds dates, so the cheap "not date-shaped" exit is
    not taken."""
    head = s.iloc[:5000].dropna()  # the first non-missing values decide; never scan the column
    present = head if not head.empty else s.dropna()
    if present.empty:
        return None, ""
    sample = [str(v).strip() for v in present.iloc[:200]]
    shaped = detect.looks_like_date(sample[0]) or detect.looks_like_date(sample[-1])
    if not shaped and not always:
        return None, ""  # cheap exit for the common case: ordinary text
    codes, uniques = pd.factorize(s)
    unique_text = pd.Series(np.asarray(uniques, dtype=object), dtype=object).str.strip()
    guess = detect.guess_dates(sample, unique_text)
    if guess.parsed is None:
        return None, guess.problem
    # take(-1) fills NaT: one vectorised lookup from distinct values back to rows
    return pd.Series(guess.parsed.array.take(codes, allow_fill=True), index=s.index), ""


def _as_column_type(s: pd.Series, chosen: str, options: ReadOptions, name: str) -> pd.Series:
    """The column as the type the user chose for it; a DataReadError naming the column and the
    first value that is not of that type."""
    if chosen == "text":
        if _is_text_column(s):
            return s
        return _as_text(s.map(_plain_text).astype(object))
    if chosen == "number":
        if ptypes.is_numeric_dtype(s.dtype) and not ptypes.is_bool_dtype(s.dtype):
            return s
        if ptypes.is_bool_dtype(s.dtype):
            return s.astype("float64")
        text = s.map(_plain_text).astype(object).str.strip()
        if options.thousands:
            text = text.str.replace(options.thousands, "", regex=False)
        if options.decimal not in (None, "."):
            text = text.str.replace(options.decimal, ".", regex=False)
        numbers = pd.to_numeric(text, errors="coerce")
        _refuse_unread(s, numbers, name)
        return numbers
    if ptypes.is_datetime64_any_dtype(s.dtype):
        return s
    text = _as_text(s.map(_plain_text).astype(object))
    dated, problem = _parse_dates(text, always=True)
    if dated is None:
        examples = ", ".join(f"'{v}'" for v in pd.unique(text.dropna())[:3])
        raise DataReadError(
            f"column '{name}' cannot be read as dates: "
            f"{problem or f'values such as {examples} are not dates the workbench reads'}"
        )
    return dated


def _refuse_unread(original: pd.Series, converted: pd.Series, name: str) -> None:
    unread = converted.isna() & original.notna()
    if unread.any():
        row = int(unread.to_numpy().argmax())
        raise DataReadError(
            f"column '{name}' cannot be read as numbers: '{original.iloc[row]}' (data row "
            f"{row + 1}) is not a number; add it to the missing values or choose another type"
        )


def _plain_text(value: Any) -> Any:
    """A cell as the text it was written as: 2134.0 (a whole number stored as float) is '2134'."""
    if is_missing(value) or isinstance(value, str):
        return value
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return _cell_text(value)


def is_missing(value: Any) -> bool:
    return value is None or value is pd.NaT or (isinstance(value, float) and np.isnan(value))
