"""What stops a run from converting to ONNX, named before the user clicks Export.

Steps declare their ONNX support in the step registry (`onnx`, `onnx_note`, `onnx_check`) and
models in the model registry; `chain.onnx_blockers` reads the steps. This adds what depends on
the run: the model's own default steps and the model itself.
"""

from __future__ import annotations

from workbench.core.chain.resolve import ResolvedStep, step_title
from workbench.core.chain.stages import onnx_blockers
from workbench.core.runs.loaded import LoadedRun


def run_blockers(run: LoadedRun) -> list[str]:
    """One line per obstacle, naming the step, column or model and the reason."""
    found: list[str] = []
    if not run.model.onnx:
        reason = run.model.onnx_note or "it has no ONNX converter"
        found.append(f"model '{run.model.label}': {reason}")
    chain = run.resolved_chain
    titles = {step.index: _title(step) for step in chain.steps}
    for index, _name, reason in onnx_blockers(chain):
        found.append(f"{titles[index]}: {reason}")
    return found


def _title(step: ResolvedStep) -> str:
    """How a step of the full chain is named: the user's steps by their position in the
    user's chain, the model's defaults as such, with their columns."""
    columns = ", ".join(f"'{c}'" for c in step.spec.columns)
    on = f" on {columns}" if columns else ""
    if step.user_index is None:
        return f"the model's default step '{step.label}'{on}"
    return step_title(step.user_index, step.spec, step.definition) + on
