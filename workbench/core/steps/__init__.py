"""Preprocessing steps: the registry and one module per family of steps."""

from workbench.core.steps.registry import (
    Stage,
    StepDef,
    all_steps,
    get_step,
    register,
    steps_by_group,
)

__all__ = ["Stage", "StepDef", "all_steps", "get_step", "register", "steps_by_group"]
