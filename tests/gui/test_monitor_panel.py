"""The Monitor panel on a real penguins run: the empty states, a batch picked through the import
dialog and checked in a job, the verdict, the columns sorted by drift with their sparklines, a
column's two distributions, the prediction drift and the kept batches listed by date."""

from __future__ import annotations

import shutil
from pathlib import Path

import pandas as pd
import pytest
from _serve_runs import copied_run
from PySide6.QtCore import QPointF

from workbench.core.monitor.history import list_checks
from workbench.core.runs.log import LOG_FILE, ExperimentLog
from workbench.gui.panels.monitor_panel import NO_CHECKS_TEXT, NO_RUNS_TEXT, MonitorPanel
from workbench.gui.plots.drift import SHARES_ROLE

pytestmark = pytest.mark.shared_data


@pytest.fixture()
def root(shared_data: Path, tmp_path_factory: pytest.TempPathFactory, tmp_path: Path) -> Path:
    copy = copied_run("penguins", shared_data, tmp_path_factory, tmp_path / "penguins")
    shutil.rmtree(copy / "monitor", ignore_errors=True)  # checks another test kept
    return copy


@pytest.fixture()
def panel(qtbot) -> MonitorPanel:
    # Thread jobs: the same code as the window's child process, without a spawn per test.
    widget = MonitorPanel(in_process=False)
    qtbot.addWidget(widget)
    widget.resize(1200, 800)
    widget.show()
    return widget


def _run_id(root: Path) -> str:
    with ExperimentLog(root / LOG_FILE) as log:
        (record,) = log.runs(status="finished")
    return record.run_id


def _open(qtbot, panel: MonitorPanel, root: Path) -> None:
    panel.set_project(root)
    qtbot.waitUntil(lambda: not panel.task_running(), timeout=30_000)


def test_empty_states_say_what_to_do(
    qtbot, panel: MonitorPanel, root: Path, tmp_path: Path
) -> None:
    empty = tmp_path / "empty"
    empty.mkdir()
    _open(qtbot, panel, empty)
    assert panel.empty.isVisible() and panel.empty.text() == NO_RUNS_TEXT
    assert not panel.check_button.isEnabled()
    _open(qtbot, panel, root)
    assert panel.run_combo.currentData() == _run_id(root)
    assert panel.empty.isVisible() and panel.empty.text() == NO_CHECKS_TEXT
    assert panel.check_button.isEnabled()


def test_a_checked_batch_shows_its_verdict_columns_and_distributions(
    qtbot, panel: MonitorPanel, root: Path, shared_data: Path, tmp_path: Path
) -> None:
    frame = pd.read_csv(shared_data / "clean" / "penguins.csv")
    frame["body_mass_g"] = frame["body_mass_g"] + 1500.0
    batch = tmp_path / "heavier.csv"
    frame.to_csv(batch, index=False)
    _open(qtbot, panel, root)

    panel.choose_batch()  # the import dialog picks the file, with its detection and preview
    dialog = panel.batch_dialog
    assert dialog is not None and dialog.import_button.text() == "&Check"
    assert not dialog.target_combo.isVisible()
    dialog.set_path(batch)
    qtbot.waitUntil(dialog.can_import, timeout=30_000)
    with qtbot.waitSignal(panel.checked, timeout=120_000) as signal:
        dialog.accept()
    check = signal.args[0]

    assert check.report.rows == 344 and check.report.drifted_columns == ["body_mass_g"]
    assert [c.path for c in list_checks(root, _run_id(root))] == [check.path]
    assert panel.stack.currentIndex() == 1 and panel.history_list.count() == 1
    assert "heavier.csv" in panel.history_list.item(0).text()
    assert "drifted: body_mass_g" in panel.history_list.item(0).text()
    state = panel.verdict_labels["column drift"].text()
    assert "failed" in state and "body_mass_g" in state
    assert "failed" in panel.verdict_labels["prediction drift"].text()  # heavier: more Gentoo
    # Columns most drifted first, then the model's outputs; each with its sparkline's shares.
    names = [panel.table.item(row, 0).text() for row in range(panel.table.rowCount())]
    assert names[0] == "body_mass_g"
    assert "prediction (model output)" in names
    reference, shares = panel.table.item(0, 1).data(SHARES_ROLE)
    drift = check.report.columns[[c.name for c in check.report.columns].index("body_mass_g")]
    assert reference == list(drift.reference_shares) and shares == list(drift.batch_shares)
    # The selected column's two distributions, overlaid, bins on the axis.
    assert panel.shares_plot.bins() == list(drift.bins)
    assert panel.shares_plot.plotItem.getAxis("bottom").labelText == "% of rows"
    assert "reference" in panel.shares_plot.hover_text(0.0)
    # The mouse over the first bin's row shows the same text as the plot's tooltip.
    plot = panel.shares_plot
    plot.resize(500, 400)
    scene_point = plot.plotItem.getViewBox().mapViewToScene(QPointF(1.0, 0.0))
    plot.scene().sigMouseMoved.emit(scene_point)
    assert plot.toolTip() == plot.hover_text(0.0)
    assert plot.toolTip().startswith(f"{drift.bins[0]}: reference ")


def test_kept_batches_are_listed_by_date_with_their_trend(
    qtbot, panel: MonitorPanel, root: Path, shared_data: Path
) -> None:
    from workbench.core.export.batch_check import check_file

    run_id = _run_id(root)
    source = shared_data / "clean" / "penguins.csv"
    first = check_file(root, run_id, source)
    second = check_file(root, run_id, source)
    _open(qtbot, panel, root)
    assert panel.history_list.count() == 2
    assert panel.current_check() is not None and panel.current_check().path == second.path
    panel.history_list.setCurrentRow(0)
    assert panel.current_check().path == first.path
    assert len(panel.trend_plot.hover_text(1.0)) > 0
