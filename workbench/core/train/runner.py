"""The training runner: a TrainSpec over a project -> one logged run per model.

`run_training` opens the project, plans the split once (the test rows are set aside before
any search), then trains the baseline and each chosen model in turn (see candidate.py):
an optional search, cross-validation fold by fold, a final fit on every non-test row, one score
of the test set. It follows the job contract: `progress(fraction, message)`, a cooperative
cancel between folds and trials, and `on_partial` receiving RunStarted, TrialDone, FoldDone
and CandidateResult values as they happen.

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
from pathlib import Path

import numpy as np

from workbench.core.errors import ProjectError, WorkbenchError
from workbench.core.kinds import TaskType
from workbench.core.progress import NEVER_CANCELLED, CancelToken, ProgressFn, no_progress
from workbench.core.specs import ModelSpec, TrainSpec
from workbench.core.train.events import (
    CANCELLED,
    CandidateResult,
)

CANCEL_MESSAGE = "cancelled by the user"


def _ignore(_: object) -> None:
    """on_partial sink for callers that do not watch partial results."""


def run_training(
    project_root: str | Path,
    spec: TrainSpec,
    progress: ProgressFn = no_progress,
    cancel: CancelToken = NEVER_CANCELLED,
    on_partial: Callable[[object], None] | None = None,
) -> list[CandidateResult]:
    """Train every model of `spec` on the project's dataset; one result per model, in order
    (the baseline first when `spec.include_baseline`)."""
    from threadpoolctl import threadpool_limits

    from workbench.core.chain.advice import rescaling_note
    from workbench.core.chain.stages import model_options
    from workbench.core.metrics.names import check_metric, default_metric
    from workbench.core.metrics.positive import plain, positive_label
    from workbench.core.models.catalog import baseline_for, get_model, option_notes
    from workbench.core.project import open_project
    from workbench.core.runs.log import LOG_FILE, ExperimentLog
    from workbench.core.runs.spec import FeatureColumn, RecordedChain, RowCounts, RunSpec
    from workbench.core.train.candidate import Candidate, CandidateRun, TrainContext
    from workbench.core.train.fit import (
        FitSettings,
        build_pipeline,
        has_row_steps,
        model_chain,
        runner_frame,
        runner_labels,
    )
    from workbench.core.train.splits import plan_split

    project = open_project(project_root)
    if project.dataset is None:
        raise ProjectError(f"project '{project.name}' has no dataset yet; import one first")
    if project.target is None or project.task is None:
        raise WorkbenchError(f"project '{project.name}' has no target column; choose one first")
    target, task = project.target, TaskType(project.task)
    kinds = project.feature_kinds()
    if not kinds:
        raise WorkbenchError(f"project '{project.name}' has no feature columns to train on")
    n_jobs = spec.n_jobs if spec.n_jobs is not None else (os.cpu_count() or 1)
    if n_jobs < 1:
        raise WorkbenchError(f"the number of cores must be 1 or more, got {n_jobs}")
    metric = check_metric(spec.tune.metric or default_metric(task), task)

    progress(0.0, "reading the data")
    frame = project.load_frame().reset_index(drop=True)
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

    chain = project.chain
    options = model_options(chain)
    specs = list(spec.models)
    if spec.include_baseline:
        baseline = baseline_for(task)
        if not any(get_model(s.name, task).name == baseline.name for s in specs):
            specs.insert(0, ModelSpec(baseline.name))
    if not specs:
        raise WorkbenchError("choose at least one model to train")
    rows = RowCounts(
        total=len(frame),
        development=int(development.size),
        test=int(plan.test_rows.size),
        unlabelled=int(plan.unlabelled.size),
        folds=len(plan.folds),
    )
    features = tuple(FeatureColumn(name, kind) for name, kind in kinds.items())
    candidates = []
    for model_spec in specs:
        model = get_model(model_spec.name, task)
        resolved = ModelSpec(model.name, dict(model_spec.params))
        template = build_pipeline(
            chain, model, resolved, kinds, target, task, spec.seed, n_jobs, options
        )
        advice = rescaling_note([model], chain)
        notes = (*option_notes(model, task, options), *([advice] if advice else []))
        run_spec = RunSpec(
            task=task,
            target=target,
            features=features,
            chain=RecordedChain.from_compiled(chain, model_chain(chain, model, kinds, target)),
            model=resolved,
            split=spec.split,
            tune=spec.tune,
            metric=metric,
            seed=spec.seed,
            dataset_sha256=project.dataset.data_sha256,
            rows=rows,
            n_jobs=spec.n_jobs,
            early_stopping=spec.early_stopping,
            positive=plain(positive),
            notes=(*plan.notes, *notes),
        )
        candidates.append(Candidate(model, resolved, template, notes, run_spec))
    results: list[CandidateResult] = []
    with ExitStack() as stack:
        log = stack.enter_context(ExperimentLog(project.root / LOG_FILE))
        if spec.n_jobs is not None:
            # OpenMP and BLAS threads (hist gradient boosting, linear algebra) obey this too.
            stack.enter_context(threadpool_limits(limits=n_jobs))
        ctx = TrainContext(
            root=project.root,
            log=log,
            X=X,
            y=y,
            task=task,
            target=target,
            plan=plan,
            development=development,
            spec=spec,
            settings=FitSettings(chain, task, spec.seed, has_row_steps(chain), spec.early_stopping),
            metric=metric,
            positive=positive,
            classes=classes,
            notes=list(plan.notes),
            progress=progress,
            cancel=cancel or NEVER_CANCELLED,
            emit=on_partial or _ignore,
        )
        total = len(candidates)
        for index, candidate in enumerate(candidates):
            share = (index / total, (index + 1) / total)
            results.append(CandidateRun(ctx, candidate, index, total, share).run())
    progress(1.0, "training done")
    return results


def mark_cancelled(project_root: str | Path, run_ids: Iterable[str]) -> None:
    """Mark cancelled the runs among `run_ids` still "running": the GUI kills the training
    process on Cancel, which leaves its current run unfinished in the log."""
    from workbench.core.runs.log import LOG_FILE, ExperimentLog

    with ExperimentLog(Path(project_root) / LOG_FILE) as log:
        for run_id in run_ids:
            if log.run(run_id).status != "running":
                continue
            try:
                log.finish_run(run_id, CANCELLED, message=CANCEL_MESSAGE)
            except ProjectError:
                continue  # it ended meanwhile: its own ending stands
