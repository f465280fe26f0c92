"""The Train panel's Compute box: the project's setting shown and edited, a bad address said
inline, and a training on a local Dask cluster from the panel (its child process is the Dask
client and starts the cluster; Cancel kills it and the cluster's worker processes with it)."""

from __future__ import annotations

from pathlib import Path

import psutil
import pytest
from PySide6.QtCore import Qt

from workbench.core.compute.setting import ComputeSetting, parse_compute
from workbench.core.dataset import import_table
from workbench.core.project import Project, create_project
from workbench.core.runs.log import LOG_FILE, ExperimentLog
from workbench.gui.panels.train_compute import LOCAL_CLUSTER, SCHEDULER
from workbench.gui.panels.train_panel import TrainPanel

TRAIN_TIMEOUT_MS = 120_000  # a cold child process imports scikit-learn, then starts a cluster


@pytest.fixture()
def project(shared_data: Path, tmp_path: Path) -> Project:
    created = create_project(tmp_path / "penguins")
    created.attach_dataset(
        import_table(created.root, shared_data / "clean" / "penguins.csv", target="species")
    )
    created.set_compute(parse_compute("local:2"))
    created.save()
    return created


@pytest.fixture()
def panel(open_train_panel, project: Project) -> TrainPanel:
    return open_train_panel(project)


def _choose(combo, value: str) -> None:
    combo.setCurrentIndex(combo.findData(value))


def test_the_box_shows_the_project_setting_and_says_where_the_work_runs(
    qtbot, panel: TrainPanel, project: Project
) -> None:
    box = panel.train_settings.compute_box
    assert box.where_combo.currentData() == LOCAL_CLUSTER
    assert box.workers_spin.value() == 2 and box.workers_spin.isVisible()
    assert not box.address_edit.isVisible()
    assert box.where_label.text() == (
        "Folds and tuning trials run on a local Dask cluster of 2 worker processes."
    )
    changes: list[ComputeSetting] = []
    panel.compute_changed.connect(changes.append)
    _choose(box.where_combo, SCHEDULER)
    assert box.address_edit.isVisible() and not box.workers_spin.isVisible()
    # No address yet: said inline, nothing announced, Train refuses with the same words.
    assert box.error_label.isVisible()
    assert box.error_label.text().startswith("give the Dask scheduler's address")
    assert changes == []
    panel.model_picker.check_model("logistic_regression")
    assert not panel.train()
    assert panel.error_label.text().startswith("give the Dask scheduler's address")
    box.address_edit.setText("tcp://10.0.0.5:99999")
    assert "the port must be a number from 1 to 65535" in box.error_label.text()
    box.address_edit.setText("10.0.0.5:8786")
    assert not box.error_label.isVisible()
    assert (
        box.where_label.text()
        == "Folds and tuning trials run on the Dask cluster at tcp://10.0.0.5:8786."
    )
    assert changes == [parse_compute("tcp://10.0.0.5:8786")]
    # Loading a project's setting is no edit.
    box.load(parse_compute("local"))
    assert box.where_label.text() == (
        "Folds and tuning trials run in the training process on this computer."
    )
    assert len(changes) == 1


def _descendants(pid: int) -> list[psutil.Process]:
    try:
        return psutil.Process(pid).children(recursive=True)
    except psutil.NoSuchProcess:
        return []


def test_train_on_a_local_cluster_from_the_panel_then_cancel_kills_its_workers(
    qtbot, panel: TrainPanel, project: Project
) -> None:
    picker, settings = panel.model_picker, panel.train_settings
    # The baseline finishes on the cluster; the forest's 3,000 trees would take minutes.
    picker.check_model("random_forest_classifier")
    picker.set_model_params("random_forest_classifier", {"n_estimators": 3000})
    settings.folds_spin.setValue(3)
    assert panel.train()
    assert panel.status_label.text() == (
        "Training 2 models on a local Dask cluster of 2 worker processes…"
    )
    assert not settings.compute_box.isEnabled()  # frozen while it is used
    qtbot.waitUntil(lambda: panel.leaderboard.rowCount() == 2, timeout=TRAIN_TIMEOUT_MS)
    assert panel.status_label.text() == (
        "Training Random forest (model 2 of 2) on a local Dask cluster of 2 worker processes…"
    )
    baseline = panel.leaderboard.rows()[0]
    assert baseline.status == "finished", baseline.message
    assert baseline.validation_mean_std("f1_macro")[0] < 0.4
    pid = panel.task("train").worker_pid
    assert pid is not None
    # The job's Dask worker processes are the training process's descendants.
    qtbot.waitUntil(lambda: len(_descendants(pid)) >= 2, timeout=TRAIN_TIMEOUT_MS)
    workers = _descendants(pid)
    with qtbot.waitSignal(panel.runs_changed, timeout=TRAIN_TIMEOUT_MS):
        qtbot.mouseClick(settings.cancel_button, Qt.MouseButton.LeftButton)
    # Cancel kills the training process: the cluster it started goes with it.
    qtbot.waitUntil(
        lambda: not any(w.is_running() and w.status() != psutil.STATUS_ZOMBIE for w in workers),
        timeout=TRAIN_TIMEOUT_MS,
    )
    assert [row.status for row in panel.leaderboard.rows()] == ["finished", "cancelled"]
    assert settings.compute_box.isEnabled()
    with ExperimentLog(project.root / LOG_FILE) as log:
        assert sorted(record.status for record in log.runs()) == ["cancelled", "finished"]
