"""Feature importance of a run: permutation importance on held-out rows, and the model's own
(tree impurity decrease, XGBoost gain) where it has one. Runs as a job, in a child process.

Decisions:
- Permutation importance uses the run's final fitted pipeline on rows it never trained on:
  the held-out test rows when the run has them; else the out-of-fold rows, which the final
  pipeline did see (it was fitted on every development row), so those numbers lean
  optimistic. The `data` column says which. Refitting per fold would be faithful but costs a
  full cross-validation again.
- ORIGINAL columns are permuted (the pipeline takes them), so a one-hot encoded column is
  permuted as a whole and names are the user's column names. The algorithm is
  scikit-learn's permutation_importance step for step (same seed -> same numbers), written
  out so a job can report progress and honour a cancel between columns. Importance is the
  drop in the run's metric (losses negated first, so bigger always means more important).
- Built-in importance is per transformed feature (`get_feature_names_out` of the chain), and
  also summed back to the original column each feature came from, where that is known.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from workbench.core.errors import WorkbenchError
from workbench.core.explain.features import feature_columns, output_feature_names
from workbench.core.progress import NEVER_CANCELLED, CancelToken, ProgressFn, no_progress
from workbench.core.runs.cache import IMPORTANCE_FILE, read_cache, write_cache
from workbench.core.runs.loaded import LoadedRun

COLUMNS = (
    "kind", "feature", "column", "importance", "std", "data", "metric", "rows", "repeats", "seed",
)  # fmt: skip
PERMUTATION = "permutation"
BUILTIN = "builtin"  # per transformed feature
BUILTIN_COLUMN = "builtin_column"  # summed per original column
# Enough rows for a stable ranking; a million-row test set would take minutes per column.
DEFAULT_MAX_ROWS = 50_000


def compute_importance(
    run: LoadedRun,
    repeats: int = 5,
    seed: int = 0,
    progress: ProgressFn = no_progress,
    cancel: CancelToken = NEVER_CANCELLED,
    max_rows: int | None = DEFAULT_MAX_ROWS,
    use_cache: bool = True,
) -> pd.DataFrame:
    """Permutation and built-in importance of the run, cached in runs/<run_id>/importance.parquet.

    One frame, rows of three `kind`s: "permutation" (one per original column: `importance`
    the mean drop in the run's metric over `repeats` shuffles, `std` its spread), "builtin"
    (one per transformed feature, `column` the original column or None) and
    "builtin_column" (built-in importance summed per original column); `std` is NaN for the
    built-in rows. `data`: "test" or "oof" (which rows were permuted) or "model". `metric`:
    the run's metric, or what the built-in number is ("impurity" / "total_gain"). At most
    `max_rows` rows are used (a seeded draw; None = all). Sorted by kind, then importance.
    """
    if repeats < 1:
        raise WorkbenchError(f"permutation importance needs at least 1 repeat, got {repeats}")
    if max_rows is not None and max_rows < 2:
        raise WorkbenchError(f"permutation importance needs at least 2 rows, got {max_rows}")
    progress(0.0, "reading the run")
    data, rows = evaluation_rows(run)
    if max_rows is not None and rows.size > max_rows:
        rows = np.sort(np.random.default_rng(seed).choice(rows, size=max_rows, replace=False))
    path = run.cache_file(IMPORTANCE_FILE)
    key = {"repeats": int(repeats), "seed": int(seed), "rows": int(rows.size)}
    if use_cache:
        cached = read_cache(path, key)
        if cached is not None:
            progress(1.0, "importance read from the cache")
            return cached
    cancel.raise_if_cancelled()
    progress(0.02, "loading the fitted pipeline")
    pipeline = run.pipeline
    X = run.X.iloc[rows].reset_index(drop=True)
    y = run.y.iloc[rows].reset_index(drop=True)
    scorer = run_scorer(run, pipeline)
    permutation = permutation_scores(pipeline, X, y, scorer, repeats, seed, progress, cancel)
    parts = [
        _permutation_rows(permutation, X.columns, data, run.spec.metric),
        builtin_importance(pipeline, list(X.columns)),
    ]
    frame = pd.concat([part for part in parts if not part.empty], ignore_index=True)
    frame["rows"] = np.int64(rows.size)
    frame["repeats"] = np.int64(repeats)
    frame["seed"] = np.int64(seed)
    frame = frame[list(COLUMNS)]
    write_cache(path, frame)
    progress(1.0, "importance done")
    return frame


def importance_job(
    project_root: str | Path,
    run_id: str,
    progress: ProgressFn = no_progress,
    cancel: CancelToken = NEVER_CANCELLED,
) -> pd.DataFrame:
    """The Results panel's job: compute_importance of a run, with its defaults. A module-level
    function of plain arguments, so a child process imports it by name."""
    with LoadedRun.open(project_root, run_id) as run:
        return compute_importance(run, progress=progress, cancel=cancel)


def evaluation_rows(run: LoadedRun) -> tuple[str, np.ndarray]:
    """("test", the test rows) when the run has a test set, else ("oof", every oof row): the
    rows importance and explanations are measured on."""
    data, rows = "test", run.test_rows()
    if run.test is None:
        data, rows = "oof", run.development_rows()
    if rows.size < 2:
        raise WorkbenchError(f"run '{run.run_id}' has {rows.size} {data} rows; need 2+")
    if rows.max() >= len(run.X):
        raise WorkbenchError(
            f"run '{run.run_id}' predicted row {rows.max()}, but the data has {len(run.X)} rows"
        )
    return data, rows


def run_scorer(run: LoadedRun, pipeline: Any) -> Any:
    """The scikit-learn scorer of the run's metric, as the run's search used it."""
    from sklearn.metrics import check_scoring

    from workbench.core.metrics.scores import sklearn_scorer

    scoring = sklearn_scorer(run.spec.metric, run.task, run.positive)
    return check_scoring(pipeline, scoring=scoring)


def permutation_scores(
    estimator: Any,
    X: pd.DataFrame,
    y: pd.Series,
    scorer: Any,
    repeats: int,
    seed: int,
    progress: ProgressFn = no_progress,
    cancel: CancelToken = NEVER_CANCELLED,
) -> np.ndarray:
    """Importance per column and repeat, shape (n_columns, repeats): baseline score minus
    the score with that column shuffled. The same shuffles as scikit-learn's
    permutation_importance(random_state=seed): one seed drawn from `seed`, every column
    restarting from it, each repeat shuffling the previous repeat's order again.

    When the pipeline is the workbench's (column-wise preparation, then a ColumnTransformer
    whose every branch reads one column), the chain runs once: shuffling a column's rows
    shuffles the same rows of its branch's outputs, so only the model predicts per repeat.
    The baseline is computed both ways and must agree exactly, else every repeat runs the
    whole pipeline.
    """
    baseline = scorer(estimator, X, y)
    column_seed = np.random.RandomState(seed).randint(np.iinfo(np.int32).max + 1)
    fast = _prepared_matrix(estimator, X)
    if fast is not None and scorer(fast.tail, fast.matrix, y) != baseline:
        fast = None
    result = np.empty((X.shape[1], repeats), dtype=np.float64)
    for index, name in enumerate(X.columns):
        cancel.raise_if_cancelled()
        progress(0.05 + 0.9 * index / X.shape[1], f"permuting '{name}'")
        state = np.random.RandomState(column_seed)
        order = np.arange(X.shape[0])
        if fast is not None:
            span = fast.outputs.get(str(name))
            matrix = fast.matrix.copy()
            for repeat in range(repeats):
                state.shuffle(order)
                if span is not None:
                    _shuffle_rows(matrix, span, order)
                result[index, repeat] = baseline - scorer(fast.tail, matrix, y)
            continue
        permuted = X.copy()
        for repeat in range(repeats):
            state.shuffle(order)
            column = permuted.iloc[order, index]
            column.index = permuted.index
            permuted[name] = column
            result[index, repeat] = baseline - scorer(estimator, permuted, y)
    return result


def _shuffle_rows(matrix: np.ndarray | pd.DataFrame, span: slice, order: np.ndarray) -> None:
    """Reorder the rows of the `span` columns in place, by `order`."""
    if isinstance(matrix, np.ndarray):
        matrix[:, span] = matrix[order, span]
        return
    for position in range(*span.indices(matrix.shape[1])):
        # Column by column, so each keeps its dtype (the chain may give mixed ones).
        column = matrix.iloc[order, position]
        column.index = matrix.index
        matrix.isetitem(position, column)


@dataclass(frozen=True)
class _Prepared:
    """The chain's output for some rows, the steps after it, and each input column's outputs."""

    matrix: np.ndarray | pd.DataFrame
    tail: Any
    outputs: dict[str, slice]


def _prepared_matrix(pipeline: Any, X: pd.DataFrame) -> _Prepared | None:
    """The pipeline split at its ColumnTransformer, when shuffling an input column is exactly
    shuffling the rows of its outputs; None otherwise (the caller then runs it whole)."""
    from sklearn.compose import ColumnTransformer
    from sklearn.pipeline import Pipeline

    from workbench.core.chain.compile import PrepareColumns
    from workbench.core.pipeline import Float32Numbers

    steps = _flat_steps(pipeline)
    split = next((i for i, (_, s) in enumerate(steps) if isinstance(s, ColumnTransformer)), None)
    if split is None or split == len(steps) - 1:
        return None
    # Only steps known to work column by column may come before it.
    if not all(isinstance(s, Float32Numbers | PrepareColumns) for _, s in steps[:split]):
        return None
    columns = steps[split][1]
    outputs: dict[str, slice] = {}
    for name, transformer, chosen in columns.transformers_:
        if isinstance(transformer, str) and transformer == "drop":
            continue
        if not isinstance(chosen, list | tuple) or len(chosen) != 1 or str(chosen[0]) in outputs:
            if not (name == "remainder" and len(chosen) == 0):
                return None
            continue
        outputs[str(chosen[0])] = columns.output_indices_[name]
    frame = X
    for _, step in steps[:split]:
        frame = step.transform(frame)
    matrix = columns.transform(frame)
    if not isinstance(matrix, np.ndarray | pd.DataFrame) or matrix.shape[0] != len(X):
        return None
    after = steps[split + 1 :]
    tail = after[0][1] if len(after) == 1 else Pipeline(after)
    return _Prepared(matrix, tail, outputs)


def _flat_steps(pipeline: Any) -> list[tuple[str, Any]]:
    """The pipeline's steps with nested pipelines opened up, in order."""
    from sklearn.pipeline import Pipeline

    flat = []
    for name, step in pipeline.steps:
        flat.extend(_flat_steps(step) if isinstance(step, Pipeline) else [(name, step)])
    return flat


def _permutation_rows(
    scores: np.ndarray, columns: pd.Index, data: str, metric: str
) -> pd.DataFrame:
    frame = pd.DataFrame(
        {
            "kind": PERMUTATION,
            "feature": [str(c) for c in columns],
            "column": [str(c) for c in columns],
            "importance": scores.mean(axis=1),
            "std": scores.std(axis=1),
            "data": data,
            "metric": metric,
        }
    )
    return frame.sort_values("importance", ascending=False, kind="stable")


def builtin_importance(pipeline: Any, original: list[str]) -> pd.DataFrame:
    """The model's own importance per transformed feature and summed per original column;
    an empty frame when the model has none (linear models, k-NN, SVMs...)."""
    from workbench.core.models.factories import XGBClassifierLabels, XGBRegressorDense

    model = pipeline.steps[-1][1]
    names = output_feature_names(pipeline)
    if isinstance(model, XGBClassifierLabels | XGBRegressorDense):
        # The wrapper fed XGBoost a plain matrix: the booster names features f0, f1, ...
        gains = model.model_.get_booster().get_score(importance_type="total_gain")
        values = np.array([gains.get(f"f{i}", 0.0) for i in range(len(names))], dtype=float)
        total = values.sum()
        values = values / total if total > 0 else values
        measure = "total_gain"
    elif hasattr(model, "feature_importances_"):
        values = np.asarray(model.feature_importances_, dtype=float)
        measure = "impurity"
    else:
        return pd.DataFrame(columns=[c for c in COLUMNS if c not in ("rows", "repeats", "seed")])
    if len(values) != len(names):
        names = [f"feature {i}" for i in range(len(values))]
    columns = feature_columns(pipeline, names, original)
    per_feature = pd.DataFrame(
        {
            "kind": BUILTIN,
            "feature": names,
            "column": columns,
            "importance": values,
            "std": np.nan,
            "data": "model",
            "metric": measure,
        }
    )
    known = per_feature[per_feature["column"].notna()]
    per_column = (
        known.groupby("column", sort=False)["importance"]
        .sum()
        .reset_index()
        .assign(kind=BUILTIN_COLUMN, std=np.nan, data="model", metric=measure)
    )
    per_column["feature"] = per_column["column"]
    parts = [
        per_feature.sort_values("importance", ascending=False, kind="stable"),
        per_column[per_feature.columns].sort_values("importance", ascending=False, kind="stable"),
    ]
    return pd.concat(parts, ignore_index=True)
