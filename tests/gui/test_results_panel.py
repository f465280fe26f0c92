"""The Results panel driven like a user: select runs, switch plots and data, compare, compute
importance, save an image; and its place in the main window.

Jobs run in threads here (in_process=False): the same functions the app runs in a child
process, without the spawn cost per test.
"""

from __future__ import annotations

import xml.etree.ElementTree as ET
from pathlib import Path

import numpy as np
import pytest
from PySide6.QtCore import QItemSelectionModel, Qt, QTimer
from PySide6.QtGui import QImage
from PySide6.QtWidgets import QApplication, QFileDialog
from results_scenario import result_runs  # noqa: F401 - the fixture (tests/gui is on the path)
from sklearn.metrics import confusion_matrix

from workbench.core.explain.importance import importance_job
from workbench.core.runs.loaded import LoadedRun
from workbench.gui.panels.results_panel import (
    NO_PROJECT_TEXT,
    NO_SELECTION_TEXT,
    ResultsPanel,
)
from workbench.gui.plots.classification import ConfusionMatrixPlot, RocPlot
from workbench.gui.plots.compare import MetricsCompareTable
from workbench.gui.plots.importance import ImportancePlot
from workbench.gui.plots.threshold import ThresholdView
from workbench.gui.widgets.compute_page import ComputePage


@pytest.fixture()
def panel(qtbot) -> ResultsPanel:
    widget = ResultsPanel(in_process=False)
    qtbot.addWidget(widget)
    widget.resize(1150, 700)
    widget.show()
    return widget


def _show(qtbot, panel: ResultsPanel, root: Path, run_ids: list[str]) -> None:
    if panel.project_root != root:
        panel.set_project(root)
    panel.show_runs(run_ids)
    qtbot.waitUntil(lambda: not panel.loading, timeout=30_000)


def test_empty_states(qtbot, panel: ResultsPanel, result_runs) -> None:  # noqa: F811
    assert panel.message_text() == NO_PROJECT_TEXT
    titanic = result_runs["titanic"]
    panel.set_project(titanic.root)
    assert panel.message_text() == NO_SELECTION_TEXT
    _show(qtbot, panel, titanic.root, ["20990101-000000-000-dead"])
    assert "20990101-000000-000-dead" in panel.message_text()
    assert panel.entries() == [] and not panel.save_button.isEnabled()
    # A run that cannot be shown next to one that can: the good one shows, the other is named.
    good = titanic.runs["logistic_regression"]
    _show(qtbot, panel, titanic.root, [good, "20990101-000000-000-dead"])
    assert panel.entries()[0].key == "confusion"
    assert panel.note_label.isVisibleTo(panel)
    assert "20990101-000000-000-dead" in panel.note_label.text()
    panel.show_runs([])
    assert panel.message_text() == NO_SELECTION_TEXT


def test_switch_every_plot_and_the_data(qtbot, panel: ResultsPanel, result_runs) -> None:  # noqa: F811
    titanic = result_runs["titanic"]
    run_id = titanic.runs["logistic_regression"]
    _show(qtbot, panel, titanic.root, [run_id])
    assert "Logistic regression" in panel.title_label.text()
    for entry in panel.entries():
        page = panel.select_plot(entry.key)
        if entry.factory is None:
            assert panel.message_text() == entry.reason
            assert not panel.save_button.isEnabled()
        else:
            assert page is not panel.message and panel.save_button.isEnabled()
    with LoadedRun.open(titanic.root, run_id) as run:
        results = run.predictions
    matrix = panel.select_plot("confusion")
    assert isinstance(matrix, ConfusionMatrixPlot)
    assert (
        matrix.counts().tolist()
        == confusion_matrix(results.oof["y_true"], results.oof["y_pred"]).tolist()
    )
    panel.percent_box.setChecked(True)
    assert matrix.cell_texts()[0][0].endswith("%")
    assert panel.split_combo.isVisibleTo(panel)
    panel.set_split("test")
    matrix = panel.current_widget()
    assert isinstance(matrix, ConfusionMatrixPlot)  # the same plot, now of the test rows
    assert (
        matrix.counts().tolist()
        == confusion_matrix(results.test["y_true"], results.test["y_pred"]).tolist()
    )
    assert matrix.mode == "percent"
    view = panel.select_plot("threshold")
    assert isinstance(view, ThresholdView)
    view.set_threshold(0.4)
    said = results.proba_of(1, "test") >= 0.4
    truth = results.test["y_true"].to_numpy() == 1
    assert view.shown_counts()["tp"] == int((said & truth).sum())
    assert view.shown_counts()["fp"] == int((said & ~truth).sum())
    panel.select_plot("folds")
    assert panel.metric_combo.isVisibleTo(panel)
    assert panel.metric_combo.currentData() == "roc_auc"
    panel.set_metric("accuracy")
    assert "Accuracy" in panel.current_widget().plots[0].titleLabel.text


def test_not_applicable_plot_says_why(qtbot, panel: ResultsPanel, result_runs) -> None:  # noqa: F811
    penguins = result_runs["penguins"]
    _show(qtbot, panel, penguins.root, [penguins.runs["logistic_regression"]])
    panel.select_plot("threshold")
    assert "binary classification" in panel.message_text()
    assert not panel.compute()  # not a computed-on-request plot


def test_compare_two_runs(qtbot, panel: ResultsPanel, result_runs) -> None:  # noqa: F811
    titanic = result_runs["titanic"]
    ids = [titanic.runs["logistic_regression"], titanic.runs["decision_tree_classifier"]]
    _show(qtbot, panel, titanic.root, ids)
    assert "Comparing 2 runs" in panel.title_label.text()
    assert [e.key for e in panel.entries()] == [
        "compare_roc:1", "compare_pr:1", "compare_folds", "compare_metrics",
    ]  # fmt: skip
    roc = panel.select_plot("compare_roc:1")
    assert isinstance(roc, RocPlot)
    names = [panel.loaded(run_id).label for run_id in ids]
    assert [text.split(" (AUC")[0] for text in roc.legend_texts()] == names
    table = panel.select_plot("compare_metrics")
    assert isinstance(table, MetricsCompareTable)
    accuracy = [panel.loaded(run_id).scores("validation")["accuracy"] for run_id in ids]
    assert table.best["Validation · Accuracy"] == ids[int(np.argmax(accuracy))]


def test_importance_job_draws_bars(qtbot, panel: ResultsPanel, result_runs) -> None:  # noqa: F811
    penguins = result_runs["penguins"]
    run_id = penguins.runs["decision_tree_classifier"]
    _show(qtbot, panel, penguins.root, [run_id])
    panel.select_plot("permutation_importance")
    assert isinstance(panel.current_widget(), ComputePage)
    assert panel.compute()
    qtbot.waitUntil(lambda: not panel.task_running("analysis"), timeout=60_000)
    plot = panel.select_plot("permutation_importance")
    assert isinstance(plot, ImportancePlot)
    expected = importance_job(penguins.root, run_id)  # read back from the job's cache
    permutation = expected[expected["kind"] == "permutation"]
    bars = plot.bars()
    assert set(bars) == set(permutation["feature"])
    for row in permutation.itertuples():
        assert bars[row.feature] == pytest.approx(row.importance)
        assert plot.errors()[row.feature] == pytest.approx(row.std)
    builtin = panel.select_plot("builtin_importance")
    assert isinstance(builtin, ImportancePlot) and len(builtin.bars()) > 0
    # A linear model has no built-in importance: said in words, nothing to compute.
    linear = penguins.runs["logistic_regression"]
    importance_job(penguins.root, linear)
    _show(qtbot, panel, penguins.root, [linear])
    panel.select_plot("builtin_importance")
    assert panel.current_widget() is panel.message
    assert "has no built-in importance" in panel.message_text()
    assert not panel.compute()


def test_save_the_plot_on_screen(qtbot, panel: ResultsPanel, result_runs, tmp_path) -> None:  # noqa: F811
    insurance = result_runs["insurance"]
    _show(qtbot, panel, insurance.root, [insurance.runs["decision_tree_regressor"]])
    panel.select_plot("residual_histogram")
    png = panel.save_current(tmp_path / "residuals.png")
    assert QImage(str(png)).width() > 200
    svg = panel.save_current(tmp_path / "residuals.svg")
    assert ET.parse(svg).getroot().tag.endswith("svg")


def _answer_file_dialog(answer) -> dict[str, object]:
    """Answer the next modal file dialog with `answer(dialog)`, noting the folder and file it
    opened on (the static QFileDialog functions block until it closes)."""
    seen: dict[str, object] = {}
    timer = QTimer()

    def poll() -> None:
        dialog = QApplication.activeModalWidget()
        if isinstance(dialog, QFileDialog) and dialog.isVisible():
            timer.stop()
            seen["folder"] = Path(dialog.directory().absolutePath())
            seen["files"] = [Path(name) for name in dialog.selectedFiles()]
            answer(dialog)

    timer.timeout.connect(poll)
    timer.start(50)
    seen["timer"] = timer  # kept alive while the dialog runs
    return seen


def test_save_dialogs_open_in_the_project(qtbot, panel: ResultsPanel, result_runs) -> None:  # noqa: F811
    titanic = result_runs["titanic"]
    _show(qtbot, panel, titanic.root, [titanic.runs["logistic_regression"]])
    panel.select_plot("confusion")
    # The Save image button: the project folder, the plot's name; accepted, it saves there.
    seen = _answer_file_dialog(lambda dialog: dialog.accept())
    qtbot.mouseClick(panel.save_button, Qt.MouseButton.LeftButton)
    assert seen["folder"] == titanic.root.resolve()
    assert seen["files"] == [titanic.root.resolve() / "confusion-matrix.png"]
    saved = titanic.root / "confusion-matrix.png"
    assert QImage(str(saved)).width() > 200
    saved.unlink()
    # The plot's own menu (Save as SVG…) of the threshold view starts there too.
    panel.select_plot("threshold")
    view = panel.current_widget()
    assert isinstance(view, ThresholdView)
    seen = _answer_file_dialog(lambda dialog: dialog.reject())
    assert view.plot.ask_save("svg") is None
    assert seen["files"] == [titanic.root.resolve() / "threshold.svg"]


def test_main_window_shows_the_selected_runs(qtbot, window, result_runs) -> None:  # noqa: F811
    titanic = result_runs["titanic"]
    labels = [window.nav.item(row).text() for row in range(window.nav.count())]
    assert labels[-4:] == ["Experiments", "Results", "Export", "Monitor"]
    assert window.open_project(titanic.root)
    experiments = window.experiments_panel
    qtbot.waitUntil(lambda: not experiments.loading, timeout=30_000)  # the log, in a thread
    run_id = titanic.runs["logistic_regression"]
    selection = experiments.table.selectionModel()
    source = experiments.model.index(experiments.model.row_of(run_id), 0)
    selection.select(
        experiments.proxy.mapFromSource(source),
        QItemSelectionModel.SelectionFlag.ClearAndSelect | QItemSelectionModel.SelectionFlag.Rows,
    )
    assert window.results_panel.run_ids() == [run_id]
    qtbot.waitUntil(lambda: not window.export_panel.loading, timeout=30_000)
    assert window.export_panel.current_run() == run_id
    # Nothing is read until the panel is on screen.
    assert not window.results_panel.loading and window.results_panel.loaded(run_id) is None


def test_a_run_the_runner_saved_is_read_without_the_loading_process(
    qtbot, panel: ResultsPanel, request: pytest.FixtureRequest, tmp_path: Path
) -> None:
    import shutil

    from workbench.core.runs.log import RUNS_DIR
    from workbench.core.runs.plot_numbers import PLOT_DATA_FILE

    titanic = request.getfixturevalue("result_runs")["titanic"]
    root = tmp_path / "titanic"
    shutil.copytree(titanic.root, root)
    saved = titanic.runs["logistic_regression"]
    computed: list[bool] = []  # the loading task that computes numbers in a child process
    panel.task("results").running_changed.connect(computed.append)
    panel.set_project(root)
    panel.show_runs([saved])
    # Read in a thread (it opens the experiment log, which the GUI thread never does).
    assert panel.task_running("saved") and panel.loading
    qtbot.waitUntil(lambda: not panel.loading, timeout=30_000)
    assert computed == []
    assert panel.loaded(saved) is not None and panel.entries()[0].key == "confusion"
    # A run without its saved numbers (trained by an older version) goes through the job.
    unsaved = titanic.runs["decision_tree_classifier"]
    (root / RUNS_DIR / unsaved / PLOT_DATA_FILE).unlink()
    panel.show_runs([unsaved])
    assert panel.loading
    qtbot.waitUntil(lambda: not panel.loading, timeout=30_000)
    assert computed == [True, False]
    assert panel.loaded(unsaved) is not None
    assert (root / RUNS_DIR / unsaved / PLOT_DATA_FILE).is_file()  # saved for next time
