"""One ONNX graph from an ensemble's member graphs: each member converted as its own run would
be (onnx_convert), then their outputs averaged with the ensemble's weights.

Why a graph of graphs rather than skl2onnx's VotingClassifier converter: that converter feeds
every member one input tensor, while each workbench member is a whole pipeline with one input
per original column and its own chain (one-hot for one model, scaling for another). Merging the
converted members keeps each member's graph exactly as a single run's export, parity-checked
the same way; the merge adds only Mul, Sum, ArgMax and Gather, as VotingClassifier's soft vote
(`np.average(probabilities, weights=...)`, then the class of the largest) and VotingRegressor's
weighted mean do.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import onnx
from onnx import TensorProto, helper, numpy_helper

from workbench.core.export.feature_schema import FeatureSchema


def _renamed(graph: onnx.GraphProto, prefix: str) -> onnx.GraphProto:
    """A copy of `graph` with every name but its inputs' prefixed: members' graphs then share
    the model's inputs and nothing else."""
    graph = onnx.GraphProto.FromString(graph.SerializeToString())
    kept = {value.name for value in graph.input}

    def name(value: str) -> str:
        return value if not value or value in kept else f"{prefix}{value}"

    for node in graph.node:
        node.name = f"{prefix}{node.name}" if node.name else node.name
        node.input[:] = [name(value) for value in node.input]
        node.output[:] = [name(value) for value in node.output]
    for initializer in graph.initializer:
        initializer.name = name(initializer.name)
    for value in [*graph.output, *graph.value_info]:
        value.name = name(value.name)
    return graph


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
    nodes: list[onnx.NodeProto] = []
    initializers: list[onnx.TensorProto] = []
    terms = []
    for index, (proto, weight) in enumerate(zip(protos, weights, strict=True)):
        prefix = f"member{index}_"
        graph = _renamed(proto.graph, prefix)
        nodes.extend(graph.node)
        initializers.extend(graph.initializer)
        # Outputs: (label, probabilities) for a classifier, (variable,) for a regressor.
        averaged = graph.output[-1].name
        scale = f"{prefix}weight"
        initializers.append(
            numpy_helper.from_array(np.asarray([weight / total], dtype=np.float32), scale)
        )
        terms.append(f"{prefix}weighted")
        nodes.append(helper.make_node("Mul", [averaged, scale], [terms[-1]]))
    inputs = list(protos[0].graph.input)
    if schema.is_classifier:
        probabilities, label = schema.outputs["probabilities"], schema.outputs["label"]
        classes = list(schema.classes or ())
        numeric = all(isinstance(c, bool | int | np.integer) for c in classes)
        values = (
            np.asarray(classes, dtype=np.int64)
            if numeric
            else np.asarray([str(c) for c in classes], dtype=object)
        )
        initializers.append(numpy_helper.from_array(values, "ensemble_classes"))
        nodes += [
            helper.make_node("Sum", terms, [probabilities]),
            helper.make_node("ArgMax", [probabilities], ["ensemble_best"], axis=1, keepdims=0),
            helper.make_node("Gather", ["ensemble_classes", "ensemble_best"], [label], axis=0),
        ]
        outputs = [
            helper.make_tensor_value_info(
                label, TensorProto.INT64 if numeric else TensorProto.STRING, [None]
            ),
            helper.make_tensor_value_info(probabilities, TensorProto.FLOAT, [None, len(classes)]),
        ]
    else:
        variable = schema.outputs["variable"]
        nodes.append(helper.make_node("Sum", terms, [variable]))
        outputs = [helper.make_tensor_value_info(variable, TensorProto.FLOAT, [None, 1])]
    graph = helper.make_graph(nodes, f"workbench-{schema.run_id}", inputs, outputs, initializers)
    model = helper.make_model(graph, opset_imports=_opsets(protos))
    model.ir_version = max(proto.ir_version for proto in protos)
    return model
