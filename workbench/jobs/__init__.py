"""Long work off the GUI thread: threads and killable child processes, streaming plain events.

`Job` names the function; `run_in_process` (heavy, GIL-holding work: cancel kills the child),
`run_in_thread` (light work: cancel is cooperative) or `run_inline` (CLI, tests) runs it;
the `JobHandle` yields `events` values. No Qt here: workbench.gui.job_bridge adapts handles.
"""

from workbench.jobs.events import (
    CancelledEvent,
    DoneEvent,
    FailedEvent,
    JobEvent,
    PartialEvent,
    ProgressEvent,
    TerminalEvent,
    is_terminal,
)
from workbench.jobs.job import Job
from workbench.jobs.runner import (
    JobHandle,
    ProcessJobHandle,
    ThreadJobHandle,
    run_in_process,
    run_in_thread,
    run_inline,
)

__all__ = [
    "CancelledEvent",
    "DoneEvent",
    "FailedEvent",
    "Job",
    "JobEvent",
    "JobHandle",
    "PartialEvent",
    "ProcessJobHandle",
    "ProgressEvent",
    "TerminalEvent",
    "ThreadJobHandle",
    "is_terminal",
    "run_in_process",
    "run_in_thread",
    "run_inline",
]
