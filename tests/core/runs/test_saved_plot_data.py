"""The plot numbers the runner saves beside each run: equal to a fresh computation, read
without scikit-learn, and ignored when stale or damaged (the loading job recomputes them)."""

from __future__ import annotations

import json
import subprocess
import sys
import textwrap

import numpy as np
import pandas as pd

from workbench.core.metrics.plot_data import RunPlotData
from workbench.core.runs.loaded import LoadedRun
from workbench.core.runs.log import RUNS_DIR
from workbench.core.runs.plot_numbers import PLOT_DATA_FILE, plot_numbers
from workbench.core.runs.result_jobs import load_plot_data, read_saved_plot_data


def fresh(root, run_id: str) -> RunPlotData:
    """The plot numbers computed now from the run's predictions."""
    with LoadedRun.open(root, run_id) as run:
        return plot_numbers(run.record, run.predictions)


def _same(saved: RunPlotData, fresh: RunPlotData) -> None:
    assert (saved.run_id, saved.task, saved.classes, saved.positive) == (
        fresh.run_id, fresh.task, fresh.classes, fresh.positive,
    )  # fmt: skip
    assert saved.split_scores == fresh.split_scores
    assert saved.fold_scores.keys() == fresh.fold_scores.keys()
    for metric, frame in fresh.fold_scores.items():
        pd.testing.assert_frame_equal(saved.fold_scores[metric], frame)
    for which, split in fresh.splits.items():
        mine = saved.splits[which]
        assert mine.rows == split.rows and mine.confusion == split.confusion
        assert [c["auc"] for c in mine.roc] == [c["auc"] for c in split.roc]
        for a, b in zip(mine.roc, split.roc, strict=True):
            np.testing.assert_array_equal(a["fpr"], b["fpr"])
        assert mine.calibration == split.calibration


def test_the_runner_saves_what_a_fresh_computation_gives(titanic) -> None:
    for run_id in titanic.runs.values():
        assert (titanic.root / RUNS_DIR / run_id / PLOT_DATA_FILE).is_file()
        saved = read_saved_plot_data(titanic.root, run_id)
        assert saved is not None
        _same(saved, fresh(titanic.root, run_id))


def test_reading_saved_numbers_needs_no_scikit_learn(titanic) -> None:
    run_id = titanic.runs["random_forest_classifier"]
    code = textwrap.dedent(f"""
        import sys
        from workbench.core.runs.result_jobs import read_saved_plot_data
        data = read_saved_plot_data({str(titanic.root)!r}, {run_id!r})
        print(data.splits["oof"].confusion["counts"], "sklearn" in sys.modules)
    """)
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    counts = fresh(titanic.root, run_id).splits["oof"].confusion["counts"]
    assert out.stdout.split(" False")[0].strip() == str(counts)
    assert out.stdout.strip().endswith("False")


def test_stale_or_damaged_files_are_recomputed_by_the_job(titanic, tmp_path) -> None:
    import shutil

    root = tmp_path / "copy"
    shutil.copytree(titanic.root, root)
    run_id = titanic.runs["logistic_regression"]
    path = root / RUNS_DIR / run_id / PLOT_DATA_FILE
    payload = json.loads(path.read_text())
    payload["key"] = [payload["key"][0], "0" * 64, payload["key"][2]]  # other predictions
    path.write_text(json.dumps(payload))
    assert read_saved_plot_data(root, run_id) is None
    path.write_bytes(b"not JSON")
    assert read_saved_plot_data(root, run_id) is None
    (loaded,) = load_plot_data(root, [run_id])
    _same(loaded, fresh(root, run_id))
    assert read_saved_plot_data(root, run_id) is not None  # the job saved it again
    path.unlink()
    assert read_saved_plot_data(root, run_id) is None
