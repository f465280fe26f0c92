"""Which of a model's outputs an explanation describes, and how they are named in JSON.

A regression has one output (the predicted value). A binary classifier is explained through
its positive class only (the other class is its mirror image), the class binary metrics call
positive (`metrics.positive.positive_label`), so an explanation, a curve and a score agree on
which class "up" means. A multiclass model has one output per class, in `classes_` order.
JSON keys are text: each output is named by its label as text ("value" for a regression).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from workbench.core.errors import WorkbenchError
from workbench.core.kinds import TaskType
from workbench.core.metrics.positive import plain, positive_label

REGRESSION_OUTPUT = "value"


@dataclass(frozen=True)
class Outputs:
    """`positions`: the columns of the model's `predict_proba` explained (empty for a
    regression); `labels`: each output's name in JSON."""

    positions: tuple[int, ...]
    labels: tuple[str, ...]

    @property
    def single(self) -> bool:
        return len(self.labels) == 1


def model_outputs(task: TaskType, classes: Sequence[Any] | None, positive: Any = None) -> Outputs:
    """The outputs explained for this task; `classes` is the model's `classes_` (None for a
    regression), `positive` the positive class of a binary task (guessed when None)."""
    task = TaskType(task)
    if task == TaskType.REGRESSION:
        return Outputs((), (REGRESSION_OUTPUT,))
    labels = [plain(label) for label in (classes if classes is not None else [])]
    if len(labels) < 2:
        raise WorkbenchError(f"a classifier needs at least 2 classes, the model has {labels}")
    if task == TaskType.MULTICLASS:
        return Outputs(tuple(range(len(labels))), tuple(label_text(c) for c in labels))
    if len(labels) != 2:
        raise WorkbenchError(f"a binary task needs 2 classes, the model has {len(labels)}")
    chosen = positive_label(labels) if positive is None else plain(positive)
    if chosen not in labels:
        raise WorkbenchError(f"the positive class {chosen!r} is not one of the model's {labels}")
    return Outputs((labels.index(chosen),), (label_text(chosen),))


def label_text(label: Any) -> str:
    """A class label as a JSON key."""
    return str(plain(label))


def by_output(labels: Sequence[str], values: Sequence[Any]) -> Any:
    """One value per output as JSON gives it: the value itself for a single output, else a
    mapping from each output's label to its value."""
    return values[0] if len(labels) == 1 else dict(zip(labels, values, strict=True))


def per_output(labels: Sequence[str], value: Any) -> list[Any]:
    """The inverse of `by_output`: the values in `labels` order."""
    if len(labels) == 1:
        return [value]
    if not isinstance(value, Mapping):
        raise WorkbenchError(f"expected one value per class ({', '.join(labels)}), got {value!r}")
    return [value[label] for label in labels]
