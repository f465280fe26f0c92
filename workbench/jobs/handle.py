"""The handle a runner returns: a thread-safe event buffer read from the GUI thread.

Runners produce events from their own threads; the GUI polls them on its own thread. Progress
is coalesced so a job reporting thousands of times a second costs the GUI one update per poll.
"""

from __future__ import annotations

import threading
from collections import deque

from workbench.jobs.events import (
    CancelledEvent,
    JobEvent,
    ProgressEvent,
    TerminalEvent,
    is_terminal,
)
from workbench.jobs.job import Job


class JobHandle:
    """One started job. `poll`, `cancel`, `finished` and `wait` are for the caller's thread.

    Runners subclass it to say how to stop the work (`_request_stop`) and report through
    `_put` (progress, partial results) and `_finish` (the one terminal event).
    """

    def __init__(self, job: Job) -> None:
        self.job = job
        self._lock = threading.Lock()
        self._pending: deque[JobEvent] = deque()
        self._terminal: TerminalEvent | None = None
        self._terminal_ready = threading.Event()
        self._outcome_seen = False  # the caller has received the terminal event
        self._cancel_requested = False

    # -- caller side -------------------------------------------------------------------------

    def poll(self) -> list[JobEvent]:
        """Events since the last poll, in order, without blocking.

        Only the latest progress event of the batch is kept, at its place: older ones are
        stale by the time the GUI draws.
        """
        with self._lock:
            events = list(self._pending)
            self._pending.clear()
            if events and is_terminal(events[-1]):
                self._outcome_seen = True
        last_progress = max(
            (i for i, event in enumerate(events) if isinstance(event, ProgressEvent)), default=-1
        )
        return [
            event
            for i, event in enumerate(events)
            if i == last_progress or not isinstance(event, ProgressEvent)
        ]

    def cancel(self) -> None:
        """Stop the job; a `CancelledEvent` ends it and nothing else is delivered after this.

        Idempotent, and a no-op once the caller has received the outcome. If the job had
        finished but its outcome was not yet received, the outcome becomes `CancelledEvent`:
        the user asked to stop, so a late result must not appear.
        """
        with self._lock:
            if self._cancel_requested or self._outcome_seen:
                return
            self._cancel_requested = True
            self._pending.clear()
            if self._terminal is not None:
                self._terminal = CancelledEvent()
                self._pending.append(self._terminal)
                return
        self._request_stop()

    @property
    def finished(self) -> bool:
        """A terminal event (done, failed or cancelled) has been produced."""
        return self._terminal_ready.is_set()

    @property
    def cancel_requested(self) -> bool:
        return self._cancel_requested

    def wait(self, timeout: float | None = None) -> TerminalEvent | None:
        """Block until the job ends and return its terminal event (None on timeout).

        For tests and the CLI; the GUI polls instead. Events stay queued for `poll`.
        """
        if not self._terminal_ready.wait(timeout):
            return None
        with self._lock:
            self._outcome_seen = True
            return self._terminal

    # -- runner side -------------------------------------------------------------------------

    def _request_stop(self) -> None:
        """Make the work stop; called once, outside the lock, by `cancel`."""
        raise NotImplementedError

    def _put(self, event: JobEvent) -> None:
        """Queue a progress or partial event (dropped once the job is cancelled or ended)."""
        with self._lock:
            if self._cancel_requested or self._terminal is not None:
                return
            if (
                isinstance(event, ProgressEvent)
                and self._pending
                and isinstance(self._pending[-1], ProgressEvent)
            ):
                # Bounds memory when nobody polls (wait(), a busy GUI).
                self._pending[-1] = event
            else:
                self._pending.append(event)

    def _finish(self, event: TerminalEvent) -> None:
        """Record how the job ended; a cancelled job always ends with `CancelledEvent`."""
        with self._lock:
            if self._terminal is not None:
                return
            self._terminal = CancelledEvent() if self._cancel_requested else event
            self._pending.append(self._terminal)
            self._terminal_ready.set()
