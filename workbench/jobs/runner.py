"""The three ways to run a Job; callers import them from here (or from workbench.jobs)."""

from __future__ import annotations

from workbench.jobs.handle import JobHandle
from workbench.jobs.process_runner import ProcessJobHandle, run_in_process
from workbench.jobs.thread_runner import ThreadJobHandle, run_in_thread, run_inline

__all__ = [
    "JobHandle",
    "ProcessJobHandle",
    "ThreadJobHandle",
    "run_in_process",
    "run_in_thread",
    "run_inline",
]
