"""The Experiments panel over a real experiment log: runs trained on penguins by the runner.

Inline tag and note edits are read back from ExperimentLog; compare, re-run, delete (with its
confirmation dialog answered), sort and filter act on the real table. The panel reads and writes
the log in thread jobs, so the tests wait for them as a user would wait for the table.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from PySide6.QtCore import QModelIndex, Qt, QTimer
from PySide6.QtWidgets import QAbstractItemView, QApplication, QLineEdit, QMessageBox

from workbench.core.dataset import import_table
from workbench.core.project import create_project
from workbench.core.runs.log import LOG_FILE, ExperimentLog
from workbench.core.specs import ModelSpec, SplitSpec, TrainSpec, TuneSpec
from workbench.core.train.runner import run_training
from workbench.gui.panels.experiments_panel import (
    LOADING_TEXT,
    NO_PROJECT_TEXT,
    NO_RUNS_TEXT,
    NOTE_WIDTH,
    RUN_MIN_CHARS,
    TAGS_MIN_WIDTH,
    ExperimentsPanel,
)
from workbench.gui.widgets.leaderboard import BEST_BACKGROUND
from workbench.gui.widgets.runs_model import RUN_ID_ROLE

SPEC = TrainSpec(
    models=(
        ModelSpec("decision_tree_classifier", {"max_depth": 3}),
        ModelSpec("logistic_regression"),
    ),
    split=SplitSpec(scheme="stratified_kfold", n_splits=3),
    tune=TuneSpec(metric="f1_macro"),
    seed=3,
)


@pytest.fixture(scope="module")
def trained(shared_data: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A penguins project with three finished runs (baseline, tree, logistic regression)."""
    root = tmp_path_factory.mktemp("experiments") / "penguins"
    project = create_project(root)
    project.attach_dataset(
        import_table(root, shared_data / "clean" / "penguins.csv", target="species")
    )
    project.save()
    results = run_training(root, SPEC)
    assert [result.status for result in results] == ["finished"] * 3
    return root


@pytest.fixture()
def root(trained: Path, tmp_path: Path) -> Path:
    """A private copy: tests edit and delete runs."""
    copy = tmp_path / "penguins"
    shutil.copytree(trained, copy)
    return copy


@pytest.fixture()
def panel(qtbot, root: Path) -> ExperimentsPanel:
    widget = ExperimentsPanel()
    qtbot.addWidget(widget)
    widget.resize(1280, 800)
    widget.show()
    widget.set_project(root)
    settle(qtbot, widget)
    return widget


def settle(qtbot, panel: ExperimentsPanel) -> None:
    """Wait until no read or write of the log is running."""
    qtbot.waitUntil(lambda: not panel.task_running(), timeout=30_000)


def _runs(root: Path) -> dict[str, object]:
    with ExperimentLog(root / LOG_FILE) as log:
        return {record.name: record for record in log.runs()}


def _shown_column(panel: ExperimentsPanel, column: int) -> list[str]:
    return [panel.proxy.index(row, column).data() for row in range(panel.proxy.rowCount())]


def test_empty_states(qtbot, tmp_path: Path) -> None:
    panel = ExperimentsPanel()
    qtbot.addWidget(panel)
    panel.set_project(None)
    assert panel.stack.currentWidget() is panel.no_project
    assert panel.no_project.text() == NO_PROJECT_TEXT
    create_project(tmp_path / "fresh")
    panel.set_project(tmp_path / "fresh")
    # The log is read in a thread: meanwhile the panel says so.
    assert panel.loading and panel.stack.currentWidget() is panel.log_state
    assert panel.log_state.text() == LOADING_TEXT
    settle(qtbot, panel)
    assert panel.stack.currentWidget() is panel.no_runs
    assert NO_RUNS_TEXT == "No runs yet: train a model in the Train panel."
    assert not (tmp_path / "fresh" / LOG_FILE).exists()  # looking does not create a log


def test_table_lists_the_runs(panel: ExperimentsPanel, root: Path) -> None:
    model = panel.model
    assert panel.stack.currentWidget() is panel.splitter
    assert model.rowCount() == 3 and panel.count_label.text() == "3 runs"
    models = sorted(_shown_column(panel, model.column_of("Model")))
    assert models == ["Baseline (no model)", "Decision tree", "Logistic regression"]
    assert _shown_column(panel, model.column_of("Status")) == ["finished"] * 3
    # Multiclass: F1 (macro) and accuracy by default; the Test column follows F1 (macro).
    assert model.metrics == ["f1_macro", "accuracy"]
    assert model.headerData(model.column_of("Test F1 (macro)"), Qt.Orientation.Horizontal)
    runs = _runs(root)
    tree = runs["Decision tree"]
    row = model.row_of(tree.run_id)
    f1 = tree.metrics["validation"]["f1_macro"]
    assert model.index(row, model.metric_column("f1_macro")).data().startswith(f"{f1:.4g} ± ")
    test_text = model.index(row, model.column_of("Test F1 (macro)")).data()
    assert test_text == f"{tree.metrics['test']['f1_macro']:.4g}"


def test_the_note_column_is_in_view_at_1280_px(qtbot, panel: ExperimentsPanel) -> None:
    model, header, table = panel.model, panel.table.horizontalHeader(), panel.table
    note, run = model.note_column, model.column_of("Run")
    assert header.sectionViewportPosition(note) + NOTE_WIDTH <= table.viewport().width()
    # The Run column gave up the width (its id elided in the middle), not the Note column.
    first = panel.proxy.index(0, run)
    full = table.fontMetrics().horizontalAdvance(first.data())
    assert header.sectionSize(run) < full
    assert first.data(Qt.ItemDataRole.ToolTipRole) == first.data(RUN_ID_ROLE)
    # Wide again, the whole id shows.
    panel.resize(1800, 800)
    qtbot.waitUntil(lambda: header.sectionSize(run) >= full)


def test_more_metric_columns_narrow_run_then_tags_and_wrap_long_names(
    qtbot, panel: ExperimentsPanel
) -> None:
    for label in ("Precision (weighted)", "Log loss"):
        # Each choice rebuilds the menu: its actions are read again.
        actions = {action.text(): action for action in panel.columns_menu.actions()}
        actions[label].trigger()
    model, header, table = panel.model, panel.table.horizontalHeader(), panel.table
    qtbot.waitUntil(lambda: model.metrics[-1] == "log_loss")
    # A long metric name wraps onto two lines rather than widen its column.
    weighted = model.headerData(
        model.metric_column("precision_weighted"), Qt.Orientation.Horizontal
    )
    assert weighted == "Precision\n(weighted)"
    assert model.column_of("Precision (weighted)") == model.metric_column("precision_weighted")
    # Run gave way first, then Tags, each to its least width (penguins' model names are no
    # wider than Model's least, so it keeps its width).
    digits = table.fontMetrics().horizontalAdvance("0")
    assert header.sectionSize(model.column_of("Run")) == RUN_MIN_CHARS * digits
    assert header.sectionSize(model.tags_column) == TAGS_MIN_WIDTH
    column = model.column_of("Model")
    labels = [panel.proxy.index(row, column).data() for row in range(panel.proxy.rowCount())]
    assert header.sectionSize(column) >= max(map(table.fontMetrics().horizontalAdvance, labels))
    # Were it narrowed, its tooltips start with the whole label.
    for row, label in enumerate(labels):
        tip = panel.proxy.index(row, column).data(Qt.ItemDataRole.ToolTipRole)
        assert tip.startswith(label)


def test_tags_and_notes_edit_inline(qtbot, panel: ExperimentsPanel, root: Path) -> None:
    tree_id = _runs(root)["Decision tree"].run_id
    source_row = panel.model.row_of(tree_id)

    def edit(column: int, text: str) -> None:
        index = panel.proxy.mapFromSource(panel.model.index(source_row, column))
        panel.table.setCurrentIndex(index)
        panel.table.edit(index)
        editors = [w for w in panel.table.viewport().findChildren(QLineEdit) if w.isVisible()]
        assert len(editors) == 1  # the delegate's editor, open on the cell
        editor = editors[0]
        assert editor.text() == index.data(Qt.ItemDataRole.EditRole)
        editor.setText(text)
        qtbot.keyClick(editor, Qt.Key.Key_Return)
        # The delegate commits and closes the editor in a queued call; the write is a job.
        qtbot.waitUntil(lambda: panel.table.state() != QAbstractItemView.State.EditingState)
        settle(qtbot, panel)

    edit(panel.model.tags_column, "shallow, keep ,shallow")
    edit(panel.model.note_column, "depth 3 is enough for penguins")
    record = _runs(root)["Decision tree"]
    assert record.tags == ("keep", "shallow")
    assert record.note == "depth 3 is enough for penguins"
    assert panel.model.index(source_row, panel.model.tags_column).data() == "keep, shallow"
    # The filter finds runs by tag.
    panel.filter_edit.setText("keep")
    assert panel.proxy.rowCount() == 1 and panel.count_label.text() == "1 of 3 runs shown"
    panel.filter_edit.setText("")
    panel.status_combo.setCurrentIndex(panel.status_combo.findData("failed"))
    assert panel.proxy.rowCount() == 0


def test_compare_two_runs(qtbot, panel: ExperimentsPanel, root: Path) -> None:
    runs = _runs(root)
    tree, logistic = runs["Decision tree"].run_id, runs["Logistic regression"].run_id
    assert not panel.compare_button.isEnabled()
    panel.select_runs([tree])
    assert not panel.compare_button.isEnabled() and panel.rerun_button.isEnabled()
    panel.select_runs([tree, logistic])
    assert panel.compare_button.isEnabled() and not panel.rerun_button.isEnabled()
    panel.compare_button.click()
    settle(qtbot, panel)
    assert sorted(panel.compared_ids) == sorted([tree, logistic])
    assert panel.compare_pane.isVisibleTo(panel)
    assert panel.compare_cell("Run · model", tree).text() == "Decision tree"
    assert panel.compare_cell("Setting · model.max_depth", tree).text() == "3"
    assert panel.compare_cell("Setting · model.max_depth", logistic).text() == "—"
    values = {
        run_id: runs[name].metrics["validation"]["f1_macro"]
        for name, run_id in (("Decision tree", tree), ("Logistic regression", logistic))
    }
    best = max(values, key=values.get)
    worst = min(values, key=values.get)
    best_cell = panel.compare_cell("Validation · F1 (macro)", best)
    worst_cell = panel.compare_cell("Validation · F1 (macro)", worst)
    assert best_cell.text() == f"{values[best]:.4g}"
    assert best_cell.background().color() == BEST_BACKGROUND and best_cell.font().bold()
    assert worst_cell.background().color() != BEST_BACKGROUND
    # Log loss: lower is better, so its highlight can sit in another column.
    loss = {r: runs[n].metrics["validation"]["log_loss"] for n, r in
            (("Decision tree", tree), ("Logistic regression", logistic))}  # fmt: skip
    lowest = min(loss, key=loss.get)
    assert panel.compare_cell("Validation · Log loss", lowest).font().bold()


def test_rerun_emits_the_stored_spec(qtbot, panel: ExperimentsPanel, root: Path) -> None:
    tree = _runs(root)["Decision tree"]
    panel.select_runs([tree.run_id])
    with qtbot.waitSignal(panel.rerun_requested) as blocker:
        panel.rerun_button.click()
    spec = blocker.args[0]
    assert spec == tree.spec.train_spec()
    assert spec.models == (ModelSpec("decision_tree_classifier", {"max_depth": 3}),)
    assert spec.split.n_splits == 3 and spec.seed == 3 and not spec.include_baseline


def test_delete_asks_first(qtbot, panel: ExperimentsPanel, root: Path) -> None:
    baseline = _runs(root)["Baseline (no model)"].run_id
    panel.select_runs([baseline])
    questions: list[str] = []
    refused = panel.delete_selected(ask=lambda _title, text: questions.append(text) or False)
    assert refused == [] and baseline in questions[0] and "Delete 1 run" in questions[0]
    assert baseline in {r.run_id for r in _runs(root).values()}

    # The real dialog, answered Yes as a user would.
    def answer() -> None:
        box = QApplication.activeModalWidget()
        assert isinstance(box, QMessageBox)
        box.button(QMessageBox.StandardButton.Yes).click()

    QTimer.singleShot(100, answer)
    panel.delete_button.click()
    settle(qtbot, panel)  # the delete, then the log read again
    assert baseline not in {r.run_id for r in _runs(root).values()}
    assert panel.model.rowCount() == 2
    assert not (root / "runs" / baseline).exists()


def test_sort_by_metric_and_choose_columns(qtbot, panel: ExperimentsPanel, root: Path) -> None:
    runs = _runs(root)
    f1 = {record.run_id: record.metrics["validation"]["f1_macro"] for record in runs.values()}
    column = panel.model.metric_column("f1_macro")
    panel.table.sortByColumn(column, Qt.SortOrder.DescendingOrder)
    shown = [panel.proxy.index(r, 0).data(RUN_ID_ROLE) for r in range(panel.proxy.rowCount())]
    assert shown == sorted(f1, key=f1.get, reverse=True)
    panel.table.sortByColumn(column, Qt.SortOrder.AscendingOrder)
    shown = [panel.proxy.index(r, 0).data(RUN_ID_ROLE) for r in range(panel.proxy.rowCount())]
    assert shown == sorted(f1, key=f1.get)

    actions = {action.text(): action for action in panel.columns_menu.actions()}
    assert actions["F1 (macro)"].isChecked() and not actions["Log loss"].isChecked()
    actions["Log loss"].trigger()
    assert panel.model.metrics == ["f1_macro", "accuracy", "log_loss"]
    header = panel.model.headerData(
        panel.model.metric_column("log_loss"), Qt.Orientation.Horizontal
    )
    assert header == "Log loss"
    panel.refresh()  # the choice survives a refresh (after a training)
    settle(qtbot, panel)
    assert panel.model.metrics == ["f1_macro", "accuracy", "log_loss"]
    assert panel.proxy.index(0, 0, QModelIndex()).isValid()
