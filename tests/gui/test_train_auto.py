"""The Train panel's "Find the best model": the auto search in a real training child process,
its runs filling the leaderboard as they finish, the summary naming the winner, Cancel keeping
the finished runs and closing the search's own run; the Experiments table's grouping."""

from __future__ import annotations

from pathlib import Path

import pytest
from _projects import make_project
from PySide6.QtCore import Qt

from workbench.core.automl.budget import parse_budget
from workbench.core.errors import WorkbenchError
from workbench.core.project import Project, open_project
from workbench.core.runs.log import LOG_FILE, ExperimentLog
from workbench.gui.panels.train_panel import TrainPanel
from workbench.gui.widgets.runs_model import LEADING, RunsModel, RunsProxy

AUTO_TIMEOUT_MS = 120_000  # a cold child process, then the budget


@pytest.fixture()
def project(shared_data: Path, tmp_path: Path) -> Project:
    return open_project(
        make_project(tmp_path / "penguins", shared_data / "clean" / "penguins.csv", "species")
    )


@pytest.fixture()
def panel(qtbot, project: Project) -> TrainPanel:
    widget = TrainPanel()
    qtbot.addWidget(widget)
    widget.resize(1280, 860)
    widget.show()
    widget.set_context(project)
    yield widget
    widget.cancel_tasks()


def _quick(panel: TrainPanel, seconds: int) -> None:
    """3 folds on one core, and the budget: a search of seconds on penguins."""
    settings = panel.train_settings
    settings.folds_spin.setValue(3)
    settings.cores_spin.setValue(1)
    settings.auto_box.budget_spin.setValue(seconds)


def _logged(project: Project) -> list:
    with ExperimentLog(project.root / LOG_FILE) as log:
        return log.runs()


def test_the_budget_box_takes_what_train_auto_takes(panel: TrainPanel) -> None:
    spin = panel.train_settings.auto_box.budget_spin
    assert (spin.minimum(), spin.value(), spin.suffix()) == (5, 300, " s")
    assert parse_budget(f"{spin.minimum()}s") == 5.0  # the CLI's least budget
    with pytest.raises(WorkbenchError, match="too short; give at least 5s"):
        parse_budget("4s")
    spin.setValue(4)  # the box holds no budget the command would refuse
    assert panel.train_settings.auto_box.budget_seconds() == 5.0


def test_find_the_best_model_fills_the_leaderboard_and_names_the_winner(
    qtbot, panel: TrainPanel, project: Project
) -> None:
    _quick(panel, 10)
    settings = panel.train_settings
    seen: list[tuple[str, int]] = []
    panel.task("train").partial.connect(
        lambda event: seen.append((type(event).__name__, panel.leaderboard.rowCount()))
    )
    with qtbot.waitSignal(panel.runs_changed, timeout=AUTO_TIMEOUT_MS):
        qtbot.mouseClick(settings.auto_box.find_button, Qt.MouseButton.LeftButton)
        assert panel.task("train").running and not settings.auto_box.isEnabled()
    result = panel.last_auto
    assert result is not None and result.budget_seconds == 10.0
    kinds = [name for name, _ in seen]
    assert kinds[0] == "AutoStarted" and kinds.count("BudgetTick") >= 1
    # Live: the first run's result arrived while it was the only row.
    assert ("CandidateResult", 1) in seen
    rows = panel.leaderboard.rows()
    assert [row.run_id for row in rows] == [trial.run_id for trial in result.trials]
    assert rows[0].label == "Baseline (no model)"
    text = panel.status_label.text()
    assert text == "\n".join(result.summary_lines())
    assert result.winner is not None and f"Winner: {result.winner.label}" in text
    runs = _logged(project)
    parent = next(r for r in runs if r.run_id == result.parent_run_id)
    assert parent.status == "finished" and parent.name == "Auto search, 10 s budget"
    assert [r.run_id for r in runs if r.parent_run_id == parent.run_id] == [
        row.run_id for row in rows
    ]
    # The Experiments table: the search by its name, its runs marked under it.
    model = RunsModel()
    model.set_runs(runs)
    model_column = LEADING.index("Model")
    labels = [model.index(i, model_column).data() for i in range(model.rowCount())]
    assert labels[0] == "Auto search, 10 s budget"
    assert labels[1:] == [f"↳ {row.label}" for row in rows]
    # Sorted by start either way, the search's row heads its trials, which keep their order.
    proxy = RunsProxy()
    proxy.setSourceModel(model)
    started = LEADING.index("Started")
    for order in (Qt.SortOrder.DescendingOrder, Qt.SortOrder.AscendingOrder):
        proxy.sort(started, order)
        shown = [proxy.index(i, model_column).data() for i in range(proxy.rowCount())]
        assert shown == labels


def test_cancel_keeps_finished_runs_and_closes_the_search(
    qtbot, panel: TrainPanel, project: Project
) -> None:
    _quick(panel, 600)
    settings = panel.train_settings
    assert panel.find_best()
    qtbot.waitUntil(
        lambda: sum(row.status == "finished" for row in panel.leaderboard.rows()) >= 2,
        timeout=AUTO_TIMEOUT_MS,
    )
    with qtbot.waitSignal(panel.runs_changed, timeout=AUTO_TIMEOUT_MS):
        qtbot.mouseClick(settings.cancel_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: not panel.task("train").running, timeout=AUTO_TIMEOUT_MS)
    runs = {r.run_id: r for r in _logged(project)}
    (parent,) = [r for r in runs.values() if r.parent_run_id is None]
    assert parent.status == "cancelled"
    children = [r for r in runs.values() if r.parent_run_id == parent.run_id]
    finished = [row.run_id for row in panel.leaderboard.rows() if row.status == "finished"]
    assert len(finished) >= 2
    assert all(runs[run_id].status == "finished" for run_id in finished)
    assert all(r.status in ("finished", "cancelled") for r in children)
    assert settings.auto_box.isEnabled()
