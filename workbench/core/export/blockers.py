"""What stops a run from converting to ONNX, named before the user clicks Export.

Steps declare their ONNX support in the step registry (`onnx`, `onnx_note`, `onnx_check`) and
models in the model registry; `chain.onnx_blockers` reads the steps. This adds what depends on
the run: the model's own default steps as the run recorded them (a date column gets
`datetime_parts`), steps whose support depends on the task (target encoding of three or more
classes), date-typed input columns (ONNX has no date type) and the model itself.
"""

from __future__ import annotations

from workbench.core.chain.resolve import ResolvedStep, step_title
from workbench.core.chain.stages import onnx_blockers
from workbench.core.kinds import TaskType
from workbench.core.runs.loaded import LoadedRun

# Steps that convert for some tasks only (the registry's onnx_check sees parameters, not the task).
_TASK_LIMITS: dict[str, tuple[TaskType, ...]] = {"target_encode": (TaskType.MULTICLASS,)}


def run_blockers(run: LoadedRun) -> list[str]:
    """One line per obstacle, naming the step, column or model and the reason."""
    found: list[str] = []
    if not run.model.onnx:
        reason = run.model.onnx_note or "it has no ONNX converter"
        found.append(f"model '{run.model.label}': {reason}")
    chain = run.resolved_chain
    titles = {step.index: _title(step) for step in chain.steps}
    blocked = set()
    for index, _name, reason in onnx_blockers(chain):
        blocked.add(index)
        found.append(f"{titles[index]}: {reason}")
    for step in chain.steps:
        limited = _TASK_LIMITS.get(step.name, ())
        if step.index not in blocked and run.task in limited and step.definition is not None:
            reason = (
                step.definition.onnx_note or f"it does not convert for a {run.task.value} target"
            )
            found.append(f"{titles[step.index]}: {reason}")
    stored = run.project.dataset.schema if run.project.dataset else None
    if stored is not None:
        for column in stored.columns:
            if column.name in run.features and column.dtype.startswith("datetime64"):
                found.append(
                    f"column '{column.name}' holds dates, and ONNX has no date type: set its "
                    "role to 'ignore' (or export as joblib)"
                )
    return found


def _title(step: ResolvedStep) -> str:
    """How a step of the full chain is named: the user's steps by their position in the
    user's chain, the model's defaults as such, with their columns."""
    columns = ", ".join(f"'{c}'" for c in step.spec.columns)
    on = f" on {columns}" if columns else ""
    if step.user_index is None:
        return f"the model's default step '{step.label}'{on}"
    return step_title(step.user_index, step.spec, step.definition) + on
