"""Shapley values of any model, estimated by sampling permutations of the ORIGINAL columns.

For models without trees (logistic regression, SVMs, k-nearest neighbours, naive Bayes...)
and for tree models whose chain mixes columns.

Decisions:
- The players are the columns the pipeline takes, not its transformed features: a one-hot
  encoded column joins or leaves a coalition whole, so each value belongs to a column by
  construction and nothing is summed back.
- Interventional Shapley values over a background sample (Strumbelj & Kononenko 2014; shap's
  PermutationExplainer): a column "absent" from a coalition takes the background rows'
  values, and a coalition's worth is the mean prediction over the background. Along one
  permutation the columns are switched to the explained row's values one at a time and each
  is credited with the change it makes; the credits telescope, so along every permutation
  they add up to f(row) - mean f(background). Averaged over permutations they still do:
  base value + contributions = the model's output for every row, by construction.
- Antithetic sampling: each permutation is also walked in reverse, which cancels much of the
  order's noise for the same number of model calls. For a model additive in the columns
  (linear regression on scaled or one-hot columns) every permutation gives the same credit,
  so the estimate is exact.
- Seeded per row (the seed and the row's id), so a row's values do not depend on which other
  rows were sampled with it; the background sample is drawn from the seed too.
- No dependency: numpy, pandas and the pipeline's own predict. The coalitions of several
  rows go to the model in one call (at most `ROWS_PER_CALL` rows): a workbench pipeline
  spends ~45 ms a call on its own stages whatever the rows, so packing them halves the time.
  Cancel is honoured between calls.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
import pandas as pd

from workbench.core.errors import WorkbenchError
from workbench.core.progress import NEVER_CANCELLED, CancelToken, ProgressFn, no_progress

DEFAULT_PERMUTATIONS = 10
DEFAULT_BACKGROUND_ROWS = 50
# Rows of one prediction call: the stacked coalitions of a few permutations.
ROWS_PER_CALL = 50_000

# The model's outputs for a frame of original columns, shape (rows, outputs).
Predict = Callable[[pd.DataFrame], np.ndarray]


@dataclass(frozen=True)
class SampledContributions:
    """`base` (outputs,): the mean output over the background; `values` (rows, outputs,
    columns); `raw` (rows, outputs): the output for each row = base + values summed."""

    base: np.ndarray
    values: np.ndarray
    raw: np.ndarray


def sampled_contributions(
    predict: Predict,
    X: pd.DataFrame,
    background: pd.DataFrame,
    permutations: int = DEFAULT_PERMUTATIONS,
    seed: int = 0,
    progress: ProgressFn = no_progress,
    cancel: CancelToken = NEVER_CANCELLED,
) -> SampledContributions:
    """Estimated Shapley values of `predict` for each row of `X` over its columns, with
    `background` (same columns) standing in for absent columns. `permutations` is rounded up
    to an even number (each is walked both ways). X's index holds the rows' ids."""
    if permutations < 1:
        raise WorkbenchError(f"the estimate needs at least 1 permutation, got {permutations}")
    if len(background) < 1:
        raise WorkbenchError("the estimate needs at least 1 background row")
    if list(background.columns) != list(X.columns):
        raise WorkbenchError("the background rows must have the explained rows' columns")
    pool = pd.concat([background, X], ignore_index=True)
    base = _outputs(predict, background).mean(axis=0)
    raw = _outputs(predict, X)
    width, n_background, rows = X.shape[1], len(background), len(X)
    values = np.zeros((rows, raw.shape[1], width))
    if width == 1:  # one player: it gets the whole difference
        values[:, :, 0] = raw - base
        return SampledContributions(base, values, raw)
    orders = np.stack([_permutations(width, permutations, seed, row) for row in X.index])
    # worth[i, p, j]: mean output with the first j columns of row i's order p switched.
    worth = np.empty((rows, orders.shape[1], width + 1, raw.shape[1]))
    worth[:, :, 0], worth[:, :, width] = base, raw[:, None, :]
    # One model call evaluates as many (row, order) walks as fit in ROWS_PER_CALL rows.
    walks = [(i, p) for i in range(rows) for p in range(orders.shape[1])]
    per_call = max(1, ROWS_PER_CALL // ((width - 1) * n_background))
    for start in range(0, len(walks), per_call):
        cancel.raise_if_cancelled()
        chunk = walks[start : start + per_call]
        first = chunk[0][0]
        progress(start / len(walks), f"explaining row {first + 1} of {rows}")
        at, order = np.array([i for i, _ in chunk]), np.array([p for _, p in chunk])
        frame = _coalitions(pool, orders[at, order], n_background, n_background + at)
        means = _outputs(predict, frame).reshape(len(chunk), width - 1, n_background, -1)
        worth[at, order, 1:width] = means.mean(axis=2)
    credit = np.diff(worth, axis=2)  # (rows, orders, columns in walk order, outputs)
    for i in range(rows):
        totals = np.zeros((width, raw.shape[1]))
        np.add.at(totals, orders[i].ravel(), credit[i].reshape(-1, raw.shape[1]))
        values[i] = (totals / orders.shape[1]).T
    progress(1.0, "rows explained")
    return SampledContributions(base, values, raw)


def _outputs(predict: Predict, frame: pd.DataFrame) -> np.ndarray:
    values = np.asarray(predict(frame), dtype=np.float64)
    return values.reshape(-1, 1) if values.ndim == 1 else values


def _permutations(width: int, count: int, seed: int, row_id: object) -> np.ndarray:
    """`count` (rounded up to even) orders of the columns: random ones and their reverses."""
    rng = np.random.default_rng([seed, _row_key(row_id)])
    forward = np.stack([rng.permutation(width) for _ in range((count + 1) // 2)])
    return np.concatenate([forward, forward[:, ::-1]])


def _row_key(row_id: object) -> int:
    try:
        return abs(int(row_id))  # type: ignore[call-overload]
    except (TypeError, ValueError):
        raise WorkbenchError(
            f"rows to explain are named by their position in the data, not {row_id!r}"
        ) from None


def _coalitions(
    pool: pd.DataFrame, orders: np.ndarray, n_background: int, rows: np.ndarray
) -> pd.DataFrame:
    """For each walk (an order of the columns and the pool position of its explained row)
    and each step 1..width-1 along it, the background rows with the first `step` columns of
    the order set to the row's values, stacked: (walks, steps, background rows)."""
    walks, width = orders.shape
    # rank[w, c]: where column c comes in walk w's order; it is switched at steps > rank.
    rank = np.argsort(orders, axis=1)
    steps = np.arange(1, width)
    background = np.tile(np.arange(n_background), walks * (width - 1))
    explained = np.repeat(rows, (width - 1) * n_background)
    columns = {}
    for c, name in enumerate(pool.columns):
        switched = rank[:, c, None] < steps[None, :]  # (walks, steps)
        source = np.where(np.repeat(switched.ravel(), n_background), explained, background)
        columns[name] = pool[name].iloc[source].reset_index(drop=True)
    return pd.DataFrame(columns)
