"""JobBridge: job events become Qt signals on the GUI thread, one job per bridge, no freezes."""

from __future__ import annotations

import os
import sys
import threading
from typing import Any

import pytest
import shiboken6
from jobs import job_fixtures as fx
from jobs.helpers import LIVENESS, pid_exists, wait_until
from PySide6.QtCore import QObject, QTimer

from workbench.gui.job_bridge import JobBridge
from workbench.jobs.job import Job

TIMEOUT_MS = int(LIVENESS * 1000)
posix_only = pytest.mark.skipif(sys.platform == "win32", reason="checks pids with signal 0")


class Recorder:
    """Every signal of a bridge, in order, with the thread it arrived on."""

    def __init__(self, bridge: JobBridge) -> None:
        self.calls: list[tuple[str, tuple[Any, ...]]] = []
        self.threads: set[int] = set()
        for name in ("progress", "partial", "done", "failed", "cancelled", "running_changed"):
            getattr(bridge, name).connect(lambda *args, name=name: self._record(name, args))

    def _record(self, name: str, args: tuple[Any, ...]) -> None:
        self.calls.append((name, args))
        self.threads.add(threading.get_ident())

    def named(self, name: str) -> list[tuple[Any, ...]]:
        return [args for called, args in self.calls if called == name]

    def without(self, name: str) -> list[tuple[str, tuple[Any, ...]]]:
        return [call for call in self.calls if call[0] != name]


def _first_partial(qtbot, bridge: JobBridge) -> Any:
    with qtbot.waitSignal(bridge.partial, timeout=TIMEOUT_MS) as blocker:
        pass
    return blocker.args[0]


@pytest.mark.parametrize("in_process", [True, False], ids=["process", "thread"])
def test_signals_arrive_in_order_on_the_gui_thread(qtbot, in_process: bool) -> None:
    bridge = JobBridge(poll_interval_ms=10)
    recorder = Recorder(bridge)
    with qtbot.waitSignal(bridge.done, timeout=TIMEOUT_MS) as done:
        bridge.start(Job(fx.two_steps, (10,), name="Two steps"), in_process=in_process)
        assert bridge.running
        assert bridge.job_name == "Two steps"
    assert done.args == [{"sum": 23}]
    assert recorder.threads == {threading.main_thread().ident}
    assert recorder.without("progress") == [
        ("running_changed", (True,)),
        ("partial", (11,)),
        ("partial", (12,)),
        ("running_changed", (False,)),
        ("done", ({"sum": 23},)),
    ]
    # Progress may be coalesced between polls, but the latest always arrives, in its place.
    progress = recorder.named("progress")
    assert progress[-1] == (0.75, "second step")
    assert set(progress) <= {(0.25, "first step"), (0.75, "second step")}
    assert recorder.calls.index(("progress", (0.75, "second step"))) > recorder.calls.index(
        ("partial", (11,))
    )
    assert not bridge.running
    assert bridge.job_name == ""


def test_a_failure_arrives_as_the_failed_signal(qtbot) -> None:
    bridge = JobBridge()
    with qtbot.waitSignal(bridge.failed, timeout=TIMEOUT_MS) as failed:
        bridge.start(Job(fx.fail_workbench, ("penguins.csv",)))
    message, error_type, details = failed.args
    assert message == "penguins.csv: not a table file (no delimiter found)"
    assert error_type == "DataReadError"
    assert "in fail_workbench" in details
    assert not bridge.running


@posix_only
def test_cancel_emits_cancelled_at_once_and_kills_the_child(qtbot) -> None:
    bridge = JobBridge(poll_interval_ms=10)
    recorder = Recorder(bridge)
    bridge.start(Job(fx.partials_forever, ("a",), name="Forever"))
    _tag, pid = _first_partial(qtbot, bridge)
    with qtbot.waitSignal(bridge.cancelled, timeout=0):  # emitted inside cancel()
        bridge.cancel()
    assert not bridge.running
    partials = len(recorder.named("partial"))
    qtbot.wait(200)
    assert len(recorder.named("partial")) == partials  # nothing after cancel
    assert recorder.named("running_changed") == [(True,), (False,)]
    assert recorder.calls[-1] == ("cancelled", ())
    assert wait_until(lambda: not pid_exists(pid), timeout=LIVENESS)
    bridge.cancel()  # idle: nothing happens
    assert recorder.calls[-1] == ("cancelled", ())
    assert len(recorder.named("cancelled")) == 1


@posix_only
def test_starting_a_second_job_cancels_the_first_silently(qtbot) -> None:
    bridge = JobBridge(poll_interval_ms=10)
    bridge.start(Job(fx.partials_forever, ("first",)))
    tag, first_pid = _first_partial(qtbot, bridge)
    assert tag == "first"
    recorder = Recorder(bridge)
    with qtbot.waitSignal(bridge.done, timeout=TIMEOUT_MS) as done:
        bridge.start(Job(fx.wait_then_echo, (0.3, "second"), name="Second"))
        assert bridge.job_name == "Second"
    assert done.args == ["second"]
    # The first job's late partials were never emitted, and replacing it is no "cancelled".
    assert recorder.calls == [("running_changed", (False,)), ("done", ("second",))]
    assert wait_until(lambda: not pid_exists(first_pid), timeout=LIVENESS)


def test_a_done_slot_may_start_the_next_job(qtbot) -> None:
    bridge = JobBridge(poll_interval_ms=10)
    recorder = Recorder(bridge)
    bridge.done.connect(
        lambda result: result == "one" and bridge.start(Job(fx.echo, ("two",)), in_process=False)
    )
    bridge.start(Job(fx.echo, ("one",)), in_process=False)
    qtbot.waitUntil(lambda: recorder.named("done") == [("one",), ("two",)], timeout=TIMEOUT_MS)
    assert recorder.named("running_changed") == [(True,), (False,), (True,), (False,)]


@posix_only
def test_deleting_the_bridge_cancels_its_job(qtbot) -> None:
    panel = QObject()
    bridge = JobBridge(panel, poll_interval_ms=10)
    bridge.start(Job(fx.partials_forever, ("orphan",)))
    _tag, pid = _first_partial(qtbot, bridge)
    shiboken6.delete(panel)  # the panel is closed while its job runs
    assert wait_until(lambda: not pid_exists(pid), timeout=LIVENESS)


@posix_only
def test_a_process_job_keeps_the_gui_turning_through_gil_heavy_work(qtbot) -> None:
    """Sorting a 500k-row text column (the GIL held ~0.6 s per sort) for ~2 s, in a child
    process: the work runs in another process, its progress arrives while it runs, and a 10 ms
    GUI timer keeps ticking meanwhile. The worst gap between ticks, and the same job in a thread
    as the control that freezes a window, are figures of benchmarks/window_bench.py."""
    ticks_while_running: list[int] = []
    ticks = [0]

    def tick() -> None:
        ticks[0] += 1
        if bridge.running:
            ticks_while_running.append(ticks[0])

    timer = QTimer()
    timer.setInterval(10)
    timer.timeout.connect(tick)
    bridge = JobBridge()
    progress: list[str] = []
    bridge.progress.connect(lambda _fraction, message: progress.append(message))
    pids: list[int | None] = []
    bridge.progress.connect(lambda _fraction, _message: pids.append(bridge.worker_pid))
    timer.start()
    with qtbot.waitSignal(bridge.done, timeout=TIMEOUT_MS) as done:
        bridge.start(Job(fx.sort_for, (2.0, 500_000), name="Sorting"), in_process=True)
    timer.stop()
    assert done.args[0] >= 1
    assert progress and progress[-1] == f"sorted {done.args[0]} times"
    assert pids and all(pid not in (None, os.getpid()) for pid in pids)
    # The event loop turned while the work ran (a frozen loop delivers no ticks until the end).
    assert len(ticks_while_running) >= 10
