"""Counting a batch into a reference's bins, chunk by chunk.

A count per reference column takes the batch's rows a chunk at a time and keeps only counts,
so a million-row batch is read in slices (progress and cancel in between) and the counts are
the same however it is sliced. The counts are what every drift statistic is computed from:
rows per PSI bin, rows below and at each KS point, rows per listed category.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np

from .statistics import bin_counts, counts_at_points
from .values import ColumnValues, category_key

# A column reference's `test` entry (workbench.core.monitor.reference): KS for numbers,
# chi-square for categories, None for a column that is not tested.
KS = "ks"
CHI_SQUARE = "chi2"


class MissingCounts:
    """Rows and missing values of a column that is not tested for drift."""

    def __init__(self) -> None:
        self.rows = 0
        self.missing = 0

    def add(self, values: ColumnValues) -> None:
        self.rows += len(values)
        self.missing += int(np.count_nonzero(values.missing))


class NumericCounts(MissingCounts):
    """A numeric column's finite values counted into the reference's bins and at its points.

    Text in a numeric column and infinities are neither missing nor counted: validation
    reports the first as a wrong type, and neither has a place in a distribution.
    """

    def __init__(self, edges: Sequence[float], points: Sequence[float]) -> None:
        super().__init__()
        self.edges = np.asarray(edges, dtype=np.float64)
        self.points, self.point_counts = np.unique(
            np.asarray(points, dtype=np.float64), return_counts=True
        )
        self.bins = np.zeros(self.edges.size + 1, dtype=np.int64)
        self.below = np.zeros(self.points.size, dtype=np.int64)
        self.at_most = np.zeros(self.points.size, dtype=np.int64)
        self.present = 0

    def add(self, values: ColumnValues) -> None:
        super().add(values)
        if values.numbers is None:
            raise ValueError("a numeric column was not read as numbers")
        finite = np.sort(values.numbers[np.isfinite(values.numbers)])
        self.present += finite.size
        self.bins += bin_counts(finite, self.edges)
        below, at_most = counts_at_points(finite, self.points)
        self.below += below
        self.at_most += at_most


class CategoryCounts(MissingCounts):
    """A column's values counted per listed category (by category_key), the rest as other."""

    def __init__(self, categories: Sequence[str]) -> None:
        super().__init__()
        self.positions = {key: i for i, key in enumerate(categories)}
        self.other = len(categories)
        self.counts = np.zeros(len(categories) + 1, dtype=np.int64)

    @property
    def present(self) -> int:
        return int(self.counts.sum())

    def add(self, values: ColumnValues) -> None:
        super().add(values)
        cells = [self.positions.get(category_key(value), self.other) for value in values.distinct]
        np.add.at(self.counts, np.asarray(cells, dtype=np.int64), values.distinct_counts())


Counts = MissingCounts | NumericCounts | CategoryCounts


def counts_for(reference: Mapping[str, Any]) -> Counts:
    """Empty counts for one column reference (its JSON form)."""
    if reference["test"] == KS:
        return NumericCounts(reference["edges"], reference["points"])
    if reference["test"] == CHI_SQUARE:
        return CategoryCounts(reference["categories"])
    return MissingCounts()
