"""Child-process jobs: killable on cancel, crash-proof, no zombies, big results intact."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import pandas as pd
import pytest

from jobs import job_fixtures as fx
from jobs.helpers import LIVENESS, first_partial, pid_exists, pid_running, wait_until
from workbench.jobs.events import CancelledEvent, DoneEvent, FailedEvent
from workbench.jobs.job import Job
from workbench.jobs.process_runner import ProcessJobHandle, run_in_process

pytestmark = pytest.mark.skipif(sys.platform == "win32", reason="uses POSIX signals and pids")

TIMEOUT = LIVENESS


def _cancel(handle: ProcessJobHandle) -> None:
    """Cancel work that never ends on its own and never checks for cancel: only a kill stops
    it, so the CancelledEvent proves the kill (how fast is measured in benchmarks/jobs_bench.py;
    the wait's bound only keeps a broken kill from hanging the suite)."""
    handle.cancel()
    assert handle.wait(TIMEOUT) == CancelledEvent()


def test_a_busy_python_loop_is_killed_on_cancel() -> None:
    handle = run_in_process(Job(fx.report_pid_then_spin, name="Spinning"))
    pid = first_partial(handle, timeout=TIMEOUT)
    assert pid == handle.pid
    assert pid_exists(pid)
    _cancel(handle)
    assert not pid_exists(pid)  # killed and reaped: no zombie left
    assert handle.poll() == [CancelledEvent()]


def test_pandas_work_holding_the_gil_is_killed_on_cancel(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path))
    handle = run_in_process(Job(fx.report_pid_then_sort, (500_000,)))
    pid = first_partial(handle, timeout=TIMEOUT)
    time.sleep(0.2)  # well inside a sort
    _cancel(handle)
    assert not pid_exists(pid)
    assert list(tmp_path.iterdir()) == []  # the job's folder went with it


def test_cancel_right_after_start_never_runs_to_a_result() -> None:
    handle = run_in_process(Job(fx.echo, ("too late",)))
    handle.cancel()
    assert handle.wait(LIVENESS) == CancelledEvent()
    assert handle.poll() == [CancelledEvent()]
    if handle.pid is not None:
        assert not pid_exists(handle.pid)


def test_a_child_killed_from_outside_is_reported_as_stopped_unexpectedly() -> None:
    handle = run_in_process(Job(fx.report_pid_then_spin))
    pid = first_partial(handle, timeout=TIMEOUT)
    os.kill(pid, signal.SIGKILL)  # what the OS does when memory runs out
    outcome = handle.wait(LIVENESS)
    assert isinstance(outcome, FailedEvent)
    assert outcome.message == "the worker process stopped unexpectedly (exit code -9)"
    assert outcome.error_type == "WorkerDied"
    assert not pid_exists(pid)


def test_a_child_exiting_without_a_result_is_a_failure() -> None:
    outcome = run_in_process(Job(fx.exit_abruptly, (3,))).wait(TIMEOUT)
    assert isinstance(outcome, FailedEvent)
    assert outcome.message == "the worker process stopped unexpectedly (exit code 3)"


def test_a_dataframe_result_round_trips_exactly_and_the_child_is_reaped(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path))  # where the job's folder goes
    handle = run_in_process(Job(fx.make_frame, (200_000,)))
    outcome = handle.wait(TIMEOUT)
    assert isinstance(outcome, DoneEvent)
    expected = fx.make_frame(200_000)
    pd.testing.assert_frame_equal(outcome.result, expected, check_exact=True)
    assert list(outcome.result.dtypes) == list(expected.dtypes)
    assert outcome.result["x"].isna().sum() == len(range(0, 200_000, 7))
    # The outcome is delivered before the child's interpreter has torn down; it is then reaped.
    assert handle.pid is not None
    assert wait_until(lambda: not pid_exists(handle.pid), timeout=LIVENESS)
    # The result (~10 MB) came through a file in the job's folder; both are gone.
    assert wait_until(lambda: list(tmp_path.iterdir()) == [], timeout=LIVENESS)


def test_an_unpicklable_result_is_a_failure() -> None:
    outcome = run_in_process(Job(fx.unpicklable_result)).wait(TIMEOUT)
    assert isinstance(outcome, FailedEvent)
    assert outcome.message.startswith("the job's result could not be sent back (")


def test_an_unpicklable_job_is_a_failure_not_an_exception() -> None:
    handle = run_in_process(Job(lambda: None))
    outcome = handle.wait(TIMEOUT)
    assert isinstance(outcome, FailedEvent)
    assert outcome.message.startswith("the job could not be sent to a worker process (")
    assert handle.pid is None


PARENT_SCRIPT = """
import sys, time
sys.path.insert(0, sys.argv[1])
from jobs import job_fixtures as fx
from jobs.helpers import first_partial
from workbench.jobs.job import Job
from workbench.jobs.process_runner import run_in_process

if __name__ == "__main__":
    handle = run_in_process(Job(fx.report_pid_then_spin))
    print(first_partial(handle, timeout=20), flush=True)
    if sys.argv[2] == "hang":
        time.sleep(60)
    # else: quit normally while the job still runs
"""


def _run_parent(tmp_path: Path, how: str) -> tuple[subprocess.Popen[str], int]:
    """Start a parent process running an endless job; returns it and its child's pid."""
    script = tmp_path / "parent.py"
    script.write_text(PARENT_SCRIPT)
    tests_dir = Path(__file__).resolve().parent.parent
    parent = subprocess.Popen(
        [sys.executable, str(script), str(tests_dir), how],
        stdout=subprocess.PIPE,
        text=True,
        env={**os.environ, "TMPDIR": str(tmp_path)},  # its job folders land here
    )
    assert parent.stdout is not None
    return parent, int(parent.stdout.readline())


def _cleanup(parent: subprocess.Popen[str], child_pid: int) -> None:
    parent.kill()
    parent.wait()
    if pid_running(child_pid):
        os.kill(child_pid, signal.SIGKILL)  # leave no spinning orphan behind a failure


def test_the_child_exits_when_the_parent_dies(tmp_path: Path) -> None:
    parent, child_pid = _run_parent(tmp_path, "hang")
    try:
        assert pid_running(child_pid)
        parent.kill()  # no atexit, no cleanup: a crashed GUI
        parent.wait()
        assert wait_until(lambda: not pid_running(child_pid), timeout=LIVENESS)
    finally:
        _cleanup(parent, child_pid)


def test_quitting_normally_stops_a_running_job_instead_of_waiting_for_it(tmp_path: Path) -> None:
    parent, child_pid = _run_parent(tmp_path, "quit")
    try:
        assert parent.wait(timeout=LIVENESS) == 0
        assert wait_until(lambda: not pid_running(child_pid), timeout=LIVENESS)
        assert list(tmp_path.glob("workbench-job-*")) == []  # its folder was removed too
    finally:
        _cleanup(parent, child_pid)
