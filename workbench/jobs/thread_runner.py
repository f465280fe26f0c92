"""Jobs in this process: a worker thread for light work, or inline for the CLI and tests.

A thread cannot be stopped from outside, so cancelling a thread job only sets its CancelToken:
use it for work that checks the token often and releases the GIL or is short. Heavy pandas or
model fitting belongs in `run_in_process`.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Any

from workbench.core.progress import CancelToken
from workbench.jobs.events import (
    CancelledEvent,
    FailedEvent,
    JobEvent,
    PartialEvent,
    ProgressEvent,
    TerminalEvent,
)
from workbench.jobs.handle import JobHandle
from workbench.jobs.job import Job, call_job


class ThreadJobHandle(JobHandle):
    """A job running in a daemon thread; cancel is cooperative."""

    def __init__(self, job: Job) -> None:
        super().__init__(job)
        self.token = CancelToken()

    def _request_stop(self) -> None:
        self.token.cancel()

    def _run(self) -> None:
        try:
            outcome = call_job(
                self.job,
                progress=lambda fraction, message: self._put(
                    ProgressEvent(float(fraction), str(message))
                ),
                cancel=self.token,
                on_partial=lambda payload: self._put(PartialEvent(payload)),
            )
        except BaseException as exc:  # SystemExit in a thread must still end the job
            outcome = FailedEvent.from_exception(exc)
        self._finish(outcome)


def run_in_thread(job: Job) -> ThreadJobHandle:
    """Start `job` in a daemon thread (daemon: a job ignoring cancel must not block app exit)."""
    handle = ThreadJobHandle(job)
    name = f"job: {job.name or getattr(job.fn, '__name__', 'job')}"
    threading.Thread(target=handle._run, name=name, daemon=True).start()
    return handle


def run_inline(
    job: Job,
    on_event: Callable[[JobEvent], Any] | None = None,
    cancel: CancelToken | None = None,
) -> TerminalEvent:
    """Run `job` here and now and return its terminal event.

    Same semantics as the other runners, without buffering: `on_event` receives every progress
    and partial event as it happens (no coalescing), then the terminal event.
    """
    sink = on_event if on_event is not None else _ignore
    token = cancel if cancel is not None else CancelToken()
    outcome: TerminalEvent = call_job(
        job,
        progress=lambda fraction, message: sink(ProgressEvent(float(fraction), str(message))),
        cancel=token,
        on_partial=lambda payload: sink(PartialEvent(payload)),
    )
    if token.cancelled:  # as in the other runners: once cancelled, the outcome is cancelled
        outcome = CancelledEvent()
    sink(outcome)
    return outcome


def _ignore(event: JobEvent) -> None:
    """Event sink for inline runs whose caller only wants the outcome."""
