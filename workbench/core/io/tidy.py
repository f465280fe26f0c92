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

from workbench.core.io import detect
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
) -> tuple[pd.DataFrame, list[str]]:
    """Give every format the same result: clean names, NA tokens, stripped text, typed columns.

    `na_done` says the parser already turned exact NA tokens into missing (pandas' C parser),
    so only values that changed by stripping need the NA check again (keeps big CSVs fast).
    """
    notes: list[str] = []
    if not names_done:
        names, notes = clean_names(list(frame.columns), options.strip_whitespace)
        frame = frame.set_axis(names, axis=1)
    na = frozenset(options.na_values) | {""}
    stripped: list[str] = []
    undated: list[str] = []
    tidy = frame.reset_index(drop=True)  # shallow under copy-on-write; assign only what changes
    columns: list[pd.Series] = []
    changed = False
    for position, name in enumerate(frame.columns):
        if cancel is not None:
            cancel.raise_if_cancelled()
        original = tidy.iloc[:, position]
        column, was_stripped, date_problem = _tidy_column(original, options, na, na_done)
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
    return tidy, notes + undated


def _tidy_column(
    s: pd.Series, options: ReadOptions, na: frozenset[str], na_done: bool
) -> tuple[pd.Series, bool, str]:
    """(column, whether values were stripped, why a date-like column stayed text)."""
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
        return numbers
    words = s.str.lower()
    if words[present].isin(list(_BOOL_WORDS)).all():
        flags = words.map(_BOOL_WORDS)
        return flags.astype("boolean") if not present.all() else flags.astype(bool)
    return None


def _parse_dates(s: pd.Series) -> tuple[pd.Series | None, str]:
    head = s.iloc[:5000].dropna()  # the first non-missing values decide; never scan the column
    present = head if not head.empty else s.dropna()
    if present.empty:
        return None, ""
    sample = [str(v).strip() for v in present.iloc[:200]]
    if not detect.looks_like_date(sample[0]) and not detect.looks_like_date(sample[-1]):
        return None, ""  # cheap exit for the common case: ordinary text
    codes, uniques = pd.factorize(s)
    unique_text = pd.Series(np.asarray(uniques, dtype=object), dtype=object).str.strip()
    guess = detect.guess_dates(sample, unique_text)
    if guess.parsed is None:
        return None, guess.problem
    # take(-1) fills NaT: one vectorised lookup from distinct values back to rows
    return pd.Series(guess.parsed.array.take(codes, allow_fill=True), index=s.index), ""


def is_missing(value: Any) -> bool:
    return value is None or value is pd.NaT or (isinstance(value, float) and np.isnan(value))
