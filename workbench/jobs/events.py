"""What a running job reports: plain, picklable values.

Events cross a process boundary (child -> parent) and a thread boundary (runner -> GUI), so they
are frozen dataclasses with no behaviour the receiver depends on. Errors travel as
`FailedEvent` values: nothing a job raises ever reaches the Qt event loop.
"""

from __future__ import annotations

import traceback
from dataclasses import dataclass
from typing import Any, TypeAlias

from workbench.core.errors import WorkbenchError


@dataclass(frozen=True)
class ProgressEvent:
    """The job's position: `fraction` in 0..1 and what it is doing now."""

    fraction: float
    message: str


@dataclass(frozen=True)
class PartialEvent:
    """A piece of the result available before the end (a profiled column, a finished fold)."""

    payload: Any


@dataclass(frozen=True)
class DoneEvent:
    """The job returned `result`."""

    result: Any


@dataclass(frozen=True)
class FailedEvent:
    """The job raised: `message` is one line for the user, `details` the traceback."""

    message: str
    error_type: str
    details: str

    @classmethod
    def from_exception(cls, exc: BaseException) -> FailedEvent:
        """Describe `exc` for the user.

        A `WorkbenchError` was written for the user and is shown as it is; anything else is a
        fault whose type helps whoever reads the report, so it leads the message.
        """
        text = " ".join(str(exc).split())  # one line, even for multi-line library messages
        name = type(exc).__name__
        if isinstance(exc, WorkbenchError):
            message = text or name
        else:
            message = f"{name}: {text}" if text else name
        details = "".join(traceback.format_exception(exc))
        return cls(message=message, error_type=name, details=details)


@dataclass(frozen=True)
class CancelledEvent:
    """The job stopped because it was cancelled; nothing else follows."""


JobEvent: TypeAlias = ProgressEvent | PartialEvent | DoneEvent | FailedEvent | CancelledEvent
TerminalEvent: TypeAlias = DoneEvent | FailedEvent | CancelledEvent
TERMINAL_EVENT_TYPES = (DoneEvent, FailedEvent, CancelledEvent)


def is_terminal(event: JobEvent) -> bool:
    """True for the one event that ends a job (done, failed or cancelled)."""
    return isinstance(event, TERMINAL_EVENT_TYPES)
