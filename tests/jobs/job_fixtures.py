"""Module-level job functions for the runner tests: picklable, so child processes can import them.

pandas is imported inside the functions that need it: a child that does not use it starts in
~0.1 s instead of ~0.5 s.
"""

from __future__ import annotations

import os
import time
from collections.abc import Callable
from typing import Any

from workbench.core.errors import DataReadError
from workbench.core.progress import Cancelled, CancelToken, ProgressFn


def two_steps(
    start: int, *, progress: ProgressFn, on_partial: Callable[[Any], None]
) -> dict[str, int]:
    """Progress, a partial result, progress, another partial, then the result."""
    progress(0.25, "first step")
    on_partial(start + 1)
    progress(0.75, "second step")
    on_partial(start + 2)
    return {"sum": 2 * start + 3}


def chatty(n: int, *, progress: ProgressFn, on_partial: Callable[[Any], None]) -> int:
    """Reports progress `n` times under one message, then once more under another."""
    for i in range(n):
        progress(i / n, "counting")
    on_partial("counted")
    progress(1.0, "finished")
    return n


def fail_plain(value: int) -> None:
    raise ValueError(f"bad value {value}\nsecond line of detail")


def fail_workbench(path: str) -> None:
    raise DataReadError(f"{path}: not a table file (no delimiter found)")


def raise_cancelled() -> None:
    """Cooperative work that noticed a cancel on its own token."""
    raise Cancelled("cancelled by the user")


def report_pid_then_spin(on_partial: Callable[[Any], None]) -> None:
    """A non-cooperative pure-Python loop: holds the GIL and never checks for cancel."""
    on_partial(os.getpid())
    x = 0
    while True:
        x += 1


def report_pid_then_sort(rows: int, on_partial: Callable[[Any], None]) -> None:
    """GIL-holding pandas work that never checks for cancel: sort a big frame forever."""
    frame = _big_frame(rows)
    on_partial(os.getpid())
    while True:
        frame = _shuffle_and_sort(frame)


def sort_for(seconds: float, rows: int, *, progress: ProgressFn) -> int:
    """Sort a big frame again and again for `seconds`; returns how many sorts ran."""
    frame = _big_frame(rows)
    sorts = 0
    start = time.monotonic()
    while time.monotonic() - start < seconds:
        frame = _shuffle_and_sort(frame)
        sorts += 1
        progress(min((time.monotonic() - start) / seconds, 1.0), f"sorted {sorts} times")
    return sorts


def wait_for_cancel(*, cancel: CancelToken, on_partial: Callable[[Any], None]) -> None:
    """Cooperative work: checks its token between short units until cancelled."""
    on_partial("started")
    while True:
        cancel.raise_if_cancelled()
        time.sleep(0.005)


def finish_despite_cancel(*, cancel: CancelToken, on_partial: Callable[[Any], None]) -> str:
    """Notices the cancel but returns a value anyway (the runner must still report cancel)."""
    on_partial("started")
    while not cancel.cancelled:
        time.sleep(0.005)
    return "finished anyway"


def partials_forever(tag: str, *, on_partial: Callable[[Any], None]) -> None:
    """Sends (tag, pid) every 10 ms until killed."""
    while True:
        on_partial((tag, os.getpid()))
        time.sleep(0.01)


def echo(value: Any) -> Any:
    return value


def wait_then_echo(seconds: float, value: Any) -> Any:
    time.sleep(seconds)
    return value


def exit_abruptly(code: int) -> None:
    """Leave without a result, like a crash in native code."""
    os._exit(code)


def unpicklable_result() -> Callable[[], None]:
    return lambda: None


def make_frame(rows: int) -> Any:
    """A frame with every dtype family the workbench meets, including missing values."""
    import numpy as np
    import pandas as pd

    rng = np.random.default_rng(7)
    frame = pd.DataFrame(
        {
            "x": rng.normal(size=rows),
            "n": rng.integers(-1000, 1000, size=rows),
            "flag": rng.random(rows) < 0.3,
            "label": pd.Series(rng.choice(["Adelie", "Gentoo", "Chinstrap"], size=rows)),
            "species": pd.Categorical(rng.choice(["a", "b"], size=rows)),
            "when": pd.date_range("2024-01-01", periods=rows, freq="min"),
            "maybe": pd.array(rng.integers(0, 5, size=rows), dtype="Int64"),
        }
    )
    frame.loc[::7, "x"] = np.nan
    frame.loc[::11, "maybe"] = pd.NA
    frame.loc[::13, "label"] = None
    return frame


def only_progress(*, progress: ProgressFn) -> str:
    progress(0.5, "halfway")
    return "only progress"


def progress_and_cancel(a: int, progress: ProgressFn, cancel: CancelToken) -> tuple[int, str, str]:
    return a, type(progress).__name__, type(cancel).__name__


def takes_any_keywords(a: int, **kwargs: Any) -> tuple[int, list[str]]:
    return a, sorted(kwargs)


def no_hooks(a: int, b: int = 2) -> int:
    return a + b


def _big_frame(rows: int) -> Any:
    """Text in an object column, as messy files give: sorting it compares Python objects.

    pandas 3's own string dtype sorts in Arrow without the GIL (a 2M-row sort left a thread's
    neighbour ticking every 18 ms); an object column holds the GIL for the whole argsort
    (500k rows: ~0.6 s), which is the freeze this mechanism exists to avoid.
    """
    import numpy as np
    import pandas as pd

    rng = np.random.default_rng(0)
    labels = pd.Series(rng.integers(0, 1000, size=rows)).astype(str).astype(object)
    return pd.DataFrame({"label": labels, "value": rng.random(rows)})


def _shuffle_and_sort(frame: Any) -> Any:
    # Re-order by the float column first so every text sort starts from unsorted data.
    return frame.sort_values("value", ignore_index=True).sort_values("label", ignore_index=True)


def exit_with_system_exit() -> None:
    raise SystemExit(3)


def partials_until_cancelled(*, cancel: CancelToken, on_partial: Callable[[Any], None]) -> None:
    """Sends a partial result every 5 ms, checking its token between them."""
    count = 0
    while True:
        cancel.raise_if_cancelled()
        count += 1
        on_partial(count)
        time.sleep(0.005)
