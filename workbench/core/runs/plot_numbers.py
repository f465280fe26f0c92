"""A run's plot numbers (metrics.plot_data.RunPlotData) put together, saved beside the run and
read back.

The runner saves each finished run's plot numbers (runs/<run_id>/plot_data.json, keyed by the
sha256 of the predictions they come from), so the Results panel reads a run at once, in the
window's own process, without scikit-learn. Runs trained before that, or whose file is gone or
stale, are computed again by the panel's loading job, which saves them for next time. The
importance and learning curve are not in the file: their jobs keep their own caches, read here
every time.

Why JSON: a project folder comes from anyone, and reading it must not run code. The file holds
only JSON values; arrays, frames, tuples and dicts keyed by class labels are tagged objects the
reader turns back into numpy, pandas and Python values and nothing else. The pickle earlier
versions wrote (plot_data.pickle) is never read: those runs are computed again from their
predictions.
"""

from __future__ import annotations

import contextlib
import json
from dataclasses import fields, replace
from enum import Enum
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from workbench.core.atomic import write_text_atomic
from workbench.core.errors import WorkbenchError
from workbench.core.kinds import TaskType
from workbench.core.metrics.plot_data import RunPlotData, SplitData, split_data
from workbench.core.metrics.predictions import RunPredictions
from workbench.core.runs.cache import computed_frames
from workbench.core.runs.log import RunRecord

PLOT_DATA_FILE = "plot_data.json"
PLOT_DATA_FORMAT = "workbench-plot-numbers"
# Bumped when RunPlotData changes shape: older saved files are then recomputed, not misread.
PLOT_DATA_VERSION = 2
SPLITS = ("train", "validation", "test")
# What the file leaves out: the frames computed on request (see runs.cache).
_ON_REQUEST = ("importance", "learning_curve")


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


def _saved_key(record: RunRecord) -> list:
    """What saved plot numbers must match: the predictions they were computed from."""
    artifacts = record.artifacts
    test = artifacts.get("test_predictions")
    return [
        PLOT_DATA_VERSION,
        artifacts["oof"].sha256 if "oof" in artifacts else None,
        test.sha256 if test is not None else None,
    ]


def save_plot_numbers(
    run_folder: Path, record: RunRecord, predictions: RunPredictions, keep: bool = True
) -> RunPlotData:
    """Compute the run's plot numbers, save them in its folder (atomically) when `keep` and
    the folder takes them (a read-only project's does not: they are computed each time), and
    return them with the frames computed on request."""
    data = plot_numbers(record, predictions)
    if not keep:
        return replace(data, **computed_frames(run_folder))
    saved = {f.name: getattr(data, f.name) for f in fields(data) if f.name not in _ON_REQUEST}
    payload = {"format": PLOT_DATA_FORMAT, "key": _saved_key(record), "data": _encoded(saved)}
    # Only a cache: the numbers are returned all the same when it cannot be written.
    with contextlib.suppress(WorkbenchError, OSError):
        write_text_atomic(run_folder / PLOT_DATA_FILE, json.dumps(payload))
    return replace(data, **computed_frames(run_folder))


def saved_plot_numbers(run_folder: Path, record: RunRecord) -> RunPlotData | None:
    """The run's saved plot numbers with the frames computed on request, or None when there
    are none or they are stale or damaged: fast and free of scikit-learn."""
    path = run_folder / PLOT_DATA_FILE
    if not path.is_file():
        return None
    try:
        payload = json.loads(path.read_text(encoding="utf-8"))
        if not isinstance(payload, dict) or payload.get("format") != PLOT_DATA_FORMAT:
            return None
        if payload.get("key") != _saved_key(record):
            return None
        data = _plot_data(_decoded(payload["data"]))
    except Exception:  # a damaged or foreign file (any shape of JSON): computed again
        return None
    return replace(data, **computed_frames(run_folder))


def _plot_data(values: dict[str, Any]) -> RunPlotData:
    """RunPlotData from its decoded fields; a missing or unknown field is a TypeError."""
    if not all(isinstance(split, SplitData) for split in values["splits"].values()):
        raise TypeError("a split is not a SplitData")
    return RunPlotData(**{**values, "task": TaskType(values["task"])})


# --- values as JSON, and back without running code ---------------------------------------------

_ARRAY, _FRAME, _TUPLE, _MAPPING, _SPLIT = (
    "__array__",
    "__frame__",
    "__tuple__",
    "__map__",
    "__split__",
)


def _encoded(value: Any) -> Any:
    """`value` as JSON values: numpy arrays and scalars, frames, tuples and dicts with keys
    other than text become tagged objects."""
    if isinstance(value, SplitData):
        return {_SPLIT: {f.name: _encoded(getattr(value, f.name)) for f in fields(value)}}
    if isinstance(value, pd.DataFrame):
        return {
            _FRAME: [[_encoded(name), _encoded(value[name].to_numpy())] for name in value.columns]
        }
    if isinstance(value, np.ndarray):
        kind = "object" if value.dtype == object else value.dtype.str
        return {_ARRAY: _encoded(value.tolist()), "dtype": kind}
    if isinstance(value, np.generic):
        return value.item()
    if isinstance(value, Enum):
        return value.value
    if isinstance(value, tuple):
        return {_TUPLE: [_encoded(item) for item in value]}
    if isinstance(value, list):
        return [_encoded(item) for item in value]
    if isinstance(value, dict):
        if all(isinstance(key, str) and not key.startswith("__") for key in value):
            return {key: _encoded(item) for key, item in value.items()}
        return {_MAPPING: [[_encoded(key), _encoded(item)] for key, item in value.items()]}
    return value


def _decoded(value: Any) -> Any:
    """The inverse of `_encoded`: plain values, numpy arrays, frames, tuples and dicts only."""
    if isinstance(value, list):
        return [_decoded(item) for item in value]
    if not isinstance(value, dict):
        return value
    if _ARRAY in value:
        kind = value["dtype"]
        return np.array(_decoded(value[_ARRAY]), dtype=object if kind == "object" else kind)
    if _FRAME in value:
        columns = [(_decoded(name), _decoded(column)) for name, column in value[_FRAME]]
        return pd.DataFrame(dict(columns), columns=[name for name, _ in columns])
    if _TUPLE in value:
        return tuple(_decoded(item) for item in value[_TUPLE])
    if _MAPPING in value:
        return {_hashable(_decoded(key)): _decoded(item) for key, item in value[_MAPPING]}
    if _SPLIT in value:
        return SplitData(**_decoded(value[_SPLIT]))
    return {key: _decoded(item) for key, item in value.items()}


def _hashable(key: Any) -> Any:
    return tuple(key) if isinstance(key, list) else key
