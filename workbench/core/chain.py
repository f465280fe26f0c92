"""ChainSpec -> one scikit-learn Pipeline, and everything else the app asks of a chain.

The compiled Pipeline is what every CV fold fits, so nothing in it sees evaluation rows; the
steps that must not touch evaluation rows at all (ROWS: dropping and resampling rows) are kept
out of it and applied by `apply_row_steps` to each fold's training rows, and MODEL steps become
`model_options`. The walk that validates lives in chain_walk.py, the compile in
chain_compile.py, the preview in chain_preview.py. Importing this module, validating and
asking for columns do not load scikit-learn (the desktop window does all three); compiling does.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import TYPE_CHECKING, Any

import pandas as pd

from workbench.core.chain_preview import ChainPreview, StepPreview, preview_chain
from workbench.core.chain_walk import ChainError, ChainProblem, ChainWalk, step_title
from workbench.core.errors import WorkbenchError
from workbench.core.kinds import ColumnKind
from workbench.core.params import resolve_params
from workbench.core.specs import ChainSpec
from workbench.core.steps.registry import Stage, all_steps

if TYPE_CHECKING:
    from sklearn.pipeline import Pipeline

__all__ = [
    "ChainError",
    "ChainPreview",
    "ChainProblem",
    "StepPreview",
    "apply_row_steps",
    "build_transformer",
    "columns_at",
    "model_options",
    "onnx_blockers",
    "preview_chain",
    "validate_chain",
]


def columns_at(
    chain: ChainSpec,
    index: int,
    kinds: Mapping[str, ColumnKind],
    target: str | None = None,
) -> dict[str, ColumnKind]:
    """The columns a step at `index` may name: original names still alive, with their kind at
    that point (after one-hot a categorical column is numeric); never the target."""
    return dict(ChainWalk(kinds, target).run(chain, stop=index).kinds)


def validate_chain(
    chain: ChainSpec, kinds: Mapping[str, ColumnKind], target: str | None = None
) -> list[ChainProblem]:
    """Every problem of the enabled steps, in chain order (empty when the chain compiles)."""
    return ChainWalk(kinds, target).run(chain).problems


def build_transformer(
    chain: ChainSpec,
    kinds: Mapping[str, ColumnKind],
    target: str | None = None,
    untouched: str = "passthrough",
) -> Pipeline:
    """The unfitted Pipeline of the chain's COLUMNS and MATRIX steps.

    `kinds` holds the feature columns (identifiers are never features: the caller leaves them
    out); `untouched` says what happens to feature columns no step names: "passthrough" keeps
    them as they are, "drop" leaves them out. Raises ChainError with the first problem.
    """
    from workbench.core.chain_compile import UNTOUCHED_CHOICES, ChainCompiler

    if untouched not in UNTOUCHED_CHOICES:
        raise ChainError(
            f"untouched columns must be one of {', '.join(UNTOUCHED_CHOICES)}, not {untouched!r}"
        )
    problems = validate_chain(chain, kinds, target)
    if problems:
        raise ChainError(problems[0].message)
    return ChainCompiler(kinds, target).run(chain).transformer(untouched)


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
