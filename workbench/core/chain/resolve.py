"""The chain resolved once: a ChainSpec against the step registry and the columns.

`resolve_chain` looks every step up in the registry (one read of it), resolves its parameters
and walks the enabled steps in order, tracking which columns are alive, what kind each one has
at each step, which step dropped what, and the *branches* the compiler turns into estimators.
The result, a `ResolvedChain`, is the one list every later stage iterates: validation (its
`problems`), the Prepare panel's column pickers (`columns_at`), compilation (compile.py), the
ROWS and MODEL steps and the ONNX blockers (stages.py), the advice (advice.py), the preview,
the model's full chain (pipeline.py) and the model card. None of them looks a step up again.
This module imports no scikit-learn, so the desktop window resolves chains without loading it.
The model (see CHAIN_CONTRACT.md):

- every original column that a COLUMNS step names gets a *branch*: the steps that name it, in
  chain order; a per-column step named on several columns is one instance per branch, so it
  behaves exactly as if applied to each column alone;
- a `combines_columns` step merges the branches of its columns into one branch (their earlier
  steps run first, side by side, as "parts"); any later step naming a column of that branch acts
  on the whole branch output, because a crossed or polynomial output no longer belongs to one
  original column;
- `rename` is a transformer like any other (an identity that renames the branch output, so it
  converts to ONNX); `drop_columns` ends the branch, `keep_columns` ends every branch it does not
  name (both are the compiler's job: there is nothing to transform);
- MATRIX steps act on all features after the columns; ROWS and MODEL steps are not transformers
  (see stages.apply_row_steps / stages.model_options).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
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


def step_title(index: int, spec: StepSpec, definition: StepDef | None) -> str:
    """How messages name a step: its 1-based position and its label."""
    label = definition.label if definition is not None else spec.step
    return f"step {index + 1} ({label})"


@dataclass(frozen=True)
class ResolvedStep:
    """One enabled step of the chain, resolved.

    `definition` is None for a step the registry does not know, `params` None when its
    parameters were refused (the chain's problems say why, `params_error` too). `columns` are
    the named columns it may act on (those that passed the checks) and `kinds` their kinds when
    it reads them; `writes` the original columns whose values it produces (its branches) and
    `drops` the columns it ends. `usable` is False when the step has a problem of its own (it
    then changes nothing). `added` marks a step the model added (chain.model_chain), and
    `user_index` is the step's position in the user's chain (None for an added step).
    """

    index: int
    spec: StepSpec
    definition: StepDef | None
    params: Mapping[str, Any] | None
    params_error: str | None
    title: str
    columns: tuple[str, ...] = ()
    kinds: Mapping[str, ColumnKind] = field(default_factory=dict)
    writes: tuple[str, ...] = ()
    drops: tuple[str, ...] = ()
    usable: bool = False
    added: bool = False
    user_index: int | None = None

    @property
    def name(self) -> str:
        return self.spec.step

    @property
    def label(self) -> str:
        return self.definition.label if self.definition is not None else self.spec.step

    @property
    def stage(self) -> Stage | None:
        return self.definition.stage if self.definition is not None else None


@dataclass(frozen=True)
class BranchStep:
    """A step of a branch: the resolved step and the columns its factory is given."""

    step: ResolvedStep
    columns: tuple[str, ...]


@dataclass(frozen=True)
class BranchParts:
    """The branches a `combines_columns` step merges, run side by side before it."""

    parts: tuple[BranchPlan, ...]


@dataclass(frozen=True)
class BranchPlan:
    """One branch: the original columns it selects, in order, and what is done to them."""

    columns: tuple[str, ...]
    steps: tuple[BranchStep | BranchParts, ...]


@dataclass(frozen=True)
class ColumnGroup:
    """One entry of the compiled ColumnTransformer, in output order: a branch, or an alive
    column no step names (`branch` None: passed through or dropped, as the compiler is told)."""

    columns: tuple[str, ...]
    branch: BranchPlan | None


@dataclass(frozen=True, eq=False)
class ResolvedChain:
    """A ChainSpec resolved against the registry and the feature columns.

    `kinds` are the feature columns it was resolved against (never the target), `steps` every
    enabled step in chain order, `problems` everything that stops it compiling (empty when it
    compiles), `alive` the columns left after it with their kinds, `layout` the compiled column
    groups, `matrix` the MATRIX steps that act on all features. `registry` is the registry as
    it was read: derived chains (a prefix, the model's full chain) resolve against it without
    another look-up.
    """

    chain: ChainSpec
    kinds: Mapping[str, ColumnKind]
    target: str | None
    steps: tuple[ResolvedStep, ...]
    problems: tuple[ChainProblem, ...]
    alive: Mapping[str, ColumnKind]
    layout: tuple[ColumnGroup, ...]
    matrix: tuple[ResolvedStep, ...]
    registry: Mapping[str, StepDef] = field(repr=False)
    kinds_at_step: tuple[Mapping[str, ColumnKind], ...] = field(repr=False)

    def columns_at(self, index: int) -> dict[str, ColumnKind]:
        """The columns a step at `index` may name: original names still alive before it, with
        their kind at that point (after one-hot a categorical column is numeric)."""
        position = min(max(index, 0), len(self.kinds_at_step) - 1)
        return dict(self.kinds_at_step[position])

    def of_stage(self, stage: Stage) -> tuple[ResolvedStep, ...]:
        """The enabled, known steps acting at `stage`, in chain order."""
        return tuple(step for step in self.steps if step.stage == stage)

    @property
    def has_row_steps(self) -> bool:
        return any(step.stage == Stage.ROWS for step in self.steps)

    @property
    def reads(self) -> tuple[str, ...]:
        """The feature columns the compiled chain reads, in the order of `kinds`: every column
        of a column group (a branch reads all its original columns, a combining step those it
        merged). A column a step dropped, one no group holds, and the target are not read: an
        exported model does not take them as inputs."""
        grouped = {column for group in self.layout for column in group.columns}
        return tuple(column for column in self.kinds if column in grouped)

    @property
    def untouched(self) -> dict[str, ColumnKind]:
        """Alive columns that no step names, with their kinds."""
        return {
            column: self.alive[column]
            for group in self.layout
            if group.branch is None
            for column in group.columns
        }

    def first_matrix_index(self) -> int:
        """The position of the first enabled MATRIX step (the chain's length when none)."""
        return next(
            (step.index for step in self.steps if step.stage == Stage.MATRIX),
            len(self.chain.steps),
        )

    def prefix(self, stop: int) -> ResolvedChain:
        """The chain of the first `stop` steps, resolved as a chain of its own."""
        return _resolve(ChainSpec(self.chain.steps[:stop]), self.kinds, self.target, self.registry)

    def with_steps_added(self, position: int, added: Sequence[StepSpec]) -> ResolvedChain:
        """This chain with `added` inserted at `position`, marked as added (the model's steps);
        the other steps keep their position in this chain as `user_index`."""
        steps = self.chain.steps
        chain = ChainSpec(steps[:position] + tuple(added) + steps[position:])
        inserted = range(position, position + len(added))
        return _resolve(chain, self.kinds, self.target, self.registry, inserted)


def resolve_chain(
    chain: ChainSpec,
    kinds: Mapping[str, ColumnKind],
    target: str | None = None,
) -> ResolvedChain:
    """Resolve `chain` against the registry and the columns in `kinds` (identifiers are never
    features: the caller leaves them out; the target, when given, is left out here)."""
    return _resolve(chain, kinds, target, all_steps())


def _resolve(
    chain: ChainSpec,
    kinds: Mapping[str, ColumnKind],
    target: str | None,
    registry: Mapping[str, StepDef],
    added: range = range(0),
) -> ResolvedChain:
    return _Resolver(kinds, target, registry, added).run(chain)


def _kind_list(kinds: frozenset[ColumnKind]) -> str:
    names = [kind.value for kind in ColumnKind if kind in kinds]
    if len(names) == 1:
        return names[0]
    return ", ".join(names[:-1]) + " or " + names[-1]


@dataclass
class _Branch:
    """A branch while the chain is walked (frozen into a BranchPlan when it is used)."""

    columns: list[str]
    steps: list[BranchStep | BranchParts] = field(default_factory=list)

    def plan(self) -> BranchPlan:
        return BranchPlan(tuple(self.columns), tuple(self.steps))


_SCOPE = {
    Stage.MATRIX: "it acts on all features",
    Stage.ROWS: "it acts on whole training rows",
    Stage.MODEL: "it is an option of the model",
}


class _Resolver:
    """Walks the enabled steps once, in order, tracking alive columns, kinds and branches."""

    def __init__(
        self,
        kinds: Mapping[str, ColumnKind],
        target: str | None,
        registry: Mapping[str, StepDef],
        added: range,
    ) -> None:
        self.order = {str(name): i for i, name in enumerate(kinds)}
        self.inputs: dict[str, ColumnKind] = {
            str(name): ColumnKind(kind) for name, kind in kinds.items() if name != target
        }
        self.kinds = dict(self.inputs)
        self.target = target
        self.registry = registry
        self.added = added
        self.dropped: dict[str, str] = {}  # column -> title of the step that dropped it
        self.branch_of: dict[str, _Branch] = {}
        self.problems: list[ChainProblem] = []
        self.steps: list[ResolvedStep] = []
        self.matrix: list[ResolvedStep] = []
        self.kinds_at: list[dict[str, ColumnKind]] = []
        self._matrix_titles: list[tuple[int, str, str]] = []  # (index, name, title) so far
        # MATRIX step -> title of the last COLUMNS step after it (an order problem)
        self._late_columns: dict[tuple[int, str, str], str] = {}

    def run(self, chain: ChainSpec) -> ResolvedChain:
        for index, spec in enumerate(chain.steps):
            self.kinds_at.append(dict(self.kinds))
            if spec.enabled:
                self.steps.append(self.step(index, spec))
        self.kinds_at.append(dict(self.kinds))
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
        if not self.kinds and self.steps and not self.problems:
            last = self.steps[-1]
            self._problem(last.index, last.spec, None, f"{last.title} leaves no feature columns")
        self.problems.sort(key=lambda problem: problem.step_index)
        return ResolvedChain(
            chain=chain,
            kinds=self.inputs,
            target=self.target,
            steps=tuple(self.steps),
            problems=tuple(self.problems),
            alive=dict(self.kinds),
            layout=self._layout(),
            matrix=tuple(self.matrix),
            registry=self.registry,
            kinds_at_step=tuple(self.kinds_at),
        )

    def step(self, index: int, spec: StepSpec) -> ResolvedStep:
        definition = self.registry.get(spec.step)
        title = step_title(index, spec, definition)
        added = index in self.added
        user_index = None if added else index - (len(self.added) if index >= self.added.stop else 0)
        base = {"index": index, "spec": spec, "title": title, "added": added}
        base["user_index"] = user_index
        if definition is None:
            # A project saved by a newer workbench, or a typo in a hand-edited project file.
            self._problem(index, spec, None, f"{title}: unknown step '{spec.step}'")
            return ResolvedStep(definition=None, params=None, params_error=None, **base)
        params, params_error = self._params(index, spec, definition, title)
        base.update(definition=definition, params=params, params_error=params_error)
        if definition.stage != Stage.COLUMNS:
            usable = params is not None
            if spec.columns:
                scope = _SCOPE[definition.stage]
                self._problem(index, spec, None, f"{title} takes no columns: {scope}")
                usable = False
            resolved = ResolvedStep(usable=usable, **base)
            if definition.stage == Stage.MATRIX:
                self._matrix_titles.append((index, spec.step, title))
                if params is not None:
                    self.matrix.append(resolved)
            return resolved
        for matrix_step in self._matrix_titles:
            self._late_columns[matrix_step] = title
        columns, usable = self._columns(index, spec, definition, title)
        kinds = {column: self.kinds[column] for column in columns}
        if usable and params is not None and definition.check is not None:
            sentence = definition.check(kinds, params)
            if sentence:
                self._problem(index, spec, None, f"{title}: {sentence}")
                usable = False
        base.update(columns=tuple(columns), kinds=kinds)
        # A faulty step changes nothing: later steps are checked as if it were not there.
        if not usable or params is None:
            return ResolvedStep(usable=False, **base)
        return self._apply(definition, columns, params, title, base)

    # -- checks -----------------------------------------------------------------------------

    def _problem(self, index: int, spec: StepSpec, column: str | None, message: str) -> None:
        self.problems.append(ChainProblem(index, spec.step, column, message))

    def _params(
        self, index: int, spec: StepSpec, definition: StepDef, title: str
    ) -> tuple[dict[str, Any] | None, str | None]:
        try:
            return resolve_params(definition.params, spec.params, title), None
        except WorkbenchError as error:
            self._problem(index, spec, None, str(error))
            return None, str(error)

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

    def _branches(self, columns: list[str]) -> list[_Branch]:
        """The distinct branches holding `columns`, created for columns without one yet."""
        found: list[_Branch] = []
        for column in columns:
            branch = self.branch_of.get(column)
            if branch is None:
                branch = _Branch([column])
                self.branch_of[column] = branch
            if all(branch is not other for other in found):
                found.append(branch)
        return found

    def _apply(
        self,
        definition: StepDef,
        columns: list[str],
        params: Mapping[str, Any],
        title: str,
        base: dict[str, Any],
    ) -> ResolvedStep:
        if KEEP_TAG in definition.tags or definition.name == KEEP_STEP:
            kept = {c for b in self._branches(columns) for c in b.columns}
            dropped = [c for c in self.kinds if c not in kept]
            for column in dropped:
                self._drop(column, title)
            return ResolvedStep(drops=tuple(dropped), usable=True, **base)
        if definition.combines_columns:
            parts = self._branches(columns)
            extra = sorted(
                {c for b in parts for c in b.columns} - set(columns), key=lambda c: self.order[c]
            )
            merged = _Branch(list(columns) + extra)
            step = ResolvedStep(writes=tuple(merged.columns), usable=True, **base)
            if any(part.steps for part in parts):
                merged.steps.append(BranchParts(tuple(part.plan() for part in parts)))
            merged.steps.append(BranchStep(step, tuple(merged.columns)))
            for column in merged.columns:
                self.branch_of[column] = merged
            branches = [merged]
        else:
            branches = self._branches(columns)
            written = tuple(c for b in branches for c in b.columns)
            if definition.drops_input:
                step = ResolvedStep(drops=written, usable=True, **base)
            else:
                step = ResolvedStep(writes=written, usable=True, **base)
                for branch in branches:
                    # A per-column step sees the branch's original columns: `rename` needs the
                    # one it renames, the rest do not depend on them.
                    named = tuple(c for c in columns if c in branch.columns)
                    branch.steps.append(BranchStep(step, named))
        output_kind = _output_kind(definition, params)
        for branch in branches:
            for column in list(branch.columns):
                if definition.drops_input:
                    self._drop(column, title)
                elif output_kind is not None:
                    self.kinds[column] = output_kind
        return step

    def _drop(self, column: str, title: str) -> None:
        self.kinds.pop(column, None)
        self.branch_of.pop(column, None)
        self.dropped[column] = title

    def _layout(self) -> tuple[ColumnGroup, ...]:
        """The alive columns as the compiler lays them out: each branch once, at the position
        of its first column; an untouched column at its own position."""
        entries: list[tuple[int, ColumnGroup]] = []
        placed: set[int] = set()
        for column in self.kinds:
            branch = self.branch_of.get(column)
            if branch is None:
                entries.append((self.order[column], ColumnGroup((column,), None)))
            elif id(branch) not in placed:
                placed.add(id(branch))
                first = min(self.order[c] for c in branch.columns)
                entries.append((first, ColumnGroup(tuple(branch.columns), branch.plan())))
        entries.sort(key=lambda entry: entry[0])
        return tuple(group for _, group in entries)


def _output_kind(definition: StepDef, params: Mapping[str, Any]) -> ColumnKind | None:
    for tag in definition.tags:
        if tag.startswith(OUTPUT_KIND_TAG):
            value = params.get(tag[len(OUTPUT_KIND_TAG) :])
            return ColumnKind(value) if value in set(ColumnKind) else definition.output_kind
    return definition.output_kind
