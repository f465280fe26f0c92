"""The training runner: a TrainSpec over a TrainingInput -> one logged run per model.

A `TrainingInput` is everything the job trains on, taken from the project as it is on screen
(`training_input`): the dataset it reads, the target and task, and the chain resolved once
against the feature columns. The job receives it whole, so training never reads project.json
and the window need not save before it trains. `train` reads the data, plans the split once
(the test rows are set aside before any search), then trains the baseline and each chosen
model in turn (see candidate.py): an optional search, cross-validation fold by fold, a final
fit on every non-test row, one score of the test set. It follows the job contract:
`progress(fraction, message)`, a cooperative cancel between folds and trials, and `on_partial`
receiving RunStarted, TrialDone, FoldDone and CandidateResult values as they happen.

Why it is built this way:
- A fit that raises fails that model's run only (recorded with its message); the others go on.
  A cancel marks the current run cancelled and raises Cancelled, which the job runner turns
  into its cancelled event. A process killed outright leaves its run "running": the GUI then
  calls `mark_cancelled`, and recover_interrupted fixes runs of dead processes on open.
- Same seed, same data, same spec: identical metrics. Every random choice (split, search
  sampling, models, early-stopping slice) takes the spec's seed.
- Importing this module loads no scikit-learn: the window imports it for the event types;
  the heavy modules are imported by run_training, in the training process.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterable
from contextlib import ExitStack
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

from workbench.core.chain.resolve import ResolvedChain, resolve_chain
from workbench.core.compute.setting import LOCAL_COMPUTE, ComputeSetting
from workbench.core.errors import ProjectError, WorkbenchError
from workbench.core.kinds import TaskType
from workbench.core.progress import NEVER_CANCELLED, CancelToken, ProgressFn, no_progress
from workbench.core.specs import ModelSpec, TrainSpec
from workbench.core.train.events import (
    CANCELLED,
    CandidateResult,
)

if TYPE_CHECKING:
    import pandas as pd

    from workbench.core.chain.width import LabelCounts
    from workbench.core.compute.folds import FoldRunner
    from workbench.core.dataset import DatasetRef
    from workbench.core.project import Project
    from workbench.core.runs.log import ExperimentLog
    from workbench.core.runs.spec import FeatureColumn, RowCounts
    from workbench.core.train.candidate import Candidate, TrainContext
    from workbench.core.train.fit import FitSettings
    from workbench.core.train.splits import SplitPlan

CANCEL_MESSAGE = "cancelled by the user"


def _ignore(_: object) -> None:
    """on_partial sink for callers that do not watch partial results."""


@dataclass(frozen=True, eq=False)
class TrainingInput:
    """What one training job trains on. `chain` is the project's chain resolved against its
    feature columns (its `kinds`) and target: the job compiles it without looking a step up.
    It pickles (a process job's argument) and holds no frame: the job reads the dataset.
    `compute` says where the folds and trials run (the project's compute setting)."""

    root: Path
    project_name: str
    dataset: DatasetRef
    target: str
    task: TaskType
    chain: ResolvedChain
    compute: ComputeSetting = LOCAL_COMPUTE


def training_input(project: Project, chain: ResolvedChain | None = None) -> TrainingInput:
    """The project as it is now (saved or not) as a training job's input; `chain`, when given,
    is the chain on screen already resolved (resolved again if its columns or target differ
    from the project's). A WorkbenchError says what the project still lacks."""
    if project.dataset is None:
        raise ProjectError(f"project '{project.name}' has no dataset yet; import one first")
    if project.target is None or project.task is None:
        raise WorkbenchError(f"project '{project.name}' has no target column; choose one first")
    kinds = project.feature_kinds()
    if not kinds:
        raise WorkbenchError(f"project '{project.name}' has no feature columns to train on")
    if chain is None or dict(chain.kinds) != kinds or chain.target != project.target:
        spec = chain.chain if chain is not None else project.chain
        chain = resolve_chain(spec, kinds, project.target)
    return TrainingInput(
        project.root,
        project.name,
        project.dataset,
        project.target,
        TaskType(project.task),
        chain,
        project.compute,
    )


def run_training(
    project_root: str | Path,
    spec: TrainSpec,
    progress: ProgressFn = no_progress,
    cancel: CancelToken = NEVER_CANCELLED,
    on_partial: Callable[[object], None] | None = None,
) -> list[CandidateResult]:
    """Train the project as saved in `project_root` (the command line's training)."""
    from workbench.core.project import open_project

    inputs = training_input(open_project(project_root))
    return train(inputs, spec, progress, cancel, on_partial)


def models_to_train(spec: TrainSpec, task: TaskType) -> list[ModelSpec]:
    """The models of `spec` in training order: the task's baseline first when asked for and
    not already chosen. A WorkbenchError when there is none."""
    from workbench.core.models.catalog import baseline_for, get_model

    specs = list(spec.models)
    if spec.include_baseline:
        baseline = baseline_for(task)
        if not any(get_model(s.name, task).name == baseline.name for s in specs):
            specs.insert(0, ModelSpec(baseline.name))
    if not specs:
        raise WorkbenchError("choose at least one model to train")
    return specs


@dataclass(eq=False)
class PreparedTraining:
    """A job's data read and split once, ready to train any model on: what `train` and the
    auto search (core.automl) share. `candidate` builds one model's unfitted pipeline and
    RunSpec; `context` the TrainContext its CandidateRun needs."""

    inputs: TrainingInput
    spec: TrainSpec
    X: pd.DataFrame  # runner_frame of the feature columns
    y: pd.Series  # runner_labels of the target
    plan: SplitPlan
    development: np.ndarray
    metric: str
    n_jobs: int
    positive: Any
    classes: list[Any] | None
    rows: RowCounts
    features: tuple[FeatureColumn, ...]
    counts: LabelCounts

    def candidate(self, model_spec: ModelSpec) -> Candidate:
        """The Candidate (core.train.candidate) of `model_spec` on this job's chain."""
        from workbench.core.chain.advice import rescaling_note
        from workbench.core.chain.model_chain import model_chain
        from workbench.core.chain.stages import model_options
        from workbench.core.metrics.positive import plain
        from workbench.core.models.catalog import (
            get_model,
            option_notes,
            row_scaled_params,
            row_scaling_note,
        )
        from workbench.core.pipeline import build_pipeline
        from workbench.core.runs.spec import RecordedChain, RunSpec
        from workbench.core.train.candidate import Candidate

        inputs, spec = self.inputs, self.spec
        resolved_chain, task = inputs.chain, inputs.task
        options = model_options(resolved_chain)
        model = get_model(model_spec.name, task)
        rows = len(self.development)
        resolved = ModelSpec(model.name, row_scaled_params(model, model_spec.params, rows))
        full_chain = model_chain(resolved_chain, model, self.counts)
        template = build_pipeline(full_chain, resolved, task, spec.seed, self.n_jobs, options)
        advice = rescaling_note([model], resolved_chain)
        scaling = row_scaling_note(model, model_spec.params, rows)
        notes = (
            *option_notes(model, task, options),
            *([advice] if advice else []),
            *([scaling] if scaling else []),
        )
        run_spec = RunSpec(
            task=task,
            target=inputs.target,
            features=self.features,
            chain=RecordedChain.from_compiled(resolved_chain.chain, full_chain.chain),
            model=resolved,
            split=spec.split,
            tune=spec.tune,
            metric=self.metric,
            seed=spec.seed,
            dataset_sha256=inputs.dataset.data_sha256,
            rows=self.rows,
            n_jobs=spec.n_jobs,
            early_stopping=spec.early_stopping,
            positive=plain(self.positive),
            notes=(*self.plan.notes, *notes),
        )
        return Candidate(model, resolved, template, full_chain, notes, run_spec)

    def fit_settings(self) -> FitSettings:
        """How this job fits a fold (core.train.fit)."""
        from workbench.core.train.fit import FitSettings

        spec = self.spec
        return FitSettings(self.inputs.chain, self.inputs.task, spec.seed, spec.early_stopping)

    def enter_folds(self, stack: ExitStack, cancel: CancelToken | None) -> FoldRunner:
        """Where this job's fold fits run (in this process or on the Dask cluster of the
        input's compute setting), open until `stack` closes."""
        from workbench.core.compute.folds import FoldData
        from workbench.core.compute.runners import fold_runner

        data = FoldData(self.X, self.y, self.fit_settings(), self.positive)
        return stack.enter_context(
            fold_runner(self.inputs.compute, data, cancel or NEVER_CANCELLED)
        )

    def context(
        self,
        log: ExperimentLog,
        folds: FoldRunner,
        progress: ProgressFn,
        cancel: CancelToken,
        on_partial: Callable[[object], None] | None,
        parent_run_id: str | None = None,
    ) -> TrainContext:
        """The TrainContext (core.train.candidate) of this job writing to `log`, its fold
        fits run by `folds` (`enter_folds`)."""
        from workbench.core.train.candidate import TrainContext

        spec, task = self.spec, self.inputs.task
        return TrainContext(
            root=self.inputs.root,
            log=log,
            X=self.X,
            y=self.y,
            task=task,
            target=self.inputs.target,
            plan=self.plan,
            development=self.development,
            spec=spec,
            settings=self.fit_settings(),
            metric=self.metric,
            positive=self.positive,
            classes=self.classes,
            notes=list(self.plan.notes),
            progress=progress,
            cancel=cancel or NEVER_CANCELLED,
            emit=on_partial or _ignore,
            folds=folds,
            parent_run_id=parent_run_id,
        )


def prepare_training(
    inputs: TrainingInput, spec: TrainSpec, progress: ProgressFn = no_progress
) -> PreparedTraining:
    """Read the input's dataset and plan its split (the test rows set aside first)."""
    from workbench.core.chain.width import LabelCounts
    from workbench.core.dataset import load_dataset_frame
    from workbench.core.metrics.names import check_metric, default_metric
    from workbench.core.metrics.positive import positive_label
    from workbench.core.runs.spec import FeatureColumn, RowCounts
    from workbench.core.train.fit import runner_frame, runner_labels
    from workbench.core.train.splits import plan_split

    target, task = inputs.target, inputs.task
    kinds = dict(inputs.chain.kinds)
    # On a cluster every worker thread fits its own fold: one core per fit unless asked.
    all_cores = (os.cpu_count() or 1) if inputs.compute.in_process else 1
    n_jobs = spec.n_jobs if spec.n_jobs is not None else all_cores
    if n_jobs < 1:
        raise WorkbenchError(f"the number of cores must be 1 or more, got {n_jobs}")
    metric = check_metric(spec.tune.metric or default_metric(task), task)

    progress(0.0, "reading the data")
    frame = load_dataset_frame(inputs.root, inputs.dataset).reset_index(drop=True)
    plan = plan_split(frame, target, task, spec.split, spec.seed)
    # Every fold's rows together (folds[0] alone misses rows under time-series validation).
    development = np.unique(np.concatenate([np.concatenate(fold) for fold in plan.folds]))
    X = runner_frame(frame[list(kinds)])
    y = runner_labels(frame[target])
    classes = positive = None
    if task != TaskType.REGRESSION:
        classes = sorted(y.iloc[development].unique().tolist())
        if task == TaskType.BINARY and len(classes) == 2:
            positive = positive_label(classes, y.iloc[development].to_numpy())
    rows = RowCounts(
        total=len(frame),
        development=int(development.size),
        test=int(plan.test_rows.size),
        unlabelled=int(plan.unlabelled.size),
        folds=len(plan.folds),
    )
    return PreparedTraining(
        inputs=inputs,
        spec=spec,
        X=X,
        y=y,
        plan=plan,
        development=development,
        metric=metric,
        n_jobs=n_jobs,
        positive=positive,
        classes=classes,
        rows=rows,
        features=tuple(FeatureColumn(name, kind) for name, kind in kinds.items()),
        counts=LabelCounts.from_schema(inputs.dataset.schema),
    )


def train(
    inputs: TrainingInput,
    spec: TrainSpec,
    progress: ProgressFn = no_progress,
    cancel: CancelToken = NEVER_CANCELLED,
    on_partial: Callable[[object], None] | None = None,
) -> list[CandidateResult]:
    """Train every model of `spec` on the input's dataset; one result per model, in order
    (the baseline first when `spec.include_baseline`)."""
    from threadpoolctl import threadpool_limits

    from workbench.core.runs.log import LOG_FILE, ExperimentLog
    from workbench.core.train.candidate import CandidateRun

    prepared = prepare_training(inputs, spec, progress)
    candidates = [prepared.candidate(s) for s in models_to_train(spec, inputs.task)]
    results: list[CandidateResult] = []
    with ExitStack() as stack:
        folds = prepared.enter_folds(stack, cancel)
        log = stack.enter_context(ExperimentLog(inputs.root / LOG_FILE))
        if spec.n_jobs is not None:
            # OpenMP and BLAS threads (hist gradient boosting, linear algebra) obey this too.
            stack.enter_context(threadpool_limits(limits=prepared.n_jobs))
        ctx = prepared.context(log, folds, progress, cancel, on_partial)
        total = len(candidates)
        for index, candidate in enumerate(candidates):
            share = (index / total, (index + 1) / total)
            results.append(CandidateRun(ctx, candidate, index, total, share).run())
    progress(1.0, "training done")
    return results


def mark_cancelled(
    project_root: str | Path, run_ids: Iterable[str], process: int | None = None
) -> None:
    """Mark cancelled the runs among `run_ids` still "running": the GUI kills the training
    process on Cancel, which leaves its current run unfinished in the log and its files
    perhaps half-written: they are removed, as for a run whose process died.

    `process`, the killed training process's id, also ends the runs it started that the GUI
    never heard of: one logged a moment before the kill, whose start event was still on its
    way (the window knows runs only from those events)."""
    import socket

    from workbench.core.runs.log import LOG_FILE, ExperimentLog

    with ExperimentLog(Path(project_root) / LOG_FILE) as log:
        ids = list(run_ids)
        if process is not None:
            host = socket.gethostname()
            running = log.runs(status="running", skipped=[])
            ids += [r.run_id for r in running if r.pid == process and r.host == host]
        for run_id in dict.fromkeys(ids):
            # A run that ended meanwhile keeps its own ending; one cut off loses its files
            # (the kill may have come halfway through writing one).
            log.end_abandoned(run_id, CANCELLED, CANCEL_MESSAGE)
