"""The exported graph reads its text inputs as import read the training file (`RawInput`).

After conversion, each text input (text and date columns) passes through a few nodes before
the chain sees it: the value without the spaces around it (when import stripped them), and ""
(missing) when that trimmed value is blank or one of import's NA tokens. A caller can then feed
the raw text of a file like the training one (`'WD '`, `' ?'`, `'NA'`) and get the prediction
`workbench predict` gives for that file. Number inputs are float32 and carry no text to read.

The nodes are written with the converters' `Graph` (the same trimming as the "Trim spaces"
step: onnxruntime's Tokenizer) over a small stand-in for skl2onnx's scope and container that
adds them to the finished model, in front of the nodes that read the inputs.
"""

from __future__ import annotations

from typing import Any

import onnx
from onnx import helper

from workbench.core.export.converters.graph import BOOL, MICROSOFT, STRING, Graph
from workbench.core.export.converters.strings import trimmed
from workbench.core.export.feature_schema import FeatureSchema

ML_DOMAIN = "ai.onnx.ml"
# LabelEncoder with `keys_strings` and `default_int64` is ai.onnx.ml version 2 or later.
ML_OPSET = 2
TEXT_TYPES = ("string", "datetime")


class _ModelNodes:
    """What `Graph` asks of skl2onnx's scope and container, collecting new nodes and
    initializers under names no existing value of the model uses."""

    def __init__(self, taken: set[str]) -> None:
        self.taken = taken
        self.nodes: list[onnx.NodeProto] = []
        self.initializers: list[onnx.TensorProto] = []

    def _unique(self, hint: str) -> str:
        name, number = hint, 1
        while name in self.taken:
            name, number = f"{hint}_{number}", number + 1
        self.taken.add(name)
        return name

    def get_unique_variable_name(self, hint: str) -> str:
        return self._unique(hint)

    def get_unique_operator_name(self, hint: str) -> str:
        return self._unique(f"wb_raw_{hint}")

    def add_initializer(self, name: str, element: int, shape: list[int], content: Any) -> None:
        self.initializers.append(helper.make_tensor(name, element, shape, content))

    def add_node(
        self,
        op_type: str,
        inputs: list[str],
        outputs: list[str],
        op_domain: str = "",
        op_version: int | None = None,
        name: str | None = None,
        **attrs: Any,
    ) -> None:
        self.nodes.append(
            helper.make_node(op_type, inputs, outputs, name=name, domain=op_domain, **attrs)
        )


def normalize_text_inputs(proto: onnx.ModelProto, schema: FeatureSchema) -> None:
    """Put the raw-input reading in front of every text input of `proto` (in place)."""
    raw = schema.raw_input
    inputs = [column.input for column in schema.columns if column.type in TEXT_TYPES]
    if not inputs:
        return
    graph = proto.graph
    taken = {value for node in graph.node for value in (*node.input, *node.output)}
    taken |= {item.name for item in (*graph.input, *graph.output, *graph.initializer)}
    taken |= {node.name for node in graph.node}
    added = _ModelNodes(taken)
    builder = Graph(added, added)
    read: dict[str, str] = {}
    for name in inputs:
        trimmed_text = trimmed(builder, name)
        tokens = ["", *raw.na_tokens]
        found = builder.node(
            "LabelEncoder",
            [trimmed_text],
            domain=ML_DOMAIN,
            keys_strings=tokens,
            values_int64s=[1] * len(tokens),
            default_int64=0,
        )
        is_missing = builder.cast(found, BOOL)
        kept = trimmed_text if raw.strip_whitespace else name
        read[name] = builder.where(is_missing, builder.constant("", STRING, "missing"), kept)
    _rewire(graph, read)
    nodes = [*added.nodes, *graph.node]
    del graph.node[:]
    graph.node.extend(nodes)
    graph.initializer.extend(added.initializers)
    _require_opset(proto, MICROSOFT, 1)
    _require_opset(proto, ML_DOMAIN, ML_OPSET)


def _rewire(graph: onnx.GraphProto, read: dict[str, str]) -> None:
    """Every node (subgraphs too) that read a raw input reads its normalized value instead."""
    for node in graph.node:
        node.input[:] = [read.get(value, value) for value in node.input]
        for attribute in node.attribute:
            if attribute.type == onnx.AttributeProto.GRAPH:
                _rewire(attribute.g, read)
            for subgraph in attribute.graphs:
                _rewire(subgraph, read)


def _require_opset(proto: onnx.ModelProto, domain: str, version: int) -> None:
    """The model imports `domain` at `version` or later (a later one is kept)."""
    for opset in proto.opset_import:
        if opset.domain == domain:
            opset.version = max(opset.version, version)
            return
    proto.opset_import.append(helper.make_opsetid(domain, version))
