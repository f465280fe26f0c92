"""The step catalog: every family of steps loaded, and the look-ups the app uses.

Importing a family module registers its steps (registry.register). The catalog imports all of
them, in the palette's order, so asking it for the steps always sees every step; the registry
below it knows nothing of the families, which is why the two are apart (no import cycle).
"""

from __future__ import annotations

from workbench.core.errors import WorkbenchError
from workbench.core.steps import (  # noqa: F401  (imported for their registrations)
    balance,
    categorical,
    columns,
    dates,
    impute,
    numeric,
    select,
    text,
)
from workbench.core.steps.registry import GROUP_ORDER, StepDef, registered_steps


def all_steps() -> dict[str, StepDef]:
    return registered_steps()


def get_step(name: str) -> StepDef:
    steps = all_steps()
    if name not in steps:
        raise WorkbenchError(f"unknown step '{name}'; known steps: {', '.join(sorted(steps))}")
    return steps[name]


def steps_by_group() -> dict[str, list[StepDef]]:
    """The palette: groups in GROUP_ORDER, steps in registration order."""
    grouped: dict[str, list[StepDef]] = {group: [] for group in GROUP_ORDER}
    for step in all_steps().values():
        grouped[step.group].append(step)
    return {group: steps for group, steps in grouped.items() if steps}
