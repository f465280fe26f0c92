"""Count the Python function calls a piece of work makes: a deterministic test of "no per-row
Python work" that does not depend on how fast or busy the machine is (timings live in
benchmarks/)."""

from __future__ import annotations

import sys
from collections.abc import Callable
from typing import Any, TypeVar

T = TypeVar("T")


def count_python_calls(work: Callable[[], T]) -> tuple[T, int]:
    """Run `work` in this thread and return its result and how many Python-level function calls
    it made (C functions not counted): a loop over a million rows in Python makes a million."""
    calls = 0

    def profiler(_frame: Any, event: str, _arg: Any) -> None:
        nonlocal calls
        if event == "call":
            calls += 1

    previous = sys.getprofile()
    sys.setprofile(profiler)
    try:
        result = work()
    finally:
        sys.setprofile(previous)
    return result, calls
