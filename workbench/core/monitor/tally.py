"""Counting a batch into a reference's bins, chunk by chunk.

A tally per reference column takes the batch's rows a chunk at a time and keeps only counts,
so a million-row batch is read in slices (progress and cancel in between) and the counts are
the same however it is sliced. The counts are what every drift statistic is computed from:
rows per PSI bin, rows below and at each KS point, rows per listed category.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from workbench.core.monitor.reference import (
    CategoryReference,
    ColumnReference,
    NumericReference,
)
from workbench.core.monitor.statistics import bin_counts, counts_at_points
from workbench.core.schema import category_key, numeric_values


class MissingTally:
    """Rows and missing values of a column that is not tested for drift."""

    def __init__(self) -> None:
        self.rows = 0
        self.missing = 0

    def add(self, series: pd.Series) -> None:
        self.rows += len(series)
        self.missing += int(series.isna().sum())


class NumericTally(MissingTally):
    """A numeric column's finite values counted into the reference's bins and at its points.

    Text in a numeric column and infinities are neither missing nor counted: validation
    reports the first as a wrong type, and neither has a place in a distribution.
    """

    def __init__(self, reference: NumericReference) -> None:
        super().__init__()
        self.edges = np.asarray(reference.edges, dtype=np.float64)
        self.points, self.point_counts = np.unique(
            np.asarray(reference.points, dtype=np.float64), return_counts=True
        )
        self.bins = np.zeros(self.edges.size + 1, dtype=np.int64)
        self.below = np.zeros(self.points.size, dtype=np.int64)
        self.at_most = np.zeros(self.points.size, dtype=np.int64)
        self.present = 0

    def add(self, series: pd.Series) -> None:
        super().add(series)
        values = numeric_values(series)
        finite = np.sort(values[np.isfinite(values)])
        self.present += finite.size
        self.bins += bin_counts(finite, self.edges)
        below, at_most = counts_at_points(finite, self.points)
        self.below += below
        self.at_most += at_most


class CategoryTally(MissingTally):
    """A column's values counted per listed category (by category_key), the rest as other."""

    def __init__(self, reference: CategoryReference) -> None:
        super().__init__()
        self.positions = {key: i for i, key in enumerate(reference.categories)}
        self.other = len(reference.categories)
        self.counts = np.zeros(len(reference.categories) + 1, dtype=np.int64)

    @property
    def present(self) -> int:
        return int(self.counts.sum())

    def add(self, series: pd.Series) -> None:
        super().add(series)
        counts = series.value_counts(dropna=True, sort=False)
        cells = [self.positions.get(category_key(value), self.other) for value in counts.index]
        np.add.at(self.counts, np.asarray(cells, dtype=np.int64), counts.to_numpy(np.int64))


Tally = MissingTally | NumericTally | CategoryTally


def tally_for(reference: ColumnReference) -> Tally:
    """An empty tally for one reference column."""
    if isinstance(reference, NumericReference):
        return NumericTally(reference)
    if isinstance(reference, CategoryReference):
        return CategoryTally(reference)
    return MissingTally()
