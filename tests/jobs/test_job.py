"""The Job contract: validation, keyword filtering and how exceptions become events."""

from __future__ import annotations

import pickle

import pytest

from jobs import job_fixtures as fx
from workbench.core.errors import DataReadError
from workbench.jobs.events import (
    CancelledEvent,
    DoneEvent,
    FailedEvent,
    PartialEvent,
    ProgressEvent,
    is_terminal,
)
from workbench.jobs.job import Job, accepted_hooks


def test_events_are_picklable_values() -> None:
    events = [
        ProgressEvent(0.5, "half"),
        PartialEvent({"column": "age"}),
        DoneEvent([1, 2]),
        FailedEvent("m", "ValueError", "tb"),
        CancelledEvent(),
    ]
    assert [pickle.loads(pickle.dumps(event)) for event in events] == events
    assert [is_terminal(event) for event in events] == [False, False, True, True, True]


def test_failed_event_from_plain_exception_names_the_type_on_one_line() -> None:
    try:
        fx.fail_plain(42)
    except ValueError as exc:
        event = FailedEvent.from_exception(exc)
    assert event.message == "ValueError: bad value 42 second line of detail"
    assert event.error_type == "ValueError"
    assert event.details.startswith("Traceback (most recent call last)")
    assert "in fail_plain" in event.details


def test_failed_event_from_workbench_error_keeps_its_message() -> None:
    event = FailedEvent.from_exception(DataReadError("penguins.csv: not a table file"))
    assert event.message == "penguins.csv: not a table file"
    assert event.error_type == "DataReadError"


def test_failed_event_from_exception_without_message_uses_the_type() -> None:
    assert FailedEvent.from_exception(KeyError()).message == "KeyError"


def test_job_rejects_keywords_the_runner_passes() -> None:
    with pytest.raises(ValueError, match="cancel, progress"):
        Job(fx.echo, kwargs={"progress": None, "cancel": None})
    with pytest.raises(TypeError, match="callable"):
        Job("fx.echo")  # type: ignore[arg-type]


def test_accepted_hooks_follow_the_signature() -> None:
    assert accepted_hooks(fx.only_progress) == {"progress"}
    assert accepted_hooks(fx.progress_and_cancel) == {"progress", "cancel"}
    assert accepted_hooks(fx.two_steps) == {"progress", "on_partial"}
    assert accepted_hooks(fx.takes_any_keywords) == {"progress", "cancel", "on_partial"}
    assert accepted_hooks(fx.no_hooks) == frozenset()
    assert accepted_hooks(len) == frozenset()  # a builtin: signature known, no hooks


def test_job_pickles_by_reference_to_its_function() -> None:
    job = Job(fx.no_hooks, (1,), {"b": 5}, name="Adding")
    restored = pickle.loads(pickle.dumps(job))
    assert restored.fn is fx.no_hooks
    assert (restored.args, dict(restored.kwargs), restored.name) == ((1,), {"b": 5}, "Adding")
