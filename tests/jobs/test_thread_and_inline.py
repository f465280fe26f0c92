"""Thread jobs (cooperative cancel) and inline runs (CLI, tests)."""

from __future__ import annotations

from jobs import job_fixtures as fx
from jobs.helpers import LIVENESS, first_partial, wait_until
from workbench.core.progress import CancelToken
from workbench.jobs.events import (
    CancelledEvent,
    DoneEvent,
    FailedEvent,
    JobEvent,
    PartialEvent,
    ProgressEvent,
)
from workbench.jobs.job import Job
from workbench.jobs.thread_runner import run_in_thread, run_inline


def test_a_thread_job_is_cancelled_cooperatively() -> None:
    handle = run_in_thread(Job(fx.wait_for_cancel))
    assert first_partial(handle, timeout=LIVENESS) == "started"
    assert not handle.finished
    handle.cancel()
    handle.cancel()  # idempotent
    assert handle.wait(LIVENESS) == CancelledEvent()
    assert handle.poll() == [CancelledEvent()]
    assert handle.token.cancelled


def test_a_result_returned_after_cancel_is_reported_as_cancelled() -> None:
    handle = run_in_thread(Job(fx.finish_despite_cancel))
    assert first_partial(handle, timeout=LIVENESS) == "started"
    handle.cancel()
    assert handle.wait(LIVENESS) == CancelledEvent()
    assert handle.poll() == [CancelledEvent()]


def test_cancel_before_the_outcome_is_received_replaces_it() -> None:
    handle = run_in_thread(Job(fx.echo, ("late",)))
    assert wait_until(lambda: handle.finished, timeout=LIVENESS)
    handle.cancel()  # the user pressed Cancel before the GUI polled: no late result
    assert handle.poll() == [CancelledEvent()]
    assert handle.wait(0) == CancelledEvent()


def test_events_queued_before_cancel_are_dropped() -> None:
    handle = run_in_thread(Job(fx.partials_until_cancelled))
    assert wait_until(lambda: len(handle._pending) >= 3, timeout=LIVENESS)
    handle.cancel()
    assert handle.wait(LIVENESS) == CancelledEvent()
    assert handle.poll() == [CancelledEvent()]


def test_run_inline_reports_every_event_in_order() -> None:
    seen: list[JobEvent] = []
    outcome = run_inline(Job(fx.two_steps, (0,)), on_event=seen.append)
    assert outcome == DoneEvent({"sum": 3})
    assert seen == [
        ProgressEvent(0.25, "first step"),
        PartialEvent(1),
        ProgressEvent(0.75, "second step"),
        PartialEvent(2),
        DoneEvent({"sum": 3}),
    ]


def test_run_inline_returns_failures_as_values() -> None:
    outcome = run_inline(Job(fx.fail_workbench, ("adult.data",)))
    assert isinstance(outcome, FailedEvent)
    assert outcome.message == "adult.data: not a table file (no delimiter found)"


def test_run_inline_with_a_cancelled_token_reports_cancel() -> None:
    token = CancelToken()
    token.cancel()
    assert run_inline(Job(fx.wait_for_cancel), cancel=token) == CancelledEvent()
    assert run_inline(Job(fx.finish_despite_cancel), cancel=token) == CancelledEvent()
