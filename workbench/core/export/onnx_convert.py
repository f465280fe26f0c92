"""A run's fitted pipeline -> one ONNX model: one input per original column, `label` and
`probabilities` (or `variable`) out, the feature schema in the metadata.

Why it converts a rewritten copy rather than the pipeline itself:
- `Float32Numbers` and `PrepareColumns` only cast: ONNX inputs already arrive as float32 and
  string tensors, so the copy starts at the chain's ColumnTransformer.
- ONNX string tensors cannot hold NaN: a missing text value is fed as "". The copy's encoders
  list "" where the fitted ones list NaN, and text imputers look for "".
- The ColumnTransformers name their columns; skl2onnx finds them among the graph inputs by
  name, so the copy names each column's ONNX input instead (equal unless the column name is
  not a plain identifier).
- The XGBoost wrappers become stand-ins (onnx_converters) so the label output holds the real
  class values; one-hot encoders become stand-ins (`STAND_INS`) converted by the workbench's
  own converter (rare categories grouped, missing numbers among the categories).
The workbench's own transformers convert with `converters` (one module per step family). The
opset is the lowest their operators allow (`converters.catalog.target_opset`), and operators
outside the ONNX standard (onnxruntime's com.microsoft domain: MurmurHash3, Tokenizer) are
listed in the model's metadata (`NONSTANDARD_KEY`) so the model card can name them.
Text inputs are read as import read the training file (`onnx_raw_input`: spaces stripped, NA
tokens missing), so raw text from a file like it predicts what the workbench predicts.
The parity check (parity.py) compares the result with the untouched pipeline on held-out rows,
so any difference a rewrite introduced is caught before a file is handed out.
"""

from __future__ import annotations

import copy
import json
import warnings
from collections.abc import Mapping
from typing import Any

import numpy as np
import onnx
from sklearn.compose import ColumnTransformer
from sklearn.impute import SimpleImputer
from sklearn.pipeline import Pipeline
from sklearn.preprocessing import OneHotEncoder, OrdinalEncoder, TargetEncoder

from workbench import __version__
from workbench.core.errors import WorkbenchError
from workbench.core.export.converters.catalog import nested_estimators, target_opset
from workbench.core.export.converters.categorical import OnnxOneHotEncoder
from workbench.core.export.ensemble_onnx import (
    convert_meta_learner,
    merge_members,
    stack_members,
)
from workbench.core.export.feature_schema import METADATA_KEY, FeatureSchema
from workbench.core.export.onnx_converters import register_converters, xgboost_stand_in
from workbench.core.export.onnx_raw_input import normalize_text_inputs

PRODUCER = "ml-workbench"
# Metadata key: the operators outside the ONNX standard the model uses, {domain: [operator]}.
NONSTANDARD_KEY = "workbench.nonstandard_operators"
STANDARD_DOMAINS = frozenset({"", "ai.onnx", "ai.onnx.ml"})
# scikit-learn classes converted by the workbench's converters rather than skl2onnx's: the copy
# holds them as these subclasses.
STAND_INS = {OneHotEncoder: OnnxOneHotEncoder}


class ConversionError(WorkbenchError):
    """The fitted pipeline holds something skl2onnx cannot convert."""


def convert_pipeline(pipeline: Pipeline, schema: FeatureSchema) -> onnx.ModelProto:
    """The ONNX model of a fitted workbench pipeline (float32 cast, chain, model), or of an
    ensemble of such pipelines (a soft VotingClassifier / VotingRegressor, a StackingClassifier
    / StackingRegressor: ensemble_onnx)."""
    from sklearn.ensemble import (
        StackingClassifier,
        StackingRegressor,
        VotingClassifier,
        VotingRegressor,
    )
    from sklearn.frozen import FrozenEstimator

    register_converters()
    model = pipeline.steps[-1][1]
    if isinstance(
        model, VotingClassifier | VotingRegressor | StackingClassifier | StackingRegressor
    ):
        # A soft-voting ensemble holds its members' own final fits frozen (automl.ensemble).
        members = [m.estimator if isinstance(m, FrozenEstimator) else m for m in model.estimators_]
        opset = _shared_opset([_conversion_copy(member, schema) for member in members])
        protos = [_converted(member, schema, opset) for member in members]
    if isinstance(model, VotingClassifier | VotingRegressor):
        weights = model.weights if model.weights is not None else [1.0] * len(members)
        proto = merge_members(protos, [float(w) for w in weights], schema)
    elif isinstance(model, StackingClassifier | StackingRegressor):
        meta = model.final_estimator_
        meta = meta.estimator if isinstance(meta, FrozenEstimator) else meta
        stacked = "predict_proba" if schema.is_classifier else "predict"
        if any(method != stacked for method in model.stack_method_):
            raise ConversionError(
                f"a stacking ensemble of {', '.join(model.stack_method_)} outputs cannot be "
                f"exported; the workbench stacks its members' {stacked} outputs"
            )
        binary = schema.is_classifier and len(schema.classes or ()) == 2
        meta_proto = convert_meta_learner(meta, int(meta.n_features_in_), schema, opset)
        proto = stack_members(protos, meta_proto, schema, drop_first_class=binary)
    else:
        proto = _converted(pipeline, schema)
    _add_metadata(proto, schema)
    onnx.checker.check_model(proto)
    return proto


def _shared_opset(copies: list[Pipeline]) -> dict[str, int]:
    """One opset for every member of an ensemble: each domain as high as any member needs."""
    shared: dict[str, int] = {}
    for onnx_ready in copies:
        for domain, version in target_opset(onnx_ready).items():
            shared[domain] = max(shared.get(domain, 0), version)
    return shared


def _converted(
    pipeline: Pipeline, schema: FeatureSchema, opset: dict[str, int] | None = None
) -> onnx.ModelProto:
    """One pipeline converted, outputs named and text inputs read as import read them; no
    metadata yet. `opset` None: the lowest its operators allow."""
    from skl2onnx import convert_sklearn
    from skl2onnx.common.data_types import FloatTensorType, StringTensorType

    onnx_ready = _conversion_copy(pipeline, schema)
    model = onnx_ready.steps[-1][1]
    options: dict[int, dict[str, Any]] = {}
    if schema.is_classifier:
        options[id(model)] = {"zipmap": False}
    initial_types = [
        (
            column.input,
            StringTensorType([None, 1])
            if column.type in ("string", "datetime")
            else FloatTensorType([None, 1]),
        )
        for column in schema.columns
    ]
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            proto = convert_sklearn(
                onnx_ready,
                initial_types=initial_types,
                target_opset=opset or target_opset(onnx_ready),
                options=options,
                name=f"workbench-{schema.run_id}",
            )
    except Exception as error:  # skl2onnx raises RuntimeError, NotImplementedError, KeyError...
        raise ConversionError(
            f"skl2onnx cannot convert this pipeline: {_first_line(error)}"
        ) from error
    _missing_value_directions(proto, onnx_ready.steps[-1][1])
    _rename_outputs(proto, schema)
    normalize_text_inputs(proto, schema)
    return proto


def _first_line(error: Exception) -> str:
    text = str(error).strip().splitlines()
    return text[0] if text else type(error).__name__


# ---- the conversion copy ----------------------------------------------------------------------


def _conversion_copy(pipeline: Pipeline, schema: FeatureSchema) -> Pipeline:
    """The fitted pipeline as skl2onnx should see it (see the module docstring)."""
    steps = dict(pipeline.named_steps)
    chain, model = steps.get("chain"), pipeline.steps[-1][1]
    if not isinstance(chain, Pipeline) or "columns" not in chain.named_steps:
        raise ConversionError("this run's pipeline was not built by the workbench chain compiler")
    columns = chain.named_steps["columns"]
    if not isinstance(columns, ColumnTransformer):
        raise ConversionError("this run's chain has no ColumnTransformer")
    inputs = {column.name: column.input for column in schema.columns}
    rebuilt: list[tuple[str, Any]] = [("columns", onnx_ready_columns(columns, inputs))]
    if "matrix" in chain.named_steps:
        rebuilt.append(("matrix", copy.deepcopy(chain.named_steps["matrix"])))
    rebuilt.append(("model", _model_for_onnx(model)))
    return Pipeline(rebuilt)


def onnx_ready_columns(columns: ColumnTransformer, inputs: Mapping[str, str]) -> ColumnTransformer:
    """A copy of a fitted ColumnTransformer as the converters take it: its columns (in nested
    ColumnTransformers too) named by their ONNX inputs (`inputs`: column -> input name), text
    missing values as "", scikit-learn classes the workbench converts as their stand-ins."""
    columns = copy.deepcopy(columns)
    for estimator in nested_estimators(columns):
        if isinstance(estimator, ColumnTransformer):
            estimator.transformers_ = [
                (name, inner, _input_columns(cols, inputs))
                for name, inner, cols in estimator.transformers_
            ]
        _missing_as_empty(estimator)
        stand_in = STAND_INS.get(type(estimator))
        if stand_in is not None:
            estimator.__class__ = stand_in
    return columns


def _input_columns(columns: Any, inputs: Mapping[str, str]) -> Any:
    if isinstance(columns, str):
        return inputs.get(columns, columns)
    if isinstance(columns, list | tuple | np.ndarray):
        return [inputs.get(c, c) if isinstance(c, str) else c for c in columns]
    return columns


def _is_nan(value: Any) -> bool:
    return isinstance(value, float) and np.isnan(value)


def _missing_as_empty(estimator: Any) -> None:
    """In the copy, text missing values are "" (what ONNX is fed) instead of NaN."""
    if isinstance(estimator, SimpleImputer):
        statistics = np.asarray(getattr(estimator, "statistics_", []))
        if statistics.dtype == object:
            estimator.missing_values = ""
    elif isinstance(estimator, OrdinalEncoder):
        # NaN is encoded like an unknown value by the workbench's encoder: dropping it from
        # the categories sends "" to `unknown_value`, which is the same number.
        same = estimator.encoded_missing_value == estimator.unknown_value
        estimator.categories_ = [
            np.asarray([c for c in cats if not _is_nan(c)], dtype=object)
            if same and cats.dtype == object
            else cats
            for cats in estimator.categories_
        ]
    elif isinstance(estimator, OneHotEncoder | TargetEncoder):
        estimator.categories_ = [
            np.asarray(["" if _is_nan(c) else c for c in cats], dtype=object)
            if cats.dtype == object
            else cats
            for cats in estimator.categories_
        ]


def _model_for_onnx(model: Any) -> Any:
    from sklearn.ensemble import HistGradientBoostingClassifier, HistGradientBoostingRegressor

    from workbench.core.models.factories import XGBClassifierLabels, XGBRegressorDense

    if isinstance(model, XGBClassifierLabels | XGBRegressorDense):
        return xgboost_stand_in(model)
    if isinstance(model, HistGradientBoostingClassifier | HistGradientBoostingRegressor):
        return _float32_thresholds(model)
    if _tree_structures(model):
        return _float32_tree_thresholds(model)
    return model


def _tree_structures(model: Any) -> list[Any]:
    """The fitted `tree_` structures of a scikit-learn tree or forest (none for other models)."""
    if hasattr(model, "tree_"):
        return [model.tree_]
    estimators = getattr(model, "estimators_", None)
    if isinstance(estimators, list) and estimators and hasattr(estimators[0], "tree_"):
        return [tree.tree_ for tree in estimators]
    return []


def _float32_tree_thresholds(model: Any) -> Any:
    """A copy of a tree or forest whose thresholds are float32 numbers, as for hist gradient
    boosting: scikit-learn compares float32 inputs with float64 midpoints, and ONNX would round
    a midpoint up onto the input value above it (found with penguins-raw's culmen depths)."""
    model = copy.deepcopy(model)
    for tree in _tree_structures(model):
        thresholds = tree.threshold  # a view of the fitted nodes: edited in place
        splits = tree.children_left >= 0
        thresholds[splits] = [_float32_at_or_below(value) for value in thresholds[splits]]
    return model


def _float32_thresholds(model: Any) -> Any:
    """A copy of a hist gradient boosting model whose split thresholds are float32 numbers.

    Its thresholds are float64 midpoints between bin edges; ONNX stores float32, and rounding
    a midpoint up sends a value equal to the upper edge the other way. The largest float32 at
    or below each threshold makes the same decision for every float32 input (the inputs are
    float32), so the trees are exactly the fitted ones.
    """
    model = copy.deepcopy(model)
    for trees in model._predictors:
        for tree in trees:
            nodes = tree.nodes
            splits = ~nodes["is_leaf"].astype(bool)
            nodes["num_threshold"][splits] = [
                _float32_at_or_below(value) for value in nodes["num_threshold"][splits]
            ]
    return model


def _missing_value_directions(proto: onnx.ModelProto, model: Any) -> None:
    """Send a missing value down the branch scikit-learn's tree sends it.

    A scikit-learn tree learns, at each split, where a missing value goes (`missing_go_to_left`;
    to the larger child when training had none there); skl2onnx leaves the ONNX attribute
    `nodes_missing_value_tracks_true` at 0 (the right branch) for plain trees and forests, so
    a missing value reaching a random forest took the wrong branch about half the time.
    """
    trees = _tree_structures(model)
    if not trees or not hasattr(trees[0], "missing_go_to_left"):
        return
    for node in proto.graph.node:
        if node.op_type not in ("TreeEnsembleClassifier", "TreeEnsembleRegressor"):
            continue
        values = {attribute.name: attribute for attribute in node.attribute}
        tree_ids = list(values["nodes_treeids"].ints)
        node_ids = list(values["nodes_nodeids"].ints)
        directions = [
            int(trees[tree].children_left[index] >= 0 and trees[tree].missing_go_to_left[index])
            for tree, index in zip(tree_ids, node_ids, strict=True)
        ]
        tracks = values.get("nodes_missing_value_tracks_true")
        if tracks is None:
            node.attribute.append(
                onnx.helper.make_attribute("nodes_missing_value_tracks_true", directions)
            )
        else:
            del tracks.ints[:]
            tracks.ints.extend(directions)


def _float32_at_or_below(value: float) -> float:
    single = np.float32(value)
    if float(single) > value:
        single = np.nextafter(single, np.float32(-np.inf))
    return float(single)


# ---- outputs and metadata -----------------------------------------------------------------


def _rename_outputs(proto: onnx.ModelProto, schema: FeatureSchema) -> None:
    """Outputs named as the schema says, whatever skl2onnx called them."""
    graph = proto.graph
    wanted = (
        [schema.outputs["label"], schema.outputs["probabilities"]]
        if schema.is_classifier
        else [schema.outputs["variable"]]
    )
    if len(graph.output) != len(wanted):
        raise ConversionError(
            f"the converted model has {len(graph.output)} outputs, expected {len(wanted)}"
        )
    for output, name in zip(graph.output, wanted, strict=True):
        old = output.name
        if old == name:
            continue
        for node in graph.node:
            node.input[:] = [name if value == old else value for value in node.input]
            node.output[:] = [name if value == old else value for value in node.output]
        output.name = name


def _add_metadata(proto: onnx.ModelProto, schema: FeatureSchema) -> None:
    proto.producer_name = PRODUCER
    proto.producer_version = __version__
    proto.doc_string = (
        f"ML Workbench run {schema.run_id}: {schema.task} model of '{schema.target}'. "
        f"Inputs: one [N, 1] tensor per column; see the '{METADATA_KEY}' metadata."
    )
    entries = {
        METADATA_KEY: schema.to_json(),
        "workbench.run_id": schema.run_id,
        "workbench.task": schema.task,
        "workbench.target": schema.target,
        "workbench.dataset_sha256": schema.dataset_sha256,
    }
    if schema.classes is not None:
        entries["workbench.classes"] = json.dumps(list(schema.classes), default=str)
    entries[NONSTANDARD_KEY] = json.dumps(nonstandard_operators(proto), sort_keys=True)
    del proto.metadata_props[:]
    for key, value in entries.items():
        prop = proto.metadata_props.add()
        prop.key, prop.value = key, value


def nonstandard_operators(proto: onnx.ModelProto) -> dict[str, list[str]]:
    """The operators of the model (subgraphs included) outside the ONNX standard domains, by
    domain: what a runtime other than onnxruntime may lack."""
    found: dict[str, set[str]] = {}

    def visit(graph: onnx.GraphProto) -> None:
        for node in graph.node:
            if node.domain not in STANDARD_DOMAINS:
                found.setdefault(node.domain, set()).add(node.op_type)
            for attribute in node.attribute:
                if attribute.type == onnx.AttributeProto.GRAPH:
                    visit(attribute.g)
                for subgraph in attribute.graphs:
                    visit(subgraph)

    visit(proto.graph)
    return {domain: sorted(ops) for domain, ops in sorted(found.items())}
