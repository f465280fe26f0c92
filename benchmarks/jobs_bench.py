"""The job runner against plain multiprocessing, same run: start-up, cancel, big results.

1. Start: from asking for a process job to its first progress event, vs a plain
   multiprocessing "spawn" Process sending one message through a Queue.
2. Cancel: a job that holds the GIL in pandas (sorting an object column over and over) is
   cancelled; time until the cancelled event and until the process is gone. The plain baseline
   is a thread, which cannot be stopped: it runs to the end.
3. Result: a 1,000,000 x 20 DataFrame returned from the child, vs a plain Queue.
Run: `.venv/bin/python benchmarks/jobs_bench.py`.
"""

from __future__ import annotations

import multiprocessing as mp
import os
import statistics
import threading
import time

import numpy as np
import pandas as pd

from workbench.jobs.events import CancelledEvent, DoneEvent, ProgressEvent
from workbench.jobs.job import Job
from workbench.jobs.process_runner import run_in_process

REPEATS = 3


def first_progress(progress) -> str:
    progress(0.0, "started")
    return "ok"


def plain_first_message(queue) -> None:
    queue.put("started")


def hold_the_gil(seconds: float, progress=None) -> int:
    """Sort an object column again and again: pandas holds the GIL throughout."""
    values = pd.Series(np.arange(300_000).astype(str), dtype=object)
    deadline = time.monotonic() + seconds
    rounds = 0
    while time.monotonic() < deadline:
        values.sort_values()
        rounds += 1
        if progress is not None:
            progress(0.5, f"round {rounds}")
    return rounds


def big_frame() -> pd.DataFrame:
    rng = np.random.default_rng(0)
    data = {f"f{i}": rng.random(1_000_000) for i in range(18)}
    data["i"] = rng.integers(0, 1000, 1_000_000)
    data["s"] = pd.Series(rng.integers(0, 50, 1_000_000)).astype(str).radd("cat_")
    return pd.DataFrame(data)


def plain_big_frame(queue) -> None:
    queue.put(big_frame())


def wait_for(handle, kind: type, timeout: float = 120.0):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        for event in handle.poll():
            if isinstance(event, kind):
                return event
        time.sleep(0.001)
    raise TimeoutError(kind.__name__)


def start_latency() -> tuple[float, float]:
    started = time.perf_counter()
    handle = run_in_process(Job(first_progress))
    wait_for(handle, ProgressEvent)
    ours = time.perf_counter() - started
    handle.wait(30)
    context = mp.get_context("spawn")
    queue = context.Queue()
    started = time.perf_counter()
    process = context.Process(target=plain_first_message, args=(queue,))
    process.start()
    queue.get(timeout=30)
    plain = time.perf_counter() - started
    process.join()
    return ours, plain


def cancel_latency() -> tuple[float, float, float]:
    handle = run_in_process(Job(hold_the_gil, (30.0,)))
    wait_for(handle, ProgressEvent)
    pid = handle.pid
    started = time.perf_counter()
    handle.cancel()
    wait_for(handle, CancelledEvent)
    to_event = time.perf_counter() - started
    while _alive(pid):
        time.sleep(0.001)
    to_gone = time.perf_counter() - started
    worker = threading.Thread(target=hold_the_gil, args=(1.0,))
    started = time.perf_counter()
    worker.start()
    worker.join()  # nothing can stop it earlier: this is what a thread-based tool does
    thread_runs = time.perf_counter() - started
    return to_event, to_gone, thread_runs


def _alive(pid: int | None) -> bool:
    if pid is None:
        return False
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    # A zombie still answers kill(0); its state says it is gone.
    try:
        with open(f"/proc/{pid}/stat") as stat:
            return stat.read().split()[2] != "Z"
    except FileNotFoundError:
        return False


def result_transfer() -> tuple[float, float]:
    started = time.perf_counter()
    event = run_in_process(Job(big_frame)).wait(120)
    assert isinstance(event, DoneEvent) and event.result.shape == (1_000_000, 20)
    ours = time.perf_counter() - started
    context = mp.get_context("spawn")
    queue = context.Queue()
    started = time.perf_counter()
    process = context.Process(target=plain_big_frame, args=(queue,))
    process.start()
    frame = queue.get(timeout=120)
    plain = time.perf_counter() - started
    process.join()
    assert frame.shape == (1_000_000, 20)
    return ours, plain


def main() -> None:
    starts = [start_latency() for _ in range(REPEATS)]
    cancels = [cancel_latency() for _ in range(REPEATS)]
    results = [result_transfer() for _ in range(REPEATS)]
    median = statistics.median
    print(f"median of {REPEATS}, seconds")
    print(f"{'measure':<52} {'workbench':>10} {'plain':>8}")
    print(
        f"{'start: ask -> first event (spawn)':<52} "
        f"{median(s[0] for s in starts):>10.3f} {median(s[1] for s in starts):>8.3f}"
    )
    print(
        f"{'cancel GIL-holding work -> cancelled event':<52} "
        f"{median(c[0] for c in cancels):>10.3f} {'never':>8}"
    )
    print(
        f"{'cancel GIL-holding work -> process gone':<52} "
        f"{median(c[1] for c in cancels):>10.3f} {'never':>8}"
    )
    print(
        f"{'same work in a thread (1 s of it): runs to the end':<52} "
        f"{'-':>10} {median(c[2] for c in cancels):>8.3f}"
    )
    print(
        f"{'1M x 20 DataFrame result: start -> in the parent':<52} "
        f"{median(r[0] for r in results):>10.3f} {median(r[1] for r in results):>8.3f}"
    )


if __name__ == "__main__":
    main()
