"""Undo commands for the preprocessing chain: every edit of the Prepare panel is one of these.

Each command keeps the whole ChainSpec before and after the edit. Chains are small frozen
values, so a snapshot costs nothing and undo restores the previous chain exactly (same step
order, same params, same `enabled` flags), with no inverse logic that could drift from redo.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import replace
from typing import Any, Protocol

from PySide6.QtGui import QUndoCommand

from workbench.core.specs import ChainSpec, StepSpec
from workbench.core.steps.catalog import all_steps

# QUndoStack merges consecutive commands with the same id (>= 0).
PARAM_EDIT_ID = 4101


class ChainHolder(Protocol):
    """Whoever shows the chain: applies a chain and selects a step (None: keep none selected)."""

    def apply_chain(self, chain: ChainSpec, select: int | None) -> None: ...


def step_label(name: str) -> str:
    """The registered label of a step, or its name when unknown (an old project file)."""
    step = all_steps().get(name)
    return step.label if step is not None else name


class ChainCommand(QUndoCommand):
    """Swap between two chains; `select_*` is the step selected after redo / undo."""

    def __init__(
        self,
        holder: ChainHolder,
        before: ChainSpec,
        after: ChainSpec,
        text: str,
        select_after: int | None,
        select_before: int | None,
    ) -> None:
        super().__init__(text)
        self._holder = holder
        self.before = before
        self.after = after
        self._select_after = select_after
        self._select_before = select_before

    def redo(self) -> None:
        self._holder.apply_chain(self.after, self._select_after)

    def undo(self) -> None:
        self._holder.apply_chain(self.before, self._select_before)


class AddStepCommand(ChainCommand):
    def __init__(
        self,
        holder: ChainHolder,
        chain: ChainSpec,
        index: int,
        step: StepSpec,
        selected: int | None,
    ) -> None:
        index = max(0, min(index, len(chain.steps)))
        super().__init__(
            holder,
            chain,
            chain.inserted(index, step),
            f"Add '{step_label(step.step)}'",
            index,
            selected,
        )


class RemoveStepCommand(ChainCommand):
    def __init__(self, holder: ChainHolder, chain: ChainSpec, index: int) -> None:
        after = chain.removed(index)
        select = min(index, len(after.steps) - 1) if after.steps else None
        name = step_label(chain.steps[index].step)
        super().__init__(holder, chain, after, f"Remove '{name}'", select, index)


class MoveStepCommand(ChainCommand):
    """Move the step at `source` so that it ends up at position `destination`."""

    def __init__(
        self, holder: ChainHolder, chain: ChainSpec, source: int, destination: int
    ) -> None:
        name = step_label(chain.steps[source].step)
        super().__init__(
            holder,
            chain,
            chain.moved(source, destination),
            f"Move '{name}' to position {destination + 1}",
            destination,
            source,
        )


class ToggleStepCommand(ChainCommand):
    def __init__(self, holder: ChainHolder, chain: ChainSpec, index: int) -> None:
        step = chain.steps[index]
        verb = "Disable" if step.enabled else "Enable"
        super().__init__(
            holder,
            chain,
            chain.toggled(index),
            f"{verb} '{step_label(step.step)}'",
            index,
            index,
        )


class SetColumnsCommand(ChainCommand):
    def __init__(
        self, holder: ChainHolder, chain: ChainSpec, index: int, columns: tuple[str, ...]
    ) -> None:
        step = chain.steps[index]
        after = chain.replaced(index, replace(step, columns=tuple(columns)))
        text = f"Set the columns of '{step_label(step.step)}'"
        super().__init__(holder, chain, after, text, index, index)


class SetParamsCommand(ChainCommand):
    """A parameter edit; keystrokes in one field of one step merge into one undo step."""

    def __init__(
        self,
        holder: ChainHolder,
        chain: ChainSpec,
        index: int,
        params: Mapping[str, Any],
        param_name: str,
    ) -> None:
        step = chain.steps[index]
        after = chain.replaced(index, replace(step, params=dict(params)))
        text = f"Change '{param_name}' of '{step_label(step.step)}'"
        super().__init__(holder, chain, after, text, index, index)
        self.index = index
        self.param_name = param_name

    def id(self) -> int:
        return PARAM_EDIT_ID

    def mergeWith(self, other: QUndoCommand) -> bool:
        if not isinstance(other, SetParamsCommand):
            return False
        if (other.index, other.param_name) != (self.index, self.param_name):
            return False
        if other.before != self.after:
            return False  # something else changed the chain in between
        self.after = other.after
        # Typing a value and then its old value back leaves nothing to undo.
        self.setObsolete(self.after == self.before)
        return True
