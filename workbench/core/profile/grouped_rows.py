"""Rows that come in groups over time (panel data): one row per entity and period, such as
Life_Expectancy's one row per country and year.

Why a check of its own: a random split (k-fold, hold-out) puts some years of a country in the
training rows and the others in the validation rows. A country's years are much alike, so the
model is scored on countries it has already seen, and the validation flatters it: on new
countries it does worse than it said. A group split on the entity column (every row of one
country in the same fold) scores it on countries it has not seen; a time split on the period
scores it on years it has not seen. Which question matters is the user's, so the alert names
both, and the columns to give them.

How: an entity column is a text column (category or id-like) with at least MIN_GROUPS values,
each repeated (MIN_ROWS_PER_GROUP rows a value on average), missing in few rows. The period is
the table's time-like columns taken together: dates, and whole-number columns named like a
period (year, month, quarter, week, day) or holding years; together they must repeat across
entities (fewer distinct periods than a third of the rows). The pair is panel data when the
entity and the period identify nearly every row (at most DUPLICATE_SHARE of them repeat).
"""

from __future__ import annotations

import re
from collections.abc import Mapping

import pandas as pd
from pandas.api import types as ptypes

from workbench.core.kinds import ColumnKind
from workbench.core.profile.model import WARNING, Alert

MIN_GROUPS = 10
MIN_ROWS_PER_GROUP = 3.0
# An entity column missing in more of the rows than this is no grouping of the table.
MAX_MISSING_SHARE = 0.05
# Entity and period identify every row but this share (a few duplicated lines).
DUPLICATE_SHARE = 0.01
# Column names that say a whole number is a period.
PERIOD_NAME = re.compile(r"(year|month|quarter|week|day|period|yr)", re.IGNORECASE)
# Whole numbers in this range, all of them, are years.
YEARS = (1800, 2200)
ENTITY_KINDS = (ColumnKind.CATEGORICAL, ColumnKind.IDENTIFIER, ColumnKind.TEXT)


def mixes_groups(scheme: str) -> bool:
    """Whether the split scheme named `scheme` puts rows of one group in both the training
    and the validation rows (k-fold, hold-out and their stratified and repeated kinds)."""
    from workbench.core.schemes import split_schemes

    found = split_schemes().get(scheme)
    return found is not None and found.planner in ("kfold", "holdout")


def period_columns(
    frame: pd.DataFrame, kinds: Mapping[str, ColumnKind], counts: Mapping[str, pd.Series]
) -> list[str]:
    """The table's time-like columns: dates, and whole-number columns named like a period or
    holding only years (judged on each column's distinct values, `counts`' index)."""
    found = []
    for name in frame.columns:
        column = frame[name]
        if kinds.get(str(name)) == ColumnKind.DATETIME or ptypes.is_datetime64_any_dtype(column):
            found.append(str(name))
            continue
        if not ptypes.is_numeric_dtype(column) or ptypes.is_bool_dtype(column):
            continue
        values = pd.Series(counts[str(name)].index, dtype="float64")
        head = values.iloc[:100]  # a column of measurements fails here, before a full pass
        if values.empty or not (head == head.round()).all():
            continue
        if not (values == values.round()).all():
            continue
        years = bool(values.between(*YEARS).all())
        if years or PERIOD_NAME.search(str(name)):
            found.append(str(name))
    return found


def grouped_row_alerts(
    frame: pd.DataFrame,
    kinds: Mapping[str, ColumnKind],
    target: str | None = None,
    counts: Mapping[str, pd.Series] | None = None,
) -> list[Alert]:
    """One alert per entity column that, with the period columns, identifies the rows.
    `counts`: each column's exact value counts (values as index), as the profile computed
    them; worked out here when not given."""
    rows = len(frame)
    if counts is None:
        counts = {str(name): frame[name].value_counts(dropna=True) for name in frame.columns}
    periods = [name for name in period_columns(frame, kinds, counts) if name != target]
    if not periods or rows < MIN_GROUPS * MIN_ROWS_PER_GROUP:
        return []
    if len(periods) == 1:
        period_count = len(counts[periods[0]])
    else:
        period_count = int(frame[periods].drop_duplicates().shape[0])
    if period_count * 3 > rows or period_count < 2:
        return []
    alerts = []
    for name in frame.columns:
        entity = str(name)
        if entity == target or entity in periods or kinds.get(entity) not in ENTITY_KINDS:
            continue
        present = int(counts[entity].sum())
        if rows - present > MAX_MISSING_SHARE * rows:
            continue
        groups = len(counts[entity])
        if groups < MIN_GROUPS or rows / groups < MIN_ROWS_PER_GROUP:
            continue
        if groups * period_count < (1 - DUPLICATE_SHARE) * rows:
            continue  # too few pairs to tell the rows apart (and no table scan to find it)
        repeated = int(frame[[name, *periods]].duplicated().sum())
        if repeated > DUPLICATE_SHARE * rows:
            continue
        alerts.append(_alert(entity, groups, periods, counts[entity]))
    return alerts


def _alert(entity: str, groups: int, periods: list[str], counts: pd.Series) -> Alert:
    most = int(counts.max())
    period = " and ".join(f"'{p}'" for p in periods)
    return Alert(
        "grouped_rows",
        (entity, *periods),
        WARNING,
        float(groups),
        float(MIN_GROUPS),
        f"Rows come in groups: '{entity}' ({groups:,} values) has up to {most:,} rows, one "
        f"per {period}. A random split validates on {entity} values the model was fitted on "
        "(their other periods are much alike), which flatters the scores.",
        f"Validate with a group k-fold on '{entity}' (scored on {entity} values not seen in "
        f"fitting) or a time-series split on '{periods[0]}' (scored on later periods).",
    )
