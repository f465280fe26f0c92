"""A run's plot numbers (metrics.plot_data.RunPlotData) put together, saved beside the run and
read back.

The runner saves each finished run's plot numbers (runs/<run_id>/plot_data.pickle, keyed by
the sha256 of the predictions they come from), so the Results panel reads a run at once, in the
window's own process, without scikit-learn. Runs trained before that, or whose file is gone or
stale, are computed again by the panel's loading job, which saves them for next time. The
importance and learning curve are not in the file: their jobs keep their own caches, read here
every time.
"""

from __future__ import annotations

import pickle
from dataclasses import replace
from pathlib import Path

from workbench.core.atomic import write_bytes_atomic
from workbench.core.metrics.plot_data import RunPlotData, split_data
from workbench.core.metrics.predictions import RunPredictions
from workbench.core.runs.cache import computed_frames
from workbench.core.runs.log import RunRecord

PLOT_DATA_FILE = "plot_data.pickle"
# Bumped when RunPlotData changes shape: older saved files are then recomputed, not misread.
PLOT_DATA_VERSION = 1
SPLITS = ("train", "validation", "test")


def plot_numbers(record: RunRecord, predictions: RunPredictions) -> RunPlotData:
    """The run's plot numbers from its predictions and its logged scores (without the
    computed-on-request frames)."""
    spec = record.spec
    names = set(record.fold_summary("validation"))
    metrics = [spec.metric] * (spec.metric in names) + sorted(names - {spec.metric})
    return RunPlotData(
        run_id=record.run_id,
        name=record.name or spec.model.name,
        model=spec.model.name,
        task=spec.task,
        classes=list(predictions.classes) if predictions.classes is not None else None,
        positive=predictions.positive,
        metric=spec.metric,
        target=spec.target,
        splits={which: split_data(predictions, which) for which in predictions.splits},
        fold_scores={metric: record.fold_scores(metric) for metric in metrics},
        split_scores={split: record.scores(split) for split in SPLITS},
    )


def _saved_key(record: RunRecord) -> tuple:
    """What saved plot numbers must match: the predictions they were computed from."""
    artifacts = record.artifacts
    test = artifacts.get("test_predictions")
    return (
        PLOT_DATA_VERSION,
        artifacts["oof"].sha256 if "oof" in artifacts else None,
        test.sha256 if test is not None else None,
    )


def save_plot_numbers(
    run_folder: Path, record: RunRecord, predictions: RunPredictions
) -> RunPlotData:
    """Compute the run's plot numbers, save them in its folder (atomically) and return them
    with the frames computed on request."""
    data = plot_numbers(record, predictions)
    payload = {"key": _saved_key(record), "data": data}
    write_bytes_atomic(run_folder / PLOT_DATA_FILE, pickle.dumps(payload, protocol=5))
    return replace(data, **computed_frames(run_folder))


def saved_plot_numbers(run_folder: Path, record: RunRecord) -> RunPlotData | None:
    """The run's saved plot numbers with the frames computed on request, or None when there
    are none or they are stale or damaged: fast and free of scikit-learn."""
    path = run_folder / PLOT_DATA_FILE
    if not path.is_file():
        return None
    try:
        # The file is the project's own, written by the runner, like the joblib pipeline.
        payload = pickle.loads(path.read_bytes())
    except Exception:  # a damaged or foreign file: computed again
        return None
    if not isinstance(payload, dict) or payload.get("key") != _saved_key(record):
        return None
    data = payload.get("data")
    if not isinstance(data, RunPlotData):
        return None
    return replace(data, **computed_frames(run_folder))
