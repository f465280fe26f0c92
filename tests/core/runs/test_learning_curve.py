"""Learning curves of real runs: the full-size point is the run's own fold fit."""

from __future__ import annotations

import shutil
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from workbench.core.errors import WorkbenchError
from workbench.core.explain.learning_curve import (
    COLUMNS,
    compute_learning_curve,
    learning_curve_job,
    training_subset,
)
from workbench.core.parquet_frames import read_frame_parquet, write_frame_parquet
from workbench.core.progress import Cancelled, CancelToken
from workbench.core.runs.cache import LEARNING_CURVE_FILE
from workbench.core.runs.loaded import LoadedRun


def learning_curve(root: Path, run_id: str, **settings) -> pd.DataFrame:
    """compute_learning_curve of the run, opened as the job opens it."""
    with LoadedRun.open(root, run_id) as run:
        return compute_learning_curve(run, **settings)


def logged_folds(root: Path, run_id: str) -> pd.DataFrame:
    with LoadedRun.open(root, run_id) as run:
        return run.record.fold_scores()


def _copy(project: Path, tmp_path: Path) -> Path:
    return Path(shutil.copytree(project, tmp_path / project.name))


def test_curve_per_fold_and_size(penguins, tmp_path: Path) -> None:
    root = _copy(penguins.root, tmp_path)
    run_id = penguins.runs["decision_tree_classifier"]
    reports: list[tuple[float, str]] = []
    curve = learning_curve(
        root, run_id, sizes=(1.0, 0.1, 0.5), progress=lambda f, m: reports.append((f, m))
    )
    assert list(curve.columns) == list(COLUMNS)
    assert curve["size"].tolist() == [0.1] * 3 + [0.5] * 3 + [1.0] * 3
    assert curve["fold"].tolist() == [0, 1, 2] * 3
    assert set(curve["metric"]) == {"f1_macro"} and set(curve["error"]) == {""}
    # 344 penguins, 69 held out, 275 in 3 folds: 183, 183 and 184 training rows each.
    assert curve["rows"].tolist() == [18, 18, 18, 92, 92, 92, 183, 183, 184]
    # The full-size fits are the run's own: the same scores as it logged.
    full = curve[curve["size"] == 1.0].reset_index(drop=True)
    logged = logged_folds(root, run_id)
    assert (full["validation_score"] - logged["validation"]).abs().max() <= 1e-12
    assert (full["train_score"] - logged["train"]).abs().max() <= 1e-12
    fits = [m for _, m in reports if m.startswith("fit ")]
    assert fits[0] == "fit 1 of 9: fold 1, 10% of its training rows" and len(fits) == 9
    fractions = [f for f, _ in reports]
    assert fractions == sorted(fractions) and fractions[-1] == 1.0
    assert (root / "runs" / run_id / LEARNING_CURVE_FILE).is_file()


def test_regression_with_early_stopping(insurance) -> None:
    run_id = insurance.runs["xgboost_regressor"]
    curve = learning_curve(insurance.root, run_id, sizes=(0.1, 1.0), use_cache=False)
    assert curve["rows"].tolist() == [100, 1003]
    logged = logged_folds(insurance.root, run_id)
    assert curve["validation_score"].iloc[-1] == pytest.approx(logged["validation"][0], abs=1e-9)
    # A tenth of the rows predicts the charges worse than all of them.
    assert curve["validation_score"].iloc[0] > curve["validation_score"].iloc[-1] + 1000


def test_cache_and_cancel(penguins, tmp_path: Path) -> None:
    root = _copy(penguins.root, tmp_path)
    run_id = penguins.runs["decision_tree_classifier"]
    path = root / "runs" / run_id / LEARNING_CURVE_FILE
    token = CancelToken()
    fits: list[str] = []

    def progress(fraction: float, message: str) -> None:
        if message.startswith("fit "):
            fits.append(message)
            if len(fits) == 2:
                token.cancel()

    with pytest.raises(Cancelled):
        learning_curve(root, run_id, sizes=(0.5, 1.0), progress=progress, cancel=token)
    assert len(fits) == 2 and not path.exists()
    first = learning_curve(root, run_id, sizes=(0.5, 1.0))
    written = path.stat().st_mtime_ns
    messages: list[str] = []
    again = learning_curve(root, run_id, sizes=(1.0, 0.5), progress=lambda f, m: messages.append(m))
    pd.testing.assert_frame_equal(again, first)
    assert messages[-1] == "learning curve read from the cache"
    assert path.stat().st_mtime_ns == written
    other = learning_curve(root, run_id, sizes=(0.25, 1.0))
    assert other["size"].tolist() == [0.25] * 3 + [1.0] * 3


def test_subsets_are_nested() -> None:
    rows = np.arange(100, 300)
    small, large = training_subset(rows, 0.1, 0), training_subset(rows, 0.5, 0)
    assert len(small) == 20 and len(large) == 100
    assert set(small) <= set(large) and set(large) <= set(rows)
    assert training_subset(rows, 1.0, 0) is rows
    assert len(training_subset(rows, 0.001, 0)) == 2


def test_bad_sizes_and_a_split_that_moved(penguins, tmp_path: Path) -> None:
    run_id = penguins.runs["decision_tree_classifier"]
    with pytest.raises(WorkbenchError, match=r"above 0 and at most 1; got 1\.5"):
        learning_curve(penguins.root, run_id, sizes=(0.5, 1.5))
    with pytest.raises(WorkbenchError, match="at least one training size"):
        learning_curve(penguins.root, run_id, sizes=())
    root = _copy(penguins.root, tmp_path)
    oof_file = root / "runs" / run_id / "oof.parquet"
    oof = read_frame_parquet(oof_file)
    oof["fold"] = oof["fold"].map({0: 1, 1: 0, 2: 2})
    write_frame_parquet(oof, oof_file)
    with pytest.raises(WorkbenchError, match="fold 1 differs from the run's predictions"):
        learning_curve(root, run_id, use_cache=False)


def test_runs_as_a_process_job(insurance) -> None:
    # The GUI runs it in a child process: the function is imported by name there and the
    # frame comes back pickled.
    from workbench.jobs.events import DoneEvent
    from workbench.jobs.job import Job
    from workbench.jobs.process_runner import run_in_process

    run_id = insurance.runs["ridge"]
    job = Job(learning_curve_job, (str(insurance.root), run_id), {"sizes": (0.5, 1.0)})
    event = run_in_process(job).wait(timeout=120)
    assert isinstance(event, DoneEvent), event
    assert event.result["size"].tolist() == [0.5, 1.0]
    expected = logged_folds(insurance.root, run_id)["validation"][0]
    assert event.result["validation_score"].iloc[-1] == pytest.approx(expected, abs=1e-9)
