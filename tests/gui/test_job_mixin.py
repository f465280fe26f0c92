"""JobsMixin and JobCenter: tasks declared once by name, the stale job of a task dropped, and
every task under a window followed by its center (status, Cancel, failures)."""

from __future__ import annotations

from typing import Any

import pytest
from jobs import job_fixtures as fx
from jobs.helpers import LIVENESS
from PySide6.QtWidgets import QProgressBar, QWidget

from workbench.gui.job_bridge import JobBridge
from workbench.gui.job_center import JobCenter
from workbench.gui.job_mixin import JobsMixin
from workbench.jobs.job import Job

TIMEOUT_MS = int(LIVENESS * 1000)


class Panel(QWidget, JobsMixin):
    """A panel with one task of each kind of handling, recording what reaches it."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.bar = QProgressBar()
        self.bar.setRange(0, 1000)
        self.seen: list[tuple[str, Any]] = []
        self.add_task(
            "work",
            lambda result: self.seen.append(("done", result)),
            partial=lambda payload: self.seen.append(("partial", payload)),
            failed=lambda message: self.seen.append(("failed", message)),
            cancelled=lambda: self.seen.append(("cancelled", None)),
            running=lambda running: self.seen.append(("running", running)),
            progress_bar=self.bar,
            in_process=False,
        )
        self.add_task("other", lambda result: self.seen.append(("other", result)))

    def named(self, name: str) -> list[Any]:
        return [value for called, value in self.seen if called == name]


@pytest.fixture()
def panel(qtbot) -> Panel:
    widget = Panel()
    qtbot.addWidget(widget)
    yield widget
    widget.cancel_tasks()


def test_a_task_delivers_partials_progress_and_its_result(qtbot, panel: Panel) -> None:
    panel.start_task("work", Job(fx.two_steps, (10,), name="Two steps"))
    assert panel.task_running("work") and panel.task_running()
    assert not panel.task_running("other")
    qtbot.waitUntil(lambda: bool(panel.named("done")), timeout=TIMEOUT_MS)
    assert panel.seen == [
        ("running", True),
        ("partial", 11),
        ("partial", 12),
        ("running", False),
        ("done", {"sum": 23}),
    ]
    # The bar shows the latest progress: three quarters, and what the job was doing.
    assert panel.bar.value() == 750
    assert panel.bar.format() == "75% — second step"
    assert not panel.task_running()


def test_starting_a_task_again_drops_the_stale_job(qtbot, panel: Panel) -> None:
    panel.start_task("work", Job(fx.wait_then_echo, (0.5, "stale")))
    panel.start_task("work", Job(fx.echo, ("newest",)))
    qtbot.waitUntil(lambda: bool(panel.named("done")), timeout=TIMEOUT_MS)
    qtbot.wait(900)  # the stale job has ended by now: its result had every chance to arrive
    assert panel.named("done") == ["newest"]
    assert panel.named("cancelled") == []  # replaced, not cancelled by the user


def test_a_failure_and_a_cancel_reach_their_handlers(qtbot, panel: Panel) -> None:
    panel.start_task("work", Job(fx.fail_workbench, ("penguins.csv",)))
    qtbot.waitUntil(lambda: bool(panel.named("failed")), timeout=TIMEOUT_MS)
    assert panel.named("failed") == ["penguins.csv: not a table file (no delimiter found)"]

    panel.start_task("work", Job(fx.wait_for_cancel, name="Waiting"))
    qtbot.waitUntil(lambda: panel.named("partial") == ["started"], timeout=TIMEOUT_MS)
    panel.cancel_task("work")
    assert panel.named("cancelled") == [None] and not panel.task_running("work")


def test_tasks_are_the_objects_children_by_name(panel: Panel) -> None:
    assert sorted(bridge.objectName() for bridge in panel.tasks()) == ["other", "work"]
    assert isinstance(panel.task("work"), JobBridge) and panel.task("work").parent() is panel
    with pytest.raises(ValueError, match="already has a task named 'work'"):
        panel.add_task("work", print)
    with pytest.raises(KeyError, match="no task named 'missing'"):
        panel.task("missing")


def test_the_center_follows_every_task_under_its_window(qtbot) -> None:
    window = QWidget()
    qtbot.addWidget(window)
    center = JobCenter(window)
    first, second = Panel(window), Panel(QWidget(window))  # the second one level deeper
    alone = Panel()  # outside any window
    qtbot.addWidget(alone)
    assert JobCenter.of(first) is center and JobCenter.of(second.task("work")) is center
    assert JobCenter.of(alone) is None
    failures: list[tuple[str, str]] = []
    center.failed.connect(lambda message, details: failures.append((message, details)))
    assert center.watched == [] and center.current is None

    first.start_task("work", Job(fx.wait_for_cancel, name="First"))
    second.start_task("work", Job(fx.wait_for_cancel, name="Second"))
    alone.start_task("work", Job(fx.wait_for_cancel, name="Alone"))
    assert center.watched == [first.task("work"), second.task("work")]
    assert center.current is second.task("work")  # the newest running job
    first.start_task("work", Job(fx.wait_for_cancel, name="First again"))
    assert center.current is first.task("work")  # a task started again is the newest
    second.start_task("work", Job(fx.wait_for_cancel, name="Second again"))
    center.cancel_current()
    assert second.named("cancelled") == [None] and center.current is first.task("work")
    center.cancel_current()
    assert first.named("cancelled") == [None] and center.current is None
    assert alone.task_running("work")  # another window's Cancel never reaches it
    alone.cancel_tasks()

    first.start_task("work", Job(fx.fail_workbench, ("bank.csv",), name="Reading bank.csv"))
    qtbot.waitUntil(lambda: bool(failures), timeout=TIMEOUT_MS)
    ((message, details),) = failures
    assert message == "Reading bank.csv failed: bank.csv: not a table file (no delimiter found)"
    assert "in fail_workbench" in details  # the traceback, behind the notification's Details
