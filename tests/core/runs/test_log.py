"""The experiment log on real SQLite files: round trips, crashes, damage, two processes."""

from __future__ import annotations

import hashlib
import json
import os
import random
import shutil
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import pytest
import sklearn

from workbench.core.errors import ProjectError, WorkbenchError
from workbench.core.kinds import ColumnKind, TaskType
from workbench.core.processes import pid_alive
from workbench.core.runs.environment import Environment, capture_environment
from workbench.core.runs.log import (
    INTERRUPTED_MESSAGE,
    LOG_FILE,
    RUN_ID_PATTERN,
    ExperimentLog,
    recover_interrupted,
)
from workbench.core.runs.log_schema import FORMAT_NAME, MIGRATIONS, SCHEMA_VERSION, migrate
from workbench.core.runs.spec import FeatureColumn, RecordedChain, RowCounts, RunSpec
from workbench.core.specs import ChainSpec, ModelSpec, SplitSpec, StepSpec, TuneSpec

SHA = "a" * 64
SPEC = RunSpec(
    task=TaskType.BINARY,
    target="survived",
    features=(FeatureColumn("age", ColumnKind.NUMERIC), FeatureColumn("sex", ColumnKind.TEXT)),
    chain=RecordedChain.from_compiled(
        ChainSpec((StepSpec("impute", ("age",), {"strategy": "median"}),)),
        ChainSpec(
            (StepSpec("impute", ("age",), {"strategy": "median"}), StepSpec("one_hot", ("sex",)))
        ),
    ),
    model=ModelSpec("logistic_regression", {"C": 0.5}),
    split=SplitSpec("stratified_kfold", n_splits=5),
    tune=TuneSpec(),
    metric="roc_auc",
    seed=42,
    dataset_sha256=SHA,
    rows=RowCounts(total=891, development=712, test=179, folds=5),
    positive=1,
)


@pytest.fixture()
def log_path(tmp_path: Path) -> Path:
    return tmp_path / LOG_FILE


@pytest.fixture()
def log(log_path: Path):
    with ExperimentLog(log_path) as opened:
        yield opened


def _start(log: ExperimentLog, **kwargs) -> str:
    return log.start_run(SPEC, capture_environment(log.root), **kwargs)


def _count(path: Path, table: str) -> int:
    with sqlite3.connect(path) as conn:
        return conn.execute(f"SELECT count(*) FROM {table}").fetchone()[0]


# --- the file ------------------------------------------------------------------------------------


def test_new_log_is_wal_and_versioned(log: ExperimentLog, log_path: Path) -> None:
    conn = sqlite3.connect(log_path)
    try:
        assert conn.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
        meta = dict(conn.execute("SELECT key, value FROM meta").fetchall())
    finally:
        conn.close()
    assert meta == {"format": FORMAT_NAME, "schema_version": str(SCHEMA_VERSION)}
    assert SCHEMA_VERSION == 2


def test_empty_file_is_version_0_and_migrated(log_path: Path) -> None:
    log_path.write_bytes(b"")
    with ExperimentLog(log_path) as log:
        run_id = _start(log)
        assert log.run(run_id).status == "running"
    assert _count(log_path, "runs") == 1


def test_migrations_run_in_order_and_newer_logs_are_refused(log_path: Path) -> None:
    ExperimentLog(log_path).close()
    added = "ALTER TABLE runs ADD COLUMN priority INTEGER NOT NULL DEFAULT 0;"
    conn = sqlite3.connect(log_path, isolation_level=None)
    try:
        assert migrate(conn, log_path, (*MIGRATIONS, added)) == SCHEMA_VERSION
        columns = [row[1] for row in conn.execute("PRAGMA table_info(runs)")]
        version = conn.execute("SELECT value FROM meta WHERE key='schema_version'").fetchone()
    finally:
        conn.close()
    assert "priority" in columns and version == (str(SCHEMA_VERSION + 1),)
    with pytest.raises(ProjectError, match=r"written by a newer workbench \(log version 3"):
        ExperimentLog(log_path)


def test_a_version_1_log_gains_parent_runs_and_keeps_its_runs(log_path: Path) -> None:
    conn = sqlite3.connect(log_path, isolation_level=None)
    try:
        assert migrate(conn, log_path, MIGRATIONS[:1]) == 0
    finally:
        conn.close()
    assert "parent_run_id" not in [
        row[1] for row in sqlite3.connect(log_path).execute("PRAGMA table_info(runs)")
    ]
    with sqlite3.connect(log_path) as old:  # a run as version 1 wrote it
        old.execute(
            "INSERT INTO runs (run_id, experiment, status, started_at, seed, dataset_sha256, "
            "rows_json, spec_json, env_json, pid, host) VALUES ('20240101-000000-000-abcd', "
            "'default', 'finished', '2024-01-01T00:00:00+00:00', 0, ?, '{}', ?, '{}', 1, 'h')",
            (SPEC.dataset_sha256, json.dumps(SPEC.to_dict())),
        )
    old.close()
    with ExperimentLog(log_path) as log:
        (kept,) = log.runs()
        parent = _start(log)
        child = _start(log, parent_run_id=parent)
        assert kept.run_id == "20240101-000000-000-abcd" and kept.parent_run_id is None
        assert log.run(child).parent_run_id == parent and log.run(parent).parent_run_id is None


def test_foreign_sqlite_file_is_refused(log_path: Path) -> None:
    with sqlite3.connect(log_path) as conn:
        conn.execute("CREATE TABLE customers (id INTEGER, name TEXT)")
    conn.close()
    with pytest.raises(ProjectError) as caught:
        ExperimentLog(log_path)
    message = str(caught.value)
    assert str(log_path) in message
    assert "not a workbench experiment log" in message and "customers" in message


def test_damaged_file_names_it(log_path: Path) -> None:
    log_path.write_bytes(random.Random(7).randbytes(8192))
    with pytest.raises(ProjectError) as caught:
        ExperimentLog(log_path)
    assert str(log_path) in str(caught.value)
    assert "damaged or not an SQLite database" in str(caught.value)
    assert len(str(caught.value).splitlines()) == 1


def test_missing_project_folder(tmp_path: Path) -> None:
    with pytest.raises(ProjectError, match="no such folder"):
        ExperimentLog(tmp_path / "gone" / LOG_FILE)


# --- round trips ---------------------------------------------------------------------------------


def test_run_round_trip(log: ExperimentLog) -> None:
    run_id = _start(log, experiment="baseline", name="logistic, default chain")
    log.log_params(run_id, {"C": np.float64(0.5), "layers": (8, 4), "penalty": "l2"})
    log.log_params(run_id, {"C": 0.25})  # logged again: overwritten
    for fold, auc in enumerate([0.81, 0.84, 0.79]):
        log.log_metrics(run_id, {"roc_auc": auc, "accuracy": np.float32(0.75)}, fold=fold)
    log.log_metrics(run_id, {"roc_auc": 0.9}, split="train")
    log.set_tags(run_id, ["baseline", " scaled ", "baseline"])
    log.add_tag(run_id, "keep")
    log.remove_tag(run_id, "scaled")
    log.set_note(run_id, "first try; age imputed with the median")
    log.finish_run(
        run_id,
        duration=12.5,
        metrics={"validation": {"roc_auc": 0.8133}, "test": {"roc_auc": 0.8}},
    )

    record = log.run(run_id)
    assert record.status == "finished" and record.duration == 12.5 and record.message is None
    assert (record.experiment, record.name) == ("baseline", "logistic, default chain")
    assert record.spec == SPEC  # typed, as it went in
    assert record.params == {"C": 0.25, "layers": [8, 4], "penalty": "l2"}
    assert record.metrics == {
        "train": {"roc_auc": 0.9},
        "validation": {"roc_auc": 0.8133},
        "test": {"roc_auc": 0.8},
    }
    assert record.fold_metrics["validation"][1] == {"roc_auc": 0.84, "accuracy": 0.75}
    assert sorted(record.fold_metrics["validation"]) == [0, 1, 2]
    summary = record.fold_summary()
    assert summary["roc_auc"]["values"] == [0.81, 0.84, 0.79]
    assert summary["roc_auc"]["mean"] == pytest.approx(0.8133333333)
    assert record.tags == ("baseline", "keep")
    assert record.note == "first try; age imputed with the median"
    assert record.started_at < record.finished_at
    assert (record.pid, record.host) == (os.getpid(), record.host)


def test_environment_is_recorded(log: ExperimentLog) -> None:
    env = log.run(_start(log)).env
    assert env.python == ".".join(map(str, sys.version_info[:3]))
    assert env.packages["scikit-learn"] == sklearn.__version__
    assert env.packages["pandas"] == __import__("pandas").__version__
    assert env.packages["workbench"] == __import__("workbench").__version__
    assert env.git_commit is None  # pytest's tmp folder is no git repository
    assert env == capture_environment(log.root)


def test_the_log_stores_the_environment_it_is_given(log: ExperimentLog) -> None:
    # The store captures nothing itself: what the caller captured is what it keeps.
    given = Environment("3.11.2", "CPython", "Windows-10", "AMD64", "C:/wb/python.exe",
                        {"workbench": "0.1.0"}, "f" * 40)  # fmt: skip
    assert log.run(log.start_run(SPEC, given)).env == given
    # A row without some entries (an older log) reads '?' for them, never a KeyError.
    assert Environment.from_dict({"python": "3.11.0"}) == Environment(python="3.11.0")


@pytest.mark.skipif(shutil.which("git") is None, reason="git is not installed")
def test_git_commit_of_a_project_in_a_repository(tmp_path: Path) -> None:
    project = tmp_path / "project"
    project.mkdir()
    git = ["git", "-C", str(project), "-c", "user.name=t", "-c", "user.email=t@example.com"]
    env = {**os.environ, "GIT_CONFIG_GLOBAL": os.devnull, "GIT_CONFIG_NOSYSTEM": "1"}
    subprocess.run([*git, "init", "-q"], check=True, env=env)
    (project / "project.json").write_text("{}\n")
    subprocess.run([*git, "add", "project.json"], check=True, env=env)
    subprocess.run([*git, "commit", "-q", "-m", "start"], check=True, env=env)
    head = subprocess.run(
        [*git, "rev-parse", "HEAD"], check=True, env=env, capture_output=True, text=True
    ).stdout.strip()
    with ExperimentLog(project / LOG_FILE) as log:
        assert log.run(_start(log)).env.git_commit == head


def test_run_ids_sort_by_start_and_are_unique(log: ExperimentLog) -> None:
    ids = [_start(log) for _ in range(25)]
    assert all(RUN_ID_PATTERN.match(run_id) for run_id in ids)
    assert ids == sorted(ids) and len(set(ids)) == 25
    assert [record.run_id for record in log.runs()] == ids


def test_runs_filtered_by_experiment_and_status(log: ExperimentLog) -> None:
    first = _start(log, experiment="a")
    second = _start(log, experiment="b")
    third = _start(log, experiment="a")
    log.finish_run(first)
    log.finish_run(third, status="cancelled", message="stopped by the user")
    assert [r.run_id for r in log.runs(experiment="a")] == [first, third]
    assert [r.run_id for r in log.runs(status="running")] == [second]
    assert [r.run_id for r in log.runs(experiment="a", status="cancelled")] == [third]
    assert log.run(third).message == "stopped by the user"
    assert log.experiments() == ["a", "b"]


def test_refusals(log: ExperimentLog) -> None:
    run_id = _start(log)
    with pytest.raises(ProjectError, match="no run '20000101-000000-000-abcd'"):
        log.log_metrics("20000101-000000-000-abcd", {"rmse": 1.0})
    with pytest.raises(ProjectError, match=r"'\.\./\.\./etc' is not a run id"):
        log.delete_run("../../etc")
    with pytest.raises(WorkbenchError, match="unknown split 'holdout'"):
        log.log_metrics(run_id, {"rmse": 1.0}, split="holdout")
    with pytest.raises(WorkbenchError, match="metric 'rmse' is nan"):
        log.log_metrics(run_id, {"rmse": float("nan")})
    with pytest.raises(WorkbenchError, match="parameter 'weights' cannot be stored"):
        log.log_params(run_id, {"weights": object()})
    with pytest.raises(WorkbenchError, match="a run ends as one of"):
        log.finish_run(run_id, status="done")


def test_finish_is_all_or_nothing(log: ExperimentLog) -> None:
    run_id = _start(log)
    log.log_metrics(run_id, {"roc_auc": 0.8}, fold=0)
    with pytest.raises(WorkbenchError, match="metric 'brier' is inf"):
        log.finish_run(
            run_id, metrics={"validation": {"roc_auc": 0.8}, "test": {"brier": float("inf")}}
        )
    record = log.run(run_id)
    assert record.status == "running" and record.metrics == {}
    log.finish_run(run_id, metrics={"validation": {"roc_auc": 0.8}})
    with pytest.raises(ProjectError, match=rf"run '{run_id}' already ended \(finished\)"):
        log.finish_run(run_id, status="failed")
    assert log.run(run_id).status == "finished"


# --- artifacts and deletion ----------------------------------------------------------------------


def test_artifact_checksum_guards_loading(log: ExperimentLog, tmp_path: Path) -> None:
    run_id = _start(log)
    model = log.run_dir(run_id) / "model.joblib"
    model.write_bytes(b"pretend pickle" * 1000)
    digest = log.log_artifact(run_id, f"runs/{run_id}/model.joblib", "model")
    assert digest == hashlib.sha256(model.read_bytes()).hexdigest()
    report = log.run_dir(run_id) / "report.json"
    report.write_text("{}")
    log.log_artifact(run_id, report, "report")  # an absolute path inside the project
    artifacts = log.run(run_id).artifacts
    assert artifacts["report"].path == f"runs/{run_id}/report.json"
    assert (artifacts["model"].sha256, artifacts["model"].size) == (digest, 14000)
    assert log.verify_artifact(run_id, "model") == tmp_path / "runs" / run_id / "model.joblib"

    model.write_bytes(b"tampered" + model.read_bytes()[8:])
    with pytest.raises(ProjectError) as caught:
        log.verify_artifact(run_id, "model")
    assert str(caught.value) == (f"{model} was changed since the run {run_id}; refusing to load it")
    model.unlink()
    with pytest.raises(ProjectError, match=r"model\.joblib is missing"):
        log.verify_artifact(run_id, "model")
    with pytest.raises(ProjectError, match="has no 'onnx' artifact"):
        log.verify_artifact(run_id, "onnx")
    outside = tmp_path.parent / f"{tmp_path.name}-outside.bin"
    outside.write_bytes(b"x")
    try:
        with pytest.raises(ProjectError, match="is outside the project folder"):
            log.log_artifact(run_id, outside, "stray")
    finally:
        outside.unlink()


def test_delete_run_removes_rows_and_folder(log: ExperimentLog, log_path: Path) -> None:
    kept, gone = _start(log), _start(log)
    for run_id in (kept, gone):
        log.log_params(run_id, {"C": 1.0})
        log.log_metrics(run_id, {"rmse": 2.0}, fold=0)
        log.add_tag(run_id, "x")
        (log.run_dir(run_id) / "model.joblib").write_bytes(b"m")
        log.log_artifact(run_id, f"runs/{run_id}/model.joblib", "model")
    folder = log_path.parent / "runs" / gone
    assert folder.is_dir()
    log.delete_run(gone)
    assert not folder.exists()
    with pytest.raises(ProjectError, match=f"no run '{gone}'"):
        log.run(gone)
    for table in ("runs", "params", "metrics", "tags", "artifacts"):
        assert _count(log_path, table) == 1, table
    assert log.run(kept).params == {"C": 1.0}
    assert (log_path.parent / "runs" / kept / "model.joblib").is_file()


def test_compare_side_by_side(log: ExperimentLog) -> None:
    a, b = _start(log, name="small C"), _start(log, name="large C")
    log.log_params(a, {"C": 0.1, "penalty": "l2"})
    log.log_params(b, {"C": 10.0, "penalty": "l2", "max_iter": 500})
    log.finish_run(a, duration=1.0, metrics={"validation": {"roc_auc": 0.8, "brier": 0.2}})
    log.finish_run(
        b, duration=2.0, metrics={"validation": {"roc_auc": 0.8}, "test": {"roc_auc": 0.7}}
    )
    table = log.compare([a, b])
    assert list(table.columns) == ["section", "name", a, b, "differs"]
    cells = {
        (row["section"], row["name"]): (row[a], row[b], row["differs"])
        for _, row in table.iterrows()
    }
    assert cells[("param", "C")] == (0.1, 10.0, True)
    assert cells[("param", "penalty")] == ("l2", "l2", False)
    assert cells[("param", "max_iter")] == (None, 500, True)
    assert cells[("metric:validation", "roc_auc")] == (0.8, 0.8, False)
    assert cells[("metric:validation", "brier")] == (0.2, None, True)
    assert cells[("metric:test", "roc_auc")] == (None, 0.7, True)
    assert cells[("run", "name")] == ("small C", "large C", True)
    assert cells[("run", "seed")] == (42, 42, False)
    assert [s for s, _ in cells if s.startswith("metric")] == [
        "metric:validation", "metric:validation", "metric:test",
    ]  # fmt: skip


# --- processes -----------------------------------------------------------------------------------


def test_two_logs_on_one_file_see_each_other(log_path: Path) -> None:
    with ExperimentLog(log_path) as gui, ExperimentLog(log_path) as child:
        run_id = child.start_run(SPEC, capture_environment(log_path.parent))
        assert [r.run_id for r in gui.runs()] == [run_id]
        child.log_metrics(run_id, {"f1_macro": 0.9}, fold=0)
        assert gui.run(run_id).fold_metrics == {"validation": {0: {"f1_macro": 0.9}}}
        gui.add_tag(run_id, "watched")
        child.finish_run(run_id, metrics={"validation": {"f1_macro": 0.9}})
        record = gui.run(run_id)
        assert (record.status, record.tags) == ("finished", ("watched",))


CHILD = """
import itertools, json, sys
from pathlib import Path
from workbench.core.runs.environment import capture_environment
from workbench.core.runs.log import ExperimentLog
from workbench.core.runs.spec import RunSpec

log = ExperimentLog(Path(sys.argv[1]))
spec = RunSpec.from_dict(json.loads(sys.argv[2]))
run_id = log.start_run(spec, capture_environment(log.root))
print(run_id, flush=True)
for step in itertools.count():
    log.log_metrics(run_id, {"rmse": 1.0 / (step + 1), "step": float(step)}, fold=step % 5)
    log.log_params(run_id, {"step": step})
"""


@pytest.mark.skipif(not hasattr(signal, "SIGKILL"), reason="SIGKILL is POSIX only")
def test_killed_process_leaves_a_readable_unfinished_run(log_path: Path) -> None:
    ExperimentLog(log_path).close()
    child = subprocess.Popen(
        [sys.executable, "-c", CHILD, str(log_path), json.dumps(SPEC.to_dict())],
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        run_id = child.stdout.readline().strip()
        assert RUN_ID_PATTERN.match(run_id), run_id
        with ExperimentLog(log_path) as log:
            deadline = time.monotonic() + 30
            while log.run(run_id).params.get("step", 0) < 50 and time.monotonic() < deadline:
                time.sleep(0.02)
            assert pid_alive(child.pid)
            os.kill(child.pid, signal.SIGKILL)  # mid-way through its stream of writes
            child.wait(timeout=30)
            assert not pid_alive(child.pid)

            with sqlite3.connect(log_path) as conn:
                assert conn.execute("PRAGMA integrity_check").fetchone() == ("ok",)
            conn.close()
            record = log.run(run_id)
            assert record.status == "running" and record.pid == child.pid
            assert sorted(record.fold_metrics["validation"]) == [0, 1, 2, 3, 4]
            mine = _start(log)  # this process is alive

            assert recover_interrupted(log) == [run_id]
            record = log.run(run_id)
            assert (record.status, record.message) == ("interrupted", INTERRUPTED_MESSAGE)
            assert log.run(mine).status == "running"
            assert recover_interrupted(log) == []
    finally:
        if child.poll() is None:
            child.kill()
            child.wait()
        child.stdout.close()
