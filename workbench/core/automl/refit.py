"""Re-fit any logged run, an ensemble included: what `workbench rerun` and the Experiments
panel's Re-fit call.

A plain run is trained again from its recorded spec (core.train.refit). An ensemble has no spec
of its own to train: it is made of its member runs, so its re-fit combines the same members
again, as recorded (the soft-voting ensemble with the run's weights, the stacking ensemble with
a meta-learner fitted again on the members' out-of-fold predictions), and the final fit fits
every member whose pickle this installation did not write (a received project) from its
recorded settings. The same members, weights and seed give the same metrics; the outcome names
any that moved, as for a plain run.

This lives above core.train (it reaches the ensembles of core.automl, which are built on
core.train), so the callers ask it, not core.train.refit.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from workbench.core.automl.ensemble import ensemble_runs
from workbench.core.automl.stacking import stack_runs
from workbench.core.errors import WorkbenchError
from workbench.core.models.catalog import get_model
from workbench.core.models.ensembles import SOFT_VOTING
from workbench.core.progress import NEVER_CANCELLED, CancelToken, ProgressFn, no_progress
from workbench.core.project import open_project
from workbench.core.runs.log import LOG_FILE, RunRecord, open_log
from workbench.core.train.refit import RefitOutcome, refit_input, refit_outcome, refit_run


def refit_any_run(
    project_root: str | Path,
    run_id: str,
    progress: ProgressFn = no_progress,
    cancel: CancelToken = NEVER_CANCELLED,
    on_partial: Callable[[object], None] | None = None,
) -> RefitOutcome:
    """Re-fit run `run_id` as a new run and compare its scores: an ensemble from its members
    (`refit_ensemble`), any other run from its recorded spec (core.train.refit.refit_run)."""
    project = open_project(project_root)
    with open_log(project.root) as log:
        original = log.run(run_id)
    if not get_model(original.spec.model.name).from_runs:
        return refit_run(project.root, run_id, progress, cancel, on_partial)
    return refit_ensemble(project.root, original, progress, cancel, on_partial)


def refit_ensemble(
    project_root: Path,
    original: RunRecord,
    progress: ProgressFn = no_progress,
    cancel: CancelToken = NEVER_CANCELLED,
    on_partial: Callable[[object], None] | None = None,
) -> RefitOutcome:
    """The ensemble run `original` built again from the members it recorded, as a new run
    noted as its re-fit. Refused when the project's data is no longer the data it learnt from,
    or when it does not record its members (and weights)."""
    run_id = original.run_id
    refit_input(open_project(project_root), original.spec, run_id)  # the same data, or why not
    members = [str(member) for member in original.params.get("ensemble.members", [])]
    if len(members) < 2:
        raise WorkbenchError(f"run {run_id} does not record the runs it is an ensemble of")
    if original.spec.model.name in SOFT_VOTING:
        weights = original.params.get("ensemble.weights")
        if not isinstance(weights, list) or len(weights) != len(members):
            raise WorkbenchError(f"run {run_id} does not record its members' weights")
        chosen = [float(weight) for weight in weights]
        result = ensemble_runs(project_root, members, chosen, progress, cancel, on_partial)
    else:
        result = stack_runs(project_root, members, progress, cancel, on_partial)
    return refit_outcome(Path(project_root) / LOG_FILE, original, result)
