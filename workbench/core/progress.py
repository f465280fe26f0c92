"""The progress and cancel contract every long core function follows.

Long functions take `progress(fraction, message)` and a `CancelToken`; they call
`cancel.raise_if_cancelled()` between units of work. The job runners (workbench.jobs) turn these
into events; the CLI and tests pass nothing and get the defaults.
"""

from __future__ import annotations

import threading
from collections.abc import Callable

ProgressFn = Callable[[float, str], None]


class Cancelled(Exception):
    """Raised inside long work when the user asked to stop it."""


def no_progress(fraction: float, message: str) -> None:
    """Progress sink for callers that do not show progress."""


class CancelToken:
    """A flag set from another thread to stop cooperative work between units."""

    def __init__(self) -> None:
        self._event = threading.Event()

    def cancel(self) -> None:
        self._event.set()

    @property
    def cancelled(self) -> bool:
        return self._event.is_set()

    def raise_if_cancelled(self) -> None:
        if self._event.is_set():
            raise Cancelled("cancelled by the user")


NEVER_CANCELLED = CancelToken()


def sub_progress(progress: ProgressFn, start: float, end: float) -> ProgressFn:
    """Map a step's own 0..1 progress into the [start, end] slice of its caller's bar."""

    def report(fraction: float, message: str) -> None:
        clamped = min(max(fraction, 0.0), 1.0)
        progress(start + (end - start) * clamped, message)

    return report
