"""The window on a project received from someone else, one cut off by a killed training, and one
this user cannot write (issue 13): planted pickles never run from any panel, a run is re-fitted
with one click, interrupted runs are marked on opening, and a read-only project offers nothing
that writes."""

from __future__ import annotations

import shutil
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest
from _planted import plant_pickle
from _serve_runs import trained_run
from PySide6.QtCore import QItemSelectionModel

from workbench.core.runs.environment import capture_environment
from workbench.core.runs.log import LOG_FILE, RUNS_DIR, ExperimentLog
from workbench.core.trust import TRUST_DIR_VARIABLE

pytestmark = pytest.mark.shared_data


@pytest.fixture()
def received(
    shared_data: Path,
    tmp_path_factory: pytest.TempPathFactory,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> tuple[Path, str]:
    """A copy of a trained penguins project with a planted plot-numbers pickle and a planted
    pipeline whose sha256 the log was changed to match, opened by another installation."""
    run = trained_run("penguins", shared_data, tmp_path_factory)
    root = tmp_path / "received"
    shutil.copytree(run.project, root)
    folder = root / RUNS_DIR / run.run_id
    (folder / "plot_data.json").unlink()
    plant_pickle(folder / "plot_data.pickle", tmp_path / "marker")
    digest = plant_pickle(folder / "pipeline.joblib", tmp_path / "marker")
    size = (folder / "pipeline.joblib").stat().st_size
    with sqlite3.connect(root / LOG_FILE) as db:
        db.execute(
            "UPDATE artifacts SET sha256 = ?, size = ? WHERE run_id = ? AND kind = 'pipeline'",
            (digest, size, run.run_id),
        )
    db.close()
    monkeypatch.setenv(TRUST_DIR_VARIABLE, str(tmp_path / "receiver-trust"))
    return root, run.run_id


def _select(window, run_id: str) -> None:
    experiments = window.experiments_panel
    source = experiments.model.index(experiments.model.row_of(run_id), 0)
    experiments.table.selectionModel().select(
        experiments.proxy.mapFromSource(source),
        QItemSelectionModel.SelectionFlag.ClearAndSelect | QItemSelectionModel.SelectionFlag.Rows,
    )


def test_no_panel_runs_a_planted_pickle_and_refit_makes_the_run_usable(
    qtbot, window, received: tuple[Path, str], tmp_path: Path
) -> None:
    root, run_id = received
    assert window.open_project(root)
    experiments = window.experiments_panel
    qtbot.waitUntil(lambda: not experiments.loading, timeout=30_000)
    _select(window, run_id)
    # Results: the plots come from the predictions, never from the planted pickle.
    window.nav.setCurrentRow(window._panel_row(window.results_panel))
    qtbot.waitUntil(lambda: window.results_panel.loaded(run_id) is not None, timeout=120_000)
    # Export: refused with the reason and the way out.
    export = window.export_panel
    qtbot.waitUntil(lambda: not export.loading, timeout=30_000)
    assert export.current_run() == run_id
    export.set_folder(tmp_path / "out")
    with qtbot.waitSignal(export.task("export").failed, timeout=120_000):
        assert export.export()
    assert "was not trained by this installation" in export.error_label.text()
    assert "Re-fit" in export.error_label.text()
    assert not (tmp_path / "marker").exists()
    # Re-fit: one click, a new run noted as the re-fit, with the same metrics.
    assert experiments.refit_button.isEnabled()
    with qtbot.waitSignal(experiments.refitted, timeout=240_000) as refitted:
        assert experiments.refit_selected() == run_id
    new = refitted.args[0]
    assert experiments.refit_label.text() == (
        f"Run {new} re-fits run {run_id}: same seed, same metrics; it can predict and export."
    )
    qtbot.waitUntil(lambda: not experiments.loading, timeout=30_000)
    assert experiments.model.row_of(new) >= 0
    assert not (tmp_path / "marker").exists()
    window.grab().save(str(tmp_path / "refit.png"))


def test_opening_marks_a_killed_run_interrupted(
    qtbot, window, shared_data: Path, tmp_path_factory: pytest.TempPathFactory, tmp_path: Path
) -> None:
    run = trained_run("penguins", shared_data, tmp_path_factory)
    root = tmp_path / "penguins"
    shutil.copytree(run.project, root)
    dead = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"],
                          capture_output=True, text=True, check=True)  # fmt: skip
    with ExperimentLog(root / LOG_FILE) as log:
        spec = log.run(run.run_id).spec
        cut_off = log.start_run(spec, capture_environment(root), name="Killed")
        (log.run_dir(cut_off) / "oof.parquet").write_bytes(b"half")
        log._conn.execute("UPDATE runs SET pid = ? WHERE run_id = ?", (int(dead.stdout), cut_off))
    assert window.open_project(root)
    experiments = window.experiments_panel
    qtbot.waitUntil(
        lambda: (
            not experiments.loading
            and experiments.model.record(experiments.model.row_of(cut_off)).status == "interrupted"
        ),
        timeout=30_000,
    )
    assert not (root / RUNS_DIR / cut_off).exists()
    shown = [item.message for item in window.notifications._items]
    assert any(cut_off in message and "marked interrupted" in message for message in shown)


def _files(root: Path) -> list[Path]:
    """The project's files, but SQLite's -wal and -shm: reading a WAL log read-only from a
    folder that can in fact be written creates them (in a read-only folder it cannot)."""
    return sorted(
        p.relative_to(root) for p in root.rglob("*") if not p.name.endswith(("-wal", "-shm"))
    )


def test_a_read_only_project_says_so_and_offers_nothing_that_writes(
    qtbot,
    window,
    shared_data: Path,
    tmp_path_factory: pytest.TempPathFactory,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """The tests run as root, whom no permission stops: the folder's writability is what the
    workbench asks (os.access), answered here as it is for another user's folder (the command
    line is tested as a real unprivileged user in tests/cli/test_read_only_project.py)."""
    from workbench.core import project as project_module
    from workbench.core.runs import log as log_module

    run = trained_run("penguins", shared_data, tmp_path_factory)
    root = tmp_path / "theirs"
    shutil.copytree(run.project, root)
    for module in (project_module, log_module):
        monkeypatch.setattr(module, "project_writable", lambda folder: Path(folder) != root)
    before = _files(root)
    assert window.open_project(root)
    experiments = window.experiments_panel
    qtbot.waitUntil(lambda: not experiments.loading, timeout=30_000)
    assert window.read_only_banner.isVisible()
    assert "read-only" in window.read_only_banner.text()
    assert not window.save_action.isEnabled() and not window.import_action.isEnabled()
    assert not window.train_panel.isEnabled() and not window.export_panel.isEnabled()
    _select(window, run.run_id)
    assert not experiments.refit_button.isEnabled()
    assert not experiments.rerun_button.isEnabled()
    assert not experiments.delete_button.isEnabled()
    assert experiments.table.editTriggers() == experiments.table.EditTrigger.NoEditTriggers
    window.nav.setCurrentRow(window._panel_row(window.experiments_panel))
    window.resize(1280, 800)
    window.grab().save(str(tmp_path / "read-only.png"))
    assert _files(root) == before  # nothing written
    # Another project opens writable again.
    writable = tmp_path / "mine"
    shutil.copytree(run.project, writable)
    assert window.open_project(writable)
    assert not window.read_only_banner.isVisible() and window.train_panel.isEnabled()
