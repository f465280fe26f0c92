"""The chain walk: go through a ChainSpec once, tracking columns, kinds, branches and problems.

Validation and compilation share this walk so they can never disagree about which columns are
alive, what kind each one has at a given step, and which step dropped what: validation runs it
as is, the compiler (compile.ChainCompiler) runs it with hooks that build estimators.
This module imports no scikit-learn, so the desktop window can validate chains without loading
it. The model (see CHAIN_CONTRACT.md):

- every original column that a COLUMNS step names gets a *branch*: a Pipeline of the steps that
  name it, in chain order; a per-column step named on several columns is one instance per
  branch, so it behaves exactly as if applied to each column alone;
- a `combines_columns` step merges the branches of its columns into one branch (their earlier
  steps run first, side by side, in a nested ColumnTransformer "parts"); any later step naming
  a column of that branch acts on the whole branch output, because a crossed or polynomial
  output no longer belongs to one original column;
- `rename` is a transformer like any other (an identity that renames the branch output, so it
  converts to ONNX); `drop_columns` ends the branch, `keep_columns` ends every branch it does not
  name (both are the compiler's job: there is nothing to transform);
- MATRIX steps act on all features after the ColumnTransformer; ROWS and MODEL steps are not
  transformers (see chain.apply_row_steps / chain.model_options).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from workbench.core.errors import WorkbenchError
from workbench.core.kinds import ColumnKind
from workbench.core.params import resolve_params
from workbench.core.specs import ChainSpec, StepSpec
from workbench.core.steps.catalog import all_steps
from workbench.core.steps.registry import Stage, StepDef

# keep_columns: every branch it does not name is dropped (the compiler's job, not a transformer's).
KEEP_STEP = "keep_columns"
KEEP_TAG = "keeps_only_named"
# A step whose output kind is one of its parameters (`cast` to numeric / categorical / boolean).
OUTPUT_KIND_TAG = "output_kind_from_param:"


class ChainError(WorkbenchError):
    """A chain that cannot be compiled; the message names the step and the column."""


@dataclass(frozen=True)
class ChainProblem:
    """One problem of a chain. `step_index` is 0-based; the message says "step N" 1-based."""

    step_index: int
    step: str
    column: str | None
    message: str


# --- the walk ----------------------------------------------------------------------------------


@dataclass
class Branch:
    columns: list[str]  # original columns, in the order the branch selects them
    steps: list[tuple[str, Any]] = field(default_factory=list)  # (name, estimator) when compiling


def step_title(index: int, spec: StepSpec, definition: StepDef | None) -> str:
    """How messages name a step: its 1-based position and its label."""
    label = definition.label if definition is not None else spec.step
    return f"step {index + 1} ({label})"


def _kind_list(kinds: frozenset[ColumnKind]) -> str:
    names = [kind.value for kind in ColumnKind if kind in kinds]
    if len(names) == 1:
        return names[0]
    return ", ".join(names[:-1]) + " or " + names[-1]


class ChainWalk:
    """Walks the enabled steps in order, tracking alive columns, their kinds and branches.

    As is, only problems and kinds are tracked (validation, columns_at); the `_add_*` hooks,
    called for every usable step, are where the compiler builds estimators.
    """

    def __init__(self, kinds: Mapping[str, ColumnKind], target: str | None) -> None:
        self.order = {str(name): i for i, name in enumerate(kinds)}
        self.kinds: dict[str, ColumnKind] = {
            str(name): ColumnKind(kind) for name, kind in kinds.items() if name != target
        }
        self.target = target
        self.dropped: dict[str, str] = {}  # column -> title of the step that dropped it
        self.branch_of: dict[str, Branch] = {}
        self.problems: list[ChainProblem] = []
        self._matrix_steps: list[tuple[int, str, str]] = []  # (index, name, title) so far
        # MATRIX step -> title of the last COLUMNS step after it (an order problem)
        self._late_columns: dict[tuple[int, str, str], str] = {}
        self._steps = all_steps()

    # -- public driving ---------------------------------------------------------------------

    def run(self, chain: ChainSpec, stop: int | None = None) -> ChainWalk:
        steps = chain.steps if stop is None else chain.steps[:stop]
        for index, spec in enumerate(steps):
            if spec.enabled:
                self.step(index, spec)
        for (index, name, title), later in self._late_columns.items():
            self.problems.append(
                ChainProblem(
                    index,
                    name,
                    None,
                    f"{title} acts on all features and must come after {later}, "
                    "which acts on columns",
                )
            )
        if stop is None and not self.kinds and chain.enabled_steps and not self.problems:
            last = max(i for i, s in enumerate(chain.steps) if s.enabled)
            spec = chain.steps[last]
            title = step_title(last, spec, self._steps.get(spec.step))
            self._problem(last, spec, None, f"{title} leaves no feature columns")
        self.problems.sort(key=lambda problem: problem.step_index)
        return self

    def step(self, index: int, spec: StepSpec) -> None:
        definition = self._steps.get(spec.step)
        title = step_title(index, spec, definition)
        if definition is None:
            # A project saved by a newer workbench, or a typo in a hand-edited project file.
            self._problem(index, spec, None, f"{title}: unknown step '{spec.step}'")
            return
        params = self._params(index, spec, definition, title)
        if definition.stage != Stage.COLUMNS:
            if spec.columns:
                self._problem(
                    index, spec, None, f"{title} takes no columns: {_SCOPE[definition.stage]}"
                )
            if definition.stage == Stage.MATRIX:
                self._matrix_steps.append((index, spec.step, title))
                if params is not None:
                    self._add_matrix_step(index, spec, definition, params, title)
            return
        for matrix_step in self._matrix_steps:
            self._late_columns[matrix_step] = title
        columns, usable = self._columns(index, spec, definition, title)
        if usable and params is not None and definition.check is not None:
            sentence = definition.check({c: self.kinds[c] for c in columns}, params)
            if sentence:
                self._problem(index, spec, None, f"{title}: {sentence}")
                usable = False
        # A faulty step changes nothing: later steps are checked as if it were not there.
        if usable and params is not None:
            self._apply(index, spec, definition, columns, params, title)

    # -- checks -----------------------------------------------------------------------------

    def _problem(self, index: int, spec: StepSpec, column: str | None, message: str) -> None:
        self.problems.append(ChainProblem(index, spec.step, column, message))

    def _params(
        self, index: int, spec: StepSpec, definition: StepDef, title: str
    ) -> dict[str, Any] | None:
        try:
            return resolve_params(definition.params, spec.params, title)
        except WorkbenchError as error:
            self._problem(index, spec, None, str(error))
            return None

    def _columns(
        self, index: int, spec: StepSpec, definition: StepDef, title: str
    ) -> tuple[list[str], bool]:
        """The step's valid columns, and whether the step as a whole is usable."""
        count = len(spec.columns)
        ok = True
        if count < definition.min_columns:
            need = definition.min_columns
            self._problem(
                index,
                spec,
                None,
                f"{title} needs at least {need} column{'s' * (need > 1)}, got {count}",
            )
            ok = False
        if definition.max_columns is not None and count > definition.max_columns:
            most = definition.max_columns
            self._problem(
                index,
                spec,
                None,
                f"{title} takes at most {most} column{'s' * (most > 1)}, got {count}",
            )
            ok = False
        seen: set[str] = set()
        valid: list[str] = []
        for column in spec.columns:
            message = self._column_problem(column, definition, title, seen)
            seen.add(column)
            if message:
                self._problem(index, spec, column, message)
                ok = False
            else:
                valid.append(column)
        return valid, ok

    def _column_problem(
        self, column: str, definition: StepDef, title: str, seen: set[str]
    ) -> str | None:
        if column in seen:
            return f"{title} names column '{column}' twice"
        if self.target is not None and column == self.target:
            return f"{title} names the target '{column}'"
        if column in self.dropped:
            return f"{title}: column '{column}' was dropped by {self.dropped[column]}"
        if column not in self.kinds:
            return f"{title}: column '{column}' is not in the dataset"
        kind = self.kinds[column]
        if kind not in definition.accepts:
            return (
                f"{title}: column '{column}' is {kind.value} here; "
                f"{definition.label} takes {_kind_list(definition.accepts)} columns"
            )
        return None

    # -- state changes ----------------------------------------------------------------------

    def _branches(self, columns: list[str]) -> list[Branch]:
        """The distinct branches holding `columns`, created for columns without one yet."""
        found: list[Branch] = []
        for column in columns:
            branch = self.branch_of.get(column)
            if branch is None:
                branch = Branch([column])
                self.branch_of[column] = branch
            if all(branch is not other for other in found):
                found.append(branch)
        return found

    def _apply(
        self,
        index: int,
        spec: StepSpec,
        definition: StepDef,
        columns: list[str],
        params: Mapping[str, Any],
        title: str,
    ) -> None:
        if KEEP_TAG in definition.tags or definition.name == KEEP_STEP:
            kept = {c for b in self._branches(columns) for c in b.columns}
            for column in [c for c in self.kinds if c not in kept]:
                self._drop(column, title)
            return
        if definition.combines_columns:
            branches = [self._merge(columns, index, spec, definition, params, title)]
        else:
            branches = self._branches(columns)
            if not definition.drops_input:
                for branch in branches:
                    self._add_branch_step(branch, columns, index, spec, definition, params, title)
        output_kind = _output_kind(definition, params)
        for branch in branches:
            for column in list(branch.columns):
                if definition.drops_input:
                    self._drop(column, title)
                elif output_kind is not None:
                    self.kinds[column] = output_kind

    def _merge(
        self,
        columns: list[str],
        index: int,
        spec: StepSpec,
        definition: StepDef,
        params: Mapping[str, Any],
        title: str,
    ) -> Branch:
        parts = self._branches(columns)
        extra = sorted(
            {c for b in parts for c in b.columns} - set(columns), key=lambda c: self.order[c]
        )
        merged = Branch(list(columns) + extra)
        self._add_merged_step(merged, parts, index, spec, definition, params, title)
        for column in merged.columns:
            self.branch_of[column] = merged
        return merged

    def _drop(self, column: str, title: str) -> None:
        self.kinds.pop(column, None)
        self.branch_of.pop(column, None)
        self.dropped[column] = title

    # -- hooks for the compiler ---------------------------------------------------------------

    def _add_matrix_step(
        self,
        index: int,
        spec: StepSpec,
        definition: StepDef,
        params: Mapping[str, Any],
        title: str,
    ) -> None:
        """A usable MATRIX step."""

    def _add_branch_step(
        self,
        branch: Branch,
        columns: list[str],
        index: int,
        spec: StepSpec,
        definition: StepDef,
        params: Mapping[str, Any],
        title: str,
    ) -> None:
        """A usable per-column step, once for each branch holding some of `columns`."""

    def _add_merged_step(
        self,
        merged: Branch,
        parts: list[Branch],
        index: int,
        spec: StepSpec,
        definition: StepDef,
        params: Mapping[str, Any],
        title: str,
    ) -> None:
        """A usable `combines_columns` step: `parts` (the branches so far) become `merged`."""


_SCOPE = {
    Stage.MATRIX: "it acts on all features",
    Stage.ROWS: "it acts on whole training rows",
    Stage.MODEL: "it is an option of the model",
}


def _output_kind(definition: StepDef, params: Mapping[str, Any]) -> ColumnKind | None:
    for tag in definition.tags:
        if tag.startswith(OUTPUT_KIND_TAG):
            value = params.get(tag[len(OUTPUT_KIND_TAG) :])
            return ColumnKind(value) if value in set(ColumnKind) else definition.output_kind
    return definition.output_kind


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
