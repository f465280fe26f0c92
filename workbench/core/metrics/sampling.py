"""Which rows a scatter plot draws: at most N of them, the same ones every time.

A million points freeze a plot and the eye sees no more than a few thousand, so the Results
panel's scatter plots and the threshold view draw a sample: evenly spaced (rows in a meaningful
order) or a seeded random draw (rows in data order, where even spacing could follow a pattern).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np

from workbench.core.errors import WorkbenchError

DEFAULT_MAX_POINTS = 5000


def sample_rows(n_rows: int, max_points: int, seed: int | None = 0) -> np.ndarray:
    """Sorted positions of at most `max_points` of `n_rows` rows, for scatter plots.

    `seed` None: evenly spaced, always keeping the first and last row (good for rows in a
    meaningful order). An integer: a random draw with that seed (good for rows in data order,
    where even spacing could follow a pattern). All rows when there are few enough.
    """
    if max_points < 1:
        raise WorkbenchError(f"a plot needs at least one point, got max_points={max_points}")
    if n_rows <= max_points:
        return np.arange(n_rows, dtype=np.int64)
    if seed is None:
        return np.unique(np.linspace(0, n_rows - 1, max_points).round().astype(np.int64))
    chosen = np.random.default_rng(seed).choice(n_rows, size=max_points, replace=False)
    return np.sort(chosen).astype(np.int64)


def downsample(
    *arrays: Sequence[Any], max_points: int = DEFAULT_MAX_POINTS, seed: int | None = 0
) -> list[np.ndarray]:
    """The same `sample_rows` rows of each array (x, y, colours...), kept paired."""
    if not arrays:
        return []
    columns = [np.asarray(array) for array in arrays]
    lengths = {column.shape[0] for column in columns}
    if len(lengths) != 1:
        raise WorkbenchError(f"arrays to plot together differ in length: {sorted(lengths)}")
    keep = sample_rows(lengths.pop(), max_points, seed)
    return [column[keep] for column in columns]
