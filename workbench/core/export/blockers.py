"""What stops a run from converting to ONNX, named before the user clicks Export.

Steps declare their ONNX support in the step registry (`onnx`, `onnx_note`, `onnx_check`) and
models in the model registry; `chain.onnx_blockers` reads the steps. This adds what depends on
the run: the model's own default steps and the model itself.
"""

from __future__ import annotations

from workbench.core.chain.stages import onnx_blockers
from workbench.core.chain.walk import step_title
from workbench.core.export.run_context import RunContext
from workbench.core.steps.catalog import all_steps


def run_blockers(ctx: RunContext) -> list[str]:
    """One line per obstacle, naming the step, column or model and the reason."""
    found: list[str] = []
    if not ctx.model.onnx:
        reason = ctx.model.onnx_note or "it has no ONNX converter"
        found.append(f"model '{ctx.model.label}': {reason}")
    titles = _titles(ctx)
    for index, _name, reason in onnx_blockers(ctx.full_chain):
        found.append(f"{titles[index]}: {reason}")
    return found


def _titles(ctx: RunContext) -> list[str]:
    """How each step of the full chain is named: the user's steps by their position in the
    user's chain, the model's defaults as such, with their columns."""
    steps = all_steps()
    titles = []
    user_index = 0
    for spec, default in zip(ctx.full_chain.steps, ctx.is_default, strict=True):
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
