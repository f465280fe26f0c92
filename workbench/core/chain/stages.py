"""The chain's steps that are not columns transforms: ROWS steps, MODEL steps, and what the
ONNX export can convert.

The compiled Pipeline (compile.py) is what every CV fold fits, so nothing in it sees evaluation
rows; the steps that must not touch evaluation rows at all (ROWS: dropping and resampling rows)
are kept out of it and applied by `apply_row_steps` to each fold's training rows, and MODEL
steps become `model_options`. No scikit-learn here: the desktop window asks for blockers.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

import pandas as pd

from workbench.core.chain.walk import ChainError, step_title
from workbench.core.errors import WorkbenchError
from workbench.core.params import resolve_params
from workbench.core.specs import ChainSpec
from workbench.core.steps.catalog import all_steps
from workbench.core.steps.registry import Stage


def _resolved(chain: ChainSpec, stage: Stage) -> list[tuple[str, Any, dict[str, Any]]]:
    """(title, definition, resolved params) of the enabled steps of one stage."""
    steps = all_steps()
    found = []
    for index, spec in enumerate(chain.steps):
        definition = steps.get(spec.step)
        if not spec.enabled:
            continue
        title = step_title(index, spec, definition)
        if definition is None:
            raise ChainError(f"{title}: unknown step '{spec.step}'")
        if definition.stage == stage:
            try:
                params = resolve_params(definition.params, spec.params, title)
            except WorkbenchError as error:
                raise ChainError(str(error)) from None
            found.append((title, definition, params))
    return found


def apply_row_steps(
    chain: ChainSpec, X: pd.DataFrame, y: pd.Series, seed: int = 0
) -> tuple[pd.DataFrame, pd.Series]:
    """The training rows to fit on: the ROWS steps in chain order. Call it on each fold's
    training rows only; evaluation rows are never dropped or resampled."""
    for _, definition, params in _resolved(chain, Stage.ROWS):
        X, y = definition.row_fn(X, y, params, seed)
    return X, y


def _class_weights(params: Mapping[str, Any]) -> dict[str, Any]:
    return {"class_weight": params.get("mode", "balanced")}


# MODEL step -> the estimator keyword arguments it stands for.
_MODEL_OPTIONS: dict[str, Callable[[Mapping[str, Any]], dict[str, Any]]] = {
    "class_weights": _class_weights,
}


def model_options(chain: ChainSpec) -> dict[str, Any]:
    """Options the MODEL steps hand to the model, e.g. {"class_weight": "balanced"}."""
    options: dict[str, Any] = {}
    for title, definition, params in _resolved(chain, Stage.MODEL):
        option = _MODEL_OPTIONS.get(definition.name)
        if option is None:
            raise ChainError(f"{title}: the compiler does not know what '{definition.name}' sets")
        options.update(option(params))
    return options


def onnx_blockers(chain: ChainSpec) -> list[tuple[int, str, str]]:
    """(index, step name, reason) of the enabled steps the ONNX export cannot convert. ROWS and
    MODEL steps are never exported, so they never block."""
    steps = all_steps()
    blockers = []
    for index, spec in enumerate(chain.steps):
        if not spec.enabled:
            continue
        definition = steps.get(spec.step)
        if definition is None:
            blockers.append((index, spec.step, f"unknown step '{spec.step}'"))
        elif definition.stage in (Stage.COLUMNS, Stage.MATRIX) and not definition.onnx:
            reason = definition.onnx_note or f"{definition.label} has no ONNX converter"
            blockers.append((index, spec.step, reason))
        elif definition.onnx_check is not None:
            try:
                reason = definition.onnx_check(definition.resolve(spec.params))
            except WorkbenchError:
                continue  # bad parameters are validate_chain's to report
            if reason:
                blockers.append((index, spec.step, reason))
    return blockers
