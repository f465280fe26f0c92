"""The window driven as a user would: open, import through the dialog, roles, cancel, reopen."""

from __future__ import annotations

import os
import signal
import time
from pathlib import Path

import pandas as pd
import pytest
from jobs import job_fixtures as fx
from jobs.helpers import pid_exists
from PySide6.QtCore import QMimeData, QPointF, Qt, QTimer, QUrl
from PySide6.QtGui import QDropEvent
from PySide6.QtWidgets import QPushButton

from workbench.core.dataset import import_table
from workbench.core.kinds import ColumnRole
from workbench.core.parquet_frames import write_frame_parquet
from workbench.core.project import create_project, open_project
from workbench.gui.job_bridge import JobBridge
from workbench.jobs.job import Job

WAIT_MS = 60_000


def wait_for_profile(qtbot, window) -> None:
    qtbot.waitUntil(lambda: window.controller.profile is not None, timeout=WAIT_MS)


def make_project(folder: Path, source: Path, target: str | None = None) -> Path:
    project = create_project(folder)
    project.attach_dataset(import_table(project.root, source, target=target))
    project.save()
    return project.root


def test_welcome_page_without_a_project(window) -> None:
    assert window.stack.currentWidget() is window.welcome
    assert window.windowTitle() == "ML Workbench"
    assert not window.import_action.isEnabled()
    assert not window.nav.isVisible()


def test_open_project_shows_table_and_profile(qtbot, window, tmp_path, repo_root) -> None:
    root = make_project(tmp_path / "birds", repo_root / "resources/data/penguins.csv")
    assert window.open_project(root)
    qtbot.waitUntil(lambda: window.controller.frame is not None, timeout=WAIT_MS)
    wait_for_profile(qtbot, window)
    assert window.windowTitle() == "birds[*] — ML Workbench"
    assert not window.isWindowModified()
    assert window.data_panel.model.rowCount() == 344
    assert window.controller.profile.rows == 344
    assert window.settings.recent_projects() == [root]
    window.nav.setCurrentRow(1)
    assert window.stack.currentWidget() is window.profile_panel
    window.nav.setCurrentRow(2)
    assert window.stack.currentWidget() is window.prepare_panel
    assert window.prepare_panel.chain() == window.controller.project.chain


def test_menu_import_opens_an_empty_dialog(qtbot, window, tmp_path) -> None:
    assert window.controller.create(tmp_path / "menu")
    window.import_action.trigger()
    dialog = window.import_dialog
    assert dialog is not None and dialog.isVisible()
    assert dialog.path() is None
    dialog.reject()


def test_welcome_offers_the_demo(qtbot, window) -> None:
    labels = [button.text() for button in window.welcome.findChildren(QPushButton)]
    assert labels == ["New Project…", "Open Project…", "Open the Demo"]
    demo = next(b for b in window.welcome.findChildren(QPushButton) if b.text() == "Open the Demo")
    demo.click()
    assert window.controller.project is not None
    assert window.controller.project.name == "Penguins demo"
    qtbot.waitUntil(lambda: window.controller.profile is not None, timeout=WAIT_MS)


def test_damaged_project_is_a_notification_not_a_crash(window, tmp_path) -> None:
    (tmp_path / "project.json").write_text("{oops")
    assert not window.open_project(tmp_path)
    assert window.controller.project is None
    assert any("project.json is damaged" in m for m in window.notifications.messages())


def test_import_messy_file_through_dialog_then_reopen(
    qtbot, window, new_window, tmp_path, shared_data
) -> None:
    assert window.controller.create(tmp_path / "bank")
    window.import_data(shared_data / "messy/bank-additional.csv")
    dialog = window.import_dialog
    qtbot.waitUntil(lambda: dialog.preview_frame() is not None, timeout=WAIT_MS)
    # Change an option as a user would: treat `unknown` as missing too.
    dialog.options_form.editor("na_values").widget.setText(
        dialog.options_form.editor("na_values").widget.text() + ",unknown"
    )
    qtbot.waitUntil(
        lambda: (
            "unknown" in dialog.current_options().na_values
            and dialog.preview_frame() is not None
            and dialog.preview_frame()["default"].isna().any()
        ),
        timeout=WAIT_MS,
    )
    dialog.accept()
    wait_for_profile(qtbot, window)
    project = window.controller.project
    assert project.dataset.rows == 4119
    assert "unknown" in project.dataset.read_options["na_values"]
    assert window.data_panel.model.rowCount() == 4119
    kinds = {a.kind for a in window.controller.profile.alerts}
    assert "target_leakage" in kinds
    assert window.controller.frame["job"].isna().sum() == 39  # `unknown` jobs became missing

    window.data_panel.set_role("job", ColumnRole.IGNORE)
    assert window.isWindowModified()
    window.save()
    assert not window.isWindowModified()

    again = new_window()
    assert again.open_project(tmp_path / "bank")
    wait_for_profile(qtbot, again)
    assert again.controller.project.roles["job"] == ColumnRole.IGNORE
    assert again.controller.project.target == "y"
    # The stored profile is shown at once: nothing is profiled again.
    assert not again.controller.profile_job.running
    assert again.controller.profile.to_dict() == window.controller.profile.to_dict()


@pytest.fixture()
def big_project(big_project_folder: Path) -> Path:
    """The big project without a stored profile, so opening it profiles afresh."""
    for stored in (big_project_folder / "data").glob("*.profile.json"):
        stored.unlink()
    return big_project_folder


@pytest.fixture(scope="module")
def big_project_folder(tmp_path_factory, shared_data) -> Path:
    """Half a million rows: adult repeated, so profiling takes seconds."""
    frame = pd.read_csv(
        shared_data / "clean/adult-train.csv", header=None, skipinitialspace=True, na_values="?"
    )
    frame.columns = [f"column_{i}" for i in range(frame.shape[1])]
    big = pd.concat([frame] * 16, ignore_index=True)
    source = tmp_path_factory.mktemp("big") / "adult_big.parquet"
    write_frame_parquet(big, source)
    return make_project(tmp_path_factory.mktemp("projects") / "big", source, target="column_14")


@pytest.mark.slow
def test_cancel_a_running_profile(qtbot, window, big_project) -> None:
    assert window.open_project(big_project)
    qtbot.waitUntil(lambda: window.controller.profile_job.running, timeout=WAIT_MS)
    qtbot.waitUntil(lambda: window.job_status.bar.value() > 0, timeout=WAIT_MS)
    # The panels' reads of the opened project are jobs too: Cancel stops the job the status bar
    # shows, so wait until that is the profile (on a busy machine a read may start after it).
    profile_job = window.controller.profile_job
    qtbot.waitUntil(lambda: window.job_center.current is profile_job, timeout=WAIT_MS)
    assert window.job_status.isVisible()
    pid = profile_job.worker_pid
    window.job_status.cancel_button.click()
    # Cancel is immediate for the window (how fast: benchmarks/window_bench.py) and kills the
    # worker, which was far from done with half a million rows.
    assert not window.controller.profile_job.running
    qtbot.waitUntil(lambda: not pid_exists(pid), timeout=WAIT_MS)
    assert window.controller.profile is None
    assert "cancelled" in window.profile_panel.message_text().lower()


@pytest.mark.slow
def test_a_killed_worker_leaves_the_window_working(qtbot, window, big_project) -> None:
    assert window.open_project(big_project)
    qtbot.waitUntil(lambda: window.controller.profile_job.worker_pid is not None, timeout=WAIT_MS)
    os.kill(window.controller.profile_job.worker_pid, signal.SIGKILL)
    qtbot.waitUntil(lambda: not window.controller.profile_job.running, timeout=10_000)
    assert any("stopped unexpectedly" in m for m in window.notifications.messages())
    assert "Profiling failed" in window.profile_panel.message_text()
    # The window still works: profiling again succeeds.
    window.profile_action.trigger()
    wait_for_profile(qtbot, window)
    assert window.controller.profile.rows == 520_976


def test_dropping_a_file_opens_the_import_dialog(qtbot, window, tmp_path, repo_root) -> None:
    assert window.controller.create(tmp_path / "drop")
    source = repo_root / "resources/data/penguins.csv"
    mime = QMimeData()
    mime.setUrls([QUrl.fromLocalFile(str(source))])
    drop = QDropEvent(
        QPointF(200, 200), Qt.DropAction.CopyAction, mime,
        Qt.MouseButton.NoButton, Qt.KeyboardModifier.NoModifier,
    )  # fmt: skip
    window.dropEvent(drop)
    dialog = window.import_dialog
    assert dialog is not None and dialog.isVisible()
    qtbot.waitUntil(lambda: dialog.preview_frame() is not None, timeout=WAIT_MS)
    assert dialog.preview_frame().shape == (200, 7)
    dialog.reject()


@pytest.mark.slow
def test_event_loop_keeps_ticking_while_a_big_profile_runs(qtbot, window, big_project) -> None:
    """The window never freezes: while half a million rows are profiled in a child process, a
    10 ms timer keeps ticking, the progress bar moves, and the profile arrives and is drawn. The
    worst gap between ticks is a figure of benchmarks/window_bench.py, not asserted here: a busy
    machine stretches it, and a test must not fail because the machine is busy."""
    ticks_while_running: list[int] = []
    progress_seen: set[int] = set()

    def tick() -> None:
        if window.controller.profile_job.running:
            ticks_while_running.append(1)
            progress_seen.add(window.job_status.bar.value())

    timer = QTimer()
    timer.timeout.connect(tick)
    timer.start(10)
    assert window.open_project(big_project)
    qtbot.waitUntil(lambda: window.controller.profile_job.worker_pid is not None, timeout=WAIT_MS)
    assert window.controller.profile_job.worker_pid != os.getpid()
    wait_for_profile(qtbot, window)
    timer.stop()
    assert len(ticks_while_running) >= 10
    assert len(progress_seen) >= 2  # the bar moved while the work ran
    assert window.controller.profile.rows == 520_976
    window.profile_panel.set_profile(window.controller.profile)
    assert window.profile_panel.message_text() == ""


def test_an_alert_fix_lands_in_the_chain_and_is_saved(qtbot, window, tmp_path, shared_data) -> None:
    from workbench.gui.widgets.alert_list import ALERT_ROLE

    root = make_project(tmp_path / "titanic", shared_data / "clean/titanic.csv", target="survived")
    assert window.open_project(root)
    wait_for_profile(qtbot, window)
    alerts = window.profile_panel.alert_list
    alerts.set_severity_filter("critical")
    table = alerts.table
    row = next(
        r
        for r in range(table.model().rowCount())
        if table.model().index(r, 0).data(ALERT_ROLE).kind == "target_leakage"
    )
    table.setCurrentIndex(table.model().index(row, 0))
    assert alerts.fix_button.isEnabled()
    alerts.fix_button.click()
    assert window.stack.currentWidget() is window.prepare_panel
    chain = window.controller.project.chain
    assert [(s.step, s.columns) for s in chain.steps] == [("drop_columns", ("alive",))]
    assert window.isWindowModified()

    def leak_handled() -> str:
        leak = [a for a in alerts.visible_alerts() if a.kind == "target_leakage"]
        return leak[0].handled

    # The profile's alert list follows the chain: the leak is handled while the step is there.
    assert leak_handled() == "step 1 (Drop columns) leaves 'alive' out"
    window.prepare_panel.undo_stack.undo()
    assert window.controller.project.chain.steps == ()
    assert leak_handled() == ""
    window.prepare_panel.undo_stack.redo()
    assert leak_handled()
    window.save()
    reopened = open_project(root)
    assert [(s.step, s.columns) for s in reopened.chain.steps] == [("drop_columns", ("alive",))]


def test_train_then_compare_in_the_window(qtbot, window, tmp_path, repo_root) -> None:
    """The chain edited in Prepare is what trains, unsaved, and the runs reach Experiments."""
    from workbench.core.project import PROJECT_FILE, open_project
    from workbench.core.runs.log import ExperimentLog
    from workbench.core.specs import ChainSpec, StepSpec

    root = make_project(tmp_path / "birds", repo_root / "resources/data/penguins.csv")
    assert window.open_project(root)
    wait_for_profile(qtbot, window)
    saved = (root / PROJECT_FILE).read_bytes()
    window.prepare_panel.add_step(StepSpec("drop_columns", ("island",)))
    assert window.isWindowModified()
    window.nav.setCurrentRow(3)
    train = window.train_panel
    assert window.stack.currentWidget() is train
    picker = train.model_picker
    picker.check_model("decision_tree_classifier")
    assert picker.chain_advice.isHidden()
    # A rescaling step added in Prepare reaches the Train panel's warning, and its undo too.
    window.prepare_panel.add_step(StepSpec("scale", ("body_mass_g",)))
    assert picker.chain_advice.isVisible()
    assert "'Scale' step recomputes numbers before Decision tree" in picker.chain_advice.text()
    window.prepare_panel.undo_stack.undo()
    assert picker.chain_advice.isHidden()
    train.train_settings.folds_spin.setValue(3)
    assert train.train()
    qtbot.waitUntil(lambda: not train.task_running("train"), timeout=WAIT_MS * 2)
    # Training took the chain on screen: nothing was saved, the edit is still unsaved.
    assert window.isWindowModified()
    assert (root / PROJECT_FILE).read_bytes() == saved
    with ExperimentLog(root / "experiments.sqlite") as log:
        runs = log.runs()
    assert sorted(run.status for run in runs) == ["finished", "finished"]
    edited = ChainSpec((StepSpec("drop_columns", ("island",)),))
    assert all(run.spec.chain.user == edited for run in runs)
    window.nav.setCurrentRow(4)
    experiments = window.experiments_panel
    qtbot.waitUntil(lambda: experiments.proxy.rowCount() == 2, timeout=10_000)
    experiments.select_runs([run.run_id for run in runs])
    assert sorted(experiments.compare_selected()) == sorted(run.run_id for run in runs)
    # Re-run: the Train panel shows the run's model and settings, as the run recorded them.
    tree = next(run for run in runs if run.spec.model.name == "decision_tree_classifier")
    experiments.select_runs([tree.run_id])
    assert experiments.rerun_selected() == tree.spec.train_spec()
    assert window.stack.currentWidget() is train
    assert train.spec() == tree.spec.train_spec()
    # The edit is saved when the user saves (the window then closes without asking).
    window.save()
    assert not window.isWindowModified()
    assert open_project(root).chain == edited


# Every task of the window, by the object that declares it: the test's own list, so a task added
# without being watched, or a bridge wired by hand outside the mechanism, shows up here.
WINDOW_TASKS = sorted([
    ("ProjectController", "import"), ("ProjectController", "load"),
    ("ProjectController", "stored_profile"), ("ProjectController", "profile"),
    ("ProjectController", "recover"),
    ("DataPanel", "sort"), ("DataPanel", "filter"),
    ("PreparePanel", "preview"),
    ("TrainPanel", "train"), ("TrainPanel", "mark_cancelled"),
    ("ExperimentsPanel", "log"), ("ExperimentsPanel", "compare"),
    ("ExperimentsPanel", "delete"), ("ExperimentsPanel", "edit"), ("ExperimentsPanel", "refit"),
    ("ResultsPanel", "saved"), ("ResultsPanel", "results"), ("ResultsPanel", "analysis"),
    ("ReportBar", "report"),
    ("ExportPanel", "runs"), ("ExportPanel", "check"), ("ExportPanel", "export"),
    ("MonitorPanel", "runs"), ("MonitorPanel", "history"), ("MonitorPanel", "check"),
    ("ImportDialog", "preview"), ("ImportDialog", "target"),
])  # fmt: skip


def test_every_job_of_the_window_shows_in_the_status_bar_and_esc_cancels_it(
    qtbot, window, tmp_path, repo_root
) -> None:
    root = make_project(tmp_path / "birds", repo_root / "resources/data/penguins.csv", "species")
    assert window.open_project(root)
    wait_for_profile(qtbot, window)
    window.import_data(repo_root / "resources/data/penguins.csv")  # the dialog's preview too
    bridges = window.findChildren(JobBridge)
    owners = sorted((type(bridge.parent()).__name__, bridge.objectName()) for bridge in bridges)
    assert owners == WINDOW_TASKS

    for number, bridge in enumerate(bridges):
        name = f"Test job {number}"
        bridge.start(Job(fx.wait_for_cancel, name=name), in_process=False)
        # Watched without anyone registering it: the status bar shows it as the current job.
        assert window.job_center.current is bridge
        assert window.job_status.isVisible() and window.job_status.label.text() == name
        window.cancel_action.trigger()  # Esc
        assert not bridge.running, bridge.objectName()
    assert sorted(window.job_center.watched, key=id) == sorted(bridges, key=id)
    window.import_dialog.reject()
    # Cancelling a training asks the panels to re-read the log: wait for those reads.
    qtbot.waitUntil(lambda: window.job_center.current is None, timeout=WAIT_MS)
    assert not window.job_status.isVisible()


def test_a_panel_failure_is_a_notification_with_details(qtbot, window, tmp_path, repo_root) -> None:
    root = make_project(tmp_path / "birds", repo_root / "resources/data/penguins.csv", "species")
    (root / "experiments.sqlite").write_bytes(b"not a database " * 100)
    assert window.open_project(root)
    experiments = window.experiments_panel
    window.nav.setCurrentRow(4)  # the Experiments panel, as a user would look
    qtbot.waitUntil(
        lambda: experiments.stack.currentWidget() is experiments.log_state, timeout=WAIT_MS
    )
    damaged = f"{root / 'experiments.sqlite'} is damaged or not an SQLite database"
    qtbot.waitUntil(lambda: damaged in experiments.log_state.text(), timeout=WAIT_MS)
    # Inline, where it happened (not "No runs yet")...
    assert experiments.log_state.text().startswith("The experiment log could not be read: ")
    # ...and in the window's notifications, naming the job, once however often it failed,
    # with the traceback behind Details.
    messages = window.notifications.messages()
    log_failures = [m for m in messages if m.startswith("Reading the experiment log failed: ")]
    assert len(log_failures) == 1 and damaged in log_failures[0]
    details = [b for b in window.notifications.findChildren(QPushButton) if b.text() == "Details…"]
    assert details


def test_the_import_preview_is_a_window_job_that_esc_cancels(
    qtbot, window, tmp_path, shared_data, monkeypatch
) -> None:
    from workbench.gui.dialogs import import_dialog
    from workbench.gui.dialogs.import_dialog import PREVIEW_CANCELLED

    bank = shared_data / "messy/bank-additional.csv"
    real_preview = import_dialog.run_preview

    def slow_preview(path, options):
        time.sleep(1.0)  # a slow disk: long enough to press Esc
        return real_preview(path, options)

    monkeypatch.setattr(import_dialog, "run_preview", slow_preview)
    assert window.controller.create(tmp_path / "bank")
    qtbot.waitUntil(lambda: window.job_center.current is None, timeout=WAIT_MS)  # panels' reads
    window.import_data(bank)
    dialog = window.import_dialog
    qtbot.waitUntil(lambda: dialog.task_running("preview"), timeout=WAIT_MS)
    assert window.job_center.current is dialog.task("preview")
    assert window.job_status.label.text() == "Previewing bank-additional.csv"

    window.cancel_action.trigger()

    assert not dialog.task_running("preview") and not window.job_status.isVisible()
    assert dialog.error_text() == PREVIEW_CANCELLED
    assert not dialog.import_button.isEnabled()
    dialog.reject()
