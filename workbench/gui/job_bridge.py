"""Jobs -> Qt signals: the only place the job mechanism meets Qt.

A `JobBridge` belongs to one panel and runs at most one job: starting another cancels the
stale one, whose late events are never emitted. A QTimer polls the job's handle on the GUI
thread, so signals are always emitted there (the runners' threads never touch Qt) and a chatty
job costs one coalesced progress update per tick. Panels do not wire bridges by hand: they
declare tasks through `JobsMixin` (job_mixin.py), and every bridge shows itself to its window's
`JobCenter` (job_center.py) when it starts a job.
"""

from __future__ import annotations

from PySide6.QtCore import QObject, QTimer, Signal

from workbench.gui.job_center import JobCenter
from workbench.jobs.events import (
    CancelledEvent,
    DoneEvent,
    FailedEvent,
    JobEvent,
    PartialEvent,
    ProgressEvent,
)
from workbench.jobs.handle import JobHandle
from workbench.jobs.job import Job
from workbench.jobs.process_runner import run_in_process
from workbench.jobs.thread_runner import run_in_thread


class _CurrentJob:
    """The bridge's running handle, kept outside the QObject.

    When Qt deletes the bridge (its panel closed), `destroyed` can still reach this plain
    object to cancel the job; a slot on the dying bridge itself would not be called.
    """

    def __init__(self) -> None:
        self.handle: JobHandle | None = None

    def cancel(self, *_args: object) -> None:
        handle, self.handle = self.handle, None
        if handle is not None:
            handle.cancel()


class JobBridge(QObject):
    """Runs one job at a time for a panel and re-emits its events as signals.

    `cancelled` is emitted at once by `cancel()` (the panel is free again even if a thread job
    takes a while to notice); a job replaced by `start()` emits nothing more at all.
    """

    started = Signal(str)  # every start, the job's name (a restart replacing a job too)
    progress = Signal(float, str)
    partial = Signal(object)
    done = Signal(object)
    failed = Signal(str, str, str)  # message, error_type, details
    cancelled = Signal()
    running_changed = Signal(bool)

    def __init__(
        self, parent: QObject | None = None, poll_interval_ms: int = 30, in_process: bool = True
    ) -> None:
        super().__init__(parent)
        self._current = _CurrentJob()
        self._job_name = ""
        self._in_process = in_process
        self._center: JobCenter | None = None
        self._timer = QTimer(self)
        self._timer.setInterval(poll_interval_ms)
        self._timer.timeout.connect(self._poll)
        self.destroyed.connect(self._current.cancel)

    @property
    def running(self) -> bool:
        return self._current.handle is not None

    @property
    def job_name(self) -> str:
        """The running job's name for the status bar; empty when idle."""
        return self._job_name if self.running else ""

    @property
    def last_job_name(self) -> str:
        """The name of the job started last, running or not: a failure is announced with it."""
        return self._job_name

    @property
    def worker_pid(self) -> int | None:
        """The running job's child process id (None for a thread job or before it starts)."""
        return getattr(self._current.handle, "pid", None)

    def start(self, job: Job, in_process: bool | None = None) -> None:
        """Run `job`, cancelling this bridge's running job first (one task per panel).

        `in_process=True` for anything heavy (pandas, fitting): it runs in a child process
        that cancel kills. Threads are for light work that checks its cancel token, or whose
        late result may simply be dropped (a quick read). None: the bridge's own default.
        """
        if self._center is None:
            # Found at the first start, not at construction: a panel is built before it is
            # placed in a window.
            self._center = JobCenter.of(self)
            if self._center is not None:
                self._center.watch(self)
        in_process = self._in_process if in_process is None else in_process
        was_running = self.running
        self._current.cancel()
        self._current.handle = run_in_process(job) if in_process else run_in_thread(job)
        self._job_name = job.name
        self._timer.start()
        if not was_running:
            self.running_changed.emit(True)
        self.started.emit(job.name)

    def cancel(self) -> None:
        """Cancel the running job, if any, and emit `cancelled`."""
        if not self.running:
            return
        self._current.cancel()
        self._timer.stop()
        self.running_changed.emit(False)
        self.cancelled.emit()

    def _poll(self) -> None:
        handle = self._current.handle
        if handle is None:
            self._timer.stop()
            return
        for event in handle.poll():
            if self._current.handle is not handle:
                return  # a slot started or cancelled a job meanwhile: the rest is stale
            self._emit(event)

    def _emit(self, event: JobEvent) -> None:
        if isinstance(event, ProgressEvent):
            self.progress.emit(event.fraction, event.message)
        elif isinstance(event, PartialEvent):
            self.partial.emit(event.payload)
        else:
            # Idle before emitting, so a slot of `done` may start the next job at once and
            # running_changed strictly alternates True, False, True...
            self._current.handle = None
            self._timer.stop()
            self.running_changed.emit(False)
            if isinstance(event, DoneEvent):
                self.done.emit(event.result)
            elif isinstance(event, FailedEvent):
                self.failed.emit(event.message, event.error_type, event.details)
            elif isinstance(event, CancelledEvent):
                self.cancelled.emit()
