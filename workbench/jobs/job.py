"""The Job contract: which function to run, with what, and how the runner calls it.

Core functions take `progress`, `cancel` and (for partial results) `on_partial` keywords; a job
names a function and its arguments, and every runner calls it through `call_job` so threads,
child processes and inline runs behave the same.
"""

from __future__ import annotations

import inspect
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from workbench.core.progress import Cancelled, CancelToken, ProgressFn
from workbench.jobs.events import CancelledEvent, DoneEvent, FailedEvent, TerminalEvent

PartialFn = Callable[[Any], None]

# The keywords a runner passes, when the function accepts them.
HOOK_NAMES = ("progress", "cancel", "on_partial")


@dataclass(frozen=True)
class Job:
    """A unit of long work.

    For process jobs `fn` must be a module-level function and `args`/`kwargs` picklable: the
    child process imports `fn` by name. Big inputs are better passed as a file path than as a
    DataFrame, since arguments are pickled into the child before it starts.
    """

    fn: Callable[..., Any]
    args: tuple = ()
    kwargs: Mapping[str, Any] = field(default_factory=dict)
    name: str = ""  # shown in the status bar: "Importing penguins.csv"

    def __post_init__(self) -> None:
        if not callable(self.fn):
            raise TypeError(f"Job.fn must be callable, got {type(self.fn).__name__}")
        reserved = sorted(set(self.kwargs) & set(HOOK_NAMES))
        if reserved:
            # The runner owns these; letting a caller pass them too would be ambiguous.
            raise ValueError(
                f"Job.kwargs may not contain {', '.join(reserved)}: the runner passes it"
            )


def accepted_hooks(fn: Callable[..., Any]) -> frozenset[str]:
    """Which of progress / cancel / on_partial `fn` can take as keywords.

    Passing only those keeps core functions free of unused parameters (a fast function need not
    accept `cancel`); a `**kwargs` function takes all three.
    """
    try:
        parameters = inspect.signature(fn).parameters.values()
    except (TypeError, ValueError):  # some builtins have no signature: pass nothing
        return frozenset()
    if any(p.kind is inspect.Parameter.VAR_KEYWORD for p in parameters):
        return frozenset(HOOK_NAMES)
    keyword_kinds = (inspect.Parameter.POSITIONAL_OR_KEYWORD, inspect.Parameter.KEYWORD_ONLY)
    return frozenset(p.name for p in parameters if p.name in HOOK_NAMES and p.kind in keyword_kinds)


def call_job(
    job: Job, *, progress: ProgressFn, cancel: CancelToken, on_partial: PartialFn
) -> TerminalEvent:
    """Run `job.fn` and turn how it ended into an event; never raises an `Exception`.

    `Cancelled` raised by cooperative work becomes a `CancelledEvent`; any other exception a
    `FailedEvent`. BaseExceptions (KeyboardInterrupt) still propagate: they are the caller's.
    """
    hooks = {"progress": progress, "cancel": cancel, "on_partial": on_partial}
    accepted = accepted_hooks(job.fn)
    chosen = {name: hook for name, hook in hooks.items() if name in accepted}
    try:
        result = job.fn(*job.args, **job.kwargs, **chosen)
    except Cancelled:
        return CancelledEvent()
    except Exception as exc:
        return FailedEvent.from_exception(exc)
    return DoneEvent(result)
