"""Jobs in a child process that Cancel can kill.

Heavy pandas work and model fitting hold the GIL: in a thread they freeze the GUI and cannot be
interrupted. A child process runs them on another core and `cancel()` terminates it (SIGTERM,
then SIGKILL after 0.5 s).

Design notes:
- "spawn", never fork: the parent has Qt and threads, which fork copies in a broken state.
- The child is started by a supervisor thread, not by the caller: spawning pickles the job's
  arguments and writes them to the child, which would block the GUI thread on big inputs.
  The same thread then reads the child's events into the handle and reaps the child.
- Not a daemon process: daemonic processes may not have children, and joblib (scikit-learn's
  n_jobs) then falls back to one core. Instead the child exits when the parent dies (it
  watches the parent's sentinel) and the parent terminates live children at exit.
- Progress is throttled in the child (a new message always goes out at once), so a chatty job
  costs neither pipe traffic nor parent CPU.
"""

from __future__ import annotations

import atexit
import multiprocessing
import multiprocessing.util  # before our atexit hook: hooks run last-registered first
import os
import shutil
import tempfile
import threading
import time
from multiprocessing.connection import Connection, wait
from multiprocessing.process import BaseProcess

from workbench.core.progress import CancelToken
from workbench.jobs.events import (
    FailedEvent,
    JobEvent,
    PartialEvent,
    ProgressEvent,
    TerminalEvent,
    is_terminal,
)
from workbench.jobs.handle import JobHandle
from workbench.jobs.job import Job, call_job
from workbench.jobs.wire import recv_object, send_object

KILL_AFTER_S = 0.5  # grace between SIGTERM and SIGKILL
EXIT_GRACE_S = 5.0  # how long a child that sent its outcome may take to exit on its own
PROGRESS_INTERVAL_S = 0.02  # at most ~50 progress messages a second leave the child
_POLL_S = 0.1  # how often the supervisor re-checks for a cancel while the child is silent

# Running children and their message folders, for the exit hook (supervisors are daemon
# threads: at interpreter exit they stop wherever they are, before their own cleanup).
_live_children: dict[BaseProcess, str] = {}
# Process.start() reaps every finished child with waitpid; a supervisor joining its own child at
# the same moment could lose the exit status. Starts and joins therefore take turns.
_reap_lock = threading.Lock()


class ProcessJobHandle(JobHandle):
    """A job running in a child process; cancel terminates the child."""

    def __init__(self, job: Job) -> None:
        super().__init__(job)
        self._process: BaseProcess | None = None
        self._process_lock = threading.Lock()

    @property
    def pid(self) -> int | None:
        """The child's process id, None until it has started."""
        process = self._process
        return process.pid if process is not None else None

    def _request_stop(self) -> None:
        with self._process_lock:
            process = self._process
        if process is not None:
            # Signal now, from the caller's thread: the supervisor escalates to SIGKILL. Not
            # `exitcode`: polling from two threads can steal the child's exit status.
            process.terminate()
        # Not started yet: the supervisor sees cancel_requested right after starting it.

    def _supervise(self) -> None:
        """Run the child in a fresh folder, then record the outcome once both are gone."""
        # Big messages travel through files here (see wire.py); removed even if the child is
        # killed mid-write.
        spill_dir = tempfile.mkdtemp(prefix="workbench-job-")
        try:
            outcome = self._run_child(spill_dir)
        finally:
            shutil.rmtree(spill_dir, ignore_errors=True)
        self._finish(outcome)  # a no-op if the outcome was delivered early

    def _run_child(self, spill_dir: str) -> TerminalEvent:
        """Start the child, forward its events, reap it; returns how it ended."""
        context = multiprocessing.get_context("spawn")
        receiver, sender = context.Pipe(duplex=False)
        process = context.Process(
            target=_child_main, args=(self.job, sender, spill_dir), name=_process_name(self.job)
        )
        try:
            with _reap_lock:
                process.start()
        except Exception as exc:  # typically an unpicklable fn or argument
            receiver.close()
            sender.close()
            return _failure("the job could not be sent to a worker process", exc)
        sender.close()  # the child holds its own copy; ours would hide the child's death (EOF)
        _live_children[process] = spill_dir
        with self._process_lock:
            self._process = process
        if self.cancel_requested:
            process.terminate()
        grace = EXIT_GRACE_S
        try:
            outcome = self._forward_events(receiver, process)
        except Exception as exc:  # e.g. an event whose class this process cannot import
            outcome, grace = _failure("a message from the worker process was unreadable", exc), 0
        try:
            if outcome is not None and not self.cancel_requested:
                # Deliver before reaping: a child with pandas and scikit-learn loaded takes
                # ~0.2 s to tear its interpreter down, which the user should not wait for.
                self._finish(outcome)
        finally:
            receiver.close()
            _stop(process, grace=0.0 if self.cancel_requested else grace)
            _live_children.pop(process, None)
        if outcome is not None:
            return outcome  # or CancelledEvent, which _finish substitutes after a cancel
        return FailedEvent(
            f"the worker process stopped unexpectedly (exit code {process.exitcode})",
            "WorkerDied",
            f"The child process running {_process_name(self.job)!r} ended without "
            f"reporting a result; exit code {process.exitcode} (negative: killed by "
            "that signal, e.g. -9 by the system when out of memory).",
        )

    def _forward_events(self, receiver: Connection, process: BaseProcess) -> TerminalEvent | None:
        """Move events from the child into the handle until the terminal one or its death."""
        while not self.cancel_requested:
            ready = wait([receiver, process.sentinel], timeout=_POLL_S)
            if receiver in ready:
                try:
                    event: JobEvent = recv_object(receiver)
                except (EOFError, OSError):  # the child died, possibly mid-message
                    return None
                if is_terminal(event):
                    return event  # type: ignore[return-value]
                self._put(event)
            elif process.sentinel in ready:
                return None  # dead, and nothing left to read (data would have come first)
        return None


def run_in_process(job: Job) -> ProcessJobHandle:
    """Start `job` in a spawned child process; returns at once (the child starts behind)."""
    handle = ProcessJobHandle(job)
    threading.Thread(
        target=_supervise_safely,
        args=(handle,),
        name=f"supervise {_process_name(job)}",
        daemon=True,
    ).start()
    return handle


def _supervise_safely(handle: ProcessJobHandle) -> None:
    """A fault in the supervisor itself must still end the job, or the GUI would wait forever."""
    try:
        handle._supervise()
    except Exception as exc:
        handle._finish(_failure("the job runner failed", exc))


def _process_name(job: Job) -> str:
    return f"workbench job: {job.name or getattr(job.fn, '__name__', 'job')}"


def _failure(what: str, exc: Exception) -> FailedEvent:
    """A FailedEvent for a fault of the job mechanism itself, saying which step failed."""
    failure = FailedEvent.from_exception(exc)
    return FailedEvent(f"{what} ({failure.message})", failure.error_type, failure.details)


def _stop(process: BaseProcess, grace: float) -> None:
    """Let the child exit within `grace`, else SIGTERM, then SIGKILL; always reap it."""
    if not wait([process.sentinel], timeout=grace):
        process.terminate()
        if not wait([process.sentinel], timeout=KILL_AFTER_S):
            process.kill()
            wait([process.sentinel])
    with _reap_lock:  # the child is dead: this join is instant
        process.join()


@atexit.register
def _stop_children_at_exit() -> None:
    """Kill children still running when the app quits (they are not daemons: see above).

    Must run before multiprocessing's own exit hook, which joins non-daemon children and would
    wait for a running job forever; hence the import of multiprocessing.util above.
    """
    for process, spill_dir in list(_live_children.items()):
        if process.exitcode is None:
            _stop(process, grace=0.0)
        shutil.rmtree(spill_dir, ignore_errors=True)


# -- child side ---------------------------------------------------------------------------------


class ChildChannel:
    """Sends a job's events to the parent, throttling progress."""

    def __init__(
        self,
        conn: Connection,
        spill_dir: str | None = None,
        interval: float = PROGRESS_INTERVAL_S,
    ) -> None:
        self._conn = conn
        self._spill_dir = spill_dir
        self._interval = interval
        self._last_sent_at = 0.0
        self._last_message: str | None = None
        self._held: ProgressEvent | None = None

    def progress(self, fraction: float, message: str) -> None:
        event = ProgressEvent(float(fraction), str(message))
        now = time.monotonic()
        if message != self._last_message or now - self._last_sent_at >= self._interval:
            self._held = None
            self._last_sent_at = now
            self._last_message = event.message
            send_object(self._conn, event, self._spill_dir)
        else:
            self._held = event

    def send(self, event: JobEvent) -> None:
        """Send a partial or terminal event, after any progress held back before it."""
        if self._held is not None:
            held, self._held = self._held, None
            send_object(self._conn, held, self._spill_dir)
        send_object(self._conn, event, self._spill_dir)


def _child_main(job: Job, conn: Connection, spill_dir: str) -> None:
    """Entry point of the child: run the job, send its events, exit."""
    _exit_with_parent()
    channel = ChildChannel(conn, spill_dir)
    try:
        outcome = call_job(
            job,
            progress=channel.progress,
            cancel=CancelToken(),  # cancel kills this process; the token is never set
            on_partial=lambda payload: channel.send(PartialEvent(payload)),
        )
    except BaseException as exc:  # SystemExit, KeyboardInterrupt: still report, then exit
        outcome = FailedEvent.from_exception(exc)
    try:
        channel.send(outcome)
    except Exception as exc:  # the result could not be pickled
        channel.send(_failure("the job's result could not be sent back", exc))
    conn.close()


def _exit_with_parent() -> None:
    """End this child when the parent dies, so a crashed GUI leaves no orphan computing."""
    parent = multiprocessing.parent_process()
    if parent is None:
        return

    def watch() -> None:
        parent.join()
        os._exit(1)

    threading.Thread(target=watch, name="watch parent", daemon=True).start()
