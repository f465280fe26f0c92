"""What stops a run from converting to ONNX, named before the user clicks Export.

Steps declare their ONNX support in the step registry (`onnx`, `onnx_note`, `onnx_check`) and
models in the model registry; `chain.onnx_blockers` reads the steps. This adds what depends on
the run: the model's own default steps as the run recorded them (a date column gets
`datetime_parts`), steps whose support depends on the task (target encoding of three or more
classes), date-typed input columns (ONNX has no date type) and the model itself.
"""

from __future__ import annotations

from workbench.core.chain.stages import onnx_blockers
from workbench.core.chain.walk import step_title
from workbench.core.kinds import TaskType
from workbench.core.runs.loaded import LoadedRun
from workbench.core.specs import StepSpec
from workbench.core.steps.catalog import all_steps

# Steps that convert for some tasks only (the registry's onnx_check sees parameters, not the task).
_TASK_LIMITS: dict[str, tuple[TaskType, ...]] = {"target_encode": (TaskType.MULTICLASS,)}


def run_blockers(run: LoadedRun) -> list[str]:
    """One line per obstacle, naming the step, column or model and the reason."""
    steps = all_steps()
    found: list[str] = []
    if not run.model.onnx:
        reason = run.model.onnx_note or "it has no ONNX converter"
        found.append(f"model '{run.model.label}': {reason}")
    chain = run.chain.steps()
    titles = _titles(chain)
    blocked = set()
    for index, _name, reason in onnx_blockers(run.chain.pipeline_chain()):
        blocked.add(index)
        found.append(f"{titles[index]}: {reason}")
    for index, (spec, _default) in enumerate(chain):
        limited = _TASK_LIMITS.get(spec.step, ())
        if spec.enabled and index not in blocked and run.task in limited:
            definition = steps[spec.step]
            reason = definition.onnx_note or f"it does not convert for a {run.task.value} target"
            found.append(f"{titles[index]}: {reason}")
    stored = run.project.dataset.schema if run.project.dataset else None
    if stored is not None:
        for column in stored.columns:
            if column.name in run.features and column.dtype.startswith("datetime64"):
                found.append(
                    f"column '{column.name}' holds dates, and ONNX has no date type: set its "
                    "role to 'ignore' (or export as joblib)"
                )
    return found


def _titles(chain: list[tuple[StepSpec, bool]]) -> list[str]:
    """How each step of the compiled chain is named: the user's steps by their position in
    the user's chain, the model's defaults as such, with their columns."""
    steps = all_steps()
    titles = []
    user_index = 0
    for spec, default in chain:
        definition = steps.get(spec.step)
        label = definition.label if definition is not None else spec.step
        columns = ", ".join(f"'{c}'" for c in spec.columns)
        on = f" on {columns}" if columns else ""
        if default:
            titles.append(f"the model's default step '{label}'{on}")
        else:
            titles.append(step_title(user_index, spec, definition) + on)
            user_index += 1
    return titles
