"""One ONNX graph from an ensemble's member graphs: each member converted as its own run would
be (onnx_convert), then their outputs averaged with the soft-voting ensemble's weights, or fed
to the stacking ensemble's meta-learner.

Why a graph of graphs rather than skl2onnx's VotingClassifier / StackingClassifier converters:
those feed every member one input tensor, while each workbench member is a whole pipeline with
one input per original column and its own chain (one-hot for one model, scaling for another).
Merging the converted members keeps each member's graph exactly as a single run's export,
parity-checked the same way. Soft voting adds only Mul, Sum, ArgMax and Gather, as
VotingClassifier's soft vote (`np.average(probabilities, weights=...)`, then the class of the
largest) and VotingRegressor's weighted mean do. Stacking concatenates the members' outputs as
StackingClassifier.transform does (class probabilities, the first class's column dropped for
a binary target; a regressor's prediction) and runs the meta-learner's own skl2onnx graph on
them; the label is the class of its largest probability, as its `predict` gives.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import onnx
from onnx import TensorProto, helper, numpy_helper

from workbench.core.export.feature_schema import FeatureSchema


def _renamed(graph: onnx.GraphProto, prefix: str, keep_inputs: bool = True) -> onnx.GraphProto:
    """A copy of `graph` with every name prefixed, its inputs' too unless `keep_inputs`:
    members' graphs then share the model's inputs and nothing else."""
    graph = onnx.GraphProto.FromString(graph.SerializeToString())
    kept = {value.name for value in graph.input} if keep_inputs else set()

    def name(value: str) -> str:
        return value if not value or value in kept else f"{prefix}{value}"

    for node in graph.node:
        node.name = f"{prefix}{node.name}" if node.name else node.name
        node.input[:] = [name(value) for value in node.input]
        node.output[:] = [name(value) for value in node.output]
    for initializer in graph.initializer:
        initializer.name = name(initializer.name)
    for value in [*graph.input, *graph.output, *graph.value_info]:
        value.name = name(value.name)
    return graph


@dataclass
class GraphParts:
    """Nodes and initializers gathered for one merged graph."""

    nodes: list[onnx.NodeProto] = field(default_factory=list)
    initializers: list[onnx.TensorProto] = field(default_factory=list)

    def add(self, graph: onnx.GraphProto) -> None:
        self.nodes.extend(graph.node)
        self.initializers.extend(graph.initializer)

    def constant(self, name: str, values: np.ndarray) -> str:
        self.initializers.append(numpy_helper.from_array(values, name))
        return name


def _member_outputs(protos: Sequence[onnx.ModelProto], parts: GraphParts) -> list[str]:
    """Every member's graph added to `parts` (names prefixed `member<i>_`, the model's inputs
    shared); the name of each one's last output: its probabilities for a classifier (outputs
    `label`, `probabilities`), its prediction for a regressor (`variable`)."""
    outputs = []
    for index, proto in enumerate(protos):
        graph = _renamed(proto.graph, f"member{index}_")
        parts.add(graph)
        outputs.append(graph.output[-1].name)
    return outputs


def _outputs(parts: GraphParts, result: str, schema: FeatureSchema) -> list[onnx.ValueInfoProto]:
    """The model's outputs from the ensemble's `result` tensor: for a classifier, its
    probabilities and the class of the largest; for a regressor, its prediction."""
    if not schema.is_classifier:
        variable = schema.outputs["variable"]
        parts.nodes.append(helper.make_node("Identity", [result], [variable]))
        return [helper.make_tensor_value_info(variable, TensorProto.FLOAT, [None, 1])]
    probabilities, label = schema.outputs["probabilities"], schema.outputs["label"]
    classes = list(schema.classes or ())
    numeric = all(isinstance(c, bool | int | np.integer) for c in classes)
    values = (
        np.asarray(classes, dtype=np.int64)
        if numeric
        else np.asarray([str(c) for c in classes], dtype=object)
    )
    known = parts.constant("ensemble_classes", values)
    parts.nodes += [
        helper.make_node("Identity", [result], [probabilities]),
        helper.make_node("ArgMax", [probabilities], ["ensemble_best"], axis=1, keepdims=0),
        helper.make_node("Gather", [known, "ensemble_best"], [label], axis=0),
    ]
    return [
        helper.make_tensor_value_info(
            label, TensorProto.INT64 if numeric else TensorProto.STRING, [None]
        ),
        helper.make_tensor_value_info(probabilities, TensorProto.FLOAT, [None, len(classes)]),
    ]


def _model(
    parts: GraphParts,
    protos: Sequence[onnx.ModelProto],
    outputs: list[onnx.ValueInfoProto],
    schema: FeatureSchema,
) -> onnx.ModelProto:
    """The merged model: the first member's inputs (every member has the same), `outputs`."""
    inputs = list(protos[0].graph.input)
    graph = helper.make_graph(
        parts.nodes, f"workbench-{schema.run_id}", inputs, outputs, parts.initializers
    )
    model = helper.make_model(graph, opset_imports=_opsets(protos))
    model.ir_version = max(proto.ir_version for proto in protos)
    return model


def _opsets(protos: Sequence[onnx.ModelProto]) -> list[onnx.OperatorSetIdProto]:
    versions: dict[str, int] = {}
    for proto in protos:
        for opset in proto.opset_import:
            versions[opset.domain] = max(versions.get(opset.domain, 0), opset.version)
    return [helper.make_opsetid(domain, version) for domain, version in sorted(versions.items())]


def merge_members(
    protos: Sequence[onnx.ModelProto], weights: Sequence[float], schema: FeatureSchema
) -> onnx.ModelProto:
    """The weighted average of the member models (their outputs named as `schema` says, their
    inputs the schema's columns), with the schema's outputs: `label` and `probabilities` for a
    classifier (label = the class of the largest averaged probability), `variable` otherwise."""
    total = float(sum(weights))
    parts = GraphParts()
    terms = []
    for index, (output, weight) in enumerate(
        zip(_member_outputs(protos, parts), weights, strict=True)
    ):
        scale = parts.constant(
            f"member{index}_weight", np.asarray([weight / total], dtype=np.float32)
        )
        terms.append(f"member{index}_weighted")
        parts.nodes.append(helper.make_node("Mul", [output, scale], [terms[-1]]))
    parts.nodes.append(helper.make_node("Sum", terms, ["ensemble_average"]))
    return _model(parts, protos, _outputs(parts, "ensemble_average", schema), schema)


def convert_meta_learner(
    meta: Any, width: int, schema: FeatureSchema, opset: Mapping[str, int]
) -> onnx.ModelProto:
    """The stacking meta-learner's own skl2onnx graph on a float tensor of `width` columns
    (the concatenated member outputs), probabilities as a tensor (no ZipMap)."""
    from skl2onnx import convert_sklearn
    from skl2onnx.common.data_types import FloatTensorType

    options = {id(meta): {"zipmap": False}} if schema.is_classifier else {}
    return convert_sklearn(
        meta,
        initial_types=[("stacked", FloatTensorType([None, width]))],
        target_opset=dict(opset),
        options=options,
    )


def stack_members(
    protos: Sequence[onnx.ModelProto],
    meta: onnx.ModelProto,
    schema: FeatureSchema,
    drop_first_class: bool,
) -> onnx.ModelProto:
    """The stacking ensemble: each member model's output (its probabilities without the first
    class's column when `drop_first_class`, as StackingClassifier does for a binary target; a
    regressor's prediction) concatenated, in member order, into the `meta` model (from
    `convert_meta_learner`), whose probabilities or prediction are the outputs."""
    parts = GraphParts()
    stacked = []
    for index, output in enumerate(_member_outputs(protos, parts)):
        if drop_first_class:
            starts = parts.constant(f"member{index}_from", np.asarray([1], dtype=np.int64))
            ends = parts.constant(f"member{index}_to", np.asarray([2], dtype=np.int64))
            axes = parts.constant(f"member{index}_axis", np.asarray([1], dtype=np.int64))
            output_kept = f"member{index}_stacked"
            parts.nodes.append(
                helper.make_node("Slice", [output, starts, ends, axes], [output_kept])
            )
            output = output_kept
        stacked.append(output)
    graph = _renamed(meta.graph, "meta_", keep_inputs=False)
    parts.nodes.append(helper.make_node("Concat", stacked, [graph.input[0].name], axis=1))
    parts.add(graph)
    outputs = _outputs(parts, graph.output[-1].name, schema)
    return _model(parts, [*protos, meta], outputs, schema)
