"""Re-fit a logged run from what it recorded: the same data, chain, model, split, tuning and seed.

A project received from someone else keeps its runs' numbers, plots and reports, but its fitted
pipelines are pickles this installation did not write, so they are never loaded (core.trust).
Re-fitting trains the run's recorded spec again on this machine: a new run whose pipeline is
trusted, which can predict and export. With the same seed the metrics come out the same; when
they do not (another library version, different data), the outcome names each one that moved.

The recorded chain is the one re-fitted, not the project's chain of today: a re-fit reproduces
the run, it does not train the project's current settings (that is Re-run, in the Train panel).
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass, replace
from pathlib import Path

from workbench.core.chain.resolve import resolve_chain
from workbench.core.errors import WorkbenchError
from workbench.core.kinds import ColumnKind
from workbench.core.progress import NEVER_CANCELLED, CancelToken, ProgressFn, no_progress
from workbench.core.project import Project, open_project
from workbench.core.runs.log import ExperimentLog, RunRecord, open_log
from workbench.core.runs.spec import RunSpec
from workbench.core.train.events import FINISHED, CandidateResult
from workbench.core.train.runner import TrainingInput, train

# Relative difference under which two logged scores count as the same (float sums in another
# order); anything larger is reported.
SAME_SCORE = 1e-9
_SPLITS = ("validation", "test")


@dataclass(frozen=True)
class ScoreChange:
    """One score of the re-fit that differs from the original run's."""

    split: str
    metric: str
    before: float | None
    after: float | None


@dataclass(frozen=True)
class RefitOutcome:
    """How a re-fit ended: the new run, and the scores that differ from the original's."""

    original: str
    result: CandidateResult
    changes: tuple[ScoreChange, ...]

    @property
    def finished(self) -> bool:
        return self.result.status == FINISHED

    @property
    def summary(self) -> str:
        """One line for the window's notice and the command line."""
        new = self.result.run_id
        if not self.finished:
            return f"the re-fit of run {self.original} {self.result.status}: {self.result.message}"
        if not self.changes:
            return (
                f"run {new} re-fits run {self.original}: same seed, same metrics; it can predict "
                "and export"
            )
        moved = ", ".join(
            f"{c.split} {c.metric} {_shown(c.before)} -> {_shown(c.after)}" for c in self.changes
        )
        return (
            f"run {new} re-fits run {self.original} with the same seed, but its metrics differ "
            f"({moved}): another library version or platform computes them differently"
        )


def _shown(value: float | None) -> str:
    return "none" if value is None else f"{value:.6g}"


def refit_input(project: Project, spec: RunSpec, run_id: str) -> TrainingInput:
    """The training input that reproduces the run: the project's data, which must be the data
    the run trained on, and the run's recorded chain over its recorded feature columns."""
    dataset = project.dataset
    if dataset is None:
        raise WorkbenchError(f"project '{project.name}' has no dataset; run '{run_id}' needs it")
    if dataset.data_sha256 != spec.dataset_sha256:
        raise WorkbenchError(
            f"the project's dataset changed since run '{run_id}' was trained (sha256 "
            f"{spec.dataset_sha256[:12]}... then, {dataset.data_sha256[:12]}... now); a re-fit "
            "needs the data the run was trained on"
        )
    kinds: dict[str, ColumnKind] = {}
    for feature in spec.features:
        if feature.name not in dataset.kinds:
            raise WorkbenchError(
                f"column '{feature.name}' used by run '{run_id}' is no longer in the dataset"
            )
        kinds[feature.name] = feature.kind or dataset.kinds[feature.name]
    chain = resolve_chain(spec.chain.user, kinds, spec.target)
    return TrainingInput(project.root, project.name, dataset, spec.target, spec.task, chain)


def score_changes(before: RunRecord, after: RunRecord) -> tuple[ScoreChange, ...]:
    """The validation and test scores that differ between two runs (a score one lacks too)."""
    changes = []
    for split in _SPLITS:
        old, new = before.scores(split), after.scores(split)
        for metric in sorted(set(old) | set(new)):
            a, b = old.get(metric), new.get(metric)
            same = a is not None and b is not None and math.isclose(a, b, rel_tol=SAME_SCORE)
            if not same:
                changes.append(ScoreChange(split, metric, a, b))
    return tuple(changes)


def refit_run(
    project_root: str | Path,
    run_id: str,
    progress: ProgressFn = no_progress,
    cancel: CancelToken = NEVER_CANCELLED,
    on_partial: Callable[[object], None] | None = None,
) -> RefitOutcome:
    """Train run `run_id`'s recorded spec again as a new run (noted as its re-fit) and compare
    the scores. Any logged run can be re-fitted: a failed one's settings are recorded too."""
    project = open_project(project_root)
    with open_log(project.root) as log:
        original = log.run(run_id)
    spec = original.spec
    inputs = refit_input(project, spec, run_id)
    # The metric the run was scored by, even when its tuning left it to the task's default.
    train_spec = replace(spec.train_spec(), tune=replace(spec.tune, metric=spec.metric))
    (result,) = train(inputs, train_spec, progress, cancel, on_partial)
    return refit_outcome(log.path, original, result)


def refit_outcome(log_path: Path, original: RunRecord, result: CandidateResult) -> RefitOutcome:
    """The re-fit's new run `result` noted as the re-fit of `original` in the log at
    `log_path`, and the scores that moved (a plain run's and an ensemble's re-fit alike)."""
    with ExperimentLog(log_path) as log:
        log.set_note(result.run_id, f"re-fit of run {original.run_id}")
        refitted = log.run(result.run_id)
    changes = score_changes(original, refitted) if result.status == FINISHED else ()
    return RefitOutcome(original.run_id, result, changes)
