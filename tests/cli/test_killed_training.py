"""Training killed outright (kill -9 of a real `workbench train`) at several points, and a disk
that fills while one model is saved: after the project is opened again no run is left
"running", the interrupted run's partial files are gone, and the runs that finished are kept
(issue 13)."""

from __future__ import annotations

import json
import os
import resource
import signal
import sqlite3
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pytest
from _projects import make_project
from cli_calls import run

from workbench.core.runs.log import RUNS_DIR

pytestmark = pytest.mark.shared_data

TRAIN = [
    "train", "--model", "random_forest", "--model", "logistic_regression", "--split", "kfold:5",
    "--seed", "0", "--jobs", "1", "--no-baseline",
]  # fmt: skip
# How long a point may take to come (the machine is shared; a model trains in seconds).
PATIENCE = 300.0


def _state(log: Path) -> list[tuple[str, str, int, set[str]]]:
    """Each run: (id, status, folds logged, artifact kinds), read as another process would."""
    if not log.is_file():
        return []
    try:
        return _read_state(log)
    except sqlite3.OperationalError:  # the training process is still creating the log
        return []


def _read_state(log: Path) -> list[tuple[str, str, int, set[str]]]:
    with sqlite3.connect(f"{log.as_uri()}?mode=ro", uri=True, timeout=10) as db:
        runs = db.execute("SELECT run_id, status FROM runs ORDER BY run_id").fetchall()
        out = []
        for run_id, status in runs:
            folds = db.execute(
                "SELECT count(DISTINCT fold) FROM metrics WHERE run_id = ? AND fold >= 0",
                (run_id,),
            ).fetchone()[0]
            kinds = {k for (k,) in db.execute("SELECT kind FROM artifacts WHERE run_id = ?",
                                              (run_id,))}  # fmt: skip
            out.append((run_id, status, folds, kinds))
    db.close()
    return out


def _forest_mid_folds(state: list) -> bool:
    return len(state) == 1 and state[0][1] == "running" and state[0][2] >= 1


def _forest_saved_predictions(state: list) -> bool:
    return len(state) == 1 and state[0][1] == "running" and "oof" in state[0][3]


def _second_model_started(state: list) -> bool:
    return len(state) == 2 and state[0][1] == "finished" and state[1][1] == "running"


@pytest.mark.parametrize(
    "point", [_forest_mid_folds, _forest_saved_predictions, _second_model_started]
)
def test_no_run_stays_running_after_a_kill(
    shared_data: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str], point
) -> None:
    root = make_project(tmp_path / "titanic", shared_data / "clean" / "titanic.csv", "survived",
                        ("alive",))  # fmt: skip
    log = root / "experiments.sqlite"
    child = subprocess.Popen(
        [sys.executable, "-m", "workbench", *TRAIN[:1], str(root), *TRAIN[1:]],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        deadline = time.monotonic() + PATIENCE
        while not point(_state(log)):
            assert child.poll() is None, "training ended before the point was reached"
            assert time.monotonic() < deadline, _state(log)
            time.sleep(0.01)
        child.send_signal(signal.SIGKILL)
        child.wait(timeout=30)
    finally:
        if child.poll() is None:
            child.kill()
            child.wait()
    killed = [run_id for run_id, status, _, _ in _state(log) if status == "running"]
    assert len(killed) == 1  # the run the kill cut off

    assert run(["runs", str(root), "--json"]) == 0  # opening the project recovers it
    captured = capsys.readouterr()
    assert captured.err == (
        f"workbench: note: run {killed[0]} was interrupted (its process is gone): marked "
        "interrupted and its partial files removed\n"
    )
    listed = {r["run_id"]: r["status"] for r in json.loads(captured.out)}
    assert listed[killed[0]] == "interrupted"
    assert "running" not in listed.values()
    assert not (root / RUNS_DIR / killed[0]).exists()
    for run_id, status in listed.items():  # the finished ones keep their files
        if status == "finished":
            assert (root / RUNS_DIR / run_id / "pipeline.joblib").is_file()
    assert run(["runs", str(root)]) == 0  # a second opening finds nothing to do
    assert capsys.readouterr().err == ""


FULL_DISK = textwrap.dedent("""
    import resource, sys
    from workbench.core.specs import ModelSpec, SplitSpec, TrainSpec
    from workbench.core.train.runner import run_training
    resource.setrlimit(resource.RLIMIT_FSIZE, (int(sys.argv[2]), int(sys.argv[2])))
    spec = TrainSpec(
        models=(ModelSpec("random_forest", {"n_estimators": 300}),
                ModelSpec("logistic_regression")),
        split=SplitSpec("kfold", n_splits=3), seed=0, n_jobs=1, include_baseline=False,
    )
    for result in run_training(sys.argv[1], spec):
        print(result.model, result.status, result.message)
""")


def test_a_model_whose_save_fails_fails_alone(shared_data: Path, tmp_path: Path) -> None:
    """Files are capped at 2 MB in the training process (a disk that fills up): the forest's
    pipeline cannot be written, so that model fails with no half-written file, and the model
    after it still trains and is saved."""
    root = make_project(tmp_path / "titanic", shared_data / "clean" / "titanic.csv", "survived",
                        ("alive",))  # fmt: skip
    limit = 2 * 1024 * 1024
    assert resource.getrlimit(resource.RLIMIT_FSIZE)[0] in (resource.RLIM_INFINITY, -1) or (
        resource.getrlimit(resource.RLIMIT_FSIZE)[0] > limit
    )
    done = subprocess.run(
        [sys.executable, "-c", FULL_DISK, str(root), str(limit)],
        capture_output=True, text=True, timeout=PATIENCE, env={**os.environ},
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    forest, logistic = done.stdout.splitlines()
    assert forest.startswith("random_forest_classifier failed")
    assert "File too large" in forest
    assert logistic.startswith("logistic_regression finished")
    state = _state(root / "experiments.sqlite")
    assert [status for _, status, _, _ in state] == ["failed", "finished"]
    assert not (root / RUNS_DIR / state[0][0]).exists()  # no truncated pipeline.joblib
    assert list((root / RUNS_DIR / state[1][0]).glob(".*.tmp")) == []
    assert (root / RUNS_DIR / state[1][0] / "pipeline.joblib").is_file()
