"""One job mechanism for every panel, dialog and the controller: tasks declared once, by name.

In the spirit of Orange's `ConcurrentWidgetMixin`: a panel declares each kind of long work it
does (`add_task`: what to do with the result, with partial results, with a failure or a cancel,
which progress bar follows it, thread or child process), then starts jobs by the task's name.
Starting a task cancels the stale job of the same task, whose late events are never delivered,
so a result on screen always belongs to the newest request.

Each task is a `JobBridge` child of the panel named after the task: Qt's object tree is the
register, there is no list to keep. What every task gets without asking comes from the window's
`JobCenter` (job_center.py), which sees each bridge start: the status bar's progress and Cancel
(Esc), and every failure in the notification area with its details.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, cast

from PySide6.QtCore import QObject, Qt
from PySide6.QtWidgets import QProgressBar

from workbench.gui.job_bridge import JobBridge
from workbench.jobs.job import Job

PROGRESS_STEPS = 1000  # a task's progress bar runs over 0..PROGRESS_STEPS


def show_progress(bar: QProgressBar, fraction: float, message: str) -> None:
    """Put a job's progress on a panel's bar: the share done, and what it is doing."""
    bar.setValue(round(max(0.0, min(1.0, fraction)) * PROGRESS_STEPS))
    bar.setFormat(f"{fraction:.0%} — {message}" if message else f"{fraction:.0%}")


class JobsMixin:
    """Named tasks for a QObject (mix into a QWidget or QObject subclass, after it).

    Handlers run on the GUI thread. `failed` receives the one-line message only: the details
    (the traceback) go with the message to the window's notification area.
    """

    def add_task(
        self,
        kind: str,
        done: Callable[[Any], None],
        *,
        partial: Callable[[Any], None] | None = None,
        failed: Callable[[str], None] | None = None,
        cancelled: Callable[[], None] | None = None,
        running: Callable[[bool], None] | None = None,
        progress_bar: QProgressBar | None = None,
        in_process: bool = True,
    ) -> JobBridge:
        """Declare the task `kind` and return its bridge (for `running` or a `worker_pid`).

        `in_process`: heavy work (pandas on a whole table, scikit-learn) runs in a child process
        that Cancel kills; quick reads run in a thread, their late result simply dropped.
        """
        owner = cast(QObject, self)
        if self._find_task(kind) is not None:
            raise ValueError(f"{type(self).__name__} already has a task named {kind!r}")
        bridge = JobBridge(owner, in_process=in_process)
        bridge.setObjectName(kind)
        bridge.done.connect(done)
        if partial is not None:
            bridge.partial.connect(partial)
        if failed is not None:
            bridge.failed.connect(lambda message, _type, _details: failed(message))
        if cancelled is not None:
            bridge.cancelled.connect(cancelled)
        if running is not None:
            bridge.running_changed.connect(running)
        if progress_bar is not None:
            bar = progress_bar
            bridge.progress.connect(lambda fraction, text: show_progress(bar, fraction, text))
        return bridge

    def start_task(self, kind: str, job: Job) -> None:
        """Run `job` as the task `kind`, cancelling that task's running job first."""
        self.task(kind).start(job)

    def cancel_task(self, kind: str) -> None:
        """Cancel the task's running job (its `cancelled` handler runs); idle: nothing."""
        self.task(kind).cancel()

    def cancel_tasks(self) -> None:
        """Cancel every running task of this object (closing, another project)."""
        for bridge in self.tasks():
            bridge.cancel()

    def task(self, kind: str) -> JobBridge:
        bridge = self._find_task(kind)
        if bridge is None:
            raise KeyError(f"{type(self).__name__} has no task named {kind!r}")
        return bridge

    def tasks(self) -> list[JobBridge]:
        """Every task this object declared (its own, not its child widgets')."""
        owner = cast(QObject, self)
        return owner.findChildren(JobBridge, options=Qt.FindChildOption.FindDirectChildrenOnly)

    def task_running(self, kind: str | None = None) -> bool:
        """Whether the task `kind` (None: any of this object's tasks) has a job running."""
        if kind is not None:
            return self.task(kind).running
        return any(bridge.running for bridge in self.tasks())

    def _find_task(self, kind: str) -> JobBridge | None:
        owner = cast(QObject, self)
        return owner.findChild(JobBridge, kind, Qt.FindChildOption.FindDirectChildrenOnly)
