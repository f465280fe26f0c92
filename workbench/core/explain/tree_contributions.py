"""Exact TreeSHAP contributions of a fitted tree model, per transformed feature, computed by
XGBoost.

Decisions:
- No `shap` at run time. Its TreeExplainer pulls numba and llvmlite (~130 MB) into a laptop
  bundle already over its size budget; no other light, well-kept library computes TreeSHAP
  for scikit-learn's forests (the light ones wrap XGBoost, LightGBM or CatBoost only). XGBoost
  is already a dependency and its C++ `pred_contribs` is exact path-dependent TreeSHAP, the
  algorithm of shap's TreeExplainer (Lundberg et al. 2020): the same values, multi-threaded.
- XGBoost's own models (the workbench's wrappers) are asked directly. A scikit-learn tree
  ensemble (decision tree, random forest, extra trees, histogram gradient boosting) is
  rewritten as an XGBoost model: the same trees, node for node, as a JSON model loaded into a
  Booster. Leaves carry the model's output (a forest's leaf divided by the number of trees),
  node covers are the trees' weighted training counts (what shap uses: scikit-learn's
  `weighted_n_node_samples`, the histogram trees' `count`), missing values follow each node's
  learned direction. One Booster per explained output (class), each a plain regression model
  with base score 0, so its margin is exactly the sum of its leaves.
- Exact splits whatever the dtype. scikit-learn sends a row left when x <= t (x as float32
  for trees and forests, float64 for histogram boosting); XGBoost when x < c, in float32.
  Rounding thresholds would send rows near a split the wrong way, so each feature is recoded
  as its rank among the model's own thresholds for it (how many are below the value): x <= the
  j-th threshold exactly when the rank is below j + 0.5. TreeSHAP depends only on the paths
  rows take, so the contributions are those of the original trees.
- What is explained (`output`), per family, so that base value + contributions = that output:
  XGBoost and histogram gradient boosting: the margin, i.e. "log_odds" of the positive class
  for binary tasks (negated when the positive class is the first one), "margin" of each class
  (before the softmax) for multiclass, "value" for regression. Decision trees, random forests
  and extra trees average leaf probabilities, so for them it is "probability" of the positive
  class (binary) or of each class (multiclass), "value" for regression.
- Precision: XGBoost holds leaves and sums in float32, so the sum matches the model's own
  output to about 1e-6 of its scale, not to the last bit.
- Histogram boosting with categorical splits (`categorical_features`) has no numeric
  threshold to rank; such models return None and are explained by the sampling estimate.
- The trees are read from the fitted models' attributes: `tree_` of scikit-learn's trees, and
  `_predictors` / `_baseline_prediction` of histogram boosting, which scikit-learn keeps
  private (shap reads the same ones). A scikit-learn release that renames them fails the
  tests against shap, not silently.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, replace
from functools import cache
from typing import Any

import numpy as np
import pandas as pd

from workbench.core.errors import WorkbenchError
from workbench.core.progress import (
    NEVER_CANCELLED,
    CancelToken,
    ProgressFn,
    no_progress,
    sub_progress,
)

LOG_ODDS = "log_odds"
MARGIN = "margin"
PROBABILITY = "probability"
VALUE = "value"
# Rows per pred_contribs call: a cancel is honoured within one chunk.
ROWS_PER_CHUNK = 64
# XGBoost reads ranks as float32: exact below 2**24.
_MAX_THRESHOLDS = 2**24


@dataclass(frozen=True)
class FeatureContributions:
    """SHAP values per transformed feature. `base` (outputs,), `values` (rows, outputs,
    features), `raw` (rows, outputs): the model's own output, = base + values summed over
    features (to float32 precision). `output` says what the outputs are (LOG_ODDS, ...)."""

    output: str
    base: np.ndarray
    values: np.ndarray
    raw: np.ndarray


@dataclass(frozen=True)
class _Trees:
    """A scikit-learn tree ensemble as plain arrays: what the XGBoost model is built from.
    `leaf_values[t]` is (nodes, outputs): each output's leaf value (already scaled); `owner[t]`
    the one output tree t adds to (boosting: one tree per class and iteration) or None (a
    forest's tree adds to every output); `offset` each output's constant (histogram
    boosting's baseline)."""

    left: list[np.ndarray]
    right: list[np.ndarray]
    feature: list[np.ndarray]
    threshold: list[np.ndarray]
    missing_left: list[np.ndarray]
    cover: list[np.ndarray]
    leaf_values: list[np.ndarray]
    owner: list[int | None]
    offset: np.ndarray


def tree_contributions(
    model: Any,
    features: pd.DataFrame | np.ndarray,
    positive_index: int | None = None,
    progress: ProgressFn = no_progress,
    cancel: CancelToken = NEVER_CANCELLED,
) -> FeatureContributions | None:
    """Exact TreeSHAP values of `model` (the pipeline's last step) on `features` (the chain's
    output for the rows to explain); None when the model is not a tree model this knows.

    Outputs: for a binary classifier one, the class at `positive_index` in `model.classes_`
    (default 1); for multiclass one per class, in `classes_` order; for regression one.
    """
    from workbench.core.models.factories import XGBClassifierLabels, XGBRegressorDense

    if features.shape[0] == 0:
        raise WorkbenchError("there are no rows to explain")
    if isinstance(model, XGBClassifierLabels | XGBRegressorDense):
        return _xgboost_contributions(model, features, positive_index, progress, cancel)
    found = _sklearn_trees(model, positive_index, cancel)
    if found is None:
        return None
    trees, output, raw = found
    inputs = _model_inputs(model, features)
    codes, conditions = _ranked(trees, inputs)
    base, values = [], []
    outputs = trees.offset.size
    for k in range(outputs):
        cancel.raise_if_cancelled()
        booster = _booster(trees, conditions, k, inputs.shape[1])
        part = sub_progress(progress, k / outputs, (k + 1) / outputs)
        contributions = _contributions(booster, codes, part, cancel)
        base.append(contributions[0, -1] + trees.offset[k])
        values.append(contributions[:, :-1])
    return FeatureContributions(
        output,
        np.asarray(base, dtype=np.float64),
        np.stack(values, axis=1),
        raw(features),
    )


def is_tree_model(model: Any) -> bool:
    """Whether `tree_contributions` knows the model's kind (it may still decline one whose
    histogram trees split on categories)."""
    from workbench.core.models.factories import XGBClassifierLabels, XGBRegressorDense

    histogram, forests, trees = _sklearn_kinds()
    return isinstance(model, (XGBClassifierLabels, XGBRegressorDense, *histogram, *forests, *trees))


def _sklearn_kinds() -> tuple[tuple[type, ...], tuple[type, ...], tuple[type, ...]]:
    """scikit-learn's tree models: (histogram boosting, forests, single trees)."""
    from sklearn import ensemble, tree

    return (
        (ensemble.HistGradientBoostingClassifier, ensemble.HistGradientBoostingRegressor),
        (
            ensemble.RandomForestClassifier,
            ensemble.RandomForestRegressor,
            ensemble.ExtraTreesClassifier,
            ensemble.ExtraTreesRegressor,
        ),
        (tree.DecisionTreeClassifier, tree.DecisionTreeRegressor),
    )


# --- XGBoost's own models ------------------------------------------------------------------------


def _xgboost_contributions(
    model: Any,
    features: pd.DataFrame | np.ndarray,
    positive_index: int | None,
    progress: ProgressFn,
    cancel: CancelToken,
) -> FeatureContributions:
    """XGBoost's pred_contribs on the float32 matrix the wrapper feeds it."""
    if isinstance(features, pd.DataFrame):
        features = features.to_numpy(dtype=np.float32, na_value=np.nan)
    matrix = np.ascontiguousarray(features, dtype=np.float32)
    booster = model.model_.get_booster()
    contributions = np.asarray(_contributions(booster, matrix, progress, cancel), np.float64)
    margins = np.asarray(_margins(booster, matrix), dtype=np.float64)
    if contributions.ndim == 2:  # binary or regression: one margin
        contributions = contributions[:, None, :]
        margins = margins.reshape(-1, 1)
        output = VALUE
        if hasattr(model, "classes_"):
            output = LOG_ODDS
            if (1 if positive_index is None else positive_index) == 0:
                contributions, margins = -contributions, -margins
    else:
        output = MARGIN
    return FeatureContributions(
        output, contributions[0, :, -1].copy(), contributions[:, :, :-1], margins
    )


def _margins(booster: Any, matrix: np.ndarray) -> np.ndarray:
    from xgboost import DMatrix

    return booster.predict(DMatrix(matrix), output_margin=True)


def _contributions(
    booster: Any, matrix: np.ndarray, progress: ProgressFn, cancel: CancelToken
) -> np.ndarray:
    """pred_contribs in chunks of rows (the last column is the bias), cancel between them."""
    from xgboost import DMatrix

    parts = []
    for start in range(0, matrix.shape[0], ROWS_PER_CHUNK):
        cancel.raise_if_cancelled()
        progress(start / max(matrix.shape[0], 1), f"explaining row {start + 1}")
        chunk = DMatrix(matrix[start : start + ROWS_PER_CHUNK])
        parts.append(booster.predict(chunk, pred_contribs=True))
    progress(1.0, "rows explained")
    return np.concatenate(parts) if parts else np.empty((0, matrix.shape[1] + 1))


# --- scikit-learn's tree models as arrays --------------------------------------------------------


def _sklearn_trees(model: Any, positive_index: int | None, cancel: CancelToken) -> Any:
    """(trees, output kind, raw output function) of a scikit-learn tree model, or None."""
    histogram, forests, single = _sklearn_kinds()
    classifier = hasattr(model, "classes_")
    binary = classifier and len(model.classes_) == 2
    chosen = [1 if positive_index is None else positive_index] if binary else None
    if isinstance(model, histogram):
        if model.is_categorical_ is not None and np.any(model.is_categorical_):
            return None
        trees = _histogram_trees(model, cancel)
        flip = binary and chosen == [0]
        if flip:
            trees = _negated(trees)
        raw = (
            (lambda X: _column(model.decision_function(X)) * (-1.0 if flip else 1.0))
            if classifier
            else (lambda X: _column(model.predict(X)))
        )
        output = (LOG_ODDS if binary else MARGIN) if classifier else VALUE
        return trees, output, raw
    if isinstance(model, forests):
        estimators = list(model.estimators_)
    elif isinstance(model, single):
        estimators = [model]
    else:
        return None
    if classifier:
        columns = chosen if binary else list(range(len(model.classes_)))
        trees = _forest_trees(estimators, columns, cancel)
        return trees, PROBABILITY, lambda X: np.asarray(model.predict_proba(X))[:, columns]
    trees = _forest_trees(estimators, [0], cancel)
    return trees, VALUE, lambda X: _column(model.predict(X))


def _column(values: Any) -> np.ndarray:
    array = np.asarray(values, dtype=np.float64)
    return array.reshape(-1, 1) if array.ndim == 1 else array


def _forest_trees(estimators: list[Any], columns: list[int], cancel: CancelToken) -> _Trees:
    """The trees of a forest (or one tree), each leaf's `columns` of `tree_.value` divided by
    the number of trees: the forest's output is their sum."""
    parts: dict[str, list[Any]] = {key: [] for key in _Trees.__dataclass_fields__}
    scale = float(len(estimators))
    for estimator in estimators:
        cancel.raise_if_cancelled()
        tree = estimator.tree_
        leaf = tree.children_left < 0
        parts["left"].append(tree.children_left.astype(np.int64))
        parts["right"].append(tree.children_right.astype(np.int64))
        parts["feature"].append(np.where(leaf, 0, tree.feature).astype(np.int64))
        parts["threshold"].append(tree.threshold.astype(np.float64))
        parts["missing_left"].append(_missing_left(tree, leaf))
        parts["cover"].append(tree.weighted_n_node_samples.astype(np.float64))
        values = tree.value[:, 0, :][:, columns].astype(np.float64) / scale
        parts["leaf_values"].append(values)
        parts["owner"].append(None)
    return _Trees(**_lists(parts), offset=np.zeros(len(columns)))


def _missing_left(tree: Any, leaf: np.ndarray) -> np.ndarray:
    """Where each node sends a missing value (trees fitted without any: to the right, as
    scikit-learn's predict never sees one then)."""
    flags = getattr(tree, "missing_go_to_left", None)
    if flags is None:
        return np.zeros(leaf.size, dtype=bool)
    return np.asarray(flags, dtype=bool) & ~leaf


def _histogram_trees(model: Any, cancel: CancelToken) -> _Trees:
    """Histogram gradient boosting's predictors: one output per tree of an iteration (one for
    binary and regression, one per class for multiclass), the baseline as the offset."""
    outputs = len(model._predictors[0])
    parts: dict[str, list[Any]] = {key: [] for key in _Trees.__dataclass_fields__}
    for iteration in model._predictors:
        cancel.raise_if_cancelled()
        for k, predictor in enumerate(iteration):
            nodes = predictor.nodes
            leaf = nodes["is_leaf"].astype(bool)
            parts["left"].append(np.where(leaf, -1, nodes["left"].astype(np.int64)))
            parts["right"].append(np.where(leaf, -1, nodes["right"].astype(np.int64)))
            parts["feature"].append(np.where(leaf, 0, nodes["feature_idx"]).astype(np.int64))
            parts["threshold"].append(nodes["num_threshold"].astype(np.float64))
            parts["missing_left"].append(nodes["missing_go_to_left"].astype(bool) & ~leaf)
            parts["cover"].append(nodes["count"].astype(np.float64))
            values = np.zeros((leaf.size, outputs))
            values[:, k] = np.where(leaf, nodes["value"], 0.0)
            parts["leaf_values"].append(values)
            parts["owner"].append(k)
    offset = np.asarray(model._baseline_prediction, dtype=np.float64).reshape(-1)
    return _Trees(**_lists(parts), offset=offset)


def _lists(parts: dict[str, list[Any]]) -> dict[str, list[Any]]:
    return {key: values for key, values in parts.items() if key != "offset"}


def _negated(trees: _Trees) -> _Trees:
    """The same trees predicting minus their output (the other class's log-odds)."""
    return replace(trees, leaf_values=[-v for v in trees.leaf_values], offset=-trees.offset)


def _model_inputs(model: Any, features: pd.DataFrame | np.ndarray) -> np.ndarray:
    """The matrix as the model compares it with its thresholds: float32 for scikit-learn's
    trees and forests, float64 for histogram boosting."""
    dtype = np.float64 if isinstance(model, _sklearn_kinds()[0]) else np.float32
    if isinstance(features, pd.DataFrame):
        features = features.to_numpy(dtype=dtype, na_value=np.nan)
    return np.asarray(features, dtype=dtype)


def _ranked(trees: _Trees, inputs: np.ndarray) -> tuple[np.ndarray, list[np.ndarray]]:
    """Each feature recoded as its rank among the model's thresholds on it, and each tree's
    split conditions on those ranks (see the module's docstring)."""
    values = inputs.astype(np.float64)
    width = values.shape[1]
    by_feature: list[list[np.ndarray]] = [[] for _ in range(width)]
    for left, feature, threshold in zip(trees.left, trees.feature, trees.threshold, strict=True):
        split = left >= 0
        for f in np.unique(feature[split]):
            by_feature[f].append(threshold[split & (feature == f)])
    thresholds = [np.unique(np.concatenate(t)) if t else np.empty(0) for t in by_feature]
    if max((t.size for t in thresholds), default=0) >= _MAX_THRESHOLDS:
        raise WorkbenchError("the model has too many split points on one feature to explain")
    codes = np.empty(values.shape, dtype=np.float32)
    for f in range(width):
        column = values[:, f]
        codes[:, f] = np.searchsorted(thresholds[f], column, side="left")
        codes[np.isnan(column), f] = np.nan
    conditions = []
    for left, feature, threshold in zip(trees.left, trees.feature, trees.threshold, strict=True):
        condition = np.zeros(left.size, dtype=np.float64)
        for f in np.unique(feature[left >= 0]):
            at = (left >= 0) & (feature == f)
            condition[at] = np.searchsorted(thresholds[f], threshold[at]) + 0.5
        conditions.append(condition)
    return codes, conditions


# --- the XGBoost model ---------------------------------------------------------------------------


@cache
def _template() -> str:
    """A JSON model of this XGBoost version (one stump, base score 0, squared error): the
    fields the loader expects, filled in by `_booster`."""
    import xgboost

    matrix = xgboost.DMatrix(np.array([[0.0], [1.0]], dtype=np.float32), label=[0.0, 1.0])
    params = {"max_depth": 1, "base_score": 0.0, "objective": "reg:squarederror", "nthread": 1}
    booster = xgboost.train(params, matrix, num_boost_round=1)
    return booster.save_raw(raw_format="json").decode()


def _booster(trees: _Trees, conditions: list[np.ndarray], output: int, width: int) -> Any:
    """An XGBoost Booster whose trees are `trees` with output `output`'s leaf values."""
    import xgboost

    model = json.loads(_template())
    learner = model["learner"]
    learner["learner_model_param"]["num_feature"] = str(width)
    gbtree = learner["gradient_booster"]["model"]
    stump = gbtree["trees"][0]
    chosen = [t for t, owner in enumerate(trees.owner) if owner is None or owner == output]
    count = len(chosen)
    gbtree["trees"] = [
        {**_tree_json(stump, trees, conditions, t, output, width), "id": i}
        for i, t in enumerate(chosen)
    ]
    gbtree["tree_info"] = [0] * count
    gbtree["gbtree_model_param"]["num_trees"] = str(count)
    if "iteration_indptr" in gbtree:
        gbtree["iteration_indptr"] = list(range(count + 1))
    booster = xgboost.Booster()
    booster.load_model(bytearray(json.dumps(model).encode()))
    return booster


def _tree_json(
    stump: dict[str, Any],
    trees: _Trees,
    conditions: list[np.ndarray],
    t: int,
    output: int,
    width: int,
) -> dict[str, Any]:
    """Tree t as XGBoost stores it, nodes renumbered breadth first: XGBoost's TreeSHAP takes a
    node's right child to follow its left child (as XGBoost grows trees), and scikit-learn
    numbers nodes depth first."""
    order = _breadth_first(trees.left[t], trees.right[t])
    renumbered = np.empty(order.size, dtype=np.int64)
    renumbered[order] = np.arange(order.size)
    old_left, old_right = trees.left[t][order], trees.right[t][order]
    leaf = old_left < 0
    left = np.where(leaf, -1, renumbered[np.where(leaf, 0, old_left)])
    right = np.where(leaf, -1, renumbered[np.where(leaf, 0, old_right)])
    size = order.size
    parents = np.full(size, 2147483647, dtype=np.int64)  # the root's "no parent"
    parents[left[~leaf]] = np.flatnonzero(~leaf)
    parents[right[~leaf]] = np.flatnonzero(~leaf)
    leaf_value = np.where(leaf, trees.leaf_values[t][order, output], 0.0)
    tree = dict(stump)
    tree.update(
        left_children=left.tolist(),
        right_children=right.tolist(),
        parents=parents.tolist(),
        split_indices=trees.feature[t][order].tolist(),
        split_conditions=np.where(leaf, leaf_value, conditions[t][order]).tolist(),
        default_left=trees.missing_left[t][order].astype(int).tolist(),
        split_type=[0] * size,
        base_weights=leaf_value.tolist(),
        loss_changes=[0.0] * size,
        sum_hessian=trees.cover[t][order].astype(np.float64).tolist(),
    )
    for key in ("categories", "categories_nodes", "categories_segments", "categories_sizes"):
        if key in tree:
            tree[key] = []
    tree["tree_param"] = {
        **stump["tree_param"],
        "num_feature": str(width),
        "num_nodes": str(size),
        "num_deleted": "0",
    }
    return tree


def _breadth_first(left: np.ndarray, right: np.ndarray) -> np.ndarray:
    """The tree's node ids level by level, each node's two children side by side."""
    levels = [np.zeros(1, dtype=np.int64)]
    frontier = levels[0]
    while frontier.size:
        internal = frontier[left[frontier] >= 0]
        frontier = np.column_stack([left[internal], right[internal]]).ravel()
        levels.append(frontier)
    order = np.concatenate(levels)
    if order.size != left.size:
        raise WorkbenchError("a tree of the model has nodes that no path reaches")
    return order
