"""Learning curve of a run: its scores as the model gets more of each fold's training rows.
Runs as a job, in a child process.

Decisions:
- The pipeline is rebuilt from the run's spec exactly as training built it (same chain, model,
  parameters, best search parameters, seed, early stopping, ROWS steps): a curve of some other
  pipeline would explain nothing about this run.
- The folds are planned again from the run's split spec and seed, and checked against the
  run's out-of-fold file: if they no longer match (the split code changed), the curve is
  refused rather than drawn on other rows.
- A size is a fraction of each fold's training rows, drawn with the run's seed, the smaller
  sets nested in the larger ones; size 1.0 repeats the run's own fold fits (same scores).
- A fit that fails (a tiny fraction holding one class) gives NaN scores and its message in
  `error`; the other points are still drawn. Cancel is honoured between fits.
"""

from __future__ import annotations

import math
import os
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from workbench.core.errors import WorkbenchError
from workbench.core.progress import NEVER_CANCELLED, Cancelled, CancelToken, ProgressFn, no_progress
from workbench.core.runs.cache import LEARNING_CURVE_FILE, read_cache, write_cache
from workbench.core.runs.loaded import LoadedRun

DEFAULT_SIZES = (0.1, 0.25, 0.5, 0.75, 1.0)
COLUMNS = ("size", "rows", "fold", "train_score", "validation_score", "metric", "error", "sizes")


def compute_learning_curve(
    run: LoadedRun,
    sizes: Sequence[float] = DEFAULT_SIZES,
    progress: ProgressFn = no_progress,
    cancel: CancelToken = NEVER_CANCELLED,
    use_cache: bool = True,
) -> pd.DataFrame:
    """Train and validation score of the run's metric per fold and training size, cached in
    runs/<run_id>/learning_curve.parquet.

    One row per (size, fold): `size` the fraction of the fold's training rows, `rows` how
    many that was, `train_score` on those rows, `validation_score` on the fold's validation
    rows, `metric` the run's metric, `error` "" or why the fit failed (scores NaN then),
    `sizes` the requested sizes as text (the cache key). Sorted by size, then fold.
    """
    wanted = _check_sizes(sizes)
    key = {"sizes": ",".join(f"{size:g}" for size in wanted)}
    path = run.cache_file(LEARNING_CURVE_FILE)
    progress(0.0, "reading the run")
    if use_cache:
        cached = read_cache(path, key)
        if cached is not None:
            progress(1.0, "learning curve read from the cache")
            return cached
    template, settings = run_template(run)
    folds = run_folds(run)
    positive = run.positive
    total = len(folds) * len(wanted)
    rows = []
    with _thread_limit(run.spec.n_jobs):
        for fold, (train_rows, valid_rows) in enumerate(folds):
            for size in wanted:
                cancel.raise_if_cancelled()
                done = len(rows)
                progress(
                    0.05 + 0.95 * done / total,
                    f"fit {done + 1} of {total}: fold {fold + 1}, {size:.0%} of its training rows",
                )
                rows.append(
                    _point(run, template, settings, positive, fold, size, train_rows, valid_rows)
                )
    frame = pd.DataFrame(rows, columns=list(COLUMNS[:-1])).assign(**key)
    frame = frame.astype({"size": "float64", "rows": "int64", "fold": "int64"})
    frame = frame.sort_values(["size", "fold"], kind="stable").reset_index(drop=True)
    write_cache(path, frame)
    progress(1.0, "learning curve done")
    return frame


def learning_curve_job(
    project_root: str | Path,
    run_id: str,
    sizes: Sequence[float] = DEFAULT_SIZES,
    progress: ProgressFn = no_progress,
    cancel: CancelToken = NEVER_CANCELLED,
) -> pd.DataFrame:
    """The Results panel's job: compute_learning_curve of a run. A module-level function of
    plain arguments, so a child process imports it by name."""
    with LoadedRun.open(project_root, run_id) as run:
        return compute_learning_curve(run, sizes, progress=progress, cancel=cancel)


def _thread_limit(n_jobs: int | None) -> Any:
    """The run's core limit on OpenMP and BLAS threads too, as training applied it."""
    from contextlib import nullcontext

    from threadpoolctl import threadpool_limits

    return nullcontext() if n_jobs is None else threadpool_limits(limits=int(n_jobs))


def _check_sizes(sizes: Sequence[float]) -> list[float]:
    values = sorted({float(size) for size in sizes})
    if not values:
        raise WorkbenchError("a learning curve needs at least one training size")
    bad = [size for size in values if not (0.0 < size <= 1.0)]
    if bad:
        raise WorkbenchError(
            f"training sizes are fractions of the training rows, above 0 and at most 1; "
            f"got {bad[0]:g}"
        )
    return values


def _point(
    run: LoadedRun,
    template: Any,
    settings: Any,
    positive: Any,
    fold: int,
    size: float,
    train_rows: np.ndarray,
    valid_rows: np.ndarray,
) -> list[Any]:
    """One fit on `size` of the fold's training rows, scored on them and on its validation."""
    from workbench.core.train.fit import fit_one, predict, scores

    chosen = training_subset(train_rows, size, settings.seed)
    X, y, metric = run.X, run.y, run.spec.metric
    try:
        fitted = fit_one(template, X.iloc[chosen], y.iloc[chosen], settings)
        on_train = predict(fitted, X.iloc[chosen], settings.task)
        on_valid = predict(fitted, X.iloc[valid_rows], settings.task)
        train = scores(settings.task, y.iloc[chosen], on_train, positive).get(metric, math.nan)
        valid = scores(settings.task, y.iloc[valid_rows], on_valid, positive).get(metric, math.nan)
        error = ""
    except (Cancelled, KeyboardInterrupt):
        raise
    except Exception as error_value:  # one failed point must not lose the others
        train = valid = math.nan
        text = str(error_value).strip().splitlines()
        error = f"{type(error_value).__name__}: {text[0]}" if text else type(error_value).__name__
    return [size, int(chosen.size), fold, float(train), float(valid), metric, error]


def training_subset(rows: np.ndarray, size: float, seed: int) -> np.ndarray:
    """`size` of `rows` (at least 2), sorted: the first rows of one seeded shuffle, so every
    smaller set is inside every larger one and the curve shows more data, not other data."""
    count = min(rows.size, max(2, round(size * rows.size)))
    if count == rows.size:
        return rows
    return np.sort(rows[np.random.default_rng(seed).permutation(rows.size)[:count]])


def run_template(run: LoadedRun) -> tuple[Any, Any]:
    """The run's unfitted pipeline and fit settings, built as training built them."""
    from sklearn.base import clone

    from workbench.core.chain.resolve import resolve_chain
    from workbench.core.chain.stages import model_options
    from workbench.core.pipeline import build_pipeline
    from workbench.core.specs import ModelSpec
    from workbench.core.train.fit import FitSettings

    spec = run.spec
    # The user's chain drives the row and model steps, as in training; the pipeline holds the
    # compiled chain the run recorded (the model's default steps included).
    chain = resolve_chain(spec.chain.user, run.features, spec.target)
    model = run.model
    n_jobs = spec.n_jobs if spec.n_jobs is not None else (os.cpu_count() or 1)
    template = build_pipeline(
        run.resolved_chain,
        ModelSpec(model.name, dict(spec.model.params)),
        run.task,
        spec.seed,
        n_jobs,
        model_options(chain),
    )
    # The search's winning parameters, logged as best.<name>, go on top as training put them.
    best = {
        name[len("best.") :]: value
        for name, value in run.record.params.items()
        if name.startswith("best.")
    }
    if best:
        template = clone(template).set_params(**{f"model__{k}": v for k, v in best.items()})
    settings = FitSettings(chain, run.task, spec.seed, spec.early_stopping)
    return template, settings


def run_folds(run: LoadedRun) -> list[tuple[np.ndarray, np.ndarray]]:
    """The run's (training, validation) rows per fold, planned again and checked against the
    run's out-of-fold predictions."""
    from workbench.core.train.splits import plan_split

    spec = run.spec
    plan = plan_split(run.training_frame, spec.target, run.task, spec.split, spec.seed)
    oof = run.oof
    for fold, (_, valid_rows) in enumerate(plan.folds):
        logged = np.sort(oof.loc[oof["fold"] == fold, "row"].to_numpy(dtype=np.int64))
        if not np.array_equal(logged, valid_rows):
            raise WorkbenchError(
                f"the validation folds of run '{run.run_id}' cannot be planned again "
                f"(fold {fold + 1} differs from the run's predictions); retrain it to draw a "
                "learning curve"
            )
    if len(plan.folds) != int(oof["fold"].nunique()):
        raise WorkbenchError(
            f"run '{run.run_id}' had {oof['fold'].nunique()} folds, the plan now "
            f"{len(plan.folds)}; retrain it to draw a learning curve"
        )
    return list(plan.folds)
