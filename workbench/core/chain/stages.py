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

from workbench.core.chain.resolve import ChainError, ResolvedChain, ResolvedStep
from workbench.core.steps.registry import Stage


def _usable(chain: ResolvedChain, stage: Stage) -> list[tuple[ResolvedStep, dict[str, Any]]]:
    """(step, resolved params) of the enabled steps of one stage; a ChainError for an unknown
    step anywhere in the chain, or for refused parameters of a step of this stage."""
    found = []
    for step in chain.steps:
        if step.definition is None:
            raise ChainError(f"{step.title}: unknown step '{step.name}'")
        if step.stage == stage:
            if step.params is None:
                raise ChainError(str(step.params_error))
            found.append((step, dict(step.params)))
    return found


def apply_row_steps(
    chain: ResolvedChain, X: pd.DataFrame, y: pd.Series, seed: int = 0
) -> tuple[pd.DataFrame, pd.Series]:
    """The training rows to fit on: the ROWS steps in chain order. Call it on each fold's
    training rows only; evaluation rows are never dropped or resampled."""
    for step, params in _usable(chain, Stage.ROWS):
        assert step.definition is not None and step.definition.row_fn is not None
        X, y = step.definition.row_fn(X, y, params, seed)
    return X, y


def _class_weights(params: Mapping[str, Any]) -> dict[str, Any]:
    return {"class_weight": params.get("mode", "balanced")}


# MODEL step -> the estimator keyword arguments it stands for.
_MODEL_OPTIONS: dict[str, Callable[[Mapping[str, Any]], dict[str, Any]]] = {
    "class_weights": _class_weights,
}


def model_options(chain: ResolvedChain) -> dict[str, Any]:
    """Options the MODEL steps hand to the model, e.g. {"class_weight": "balanced"}."""
    options: dict[str, Any] = {}
    for step, params in _usable(chain, Stage.MODEL):
        option = _MODEL_OPTIONS.get(step.name)
        if option is None:
            raise ChainError(f"{step.title}: the compiler does not know what '{step.name}' sets")
        options.update(option(params))
    return options


def onnx_blockers(chain: ResolvedChain) -> list[tuple[int, str, str]]:
    """(index, step name, reason) of the enabled steps the ONNX export cannot convert. ROWS and
    MODEL steps are never exported, so they never block."""
    blockers = []
    for step in chain.steps:
        definition = step.definition
        if definition is None:
            blockers.append((step.index, step.name, f"unknown step '{step.name}'"))
        elif definition.stage in (Stage.COLUMNS, Stage.MATRIX) and not definition.onnx:
            reason = definition.onnx_note or f"{definition.label} has no ONNX converter"
            blockers.append((step.index, step.name, reason))
        elif definition.onnx_check is not None and step.params is not None:
            # Refused parameters are the chain's problems to report, not a blocker.
            reason = definition.onnx_check(step.params)
            if reason:
                blockers.append((step.index, step.name, reason))
    return blockers
