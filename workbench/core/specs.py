"""Specs: what the user asked for, as frozen values that round-trip through project.json.

The GUI edits specs, the project file stores them, and core turns them into estimators. A spec
never holds a fitted object, so the same spec gives the same result on any machine.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from typing import Any

from workbench.core.errors import WorkbenchError


@dataclass(frozen=True)
class StepSpec:
    """One preprocessing step: which registered step, on which columns, with which parameters."""

    step: str
    columns: tuple[str, ...] = ()
    params: Mapping[str, Any] = field(default_factory=dict)
    enabled: bool = True

    def to_dict(self) -> dict[str, Any]:
        return {
            "step": self.step,
            "columns": list(self.columns),
            "params": {k: list(v) if isinstance(v, tuple) else v for k, v in self.params.items()},
            "enabled": self.enabled,
        }

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> StepSpec:
        if not isinstance(data, Mapping) or "step" not in data:
            raise WorkbenchError(f"a chain step must be an object with a 'step' name, got {data!r}")
        params = data.get("params") or {}
        return cls(
            step=str(data["step"]),
            columns=tuple(str(column) for column in data.get("columns") or ()),
            params={k: tuple(v) if isinstance(v, list) else v for k, v in params.items()},
            enabled=bool(data.get("enabled", True)),
        )


@dataclass(frozen=True)
class ChainSpec:
    """The ordered preprocessing steps of a project."""

    steps: tuple[StepSpec, ...] = ()

    def to_dict(self) -> dict[str, Any]:
        return {"steps": [step.to_dict() for step in self.steps]}

    @classmethod
    def from_dict(cls, data: Mapping[str, Any] | None) -> ChainSpec:
        if not data:
            return cls()
        return cls(tuple(StepSpec.from_dict(item) for item in data.get("steps", ())))

    # Edits return new chains, so an undo stack can keep the old ones as they were.

    def inserted(self, index: int, step: StepSpec) -> ChainSpec:
        steps = list(self.steps)
        steps.insert(index, step)
        return ChainSpec(tuple(steps))

    def removed(self, index: int) -> ChainSpec:
        return ChainSpec(self.steps[:index] + self.steps[index + 1 :])

    def moved(self, source: int, destination: int) -> ChainSpec:
        steps = list(self.steps)
        steps.insert(destination, steps.pop(source))
        return ChainSpec(tuple(steps))

    def replaced(self, index: int, step: StepSpec) -> ChainSpec:
        steps = list(self.steps)
        steps[index] = step
        return ChainSpec(tuple(steps))

    def toggled(self, index: int) -> ChainSpec:
        step = self.steps[index]
        return self.replaced(index, replace(step, enabled=not step.enabled))

    @property
    def enabled_steps(self) -> tuple[StepSpec, ...]:
        return tuple(step for step in self.steps if step.enabled)
