"""What every step converter is built from: a `Graph` that adds named ONNX nodes and constants
to a skl2onnx conversion, and `StepConverter`, the declaration that registers a transformer.

Why a declaration instead of skl2onnx's three hooks written by hand for each class: the
transformers of a branch pass each other tables whose columns can be text and numbers side by
side (the values and the flags of "Flag missing values" on a text column). An ONNX tensor has
one element type, so a converter takes a list of input variables and returns one variable per
input when the types differ, one merged variable when they do not. The parser, shape
calculator and converter skl2onnx wants are generated from that one rule (`register`).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
from onnx import TensorProto
from skl2onnx import update_registered_converter
from skl2onnx.common.data_types import (
    DoubleTensorType,
    FloatTensorType,
    Int64TensorType,
    StringTensorType,
)

from workbench.core.errors import WorkbenchError
from workbench.core.steps.patterns import Pattern

FLOAT = TensorProto.FLOAT
DOUBLE = TensorProto.DOUBLE
INT64 = TensorProto.INT64
STRING = TensorProto.STRING
BOOL = TensorProto.BOOL
# The opset a converter needs when it uses the string operators of opset 20 (StringConcat,
# StringSplit, RegexFullMatch) or Equal on strings (19).
STRING_OPSET = 20
MICROSOFT = "com.microsoft"


class UnconvertibleError(WorkbenchError):
    """A fitted transformer the converters cannot express in ONNX (the message says why)."""


@dataclass(frozen=True)
class Column:
    """One input of a converter: a [N, width] tensor (width 1 unless the converter takes whole
    variables) and whether it holds text."""

    name: str
    text: bool
    width: int = 1


class Graph:
    """Nodes and constants added to one skl2onnx conversion, with unique names."""

    def __init__(self, scope: Any, container: Any) -> None:
        self.scope = scope
        self.container = container

    def fresh(self, hint: str) -> str:
        # Prefixed: skl2onnx's own graph builders (KNNImputer's) name values "isnan", "cast"...
        # without asking the scope, and a clash fails the conversion.
        return self.scope.get_unique_variable_name(f"wb_{hint}")

    def constant(self, value: Any, element: int, hint: str = "const") -> str:
        """An initializer holding `value` (a scalar or an array) of ONNX type `element`."""
        name = self.fresh(hint)
        if element == STRING:
            array = np.asarray(value, dtype=object)
            content = [str(item).encode("utf-8") for item in array.ravel()]
        else:
            dtype = {FLOAT: np.float32, DOUBLE: np.float64, INT64: np.int64, BOOL: np.bool_}
            array = np.asarray(value, dtype=dtype[element])
            content = array.ravel().tolist()
        self.container.add_initializer(name, element, list(array.shape), content)
        return name

    def node(
        self,
        op_type: str,
        inputs: Sequence[str],
        *,
        outputs: int = 1,
        domain: str = "",
        **attrs: Any,
    ) -> Any:
        """Add one node; its output name (or names, when `outputs` > 1)."""
        names = [self.fresh(op_type.lower()) for _ in range(outputs)]
        self.container.add_node(
            op_type,
            list(inputs),
            names,
            op_domain=domain,
            op_version=1 if domain == MICROSOFT else None,
            name=self.scope.get_unique_operator_name(op_type),
            **attrs,
        )
        return names[0] if outputs == 1 else names

    # ---- element-wise -------------------------------------------------------------------------

    def cast(self, x: str, to: int) -> str:
        return self.node("Cast", [x], to=to)

    def where(self, condition: str, yes: str, no: str) -> str:
        return self.node("Where", [condition, yes, no])

    def equal(self, x: str, y: str) -> str:
        return self.node("Equal", [x, y])

    def any_of(self, conditions: Sequence[str]) -> str:
        result = conditions[0]
        for condition in conditions[1:]:
            result = self.node("Or", [result, condition])
        return result

    def both(self, x: str, y: str) -> str:
        return self.node("And", [x, y])

    def negate(self, x: str) -> str:
        return self.node("Not", [x])

    def matches(self, x: str, pattern: Pattern) -> str:
        """Whether each text fully matches the pattern (RE2, as `Pattern.fullmatch` does)."""
        return self.node("RegexFullMatch", [x], pattern=pattern.re2)

    def is_empty(self, x: str) -> str:
        return self.equal(x, self.constant("", STRING, "empty"))

    def filled(self, like: str, value: Any, element: int) -> str:
        """A tensor shaped like `like` holding `value` everywhere."""
        shape = self.node("Shape", [like])
        return self.node("Expand", [self.constant([[value]], element, "fill"), shape])

    # ---- shapes -------------------------------------------------------------------------------

    def columns_of(self, x: str, count: int) -> list[str]:
        """The [N, 1] columns of a [N, count] tensor."""
        if count == 1:
            return [x]
        return [
            self.node("Gather", [x, self.constant([index], INT64, "index")], axis=1)
            for index in range(count)
        ]

    def concat(self, parts: Sequence[str], axis: int = 1) -> str:
        return parts[0] if len(parts) == 1 else self.node("Concat", list(parts), axis=axis)

    def item(self, x: str, index: int, axis: int) -> str:
        """Element `index` along `axis` (the axis removed)."""
        return self.node("Gather", [x, self.constant(index, INT64, "index")], axis=axis)

    def to_2d(self, x: str, width: int) -> str:
        return self.node("Reshape", [x, self.constant([-1, width], INT64, "shape")])


# ---- declarations -----------------------------------------------------------------------------

# outputs(model, input columns) -> the outputs: (name hint, element type, column count).
OutputRule = Callable[[Any, list[Column]], list[tuple[str, int, int]]]
# convert(graph, model, inputs) -> the names of the computed outputs, in declared order.
ConvertRule = Callable[[Graph, Any, list[Column]], list[str]]

_TENSOR_TYPES = {FLOAT: FloatTensorType, DOUBLE: DoubleTensorType, STRING: StringTensorType}


@dataclass(frozen=True)
class StepConverter:
    """How one fitted transformer class becomes ONNX.

    `outputs` says which output variables the inputs give; `convert` builds them from the input
    columns (each [N, 1], or the input variables whole when `by_column` is False); `opset` is
    the main-domain opset its operators need.
    """

    model: type
    outputs: OutputRule
    convert: ConvertRule
    opset: int = STRING_OPSET
    by_column: bool = True

    @property
    def alias(self) -> str:
        return f"Workbench{self.model.__name__}"

    def register(self) -> None:
        update_registered_converter(
            self.model, self.alias, self._shapes, self._convert, parser=self._parse
        )

    def _parse(self, scope: Any, model: Any, inputs: list[Any], custom_parsers: Any = None) -> Any:
        """Declare the outputs while skl2onnx wires the graph. Their number and types follow
        from the inputs' types (one placeholder column per input stands for its columns: the
        rules depend on the sequence of types only); widths come once the inputs' are known."""
        operator = scope.declare_local_operator(self.alias, model)
        operator.inputs = inputs
        placeholders = [Column("", _is_text(variable)) for variable in inputs]
        for hint, element, _ in self.outputs(model, placeholders):
            variable = scope.declare_local_variable(hint, _TENSOR_TYPES[element]([None, None]))
            operator.outputs.append(variable)
        return operator.outputs

    def _shapes(self, operator: Any) -> None:
        """The outputs' types and widths, from the inputs' (skl2onnx infers shapes in graph
        order, after the parse)."""
        columns = [
            Column("", _is_text(variable))
            for variable, width in zip(operator.inputs, _widths(operator), strict=True)
            for _ in range(width)
        ]
        declared = self.outputs(operator.raw_operator, columns)
        if len(declared) != len(operator.outputs):
            raise UnconvertibleError(
                f"{self.model.__name__}: its inputs changed type during the conversion"
            )
        for output, (_, element, width) in zip(operator.outputs, declared, strict=True):
            output.type = _TENSOR_TYPES[element]([None, width])

    def _convert(self, scope: Any, operator: Any, container: Any) -> None:
        graph = Graph(scope, container)
        names = []
        for variable, width in zip(operator.inputs, _widths(operator), strict=True):
            text = _is_text(variable)
            values = variable.full_name
            if not text and not isinstance(variable.type, FloatTensorType):
                values = graph.cast(values, FLOAT)  # int64 codes, doubles: float32 like the rest
            if self.by_column:
                names.extend(Column(name, text) for name in graph.columns_of(values, width))
            else:
                names.append(Column(values, text, width))
        results = self.convert(graph, operator.raw_operator, names)
        for result, output in zip(results, operator.outputs, strict=True):
            container.add_node(
                "Identity",
                [result],
                [output.full_name],
                name=scope.get_unique_operator_name("Identity"),
            )


def _is_text(variable: Any) -> bool:
    if not isinstance(
        variable.type, FloatTensorType | DoubleTensorType | StringTensorType | Int64TensorType
    ):
        raise UnconvertibleError(
            f"input '{variable.onnx_name}' has type {type(variable.type).__name__}"
        )
    return isinstance(variable.type, StringTensorType)


def _widths(operator: Any) -> list[int]:
    """The number of columns of each input. skl2onnx leaves it unknown after some of its own
    converters (the identity FunctionTransformer of "Keep only these columns"); the fitted
    transformer knows how many columns it takes, which settles one unknown width."""
    widths = []
    for variable in operator.inputs:
        shape = variable.type.shape
        width = shape[1] if len(shape) == 2 else None
        widths.append(width if isinstance(width, int) else None)
    unknown = [index for index, width in enumerate(widths) if width is None]
    total = getattr(operator.raw_operator, "n_features_in_", None)
    if len(unknown) == 1 and isinstance(total, int):
        widths[unknown[0]] = total - sum(w for w in widths if w is not None)
    elif unknown:
        name = operator.inputs[unknown[0]].onnx_name
        raise UnconvertibleError(f"the number of columns of '{name}' is unknown to the converter")
    return widths  # type: ignore[return-value]


def same_as_inputs(model: Any, columns: list[Column]) -> list[tuple[str, int, int]]:
    """One output per run of input columns of one type: text stays text, numbers stay float."""
    return typed_runs([STRING if c.text else FLOAT for c in columns])


def typed_runs(elements: list[int]) -> list[tuple[str, int, int]]:
    """Output variables for columns of these types: one variable when all share a type, else
    one per run of equal types (in column order)."""
    runs: list[tuple[str, int, int]] = []
    for element in elements:
        if runs and runs[-1][1] == element:
            hint, kind, width = runs[-1]
            runs[-1] = (hint, kind, width + 1)
        else:
            runs.append(("wb_text" if element == STRING else "wb_values", element, 1))
    return runs


def join_runs(graph: Graph, columns: list[str], elements: list[int]) -> list[str]:
    """[N, 1] columns joined into the variables `typed_runs` declares."""
    joined: list[str] = []
    start = 0
    for _, _, width in typed_runs(elements):
        joined.append(graph.concat(columns[start : start + width]))
        start += width
    return joined


def float_outputs(count: Callable[[Any, list[Column]], int]) -> OutputRule:
    """An output rule for converters with one float output of `count(model, columns)` columns."""

    def outputs(model: Any, columns: list[Column]) -> list[tuple[str, int, int]]:
        return [("wb_values", FLOAT, count(model, columns))]

    return outputs
