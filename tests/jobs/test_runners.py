"""Behaviour every background runner shares, checked on a thread and on a child process."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from jobs import job_fixtures as fx
from jobs.helpers import LIVENESS, all_events
from workbench.jobs.events import (
    CancelledEvent,
    DoneEvent,
    FailedEvent,
    PartialEvent,
    ProgressEvent,
)
from workbench.jobs.handle import JobHandle
from workbench.jobs.job import Job
from workbench.jobs.process_runner import run_in_process
from workbench.jobs.thread_runner import run_in_thread

Runner = Callable[[Job], JobHandle]
RUNNERS = pytest.mark.parametrize("run", [run_in_thread, run_in_process], ids=["thread", "process"])
TIMEOUT = LIVENESS  # a spawned child imports numpy and pandas on a busy 2-core machine


@RUNNERS
def test_partials_and_latest_progress_arrive_in_order_then_the_result(run: Runner) -> None:
    events = all_events(run(Job(fx.two_steps, (10,), name="Two steps")), TIMEOUT)
    # One poll after the end: only the latest progress survives, at its place.
    assert events == [
        PartialEvent(11),
        ProgressEvent(0.75, "second step"),
        PartialEvent(12),
        DoneEvent({"sum": 23}),
    ]


@RUNNERS
def test_chatty_progress_is_coalesced(run: Runner) -> None:
    events = all_events(run(Job(fx.chatty, (50_000,))), TIMEOUT)
    assert events == [PartialEvent("counted"), ProgressEvent(1.0, "finished"), DoneEvent(50_000)]


@RUNNERS
def test_an_exception_arrives_as_a_failed_event(run: Runner) -> None:
    handle = run(Job(fx.fail_plain, (42,)))
    outcome = handle.wait(TIMEOUT)
    assert isinstance(outcome, FailedEvent)
    assert outcome.message == "ValueError: bad value 42 second line of detail"
    assert outcome.error_type == "ValueError"
    assert "in fail_plain" in outcome.details
    assert handle.finished
    assert handle.poll() == [outcome]


@RUNNERS
def test_a_workbench_error_keeps_its_plain_message(run: Runner) -> None:
    outcome = run(Job(fx.fail_workbench, ("penguins.csv",))).wait(TIMEOUT)
    assert outcome == FailedEvent(
        "penguins.csv: not a table file (no delimiter found)",
        "DataReadError",
        outcome.details if isinstance(outcome, FailedEvent) else "",
    )


@RUNNERS
def test_system_exit_in_the_job_is_a_failure_not_a_hang(run: Runner) -> None:
    outcome = run(Job(fx.exit_with_system_exit)).wait(TIMEOUT)
    assert isinstance(outcome, FailedEvent)
    assert outcome.message == "SystemExit: 3"


@RUNNERS
def test_cancelled_raised_by_the_job_is_a_cancelled_event(run: Runner) -> None:
    assert run(Job(fx.raise_cancelled)).wait(TIMEOUT) == CancelledEvent()


@RUNNERS
def test_only_the_hooks_a_function_accepts_are_passed(run: Runner) -> None:
    assert run(Job(fx.only_progress)).wait(TIMEOUT) == DoneEvent("only progress")
    assert run(Job(fx.no_hooks, (1,), {"b": 5})).wait(TIMEOUT) == DoneEvent(6)
    assert run(Job(fx.takes_any_keywords, (1,))).wait(TIMEOUT) == DoneEvent(
        (1, ["cancel", "on_partial", "progress"])
    )
    outcome = run(Job(fx.progress_and_cancel, (7,))).wait(TIMEOUT)
    assert isinstance(outcome, DoneEvent)
    assert outcome.result[0] == 7
    assert outcome.result[2] == "CancelToken"


@RUNNERS
def test_cancel_after_the_outcome_was_received_changes_nothing(run: Runner) -> None:
    handle = run(Job(fx.echo, ("kept",)))
    assert handle.wait(TIMEOUT) == DoneEvent("kept")
    handle.cancel()
    assert handle.poll() == [DoneEvent("kept")]
    assert handle.wait(0) == DoneEvent("kept")
