"""SHAP values of a fitted workbench pipeline on some rows, per ORIGINAL column.

`explain_predictions(pipeline, X, task)` is the one entry: exact TreeSHAP for tree models
(tree_contributions.py: XGBoost, histogram gradient boosting, random forest, extra trees,
decision trees), a seeded permutation estimate for every other model (sampled_contributions.py).
The result, `ShapExplanation`, is a frozen value that round-trips to JSON.

Decisions:
- Reported per original column. Tree values are computed per transformed feature (the matrix
  the model was fitted on) and summed back to the column each feature came from, with the one
  mapping built-in importance also uses (features.feature_columns): the one-hot outputs of
  `sex` add up to `sex`. Shapley values are additive over the players merged this way, so
  base value + contributions is unchanged. When a feature mixes columns (PCA, polynomial
  products) no such sum exists; the pipeline is then explained by the sampling estimate over
  its original columns instead, and `note` says why.
- What `raw_prediction` is (`output`), per model family, so that base value + contributions
  = raw prediction for every row:
  "log_odds" of the positive class: binary XGBoost and histogram gradient boosting;
  "margin" (each class's score before the softmax): multiclass XGBoost and histogram boosting;
  "probability" of the positive class (binary) or of each class (multiclass): random forests,
  extra trees and decision trees (their output is an average of leaf probabilities) and every
  model explained by sampling (k-NN and naive Bayes give probabilities of exactly 0 or 1, whose
  log-odds are infinite);
  "value": every regression model.
- Exactness: tree values equal shap's TreeExplainer (tree_path_dependent) to float32
  precision, XGBoost's arithmetic; sampled values are an estimate whose sum is exact.
- Columns the chain drops get 0, so every explanation lists the same columns as the data.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from workbench.core.errors import WorkbenchError
from workbench.core.explain.features import feature_columns, output_feature_names
from workbench.core.explain.outputs import Outputs, by_output, model_outputs, per_output
from workbench.core.explain.sampled_contributions import (
    DEFAULT_BACKGROUND_ROWS,
    DEFAULT_PERMUTATIONS,
    sampled_contributions,
)
from workbench.core.explain.tree_contributions import (
    PROBABILITY,
    VALUE,
    FeatureContributions,
    is_tree_model,
    tree_contributions,
)
from workbench.core.kinds import TaskType
from workbench.core.progress import (
    NEVER_CANCELLED,
    CancelToken,
    ProgressFn,
    no_progress,
    sub_progress,
)

TREE_EXACT = "tree_exact"
PERMUTATION_SAMPLING = "permutation_sampling"
METHODS = (TREE_EXACT, PERMUTATION_SAMPLING)


@dataclass(frozen=True)
class OutputContributions:
    """One output (the positive class, a class, or the regression value) explained:
    `raw_prediction[i]` = `base_value` + sum of `contributions[i]` (one per column)."""

    label: str
    base_value: float
    raw_prediction: tuple[float, ...]
    contributions: tuple[tuple[float, ...], ...]


@dataclass(frozen=True)
class ShapExplanation:
    """SHAP values of some rows. `rows`: the rows' ids (their positions in the run's data);
    `columns`: the original columns; `outputs`: one entry for a regression or a binary task
    (its positive class), one per class for multiclass. `method`: TREE_EXACT or
    PERMUTATION_SAMPLING; `output`: what raw_prediction is ("log_odds", "margin",
    "probability", "value"); `note`: why a tree model was sampled, else empty."""

    method: str
    output: str
    columns: tuple[str, ...]
    rows: tuple[int, ...]
    outputs: tuple[OutputContributions, ...]
    note: str = ""
    permutations: int | None = None
    background_rows: int | None = None
    seed: int | None = None

    @property
    def labels(self) -> tuple[str, ...]:
        return tuple(output.label for output in self.outputs)

    def matrix(self, output: int = 0) -> np.ndarray:
        """Contributions of one output, shape (rows, columns)."""
        values = self.outputs[output].contributions
        return np.asarray(values, dtype=np.float64).reshape(len(self.rows), len(self.columns))

    def importance(self) -> dict[str, float]:
        """Mean |SHAP| per column, most important first; for multiclass the per-class means
        added up (how much the column moves the scores of all classes together)."""
        total = sum(np.abs(self.matrix(k)).mean(axis=0) for k in range(len(self.outputs)))
        ranked = sorted(zip(self.columns, np.atleast_1d(total), strict=True), key=_by_size)
        return {column: float(value) for column, value in ranked}

    def waterfall(self, position: int, output: int = 0, top: int = 10) -> list[tuple[str, float]]:
        """One row's path from the base value to its prediction: the `top` columns by |value|
        (largest first) and, when more columns moved it, their sum as "N other columns"."""
        values = self.matrix(output)[position]
        order = sorted(range(len(self.columns)), key=lambda c: -abs(values[c]))
        steps = [(self.columns[c], float(values[c])) for c in order[:top]]
        rest = order[top:]
        if rest:
            steps.append((f"{len(rest)} other columns", float(values[rest].sum())))
        return steps

    def to_dict(self) -> dict[str, Any]:
        """The `shap` section of `workbench explain --json`: `base_value` and `rows`, each
        {row, raw_prediction, contributions: {column: value}}; single values for a regression
        or a binary task, {class: ...} mappings for multiclass."""
        labels = self.labels
        rows = []
        for i, row in enumerate(self.rows):
            raw = [output.raw_prediction[i] for output in self.outputs]
            parts = [dict(zip(self.columns, o.contributions[i], strict=True)) for o in self.outputs]
            rows.append(
                {
                    "row": row,
                    "raw_prediction": by_output(labels, raw),
                    "contributions": by_output(labels, parts),
                }
            )
        return {
            "method": self.method,
            "output": self.output,
            "outputs": list(labels),
            "columns": list(self.columns),
            "base_value": by_output(labels, [o.base_value for o in self.outputs]),
            "rows": rows,
            "note": self.note,
            "permutations": self.permutations,
            "background_rows": self.background_rows,
            "seed": self.seed,
        }

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> ShapExplanation:
        try:
            labels = [str(label) for label in data["outputs"]]
            columns = tuple(str(column) for column in data["columns"])
            rows = data["rows"]
            base = per_output(labels, data["base_value"])
            raws = [per_output(labels, row["raw_prediction"]) for row in rows]
            parts = [per_output(labels, row["contributions"]) for row in rows]
            outputs = tuple(
                OutputContributions(
                    label,
                    float(base[k]),
                    tuple(float(raw[k]) for raw in raws),
                    tuple(tuple(float(part[k][c]) for c in columns) for part in parts),
                )
                for k, label in enumerate(labels)
            )
            return cls(
                method=str(data["method"]),
                output=str(data["output"]),
                columns=columns,
                rows=tuple(int(row["row"]) for row in rows),
                outputs=outputs,
                note=str(data.get("note", "")),
                permutations=data.get("permutations"),
                background_rows=data.get("background_rows"),
                seed=data.get("seed"),
            )
        except (KeyError, TypeError, ValueError) as error:
            raise WorkbenchError(f"not a SHAP explanation: {error!r}") from None


def _by_size(item: tuple[str, float]) -> float:
    return -float(item[1])


def explain_predictions(
    pipeline: Any,
    X: pd.DataFrame,
    task: TaskType,
    positive: Any = None,
    background: pd.DataFrame | None = None,
    permutations: int = DEFAULT_PERMUTATIONS,
    background_rows: int = DEFAULT_BACKGROUND_ROWS,
    seed: int = 0,
    progress: ProgressFn = no_progress,
    cancel: CancelToken = NEVER_CANCELLED,
) -> ShapExplanation:
    """SHAP values of the fitted `pipeline` (a workbench Pipeline: chain steps, then the
    model) for each row of `X` (the original columns; its index: the rows' positions in the
    run's data).

    Tree models get exact TreeSHAP; others a permutation estimate (`permutations` orders,
    `background_rows` rows drawn with `seed` from `background`, default X itself: pass the
    run's training rows when you have them). `positive`: the positive class of a binary task
    (default: the one binary metrics use).
    """
    task = TaskType(task)
    if len(X) == 0:
        raise WorkbenchError("there are no rows to explain")
    outputs = model_outputs(task, getattr(pipeline, "classes_", None), positive)
    columns = [str(column) for column in X.columns]
    rows = tuple(_row_id(row) for row in X.index)
    cancel.raise_if_cancelled()
    progress(0.0, "preparing the rows")
    exact, note = _exact(pipeline, X, outputs, columns, sub_progress(progress, 0.02, 1.0), cancel)
    if exact is not None:
        base, values, raw, output = exact
        return _explanation(TREE_EXACT, output, columns, rows, outputs, base, values, raw, note)
    pool = X if background is None else background
    if len(pool) > background_rows:
        pool = pool.sample(n=background_rows, random_state=seed)
    sampled = sampled_contributions(
        _predictor(pipeline, task, outputs),
        X,
        pool[X.columns],
        permutations,
        seed,
        sub_progress(progress, 0.02, 1.0),
        cancel,
    )
    output = VALUE if task == TaskType.REGRESSION else PROBABILITY
    return _explanation(
        PERMUTATION_SAMPLING,
        output,
        columns,
        rows,
        outputs,
        sampled.base,
        sampled.values,
        sampled.raw,
        note,
        permutations=permutations + permutations % 2,
        background_rows=len(pool),
        seed=seed,
    )


def _row_id(row: Any) -> int:
    try:
        return int(row)
    except (TypeError, ValueError):
        raise WorkbenchError(
            f"rows to explain are named by their position in the data, not {row!r}"
        ) from None


def _exact(
    pipeline: Any,
    X: pd.DataFrame,
    outputs: Outputs,
    columns: list[str],
    progress: ProgressFn,
    cancel: CancelToken,
) -> tuple[Any, str]:
    """((base, values per column, raw, output kind), "") from TreeSHAP, or (None, why not)."""
    model = pipeline.steps[-1][1]
    if not is_tree_model(model):
        return None, ""
    names = output_feature_names(pipeline)
    sources = feature_columns(pipeline, names, columns)
    mixed = [name for name, source in zip(names, sources, strict=True) if source is None]
    if mixed:
        shown = ", ".join(f"'{name}'" for name in mixed[:3])
        return None, (
            f"the chain's features {shown} mix several columns, so exact tree values cannot "
            "be told per column: estimated by sampling the columns instead"
        )
    features = pipeline[:-1].transform(X)
    if features.shape[1] != len(names):
        return None, "the chain's output has no feature names: estimated by sampling instead"
    positive = outputs.positions[0] if len(outputs.positions) == 1 else None
    found = tree_contributions(model, features, positive, progress, cancel)
    if found is None:
        return None, (
            "the model splits on categories directly, which exact tree values do not "
            "cover: estimated by sampling instead"
        )
    return (found.base, _per_column(found, sources, columns), found.raw, found.output), ""


def _per_column(
    found: FeatureContributions, sources: list[str | None], columns: list[str]
) -> np.ndarray:
    """Feature contributions summed into their source columns: (rows, outputs, columns)."""
    summed = np.zeros((*found.values.shape[:2], len(columns)))
    position = {column: i for i, column in enumerate(columns)}
    for feature, source in enumerate(sources):
        summed[:, :, position[str(source)]] += found.values[:, :, feature]
    return summed


def _predictor(pipeline: Any, task: TaskType, outputs: Outputs) -> Any:
    """The function the sampling estimate explains: the regression's prediction, or the
    probabilities of the explained classes."""
    if task == TaskType.REGRESSION:
        return lambda frame: np.asarray(pipeline.predict(frame), dtype=np.float64)
    positions = list(outputs.positions)
    return lambda frame: np.asarray(pipeline.predict_proba(frame), dtype=np.float64)[:, positions]


def _explanation(
    method: str,
    output: str,
    columns: list[str],
    rows: tuple[int, ...],
    outputs: Outputs,
    base: np.ndarray,
    values: np.ndarray,
    raw: np.ndarray,
    note: str,
    **settings: Any,
) -> ShapExplanation:
    explained = tuple(
        OutputContributions(
            label,
            float(base[k]),
            tuple(float(v) for v in raw[:, k]),
            tuple(tuple(float(v) for v in row) for row in values[:, k, :]),
        )
        for k, label in enumerate(outputs.labels)
    )
    return ShapExplanation(method, output, tuple(columns), rows, explained, note, **settings)
