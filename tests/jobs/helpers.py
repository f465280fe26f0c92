"""Small waiting helpers shared by the job and bridge tests."""

from __future__ import annotations

import os
import time
from collections.abc import Callable

from workbench.jobs.events import JobEvent, PartialEvent, is_terminal
from workbench.jobs.handle import JobHandle

# How long a test waits for what should happen at once (a killed process to vanish, a thread to
# notice its cancel) before calling it a hang. Generous on purpose: the suite runs on a busy
# 2-core machine, and how fast these things happen is measured in benchmarks/, not asserted.
LIVENESS = 30.0


def wait_until(condition: Callable[[], bool], timeout: float, interval: float = 0.01) -> bool:
    """Poll `condition` until it holds or `timeout` passes; returns its last value."""
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            return condition()
        time.sleep(interval)
    return True


def first_partial(handle: JobHandle, timeout: float) -> object:
    """Poll until the job sends its first partial result and return its payload."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        for event in handle.poll():
            if isinstance(event, PartialEvent):
                return event.payload
            assert not is_terminal(event), f"job ended before its first partial: {event}"
        time.sleep(0.01)
    raise AssertionError(f"no partial result within {timeout} s")


def all_events(handle: JobHandle, timeout: float) -> list[JobEvent]:
    """Wait for the end, then everything still queued, as one poll (deterministic coalescing)."""
    assert handle.wait(timeout) is not None, f"job did not end within {timeout} s"
    return handle.poll()


def pid_exists(pid: int) -> bool:
    """True while `pid` is running or an unreaped zombie of ours (POSIX)."""
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    return True


def pid_running(pid: int) -> bool:
    """True while `pid` runs; a zombie (dead, not yet reaped by init) counts as gone (Linux)."""
    try:
        with open(f"/proc/{pid}/stat") as stat:
            state = stat.read().rsplit(")", 1)[1].split()[0]
    except FileNotFoundError:
        return False
    return state != "Z"
