"""The numbers behind a run's result plots, as plain picklable values.

Every number is computed by RunResults (its curves come from scikit-learn); this module only
chooses what the plots need and keeps the payload small: curves are thinned by curves.py,
scatter plots carry at most MAX_SCATTER_POINTS rows (a seeded draw, the same rows every time),
and the threshold view carries the positive class's scores so costs can change without a job.

The runner saves each finished run's plot numbers beside it (runs/<run_id>/plot_data.pickle,
keyed by the sha256 of the predictions they come from), so the Results panel reads a run at
once, in the window's own process, without scikit-learn. Runs trained before that, or whose
file is gone, go through `load_plot_data`, the panel's job in a child process, which saves
them for next time.
"""

from __future__ import annotations

import pickle
from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from workbench.core.errors import WorkbenchError
from workbench.core.kinds import TaskType
from workbench.core.progress import NEVER_CANCELLED, CancelToken, ProgressFn, no_progress

OOF = "oof"
TEST = "test"
SPLIT_LABELS = {OOF: "Cross-validation (out-of-fold)", TEST: "Test set"}
# Points a scatter plot draws at most: pyqtgraph stays fluid far beyond, the eye sees no more.
MAX_SCATTER_POINTS = 20_000
SCATTER_SEED = 0
CURVE_POINTS = 400
PLOT_DATA_FILE = "plot_data.pickle"
# Bumped when RunPlotData changes shape: older saved files are then recomputed, not misread.
PLOT_DATA_VERSION = 1


@dataclass(frozen=True)
class SplitData:
    """The plots' numbers for one prediction set ("oof" or "test")."""

    which: str
    rows: int
    confusion: dict | None = None
    roc: list[dict] = field(default_factory=list)
    pr: list[dict] = field(default_factory=list)
    # label -> metrics.calibration_bins / RunResults.score_distribution of that class's score
    calibration: dict[Any, list[dict]] = field(default_factory=dict)
    scores: dict[Any, dict] = field(default_factory=dict)
    # Binary: the true labels and the positive class's probability, for threshold_table.
    threshold_truth: np.ndarray | None = None
    threshold_scores: np.ndarray | None = None
    predicted_actual: dict | None = None
    residuals: dict | None = None


@dataclass(frozen=True)
class RunPlotData:
    """Everything the Results panel draws for one finished run."""

    run_id: str
    name: str
    model: str
    task: TaskType
    classes: list | None
    positive: Any
    metric: str
    target: str
    splits: dict[str, SplitData]
    # metric -> RunResults.fold_scores(metric): fold, train, validation
    fold_scores: dict[str, pd.DataFrame]
    # split ("train", "validation", "test") -> RunResults.scores(split)
    split_scores: dict[str, dict[str, float]]
    # compute_importance's frame (permutation and built-in rows), once computed
    importance: pd.DataFrame | None = None
    # compute_learning_curve's frame, once computed
    learning_curve: pd.DataFrame | None = None

    @property
    def label(self) -> str:
        """How plots and legends name the run: its name and the end of its id."""
        return f"{self.name} ({self.run_id[-4:]})"

    @property
    def is_classification(self) -> bool:
        return self.task != TaskType.REGRESSION

    def scores(self, split: str = "validation") -> dict[str, float]:
        """Whole-split scores, as RunResults.scores (so runs.results.compare_metrics takes it)."""
        return dict(self.split_scores.get(split, {}))


@dataclass(frozen=True)
class RunProblem:
    """A selected run that has no results to plot, and why (failed, cancelled, files gone)."""

    run_id: str
    message: str


def split_data(results: Any, which: str) -> SplitData:
    """The numbers of one prediction set of a RunResults."""
    rows = int(results.frame(which).shape[0])
    if results.task == TaskType.REGRESSION:
        return SplitData(
            which=which,
            rows=rows,
            predicted_actual=results.predicted_vs_actual(
                which, max_points=MAX_SCATTER_POINTS, seed=SCATTER_SEED
            ),
            residuals=results.residuals(which, max_points=MAX_SCATTER_POINTS),
        )
    labels = [results.positive] if results.task == TaskType.BINARY else list(results.classes)
    truth = scores = None
    if results.task == TaskType.BINARY:
        truth = results.y_true(which)
        scores = results.proba_of(results.positive, which)
    return SplitData(
        which=which,
        rows=rows,
        confusion=results.confusion(which),
        roc=results.roc(which, max_points=CURVE_POINTS),
        pr=results.pr(which, max_points=CURVE_POINTS),
        calibration={label: results.calibration(which, label=label) for label in labels},
        scores={label: results.score_distribution(which, label=label) for label in labels},
        threshold_truth=truth,
        threshold_scores=scores,
    )


def plot_data(results: Any, cached: dict[str, pd.DataFrame | None] | None = None) -> RunPlotData:
    """A RunResults' plot numbers; `cached` may hold the importance and learning_curve
    frames computed earlier."""
    cached = cached or {}
    return RunPlotData(
        run_id=results.run_id,
        name=results.name,
        model=results.model,
        task=results.task,
        classes=list(results.classes) if results.classes is not None else None,
        positive=results.positive,
        metric=results.metric,
        target=results.target,
        splits={which: split_data(results, which) for which in results.splits},
        fold_scores={metric: results.fold_scores(metric) for metric in _fold_metric_names(results)},
        split_scores={split: results.scores(split) for split in ("train", "validation", "test")},
        importance=cached.get("importance"),
        learning_curve=cached.get("learning_curve"),
    )


def _fold_metric_names(results: Any) -> list[str]:
    """The metrics scored per fold, the run's own first."""
    names = set(results.fold_summary("validation"))
    return [results.metric] * (results.metric in names) + sorted(names - {results.metric})


def _cached_frames(project_root: Path, run_id: str) -> dict[str, pd.DataFrame | None]:
    """Importance and learning-curve results computed earlier (their jobs cache them)."""
    from workbench.core.explain.importance import IMPORTANCE_FILE
    from workbench.core.metrics.learning_curve import LEARNING_CURVE_FILE
    from workbench.core.runs.inputs import cache_path, read_cache

    return {
        "importance": read_cache(cache_path(project_root, run_id, IMPORTANCE_FILE), {}),
        "learning_curve": read_cache(cache_path(project_root, run_id, LEARNING_CURVE_FILE), {}),
    }


def _saved_key(record: Any) -> tuple:
    """What saved plot numbers must match: the predictions they were computed from."""
    artifacts = record.artifacts
    test = artifacts.get("test_predictions")
    return (
        PLOT_DATA_VERSION,
        artifacts["oof"].sha256 if "oof" in artifacts else None,
        test.sha256 if test is not None else None,
    )


def _saved_path(project_root: Path, run_id: str) -> Path:
    from workbench.core.runs.log import RUNS_DIR

    return project_root / RUNS_DIR / run_id / PLOT_DATA_FILE


def save_plot_data(project_root: str | Path, run_id: str) -> RunPlotData:
    """Compute a finished run's plot numbers and save them beside the run (atomically).

    Needs scikit-learn: the runner calls it as a run finishes, the loading job for older runs.
    """
    from workbench.core.atomic import write_bytes_atomic
    from workbench.core.runs.results import load_run_results

    root = Path(project_root)
    results = load_run_results(root, run_id)
    data = plot_data(results)
    if results.record is not None:
        payload = {"key": _saved_key(results.record), "data": data}
        write_bytes_atomic(_saved_path(root, run_id), pickle.dumps(payload, protocol=5))
    return replace(data, **_cached_frames(root, run_id))


def read_saved_plot_data(project_root: str | Path, run_id: str) -> RunPlotData | None:
    """A run's saved plot numbers (with importance and learning curve when computed), or None
    when there are none, they are stale, or the run has no results: fast and free of
    scikit-learn, so the window reads them itself."""
    from workbench.core.runs.log import open_log

    root = Path(project_root)
    path = _saved_path(root, run_id)
    if not path.is_file():
        return None
    try:
        with open_log(root) as log:
            record = log.run(run_id)
        if record.status != "finished":
            return None
        # The file is the project's own, written by the runner, like the joblib pipeline.
        payload = pickle.loads(path.read_bytes())
        if not isinstance(payload, dict) or payload.get("key") != _saved_key(record):
            return None
        data = payload["data"]
        if not isinstance(data, RunPlotData):
            return None
        return replace(data, **_cached_frames(root, run_id))
    except Exception:  # a damaged or foreign file: the job recomputes it
        return None


def load_plot_data(
    project_root: str | Path,
    run_ids: Sequence[str],
    progress: ProgressFn = no_progress,
    cancel: CancelToken = NEVER_CANCELLED,
) -> list[RunPlotData | RunProblem]:
    """The loading job: each run's plot numbers (saved ones read, others computed and saved),
    or the reason it has none."""
    root = Path(project_root)
    loaded: list[RunPlotData | RunProblem] = []
    for index, run_id in enumerate(run_ids):
        cancel.raise_if_cancelled()
        progress(index / max(len(run_ids), 1), f"reading run {run_id}")
        try:
            saved = read_saved_plot_data(root, run_id)
            loaded.append(saved if saved is not None else save_plot_data(root, run_id))
        except WorkbenchError as error:
            loaded.append(RunProblem(run_id, str(error)))
    progress(1.0, "done")
    return loaded


# --- the on-request jobs (module-level so a child process can import them; the heavy modules
# are imported there, never in the GUI process) ------------------------------------------------


def importance_job(
    project_root: str | Path,
    run_id: str,
    progress: ProgressFn = no_progress,
    cancel: CancelToken = NEVER_CANCELLED,
) -> pd.DataFrame:
    """compute_importance with its defaults (cached beside the run)."""
    from workbench.core.explain.importance import compute_importance

    return compute_importance(project_root, run_id, progress=progress, cancel=cancel)


def learning_curve_job(
    project_root: str | Path,
    run_id: str,
    progress: ProgressFn = no_progress,
    cancel: CancelToken = NEVER_CANCELLED,
) -> pd.DataFrame:
    """compute_learning_curve with its defaults (cached beside the run)."""
    from workbench.core.metrics.learning_curve import compute_learning_curve

    return compute_learning_curve(project_root, run_id, progress=progress, cancel=cancel)
