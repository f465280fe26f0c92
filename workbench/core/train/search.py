"""Search candidates and the successive-halving schedule.

The runner evaluates each candidate itself, fold by fold on the plan's folds, instead of
handing the search to GridSearchCV / RandomizedSearchCV / HalvingRandomSearchCV: those cannot
stop on a time budget, report each trial, honour a cancel between trials, apply ROWS steps to
each fold's training rows, or keep the winner's per-fold scores and out-of-fold predictions
without refitting it. Candidates still come from scikit-learn's ParameterGrid (grid) or from
the registry's ranges (random and halving: log ranges sampled on a log scale), seeded.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np

from workbench.core.models.registry import Tunable

HALVING_FACTOR = 3
# The first halving round still fits on at least this many rows per fold.
HALVING_MIN_ROWS = 50


def starting_points(
    starts: Sequence[Mapping[str, Any]], space: Mapping[str, Tunable], base: Mapping[str, Any]
) -> list[dict[str, Any]]:
    """A model's starting points (ModelDef.tuning_starts) as parameter sets of `space`: each
    start's values for the tuned settings, `base` (the model's settings as set) filling what a
    start leaves out; a start with a value outside the space (a user's narrower range) is left
    out, as is one that repeats another."""
    points: list[dict[str, Any]] = []
    for start in starts:
        point = {name: start.get(name, base.get(name)) for name in space}
        inside = all(name in start or name in base for name in space) and all(
            space[name].contains(value) for name, value in point.items()
        )
        if inside and point not in points:
            points.append(point)
    return points


def candidates(
    sampling: str,
    space: Mapping[str, Tunable],
    n_trials: int,
    seed: int,
    first: Sequence[Mapping[str, Any]] = (),
) -> list[dict[str, Any]]:
    """The parameter sets to try, in order, at most `n_trials` of them (a grid is cut short in
    its own order when it is larger), without repeats. A random search tries the sets `first`
    (the model's starting points) before its draws: on small tables a boosting model's default
    settings overfit, and a few random draws may never come near the slow-learning small trees
    that do well there (see ModelDef.tuning_starts)."""
    if not space or n_trials < 1:
        return []
    if sampling == "grid":
        from sklearn.model_selection import ParameterGrid

        grid = ParameterGrid({name: list(tunable.grid()) for name, tunable in space.items()})
        found = [dict(params) for params in grid]
    else:
        rng = np.random.default_rng(seed)
        found = [dict(point) for point in first][:n_trials]
        # Small discrete spaces run out of new sets: stop after a few times the budget.
        for _ in range(n_trials * 10):
            if len(found) >= n_trials:
                break
            params = {name: tunable.sample(rng) for name, tunable in space.items()}
            if params not in found:
                found.append(params)
    return found[:n_trials]


def halving_rounds(n_candidates: int) -> list[tuple[int, float]]:
    """(candidates kept, share of each fold's training rows) per round: a third survives each
    round, the last round has one candidate on all rows."""
    if n_candidates <= 1:
        return [(n_candidates, 1.0)]
    rounds = 1 + math.ceil(math.log(n_candidates) / math.log(HALVING_FACTOR) - 1e-9)
    schedule = []
    for index in range(rounds):
        kept = max(1, math.ceil(n_candidates / HALVING_FACTOR**index))
        schedule.append((kept, float(HALVING_FACTOR ** (index - rounds + 1))))
    return schedule


def subsample(rows: np.ndarray, share: float, seed: int) -> np.ndarray:
    """A seeded random `share` of `rows` (sorted), never fewer than HALVING_MIN_ROWS."""
    if share >= 1.0:
        return rows
    count = min(rows.size, max(HALVING_MIN_ROWS, round(share * rows.size)))
    picked = np.random.default_rng(seed).permutation(rows.size)[:count]
    return np.sort(rows[picked])
